"""Replicate-weight variance estimation: jackknife (JK1, JKn) and bootstrap, as R's ``survey``.

A :class:`ReplicateDesign` holds the full-sample weights and R sets of replicate multipliers
(replicate weight = multiplier × full-sample weight). The variance of any statistic θ is

    v(θ) = scale · Σ_r rscale_r (θ_r − θ̄)(θ_r − θ̄)ᵀ

with θ̄ the mean of the replicates (or θ itself with ``mse=True``) — R's ``svrVar``. The
estimators in :mod:`fjernarbeid.survey.estimate` accept a replicate design wherever they accept a
:class:`~fjernarbeid.survey.SurveyDesign`; :func:`replicate_variance` handles any other statistic
(R's ``withReplicates``).

Replicate weights from :func:`as_replicate_design` follow R's ``as.svrepdesign``:

* ``"JK1"`` (unstratified; ``jk1weights``): drop one PSU at a time, the others × n/(n−1);
  scale = (1 − f)(n − 1)/n.
* ``"JKn"`` (stratified; ``jknweights``): drop one PSU of stratum h at a time, the other PSUs of
  h × n_h/(n_h − 1); rscale = (1 − f_h)(n_h − 1)/n_h; lonely PSUs as ``design.lonely_psu``.
* ``"bootstrap"`` (``bootweights``; Canty & Davison 1999, *Resampling-based variance estimation
  for labour force surveys*, The Statistician 48:379): in each stratum draw n_h PSUs with
  replacement (or, with an fpc, without replacement from the PSUs repeated to the population
  size); the multiplier is the number of draws; scale = ñ/((ñ − 1)(R − 1)) with ñ the harmonic
  mean of the PSUs per stratum.

* ``"BRR"`` (``brrweights``; McCarthy 1969, *Rev. Int. Stat. Inst.* 37:239): two PSUs per
  stratum; replicate r keeps one PSU of stratum h with multiplier 2 and drops the other, as row
  h + 1 of a Hadamard matrix says (the first row, all equal, is not used), which balances every
  pair of strata (full orthogonal balance); scale = 1/R. PSUs in the order the data list them.
* ``"Fay"`` (Fay's BRR; Judkins 1990, *J. Off. Stat.* 6:223): multipliers 2 − ρ and ρ instead of
  2 and 0; scale = 1/(R(1 − ρ)²).
* ``"JK2"`` (paired jackknife; Wolter 2007, §4.2.3): one replicate per stratum of two PSUs, the
  first PSU (as the data list them) dropped and the second doubled; scale = 1 (R's ``svrepdesign(type="JK2")``).
* ``"SDR"`` (successive difference replication; Fay & Train 1995, *Proc. Gov. Stat. Sect.*, ASA;
  the circular form of Ash 2014, *Survey Methodology* 40:245): PSUs in the order the data list
  them (the frame's sort order), unit i gets 1 + 2^{−3/2}(h_{i,r} − h_{i+1,r}) from rows i and
  i + 1 (circularly) of a Hadamard matrix of order R ≥ n; scale = 4/R (R's
  ``type="successive-difference"``). With ``mse=True`` the variance of a total is
  ½ Σ_i (z_i − z_{i−1})², the circular successive-difference variance.

Hadamard matrices (:func:`hadamard`) are Sylvester's (orders 2^k) or Paley's (q + 1 for a prime
q ≡ 3 mod 4), the smallest that fits; R's ``survey`` keeps a table of its own, so give R's matrix
(``hadamard=``) to reproduce R's replicates exactly — for totals every Hadamard matrix gives the
same variance.

Degrees of freedom are the rank of the matrix of analysis weights minus one (R's ``degf``).
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey.design import SurveyDesign, group_sums

REPLICATE_TYPES = ("JK1", "JKn", "bootstrap", "BRR", "Fay", "JK2", "SDR")
_MAX_CELLS = 50_000_000  # PSUs × replicates held in memory


@dataclass(frozen=True)
class ReplicateDesign:
    """Data, full-sample weights and replicate multipliers (stored per PSU, as R's compressed
    ``repweights``). Build one with :func:`as_replicate_design` or :func:`replicate_design`."""

    data: pd.DataFrame
    weights: np.ndarray  # full-sample weights, zero outside a domain
    psu: np.ndarray  # row → row of ``multipliers`` (n,)
    multipliers: np.ndarray  # P × R replicate multipliers
    scale: float
    rscales: np.ndarray  # (R,)
    type: str = "other"
    mse: bool = False
    weight_name: str = "weight"

    @property
    def n(self) -> int:
        return len(self.weights)

    @property
    def replicates(self) -> int:
        return self.multipliers.shape[1]

    @property
    def in_domain(self) -> np.ndarray:
        return self.weights != 0  # as SurveyDesign.in_domain

    @property
    def is_calibrated(self) -> bool:
        return False

    def column(self, name: str) -> pd.Series:
        if name not in self.data.columns:
            raise KeyError(f"no column {name!r} in the design's data (columns: {', '.join(map(str, self.data.columns))})")
        return self.data[name]

    def domain(self, mask) -> "ReplicateDesign":
        """The subgroup ``mask``: rows outside get weight 0 in the full sample and every replicate."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != self.weights.shape:
            raise ValueError("domain mask must have one value per row")
        return replace(self, weights=np.where(mask, self.weights, 0.0))

    def replicate_weights(self) -> np.ndarray:
        """The n × R analysis weights (multiplier × full-sample weight): R's ``weights(d, "analysis")``."""
        return self.multipliers[self.psu] * self.weights[:, None]

    def replicate_totals(self, x: np.ndarray) -> np.ndarray:
        """Σ_i w_ri x_i for every replicate r: an R × k array (x is n × k, unweighted)."""
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        z = group_sums(self.psu, x * self.weights[:, None], self.multipliers.shape[0])
        return self.multipliers.T @ z

    def vcov_replicates(self, thetas: np.ndarray, full: np.ndarray) -> np.ndarray:
        """R's ``svrVar``: scale · Σ_r rscale_r (θ_r − θ̄)(θ_r − θ̄)ᵀ for replicate estimates (R × k).

        Replicates whose statistic is undefined (NaN, e.g. a domain emptied by a jackknife
        replicate) are dropped with a warning, as R's ``na.action``.
        """
        thetas = np.asarray(thetas, dtype=float)
        if thetas.ndim == 1:
            thetas = thetas[:, None]
        rscales = self.rscales
        bad = np.isnan(thetas).any(axis=1)
        if bad.any():
            if bad.all():
                raise ComputationError("every replicate gave an undefined estimate")
            warnings.warn(f"{int(bad.sum())} replicates gave undefined estimates and were discarded", stacklevel=3)
            thetas, rscales = thetas[~bad], rscales[~bad]
        centre = np.asarray(full, dtype=float) if self.mse else thetas[rscales > 0].mean(axis=0)
        d = (thetas - centre) * np.sqrt(rscales)[:, None]
        return self.scale * (d.T @ d)

    def degrees_of_freedom(self) -> int:
        """Rank of the analysis weights of the rows in the domain, minus one (R's ``degf``:
        ``qr(weights(design, "analysis"), tol = 1e-5)$rank - 1``).

        The n × R matrix A of analysis weights has the Gram matrix AᵀA = Mᵀ diag(Σ_{i∈p} w_i²) M (R × R), from
        which :func:`qr_rank` counts the columns R's QR keeps.
        """
        s = np.bincount(self.psu, weights=self.weights**2, minlength=self.multipliers.shape[0])
        b = self.multipliers * np.sqrt(s)[:, None]  # P × R: bᵀb = AᵀA
        return qr_rank(b.T @ b) - 1


def qr_rank(gram: np.ndarray, tol: float = 1e-5) -> int:
    """The rank R's ``qr(A, tol)`` gives a matrix A with Gram matrix ``gram`` = AᵀA: LINPACK's ``dqrdc2`` (R's
    src/appl/dqrdc2.f) takes the columns in order and moves to the end each one whose norm, once the columns
    kept before it are projected out, is below ``tol`` times its original norm (a column of zeros: below ``tol``);
    the rank is the number kept. The residual norms come from a Cholesky factor of the kept columns' Gram matrix
    (‖a_j‖² − g_jᵀ G_K⁻¹ g_j), which decides as the Householder steps do: the threshold is on norms, 1e-5,
    far above the rounding of squared norms."""
    from scipy.linalg import solve_triangular

    n = gram.shape[0]
    factor = np.zeros((n, n))  # lower-triangular Cholesky factor of the kept columns' Gram matrix
    kept: list[int] = []
    for j in range(n):
        original = gram[j, j]
        if kept:
            y = solve_triangular(factor[:len(kept), :len(kept)], gram[kept, j], lower=True, check_finite=False)
            residual = original - y @ y
        else:
            y, residual = np.zeros(0), original
        scale = original if original > 0 else 1.0
        if not residual >= tol**2 * scale:
            continue
        k = len(kept)
        factor[k, :k] = y
        factor[k, k] = np.sqrt(residual)
        kept.append(j)
    return len(kept)


def replicate_variance(design: ReplicateDesign, statistic: Callable[[np.ndarray], np.ndarray]):
    """Estimate and replicate variance of any ``statistic(weights) -> array`` (R's ``withReplicates``).

    ``statistic`` receives a weight vector (one value per row of ``design.data``) and returns
    a number or a vector. Returns (estimate, variance-covariance matrix).
    """
    full = np.atleast_1d(np.asarray(statistic(design.weights), dtype=float))
    thetas = np.array([np.atleast_1d(np.asarray(statistic(design.multipliers[design.psu, r] * design.weights),
                                                 dtype=float)) for r in range(design.replicates)])
    return full, design.vcov_replicates(thetas, full)


def replicate_design(
    data: pd.DataFrame,
    weights: str | np.ndarray,
    multipliers: np.ndarray | pd.DataFrame,
    *,
    type: str = "other",
    scale: float | None = None,
    rscales: np.ndarray | None = None,
    mse: bool = False,
) -> ReplicateDesign:
    """A replicate design from given replicate multipliers (n × R; e.g. exported from R or
    delivered with a survey), as R's ``svrepdesign(combined.weights=FALSE)``.

    Default ``scale``: 1/(R − 1) for "bootstrap" (R's default), (R − 1)/R for "JK1", 1 otherwise.
    """
    data = data.reset_index(drop=True)
    w = pd.to_numeric(data[weights], errors="coerce").to_numpy(float) if isinstance(weights, str) else np.asarray(weights, float)
    m = np.asarray(multipliers, dtype=float)
    if m.ndim != 2 or m.shape[0] != len(data):
        raise ValueError(f"multipliers must be an n × R array with n = {len(data)} rows, got shape {m.shape}")
    if np.isnan(m).any():
        raise ValueError("replicate multipliers must not be missing")
    r = m.shape[1]
    if scale is None:
        scale = {"bootstrap": 1 / (r - 1), "JK1": (r - 1) / r}.get(type, 1.0)
    rs = np.ones(r) if rscales is None else np.broadcast_to(np.asarray(rscales, float), (r,)).copy()
    return ReplicateDesign(data=data, weights=w, psu=np.arange(len(data)), multipliers=m, scale=float(scale),
                           rscales=rs, type=type, mse=mse, weight_name=weights if isinstance(weights, str) else "weight")


def as_replicate_design(
    design: SurveyDesign,
    type: str = "auto",
    *,
    replicates: int = 50,
    seed: int | np.random.Generator | None = None,
    mse: bool = False,
    fay_rho: float = 0.3,
    hadamard: np.ndarray | None = None,
) -> ReplicateDesign:
    """Replicate weights for a linearisation design (R's ``as.svrepdesign``).

    ``type="auto"`` is JK1 without strata and JKn with strata, as R. The bootstrap draws
    ``replicates`` sets with a ``seed`` (numbers differ from R's, whose random stream is R's own).
    Calibrated designs are refused: their replicates would have to be recalibrated.
    """
    if design.is_calibrated:
        raise ComputationError("replicate weights for a calibrated design would need recalibrating every "
                               "replicate, which is not implemented; build the replicates before weighting")
    s = design._struct
    stratified = s.n_psu.size > 1
    if type == "auto":
        type = "JKn" if stratified else "JK1"
    if type not in REPLICATE_TYPES:
        raise ValueError(f"type must be one of {REPLICATE_TYPES} or 'auto', not {type!r}")
    n_psu = s.n_psu.astype(float)
    f = np.ones(n_psu.size) if s.popsize is None else np.where(np.isinf(s.popsize), 1.0, (s.popsize - n_psu) / s.popsize)
    npsu_total = s.psu_stratum.size
    if type == "JK1":
        if stratified:
            raise ComputationError("JK1 is for unstratified designs; use JKn (or bootstrap) with strata")
        _check_size(npsu_total, npsu_total, "JK1")
        n = npsu_total
        mult = np.full((n, n), n / (n - 1))
        np.fill_diagonal(mult, 0.0)
        scale, rscales = float(f[0] * (n - 1) / n), np.ones(n)
    elif type == "JKn":
        mult, rscales, scale = _jkn(s.psu_stratum, n_psu, f, design.lonely_psu)
    elif type in ("BRR", "Fay"):
        rho = 0.0 if type == "BRR" else float(fay_rho)
        if not 0 <= rho < 1:
            raise ValueError(f"fay_rho must be in [0, 1), not {fay_rho!r}")
        mult = _brr(s.psu_stratum, n_psu, rho, hadamard, _appearance(s.psu, npsu_total))
        scale, rscales = 1 / (mult.shape[1] * (1 - rho) ** 2), np.ones(mult.shape[1])
    elif type == "JK2":
        _pairs(s.psu_stratum, n_psu, "JK2")
        mult = np.ones((npsu_total, n_psu.size))
        order = _appearance(s.psu, npsu_total)
        for h in range(n_psu.size):
            first, second = _in_order(np.flatnonzero(s.psu_stratum == h), order)
            mult[first, h], mult[second, h] = 0.0, 2.0
        scale, rscales = 1.0, np.ones(n_psu.size)
    elif type == "SDR":
        mult = _sdr(npsu_total, hadamard, _appearance(s.psu, npsu_total))
        scale, rscales = 4 / mult.shape[1], np.ones(mult.shape[1])
    else:
        mult, scale = _bootstrap(s.psu_stratum, n_psu, s.popsize, replicates, np.random.default_rng(seed))
        rscales = np.ones(replicates)
    return ReplicateDesign(data=design.data, weights=design.weights.copy(), psu=s.psu, multipliers=mult,
                           scale=scale, rscales=rscales, type=type, mse=mse, weight_name=design.weight_name)


def hadamard(n: int) -> np.ndarray:
    """A Hadamard matrix (±1, H Hᵀ = kI) of the smallest order k ≥ n this module can build:
    Sylvester's doubling for powers of two, Paley's construction I for k = q + 1, q a prime ≡ 3
    (mod 4) (Paley 1933, *J. Math. Phys.* 12:311)."""
    k = 4
    while True:
        if k >= n:
            if k & (k - 1) == 0:
                h = np.array([[1.0]])
                while h.shape[0] < k:
                    h = np.block([[h, h], [h, -h]])
                return h
            q = k - 1
            if q % 4 == 3 and all(q % d for d in range(2, int(q**0.5) + 1)):
                residues = {(i * i) % q for i in range(1, q)}
                chi = np.array([0.0] + [1.0 if i in residues else -1.0 for i in range(1, q)])
                jacobsthal = chi[(np.arange(q)[None, :] - np.arange(q)[:, None]) % q]
                s_matrix = np.zeros((k, k))
                s_matrix[0, 1:], s_matrix[1:, 0] = 1.0, -1.0
                s_matrix[1:, 1:] = jacobsthal
                return np.eye(k) + s_matrix
        k += 4


def _given_hadamard(matrix, rows: int) -> np.ndarray:
    h = np.asarray(matrix, dtype=float)
    values = np.unique(h)
    if values.size != 2 or h.ndim != 2 or h.shape[0] < rows:
        raise ValueError(f"hadamard must be a two-valued matrix with at least {rows} rows")
    h = np.where(h == values[0], -1.0, 1.0)  # R's 0/1 matrices: 0 → −1, 1 → +1 (signs are arbitrary)
    gram = h.T @ h
    if not np.allclose(gram, np.diag(np.diag(gram))):
        raise ValueError("hadamard is not a Hadamard matrix (its columns are not orthogonal)")
    return h


def _pairs(psu_stratum: np.ndarray, n_psu: np.ndarray, type: str) -> None:
    if (n_psu != 2).any():
        h = int(np.flatnonzero(n_psu != 2)[0])
        raise ComputationError(f"{type} needs exactly two PSUs in every stratum; stratum {h + 1} (in sorted "
                               f"order) has {int(n_psu[h])}")


def _appearance(psu: np.ndarray, npsu: int) -> np.ndarray:
    """The first row of every PSU: PSUs in the order the data list them (R's brrweights order)."""
    first = np.full(npsu, psu.size)
    np.minimum.at(first, psu, np.arange(psu.size))
    return first


def _in_order(members: np.ndarray, first_row: np.ndarray) -> np.ndarray:
    return members[np.argsort(first_row[members], kind="stable")]


def _brr(psu_stratum: np.ndarray, n_psu: np.ndarray, rho: float, matrix, first_row: np.ndarray) -> np.ndarray:
    """R's ``brrweights`` for strata of two PSUs: row h + 1 of the Hadamard matrix picks which PSU
    of stratum h gets 2 − ρ (the other ρ) in each replicate (column)."""
    _pairs(psu_stratum, n_psu, "BRR")
    nstrata = n_psu.size
    h = hadamard(nstrata + 1) if matrix is None else _given_hadamard(matrix, nstrata + 1)
    mult = np.empty((psu_stratum.size, h.shape[1]))
    for stratum in range(nstrata):
        first, second = _in_order(np.flatnonzero(psu_stratum == stratum), first_row)
        # R: a 0 in its 0/1 matrix (−1 here) gives the second PSU 2 − ρ
        second_kept = h[stratum + 1] < 0
        mult[second] = np.where(second_kept, 2 - rho, rho)
        mult[first] = np.where(second_kept, rho, 2 - rho)
    return mult


def _sdr(npsu: int, matrix, first_row: np.ndarray) -> np.ndarray:
    """Circular successive-difference multipliers, 1 + 2^{−3/2}(h_i − h_{i+1}), unit i the i-th
    PSU in the data's order (module notes)."""
    h = hadamard(npsu) if matrix is None else _given_hadamard(matrix, npsu)
    rows = h[:npsu]
    factors = 1 + 2 ** -1.5 * (rows - np.roll(rows, -1, axis=0))
    mult = np.empty_like(factors)
    mult[np.argsort(first_row, kind="stable")] = factors
    return mult


def _check_size(psus: int, reps: int, type: str) -> None:
    if psus * reps > _MAX_CELLS:
        raise ComputationError(f"{type} would need {psus:,} × {reps:,} replicate multipliers; use the bootstrap "
                               "(fewer replicates) or linearisation for a design with this many PSUs")


def _jkn(psu_stratum: np.ndarray, n_psu: np.ndarray, f: np.ndarray, lonely_psu: str):
    """R's ``jknweights``: one replicate per PSU, deleting it within its stratum."""
    npsu = psu_stratum.size
    nstrata = n_psu.size
    _check_size(npsu, npsu, "JKn")
    lonely = n_psu == 1
    if lonely.any() and lonely_psu == "fail":
        raise ComputationError(f"stratum {int(np.flatnonzero(lonely)[0]) + 1} (in sorted order) has only one PSU; "
                               "choose lonely_psu='remove', 'adjust', 'average' or 'certainty'")
    columns, rscales = [], []
    for p in range(npsu):
        h = psu_stratum[p]
        if f[h] == 0:  # census stratum: no replicate (R's survey.drop.replicates)
            continue
        if lonely[h]:
            if lonely_psu != "adjust":
                continue
            col = np.full(npsu, nstrata / (nstrata - 1))
            col[psu_stratum == h] = 0.0
            columns.append(col)
            rscales.append((nstrata - 1) / nstrata)
            continue
        col = np.ones(npsu)
        col[psu_stratum == h] = n_psu[h] / (n_psu[h] - 1)
        col[p] = 0.0
        columns.append(col)
        rscales.append(f[h] * (n_psu[h] - 1) / n_psu[h])
    if not columns:
        raise ComputationError("every stratum was sampled exhaustively: there is no sampling variance")
    scale = 1.0
    if lonely_psu == "average" and len(columns) < npsu:
        scale = npsu / len(columns)
    return np.column_stack(columns), np.asarray(rscales), scale


def _bootstrap(psu_stratum: np.ndarray, n_psu: np.ndarray, popsize: np.ndarray | None, replicates: int,
               rng: np.random.Generator):
    """R's ``bootweights``: multipliers = times each PSU is drawn, stratum by stratum."""
    if replicates < 2:
        raise ValueError("the bootstrap needs at least 2 replicates")
    npsu = psu_stratum.size
    _check_size(npsu, replicates, "the bootstrap")
    mult = np.zeros((npsu, replicates))
    for h in range(n_psu.size):
        members = np.flatnonzero(psu_stratum == h)
        nh = members.size
        if nh == 0:
            continue
        if popsize is None or np.isinf(popsize[h]):
            mult[members] = rng.multinomial(nh, np.full(nh, 1 / nh), size=replicates).T
        else:
            big_n = int(popsize[h])
            copies = np.full(nh, big_n // nh) + (np.arange(nh) < big_n % nh)  # rep(psu, length = N_h)
            mult[members] = np.array([rng.multivariate_hypergeometric(copies, nh) for _ in range(replicates)]).T
    harmonic = 1 / np.mean(1 / n_psu[n_psu > 0])
    scale = harmonic / ((harmonic - 1) * (replicates - 1))
    return mult, float(scale)


__all__ = ["REPLICATE_TYPES", "hadamard", "ReplicateDesign", "as_replicate_design", "replicate_design", "replicate_variance"]

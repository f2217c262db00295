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

REPLICATE_TYPES = ("JK1", "JKn", "bootstrap")
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
        return self.weights > 0

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
        """Rank of the analysis weights of the rows in the domain, minus one (R's ``degf``).

        The n × R matrix A has the rank of B = diag(√Σ_{i∈p} w_i²) M (P × R), found from the smaller
        of BBᵀ and BᵀB.
        """
        s = np.bincount(self.psu, weights=self.weights**2, minlength=self.multipliers.shape[0])
        b = self.multipliers * np.sqrt(s)[:, None]  # P × R, same rank as A
        gram = b @ b.T if b.shape[0] < b.shape[1] else b.T @ b
        eig = np.linalg.eigvalsh(gram)
        sv = np.sqrt(np.clip(eig, 0, None))
        if sv.size == 0 or sv.max() == 0:
            return -1
        return int(np.sum(sv > 1e-5 * sv.max())) - 1


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
    else:
        mult, scale = _bootstrap(s.psu_stratum, n_psu, s.popsize, replicates, np.random.default_rng(seed))
        rscales = np.ones(replicates)
    return ReplicateDesign(data=design.data, weights=design.weights.copy(), psu=s.psu, multipliers=mult,
                           scale=scale, rscales=rscales, type=type, mse=mse, weight_name=design.weight_name)


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


__all__ = ["REPLICATE_TYPES", "ReplicateDesign", "as_replicate_design", "replicate_design", "replicate_variance"]

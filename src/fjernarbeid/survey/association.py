"""Design-based tests of association: two-way tables (R ``svychisq``), correlation, trend across
ordered groups and rank tests (R ``svyranktest``).

Every test keeps the whole design (strata, clusters, fpc, calibration) and uses the design's
degrees of freedom, as R's ``survey`` package does; results were checked against survey 4.1.1
(tests/fixtures/r/association.R).

R details we reproduce on purpose, because the results should be the same as R's:

* ``svychisq`` scales the weighted table to N = the number of rows in the (sub)design, counting
  rows with a missing row/column value, and takes its design df from all those rows;
* for a *calibrated* design (post-stratified, raked, GREG) R keeps rows outside a domain, with
  weight 0, in the design object. So there N and the df of ``svychisq`` count every row, and
  the tied ranks of ``svyranktest`` are averaged over every row. We do the same. (For an
  uncalibrated design R drops those rows; so do we.)

One difference: a category with no weight in the domain is dropped (R keeps it when the design
is calibrated and then returns NaN).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey._distributions import chi2_sf, f_sf, norm_ppf, norm_sf, t_ppf
from fjernarbeid.survey.design import Influence, SurveyDesign, refuse_negative_weights, whole_number_codes
from fjernarbeid.survey.replicate import ReplicateDesign
from fjernarbeid.survey import models
from fjernarbeid.survey.models import _cells, _complete, _levels, _mean_influence, _numeric, _t_p_value, svyglm

CHISQ_STATISTICS = ("F", "Chisq", "Wald", "adjWald", "lincom", "saddlepoint")
RANK_TESTS = ("wilcoxon", "vanderWaerden", "median", "KruskalWallis")


def _r_rows(design: SurveyDesign) -> np.ndarray:
    """Rows R's subset of this design keeps: every row if calibrated, else the domain."""
    if getattr(design, "adjustments", ()):  # a replicate design has none
        return np.ones(design.n, dtype=bool)
    return design.in_domain


# -- svychisq ------------------------------------------------------------------------------
@dataclass(frozen=True)
class ChisqTest:
    """Result of :func:`svychisq`, with R's conventions for ``statistic``:

    * ``"F"``: X²/Σδ, referred to F(d, d·ν) with d = (Σδ)²/Σδ² (Rao & Scott second-order);
    * ``"Chisq"``: the statistic is the uncorrected Pearson X²; the p-value is that of
      X²/δ̄ on (r−1)(c−1) df (Rao & Scott first-order);
    * ``"Wald"``/``"adjWald"``: the design-based Wald statistic as an F;
    * ``"lincom"``/``"saddlepoint"``: X² with the p-value of its asymptotic distribution
      Σ δ_j χ²_1 (ndf and ddf are None).

    ``design_effects`` are the δ's (eigenvalues of the generalised design-effect matrix Δ),
    ``table`` the weighted totals (estimated population counts), ``pearson`` the uncorrected X².
    """

    statistic: float
    ndf: float | None
    ddf: float | None
    p_value: float
    method: str
    pearson: float
    table: pd.DataFrame
    design_effects: np.ndarray | None


def svychisq(design: SurveyDesign, row: str, col: str, statistic: str = "F") -> ChisqTest:
    """Test of independence in a two-way table, as R's ``svychisq(~row + col, design, statistic)``.

    Sources: Rao & Scott 1981 (JASA 76:221) and 1984 (Ann. Stat. 12:46) for the first- and
    second-order corrections of Pearson's X²; Koch, Freeman & Freeman 1975 (Int. Stat. Rev.
    43:59) and Thomas & Rao 1987 (JASA 82:630) for the Wald and adjusted Wald tests; Lumley
    2010, *Complex Surveys*, §6.1; R code ``svychisq.survey.design`` (survey 4.1.1).
    ``"saddlepoint"`` uses Kuonen 1999 (Biometrika 86:929) as R's ``pFsum``; ``"lincom"`` integrates
    the exact distribution of Σ δ_j χ²_1 − (X²/ν')χ²_ν' by Imhof 1961 (Biometrika 48:419), where R
    uses Davies' algorithm from package CompQuadForm (both numerically exact; without
    CompQuadForm R itself falls back to the saddlepoint).
    """
    if statistic not in CHISQ_STATISTICS:
        raise ValueError(f"statistic must be one of {CHISQ_STATISTICS}")
    for name in (row, col):
        design.column(name)
    replicates = isinstance(design, ReplicateDesign)
    r_rows = _r_rows(design)
    big_n = int(r_rows.sum())  # R: nrow(model.matrix(..., na.pass))
    # replicate weights: R's svychisq.svyrep.design takes ν = degf(design), the rank of the weights
    nu = design.degrees_of_freedom() if replicates else _r_degrees_of_freedom(design, r_rows)
    d = _complete(design, [row, col])
    use = d.in_domain
    if not use.any():
        raise ComputationError(f"no rows with {row!r} and {col!r} both present in the domain")
    w = d.weights
    row_codes, row_levels = _codes_with_weight(d.data[row], w, use)
    col_codes, col_levels = _codes_with_weight(d.data[col], w, use)
    nr, nc = len(row_levels), len(col_levels)
    if nr < 2 or nc < 2:
        raise ComputationError(
            f"a two-way table needs at least two categories in each variable; {row!r} has {nr} "
            f"and {col!r} has {nc} among the rows with positive weight")
    cell = np.where(use, row_codes + nr * col_codes, 0)  # rows vary fastest, as R's interaction()
    totals = np.bincount(cell[use], weights=w[use], minlength=nr * nc)
    table = pd.DataFrame(totals.reshape(nc, nr).T, index=pd.Index(row_levels, name=row),
                         columns=pd.Index(col_levels, name=col))
    if (totals < 0).any():  # negative weights (a linear calibration) can make a cell's estimated count negative
        negative = int(np.count_nonzero(totals < 0))
        raise NegativeTableError(negative,
            f"the test of {row!r} × {col!r} cannot be computed: {negative} cell(s) of the weighted table are "
            "negative (rows with negative weights; R's svychisq stops with 'all entries of x must be nonnegative "
            "and finite'); calibrate with bounds, or with 'raking' or 'logit'")
    pearson = _pearson(totals.reshape(nc, nr).T, big_n)

    if statistic in ("Wald", "adjWald"):
        stat, ndf, ddf = _wald(d, cell, use, nr, nc, nu, statistic)
        p = float(f_sf(stat, ndf, ddf))
        return ChisqTest(stat, ndf, ddf, p, "Design-based Wald test of association", pearson, table, None)

    # the cells' shares and their influence values w(1[cell] − p)/Σw (R's svymean of the cell
    # indicators), factored: the weight share times a vector per cell (rows not used: weight 0)
    k = nr * nc
    means = totals / w.sum()
    if replicates:  # the cells' shares in every replicate (R: svymean(mm, design) on the replicates)
        rep_totals = _replicate_cell_totals(d, cell, use, k)
        v = d.vcov_replicates(rep_totals / rep_totals.sum(axis=1, keepdims=True), means)
    else:
        v = d.vcov_total(Influence.of(w, np.where(use, cell + 1, 0), np.vstack([-means, np.eye(k) - means]) / w.sum()))
    if not np.isfinite(v).all():  # no variance (lonely_psu="average" with nothing to average): NaN, as R
        nan = float("nan")
        if statistic == "Chisq":
            return ChisqTest(pearson, (nr - 1) * (nc - 1), None, nan,
                             "Pearson's X^2: Rao & Scott adjustment", pearson, table, None)
        return ChisqTest(nan, nan, nan, nan, "Pearson's X^2: Rao & Scott adjustment", pearson, table, None)
    x1, x12 = _cell_designs(nr, nc)
    q, _ = np.linalg.qr(x1)
    cmat = x12 - q @ (q.T @ x12)  # R: qr.resid(qr(X1), interaction columns)
    inv_d = np.where(means == 0, 0.0, 1 / np.where(means == 0, 1.0, means))
    denom = cmat.T @ (cmat * (inv_d / big_n)[:, None])
    numr = (cmat * inv_d[:, None]).T @ v @ (cmat * inv_d[:, None])
    # R's solve() refuses a matrix whose reciprocal condition number (1-norm) is below the machine epsilon
    # ("system is computationally singular"): empty cells (structural zeros) make it so, and the numbers
    # solved from it would be noise
    with np.errstate(divide="ignore", invalid="ignore"):
        rcond = 1 / np.linalg.cond(denom, 1) if denom.size else 1.0
    if not rcond >= np.finfo(float).eps:
        empty = int(np.count_nonzero(means == 0))
        raise SingularTableError(empty, 
            f"the Rao–Scott test of {row!r} × {col!r} cannot be computed: the table has {empty} empty cell(s) "
            f"(structural zeros) and its design-effect matrix is singular (reciprocal condition number {rcond:.3g}; "
            "R's svychisq stops with 'system is computationally singular'); merge categories, or test the "
            "part of the table without empty cells")
    delta = np.linalg.solve(denom, numr)
    tr, tr2 = np.trace(delta), np.trace(delta @ delta)
    d0 = tr**2 / tr2
    deltas = np.sort(np.real(np.linalg.eigvals(delta)))[::-1]
    if statistic == "F":
        stat = pearson / tr
        p = float(f_sf(stat, d0, d0 * nu))
        return ChisqTest(stat, d0, d0 * nu, p, "Pearson's X^2: Rao & Scott adjustment", pearson, table, deltas)
    if statistic == "Chisq":
        k = delta.shape[1]
        p = float(chi2_sf(pearson / np.mean(np.diag(delta)), k))
        return ChisqTest(pearson, k, None, p, "Pearson's X^2: Rao & Scott adjustment", pearson, table, deltas)
    if statistic == "saddlepoint":
        # R's svyrep method refers X² to Σ δ χ²₁ itself (pchisqsum), the linearised one to an F (pFsum)
        p = _pchisqsum_saddlepoint(pearson, deltas) if replicates else _pfsum_saddlepoint(pearson, deltas, d0 * nu)
        return ChisqTest(pearson, None, None, p, "Pearson's X^2: saddlepoint approximation", pearson, table, deltas)
    p = _pfsum_imhof(pearson, deltas, np.inf if replicates else d0 * nu)
    return ChisqTest(pearson, None, None, p, "Pearson's X^2: asymptotic exact distribution", pearson, table, deltas)


class NegativeTableError(ComputationError):
    """svychisq's weighted table has negative cells (negative weights): ``negative`` is how many."""

    def __init__(self, negative: int, message: str):
        super().__init__(message)
        self.negative = negative


class SingularTableError(ComputationError):
    """svychisq's Rao–Scott matrix is singular (empty cells): ``empty`` is how many cells of the table are empty."""

    def __init__(self, empty: int, message: str):
        self.empty = empty
        super().__init__(message)


def _replicate_cell_totals(d, cell: np.ndarray, use: np.ndarray, k: int) -> np.ndarray:
    """Σ w_r 1[cell] for every replicate r: an R × k array."""
    w = np.where(use, d.weights, 0.0)
    per_psu = np.zeros((d.multipliers.shape[0], k))
    np.add.at(per_psu, (d.psu, cell), w)
    return d.multipliers.T @ per_psu


def _pchisqsum_saddlepoint(x: float, a: np.ndarray) -> float:
    """P(Σ a_j χ²_1 > x) as R's ``pchisqsum(method="saddlepoint")``: the saddlepoint, else
    Satterthwaite's scaled χ²."""
    tr = a.mean()
    tr2 = np.mean(a**2) / tr**2
    s = _saddle(x, a)
    return float(chi2_sf(x / (tr * tr2), len(a) / tr2)) if np.isnan(s) else s


def _pchisqsum_imhof(x: float, a: np.ndarray) -> float:
    """P(Σ a_j χ²_1 > x) by Imhof's (1961) inversion: ½ + (1/π)∫ sin(θ(u) − xu/2)/(u ρ(u)) du with
    θ = ½Σ arctan(a_j u), ρ = Π (1 + a_j²u²)^¼. The term xu/2 makes the integrand oscillate without
    end, so the tail beyond a few periods is integrated with a Fourier weight (QUADPACK's QAWF)."""
    from scipy import integrate  # here, not at the top: only this test needs it (import time)

    a = np.asarray(a, dtype=float)
    omega = x / 2

    def amplitude(u):
        return np.exp(-np.sum(np.log1p((a * u) ** 2)) / 4) / u

    def angle(u):
        return 0.5 * np.sum(np.arctan(a * u))

    if omega <= 0:
        return 1.0
    cut = 20 * np.pi / omega
    head = integrate.quad(lambda u: np.sin(angle(u) - omega * u) * amplitude(u), 0, cut, limit=5000,
                          epsabs=1e-14, epsrel=1e-12)[0]
    cos_part = integrate.quad(lambda u: np.sin(angle(u)) * amplitude(u), cut, np.inf, weight="cos", wvar=omega,
                              limlst=200, epsabs=1e-14)[0]
    sin_part = integrate.quad(lambda u: np.cos(angle(u)) * amplitude(u), cut, np.inf, weight="sin", wvar=omega,
                              limlst=200, epsabs=1e-14)[0]
    return float(0.5 + (head + cos_part - sin_part) / np.pi)


def _r_degrees_of_freedom(design: SurveyDesign, rows: np.ndarray) -> int:
    """R's ν in svychisq: distinct PSUs minus distinct strata among ``rows``."""
    return design._psus_minus_strata(rows)  # PSUs are the design's distinct (stratum, cluster) pairs


def _codes_with_weight(values: pd.Series, w: np.ndarray, use: np.ndarray) -> tuple[np.ndarray, list]:
    """Integer codes of the categories that have positive weight among ``use`` rows."""
    coded = _answer_codes(values)
    if coded is not None:  # answers: counted by their codes, not picked out, hashed and looked up
        codes, levels = coded
        keep = np.bincount(codes[use & (w != 0)], minlength=levels.size) > 0
        remap = np.full(levels.size + 1, -1, dtype=np.intp)  # the last (index −1): no answer
        remap[:-1][keep] = np.arange(np.count_nonzero(keep))
        return remap[codes], list(levels[keep])
    levels = _levels(values[use & (w != 0)])
    codes = pd.Index(levels).get_indexer(values)  # -1 outside the levels (those rows are unused)
    return codes, levels


def _answer_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray] | None:
    """:func:`whole_number_codes` of a column of numbers (numpy floats or integers, or pandas' nullable
    integers), the distinct values of the type :func:`_levels` gives; None for other columns."""
    dtype = values.dtype
    if isinstance(dtype, np.dtype) and dtype.kind == "f":
        return whole_number_codes(values.to_numpy())
    if pd.api.types.is_integer_dtype(dtype) and not isinstance(dtype, pd.CategoricalDtype):
        coded = whole_number_codes(values.to_numpy(dtype=float, na_value=np.nan))
        return None if coded is None else (coded[0], coded[1].astype(np.int64))
    return None


def _pearson(table: np.ndarray, big_n: int) -> float:
    """Pearson's X² of the weighted table rescaled to ``big_n`` (R: svytable(Ntotal = N))."""
    obs = table * big_n / table.sum()
    exp = np.outer(obs.sum(axis=1), obs.sum(axis=0)) / big_n
    return float(((obs - exp) ** 2 / exp).sum())


def _cell_designs(nr: int, nc: int) -> tuple[np.ndarray, np.ndarray]:
    """Main-effects and interaction matrices over the nr·nc cells (R's X1 and X12[, -(1:(nr+nc-1))])."""
    rows = np.tile(np.arange(nr), nc)
    cols = np.repeat(np.arange(nc), nr)
    r_dummies = (rows[:, None] == np.arange(1, nr)).astype(float)
    c_dummies = (cols[:, None] == np.arange(1, nc)).astype(float)
    x1 = np.column_stack([np.ones(nr * nc), r_dummies, c_dummies])
    x12 = np.column_stack([r_dummies[:, i] * c_dummies[:, j] for j in range(nc - 1) for i in range(nr - 1)])
    return x1, x12


def _wald(d, cell, use, nr, nc, nu, statistic):
    """R's Wald test: cell totals minus row × column totals / N, with the delta-method variance."""
    k = nr * nc
    # the totals of the cells, rows, columns and all, w·(cell, row and column indicators, 1): one
    # vector per cell (its row is cell mod nr, its column cell // nr) times the weight
    per_cell = np.column_stack([np.eye(k), np.tile(np.eye(nr), (nc, 1)), np.repeat(np.eye(nc), nr, axis=0),
                                np.ones(k)])
    w = np.where(use, d.weights, 0.0)
    cells = np.bincount(cell, weights=w, minlength=k) @ per_cell
    if isinstance(d, ReplicateDesign):  # R: svytotal(~mm + mr + mc + one) on the replicates
        v = d.vcov_replicates(_replicate_cell_totals(d, cell, use, k) @ per_cell, cells)
    else:
        v = d.vcov_total(Influence.of(w, cell, per_cell))
    rowt, colt, tot = cells[k:k + nr], cells[k + nr:k + nr + nc], cells[-1]
    cell_rows = np.tile(np.arange(nr), nc)
    cell_cols = np.repeat(np.arange(nc), nr)
    jac = np.column_stack([
        np.eye(k),
        -(cell_rows[:, None] == np.arange(nr)).astype(float) * (colt[cell_cols] / tot)[:, None],
        -(cell_cols[:, None] == np.arange(nc)).astype(float) * (rowt[cell_rows] / tot)[:, None],
        (np.outer(rowt, colt).T.ravel() / tot**2)[:, None],
    ])
    y = cells[:k] - np.outer(rowt, colt).T.ravel() / tot
    vy = jac @ v @ jac.T
    keep = np.arange(k).reshape(nc, nr)[1:, 1:].ravel()  # drop first row and first column
    wald = float(y[keep] @ np.linalg.solve(vy[np.ix_(keep, keep)], y[keep]))
    ndf = (nr - 1) * (nc - 1)
    if statistic == "Wald":
        return wald / ndf, ndf, nu
    ddf = nu - ndf + 1
    return wald * ddf / (ndf * nu), ndf, ddf


def _saddle(x: float, lam: np.ndarray) -> float:
    """Upper tail of Σ λ_j χ²_1 at x by the saddlepoint approximation (Kuonen 1999); NaN when the
    saddlepoint is too close to 0 (R ``survey:::saddle``)."""
    d = lam.max()
    lam = lam / d
    x = x / d

    def k0(z):
        return -np.sum(np.log(1 - 2 * z * lam)) / 2

    def k1(z):
        return np.sum(lam / (1 - 2 * z * lam))

    def k2(z):
        return 2 * np.sum(lam**2 / (1 - 2 * z * lam) ** 2)

    if np.any(lam < 0):
        lmin = np.max(1 / (2 * lam[lam < 0])) * 0.99999
    elif x > lam.sum():
        lmin = -0.01
    else:
        lmin = -len(lam) / (2 * x)
    lmax = np.min(1 / (2 * lam[lam > 0])) * 0.99999
    from fjernarbeid.survey.quantile import _uniroot  # R's uniroot (Brent's zeroin, step for step)

    # R's tolerance, 1e-8, and R's root finder: the p-value depends on where the search stops (to
    # ~1e-8 relative), so a more precise root would disagree with R in the eighth digit
    z = _uniroot(lambda t: k1(t) - x, lmin, lmax, 1e-8)
    if abs(z) < 1e-4:
        return float("nan")
    w = np.sign(z) * np.sqrt(2 * (z * x - k0(z)))
    v = z * np.sqrt(k2(z))
    return float(norm_sf(w + np.log(v / w) / w))


def _pfsum_saddlepoint(x: float, a: np.ndarray, ddf: float) -> float:
    """P(Σ a_j χ²_1 / (χ²_ddf/ddf) > x) as R's ``pFsum(method="saddlepoint")``: the saddlepoint of
    Σ a_j χ²_1 − (x/ddf)·χ²_1 repeated ⌊ddf⌋ times (R's rep() truncates), else Satterthwaite's F."""
    tr = a.mean()
    tr2 = np.mean(a**2) / tr**2
    fallback = float(f_sf(x / (len(a) / tr2) / (tr * tr2), len(a) / tr2, ddf))
    lam = np.concatenate([a, np.full(int(ddf), -x / ddf)])
    s = _saddle(0.0, lam)
    return fallback if np.isnan(s) else s


def _pfsum_imhof(x: float, a: np.ndarray, ddf: float) -> float:
    """P(Σ a_j χ²_1 − (x/ddf)·χ²_ddf > 0) by Imhof's (1961) inversion of the characteristic function."""
    from scipy import integrate  # here, not at the top: only this test needs it (import time)

    if np.isinf(ddf):
        return _pchisqsum_imhof(x, a)
    lam, h = np.concatenate([a, [-x / ddf]]), np.concatenate([np.ones(len(a)), [ddf]])

    def integrand(u):
        theta = 0.5 * np.sum(h * np.arctan(lam * u))
        log_rho = np.sum(h / 4 * np.log1p((lam * u) ** 2))
        return np.sin(theta) * np.exp(-log_rho) / u

    value, _ = integrate.quad(integrand, 0, np.inf, limit=1000, epsabs=1e-12, epsrel=1e-10)
    return float(0.5 + value / np.pi)


# -- correlation ---------------------------------------------------------------------------
@dataclass(frozen=True)
class CorTest:
    """Weighted correlation with its linearised SE, a t test of r = 0 on ``df`` (design df − 1,
    as the slope of a survey regression) and a CI from Fisher's z (tanh of z ± t·SE_z)."""

    estimate: float
    se: float
    statistic: float
    df: int
    p_value: float
    ci_low: float
    ci_high: float
    method: str
    n: int


def svycor(design: SurveyDesign, x: str, y: str, method: str = "pearson", level: float = 0.95) -> CorTest:
    """Population correlation of ``x`` and ``y`` estimated with the survey weights.

    ``pearson``: r = S_xy / (S_x S_y) from weighted moments. ``spearman``: the same on weighted
    mid-ranks (ridits, the estimated population distribution function at each value, with ties
    averaged as R's ``svyranktest`` does), so it estimates the population Spearman ρ; the ridits
    are treated as fixed, as ``svyranktest`` treats its ranks.

    SE: Taylor linearisation of r as a function of the weighted means of x, y, x², y², xy
    (Woodruff 1971, JASA 66:411; Wolter 2007 ch. 6) — identical to R's
    ``svycontrast(svymean(~x+y+xx+yy+xy, design), quote((xy-x*y)/sqrt((xx-x^2)*(yy-y^2))))``,
    the reference in our tests. The CI uses Fisher's z = atanh r with SE_z = SE_r / (1 − r²).
    """
    if method not in ("pearson", "spearman"):
        raise ValueError("method must be 'pearson' or 'spearman'")
    d = _complete(design, [x, y])
    use = d.in_domain
    n_used = int(np.count_nonzero(use))
    if n_used < 3:
        raise ComputationError(f"a correlation needs at least three rows with {x!r} and {y!r}")
    vx, vy = _numeric(d, x), _numeric(d, y)
    if method == "spearman":
        return _spearman(design, d, _value_codes(vx), _value_codes(vy), n_used, level, x, y)[0]
    return _pearson_rows(d, vx, vy, method, level, x, y)


def _pearson_rows(d: SurveyDesign, vx: np.ndarray, vy: np.ndarray, method: str, level: float, x: str,
                  y: str) -> CorTest:
    """The correlation from the moments of the domain's rows (values NaN outside it allowed)."""
    use = d.in_domain
    w = d.weights
    # centring first changes nothing in r or its linearisation, and keeps the moments accurate
    vx = vx - np.sum(w[use] * vx[use]) / w[use].sum()
    vy = vy - np.sum(w[use] * vy[use]) / w[use].sum()
    idx = np.flatnonzero(use)
    pairs = _cells(np.column_stack([vx[idx], vy[idx]]))
    if pairs is not None:  # answers on scales: few distinct pairs (x, y), the moments per pair
        cell, distinct, _ = pairs
        group = np.full(d.n, distinct.shape[0], dtype=np.intp)  # rows outside the domain: a group of their own
        group[idx] = cell
        weight_of = np.bincount(cell, weights=w[idx], minlength=distinct.shape[0])
        return _correlation_from_cells(d, group, weight_of, distinct[:, 0], distinct[:, 1], method, level, x, y,
                                       idx.size)
    z = np.empty((len(vx), 5), order="F")  # column-major, to become the influence values in place
    z[:, 0], z[:, 1], z[:, 2], z[:, 3], z[:, 4] = vx, vy, vx**2, vy**2, vx * vy
    m, infl = _mean_influence(d, z, overwrite=True)
    return _correlation_test(d, m, lambda grad: infl @ grad, method, level, x, y, idx.size)


def _spearman(design: SurveyDesign, d: SurveyDesign, coded_x: tuple[np.ndarray, np.ndarray],
              coded_y: tuple[np.ndarray, np.ndarray], n_used: int, level: float, x: str,
              y: str) -> tuple[CorTest, "_PairCells | None"]:
    """svycor(method="spearman") of ``design`` (``d``: its rows where x and y are present; ``coded_x``,
    ``coded_y``: :func:`_value_codes` of the columns as numbers), and the cells of pairs of values it was
    computed on (None: on the rows)."""
    w = d.weights
    (code_x, levels_x), (code_y, levels_y) = coded_x, coded_y
    rows = (code_x >= 0) & (code_y >= 0)  # R keeps these rows (with weight 0 outside the domain) …
    if not getattr(design, "adjustments", ()):
        rows &= design.in_domain  # … unless the design is not calibrated (:func:`_r_rows`)
    ridit_x = _ridits_of_codes(code_x, levels_x.size, w, rows)
    ridit_y = _ridits_of_codes(code_y, levels_y.size, w, rows)
    if n_used >= models._CELLS_FROM_ROWS and ridit_x.size * ridit_y.size <= max(1024, n_used // 20):
        # few distinct ridits (answers on scales): the pairs of codes are the cells of the moments
        cells = _PairCells.of(d, code_x, levels_x, code_y, levels_y, n_used)
        test = _correlation_from_cells(d, cells.group, cells.weight, ridit_x[cells.code_x], ridit_y[cells.code_y],
                                       "spearman", level, x, y, n_used)
        return test, cells
    vx, vy = ridit_x[np.maximum(code_x, 0)], ridit_y[np.maximum(code_y, 0)]
    return _pearson_rows(d, vx, vy, "spearman", level, x, y), None


@dataclass(frozen=True)
class _PairCells:
    """The rows of a domain grouped by their pair of codes (x, y): the cell of every row (rows outside
    the domain, with weight 0, are put in any cell), Σw, the codes and the values of every cell."""

    group: np.ndarray
    weight: np.ndarray
    code_x: np.ndarray
    code_y: np.ndarray
    x: np.ndarray
    y: np.ndarray
    n: int
    levels_x: np.ndarray  # every distinct x, sorted (also those outside the domain)

    @classmethod
    def of(cls, d: SurveyDesign, code_x: np.ndarray, levels_x: np.ndarray, code_y: np.ndarray,
           levels_y: np.ndarray, n: int) -> "_PairCells":
        # codes + 1 (0: no value) make one small integer per pair, counted over every row without
        # picking out the domain's: rows outside it (weight 0, or negative after a linear calibration, which
        # the domain leaves out too) get pair 0, which is no cell
        width = levels_y.size + 1
        pair = code_x + 1
        pair *= width
        pair += code_y
        pair += 1
        pair *= d.in_domain
        weight = np.bincount(pair, weights=d.weights, minlength=(levels_x.size + 1) * width)
        used = weight != 0
        used[0] = False
        present = np.flatnonzero(used)
        cell_of = np.cumsum(used) - 1
        cell_of[~used] = present.size  # pair 0 and pairs without a row: a group of their own, coefficients 0
        cx, cy = present // width - 1, present % width - 1
        return cls(cell_of[pair], weight[present], cx, cy, levels_x[cx], levels_y[cy], n, levels_x)


def _correlation_from_cells(d: SurveyDesign, group: np.ndarray, weight_of: np.ndarray, cx: np.ndarray,
                            cy: np.ndarray, method: str, level: float, x: str, y: str, n: int) -> CorTest:
    """The correlation from the domain's rows in cells of values (cx, cy) — ``group`` the cell of every
    row (len(weight_of) for a row outside the domain), ``weight_of`` the Σw of every cell: moments and
    influence values w(z − m)/Σw per cell (z = x, y, x², y², xy, centred first)."""
    w = d.weights
    total = weight_of.sum()
    # centring first changes nothing in r or its linearisation, and keeps the moments accurate
    cx = cx - (weight_of @ cx) / total
    cy = cy - (weight_of @ cy) / total
    zc = np.column_stack([cx, cy, cx**2, cy**2, cx * cy])
    m = weight_of @ zc / total

    def influence_of(grad: np.ndarray) -> Influence:  # the weights as the scale; rows outside: coefficient 0
        return Influence.of(w, group, np.append((zc - m) @ grad, 0.0)[:, None] / total)

    return _correlation_test(d, m, influence_of, method, level, x, y, n)


def _correlation_test(d: SurveyDesign, m: np.ndarray, influence_of, method: str, level: float, x: str, y: str,
                      n: int) -> CorTest:
    """r from the means ``m`` of (x, y, x², y², xy) and its test; ``influence_of(grad)``: the influence
    values of grad·(x, y, x², y², xy), whose variance is gradᵀ V grad (the delta method) from one
    column instead of the 5 × 5 matrix V."""
    mx, my, mxx, myy, mxy = m
    sxx, syy, sxy = mxx - mx**2, myy - my**2, mxy - mx * my
    if sxx <= 0 or syy <= 0:
        raise ComputationError(f"{x!r} or {y!r} is constant in the domain: no correlation")
    r = sxy / np.sqrt(sxx * syy)
    grad = _cor_gradient(mx, my, sxx, syy, sxy)
    se = float(np.sqrt(d.vcov_total(influence_of(grad))[0, 0]))
    df = d.degrees_of_freedom() - 1
    t = r / se
    se_z = se / (1 - r**2)
    q = t_ppf(0.5 + level / 2, df)
    return CorTest(float(r), se, float(t), df, float(_t_p_value(t, df)),
                   float(np.tanh(np.arctanh(r) - q * se_z)), float(np.tanh(np.arctanh(r) + q * se_z)),
                   method, n)


def _cor_gradient(mx, my, sxx, syy, sxy) -> np.ndarray:
    """Gradient of r = (mxy − mx·my)/√((mxx − mx²)(myy − my²)) in (mx, my, mxx, myy, mxy)."""
    root = np.sqrt(sxx * syy)
    r = sxy / root
    d_sxy = 1 / root
    d_sxx = -0.5 * r / sxx
    d_syy = -0.5 * r / syy
    return np.array([
        d_sxy * (-my) + d_sxx * (-2 * mx),
        d_sxy * (-mx) + d_syy * (-2 * my),
        d_sxx,
        d_syy,
        d_sxy,
    ])


def _value_codes(values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code of every value — −1 for NaN —, the distinct values sorted): answers, whole numbers, are
    counted (:func:`whole_number_codes`), other values factorised."""
    whole = whole_number_codes(values)
    if whole is not None:
        return whole
    codes, levels = pd.factorize(values, sort=True)
    return codes.astype(np.intp, copy=False), np.asarray(levels, dtype=float)


def coded_column(design: SurveyDesign, name: str) -> tuple[np.ndarray, np.ndarray]:
    """(code of every row — −1 where missing —, the distinct values sorted) of a numeric column, as the
    rank and trend tests code it; for a caller that tests one variable against several."""
    return _value_codes(_numeric(design, name))


def _ridits_of_codes(codes: np.ndarray, k: int, w: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """The ridit of each of the ``k`` codes among ``rows``: R ``svyranktest``'s weighted mid-ranks / N,
    cumsum(w) − w/2 in stable order of the value, averaged (unweighted, as R's ``ave``) within ties.

    The rows outside ``rows`` get the code k, so one stable sort of every row puts them last, after
    the others in the order R sorts them, and no row is picked out first; as small integers numpy
    sorts the codes in linear time (radix sort)."""
    key = np.where(rows, codes, k).astype(np.int16 if k < 2**15 else np.intp, copy=False)
    counts = np.bincount(key, minlength=k + 1)[:k]
    inside = int(counts.sum())
    if inside == 0:
        return np.zeros(k)
    ordered = w[np.argsort(key, kind="stable")[:inside]]
    mid = np.cumsum(ordered)
    mid -= ordered / 2
    # in sorted order each code's rows are one run: its sum of mid-ranks is a sum over the run
    starts = np.cumsum(counts) - counts
    present = counts > 0
    tied = np.zeros(k)
    tied[present] = np.add.reduceat(mid, starts[present]) / counts[present]
    return tied / ordered.sum()


def _ridit_table(values: np.ndarray, w: np.ndarray, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(code of every row — −1 outside ``rows`` —, ridit of every code, :func:`_ridits_of_codes`):
    equal values have one ridit and a code stands for it."""
    codes, levels = _value_codes(values)
    return np.where(rows, codes, -1), _ridits_of_codes(codes, levels.size, w, rows)


def _ridits(values: np.ndarray, w: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """Every row's ridit (:func:`_ridit_table`); NaN outside ``rows``."""
    codes, ridit = _ridit_table(values, w, rows)
    return np.where(codes >= 0, ridit[np.maximum(codes, 0)] if ridit.size else np.nan, np.nan)


# -- trend ---------------------------------------------------------------------------------
@dataclass(frozen=True)
class TrendTest:
    """Slope of the outcome on the group scores, its SE, t, df and p (survey regression)."""

    slope: float
    se: float
    statistic: float
    df: int
    p_value: float
    scores: dict
    family: str


def svytrend(design: SurveyDesign, outcome: str, group: str, scores: dict | None = None,
             family: str = "gaussian") -> TrendTest:
    """Test for a linear trend of ``outcome`` across the ordered categories of ``group``.

    The survey regression ``svyglm(outcome ~ score(group), family)`` (Lumley 2010 §5.2; for a
    binary outcome with ``family="binomial"`` it is the design-based analogue of the
    Cochran-Armitage trend test, Cochran 1954, Armitage 1955). ``scores`` maps each category to
    its score; by default a numeric group is used as it is, and other groups get 1, 2, …, K in
    their order (ordered Categorical order, else sorted).
    """
    refuse_negative_weights(design, "the trend test (R: svyglm)")
    values = design.column(group)
    if scores is None:
        if pd.api.types.is_numeric_dtype(values) and not pd.api.types.is_bool_dtype(values):
            score = pd.to_numeric(values).astype(float)
            scores = {v: float(v) for v in _levels(values)}
        else:
            scores = {lev: float(i + 1) for i, lev in enumerate(_levels(values))}
            score = values.map(scores).astype(float)
    else:
        unknown = set(values.dropna().unique()) - set(scores)
        if unknown:
            raise ValueError(f"scores has no value for {group!r} categories {sorted(map(str, unknown))}")
        score = values.map(scores).astype(float)
    name = "__trend_score__"
    scored = replace(design, data=design.data.assign(**{name: score.to_numpy()}))
    if family == "gaussian" and not isinstance(design, ReplicateDesign):
        d = _complete(scored, [outcome, name])
        slope = _linear_slope(d, _numeric(d, outcome), _numeric(d, name))
        if slope is not None:
            return TrendTest(*slope, dict(scores), family)
    fit = svyglm(scored, (outcome, [name]), family=family)
    tab = fit.table().loc[name]
    return TrendTest(float(tab["estimate"]), float(tab["se"]), float(tab["t"]), fit.df_residual,
                     float(tab["p"]), dict(scores), family)


def _spearman_and_trend(design: SurveyDesign, x: str, y: str, level: float = 0.95,
                        coded_x: tuple[np.ndarray, np.ndarray] | None = None,
                        complete: bool = False) -> tuple[CorTest, TrendTest]:
    """``svycor(design, x, y, "spearman", level)`` and ``svytrend(design, y, x)`` together, from one
    reading of the two columns: when the correlation is computed on the cells of pairs of answers, the
    trend's sums and influence values are sums over the same cells (no further pass over the rows).
    ``coded_x``: :func:`coded_column` of x, when the caller has it (one x against several outcomes);
    ``complete``: the caller's domain has both answers in every row (made by ``domain(mask &
    in_domain)``), so R's ``na.omit`` would leave its weights as they are."""
    d = design if complete else _complete(design, [x, y])
    n_used = int(np.count_nonzero(d.in_domain))
    if n_used < 3:
        raise ComputationError(f"a correlation needs at least three rows with {x!r} and {y!r}")
    values = design.column(x)
    coded_x = coded_x if coded_x is not None else _value_codes(_numeric(d, x))
    rho, cells = _spearman(design, d, coded_x, _value_codes(_numeric(d, y)), n_used, level, x, y)
    if (cells is None or isinstance(design, ReplicateDesign) or not pd.api.types.is_numeric_dtype(values)
            or pd.api.types.is_bool_dtype(values)):
        return rho, svytrend(design, y, x)
    # svytrend's default scores of a numeric group are its values; its rows those with both present (d's)
    slope = _slope_on_cells(d, cells)
    if slope is None:  # x constant in the domain: the regression reports why
        return rho, svytrend(design, y, x)
    return rho, TrendTest(*slope, {v: float(v) for v in cells.levels_x}, "gaussian")


def _weighted_slope(w: np.ndarray, xv: np.ndarray, yv: np.ndarray) -> tuple[float, np.ndarray, np.ndarray, float] | None:
    """The weighted least-squares slope of y on x with the centred values it comes from: (β, x − x̄, y − ȳ,
    Σw(x − x̄)²), for rows or for cells of pairs (``w`` their weights); None when x is constant (R's QR would
    find x aliased with the intercept)."""
    total = w.sum()
    xc = xv - (w @ xv) / total
    yc = yv - (w @ yv) / total
    sxx = float(w @ xc**2)
    if not sxx > 1e-7**2 * float(w @ xv**2):
        return None
    return float(w @ (xc * yc)) / sxx, xc, yc, sxx


def _slope_on_cells(d: SurveyDesign, cells: _PairCells) -> tuple[float, float, float, int, float] | None:
    """:func:`_linear_slope` of y on x from the cells of pairs (x, y): the same sums, per cell."""
    fitted = _weighted_slope(cells.weight, cells.x, cells.y)
    if fitted is None:
        return None
    slope, xc, yc, sxx = fitted
    # w_i (x_i − x̄) e_i / Sxx: the weight times a value per cell
    influence = Influence.of(d.weights, cells.group, np.append(xc * (yc - slope * xc) / sxx, 0.0)[:, None])
    return _slope_test(d, slope, d.vcov_total(influence))


def _linear_slope(d: SurveyDesign, yv: np.ndarray, xv: np.ndarray) -> tuple[float, float, float, int, float] | None:
    """Slope of ``svyglm(y ~ x)`` (gaussian) with its SE, t, df and p, in closed form: β =
    Σw(x − x̄)(y − ȳ)/Σw(x − x̄)², whose sandwich influence values x_i·w_i·e_i·(XᵀWX)⁻¹ reduce for the
    slope to w_i (x_i − x̄) e_i / Σw(x − x̄)² (Lumley 2010 §5.2; Binder 1983) — computed on the rows
    of the domain (``yv``, ``xv``: the columns as numbers) and handed to the design's one variance
    primitive. df = design df − 1, as ``svyglm``. None when x is constant in the domain (the
    regression then reports why)."""
    rows = np.flatnonzero(d.in_domain)
    if rows.size == 0:
        return None
    w = d.weights[rows]
    fitted = _weighted_slope(w, xv[rows], yv[rows])
    if fitted is None:
        return None
    slope, xc, yc, sxx = fitted
    influence = np.zeros(d.n)
    influence[rows] = w * xc * (yc - slope * xc) / sxx
    return _slope_test(d, slope, d.vcov_total(influence, overwrite=True))


def _slope_test(d: SurveyDesign, slope: float, v: np.ndarray) -> tuple[float, float, float, int, float]:
    se = float(np.sqrt(v[0, 0]))
    df = d.degrees_of_freedom() - 1
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.float64(slope) / se
    return slope, se, float(t), df, float(_t_p_value(t, df))


# -- rank tests ----------------------------------------------------------------------------
@dataclass(frozen=True)
class RankTest:
    """A design-based rank test. Two groups: ``statistic`` is t on ``ddf`` df and ``estimate`` the
    difference in mean rank score (second group minus first). More groups: ``statistic`` is the
    F = χ²/ndf on (ndf, ddf) of the Wald test that all groups have the same mean rank score,
    ``chisq`` the Wald χ²."""

    statistic: float
    ndf: int | None
    ddf: int
    p_value: float
    estimate: float | None
    chisq: float | None
    method: str
    groups: list


def svyranktest(design: SurveyDesign, y: str, group: str, test: str = "wilcoxon") -> RankTest:
    """Rank test of ``y`` across ``group``, as R's ``svyranktest(y ~ group, design, test)``.

    Lumley & Scott 2013 (Biometrika 100:831), "Two-sample rank tests under complex sampling":
    each row's score is a function of its estimated population mid-rank ÷ N (Wilcoxon/Kruskal-
    Wallis: the rank; van der Waerden: its normal quantile; median: above the median or not);
    the mean scores of the groups are compared by survey regression. ``group`` is treated as
    categorical (R uses a numeric two-valued group as a number, which changes the estimate's
    scale but not the test).
    """
    if test not in RANK_TESTS:
        raise ValueError(f"test must be one of {RANK_TESTS}")
    d = _complete(design, [y, group])
    rows = _r_rows(design) & ~design.data[[y, group]].isna().any(axis=1).to_numpy()
    values = _numeric(d, y)
    ridit = _ridits(values, d.weights, rows)
    if test == "vanderWaerden":
        score = norm_ppf(ridit)
    elif test == "median":
        score = (ridit > 0.5).astype(float)
    else:
        score = ridit
    groups = _levels(d.data[group][d.in_domain])
    if len(groups) < 2:
        raise ComputationError(f"{group!r} has fewer than two groups in the domain")
    name, gname = "__rank_score__", "__rank_group__"
    data = d.data.assign(**{name: score, gname: pd.Categorical(d.data[group], categories=groups)})
    fit = svyglm(replace(d, data=data), (name, [gname]))
    label = "KruskalWallis" if test == "wilcoxon" else test
    method = f"Design-based {label} test"
    if len(groups) == 2:
        tab = fit.table().iloc[1]
        return RankTest(float(tab["t"]), None, fit.df_residual, float(tab["p"]), float(tab["estimate"]),
                        None, method, groups)
    beta = fit.coefficients.to_numpy()[1:]
    v = fit.vcov.to_numpy()[1:, 1:]
    chisq = float(beta @ np.linalg.solve(v, beta))
    ndf = len(groups) - 1
    ddf = d.degrees_of_freedom() - ndf
    return RankTest(chisq / ndf, ndf, ddf, float(f_sf(chisq / ndf, ndf, ddf)), None, chisq,
                    method, groups)


__all__ = ["ChisqTest", "CorTest", "RankTest", "TrendTest", "svychisq", "svycor", "svyranktest", "svytrend"]

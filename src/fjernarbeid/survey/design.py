"""The survey design object and the variance of estimated totals it implies.

One :class:`SurveyDesign` holds the data, the weights and the sampling structure (strata,
primary sampling units, finite population corrections) plus the calibration steps applied to
its weights. Every estimator reduces its statistic to *influence values* (one row per
observation, already multiplied by the weight, as R's ``svyrecvar(x * pweights, …)``), and
:meth:`SurveyDesign.vcov_total` turns them into a variance-covariance matrix.

Formulas follow R's ``survey`` package (T. Lumley, *Complex Surveys: A Guide to Analysis Using
R*, Wiley 2010, ch. 2 and 7; functions ``svyrecvar``, ``onestrat``, ``multistage``):

* with-replacement (or fpc-corrected) between-PSU variance within strata, the "ultimate
  cluster" approximation for multistage designs (Wolter 2007, *Introduction to Variance
  Estimation*, §1.5):  V = Σ_h (1 − f_h) n_h/(n_h − 1) Σ_i (z_hi − z̄_h)(z_hi − z̄_h)ᵀ,
  where z_hi is the PSU total of the influence values and f_h = n_h/N_h;
* after calibration, influence values are first replaced by the residuals of the
  calibration model (Deville & Särndal 1992, JASA 87:376; Lumley 2010 §7.4), exactly as R
  does for ``calibrate`` (GREG projection), ``postStratify`` and ``rake`` (backfitting).

Domains keep the whole design (:meth:`SurveyDesign.domain` zeroes the weights outside the
domain, as R's ``subset`` does), so variances of subgroup estimates are correct.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Protocol

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError

LONELY_PSU_OPTIONS = ("fail", "remove", "adjust", "average", "certainty")


class Adjustment(Protocol):
    """A calibration step that changes the influence values before the variance is computed."""

    def residualise(self, x: np.ndarray) -> np.ndarray:  # pragma: no cover - protocol
        ...


@dataclass(frozen=True)
class PostStratAdjustment:
    """R's ``postStratify`` correction: x − cell mean of (x·w_old/w) weighted by w_old, times w."""

    cells: np.ndarray  # integer cell index per row
    weights: np.ndarray  # weights after post-stratification
    old_weights: np.ndarray  # weights before

    def residualise(self, x: np.ndarray) -> np.ndarray:
        psw = self.weights.copy()
        zero = (psw == 0) & (self.old_weights == 0)
        psw[zero] = 1.0
        ncell = int(self.cells.max()) + 1
        num = np.zeros((ncell, x.shape[1]))
        np.add.at(num, self.cells, x * (self.old_weights / psw)[:, None])
        den = np.bincount(self.cells, weights=self.old_weights, minlength=ncell)
        means = num / np.where(den == 0, 1.0, den)[:, None]
        return x - means[self.cells] * psw[:, None]


@dataclass(frozen=True)
class RakingAdjustment:
    """R's ``rake`` correction: 10 rounds of backfitting over the margins (``svyrecvar``)."""

    margins: tuple[np.ndarray, ...]  # integer category index per row, one array per margin
    weights: tuple[np.ndarray, ...]  # the weights stored with each margin (after that step)
    iterations: int = 10

    def residualise(self, x: np.ndarray) -> np.ndarray:
        x = x.copy()
        for _ in range(self.iterations):
            for cells, psw in zip(self.margins, self.weights):
                ncell = int(cells.max()) + 1
                counts = np.bincount(cells, minlength=ncell).astype(float)
                sums = np.zeros((ncell, x.shape[1]))
                np.add.at(sums, cells, x / psw[:, None])
                means = sums / np.where(counts == 0, 1.0, counts)[:, None]
                x = x - psw[:, None] * means[cells]
        return x


@dataclass(frozen=True)
class GregAdjustment:
    """R's ``calibrate`` correction: residuals of the design-weighted regression on the
    calibration model matrix, times the calibrated weight (Deville & Särndal 1992)."""

    model_matrix: np.ndarray  # n × p calibration variables
    design_weights: np.ndarray  # weights before calibration (d_k)
    g: np.ndarray  # calibration factors g_k (w_k = g_k d_k)

    def residualise(self, x: np.ndarray) -> np.ndarray:
        whalf = np.sqrt(self.design_weights)
        w = self.g * whalf
        a = self.model_matrix * whalf[:, None]
        y = x / np.where(w == 0, 1.0, w)[:, None]
        coef, *_ = np.linalg.lstsq(a, y, rcond=None)
        return (y - a @ coef) * w[:, None]


def _codes(values) -> np.ndarray:
    """Integer codes 0..k-1 for any labels (NaN not allowed)."""
    return pd.factorize(pd.Series(values), sort=True)[0]


@dataclass(frozen=True)
class SurveyDesign:
    """Data + weights + sampling structure. Build it with :func:`svydesign`.

    ``strata`` and ``cluster`` are integer codes per row (``None``: one stratum / each row its
    own PSU); ``fpc`` is the population size (number of PSUs) of each row's stratum, or ``None``.
    """

    data: pd.DataFrame
    weights: np.ndarray
    strata: np.ndarray
    cluster: np.ndarray
    fpc: np.ndarray | None = None
    lonely_psu: str = "fail"
    adjustments: tuple = ()
    weight_name: str = "weight"
    # PSUs per stratum in the full design (kept when a domain zeroes weights)
    _n_psu: np.ndarray = field(default=None, repr=False)

    def __post_init__(self):
        if self.lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}")
        if self._n_psu is None:
            n_psu = pd.Series(self.cluster).groupby(self.strata).transform("nunique").to_numpy()
            object.__setattr__(self, "_n_psu", n_psu)

    # -- basics --------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of rows (observations) in the design, including those outside a domain."""
        return len(self.weights)

    @property
    def in_domain(self) -> np.ndarray:
        return self.weights > 0

    def with_weights(self, weights: np.ndarray, adjustment=None) -> "SurveyDesign":
        """A new design with other weights (and optionally one more calibration step)."""
        adj = self.adjustments + ((adjustment,) if adjustment is not None else ())
        return replace(self, weights=np.asarray(weights, dtype=float), adjustments=adj)

    def domain(self, mask) -> "SurveyDesign":
        """The subgroup ``mask`` as a domain: rows outside keep their place with weight 0."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != self.weights.shape:
            raise ValueError("domain mask must have one value per row")
        return replace(self, weights=np.where(mask, self.weights, 0.0))

    def column(self, name: str) -> pd.Series:
        if name not in self.data.columns:
            raise KeyError(f"no column {name!r} in the design's data (columns: {', '.join(map(str, self.data.columns))})")
        return self.data[name]

    # -- variance ------------------------------------------------------------------------------
    def vcov_total(self, x: np.ndarray) -> np.ndarray:
        """Variance-covariance of Σ x over the sample, for weighted influence values ``x`` (n × k).

        ``x`` must already include the weights (R: ``svyrecvar(x * pweights, …)``). Rows outside
        a domain must be zero.
        """
        x = np.asarray(x, dtype=float)
        if x.ndim == 1:
            x = x[:, None]
        for adj in self.adjustments:
            x = adj.residualise(x)
        return _stratified_vcov(x, self.strata, self.cluster, self._n_psu, self.fpc, self.lonely_psu)

    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R ``degf``), counting rows with weight > 0."""
        keep = self.weights > 0
        psus = pd.unique(pd.Series(list(zip(self.strata[keep], self.cluster[keep]))))
        return int(len(psus) - len(np.unique(self.strata[keep])))


def _stratified_vcov(x, strata, cluster, n_psu, fpc, lonely_psu) -> np.ndarray:
    k = x.shape[1]
    total = np.zeros((k, k))
    strata_ids = np.unique(strata)
    ok = 0
    for h in strata_ids:
        rows = strata == h
        xh = x[rows]
        nh = int(n_psu[rows][0])
        if fpc is None:
            f = 1.0
        else:
            big_n = float(fpc[rows][0])
            f = 1.0 if np.isinf(big_n) else (big_n - nh) / big_n
        scale = f * nh / (nh - 1) if nh > 1 else f
        if f < 1e-7:
            ok += 1
            continue
        codes, _ = pd.factorize(cluster[rows])
        z = np.zeros((codes.max() + 1, k))
        np.add.at(z, codes, xh)
        if z.shape[0] < nh:  # PSUs absent from this subset still count, with zero totals
            z = np.vstack([z, np.zeros((nh - z.shape[0], k))])
        nsub = z.shape[0]
        if lonely_psu != "adjust" or nsub > 1:
            z = z - z.mean(axis=0)
        if nh > 1:
            total += scale * (z.T @ z)
            ok += 1
        elif lonely_psu == "fail":
            raise ComputationError(
                f"stratum {h!r} has only one PSU; choose lonely_psu='remove', 'adjust', 'average' "
                "or 'certainty' (as R's options(survey.lonely.psu=…))"
            )
        elif lonely_psu == "average":
            continue  # excluded, then the total is scaled up below
        else:  # remove / adjust / certainty
            total += scale * (z.T @ z)
            ok += 1
    if ok == 0:
        return total
    return total * len(strata_ids) / ok


def svydesign(
    data: pd.DataFrame,
    weights: str | np.ndarray | None = None,
    *,
    strata: str | None = None,
    cluster: str | None = None,
    fpc: str | None = None,
    lonely_psu: str = "fail",
) -> SurveyDesign:
    """Build a design, as R's ``svydesign(ids=~cluster, strata=~strata, weights=~w, fpc=~fpc)``.

    ``weights`` is a column name or an array; ``None`` means equal weights of 1. ``fpc`` is a
    column holding either the population number of PSUs in the stratum (> 1) or the sampling
    fraction (≤ 1), as R accepts. Weights must be positive and finite.
    """
    n = len(data)
    if weights is None:
        w = np.ones(n)
        wname = "weight"
    elif isinstance(weights, str):
        if weights not in data.columns:
            raise KeyError(f"weight column {weights!r} is not in the data")
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        wname = weights
    else:
        w = np.asarray(weights, dtype=float)
        wname = "weight"
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        rows = np.flatnonzero(bad)[:10] + 1
        raise ComputationError(
            f"weights {wname!r} must be positive numbers; missing, zero or negative in rows "
            f"{', '.join(map(str, rows))}{' …' if bad.sum() > 10 else ''} ({int(bad.sum())} in all)"
        )
    s = _codes(data[strata]) if strata else np.zeros(n, dtype=int)
    c = _codes(data[cluster]) if cluster else np.arange(n)
    f = None
    if fpc:
        raw = pd.to_numeric(data[fpc], errors="coerce").to_numpy(dtype=float)
        n_psu = pd.Series(c).groupby(s).transform("nunique").to_numpy()
        f = np.where(raw <= 1, n_psu / np.where(raw == 0, np.nan, raw), raw)  # fraction → population size
    return SurveyDesign(data=data.reset_index(drop=True), weights=w, strata=s, cluster=c, fpc=f,
                        lonely_psu=lonely_psu, weight_name=wname)

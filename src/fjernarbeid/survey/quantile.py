"""Quantiles (medians, quartiles…) and variances of a numeric variable, as R's ``survey`` 4.1.

:func:`svyquantile` is R's ``svyquantile`` (the "new" implementation of survey ≥ 4.1):

* the quantile of the weighted distribution function by a rule ``qrule`` (Hyndman & Fan 1996,
  *Am. Stat.* 50:361, generalised to weights; R's ``qrule_*``):

  - ``"math"`` (= ``"hf1"``, R's default): the smallest x with F̂(x) ≥ p, F̂ the weighted
    empirical distribution function (the inverse of a step function);
  - ``"school"`` (= ``"hf2"``): as math, but the average of the two neighbours where F̂ = p exactly;
  - ``"hf7"``: linear interpolation between the order statistics at cumulative weights
    (0, W₁, …)/W_{n−1}, the weighted form of R's ``quantile(type = 7)``;
  - ``"shahvaish"``: Shah & Vaish (2006, *Survey Methodology* 32:… ) mid-point plotting positions.

* the confidence interval by **Woodruff's** method (1952, *JASA* 47:635): an interval for the
  proportion F̂(q̂) = mean of 1[x ≤ q̂] — ``interval="mean"`` (Wald), ``"xlogit"`` (on the logit
  scale), ``"asin"`` (arcsine square root), ``"beta"`` (Korn & Graubard) — mapped back through
  the same quantile rule; or the **Francisco–Fuller** score interval (1991, *Ann. Stat.* 19:454;
  ``interval="score"``): the θ where the design-based score test of F(θ) = p rejects at level α,
  found by R's root finder (Brent's zeroin, ported so that the bracketing — and hence which
  observation is reported — is R's);
* a standard error derived from the interval: (upper − lower) / (2 t_{df, 1−α/2}) (R's ``SE``).

:func:`svyvar` is R's ``svyvar``: the weighted variance Σw(x − x̄)²/Σw · n/(n − 1), with the
variance of that as the variance of the mean of the squared deviations (the estimation of x̄
ignored, as R). As in R, n counts the rows of the design (weight ≠ 0), including those where x
is missing. With replicate weights (R's ``svyvar.svyrep.design``) n counts the rows where x is
known, and each replicate's variance is taken about that replicate's own mean.
"""

from __future__ import annotations

import math
from typing import Callable, Sequence

import numpy as np

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey._distributions import beta_ppf, t_ppf
from fjernarbeid.survey.estimate import (
    Design,
    Estimate,
    Estimates,
    _t_interval,
    _valid_domain,
    mean_and_variance,
    numeric_values,
)
from fjernarbeid.survey.replicate import ReplicateDesign

QRULES = ("math", "school", "hf1", "hf2", "hf7", "shahvaish")
INTERVALS = ("mean", "beta", "xlogit", "asin", "score")


# -- quantile rules (R's qrule_*) ------------------------------------------------------------------


class _Sorted:
    """x sorted with the cumulative weights, computed once for every p (rows of weight 0 dropped).

    Sums in extended precision, as R's ``cumsum`` and ``sum`` (long double), so that the test
    F̂ = p exactly (where "school" averages) comes out as in R.
    """

    def __init__(self, x: np.ndarray, w: np.ndarray):
        keep = w != 0
        x, w = x[keep], w[keep]
        order = np.argsort(x, kind="stable")
        self.x = x[order]
        self.w = w[order]
        cum = np.cumsum(self.w.astype(np.longdouble))
        self.cumw = cum.astype(float)
        self.total = float(cum[-1]) if cum.size else 0.0

    def _qs(self, p: float) -> tuple[float, float, float]:
        """R's ``qs``: the order statistics around p and the weight short of p at the lower one."""
        below = np.flatnonzero(self.cumw <= p * self.total)
        pos = int(below[-1]) if below.size else 0
        nxt = pos if pos == self.x.size - 1 else pos + 1
        return self.x[pos], self.x[nxt], p - self.cumw[pos] / self.total

    def math(self, p: float) -> float:
        low, up, short = self._qs(p)
        return float(low if short == 0 else up)

    def school(self, p: float) -> float:
        low, up, short = self._qs(p)
        return float((low + up) / 2 if short == 0 else up)

    def hf7(self, p: float) -> float:
        n = self.x.size
        if n == 1:
            return float(self.x[0])
        pk = np.concatenate([[0.0], self.cumw[:-1]]) / self.cumw[-2]
        return float(np.interp(p, pk, self.x))  # R approx(rule = 2): constant beyond the ends

    def shahvaish(self, p: float) -> float:
        n = self.x.size
        wbar = self.w / self.w.mean()
        # R's formula has w/2, not w̄/2: with weights far from 1 the positions are not monotone,
        # and approx() sorts them (carrying the x values along) before stepping
        pk = (np.cumsum(wbar) + 0.5 - self.w / 2) / (n + 1)
        order = np.argsort(pk, kind="stable")
        at = np.searchsorted(pk[order], p, side="right") - 1  # approx(method = "constant", f = 0, rule = 2)
        return float(self.x[order][max(at, 0)])


def _rule(name: str) -> Callable[[_Sorted, float], float]:
    if name not in QRULES:
        raise ValueError(f"qrule must be one of {QRULES}, not {name!r}")
    return {"math": _Sorted.math, "hf1": _Sorted.math, "school": _Sorted.school, "hf2": _Sorted.school,
            "hf7": _Sorted.hf7, "shahvaish": _Sorted.shahvaish}[name]


# -- svyquantile ---------------------------------------------------------------------------------


def svyquantile(design: Design, variable: str, quantiles: Sequence[float] = (0.5,), *, interval: str = "mean",
                qrule: str = "math", level: float = 0.95, na_rm: bool = True) -> Estimates:
    """Quantiles of a numeric variable with confidence intervals (R ``svyquantile(~x, design,
    quantiles, interval.type=interval, qrule=qrule, na.rm=TRUE)``; see the module notes).

    One estimate per quantile; its ``category`` is the probability p. An interval limit outside
    the data's range (a proportion limit below 0 or above 1) is NaN, as in R.
    """
    if interval not in INTERVALS:
        raise ValueError(f"interval must be one of {INTERVALS}, not {interval!r}")
    rule = _rule(qrule)
    for p in quantiles:
        if not 0 <= p <= 1:
            raise ValueError(f"quantiles must be between 0 and 1, not {p!r}")
    x = numeric_values(design, variable)
    design, keep = _valid_domain(design, ~np.isnan(x), variable, na_rm)
    w = design.weights
    rows_x, rows_w = x[keep], w[keep]
    data = _Sorted(rows_x, rows_w)
    df = design.degrees_of_freedom()
    alpha = 1 - level
    tq = t_ppf(1 - alpha / 2, df) if df > 0 else float("nan")
    n = int(keep.sum())
    n_rows = design.n if design.is_calibrated else n  # R's nrow(design) (rows dropped unless calibrated)
    xs = np.where(keep, x, 0.0)
    out = []
    for p in quantiles:
        q = rule(data, p)
        if interval == "score":
            # R (ffullerCI) takes the range, IQR and share below a limit from the design's rows: a
            # calibrated design keeps every row, and R's na.rm sets a missing x to 0 there
            ff_x = np.where(np.isnan(x), 0.0, x) if design.is_calibrated else rows_x
            lo, hi = _francisco_fuller(design, xs, keep, ff_x, data, rule, p, alpha, df, n_rows)
        else:
            lo, hi = _woodruff(design, xs, q, data, rule, alpha, df, n_rows, interval)
        se = (hi - lo) / (2 * tq)
        out.append(Estimate("quantile", variable, q, float(se), float(lo), float(hi), df, float("nan"), n,
                            float(w.sum()), category=float(p), level=level, ci_method=interval))
    return Estimates(tuple(out), None)


def _woodruff(design, xs, q, data, rule, alpha, df, n_rows, method) -> tuple[float, float]:
    """Woodruff's interval (R ``woodruffCI``): a ``method`` interval for the mean of 1[x ≤ q̂],
    mapped back through the quantile rule."""
    below = xs <= q
    m, v = mean_and_variance(design, below.astype(float))
    inside = design.in_domain
    if below[inside].all() or not below[inside].any():  # exactly 1 or 0, as R's sum gives it
        m = float(below[inside].all())
    else:  # rounded as R's svymean rounds it (colSums of w/Σw, in long double): with a variance of 0 (a
        # census) the limits are F̂(q̂) itself, and the quantile rule's step there depends on the last bit
        w = design.weights
        m = float(np.sum(w[below & inside] / float(np.sum(w, dtype=np.longdouble)), dtype=np.longdouble))
    se = math.sqrt(v)
    tq = t_ppf(1 - alpha / 2, df) if df > 0 else float("nan")
    with np.errstate(divide="ignore", invalid="ignore"):
        if method == "mean":
            low, high = m - tq * se, m + tq * se
        elif method == "xlogit":  # svycontrast(log(p/(1 − p))): se/(p(1 − p))
            eta, s = math.log(m / (1 - m)) if 0 < m < 1 else float("nan"), se / (m * (1 - m)) if 0 < m < 1 else float("nan")
            low, high = 1 / (1 + math.exp(-(eta - tq * s))), 1 / (1 + math.exp(-(eta + tq * s)))
        elif method == "asin":  # svycontrast(asin(√p)): se/(2√(p(1 − p)))
            a, s = math.asin(math.sqrt(m)), se / (2 * math.sqrt(m * (1 - m))) if 0 < m < 1 else float("nan")
            low, high = math.sin(a - tq * s) ** 2, math.sin(a + tq * s) ** 2
        else:  # beta: Korn & Graubard's effective sample size with the df adjustment
            n_eff = m * (1 - m) / v * (t_ppf(alpha / 2, n_rows - 1) / t_ppf(alpha / 2, df)) ** 2
            low = float(beta_ppf(alpha / 2, n_eff * m, n_eff * (1 - m) + 1))
            high = float(beta_ppf(1 - alpha / 2, n_eff * m + 1, n_eff * (1 - m)))
    lower = float("nan") if (math.isnan(low) or low < 0) else rule(data, low)
    upper = float("nan") if (math.isnan(high) or high > 1) else rule(data, high)
    return lower, upper


def _francisco_fuller(design, xs, keep, x, data, rule, p, alpha, df, n_rows) -> tuple[float, float]:
    """R ``ffullerCI``: roots of the score test statistic mean(1[x > θ] − (1 − p))/SE ∓ t, then the
    quantile rule at the (unweighted) share of observations below each root."""
    tq = t_ppf(1 - alpha / 2, df) if df > 0 else float("nan")

    def score(theta: float, limit: float) -> float:
        m, v = mean_and_variance(design, np.where(keep, (xs > theta) - (1 - p), 0.0))
        with np.errstate(divide="ignore", invalid="ignore"):  # variance 0: ±Inf (or NaN) as R's division gives
            return float(np.float64(m) / np.sqrt(np.float64(v))) - limit

    q25, q75 = np.percentile(x, [25, 75])  # R's IQR: quantile type 7
    iqr = q75 - q25
    lower_t, upper_t = float(x.min() + iqr / 100), float(x.max() - iqr / 100)
    tol = 1 / (100 * math.sqrt(n_rows))
    q_low = _uniroot(lambda t: score(t, tq), lower_t, upper_t, tol)  # qt(α/2, lower.tail = FALSE)
    q_up = _uniroot(lambda t: score(t, -tq), lower_t, upper_t, tol)
    return rule(data, float(np.mean(x <= q_low))), rule(data, float(np.mean(x <= q_up)))


def _uniroot(f: Callable[[float], float], lower: float, upper: float, tol: float, maxiter: int = 1000) -> float:
    """R's ``uniroot``: Brent's zeroin (R's ``R_zeroin2``, stats/src/zeroin.c) step for step."""
    fa, fb = f(lower), f(upper)
    if fa * fb > 0:
        raise ComputationError("the score interval's end points are not on opposite sides of the root "
                               "(too few observations for a Francisco-Fuller interval); use interval='mean'")
    eps = np.finfo(float).eps
    a, b = lower, upper
    c, fc = a, fa
    if fa == 0:
        return a
    if fb == 0:
        return b
    for _ in range(maxiter + 1):
        prev_step = b - a
        if abs(fc) < abs(fb):
            a, b, c = b, c, b
            fa, fb, fc = fb, fc, fb
        tol_act = 2 * eps * abs(b) + tol / 2
        new_step = (c - b) / 2
        if abs(new_step) <= tol_act or fb == 0:
            return b
        if abs(prev_step) >= tol_act and abs(fa) > abs(fb):
            cb = c - b
            if a == c:
                t1 = fb / fa
                pp, q = cb * t1, 1.0 - t1
            else:
                q, t1, t2 = fa / fc, fb / fc, fb / fa
                pp = t2 * (cb * q * (q - t1) - (b - a) * (t1 - 1.0))
                q = (q - 1.0) * (t1 - 1.0) * (t2 - 1.0)
            if pp > 0:
                q = -q
            else:
                pp = -pp
            if pp < (0.75 * cb * q - abs(tol_act * q) / 2) and pp < abs(prev_step * q / 2):
                new_step = pp / q
        if abs(new_step) < tol_act:
            new_step = tol_act if new_step > 0 else -tol_act
        a, fa = b, fb
        b += new_step
        fb = f(b)
        if (fb > 0 and fc > 0) or (fb < 0 and fc < 0):
            c, fc = a, fa
    return b


# -- svyvar --------------------------------------------------------------------------------------


def svyvar(design: Design, variable: str, *, na_rm: bool = True, level: float = 0.95) -> Estimate:
    """Population variance of a numeric variable (R ``svyvar(~x, design, na.rm=TRUE)``; see the
    module notes for R's n)."""
    x = numeric_values(design, variable)
    n_all = int(np.count_nonzero(design.weights))  # R: sum(weights(design) != 0), before na.rm
    # the interval's df: that of the design given, as svymean's (fjernarbeid.survey.estimate's notes)
    df = design.degrees_of_freedom()
    design, keep = _valid_domain(design, ~np.isnan(x), variable, na_rm)
    w = design.weights
    xs = np.where(keep, x, 0.0)
    mean = float(w @ xs) / float(w.sum())
    if n_all < 2:
        raise ComputationError(f"the variance of {variable!r} needs at least two observations")
    if isinstance(design, ReplicateDesign):
        # R's svyvar.svyrep.design: n is the rows left after na.rm, and every replicate's variance is
        # recomputed about that replicate's own mean (svrVar of the replicate variances)
        n_rep = int(keep.sum())
        if n_rep < 2:
            raise ComputationError(f"the variance of {variable!r} needs at least two observations")
        value = float(w @ ((xs - mean) ** 2)) / float(w.sum()) * n_rep / (n_rep - 1)
        rw = design.replicate_weights()
        sums = rw.sum(axis=0)
        means = (rw.T @ xs) / sums
        dev = xs[:, None] - means[None, :]
        reps = np.einsum("ij,ij->j", rw, np.where(keep[:, None], dev ** 2, 0.0)) / sums * n_rep / (n_rep - 1)
        se = math.sqrt(float(design.vcov_replicates(reps[:, None], np.array([value]))[0, 0]))
    else:
        z = np.where(keep, (xs - mean) ** 2 * n_all / (n_all - 1), 0.0)
        value, v = mean_and_variance(design, z)
        se = math.sqrt(v)
    lo, hi = _t_interval(value, se, df, level)
    return Estimate("variance", variable, value, se, float(lo), float(hi), df, float("nan"), int(keep.sum()),
                    float(w.sum()), level=level)


__all__ = ["INTERVALS", "QRULES", "svyquantile", "svyvar"]

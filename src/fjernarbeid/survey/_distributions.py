"""The few probability distributions the estimators need, from ``scipy.special``.

``scipy.stats`` takes half a second to import — a sixth of writing the demo's report — for a
handful of quantiles and tail areas. These functions call the same special functions that
``scipy.stats`` (1.17) calls for each distribution (t: ``stdtrit``/``stdtr``; F: ``fdtri``/``fdtrc``;
chi-square: ``chdtrc``; beta: ``_beta_ppf``, Boost's inverse incomplete beta; normal: ``ndtr``/``ndtri``;
logistic: ``logit``), and give the same answers at the edges as its distribution objects (loc 0,
scale 1): NaN for invalid parameters or a probability outside [0, 1], the ends of the support at
probabilities 0 and 1, tail areas 1 and 0 beyond the support. tests/survey/test_distributions.py
checks every function against ``scipy.stats`` value for value.
"""

from __future__ import annotations

import numpy as np
from scipy import special

try:  # the function scipy.stats.beta.ppf calls; private in scipy.special, so keep a way back
    from scipy.special._ufuncs import _beta_ppf
except ImportError:  # pragma: no cover - other scipy versions
    def _beta_ppf(q, a, b):
        from scipy import stats

        return stats.beta.ppf(q, a, b)

_SQRT_2PI = np.sqrt(2 * np.pi)


def _result(out: np.ndarray):
    return out[()] if out.ndim == 0 else out


def _ppf(core, q, params: tuple, lower: float, upper: float):
    """scipy's ``rv_continuous.ppf``: core(q, *params) inside (0, 1), the support's ends at 0 and 1."""
    arrays = np.broadcast_arrays(np.asarray(q, dtype=float), *(np.asarray(p, dtype=float) for p in params))
    q, params = arrays[0], arrays[1:]
    valid = np.logical_and.reduce([p > 0 for p in params]) if params else np.ones(q.shape, dtype=bool)
    out = np.full(q.shape, np.nan)
    out[valid & (q == 0)] = lower
    out[valid & (q == 1)] = upper
    inside = valid & (q > 0) & (q < 1)
    if inside.any():
        with np.errstate(all="ignore"):
            out[inside] = core(q[inside], *(p[inside] for p in params)) * 1.0 + 0.0
    return _result(out)


def _sf(core, x, params: tuple, lower: float, upper: float):
    """scipy's ``rv_continuous.sf``: 1 at or below the support, 0 at or above it, else core."""
    arrays = np.broadcast_arrays(np.asarray(x, dtype=float), *(np.asarray(p, dtype=float) for p in params))
    x, params = arrays[0], arrays[1:]
    valid = np.logical_and.reduce([p > 0 for p in params]) if params else np.ones(x.shape, dtype=bool)
    out = np.zeros(x.shape)
    out[~valid | np.isnan(x)] = np.nan
    out[valid & (x <= lower)] = 1.0
    inside = valid & (x > lower) & (x < upper)
    if inside.any():
        with np.errstate(all="ignore"):
            out[inside] = core(x[inside], *(p[inside] for p in params))
    return _result(out)


def t_ppf(q, df):
    """Quantile of Student's t with ``df`` degrees of freedom (``scipy.stats.t.ppf``)."""
    return _ppf(lambda q, df: special.stdtrit(df, q), q, (df,), -np.inf, np.inf)


def t_sf(x, df):
    """Upper tail area of Student's t (``scipy.stats.t.sf``)."""
    return _sf(lambda x, df: special.stdtr(df, -x), x, (df,), -np.inf, np.inf)


def f_ppf(q, dfn, dfd):
    """Quantile of the F distribution (``scipy.stats.f.ppf``)."""
    return _ppf(lambda q, a, b: special.fdtri(a, b, q), q, (dfn, dfd), 0.0, np.inf)


def f_sf(x, dfn, dfd):
    """Upper tail area of the F distribution (``scipy.stats.f.sf``)."""
    return _sf(lambda x, a, b: special.fdtrc(a, b, x), x, (dfn, dfd), 0.0, np.inf)


def chi2_sf(x, df):
    """Upper tail area of the chi-square distribution (``scipy.stats.chi2.sf``)."""
    return _sf(lambda x, df: special.chdtrc(df, x), x, (df,), 0.0, np.inf)


def beta_ppf(q, a, b):
    """Quantile of the beta distribution (``scipy.stats.beta.ppf``)."""
    return _ppf(lambda q, a, b: _beta_ppf(q, a, b), q, (a, b), 0.0, 1.0)


def norm_ppf(q):
    """Standard normal quantile (``scipy.stats.norm.ppf``)."""
    return _ppf(special.ndtri, q, (), -np.inf, np.inf)


def norm_sf(x):
    """Standard normal upper tail area (``scipy.stats.norm.sf``)."""
    return _sf(lambda x: special.ndtr(-x), x, (), -np.inf, np.inf)


def norm_cdf(x):
    """Standard normal distribution function (``scipy.stats.norm.cdf``)."""
    x = np.asarray(x, dtype=float)
    out = special.ndtr(x) * 1.0  # ndtr is 0 and 1 at ∓∞ and NaN at NaN, as scipy.stats gives
    return _result(np.asarray(out))


def norm_pdf(x):
    """Standard normal density (``scipy.stats.norm.pdf``): 0 at ±∞."""
    x = np.asarray(x, dtype=float)
    out = np.zeros(x.shape)
    out[np.isnan(x)] = np.nan
    finite = np.isfinite(x)
    out[finite] = np.exp(-x[finite] ** 2 / 2.0) / _SQRT_2PI
    return _result(out)


def logistic_ppf(q):
    """Quantile of the standard logistic distribution (``scipy.stats.logistic.ppf``)."""
    return _ppf(special.logit, q, (), -np.inf, np.inf)

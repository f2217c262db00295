"""The likelihood interval of a proportion (R ``svyciprop(method = "likelihood")``).

R fits the intercept-only quasi-binomial ``svyglm`` and takes ``confint(fit, method =
"likelihood")``: the profile of the (weights scaled to mean 1) binomial deviance, scaled by the
dispersion — the design-based variance of the Pearson residuals, R's ``svyvar`` — is inverted at
±t_{df, α/2}·√λ, where λ = design variance / model variance of the intercept (the Rao–Scott
design effect; Lumley & Scott 2015, *Stat. Sci.* 30:... "AIC and BIC for modelling with complex
survey data", §3). R evaluates the profile at up to 9 steps of size z_max/5 standard errors each
way (MASS ``profile.glm``) and inverts a cubic spline through those points (``spline``, Forsythe,
Malcolm & Moler end conditions, then ``approx``). The same steps and spline are used here, so the
interval is R's, not only the exact root it approximates.
"""

from __future__ import annotations

import math

import numpy as np

from fjernarbeid.survey._distributions import f_ppf, norm_cdf, norm_ppf, t_ppf


def likelihood_interval(p: float, se: float, df: int, level: float, s1: float, total: float, rows: int,
                        dispersion: float) -> tuple[float, float]:
    """Limits for the proportion ``p`` (design SE ``se``, design df ``df``); ``s1`` is the sum of
    the model's (scaled) weights of the rows in the category, ``total`` that of every row with an
    answer, so that total − s1 is that of the others; ``rows`` is the number of rows of the model's
    data (MASS's n in the F quantile that bounds the profile)."""
    if not (0 < p < 1) or not se > 0 or df <= 0:
        return float("nan"), float("nan")
    s0 = total - s1
    b0 = math.log(p / (1 - p))
    se_b = se / (p * (1 - p))  # the intercept's design SE (delta method; svyglm's vcov)
    naive = 1 / (total * p * (1 - p))  # (XᵀWX)⁻¹ of the intercept-only model
    lam = se_b**2 / naive
    alpha = float(norm_cdf(t_ppf((1 - level) / 2, df) * math.sqrt(lam))) / 2
    zmax = math.sqrt(float(f_ppf(1 - alpha, 1, rows - 1)))
    step_size = zmax / 5

    def deviance(b: float) -> float:
        mu = 1 / (1 + math.exp(-b))
        return -2 * (s1 * math.log(mu) + s0 * math.log1p(-mu))

    d0 = deviance(b0)
    zs, bs = [0.0], [b0]
    for sign in (-1, 1):
        step, z = 0, 0.0
        while (step := step + 1) < 10 and abs(z) < zmax:
            b = b0 + sign * step * step_size * se_b
            zz = (deviance(b) - d0) / dispersion
            z = sign * math.sqrt(max(zz, 0.0))
            zs.append(z)
            bs.append(b)
    order = np.argsort(zs, kind="stable")
    zs, bs = np.asarray(zs)[order], np.asarray(bs)[order]
    grid_b, grid_z = _spline(bs, zs, 3 * len(bs))
    cut = float(norm_ppf(2 * alpha))
    lo, hi = _approx(grid_z, grid_b, np.array([cut, -cut]))
    return 1 / (1 + math.exp(-lo)), 1 / (1 + math.exp(-hi))


def _approx(x: np.ndarray, y: np.ndarray, xout: np.ndarray) -> np.ndarray:
    """R's ``approx(x, y, xout)``: sorted by x, tied x averaged, linear, NaN outside."""
    ux, inverse = np.unique(x, return_inverse=True)
    uy = np.bincount(inverse, weights=y) / np.bincount(inverse)
    return np.interp(xout, ux, uy, left=np.nan, right=np.nan)


def _spline(x: np.ndarray, y: np.ndarray, n: int) -> tuple[np.ndarray, np.ndarray]:
    """R's ``spline(x, y, n)`` (method "fmm"): the interpolating cubic spline with Forsythe,
    Malcolm & Moler's end conditions (third derivatives from the end cubics), evaluated at n
    equally spaced points (R stats/src/splines.c)."""
    b, c, d = _fmm_coefficients(x, y)
    xout = np.linspace(x[0], x[-1], n)
    i = np.clip(np.searchsorted(x, xout, side="right") - 1, 0, x.size - 1)
    dx = xout - x[i]
    return xout, y[i] + dx * (b[i] + dx * (c[i] + dx * d[i]))


def _fmm_coefficients(x: np.ndarray, y: np.ndarray):
    n = x.size
    b, c, d = np.zeros(n), np.zeros(n), np.zeros(n)
    if n < 3:
        t = (y[1] - y[0]) / (x[1] - x[0])
        b[:] = t
        return b, c, d
    nm1 = n - 1
    d[0] = x[1] - x[0]
    c[1] = (y[1] - y[0]) / d[0]
    for i in range(1, nm1):
        d[i] = x[i + 1] - x[i]
        b[i] = 2.0 * (d[i - 1] + d[i])
        c[i + 1] = (y[i + 1] - y[i]) / d[i]
        c[i] = c[i + 1] - c[i]
    b[0] = -d[0]
    b[nm1] = -d[n - 2]
    c[0] = c[nm1] = 0.0
    if n > 3:
        c[0] = c[2] / (x[3] - x[1]) - c[1] / (x[2] - x[0])
        c[nm1] = c[n - 2] / (x[nm1] - x[n - 3]) - c[n - 3] / (x[n - 2] - x[n - 4])
        c[0] = c[0] * d[0] * d[0] / (x[3] - x[0])
        c[nm1] = -c[nm1] * d[n - 2] * d[n - 2] / (x[nm1] - x[n - 4])
    for i in range(1, n):
        t = d[i - 1] / b[i - 1]
        b[i] = b[i] - t * d[i - 1]
        c[i] = c[i] - t * c[i - 1]
    c[nm1] = c[nm1] / b[nm1]
    for i in range(n - 2, -1, -1):
        c[i] = (c[i] - d[i] * c[i + 1]) / b[i]
    b[nm1] = (y[nm1] - y[n - 2]) / d[n - 2] + d[n - 2] * (c[n - 2] + 2.0 * c[nm1])
    for i in range(nm1):
        b[i] = (y[i + 1] - y[i]) / d[i] - d[i] * (c[i + 1] + 2.0 * c[i])
        d[i] = (c[i + 1] - c[i]) / d[i]
        c[i] = 3.0 * c[i]
    c[nm1] = 3.0 * c[nm1]
    d[nm1] = d[n - 2]
    return b, c, d

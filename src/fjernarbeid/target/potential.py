"""The synthetic estimator of regional potential and its linearised variance (pure functions).

For population cells k (municipality × sex × age group) with N_k people, an eligibility model
e_k = expit(z_kᵀγ) (from the screening funnel) and a propensity model π_k = expit(x_kᵀβ) among
the eligible (from the interviews), the potential of an area A is

    T_A = Σ_{k∈A} N_k · e_k · π_k.

This is a *synthetic* estimator (Rao & Molina 2015, *Small Area Estimation*, 2nd ed., §3.2.1): it
assumes that eligibility and propensity depend on the cells' covariates only, not on the
municipality itself.

Variance by linearisation (the delta method; Lumley 2010, *Complex Surveys*, §2.3.6 and §5.2):

    ∂T_A/∂β = Σ_{k∈A} N_k e_k π_k (1 − π_k) x_k,   ∂T_A/∂γ = Σ_{k∈A} N_k π_k e_k (1 − e_k) z_k,
    V(T) = G_β V(β̂) G_βᵀ + G_γ V(γ̂) G_γᵀ,

with V(β̂), V(γ̂) the design-based sandwich covariances of the two models (each computed from its
influence values by :meth:`fjernarbeid.survey.design.SurveyDesign.vcov_total`). The cross term
2 G_β Cov(β̂, γ̂) G_γᵀ is left out: a unit enters the propensity equation only if it is eligible, and
there its score w_i (y_i − π_i) x_i has mean zero given eligibility, so the two estimating equations
are uncorrelated when the models hold — as in a two-part (hurdle) model, whose likelihood factorises
and whose information matrix is block-diagonal (Cameron & Trivedi 2013, *Regression Analysis of Count
Data*, 2nd ed., §4.5). In a finite sample the empirical cross product is not exactly zero; the
simulation (docs/target-simulation.md) checks that the intervals still cover. The population counts
N_k are treated as known (register counts).

Intervals are Wald intervals on the log scale, T · exp(± q · SE/T), which keep a small positive
total positive and cover better for skewed totals than the symmetric interval.
"""

from __future__ import annotations

import math

import numpy as np


def expit(x: np.ndarray) -> np.ndarray:
    return 1.0 / (1.0 + np.exp(-x))


def predict_logistic(x: np.ndarray, beta: np.ndarray, vcov: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Predicted probabilities expit(Xβ) and their covariance D X V Xᵀ D, D = diag(p(1 − p))
    (R ``predict(svyglm, newdata, type = "response", vcov = TRUE)``)."""
    p = expit(x @ beta)
    d = x * (p * (1 - p))[:, None]
    return p, d @ vcov @ d.T


def synthetic_totals(population: np.ndarray, membership: np.ndarray,
                     x: np.ndarray, beta: np.ndarray, v_beta: np.ndarray,
                     z: np.ndarray, gamma: np.ndarray, v_gamma: np.ndarray) -> dict[str, np.ndarray]:
    """Potential (``total``), eligible population (``eligible``) and their covariance per area.

    ``population`` (K,) counts of the cells; ``membership`` (A × K) 0/1 (or weights) saying which
    cells make up each area; ``x`` (K × p) and ``z`` (K × q) the cells' rows of the propensity
    and eligibility models. Returns arrays: total (A,), vcov_total (A × A), eligible (A,),
    vcov_eligible (A × A), and the cross-covariance of total and eligible (A × A) for ratios.
    """
    pi = expit(x @ beta)
    e = expit(z @ gamma)
    m = membership
    total = m @ (population * e * pi)
    eligible = m @ (population * e)
    g_beta = m @ (x * (population * e * pi * (1 - pi))[:, None])
    g_gamma_total = m @ (z * (population * pi * e * (1 - e))[:, None])
    g_gamma_elig = m @ (z * (population * e * (1 - e))[:, None])
    v_total = g_beta @ v_beta @ g_beta.T + g_gamma_total @ v_gamma @ g_gamma_total.T
    v_elig = g_gamma_elig @ v_gamma @ g_gamma_elig.T
    cov_te = g_gamma_total @ v_gamma @ g_gamma_elig.T
    return {"total": total, "vcov_total": v_total, "eligible": eligible, "vcov_eligible": v_elig,
            "cov_total_eligible": cov_te, "variance_from_propensity": np.diag(g_beta @ v_beta @ g_beta.T),
            "variance_from_eligibility": np.diag(g_gamma_total @ v_gamma @ g_gamma_total.T)}


def ratio_variance(t: np.ndarray, e: np.ndarray, var_t: np.ndarray, var_e: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """Variance of t/e by the delta method: (var_t − 2 r cov + r² var_e) / e², r = t/e."""
    r = t / e
    return (var_t - 2 * r * cov + r**2 * var_e) / e**2


def log_interval(estimate: np.ndarray, se: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """T · exp(∓ q·SE/T): the Wald interval of log T, transformed back (NaN where T ≤ 0)."""
    estimate = np.asarray(estimate, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.exp(q * np.asarray(se, dtype=float) / estimate)
        low = np.where(estimate > 0, estimate / factor, np.nan)
        high = np.where(estimate > 0, estimate * factor, np.nan)
    return low, high


def logit_interval(p: np.ndarray, se: np.ndarray, q: float) -> tuple[np.ndarray, np.ndarray]:
    """A proportion's interval from the Wald interval of its logit (SE of logit = SE/(p(1 − p)))."""
    p = np.asarray(p, dtype=float)
    with np.errstate(divide="ignore", invalid="ignore"):
        half = q * np.asarray(se, dtype=float) / (p * (1 - p))
        lo = expit(np.log(p / (1 - p)) - half)
        hi = expit(np.log(p / (1 - p)) + half)
    return lo, hi


def rounding_unit(low: float, high: float) -> float:
    """The power of ten to round a count to so that no digit finer than its interval is printed:
    the half-width of the interval keeps two significant digits (at least 1)."""
    if not (math.isfinite(low) and math.isfinite(high)) or high <= low:
        return 1.0
    half = (high - low) / 2
    return float(10 ** max(0, math.floor(math.log10(half)) - 1))


def round_to(value: float, unit: float) -> float:
    """``value`` rounded half away from zero to a multiple of ``unit``."""
    if not math.isfinite(value):
        return value
    return math.copysign(math.floor(abs(value) / unit + 0.5) * unit, value)


__all__ = ["expit", "log_interval", "logit_interval", "predict_logistic", "ratio_variance", "round_to",
           "rounding_unit", "synthetic_totals"]

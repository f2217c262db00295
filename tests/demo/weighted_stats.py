"""Simple weighted statistics for checking the demo against the report (test helpers only).

Deliberately plain and independent of the package's estimators: post-stratification weights by
sex × age group, weighted shares, weighted Spearman correlation, differences in weighted means
and a weighted chi-square. Uncertainty uses Kish's effective sample size
n_eff = (Σw)² / Σw² (Kish 1965, *Survey Sampling*, §11.7) in place of n — a rough allowance for
the loss of precision from weighting, good enough to say whether an association the model builds
in is visible at n = 500. The design-based versions (Rao-Scott, linearisation) are the survey
module's job.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from fjernarbeid.instrument import Instrument
from fjernarbeid.refdata import population_targets

ATTITUDE_ITEMS = ("q6_1", "q6_2", "q6_3", "q6_4", "q10_1", "q10_2")
OFFICE_BOUND_WHEN_AGREEING = ("q6_2", "q6_3", "q6_4", "q10_2")  # reversed so that high = office-bound


def poststratification_weights(data: pd.DataFrame) -> np.ndarray:
    """Population of the respondent's sex × age-group cell divided by the sample count of the cell."""
    targets = population_targets().set_index(["sex", "age_group"])["population"]
    cell = pd.MultiIndex.from_arrays([data["q207"].astype(int), data["age_group"].astype(int)])
    counts = pd.Series(1, index=cell).groupby(level=[0, 1]).sum()
    return targets.reindex(cell).to_numpy(dtype=float) / counts.reindex(cell).to_numpy(dtype=float)


def answered(data: pd.DataFrame, variable: str, instrument: Instrument) -> np.ndarray:
    """Asked and answered with a substantive code ("not sure" codes are missing for analysis)."""
    x = data[variable].astype("Float64")
    missing = instrument[variable].missing_codes if variable in instrument else ()
    return (x.notna() & ~x.isin(missing)).to_numpy(dtype=bool)


def values(data: pd.DataFrame, variable: str) -> np.ndarray:
    return data[variable].astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def share(data: pd.DataFrame, variable: str, codes, instrument: Instrument, where=None) -> float:
    """Weighted percentage with one of ``codes`` among those who answered ``variable``."""
    base = answered(data, variable, instrument)
    if where is not None:
        base &= np.asarray(where, dtype=bool)
    x, w = values(data, variable)[base], data["w"].to_numpy()[base]
    return 100 * w[np.isin(x, codes)].sum() / w.sum()


def share_standard_error(data: pd.DataFrame, variable: str, codes, instrument: Instrument, where=None) -> float:
    """Standard error of :func:`share` in percentage points: sqrt(p(1 − p) / n_eff)."""
    base = answered(data, variable, instrument)
    if where is not None:
        base &= np.asarray(where, dtype=bool)
    p = share(data, variable, codes, instrument, where) / 100
    return 100 * float(np.sqrt(p * (1 - p) / effective_n(data["w"].to_numpy()[base])))


def effective_n(w: np.ndarray) -> float:
    return w.sum() ** 2 / np.sum(w**2)


def weighted_ranks(x: np.ndarray, w: np.ndarray) -> np.ndarray:
    """Mid-ranks on the weighted scale (cumulative weight at the middle of each tie group)."""
    levels, group = np.unique(x, return_inverse=True)
    total = np.bincount(group, weights=w, minlength=len(levels))
    below = np.concatenate([[0.0], np.cumsum(total)[:-1]])
    return (below + total / 2)[group]


def spearman(x: np.ndarray, y: np.ndarray, w: np.ndarray) -> tuple[float, float]:
    """Weighted Spearman rho and a two-sided p-value (t-test with n_eff − 2 degrees of freedom)."""
    rx, ry = weighted_ranks(x, w), weighted_ranks(y, w)
    mx, my = np.average(rx, weights=w), np.average(ry, weights=w)
    rho = np.sum(w * (rx - mx) * (ry - my)) / np.sqrt(np.sum(w * (rx - mx) ** 2) * np.sum(w * (ry - my) ** 2))
    df = effective_n(w) - 2
    t = rho * np.sqrt(df / (1 - rho**2))
    return float(rho), float(2 * stats.t.sf(abs(t), df))


def correlate(data: pd.DataFrame, x: str, y: str, instrument: Instrument, where=None) -> tuple[float, float]:
    base = answered(data, x, instrument) & answered(data, y, instrument)
    if where is not None:
        base &= np.asarray(where, dtype=bool)
    return spearman(values(data, x)[base], values(data, y)[base], data["w"].to_numpy()[base])


def mean_difference(data: pd.DataFrame, outcome: str, by: str, first, second,
                    instrument: Instrument) -> tuple[float, float]:
    """Weighted mean of ``outcome`` in group ``first`` minus in ``second`` (codes of ``by``), and a
    large-sample two-sided p-value with each group's variance divided by its n_eff."""
    base = answered(data, outcome, instrument) & data[by].notna().to_numpy(dtype=bool)
    if by in instrument:
        base &= answered(data, by, instrument)
    y, g, w = values(data, outcome), values(data, by), data["w"].to_numpy()
    means, variances = [], []
    for codes in (first, second):
        sel = base & np.isin(g, codes)
        m = np.average(y[sel], weights=w[sel])
        means.append(m)
        variances.append(np.average((y[sel] - m) ** 2, weights=w[sel]) / effective_n(w[sel]))
    diff = means[0] - means[1]
    return float(diff), float(2 * stats.norm.sf(abs(diff) / np.sqrt(sum(variances))))


def chi_square(data: pd.DataFrame, row: str, col: str, instrument: Instrument) -> tuple[float, float, float]:
    """Pearson chi-square of the weighted table scaled to n_eff; returns (statistic, p, Cramér's V)."""
    base = answered(data, row, instrument) & data[col].notna().to_numpy(dtype=bool)
    if col in instrument:
        base &= answered(data, col, instrument)
    x, y, w = values(data, row)[base], values(data, col)[base], data["w"].to_numpy()[base]
    n_eff = effective_n(w)
    table = pd.crosstab(x, y, values=w * n_eff / w.sum(), aggfunc="sum").fillna(0).to_numpy()
    statistic, p, _, _ = stats.chi2_contingency(table, correction=False)
    v = np.sqrt(statistic / (n_eff * (min(table.shape) - 1)))
    return float(statistic), float(p), float(v)


def attitude_items(data: pd.DataFrame, instrument: Instrument) -> np.ndarray:
    """The six items as a (cases × 6) matrix on 1-5 with high = office-bound; NaN if not answered."""
    columns = []
    for item in ATTITUDE_ITEMS:
        x = np.where(answered(data, item, instrument), values(data, item), np.nan)
        columns.append(6 - x if item in OFFICE_BOUND_WHEN_AGREEING else x)
    return np.column_stack(columns)


def office_bound_index(data: pd.DataFrame, instrument: Instrument, min_items: int = 4) -> np.ndarray:
    """Mean of the answered items (high = office-bound, the report's fabrikkparadigme); NaN below ``min_items``."""
    items = attitude_items(data, instrument)
    enough = np.sum(~np.isnan(items), axis=1) >= min_items
    with np.errstate(invalid="ignore"):
        return np.where(enough, np.nanmean(np.where(enough[:, None], items, 0.0), axis=1), np.nan)


def cronbach_alpha(items: np.ndarray, w: np.ndarray) -> float:
    """Cronbach's alpha from the weighted covariance of complete cases: k/(k−1)·(1 − Σvar / var(sum))."""
    complete = ~np.isnan(items).any(axis=1)
    cov = np.cov(items[complete].T, aweights=w[complete])
    k = items.shape[1]
    return float(k / (k - 1) * (1 - np.trace(cov) / cov.sum()))

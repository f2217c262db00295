"""Summated rating scales: building an index from Likert items, and its reliability.

* :func:`build_index` — the mean (or prorated sum) of the answered items, after reversing the
  items worded the other way; a row needs at least ``min_items`` answered items, otherwise its
  index is missing (the "half rule" and its relatives: Hawthorne & Elliott 2005, *Qual. Life
  Res.* 14:1101). :func:`index_from_instrument` takes the scale range and the "not sure" codes
  from the questionnaire, so they are written down in one place only.
* :func:`cronbach_alpha` — Cronbach's alpha (Cronbach 1951, *Psychometrika* 16:297),
  α = k/(k−1) · (1 − Σ s²_i / s²_total), with covariances estimated with the survey weights
  (the estimator of the population alpha, e.g. Bentler 2009, *Psychometrika* 74:137, and
  Lumley 2010 §2.3 for weighted moments); listwise deletion of rows with a missing item. Two
  confidence intervals are given: the design-based one by linearisation (alpha is a smooth
  function of weighted means of the items and their products; Taylor linearisation as in
  Woodruff 1971, JASA 66:411, with the design's variance and df) and Feldt's (1965,
  *Psychometrika* 30:357) F-based interval, (1 − α̂)/(1 − α) ~ F(n − 1, (n − 1)(k − 1)), which
  assumes simple random sampling and is given for comparison with the usual software output
  (R ``psych::alpha``). Also per item: alpha if the item is deleted and the item-rest
  correlation (``psych``'s ``r.drop``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterable

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError, DataValidationError
from fjernarbeid.survey._distributions import f_ppf, t_ppf
from fjernarbeid.survey.design import SurveyDesign

INDEX_METHODS = ("mean", "sum")


def _show(value) -> str:
    """A cell value as a message shows it: 7, not np.int64(7)."""
    return repr(value.item() if isinstance(value, np.generic) else value)


def _item_matrix(frame: pd.DataFrame, items, reverse, scale_min, scale_max, missing_values) -> np.ndarray:
    """Items as floats (rows × items): missing codes → NaN, range checked, reversed items mirrored."""
    items = list(items)
    if len(items) < 2:
        raise ValueError("a scale needs at least two items")
    not_items = [r for r in reverse if r not in items]
    if not_items:
        raise ValueError(f"reverse items must be among the items: {', '.join(not_items)}")
    unknown = [c for c in items if c not in frame.columns]
    if unknown:
        raise KeyError(f"no column {unknown[0]!r} in the data")
    if reverse and (scale_min is None or scale_max is None):
        raise ValueError("reversing items needs scale_min and scale_max")
    out = np.empty((len(frame), len(items)), order="F")
    for j, name in enumerate(items):  # a loop over the few items; every operation inside is vectorised
        raw = frame[name]
        if pd.api.types.is_numeric_dtype(raw) and not pd.api.types.is_bool_dtype(raw):
            values = raw.to_numpy(dtype=float, na_value=np.nan)  # numbers as they are: nothing to coerce
        else:
            coerced = pd.to_numeric(raw, errors="coerce")
            bad = raw.notna() & coerced.isna()
            if bad.any():
                i = bad.idxmax()
                raise DataValidationError(f"row {i}, column {name!r}: {_show(raw[i])} is not a number (scale items must be numeric codes)")
            values = coerced.to_numpy(dtype=float, na_value=np.nan)
        column = out[:, j]
        column[:] = values
        if missing_values:
            column[np.isin(column, list(missing_values))] = np.nan
        if scale_min is not None and scale_max is not None:
            with np.errstate(invalid="ignore"):
                low, high = np.fmin.reduce(column), np.fmax.reduce(column)  # NaN only when every value is
                outside = (low < scale_min or high > scale_max) and ((column < scale_min) | (column > scale_max))
            if outside is not False and outside.any():
                i = frame.index[int(np.argmax(outside))]
                raise DataValidationError(
                    f"row {i}, column {name!r}: {_show(raw[i])} is outside the scale {scale_min}–{scale_max}"
                    + (f" and not a missing code ({', '.join(map(str, missing_values))})" if missing_values else ""))
        if name in reverse:
            column *= -1
            column += scale_min + scale_max
    return out


def build_index(
    frame: pd.DataFrame,
    items: Iterable[str],
    *,
    reverse: Iterable[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    method: str = "mean",
    min_items: int | None = None,
    missing_values: Iterable[float] = (),
    name: str = "index",
) -> pd.Series:
    """An additive index of ``items`` for every row of ``frame`` (the frame is not changed).

    ``reverse`` items are mirrored (x → scale_min + scale_max − x); ``missing_values`` (e.g. a
    "not sure" code) count as unanswered; values outside [scale_min, scale_max] are an error
    naming the row and column. ``method="mean"``: mean of the answered items; ``"sum"``: their
    sum prorated to all k items (sum × k / answered). Rows with fewer than ``min_items``
    answered items (default: all k) get a missing index.
    """
    if method not in INDEX_METHODS:
        raise ValueError(f"method must be one of {INDEX_METHODS}")
    reverse = list(reverse)
    x = _item_matrix(frame, items, reverse, scale_min, scale_max, tuple(missing_values))
    k = x.shape[1]
    min_items = k if min_items is None else int(min_items)
    if not 1 <= min_items <= k:
        raise ValueError(f"min_items must be between 1 and the number of items ({k})")
    known = ~np.isnan(x)
    answered = known.sum(axis=1)
    with np.errstate(invalid="ignore", divide="ignore"):  # no item answered: NaN, as pandas' mean
        mean = np.where(known, x, 0.0).sum(axis=1) / answered
    value = mean if method == "mean" else mean * k
    return pd.Series(np.where(answered >= min_items, value, np.nan), index=frame.index, name=name)


def index_from_instrument(frame: pd.DataFrame, instrument, items: Iterable[str], *, reverse: Iterable[str] = (),
                          method: str = "mean", min_items: int | None = None, name: str = "index") -> pd.Series:
    """:func:`build_index` with the scale range and "not sure" codes read from the questionnaire.

    All items must share one answer scale (e.g. one agree–disagree list); the substantive
    codes give the range, the codes marked missing are treated as unanswered.
    """
    items = list(items)
    questions = [instrument[i] for i in items]
    scales = {(q.substantive_codes, q.missing_codes) for q in questions}
    if len(scales) != 1:
        raise ValueError(f"items {', '.join(items)} do not share one answer scale")
    substantive, missing = scales.pop()
    if not substantive:
        raise ValueError(f"items {', '.join(items)} have no answer codes")
    return build_index(frame, items, reverse=reverse, scale_min=min(substantive), scale_max=max(substantive),
                       method=method, min_items=min_items, missing_values=missing, name=name)


@dataclass(frozen=True)
class AlphaResult:
    """Weighted Cronbach's alpha with a design-based CI (``ci_low``/``ci_high``, from ``se`` and t on
    ``df``) and Feldt's SRS interval (``feldt_low``/``feldt_high``); ``items`` has per item the
    weighted mean and SD, alpha if deleted and the item-rest correlation."""

    alpha: float
    se: float
    df: int
    ci_low: float
    ci_high: float
    feldt_low: float
    feldt_high: float
    level: float
    n: int  # rows with every item answered (listwise)
    k: int
    items: pd.DataFrame


def _alpha_of(cov: np.ndarray) -> float:
    k = cov.shape[0]
    return k / (k - 1) * (1 - np.trace(cov) / cov.sum())


def cronbach_alpha(
    design: SurveyDesign,
    items: Iterable[str],
    *,
    reverse: Iterable[str] = (),
    scale_min: float | None = None,
    scale_max: float | None = None,
    missing_values: Iterable[float] = (),
    level: float = 0.95,
) -> AlphaResult:
    """Cronbach's alpha of ``items`` in the design (or its domain), weighted (module docstring).

    For an unweighted alpha pass ``svydesign(frame)``: the estimate then equals the textbook
    (and ``psych::alpha`` ``raw_alpha``) value. The normalisation of the weighted covariances
    cancels in alpha, so no choice of n or n − 1 is involved.
    """
    reverse = list(reverse)
    items = list(items)
    x = _item_matrix(design.data, items, reverse, scale_min, scale_max, tuple(missing_values))
    complete = ~np.isnan(x).any(axis=1) & design.in_domain
    n, k = int(complete.sum()), x.shape[1]
    if n < 3:
        raise ComputationError(f"Cronbach's alpha needs at least three rows with every item answered; found {n}")
    d = design.domain(complete)
    w = d.weights
    x = np.where(complete[:, None], x, 0.0)
    means = w @ x / w.sum()
    xc = np.where(complete[:, None], x - means, 0.0)
    cov = (xc * w[:, None]).T @ xc / w.sum()
    total_var, trace = cov.sum(), np.trace(cov)
    if total_var <= 0:
        raise ComputationError("the items do not vary in the domain: alpha is undefined")
    alpha = _alpha_of(cov)
    # influence of alpha through the weighted covariances (derivation in the module docstring):
    # IF_i = c·w_i/W·[−(Σ_j x̃²_ij − T)/U + T·((Σ_j x̃_ij)² − U)/U²], c = k/(k−1), T = tr S, U = 1'S1
    c = k / (k - 1)
    sq = (xc**2).sum(axis=1)
    row_sum = xc.sum(axis=1)
    infl = c * (w / w.sum()) * (-(sq - trace) / total_var + trace * (row_sum**2 - total_var) / total_var**2)
    infl = np.where(complete, infl, 0.0)
    se = float(np.sqrt(d.vcov_total(infl)[0, 0]))
    df = d.degrees_of_freedom()
    q = t_ppf(0.5 + level / 2, df) if df > 0 else np.nan
    f_hi = f_ppf(0.5 + level / 2, n - 1, (n - 1) * (k - 1))
    f_lo = f_ppf(0.5 - level / 2, n - 1, (n - 1) * (k - 1))
    keep = [np.delete(np.arange(k), i) for i in range(k)]
    if_deleted = [(_alpha_of(cov[np.ix_(j, j)]) if k > 2 else np.nan) for j in keep]
    item_rest = [cov[i, j].sum() / np.sqrt(cov[i, i] * cov[np.ix_(j, j)].sum()) for i, j in enumerate(keep)]
    table = pd.DataFrame({"mean": means, "sd": np.sqrt(np.diag(cov)), "alpha_if_deleted": if_deleted,
                          "item_rest_r": item_rest}, index=pd.Index(items, name="item"))
    return AlphaResult(alpha=float(alpha), se=se, df=df, ci_low=float(alpha - q * se), ci_high=float(alpha + q * se),
                       feldt_low=float(1 - (1 - alpha) * f_hi), feldt_high=float(1 - (1 - alpha) * f_lo),
                       level=level, n=n, k=k, items=table)


__all__ = ["AlphaResult", "build_index", "cronbach_alpha", "index_from_instrument"]

"""Select-multiple answers: held as their codes separated by spaces ("1 3"), as XLSForm does, and
turned here into what the analysis needs — the answer without its "don't know" codes, and one 0/1
indicator per choice."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fjernarbeid.instrument import Question


def joined(chosen: np.ndarray, codes) -> pd.Series:
    """Rows of a 0/1 (bool) matrix, one column per code in ``codes``' order, as "1 3"; missing where none is chosen."""
    out = np.full(chosen.shape[0], "", dtype=object)
    for j, code in enumerate(codes):
        out = out + np.where(chosen[:, j], f"{code} ", "")
    text = pd.Series(out, dtype="string").str.rstrip()
    return text.mask(text == "")


def codes_chosen(text: pd.Series, names: dict[str, int], codes) -> tuple[np.ndarray, np.ndarray]:
    """Choice names (or codes) separated by spaces → a bool matrix (rows × ``codes``) of the codes
    chosen, and which rows hold a name that is no choice. Vectorised: every name is looked up once."""
    tokens = text.reset_index(drop=True).str.split().explode()
    present = tokens.notna().to_numpy()
    found = tokens.map(names)
    position = tokens.index.to_numpy()
    n = len(text)
    unknown = np.zeros(n, dtype=bool)
    unknown[position[present & found.isna().to_numpy()]] = True
    chosen = np.zeros((n, len(codes)), dtype=bool)
    values = found.to_numpy(dtype=float, na_value=np.nan)
    for j, code in enumerate(codes):
        chosen[position[values == code], j] = True
    return chosen, unknown


def _chosen(series: pd.Series, code: int) -> np.ndarray:
    text = " " + series.astype("string").fillna("") + " "
    return text.str.contains(f" {code} ", regex=False).to_numpy(dtype=bool)


def for_analysis(series: pd.Series, q: Question) -> pd.Series:
    """The answers with "don't know" codes left out, and missing where nothing else was chosen —
    the same convention as a single-choice question's "not sure" code, which is no answer."""
    s = series.astype("string")
    if not q.missing_codes:
        return s
    codes = q.substantive_codes
    kept = joined(np.column_stack([_chosen(s, c) for c in codes]), codes)
    kept.index = s.index
    return kept


def option_indicators(series: pd.Series, q: Question, *, include_missing: bool = False) -> pd.DataFrame:
    """One column per choice (``q.option_column(code)``): 1.0 if chosen, 0.0 if not, NaN where the
    question has no answer. "Don't know" choices only with ``include_missing``."""
    codes = q.valid_codes if include_missing else q.substantive_codes
    answered = series.notna().to_numpy()
    return pd.DataFrame({q.option_column(c): np.where(answered, _chosen(series, c).astype(float), np.nan)
                         for c in codes}, index=series.index)


def any_chosen(series: pd.Series, q: Question, codes) -> np.ndarray:
    """Rows whose answer includes any of ``codes`` (False where there is no answer)."""
    out = np.zeros(len(series), dtype=bool)
    for c in codes:
        out |= _chosen(series, c)
    return out


def with_option_columns(frame: pd.DataFrame, instrument) -> pd.DataFrame:
    """``frame`` with every select-multiple question replaced, in its place, by the 0/1 column of each
    of its choices (``Int64``, missing where the question has no answer; "don't know" choices too):
    the layout SPSS, Stata and spreadsheet users expect."""
    out = frame
    for q in instrument:
        if not q.is_multiple or q.name not in out.columns:
            continue
        series = out[q.name]
        columns = option_indicators(series, q, include_missing=True).astype("Int64")
        at = list(out.columns).index(q.name)
        before, after = out.iloc[:, :at], out.iloc[:, at + 1:]
        out = pd.concat([before, columns, after], axis=1)
    return out


__all__ = ["any_chosen", "codes_chosen", "for_analysis", "joined", "option_indicators", "with_option_columns"]

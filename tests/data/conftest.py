"""Test data for the import and validation tests: valid respondents built from the instrument
itself (so a change to the questionnaire changes them too), and writers for every file format."""

from __future__ import annotations

from pathlib import Path
from typing import Any, Callable

import pandas as pd
import pytest

from fjernarbeid.instrument import Instrument, Question


def _default_answer(q: Question, instrument: Instrument, i: int) -> Any:
    """A valid answer that varies a little with the respondent number ``i``."""
    if q.type == "single":
        allowed = [c for c in q.substantive_codes if c not in q.screen_out]
        return allowed[i % len(allowed)]
    if q.type == "integer":
        lo, hi = instrument.range_of(q)
        return lo + (7 * i) % (hi - lo + 1)
    if q.type == "postal_code":
        # Oslo (leading zero), Norheimsund (Kvam), Bergen, Trondheim: all in Bring's register.
        return ("0150", "5600", "5003", "7010")[i % 4]
    return "Voss"


def valid_respondent(instrument: Instrument, i: int = 1, **answers: Any) -> dict[str, Any]:
    """One completed interview that follows the routing: ``answers`` override the defaults, and a
    question the routing skips is left empty (unless it is given in ``answers``)."""
    row: dict[str, Any] = {instrument.id_variable: str(i)}
    for q in instrument:
        if q.name in answers:
            row[q.name] = answers[q.name]
            continue
        if q.ask_if is not None:
            asked = q.ask_if.evaluate(pd.DataFrame([row]).astype({k: "Float64" for k in q.ask_if.variables}))
            if not bool(asked.iloc[0]):
                row[q.name] = None
                continue
        row[q.name] = _default_answer(q, instrument, i)
    return row


def survey_frame(instrument: Instrument, rows: list[dict[str, Any]]) -> pd.DataFrame:
    """Rows as a frame with the types a fieldwork file would have: numbers, and text for the rest."""
    frame = pd.DataFrame(rows, dtype=object)
    types = {}
    for q in instrument:
        if q.name in frame.columns:
            types[q.name] = "Int64" if q.type in ("single", "integer") and frame[q.name].map(
                lambda v: v is None or isinstance(v, int)).all() else "string"
    return frame.astype(types)


@pytest.fixture
def respondent(instrument) -> Callable[..., dict[str, Any]]:
    """``respondent(i, **answers)``: a valid row for respondent ``i``."""
    return lambda i=1, **answers: valid_respondent(instrument, i, **answers)


@pytest.fixture
def valid_rows(instrument) -> list[dict[str, Any]]:
    """Six completed interviews covering the routing: home office users and non-users (q12 = 6,
    so q13/q14 skipped), the open answer of q5, "not sure" codes, a leading-zero postal code."""
    return [
        valid_respondent(instrument, 1),
        valid_respondent(instrument, 2, q12=6),
        valid_respondent(instrument, 3, q5=3, q5_text="Odda"),
        valid_respondent(instrument, 4, q13=4, q14=6, q21=5, q6_1=6),  # "not sure" codes are answers
        valid_respondent(instrument, 5, q201="0150", q207=2, q202=1964),
        valid_respondent(instrument, 6, q202=2000, q3=20, q12=2),
    ]


@pytest.fixture
def valid_frame(instrument, valid_rows) -> pd.DataFrame:
    return survey_frame(instrument, valid_rows)


def write_table(frame: pd.DataFrame, path: Path, *, sep: str = ",", encoding: str = "utf-8",
                value_labels: dict | None = None, variable_labels: dict | None = None) -> Path:
    """Write ``frame`` in the format ``path``'s extension names (the way a fieldwork firm would)."""
    suffix = path.suffix.lower()
    if suffix in (".csv", ".txt", ".tsv"):
        frame.to_csv(path, index=False, sep=sep, encoding=encoding, na_rep="")
    elif suffix == ".xlsx":
        frame.to_excel(path, index=False)
    elif suffix in (".sav", ".dta"):
        import pyreadstat

        plain = frame.copy()
        for c in plain.columns:
            if isinstance(plain[c].dtype, pd.StringDtype) or plain[c].dtype == object:
                plain[c] = plain[c].astype(object).where(plain[c].notna(), "").astype(str)
            else:
                plain[c] = plain[c].astype("float64")
        writer = pyreadstat.write_sav if suffix == ".sav" else pyreadstat.write_dta
        kwargs = {"column_labels": variable_labels or None}
        if suffix == ".sav":
            kwargs["variable_value_labels"] = value_labels or None
        elif value_labels:
            kwargs["variable_value_labels"] = value_labels
        writer(plain, str(path), **kwargs)
    elif suffix == ".parquet":
        frame.to_parquet(path, index=False)
    else:  # pragma: no cover - test helper misuse
        raise ValueError(suffix)
    return path


@pytest.fixture
def write() -> Callable[..., Path]:
    return write_table

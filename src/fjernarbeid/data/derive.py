"""Derived variables, computed as the instrument declares them (age, age group, indicators, and
home municipality / county / centrality class looked up from the postal code)."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fjernarbeid.errors import MissingReferenceDataError
from fjernarbeid.instrument import Derived, Instrument
from fjernarbeid.refdata import RefData


def normalise_postal_code(series: pd.Series) -> pd.Series:
    """Postal codes as four-character strings: 5600 → '5600', 150 → '0150' (leading zeros lost by Excel).

    Each distinct code is normalised once (a country has a few thousand; a survey may have a million rows)."""
    s = series.astype("string")
    codes, uniques = pd.factorize(s, use_na_sentinel=True)
    if len(uniques) * 4 > len(s):  # mostly distinct values: the whole column at once
        return _normalised(s)
    return pd.Series(_normalised(pd.Series(uniques, dtype=s.dtype)).array.take(codes, allow_fill=True),
                     index=series.index, name=series.name)


def _normalised(s: pd.Series) -> pd.Series:
    s = s.str.strip().str.replace(r"\.0$", "", regex=True)
    return s.where(~s.str.fullmatch(r"\d{1,3}").fillna(False), s.str.zfill(4))


def _age(d: Derived, frame: pd.DataFrame, instrument: Instrument) -> pd.Series:
    year = instrument.age_reference_year or (instrument.fieldwork_start.year if instrument.fieldwork_start else None)
    if year is None:
        raise ValueError(f"derived {d.name}: the instrument has no age reference year")
    birth = pd.to_numeric(frame[d.source], errors="coerce")
    return (year - birth).astype("Int64")


def _bins(d: Derived, frame: pd.DataFrame) -> pd.Series:
    x = pd.to_numeric(frame[d.source], errors="coerce").to_numpy(dtype=float)
    out = np.full(len(x), np.nan)
    for b in d.bins:
        out[(x >= b.min) & (x <= b.max)] = b.code
    return pd.Series(out, index=frame.index).astype("Int64")


def _condition(d: Derived, frame: pd.DataFrame) -> pd.Series:
    return d.expr.evaluate(frame).astype("Int64")


def derive(
    frame: pd.DataFrame,
    instrument: Instrument,
    refdata: RefData | None = None,
    *,
    skip_unavailable: bool = False,
) -> pd.DataFrame:
    """Return a copy of ``frame`` with every derived variable of ``instrument`` added.

    Postal-code look-ups need the registers in ``refdata``. Without them this raises
    :class:`MissingReferenceDataError`, or — with ``skip_unavailable=True`` — leaves those
    columns out and lists them in ``result.attrs["derived_skipped"]``.
    """
    out = frame.copy(deep=False)  # copy-on-write (pandas ≥ 3): new columns never reach ``frame``
    skipped: list[str] = []
    lookup = None
    rows_of: dict[str, tuple[np.ndarray, pd.Series]] = {}  # source → (row → distinct code, distinct codes)
    for d in instrument.derived:
        if d.kind == "age":
            out[d.name] = _age(d, out, instrument)
        elif d.kind == "bins":
            out[d.name] = _bins(d, out)
        elif d.kind == "condition":
            out[d.name] = _condition(d, out)
        elif d.kind == "postal_lookup":
            if lookup is None:
                try:
                    lookup = (refdata or RefData.locate()).postal_lookup()
                except MissingReferenceDataError:
                    if not skip_unavailable:
                        raise
                    lookup = False
            if lookup is False:
                skipped.append(d.name)
                continue
            if d.source not in rows_of:  # municipality, county and centrality share one postal code:
                # hash its n values once, normalise only the distinct ones (150 and '0150' become one
                # code, in the order of their first row), then look up only the distinct codes
                raw, raw_distinct = pd.factorize(out[d.source])
                codes = normalise_postal_code(pd.Series(raw_distinct))
                of_raw, distinct = pd.factorize(codes)
                position = np.where(raw >= 0, of_raw[raw], -1)
                rows_of[d.source] = (position, pd.Series(distinct, dtype=codes.dtype))
            position, distinct = rows_of[d.source]
            per_code = distinct.map(lookup[d.field])
            values = pd.Series(per_code.array.take(position, allow_fill=True), index=out.index)
            if d.field == "centrality":
                values = values.astype("Int64")
            out[d.name] = values
    out.attrs["derived_skipped"] = skipped
    return out

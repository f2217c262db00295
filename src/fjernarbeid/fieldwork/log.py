"""Reading a call log's few columns fast.

A call log has a row per contact (ten million for a million interviews) and free-text columns; the
report needs its disposition codes and the screening answers. :func:`read_log_columns` reads just
those with Arrow's CSV reader, in one thread (it runs beside the survey's reading, and one thread
costs the least CPU), as text with pandas' missing-value tokens — the frame ``pandas.read_csv(path,
dtype={"disposition": str}, usecols=...)`` would give for the summary, whose numbers are read with
``pandas.to_numeric``. It returns None for any file Arrow cannot read as it is (a ragged row, bytes
that are not UTF-8, a repeated column name); the caller then reads it with pandas, whose messages
name the problem.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

try:  # the tokens pandas.read_csv reads as missing by default
    from pandas._libs.parsers import STR_NA_VALUES as _PANDAS_MISSING
except ImportError:  # pragma: no cover - pandas moved it
    _PANDAS_MISSING = {"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND", "1.#QNAN",
                       "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"}


def read_log_columns(path: str | Path, wanted: set[str]) -> pd.DataFrame | None:
    """The columns of ``wanted`` that the CSV file ``path`` has, as text (missing cells as NaN, in
    pandas' string dtype), in the file's order; None when Arrow cannot read the file as it is."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    try:
        with open(path, "rb") as fh:
            head = fh.readline(1 << 20)
        header = head.decode("utf-8-sig").rstrip("\r\n")
    except (OSError, UnicodeError):
        return None
    if '"' in header:  # quoted names: pandas decides what they are
        return None
    names = header.split(",")
    if len(set(names)) != len(names):  # pandas renames repeated ones
        return None
    chosen = [n for n in names if n in wanted]
    if not chosen:
        return None
    try:
        table = pacsv.read_csv(
            path,
            read_options=pacsv.ReadOptions(use_threads=False),
            parse_options=pacsv.ParseOptions(newlines_in_values=True),
            convert_options=pacsv.ConvertOptions(include_columns=chosen,
                                                 column_types={n: pa.string() for n in chosen},
                                                 null_values=sorted(_PANDAS_MISSING), strings_can_be_null=True,
                                                 quoted_strings_can_be_null=True))
    except (pa.ArrowException, OSError, ValueError):
        return None
    if table.column_names != chosen:
        return None
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    return pd.DataFrame({n: pd.arrays.ArrowStringArray(table.column(n).cast(pa.large_string()), dtype=dtype)
                         for n in chosen}, index=pd.RangeIndex(table.num_rows))

"""Reading a call log's few columns fast.

A call log has a row per contact (ten million for a million interviews) and free-text columns; the
report needs its disposition codes and the screening answers. :func:`read_log_columns` reads just
those with Arrow's CSV reader, in one thread (it runs beside the survey's reading, and one thread
costs the least CPU), with pandas' missing-value tokens: the codes as text, the answers as numbers
where every cell is one — the frame ``pandas.read_csv(path, dtype={"disposition": str},
usecols=...)`` gives, as far as the summary can tell. It returns None for any file Arrow cannot
read as it is (a ragged row, a repeated column name, quoted names); the caller then reads it with
pandas, whose messages name the problem.
"""

from __future__ import annotations

import mmap
from pathlib import Path

from fjernarbeid._lazy import lazy_module

# imported on first use: the log's file is read before pandas is needed (fjernarbeid/_lazy.py)
np = lazy_module("numpy")
pd = lazy_module("pandas")

# The tokens pandas.read_csv reads as missing by default (pandas._libs.parsers.STR_NA_VALUES, written
# out so that reading the log need not wait for pandas' import; a test checks they are pandas' own).
PANDAS_MISSING = frozenset({"", "#N/A", "#N/A N/A", "#NA", "-1.#IND", "-1.#QNAN", "-NaN", "-nan", "1.#IND",
                            "1.#QNAN", "<NA>", "N/A", "NA", "NULL", "NaN", "None", "n/a", "nan", "null"})


def read_log_columns(path: str | Path, wanted: set[str]) -> pd.DataFrame | None:
    """The columns of ``wanted`` that the CSV file ``path`` has, in the file's order: the disposition
    codes as text (pandas' string dtype, NaN where missing), the others as float64 where every cell is
    a number or missing, else as text; None when Arrow cannot read the file as it is."""
    table = read_log_table(path, wanted)
    return None if table is None else log_frame(table)


def read_log_table(path: str | Path, wanted: set[str]):
    """:func:`read_log_columns` as the Arrow table it reads (the summary counts on it directly, without
    turning millions of rows into a pandas frame); None when Arrow cannot read the file as it is."""
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
    # The file is mapped into memory once: one scan of it finds whether there is a quote character
    # anywhere, and Arrow parses the same pages (no copy of the whole file into a buffer of its own:
    # 9 % less CPU for a log of 232 MB). Without quotes (a log written by a dialler usually has none)
    # the fields are split without looking for quotes, and rows at line breaks (about 15 % less CPU).
    # As with any mapped file, one that another program cuts short while it is parsed ends the process
    # (SIGBUS): a call log is read after its fieldwork, not while a dialler still writes it.
    try:
        with open(path, "rb") as fh, mmap.mmap(fh.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return _parse_log(mapped, chosen)
    except (OSError, ValueError):  # ValueError: an empty file cannot be mapped
        return None


def _parse_log(mapped: mmap.mmap, chosen: list[str]):
    """The columns ``chosen`` of the mapped CSV file, or None (see :func:`read_log_table`). Arrow's
    columns are its own copies of the values: nothing refers to the mapping once this returns."""
    import pyarrow as pa
    import pyarrow.csv as pacsv

    quoted = mapped.find(b'"') >= 0
    parse = pacsv.ParseOptions(newlines_in_values=True) if quoted else \
        pacsv.ParseOptions(quote_char=False, newlines_in_values=False)
    numbers = {n: pa.float64() for n in chosen if n != "disposition"}
    for types in ((numbers, {}) if numbers else ({},)):  # the answers as numbers first; text if a cell is not one
        source = pa.BufferReader(pa.py_buffer(mapped))
        try:
            table = pacsv.read_csv(
                source,
                read_options=pacsv.ReadOptions(use_threads=False),
                parse_options=parse,
                convert_options=pacsv.ConvertOptions(include_columns=chosen,
                                                     column_types={n: types.get(n, pa.string()) for n in chosen},
                                                     null_values=sorted(PANDAS_MISSING), strings_can_be_null=True,
                                                     quoted_strings_can_be_null=True))
        except (pa.ArrowException, OSError, ValueError):
            continue
        finally:
            source.close()
            del source
        return table if table.column_names == chosen else None
    return None


def log_frame(table) -> pd.DataFrame:
    """The pandas frame of a table of :func:`read_log_table`: the disposition codes as text, a column of
    numbers as float64, a column with any text as text."""
    import pyarrow as pa

    chosen = table.column_names
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)
    columns = {}
    for n in chosen:
        column = table.column(n)
        if pa.types.is_floating(column.type):
            columns[n] = column.to_numpy()
            continue
        if n != "disposition":
            # numbers as pandas would type them (float64, NaN for missing), so that the summary's
            # pandas.to_numeric has nothing left to parse; a column with any text stays text
            try:
                columns[n] = column.cast(pa.float64()).to_numpy()
                continue
            except pa.ArrowInvalid:
                pass
        columns[n] = pd.arrays.ArrowStringArray(column, dtype=dtype)
    return pd.DataFrame(columns, index=pd.RangeIndex(table.num_rows))

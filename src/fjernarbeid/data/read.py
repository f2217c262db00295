"""Read a fieldwork file into canonical, typed columns, remembering where every row came from.

:func:`read_survey` accepts what fieldwork firms and data-collection servers deliver:

========================  ==============================================================
CSV (.csv .tsv .txt)      delimiter sniffed among ``,`` ``;`` tab ``|``; UTF-8 with or without
                          BOM, else Windows-1252 (Norwegian Excel's "CSV (semikolondelt)")
Excel (.xlsx .xlsm)       first sheet unless ``sheet=``; the header is the first non-empty row
SPSS (.sav .zsav)         value and variable labels kept; user-missing values kept as values
Stata (.dta)              value and variable labels kept
Parquet (.parquet .pq)
KoboToolbox / ODK         any of the above with export columns (``_uuid``, ``KEY`` …): group
                          paths stripped, form metadata ignored, ``n/a`` read as missing
========================  ==============================================================

The content decides when it contradicts the extension (an .xlsx renamed to .csv is read as
Excel, with a warning). Nothing is ever written: the input's bytes and modification time stay
as they were.

Values are converted by question type — single-choice codes and integers to nullable ``Int64``,
postal codes to four-character strings (leading zeros restored where a spreadsheet dropped
them), ids and text to strings — and a value that cannot be converted becomes missing in
:attr:`SurveyData.frame` while its original text is kept in :attr:`SurveyData.unparsed` for
:func:`~fjernarbeid.data.validate.validate` to report. Reading never rejects a file for its
*contents*; only a file that cannot be read at all raises :class:`InputFileError`.
"""

from __future__ import annotations

import csv
import io
import itertools
import re
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fjernarbeid._io import ENCODING_NAMES, read_text_and_bytes, universal_newlines
from fjernarbeid.data.derive import normalise_postal_code
from fjernarbeid.data.mapping import (
    SUBMISSION_COLUMNS, ColumnMapping, ColumnResolution, ReadNote, load_mapping, resolve_columns,
)
from fjernarbeid.errors import FjernarbeidError, InputFileError
from fjernarbeid.instrument import Instrument, load_instrument
from fjernarbeid.instrument.model import LOCATION_TYPES

# Cell contents read as "no value" in every format (case-insensitive, after stripping blanks).
# Kobo writes "n/a" for questions that were not relevant; "." is SPSS/Stata's system missing.
MISSING_TOKENS = ("", "n/a", "na", "nan", ".", "#n/a", "null")

FORMATS = {
    ".csv": "csv", ".tsv": "csv", ".txt": "csv", ".tab": "csv",
    ".xlsx": "xlsx", ".xlsm": "xlsx",
    ".sav": "sav", ".zsav": "sav",
    ".dta": "dta",
    ".parquet": "parquet", ".pq": "parquet",
}
FORMAT_NAMES = {"csv": "CSV", "xlsx": "Excel", "sav": "SPSS", "dta": "Stata", "parquet": "Parquet"}
_A_FILE = {"csv": "a CSV file", "xlsx": "an Excel workbook", "sav": "an SPSS file", "dta": "a Stata file",
           "parquet": "a Parquet file"}

# How SurveyData.row_numbers count, by format.
ROW_KINDS = {"csv": "line", "xlsx": "row", "sav": "record", "dta": "record", "parquet": "record"}
ROW_KIND_HELP = {
    "line": "line number in the text file (the header is line 1)",
    "row": "row number in the spreadsheet (as Excel shows it; the header row counts)",
    "record": "record (case) number in the file, from 1",
}


@dataclass(frozen=True)
class SurveyData:
    """A fieldwork file read into canonical, typed columns.

    ``frame`` has the instrument's names (id first, then questions in interview order, then any
    extra columns of the file under their own names) and a default ``RangeIndex``;
    ``row_numbers[i]`` is where ``frame.iloc[i]`` is in the file, counted as ``row_kind`` says
    (:data:`ROW_KIND_HELP`).
    """

    frame: pd.DataFrame
    path: Path
    format: str
    row_numbers: np.ndarray
    row_kind: str
    instrument: Instrument
    columns: dict[str, str]  # source column name → canonical name, for every column mapped
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)  # canonical name → {code: label}
    variable_labels: dict[str, str] = field(default_factory=dict)
    unparsed: dict[str, pd.Series] = field(default_factory=dict)  # canonical name → original text, by index
    # a geopoint's split columns of a KoboToolbox export: question → {part: the file's column}; a part's
    # cells that are not a number in its range are in ``unparsed`` under the file's column name
    location_parts: dict[str, dict[str, str]] = field(default_factory=dict)
    ignored_columns: tuple[str, ...] = ()
    unknown_columns: tuple[str, ...] = ()
    notes: tuple[ReadNote, ...] = ()
    is_export: bool = False  # a KoboToolbox / ODK Central export
    # an export's submission instance ids (KoboToolbox's ``_uuid``, ODK's ``meta/instanceID``) when another
    # column is the respondent id: ``(the file's column, the ids by row)``; an interview sent twice has one
    submissions: tuple[str, pd.Series] | None = None
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None

    def __len__(self) -> int:
        return len(self.frame)

    def lines(self, mask, limit: int = 5) -> str:
        """'line 4 (id 17), line 9 (id 22) … (12 in all)': the rows in ``mask`` as the file numbers them."""
        rows = np.flatnonzero(np.asarray(mask, dtype=bool))
        id_var = self.instrument.id_variable
        ids = self.frame[id_var] if id_var in self.frame else None
        parts = []
        for r in rows[:limit]:
            text = f"{self.row_kind} {int(self.row_numbers[r])}"
            if ids is not None and not pd.isna(ids.iloc[r]):
                text += f" (id {ids.iloc[r]})"
            parts.append(text)
        more = f" … ({rows.size} in all)" if rows.size > limit else ""
        return ", ".join(parts) + more

    @property
    def description(self) -> str:
        """One line saying what was read, e.g. ``CSV, ';'-delimited, Windows-1252``."""
        parts = [FORMAT_NAMES[self.format]]
        if self.is_export:
            parts[0] += " (KoboToolbox/ODK export)"
        if self.delimiter is not None:
            parts.append({"\t": "tab"}.get(self.delimiter, repr(self.delimiter)) + "-delimited")
        if self.encoding is not None:
            parts.append(ENCODING_NAMES.get(self.encoding, self.encoding))
        if self.sheet is not None:
            parts.append(f"sheet {self.sheet!r}")
        return ", ".join(parts)


@dataclass
class _Raw:
    """A file's table before canonical names and types: cells as the format gives them."""

    frame: pd.DataFrame  # columns by position 0..k-1
    header: list[str]
    row_numbers: np.ndarray
    value_labels: dict[str, dict[Any, str]] = field(default_factory=dict)
    variable_labels: dict[str, str] = field(default_factory=dict)
    notes: list[ReadNote] = field(default_factory=list)
    encoding: str | None = None
    delimiter: str | None = None
    sheet: str | None = None


# -- the public entry point ------------------------------------------------------------------


def read_survey(
    path: str | Path,
    instrument: Instrument | None = None,
    mapping: str | Path | dict | ColumnMapping | None = None,
    *,
    sheet: str | None = None,
    completes_only: bool = False,
) -> SurveyData:
    """Read a fieldwork file (CSV, Excel, SPSS, Stata, Parquet, Kobo/ODK export) for ``instrument``
    (the study's questionnaire by default), with an optional column ``mapping`` file.

    ``completes_only`` drops the submissions a screening question screened out (a web survey's
    export holds them beside the completed ones), with a ``screened_out_dropped`` note counting them.

    Raises :class:`InputFileError` naming the file when it is missing, empty, corrupt or of an
    unknown type. Problems with the *contents* do not raise; run
    :func:`~fjernarbeid.data.validate.validate` on the result.
    """
    path = Path(path)
    instrument = instrument if instrument is not None else load_instrument()
    column_mapping = load_mapping(mapping)
    fmt, notes = _detect_format(path)
    if sheet is not None and fmt != "xlsx":
        raise InputFileError(f"{path}: sheet={sheet!r} applies to Excel files only")
    readers = {"xlsx": lambda: _read_xlsx(path, sheet), "csv": lambda: _read_csv(path),
               "sav": lambda: _read_stat(path, fmt), "dta": lambda: _read_stat(path, fmt),
               "parquet": lambda: _read_parquet(path)}
    try:
        raw = readers[fmt]()
        raw.notes[:0] = notes
        data = _conform(raw, path, fmt, instrument, column_mapping)
        return drop_screened_out(data) if completes_only else data
    except (FjernarbeidError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - the reading layer raises only the package's own errors
        # A library met something no check above foresaw (the fuzz tests look for such files and
        # keep them in tests/hostile/): the user still gets the file, the format and the reason.
        raise InputFileError(f"{path}: cannot be read as {_A_FILE[fmt]} ({type(exc).__name__}: {exc})") from None


def drop_screened_out(data: SurveyData) -> SurveyData:
    """``data`` without the rows a screening question screened out, in interview order (a row
    screened out at S1 is counted there, not again at S2), and a note saying how many."""
    from dataclasses import replace

    frame = data.frame
    out = np.zeros(len(frame), dtype=bool)
    counts = []
    for q in data.instrument.screening_questions:
        if q.name not in frame.columns:
            continue
        here = frame[q.name].isin(sorted(q.screen_out)).fillna(False).to_numpy(dtype=bool) & ~out
        counts.append(f"{q.screening or q.name} ({q.name}): {int(here.sum())}")
        out |= here
    keep = ~out
    positions = np.flatnonzero(keep)
    new_index = pd.Series(np.arange(positions.size), index=positions)
    unparsed = {}
    for name, series in data.unparsed.items():
        kept = series[series.index.isin(positions)]
        unparsed[name] = pd.Series(kept.to_numpy(), index=new_index[kept.index].to_numpy(), dtype=object,
                                   name=series.name)
    message = (f"--completes-only: {int(out.sum()):,} of {len(frame):,} submissions were screened out and dropped"
               + (f" ({'; '.join(counts)})" if counts else " (the questionnaire has no screening question)"))
    submissions = None
    if data.submissions is not None:
        column, ids = data.submissions
        submissions = (column, ids[keep].reset_index(drop=True))
    return replace(data, frame=frame[keep].reset_index(drop=True), row_numbers=data.row_numbers[keep],
                   unparsed=unparsed, submissions=submissions,
                   notes=data.notes + (ReadNote("screened_out_dropped", message),))


# -- formats ------------------------------------------------------------------------------------

_MAGIC = (
    (b"PK\x03\x04", "xlsx"),
    (b"$FL2", "sav"),
    (b"$FL3", "sav"),
    (b"PAR1", "parquet"),
    (b"<stata_dta>", "dta"),
)


def _detect_format(path: Path) -> tuple[str, list[ReadNote]]:
    if not path.exists():
        raise InputFileError(f"{path}: file not found")
    if path.is_dir():
        raise InputFileError(f"{path}: is a directory, not a data file")
    try:
        with path.open("rb") as fh:
            head = fh.read(16)
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if not head:
        raise InputFileError(f"{path}: the file is empty (0 bytes)")
    by_extension = FORMATS.get(path.suffix.lower())
    by_content = next((fmt for magic, fmt in _MAGIC if head.startswith(magic)), None)
    # Stata 8-13 files (format 113-115) start with the version byte and a byte order flag.
    if by_content is None and len(head) > 1 and head[0] in (113, 114, 115) and head[1] in (1, 2):
        by_content = "dta"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise InputFileError(f"{path}: this is an old binary Office file (.xls); save it as .xlsx or CSV")
    if by_extension is None and by_content is None:
        raise InputFileError(
            f"{path}: unknown file type {path.suffix or '(no extension)'!r}; supported: "
            f"{', '.join(sorted(FORMATS))}")
    if by_content is None:
        if by_extension != "csv":
            raise InputFileError(f"{path}: does not look like {_A_FILE[by_extension]} "
                                 f"(it starts with {head[:8]!r})")
        return "csv", []
    notes = []
    if by_extension is not None and by_extension != by_content:
        notes.append(ReadNote("format_mismatch", f"the file is named {path.suffix} but its content is "
                              f"{FORMAT_NAMES[by_content]}; it was read as {FORMAT_NAMES[by_content]}"))
    return by_content, notes


def sniff_delimiter(text: str) -> str:
    """The candidate delimiter that splits the header into most columns, rows agreeing with it.

    Judged on the first 50 records: the header must split into more than one column, and most
    data rows into as many. (csv.Sniffer guesses wrong on short or decimal-comma files.)
    """
    sample = text[:65536]
    truncated = len(text) > len(sample)
    best, best_score = ",", (False, 0.0, 0)
    for delimiter in (",", ";", "\t", "|"):
        rows = list(itertools.islice(csv.reader(io.StringIO(sample), delimiter=delimiter), 51))
        if truncated and len(rows) > 1:
            rows = rows[:-1]
        rows = [r for r in rows if any(c.strip() for c in r)]
        if not rows:
            continue
        width = len(rows[0])
        data = rows[1:]
        agree = sum(len(r) == width for r in data) / len(data) if data else 1.0
        score = (width > 1, agree, width)
        if score > best_score:
            best, best_score = delimiter, score
    return best


def _physical_lines(text: str) -> int:
    return text.count("\n") + (0 if text.endswith("\n") else 1)


def _record_start_lines(text: str, delimiter: str) -> np.ndarray:
    """First physical line of every record, for files whose quoted fields contain line breaks."""
    reader = csv.reader(io.StringIO(text), delimiter=delimiter)
    starts, previous_end = [], 0
    for _ in reader:
        starts.append(previous_end + 1)
        previous_end = reader.line_num
    return np.asarray(starts, dtype=np.int64)


def _breaks_records(text: str) -> bool:
    """True when the lines do not all have the header's number of fields (a quick check, quotes respected)."""
    try:
        delimiter = sniff_delimiter(text)
        widths = {len(row) for row in csv.reader(io.StringIO(text), delimiter=delimiter) if row}
    except csv.Error:
        return True
    return len(widths) > 1


def _read_csv(path: Path) -> _Raw:
    text, encoding, data = read_text_and_bytes(path, str(path))
    original = text
    text, stray_cr = universal_newlines(text)
    if stray_cr and _breaks_records(text):
        # Lines ending in a mix of LF and lone CR (files pasted together): the CRs end lines too,
        # when that gives every record the header's width.
        as_lines, _ = universal_newlines(original, stray_cr_ends_line=True)
        if not _breaks_records(as_lines):
            text, stray_cr = as_lines, []
    if not text or text.isspace():  # isspace stops at the first other character: no copy of the text
        raise InputFileError(f"{path}: the file is empty (no header row)")
    try:
        delimiter = sniff_delimiter(text)
    except csv.Error as exc:  # e.g. a field over csv's size limit
        raise InputFileError(f"{path}: cannot be read as delimited text: {exc}") from None
    # Every cell as text (leading zeros, "n/a", "3,0" survive to be judged); one frame row per
    # physical line so that line numbers are exact. Arrow's reader when the text is plain enough for
    # it to give the very table pandas' reader gives (several times faster); pandas' otherwise.
    # the file's bytes are the text's UTF-8 when it was read as UTF-8 (no byte-order mark) and kept as it is
    table = _parse_plain(text, delimiter, data if encoding == "utf-8" and text is original else None)
    plain = table is not None  # then a row per physical line, as it checked
    try:
        if table is None:
            table = pd.read_csv(io.StringIO(text), sep=delimiter, header=None, dtype=str, keep_default_na=False,
                                na_filter=False, skip_blank_lines=False, quotechar='"', engine="c")
    except pd.errors.ParserError as exc:
        raise InputFileError(f"{path}: cannot be read as {delimiter!r}-delimited text: "
                             f"{str(exc).replace('Error tokenizing data. C error: ', '')}") from None
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{path}: the file is empty (no header row)") from None
    if plain or len(table) == _physical_lines(text):
        lines = np.arange(1, len(table) + 1, dtype=np.int64)
    else:  # quoted line breaks: count them out
        try:
            lines = _record_start_lines(text, delimiter)
        except csv.Error as exc:
            raise InputFileError(f"{path}: cannot be read as {delimiter!r}-delimited text: {exc}") from None
        if len(lines) != len(table):  # csv and pandas disagree on the records
            raise InputFileError(f"{path}: the record structure is ambiguous (quoted line breaks?)")
    swallowed = [] if plain else _swallowed_records(table, lines, delimiter)
    raw = _table_with_header(table, lines, path, "line", encoding=encoding, delimiter=delimiter)
    for line, spans, column in swallowed[:3]:
        raw.notes.append(ReadNote("quote_not_closed", f"line {line}: a quoted cell (column {column}) runs over "
                                  f"{spans} lines, some with as many {delimiter!r} as a whole record: a quote that "
                                  "was never closed? Those lines are read as text of that cell, not as records"))
    if stray_cr:
        shown = ", ".join(map(str, stray_cr[:5])) + (" …" if len(stray_cr) > 5 else "")
        raw.notes.append(ReadNote("stray_carriage_return", f"{len(stray_cr)} carriage return(s) (CR) inside unquoted "
                                  f"field(s), at line {shown}, were read as spaces"))
    return raw


# The characters Python's str.strip() removes (str.isspace), as a regular-expression class for Arrow
# (RE2): a cell is blank when it has no character outside it. tests/data/test_read.py checks the list.
SPACE_CODEPOINTS = (0x9, 0xA, 0xB, 0xC, 0xD, 0x1C, 0x1D, 0x1E, 0x1F, 0x20, 0x85, 0xA0, 0x1680, *range(0x2000, 0x200B),
                    0x2028, 0x2029, 0x202F, 0x205F, 0x3000)
_NOT_SPACE = "[^" + "".join(f"\\x{{{c:x}}}" for c in SPACE_CODEPOINTS) + "]"


def _parse_plain(text: str, delimiter: str, data: bytes | None = None) -> pd.DataFrame | None:
    """The header-less all-text table ``pd.read_csv(..., dtype=str, na_filter=False, engine="c")`` gives,
    parsed by Arrow's CSV reader, or None when the text is not plain enough for the two to agree cell
    for cell: no quote character, NUL or CR, and every line with the first line's number of fields
    (an empty line is a row of empty cells for both). Anything else goes to pandas' reader, whose
    messages name the line. ``data``: the text's UTF-8 bytes, when the caller has them."""
    if data is not None:  # the same tests on the bytes (memchr), and no encoding of the text
        if b'"' in data or b"\x00" in data or b"\r" in data or not data:
            return None
    elif '"' in text or "\x00" in text or "\r" in text or not text:
        return None
    import pyarrow as pa
    import pyarrow.csv as pacsv

    first = text[:text.find("\n")] if "\n" in text else text
    width = first.count(delimiter) + 1
    names = [f"f{j}" for j in range(width)]
    try:
        if data is None:
            data = text.encode("utf-8")
        table = pacsv.read_csv(
            io.BytesIO(data),
            read_options=pacsv.ReadOptions(column_names=names, block_size=max(1 << 20, 4 * len(first) + 4096)),
            parse_options=pacsv.ParseOptions(delimiter=delimiter, quote_char=False, double_quote=False,
                                             escape_char=False, newlines_in_values=False, ignore_empty_lines=False),
            convert_options=pacsv.ConvertOptions(column_types={n: pa.large_string() for n in names},
                                                 strings_can_be_null=False, quoted_strings_can_be_null=False))
    except (pa.ArrowException, UnicodeError, ValueError):
        return None
    if table.num_rows != data.count(b"\n") + (0 if data.endswith(b"\n") else 1):  # one row per physical line
        return None
    dtype = pd.StringDtype("pyarrow", na_value=np.nan)  # what pandas' reader gives for dtype=str
    return pd.DataFrame({j: pd.arrays.ArrowStringArray(table.column(j), dtype=dtype) for j in range(width)},
                        index=pd.RangeIndex(table.num_rows))


def _arrow_strings(col: pd.Series):
    """The Arrow array under a pyarrow-backed string column, else None."""
    if isinstance(col.dtype, pd.StringDtype) and col.dtype.storage == "pyarrow":
        return col.array.__arrow_array__()
    return None


def _string_buffers(chunk) -> tuple[np.ndarray, np.ndarray]:
    """(offsets, bytes) of one Arrow string array chunk, as numpy views (``offsets`` has one entry
    more than the chunk has cells; the bytes of cell i are ``data[offsets[i]:offsets[i + 1]]``)."""
    import pyarrow as pa

    kind = np.int64 if pa.types.is_large_string(chunk.type) else np.int32
    _, offsets, data = chunk.buffers()
    offsets = np.frombuffer(offsets, dtype=kind)[chunk.offset:chunk.offset + len(chunk) + 1]
    data = np.frombuffer(data, dtype=np.uint8) if data is not None else np.zeros(0, dtype=np.uint8)
    return offsets, data


def _blank_strings(values) -> np.ndarray:
    """:func:`_blank_cell` for every cell of an Arrow string array, at once: null, or nothing but
    the characters ``str.strip()`` removes.

    A cell whose first byte is a printable ASCII character is filled; an empty or null one is
    blank; only the rest (a leading blank, control or non-ASCII character) is looked at whole.
    """
    import pyarrow as pa
    import pyarrow.compute as pc

    parts = []
    for chunk in values.chunks:
        offsets, data = _string_buffers(chunk)
        lengths = np.diff(offsets)
        used = data[offsets[0]:offsets[-1]] if len(offsets) else data[:0]
        if not chunk.null_count and (not used.size or (int(used.min()) > 32 and int(used.max()) < 127)):
            parts.append(lengths == 0)  # printable ASCII only (nearly every column): blank is empty
            continue
        first = data[np.minimum(offsets[:-1], max(len(data) - 1, 0))] if len(data) else np.zeros(len(chunk), np.uint8)
        blank = ~((lengths > 0) & (first > 32) & (first < 127))
        if chunk.null_count:
            unsure = blank & (lengths > 0) & ~np.asarray(chunk.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        else:
            unsure = blank & (lengths > 0)
        where = np.flatnonzero(unsure)
        if where.size:
            filled = pc.fill_null(pc.match_substring_regex(chunk.take(pa.array(where)), _NOT_SPACE), False)
            blank[where] = ~np.asarray(filled.to_numpy(zero_copy_only=False), dtype=bool)
        parts.append(blank)
    return np.concatenate(parts) if parts else np.zeros(0, dtype=bool)


def digit_keys(col: pd.Series) -> np.ndarray | None:
    """For a text column whose cells are all digits (≤ 15) or missing, an integer per cell that is
    equal exactly where the texts are ('007' and '7' differ: the length is part of it), −1 where
    missing; else None. Hashing integers is several times faster than hashing short strings
    (duplicate ids among 300,000: 13 against 50 ms)."""
    arrow = _arrow_strings(col)
    plain = _plain_whole_numbers(arrow, lengths=True) if arrow is not None else None
    if plain is None:
        return None
    values, empty, lengths = plain
    keys = values * 16 + lengths
    keys[empty] = -1  # empty or missing; a '0' is not
    return keys


def _plain_whole_numbers(values, lengths: bool = False) -> tuple[np.ndarray, ...] | None:
    """(numbers as int64, True where empty) when every cell of an Arrow string array is empty, null or
    at most 15 digits 0-9 (so blanks to strip, signs, decimals and numbers a float cannot hold
    exactly are absent); else None.

    The digits are read from Arrow's buffers, one digit position at a time over all cells (answer
    codes have one or two): a few numpy operations per column instead of Arrow's cast of every cell.
    A chunk whose cells all have the same number of digits is read where it lies (27 columns of
    300,000: 92 -> 34 ms).
    """
    total = len(values)
    numbers = np.zeros(total, dtype=np.int64)
    empty = np.zeros(total, dtype=bool)
    sizes = np.zeros(total, dtype=np.int64) if lengths else None
    at = 0  # each chunk's cells are written into the whole column's arrays, not concatenated after
    for chunk in values.chunks:
        offsets, data = _string_buffers(chunk)
        size = np.diff(offsets)
        n = size.size
        widest = int(size.max()) if n else 0
        if widest > 15:
            return None
        used = data[offsets[0]:offsets[-1]] if len(offsets) else data[:0]
        if used.size and (int(used.min()) < 0x30 or int(used.max()) > 0x39):
            return None
        value = numbers[at:at + n]
        if lengths:
            sizes[at:at + n] = size
        side_by_side = widest and used.size == widest * n and not chunk.null_count
        if side_by_side:
            # every cell has the same number of digits (answer codes 1-5, years, postal codes), so the
            # digits lie side by side in the buffer: no cell's digits need gathering
            digits = used.reshape(n, widest)
            for j in range(widest):
                if j:
                    value *= 10
                value += digits[:, j]
                value -= 0x30
            at += n
            continue
        if used.size:
            starts = offsets[:-1]
            last = len(data) - 1
            for j in range(widest):
                digit = data[np.minimum(starts + j, last)].astype(np.int64) - 0x30
                value[:] = np.where(size > j, value * 10 + digit, value)
        missing = empty[at:at + n]
        np.equal(size, 0, out=missing)
        if chunk.null_count:
            missing |= np.asarray(chunk.is_null().to_numpy(zero_copy_only=False), dtype=bool)
        at += n
    return (numbers, empty, sizes) if lengths else (numbers, empty)


def _empty_cells(table: pd.DataFrame) -> list[np.ndarray]:
    """For each column of ``table``, True where a cell holds nothing (missing, or only blanks): a column
    at a time through Arrow when every column is pyarrow-backed text (CSV), else cell by cell in one
    pass (a column at a time through pandas took 35 s for a file of 10,000 columns)."""
    columns = [_arrow_strings(col) for _, col in table.items()]
    if columns and all(c is not None for c in columns):
        return [_blank_strings(c) for c in columns]
    return list(np.asarray(_blank_cells(table.to_numpy(dtype=object)), dtype=bool).reshape(table.shape).T)


def _swallowed_records(table: pd.DataFrame, lines: np.ndarray, delimiter: str) -> list[tuple[int, int, int]]:
    """(line, lines spanned, column) of quoted cells that hold a line break followed by a line with a whole
    record's delimiters: what an opening quote that is never closed does to the records after it (a
    comment typed over several lines has a few delimiters at most)."""
    width = table.shape[1]
    if width < 4:  # too few columns to tell a record from a sentence
        return []
    out = []
    for j in range(width):
        col = table.iloc[:, j]
        broken = col.str.contains("\n", regex=False).fillna(False).to_numpy(dtype=bool)
        for i in np.flatnonzero(broken):
            inner = str(col.iloc[i]).split("\n")
            if any(part.count(delimiter) >= width - 1 for part in inner[1:]):
                out.append((int(lines[i]), len(inner), j + 1))
    return sorted(out)


def _table_with_header(table: pd.DataFrame, numbers: np.ndarray, path: Path, unit: str, **extra) -> _Raw:
    """Split a header-less table into the first non-empty row (the header) and data rows.

    Empty rows after the header are dropped: trailing ones silently (editors leave them), the
    others with one ``empty_rows`` warning listing them.
    """
    empty = _empty_cells(table)  # a column at a time: no matrix of the cells is stacked
    blank = np.ones(len(table), dtype=bool)
    filled = np.zeros(len(table), dtype=np.int64)
    for cells in empty:
        blank &= cells
        filled += ~cells
    if blank.all():
        raise InputFileError(f"{path}: the file is empty (no header row)")
    # The header is the first row with two or more names: a title above the table is skipped.
    head = int(np.argmax(filled >= 2)) if (filled >= 2).any() else int(np.argmax(~blank))
    header = ["" if empty[j][head] else str(v).strip() for j, v in enumerate(table.iloc[head])]
    notes = []
    above = np.flatnonzero(~blank[:head])
    if above.size:
        notes.append(ReadNote("rows_before_header", f"the header is at {unit} {numbers[head]}; "
                              f"{above.size} non-empty {unit}(s) above it (a title?) were skipped"))
    # Unnamed columns at the right edge with no data are an artefact of the editor, not columns.
    body = table.iloc[head + 1:]
    body_blank = blank[head + 1:]
    width = len(header)
    while width > 0 and header[width - 1] == "" and empty[width - 1][head + 1:].all():
        width -= 1
    header, body = header[:width], body.iloc[:, :width]
    for j, name in enumerate(header):
        if name == "":
            header[j] = f"column_{j + 1}"
            notes.append(ReadNote("unnamed_column", f"column {j + 1} has no name in the header; it is "
                                  f"called {header[j]!r}", column=header[j]))
    numbers = numbers[head + 1:]
    last = len(body_blank) - int(np.argmax(~body_blank[::-1])) if (~body_blank).any() else 0
    interior = np.flatnonzero(body_blank[:last])
    if interior.size:
        shown = ", ".join(str(n) for n in numbers[interior])
        notes.append(ReadNote("empty_rows", f"{interior.size} empty row(s) skipped, at {unit} {shown}"))
    keep = ~body_blank
    keep[last:] = False
    body = body.reset_index(drop=True) if keep.all() else body[keep].reset_index(drop=True)
    body.columns = range(width)
    return _Raw(body, header, numbers[keep], notes=notes, **extra)


def _blank_cell(value) -> bool:
    """As :func:`_blank`, for one cell: missing (None, NaN, NA, NaT) or only blanks."""
    if isinstance(value, str):
        return not value.strip()
    return bool(pd.isna(value)) if np.ndim(value) == 0 else False


_blank_cells = np.frompyfunc(_blank_cell, 1, 1)


def _blank(col: pd.Series) -> np.ndarray:
    """True where a cell holds nothing (missing, or only blanks)."""
    return (col.astype("string").str.strip().str.len() == 0).fillna(True).to_numpy(dtype=bool)


def _read_xlsx(path: Path, sheet: str | None) -> _Raw:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    handle = path.open("rb")  # a file object: openpyxl would refuse a workbook named .csv
    try:
        workbook = openpyxl.load_workbook(handle, read_only=True, data_only=True)
    except (InvalidFileException, OSError, KeyError, ValueError, Exception) as exc:  # zipfile.BadZipFile etc.
        handle.close()
        raise InputFileError(f"{path}: cannot be read as an Excel workbook ({type(exc).__name__}: {exc})") from None
    try:
        names = workbook.sheetnames
        if not names:
            raise InputFileError(f"{path}: the workbook has no sheets")
        if sheet is not None and sheet not in names:
            raise InputFileError(f"{path}: has no sheet {sheet!r}; its sheets are {', '.join(map(repr, names))}")
        name = sheet if sheet is not None else names[0]
        # read_only iteration yields every row from row 1, empty ones included, so position + 1 is
        # the row number Excel shows.
        try:
            rows = list(workbook[name].iter_rows(values_only=True))
        except FjernarbeidError:
            raise
        except Exception as exc:  # noqa: BLE001 - a damaged sheet inside a valid zip
            raise InputFileError(f"{path}: sheet {name!r} cannot be read ({type(exc).__name__}: {exc})") from None
    finally:
        workbook.close()
        handle.close()
    if not rows:
        raise InputFileError(f"{path}: sheet {name!r} is empty")
    table = pd.DataFrame.from_records(rows)
    raw = _table_with_header(table, np.arange(1, len(rows) + 1, dtype=np.int64), path, "row", sheet=name)
    uncomputed = _formulas_without_values(path, name, rows)
    if uncomputed:
        from openpyxl.utils import get_column_letter

        shown = ", ".join(f"{get_column_letter(c + 1)}{r + 1} {f!r}" for r, c, f in uncomputed[:3])
        raw.notes.append(ReadNote("formula_without_value", f"{len(uncomputed)} cell(s) hold a formula with no computed "
                                  f"value ({shown}{' …' if len(uncomputed) > 3 else ''}); they are read as empty. "
                                  "The workbook was saved by a program that does not calculate: open and save it "
                                  "in Excel or LibreOffice, or write the values themselves"))
    if sheet is None and len(names) > 1:
        raw.notes.append(ReadNote("other_sheets", f"the workbook has {len(names)} sheets; the first, {name!r}, "
                                  "was read (choose another with --sheet)"))
    return raw


def _formulas_without_values(path: Path, sheet: str, values: list[tuple]) -> list[tuple[int, int, str]]:
    """(row, column, formula) of the cells of ``sheet`` that hold a formula whose value the file does not
    store (a workbook written by a script: Excel stores the value beside the formula). A second reading
    of the sheet, only when its XML has formulas at all (KoboToolbox's exports have none)."""
    import openpyxl

    try:
        with zipfile.ZipFile(path) as archive:
            if not any(_has_formula(archive, n) for n in archive.namelist() if n.startswith("xl/worksheets/")):
                return []
        workbook = openpyxl.load_workbook(path, read_only=True, data_only=False)
    except Exception:  # noqa: BLE001 - it was read once already; this is only a diagnosis
        return []
    try:
        out = []
        for r, row in enumerate(workbook[sheet].iter_rows(values_only=True)):
            for c, cell in enumerate(row):
                if isinstance(cell, str) and cell.startswith("=") and r < len(values) \
                        and (c >= len(values[r]) or values[r][c] is None):
                    out.append((r, c, cell))
        return out
    finally:
        workbook.close()


def _has_formula(archive: zipfile.ZipFile, name: str, chunk: int = 1 << 20) -> bool:
    """Whether a worksheet's XML has a formula element, read in pieces (a sheet of 300,000 rows is large)."""
    with archive.open(name) as handle:
        tail = b""
        while block := handle.read(chunk):
            if b"<f>" in tail + block or b"<f " in tail + block:
                return True
            tail = block[-2:]
    return False


def _read_stat(path: Path, fmt: str) -> _Raw:
    import pyreadstat

    reader = pyreadstat.read_sav if fmt == "sav" else pyreadstat.read_dta
    try:
        # user_missing=True: a "not sure" code that the firm declared user-missing is still an answer.
        table, meta = reader(str(path), user_missing=True, apply_value_formats=False)
    except Exception as exc:  # pyreadstat.ReadstatError and friends
        raise InputFileError(f"{path}: cannot be read as {_A_FILE[fmt]} ({exc})") from None
    header = [str(c) for c in table.columns]
    table.columns = range(len(header))
    labels = {str(k): {_label_key(c): str(v) for c, v in d.items()} for k, d in meta.variable_value_labels.items()}
    variable_labels = {str(k): str(v) for k, v in (meta.column_names_to_labels or {}).items() if v}
    return _Raw(table, header, np.arange(1, len(table) + 1, dtype=np.int64), labels, variable_labels)


def _label_key(code: Any) -> Any:
    """Value-label codes as ints when they are whole numbers (SPSS stores 1 as 1.0)."""
    if isinstance(code, float) and code.is_integer():
        return int(code)
    if isinstance(code, str) and code.strip().lstrip("+-").isdigit():
        return int(code)
    return code


def _read_parquet(path: Path) -> _Raw:
    try:
        table = pd.read_parquet(path)
    except Exception as exc:  # pyarrow.ArrowInvalid, OSError
        raise InputFileError(f"{path}: cannot be read as {_A_FILE['parquet']} ({exc})") from None
    header = [str(c) for c in table.columns]
    table = table.reset_index(drop=True)
    table.columns = range(len(header))
    return _Raw(table, header, np.arange(1, len(table) + 1, dtype=np.int64))


# -- names and types ----------------------------------------------------------------------------


def _text(col: pd.Series) -> pd.Series:
    """Cells as stripped strings, with :data:`MISSING_TOKENS` (and NaN) as <NA>."""
    if isinstance(col.dtype, pd.CategoricalDtype):
        col = col.astype(object)
    if pd.api.types.is_float_dtype(col.dtype):
        # 17.0 → "17": formats without integer columns store whole numbers as floats.
        whole = col.notna() & (col == np.floor(col)) & (col.abs() < 2**53)
        s = col.astype(object)
        s[whole] = col[whole].astype("int64")
        col = s
    s = col.astype("string").str.strip()
    return s.mask(s.str.lower().isin(MISSING_TOKENS))


def _integers(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(values as Int64, original text of the cells that are not whole numbers) — vectorised."""
    if pd.api.types.is_bool_dtype(col.dtype):
        col = col.astype("Int64")
    arrow = _arrow_strings(col)
    plain = _plain_whole_numbers(arrow) if arrow is not None else None
    if plain is not None:
        # Fastest path: the same, judged and read on the bytes of Arrow's buffers (CSV files)
        values = pd.arrays.IntegerArray(*plain)
        return pd.Series(values, index=col.index, copy=False), pd.Series([], dtype=object, index=pd.RangeIndex(0))
    if isinstance(col.dtype, pd.StringDtype):
        # Fast path: a column of plain whole numbers and empty cells (nearly every column).
        stripped = col.str.strip()
        if stripped.str.fullmatch(r"[0-9]{0,15}").fillna(True).all():
            values = stripped.mask(stripped == "").astype("int64[pyarrow]").astype("Int64")
            return values, pd.Series([], dtype=object, index=pd.RangeIndex(0))
    if pd.api.types.is_numeric_dtype(col.dtype) and not isinstance(col.dtype, pd.CategoricalDtype):
        x = col.astype("Float64")
        original = col.astype("string")
        present = x.notna()
    else:
        original = _text(col)
        present = original.notna()
        # Fast path for plain digits (nearly every cell); the general parser only for the rest.
        digits = original.str.fullmatch(r"[+-]?[0-9]{1,15}").fillna(False).to_numpy()
        x = pd.Series(pd.array(np.full(len(col), np.nan), dtype="Float64"), index=col.index)
        x[digits] = original[digits].astype("int64[pyarrow]").astype("Float64")
        rest = present.to_numpy() & ~digits
        if rest.any():
            # "3,0" is a decimal comma (Norwegian Excel), not a thousands separator.
            cleaned = original[rest].str.replace(r"^([+-]?[0-9]+),([0-9]+)$", r"\1.\2", regex=True)
            x[rest] = pd.to_numeric(cleaned, errors="coerce").astype("Float64")
    # Only whole numbers a float holds exactly (|x| < 2^53) are integers: larger ones (1e308, a
    # 23-digit number) would overflow Int64 and be shown as -9223372036854775808; they stay text.
    finite = x.fillna(0).to_numpy(dtype=float)
    whole = (x == x.round(0)).fillna(False) & (np.isfinite(finite) & (np.abs(finite) < 2.0 ** 53))
    bad = present & ~whole
    values = x.where(~bad).astype("Int64")
    return values, original[bad].astype(object)


def _dates(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(dates as ISO text ``2026-05-01``, original text of the cells that are not dates) for a date question:
    KoboToolbox and ODK write ``YYYY-MM-DD``; an Excel cell holds a date (a time of midnight is dropped)."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        values = col.dt.strftime("%Y-%m-%d").astype("string")
        return values, pd.Series([], dtype=object, index=pd.RangeIndex(0))
    import datetime as dt

    as_date = col.map(lambda v: v.strftime("%Y-%m-%d") if isinstance(v, (dt.date, pd.Timestamp)) else None)
    text = _text(col).where(as_date.isna(), as_date.astype("string"))
    # a calendar date only: 2026-02-30 and 01.05.2026 are not (Kobo and ODK write YYYY-MM-DD)
    iso = text.str.fullmatch(r"[0-9]{4}-[0-9]{2}-[0-9]{2}").fillna(False)
    parsed = pd.to_datetime(text.where(iso), format="%Y-%m-%d", errors="coerce")
    bad = text.notna() & parsed.isna()
    return text.where(~bad), col[bad].astype(object)


# ISO 8601 as KoboToolbox and ODK write a time ("09:30:00.000+01:00") and a date-time
# ("2026-05-01T09:30:00.000+01:00"): hours and minutes, optional seconds and fraction, optional offset.
_ISO_TIME = r"(?:[01][0-9]|2[0-3]):[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?(?:Z|[+-](?:[01][0-9]|2[0-3]):?[0-5][0-9])?"
_TIME = re.compile(_ISO_TIME)
_DATETIME = re.compile(r"([0-9]{4}-[0-9]{2}-[0-9]{2})[T ]" + _ISO_TIME)


def _clock_values(col: pd.Series, pattern: re.Pattern, as_text) -> tuple[pd.Series, pd.Series]:
    """(the cells as ISO text, original text of the cells that are not ``pattern``) for a time or
    date-time question; a spreadsheet's own time or date-time cell is written as ISO text first."""
    if pd.api.types.is_datetime64_any_dtype(col.dtype):
        col = col.astype(object)
    converted = col.map(lambda v: as_text(v) if not isinstance(v, str) and not pd.isna(v) else None)
    text = _text(col).where(converted.isna(), converted.astype("string"))
    ok = text.map(lambda v: v is pd.NA or _valid_clock(v, pattern), na_action=None).astype(bool)
    bad = text.notna() & ~ok
    return text.where(~bad), col[bad].astype(object)


def _valid_clock(value: str, pattern: re.Pattern) -> bool:
    match = pattern.fullmatch(value)
    if match is None:
        return False
    if match.groups():  # a date-time: its date must be a day of the calendar (2026-02-30 is not)
        import datetime as dt

        try:
            dt.date.fromisoformat(match.group(1))
        except ValueError:
            return False
    return True


def _time_text(value) -> str | None:
    import datetime as dt

    if isinstance(value, dt.time):
        return value.isoformat()
    if isinstance(value, (dt.datetime, pd.Timestamp)) and value.date() == dt.date(1899, 12, 30):
        return value.time().isoformat()  # Excel's day 0: a time of day alone
    return None


def _datetime_text(value) -> str | None:
    import datetime as dt

    return value.isoformat() if isinstance(value, (dt.datetime, pd.Timestamp)) else None


def _times(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _clock_values(col, _TIME, _time_text)


def _datetimes(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    return _clock_values(col, _DATETIME, _datetime_text)


# A location as KoboToolbox and ODK write it: "latitude longitude altitude accuracy" (altitude and
# accuracy may be left out); a line (geotrace) or an area (geoshape) is such points separated by ";".
_NUMBER = re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)(?:[eE][+-]?[0-9]+)?")


def location_problem(value: str, kind: str) -> str | None:
    """Why ``value`` is not a location of ``kind`` (geopoint, geotrace, geoshape), or None if it is."""
    points = [p.strip() for p in value.strip().rstrip(";").split(";")]
    if kind == "geopoint" and len(points) != 1:
        return "one point is expected"
    for point in points:
        numbers = point.split()
        if not 2 <= len(numbers) <= 4 or not all(_NUMBER.fullmatch(n) for n in numbers):
            return f"{point!r} is not 'latitude longitude altitude accuracy'"
        lat, lon, *rest = (float(n) for n in numbers)
        if not -90 <= lat <= 90:
            return f"latitude {numbers[0]} is outside -90 to 90"
        if not -180 <= lon <= 180:
            return f"longitude {numbers[1]} is outside -180 to 180"
        if len(rest) == 2 and not rest[1] >= 0:
            return f"accuracy {numbers[3]} is negative"
    if kind == "geotrace" and len(points) < 2:
        return "a line needs two points or more"
    if kind == "geoshape":
        ends = [tuple(float(n) for n in p.split()[:2]) for p in (points[0], points[-1])]
        if len(points) < 4 or ends[0] != ends[1]:
            return "an area needs four points or more, the last the same as the first"
    return None


def _locations(col: pd.Series, kind: str) -> tuple[pd.Series, pd.Series]:
    """(locations as text, original text of the cells that are not a location of ``kind``)."""
    text = _text(col)
    bad = text.map(lambda v: v is not pd.NA and location_problem(v, kind) is not None, na_action=None).astype(bool)
    return text.where(~bad), col[bad].astype(object)


_PART_RANGES = {"latitude": (-90.0, 90.0), "longitude": (-180.0, 180.0), "altitude": (-np.inf, np.inf),
                "precision": (0.0, np.inf)}


def _location_parts(q, columns: dict[str, pd.Series], main: pd.Series | None
                    ) -> tuple[pd.Series | None, dict[str, pd.Series]]:
    """A geopoint read with the columns KoboToolbox splits it into: each part must be a number in its
    range (bad cells returned by part); without the geopoint's own column it is put together from them."""
    numbers, bad = {}, {}
    for part, col in columns.items():
        values, unparsed = _decimals(col)
        lo, hi = _PART_RANGES[part]
        outside = values.notna() & ~values.between(lo, hi)
        if outside.any():
            unparsed = pd.concat([unparsed, col[outside.fillna(False)].astype(object)])
        numbers[part] = values.mask(outside)
        if len(unparsed):
            bad[part] = unparsed
    if main is None and {"latitude", "longitude"} <= set(numbers):
        pieces = [numbers[p].astype("string").str.replace(r"\.0$", "", regex=True)
                  for p in ("latitude", "longitude", "altitude", "precision") if p in numbers]
        together = pieces[0]
        for piece in pieces[1:]:
            together = together + " " + piece.fillna("0")
        main = together.where(numbers["latitude"].notna() & numbers["longitude"].notna())
    return main, bad


def _decimals(col: pd.Series) -> tuple[pd.Series, pd.Series]:
    """(values as Float64, original text of the cells that are not finite numbers) for a decimal question:
    ``2.5`` and Norwegian Excel's ``2,5`` are numbers; ``inf``, ``1e309`` and words are not."""
    if pd.api.types.is_bool_dtype(col.dtype):
        col = col.astype("Int64")
    if pd.api.types.is_numeric_dtype(col.dtype) and not isinstance(col.dtype, pd.CategoricalDtype):
        x = col.astype("Float64")
        original = col.astype("string")
        present = x.notna()
    else:
        original = _text(col)
        present = original.notna()
        cleaned = original.str.strip().str.replace(r"^([+-]?[0-9]+),([0-9]+)$", r"\1.\2", regex=True)
        # digits 0-9 only, as for whole numbers (a full-width '３' is not a number)
        plain = cleaned.str.fullmatch(r"[+-]?([0-9]+\.?[0-9]*|\.[0-9]+)([eE][+-]?[0-9]+)?").fillna(False)
        x = pd.to_numeric(cleaned.where(plain), errors="coerce").astype("Float64")
    finite = np.isfinite(x.fillna(0).to_numpy(dtype=float))
    bad = present & ~(x.notna() & finite)
    return x.where(~bad), original[bad].astype(object)


def _conform(raw: _Raw, path: Path, fmt: str, instrument: Instrument, mapping: ColumnMapping | None) -> SurveyData:
    resolution: ColumnResolution = resolve_columns(raw.header, instrument, mapping)
    by_target = {t: i for i, t in enumerate(resolution.targets) if t is not None}
    columns: dict[str, pd.Series] = {}
    unparsed: dict[str, pd.Series] = {}

    id_var = instrument.id_variable
    if id_var in by_target:
        columns[id_var] = _text(raw.frame[by_target[id_var]])
    layout_notes: list[ReadNote] = []
    location_parts: dict[str, dict[str, str]] = {}
    for q in instrument.questions:
        if q.type == "geopoint" and q.name in resolution.parts:
            main = None
            if q.name in by_target:
                main, bad = _locations(raw.frame[by_target[q.name]], "geopoint")
                if len(bad):
                    unparsed[q.name] = bad.rename(q.name)
            parts = resolution.parts[q.name]
            values, bad_parts = _location_parts(q, {part: raw.frame[i] for part, i in parts.items()}, main)
            if values is not None:
                columns[q.name] = values
            location_parts[q.name] = {part: resolution.sources[i] for part, i in parts.items()}
            for part, cells in bad_parts.items():
                column = location_parts[q.name][part]
                unparsed[column] = cells.rename(column)
            continue
        if q.is_multiple and (q.name in by_target or q.name in resolution.options):
            combined = raw.frame[by_target[q.name]] if q.name in by_target else None
            if resolution.labels and resolution.options.get(q.name):
                combined = None  # choice labels joined by spaces cannot be split; the 0/1 columns can
            option_cols = {code: raw.frame[i] for code, i in resolution.options.get(q.name, {}).items()}
            values, bad, note = _multiple(q, combined, option_cols, raw.row_numbers, ROW_KINDS[fmt])
            columns[q.name] = values
            if len(bad):
                unparsed[q.name] = bad.rename(q.name)
            if note is not None:
                layout_notes.append(note)
            continue
        if q.name not in by_target:
            continue
        col = raw.frame[by_target[q.name]]
        if q.type == "single" and (any(c.name for c in q.codes) or resolution.labels):
            col = _choice_names_as_codes(col, q, by_label=resolution.labels)
        if q.type in ("single", "integer", "decimal"):
            values, bad = (_decimals if q.type == "decimal" else _integers)(col)
            columns[q.name] = values
            if len(bad):
                unparsed[q.name] = bad.rename(q.name)
        elif q.type in ("date", "time", "datetime"):
            values, bad = {"date": _dates, "time": _times, "datetime": _datetimes}[q.type](col)
            columns[q.name] = values
            if len(bad):
                unparsed[q.name] = bad.rename(q.name)
        elif q.type in LOCATION_TYPES:
            values, bad = _locations(col, q.type)
            columns[q.name] = values
            if len(bad):
                unparsed[q.name] = bad.rename(q.name)
        elif q.type == "postal_code":
            text = _text(col)
            columns[q.name] = normalise_postal_code(text)
            note = _zeros_restored(text, columns[q.name], raw.row_numbers, ROW_KINDS[fmt], q.name)
            if note is not None:
                raw.notes.append(note)
        else:
            columns[q.name] = _text(col)
    for i, name in enumerate(resolution.sources):
        if resolution.keep[i] and resolution.targets[i] is None:
            # An extra column never hides a variable: 'fodselsar' left over when a mapping made another
            # column fodselsar is kept as 'fodselsar (column 7)'.
            columns[name if name not in columns else f"{name} (column {i + 1})"] = raw.frame[i]
    # the columns are new arrays (the raw table is dropped after this): no copy of each into the frame
    frame = pd.DataFrame(columns, index=pd.RangeIndex(len(raw.frame)), copy=False)

    submissions = None
    if resolution.is_export:
        id_source = by_target.get(id_var)
        for name in SUBMISSION_COLUMNS:
            i = next((j for j, source in enumerate(resolution.sources) if source == name), None)
            if i is not None and i != id_source:
                submissions = (name, _text(raw.frame[i]))
                break
    rename = resolution.mapping
    value_labels = {rename.get(k, k): v for k, v in raw.value_labels.items() if _keeps(resolution, k)}
    variable_labels = {rename.get(k, k): v for k, v in raw.variable_labels.items() if _keeps(resolution, k)}
    return SurveyData(
        frame=frame,
        path=path,
        format=fmt,
        row_numbers=np.asarray(raw.row_numbers, dtype=np.int64),
        row_kind=ROW_KINDS[fmt],
        instrument=instrument,
        columns=rename,
        value_labels=value_labels,
        variable_labels=variable_labels,
        unparsed=unparsed,
        location_parts=location_parts,
        ignored_columns=resolution.ignored,
        unknown_columns=resolution.unknown,
        notes=tuple(raw.notes) + resolution.notes + tuple(layout_notes),
        is_export=resolution.is_export,
        submissions=submissions,
        encoding=raw.encoding,
        delimiter=raw.delimiter,
        sheet=raw.sheet,
    )


def _choice_names_as_codes(col: pd.Series, q, by_label: bool = False) -> pd.Series:
    """A single-choice column holding an XLSForm's text choice names (``ja``, ``veit_ikkje``) as codes;
    with ``by_label`` (a "Labels" export) also the choices' labels in any language (``Vet ikke``), a name
    first; anything else is left as it is, for the number check to judge."""
    text = _text(col)
    known = q.codes_by_name()
    codes = text.map(known)
    if by_label:
        labels: dict[str, set[int]] = {}
        for c in q.codes:
            for label in c.labels.values():
                labels.setdefault(" ".join(label.split()).casefold(), set()).add(c.code)
        unique = {k: next(iter(v)) for k, v in labels.items() if len(v) == 1}
        codes = codes.fillna(text.str.split().str.join(" ").str.casefold().map(unique))
    return text.where(codes.isna(), codes.astype("Int64").astype("string"))


def _multiple(q, combined: pd.Series | None, options: dict[int, pd.Series], row_numbers: np.ndarray, unit: str
              ) -> tuple[pd.Series, pd.Series, ReadNote | None]:
    """A select-multiple answer as its codes separated by spaces, in the order of the choices ("1 3").

    From the column of choice names separated by spaces (Kobo, ODK) or, without it, from the 0/1
    columns of every choice (a row with no 1 is no answer). Returns the values, the original text of
    cells that are not choices (for validation) and, when a file has both layouts and they disagree,
    a note saying where.
    """
    from fjernarbeid.data.multiple import codes_chosen, joined

    codes = list(q.valid_codes)
    n = len(combined) if combined is not None else len(next(iter(options.values())))
    index = pd.RangeIndex(n)
    from_options = None
    bad_options = pd.Series(False, index=index)
    if options:
        chosen = pd.DataFrame({code: _text(col).reset_index(drop=True) for code, col in options.items()}, index=index)
        ones = chosen.isin(["1", "True", "true", "1.0"])
        zeros = chosen.isin(["0", "False", "false", "0.0"])
        bad_options = (chosen.notna() & ~ones & ~zeros).any(axis=1)
        matrix = np.column_stack([ones[c].to_numpy() if c in ones.columns else np.zeros(n, dtype=bool)
                                  for c in codes])
        from_options = joined(matrix, codes)
    if combined is None:
        bad = pd.Series([], dtype=object)
        if bad_options.any():
            text = pd.DataFrame({code: _text(col).reset_index(drop=True) for code, col in options.items()})
            shown = text[bad_options].apply(lambda r: " ".join(f"{q.option_column(c)}={v}" for c, v in r.items()
                                                               if pd.notna(v)), axis=1)
            bad = shown.astype(object)
            from_options = from_options.mask(bad_options.to_numpy())
        return from_options, bad, None
    text = _text(combined).reset_index(drop=True)
    matrix, unknown = codes_chosen(text, q.codes_by_name(), codes)
    has_unknown = pd.Series(unknown, index=index)
    values = joined(matrix, codes).mask(unknown)
    bad = text[unknown].astype(object)
    note = None
    if from_options is not None:
        differ = (values.fillna("") != from_options.fillna("")) & ~has_unknown & ~bad_options
        if differ.any():
            where = ", ".join(f"{unit} {row_numbers[i]}" for i in np.flatnonzero(differ.to_numpy())[:5])
            note = ReadNote("multiple_layouts_disagree",
                            f"{q.name}: the column of choices and the 0/1 columns of each choice disagree at "
                            f"{int(differ.sum())} row(s) ({where}{' …' if differ.sum() > 5 else ''}); the column of "
                            "choices was read", column=q.name)
    return values, bad, note


def _zeros_restored(before: pd.Series, after: pd.Series, row_numbers: np.ndarray, unit: str,
                    column: str) -> ReadNote | None:
    """A warning when postal codes were read with the leading zeros a spreadsheet dropped put back
    ('150' → '0150'): a guess worth checking, since '150' could also be a typing error."""
    codes, uniques = pd.factorize(before.astype("string"), use_na_sentinel=True)
    if len(uniques) * 4 > len(before):  # mostly distinct values: the whole column at once
        changed = (before.notna() & (before.str.replace(r"\.0$", "", regex=True) != after)).fillna(False).to_numpy(bool)
    else:  # each distinct code once: the rows of a code were all changed or none
        distinct = pd.Series(uniques, dtype="string")
        present = np.flatnonzero(codes >= 0)
        first = np.zeros(len(uniques), dtype=np.intp)
        first[codes[present][::-1]] = present[::-1]  # each code's first row (the last write wins)
        restored = (distinct.str.replace(r"\.0$", "", regex=True).to_numpy(dtype=object)
                    != after.iloc[first].to_numpy(dtype=object)) if len(uniques) else np.zeros(0, dtype=bool)
        changed = np.append(np.asarray(restored, dtype=bool), False)[codes]
    if not changed.any():
        return None
    rows = np.flatnonzero(changed)
    examples = ", ".join(f"{unit} {row_numbers[r]}: {before.iloc[r]!r} → {after.iloc[r]!r}" for r in rows[:3])
    return ReadNote("postal_code_zero_restored",
                    f"{rows.size} postal code(s) had fewer than four digits and were read with leading zeros "
                    f"restored, as a spreadsheet drops them ({examples}{' …' if rows.size > 3 else ''}); check "
                    "that they are not typing errors", column=column)


def _keeps(resolution: ColumnResolution, source: str) -> bool:
    try:
        return resolution.keep[resolution.sources.index(source)]
    except ValueError:
        return False

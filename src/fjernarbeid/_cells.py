"""Cells that a spreadsheet would take for a formula, made inert — for every CSV and xlsx writer.

Excel, LibreOffice and Google Sheets evaluate a cell that starts with ``=``, ``+``, ``-`` or ``@``
(and, in CSV, one whose formula follows a tab or a carriage return they strip first), so free text
from a respondent such as ``=HYPERLINK("http://…","click")`` or ``+cmd|' /C calc'!A0`` becomes a
live formula in the researcher's spreadsheet (OWASP, "CSV Injection"). Every writer of a CSV or a
workbook passes its text cells through :func:`neutralise` (one cell) or :func:`neutralise_frame`
(a table): such a cell gets a leading apostrophe, which spreadsheets show as text and do not
evaluate. Numbers are left alone — ``-3`` stays the number -3 — and so is text that is a plain
number ("-3", "+47"), which a spreadsheet reads as a number, not a formula.
"""

from __future__ import annotations

import re

import pandas as pd

# What a spreadsheet may evaluate, after the blanks, tabs and line breaks it strips from the start.
_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\n")
_STRIPPED = " \t\r\n\u00a0"
_PLAIN_NUMBER = re.compile(r"[+-]?([0-9]+([.,][0-9]*)?|[.,][0-9]+)([eE][+-]?[0-9]+)?%?")


def is_formula_like(text: str) -> bool:
    """True when a spreadsheet could read ``text`` as a formula (see the module docstring)."""
    if not text or not (text[0] in _TRIGGERS or text[0] in _STRIPPED):
        return False
    core = text.lstrip(_STRIPPED)
    if text[0] in "\t\r\n" and core == "":
        return True
    if core == "" or core[0] not in "=+-@":
        return text[0] in "\t\r\n"  # a leading tab or line break: stripped by some importers
    return not _PLAIN_NUMBER.fullmatch(core)


def neutralise(value):
    """``value`` with a leading apostrophe if it is text a spreadsheet could evaluate; else as is."""
    if isinstance(value, str) and is_formula_like(value):
        return "'" + value
    return value


def neutralise_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A copy of ``frame`` whose text cells (and column names) are :func:`neutralise`-d; numeric
    columns are untouched. Only columns that need it are copied."""
    out = frame
    for column in frame.columns:
        series = frame[column]
        if pd.api.types.is_numeric_dtype(series.dtype) or pd.api.types.is_bool_dtype(series.dtype):
            continue
        if isinstance(series.dtype, pd.CategoricalDtype):
            categories = series.cat.categories
            if any(isinstance(c, str) and is_formula_like(c) for c in categories):
                if out is frame:
                    out = frame.copy()
                out[column] = series.cat.rename_categories([neutralise(c) for c in categories])
            continue
        text = series.dropna()
        if not any(isinstance(v, str) and is_formula_like(v) for v in text):
            continue
        if out is frame:
            out = frame.copy()
        out[column] = series.map(neutralise, na_action="ignore").astype(series.dtype)
    names = [neutralise(c) if isinstance(c, str) else c for c in out.columns]
    if names != list(out.columns):
        out = out.set_axis(names, axis=1)  # a new frame: the caller's is never changed
    return out


def restore(value):
    """The inverse of :func:`neutralise`, for a CSV the program wrote and reads back."""
    if isinstance(value, str) and value.startswith("'") and is_formula_like(value[1:]):
        return value[1:]
    return value


def make_workbook_inert(workbook) -> None:
    """Every text cell of an openpyxl ``workbook`` that a spreadsheet could evaluate becomes plain text.

    openpyxl stores any string starting with ``=`` as a formula; such a cell is turned back into a
    string, and it and every other formula-like text cell get Excel's "quote prefix" (the hidden
    apostrophe of a cell typed as ``'=1+1``), so that editing the cell does not arm it either. The
    text itself is shown unchanged. Call it just before saving; the package writes no formulas.
    """
    for sheet in workbook.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                value = cell.value
                if not isinstance(value, str):
                    continue
                if cell.data_type == "f" or is_formula_like(value):
                    cell.data_type = "s"
                    cell.quotePrefix = True


class _NeutralisingWriter:
    """A ``csv.writer``/``csv.DictWriter`` whose every cell passes :func:`neutralise`."""

    def __init__(self, writer):
        self._writer = writer

    def writerow(self, row):
        if isinstance(row, dict):
            return self._writer.writerow({k: neutralise(v) for k, v in row.items()})
        return self._writer.writerow([neutralise(v) for v in row])

    def writerows(self, rows):
        for row in rows:
            self.writerow(row)

    def writeheader(self):
        return self._writer.writeheader()

    def __getattr__(self, name):
        return getattr(self._writer, name)


def csv_writer(fileobj, **options) -> _NeutralisingWriter:
    """``csv.writer(fileobj, **options)`` that neutralises formula-like cells (for every CSV a
    person may open in a spreadsheet)."""
    import csv

    return _NeutralisingWriter(csv.writer(fileobj, **options))


def csv_dict_writer(fileobj, fieldnames, **options) -> _NeutralisingWriter:
    """``csv.DictWriter`` that neutralises formula-like cells."""
    import csv

    return _NeutralisingWriter(csv.DictWriter(fileobj, fieldnames, **options))

"""Check a fieldwork file against its questionnaire and say exactly what is wrong, where.

:func:`validate` takes what :func:`~fjernarbeid.data.read.read_survey` read and returns a
:class:`ValidationReport`: every problem with the respondent id, the row as the user sees it in
the file (:attr:`SurveyData.row_kind <fjernarbeid.data.read.SurveyData.row_kind>`), the column,
a stable rule name, a message and the offending value. Nothing is capped: a million bad rows
give a million items. All checks are column-wise (vectorised); no Python loop runs over rows.

Errors make the data unusable as delivered; warnings are worth reading but do not stop the
analysis. The split, one rule per line (:data:`RULES`):
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any, Callable

import numpy as np
import pandas as pd

from fjernarbeid.data.read import SurveyData, digit_keys
from fjernarbeid.errors import DataValidationError, MissingReferenceDataError
from fjernarbeid.instrument import Instrument, Question
from fjernarbeid.instrument.model import FORMAT_TYPES, NOT_ANALYSED_TYPES
from fjernarbeid.refdata import RefData

ERROR, WARNING = "error", "warning"

RULES: dict[str, tuple[str, str]] = {
    # -- errors: the file does not match the questionnaire --------------------------------------
    "empty_file": (ERROR, "the file has a header but no data rows"),
    "duplicate_column": (ERROR, "a column name appears more than once in the header"),
    "missing_column": (ERROR, "the id or a coded/integer/postal-code question has no column"),
    "missing_id": (ERROR, "a row has no respondent id"),
    "duplicate_id": (ERROR, "two or more rows share a respondent id (every one of them is listed)"),
    "duplicate_submission": (ERROR, "an export's submission (_uuid, meta/instanceID) occurs twice under two ids: "
                                    "an interview sent twice"),
    "not_numeric": (ERROR, "a coded, integer or decimal question holds something that is not a number"),
    "not_a_date": (ERROR, "a date question holds something that is not a date (YYYY-MM-DD)"),
    "not_a_time": (ERROR, "a time question holds something that is not a time of day (ISO 8601, HH:MM[:SS][±hh:mm])"),
    "not_a_datetime": (ERROR, "a date-time question (or start/end) holds something that is not a date and time "
                              "(ISO 8601, YYYY-MM-DDTHH:MM[:SS][±hh:mm])"),
    "not_a_location": (ERROR, "a geopoint, geotrace or geoshape holds something that is not 'latitude longitude "
                              "altitude accuracy' (points separated by ';'), or a split part out of its range"),
    "code_not_in_list": (ERROR, "a value is not one of the question's codes ('not sure' codes are valid)"),
    "birth_year_out_of_range": (ERROR, "birth year for which the target age was impossible during the fieldwork"),
    "household_size_range": (ERROR, "household size is outside the questionnaire's range"),
    "out_of_range": (ERROR, "an integer answer outside the question's range, or not a whole number"),
    "postal_code_format": (ERROR, "a postal code that is not four digits"),
    "postal_code_unknown": (ERROR, "a postal code that is not in the postal-code register"),
    "screened_out": (ERROR, "a screening answer that ends the interview, in a file of completed interviews"),
    "answered_but_skipped": (ERROR, "an answer to a question the routing skipped"),
    "required_missing": (ERROR, "no answer to a question the routing asked (or that everyone is asked)"),
    "exclusive_choice": (ERROR, "a multiple-choice answer combines a choice that must stand alone ('none', 'don't know') with others"),
    "multiple_layouts_disagree": (ERROR, "a multiple-choice question's column of choices and its 0/1 columns disagree"),
    "constraint_failed": (ERROR, "an answer breaks the question's constraint"),
    "choice_not_offered": (ERROR, "a cascading select's answer is not among the choices its filter offers for the earlier answer"),
    "check_failed": (ERROR, "the answers break a check across questions declared in the questionnaire"),
    "value_labels_conflict": (ERROR, "the file's value label of a code is the questionnaire's label of another code"),
    # -- warnings: worth reading, the data remain usable ----------------------------------------
    "missing_text_column": (WARNING, "an open-text question has no column"),
    "missing_unanalysed_column": (WARNING, "a time, location or attachment question has no column (never analysed)"),
    "text_missing": (WARNING, "an open-text question the routing asked is empty"),
    "column_renamed": (WARNING, "a column was matched to a variable by the automatic name normalisation"),
    "unknown_column": (WARNING, "a column that is not in the questionnaire (kept as an extra column)"),
    "derived_column": (WARNING, "a column named like a derived variable (recomputed from the answers)"),
    "ambiguous_column": (WARNING, "a column looks like a variable that another column is or also looks like; kept as extra"),
    "mapping_unused": (WARNING, "the mapping names a column the file does not have"),
    "id_from_metadata": (WARNING, "a Kobo/ODK export without an id column: the submission id is used"),
    "label_headers": (WARNING, "a Kobo 'Labels' export: columns named by question labels, cells by choice labels"),
    "unnamed_column": (WARNING, "a column has no name in the header"),
    "empty_rows": (WARNING, "empty rows between data rows were skipped"),
    "rows_before_header": (WARNING, "non-empty rows above the header (a title?) were skipped"),
    "other_sheets": (WARNING, "the workbook has more sheets than the one read"),
    "stray_carriage_return": (WARNING, "a carriage return inside an unquoted field, read as a space"),
    "formula_without_value": (WARNING, "a workbook cell holds a formula with no computed value (read as empty)"),
    "quote_not_closed": (WARNING, "a quoted cell runs over lines that look like whole records: a quote never closed?"),
    "postal_code_zero_restored": (WARNING, "postal codes of 1-3 digits read with the leading zeros restored"),
    "format_mismatch": (WARNING, "the file's content is another format than its extension says"),
    "routing_not_checked": (WARNING, "a routing condition uses a column the file does not have"),
    "postal_code_not_checked": (WARNING, "postal codes could not be checked against the register (and why)"),
    "screened_out_dropped": (WARNING, "screened-out submissions were dropped (--completes-only), how many"),
    "constraint_not_checked": (WARNING, "a constraint the conditions cannot express was not enforced"),
    "check_not_run": (WARNING, "a check across questions could not be run (a column or the reference data is missing)"),
    "value_labels_differ": (WARNING, "the file labels a code the questionnaire does not have"),
}
__doc__ += "\n" + "\n".join(f"* ``{name}`` ({sev}): {text}" for name, (sev, text) in RULES.items()) + "\n"

# Rule names of range checks that readers know by a name of their own; others are "out_of_range".
_RANGE_RULES = {"birth_year": "birth_year_out_of_range"}
# … and range checks of a question by its declared role (roles: household_size: …).
_ROLE_RANGE_CHECKS = {"household_size": "household_size_range"}

_COLUMNS = ["severity", "id", "row", "column", "rule", "message", "value"]


@dataclass(frozen=True)
class Problem:
    """One problem found: where (respondent ``id``, file ``row``, ``column``), which ``rule``, why."""

    severity: str
    rule: str
    message: str
    row: int | None = None
    column: str | None = None
    id: str | None = None
    value: Any = None

    def to_dict(self) -> dict[str, Any]:
        return {"id": self.id, "row": self.row, "column": self.column, "rule": self.rule,
                "message": self.message, "value": self.value}


class ValidationReport:
    """Every problem of one file, errors first, then in file order.

    ``table`` is the whole report as a data frame (columns ``severity, id, row, column, rule,
    message, value``), convenient for large reports; ``errors``/``warnings`` give
    :class:`Problem` objects.
    """

    def __init__(self, table: pd.DataFrame, *, path: Path | None = None, rows: int = 0,
                 row_kind: str = "row", description: str = ""):
        self.table = table.reset_index(drop=True)
        self.path = path
        self.rows = rows
        self.row_kind = row_kind
        self.description = description

    def __repr__(self) -> str:
        return f"<ValidationReport {self.path}: {self.n_errors} errors, {self.n_warnings} warnings>"

    @property
    def n_errors(self) -> int:
        return int((self.table["severity"] == ERROR).sum())

    @property
    def n_warnings(self) -> int:
        return int((self.table["severity"] == WARNING).sum())

    @property
    def ok(self) -> bool:
        """True when there is no error (warnings allowed)."""
        return self.n_errors == 0

    @cached_property
    def errors(self) -> list[Problem]:
        return self._problems(ERROR)

    @cached_property
    def warnings(self) -> list[Problem]:
        return self._problems(WARNING)

    def _records(self, severity: str, keys: list[str]) -> list[dict[str, Any]]:
        part = self.table[self.table["severity"] == severity]
        columns = [_plain(part[k]).tolist() for k in keys]
        return [dict(zip(keys, values)) for values in zip(*columns)]

    def _problems(self, severity: str) -> list[Problem]:
        return [Problem(**r) for r in self._records(severity, _COLUMNS)]

    def to_dict(self) -> dict[str, list[dict[str, Any]]]:
        """``{"errors": [...], "warnings": [...]}``, each item ``{id, row, column, rule, message, value}``."""
        keys = _COLUMNS[1:]
        return {"errors": self._records(ERROR, keys), "warnings": self._records(WARNING, keys)}

    def counts(self) -> pd.DataFrame:
        """Number of problems by severity and rule, errors first."""
        if self.table.empty:
            return pd.DataFrame({"severity": [], "rule": [], "count": []})
        c = self.table.groupby(["severity", "rule"], sort=False).size().rename("count").reset_index()
        return c.sort_values(["severity", "count"], ascending=[True, False], kind="stable").reset_index(drop=True)

    def raise_for_errors(self) -> "ValidationReport":
        """Raise :class:`DataValidationError` (carrying this report) if there is any error."""
        if not self.ok:
            raise DataValidationError(
                f"{self.path}: {self.n_errors} validation error(s); first: {self.errors[0].message}", report=self)
        return self


def _plain(col: pd.Series) -> pd.Series:
    """Python objects with None for missing, ready for JSON."""
    out = col.astype(object)
    return out.where(col.notna().to_numpy(), None)


# -- collecting problems --------------------------------------------------------------------


class _Collector:
    """Problems as column-wise batches: positions in the frame (-1: the file or a column as a whole)."""

    def __init__(self) -> None:
        self.parts: list[pd.DataFrame] = []
        self._once: list[tuple[str, str | None, Any, Any]] = []  # problems of the file, not yet in parts

    def rows(self, rule: str, column: str | None, positions: np.ndarray, message, value) -> None:
        positions = np.asarray(positions, dtype=np.int64)
        if positions.size == 0:
            return
        self._flush()
        self.parts.append(pd.DataFrame({
            "pos": positions,
            "rule": rule,
            "column": column,
            "message": _clipped(_aligned(message, positions.size)),
            "value": _aligned(value, positions.size),
        }))

    def once(self, rule: str, message: str, column: str | None = None, value: Any = None) -> None:
        self._once.append((rule, column, message, value))

    def _flush(self) -> None:
        """The problems of the file as a whole, in one frame per run of alike ones (a frame each took
        most of the time for a file of 10,000 unknown columns). Alike: the same types of column and
        value, so that each column's type is the one it had with a frame per problem."""
        def kind(problem):
            return type(problem[1]), type(problem[3])

        for _, group in itertools.groupby(self._once, key=kind):
            batch = list(group)
            self.parts.append(pd.DataFrame({
                "pos": np.full(len(batch), -1, dtype=np.int64),
                "rule": [p[0] for p in batch],
                "column": [p[1] for p in batch],
                "message": _clipped([p[2] for p in batch]),
                "value": [p[3] for p in batch],
            }))
        self._once = []

    def report(self, data: SurveyData, column_order: list[str]) -> ValidationReport:
        self._flush()
        if not self.parts:
            table = pd.DataFrame({c: pd.Series(dtype=object) for c in _COLUMNS})
            return ValidationReport(table, path=data.path, rows=len(data), row_kind=data.row_kind,
                                    description=data.description)
        t = pd.concat(self.parts, ignore_index=True)
        pos = t["pos"].to_numpy()
        at_row = pos >= 0
        safe = np.where(at_row, pos, 0)
        row = pd.array(data.row_numbers[safe] if len(data) else np.zeros(len(t), np.int64), dtype="Int64")
        row[~at_row] = pd.NA
        id_var = data.instrument.id_variable
        if id_var in data.frame.columns and len(data):
            ids = data.frame[id_var].astype("string").take(safe).array
            ids[~at_row] = pd.NA
        else:
            ids = pd.array([pd.NA] * len(t), dtype="string")
        order = {name: i for i, name in enumerate(column_order)}
        severity = t["rule"].map({rule: sev for rule, (sev, _) in RULES.items()})
        if severity.isna().any():  # pragma: no cover - a check emitted a rule missing from RULES
            raise AssertionError(f"rules without a severity: {sorted(set(t['rule'][severity.isna()]))}")
        table = pd.DataFrame({
            "severity": severity,
            "id": ids,
            "row": row,
            "column": t["column"],
            "rule": t["rule"],
            "message": t["message"].astype(object),
            "value": t["value"],
        })
        key = pd.DataFrame({
            "s": (severity != ERROR).astype(int),
            "p": pos,
            "c": t["column"].map(order).fillna(-1),
        })
        table = table.iloc[np.lexsort((key["c"].to_numpy(), key["p"].to_numpy(), key["s"].to_numpy()))]
        return ValidationReport(table, path=data.path, rows=len(data), row_kind=data.row_kind,
                                description=data.description)


def _aligned(x, n: int):
    if isinstance(x, pd.Series):
        return x.to_numpy(dtype=object) if len(x) == n else _fail(n, len(x))
    if isinstance(x, np.ndarray):
        return x.astype(object)
    return [x] * n


def _fail(n: int, m: int):  # pragma: no cover - programming error
    raise AssertionError(f"{m} messages for {n} problems")


_LONGEST_MESSAGE = 400


def _clipped(messages):
    """Messages cut at 400 characters: a 10 MB cell quoted in full would bury the table (and take
    minutes to lay out); the cell itself stays in the problem's value."""
    return [_clip_one(m) if isinstance(m, str) else m for m in messages]


def _clip_one(text: str) -> str:
    return f"{text[:_LONGEST_MESSAGE]}… ({len(text):,} characters)" if len(text) > _LONGEST_MESSAGE else text


def _show(values: pd.Series) -> pd.Series:
    """Values as message text: numbers bare, text quoted."""
    if pd.api.types.is_numeric_dtype(values.dtype):
        return values.astype("string")
    if isinstance(values.dtype, pd.StringDtype):
        return "'" + values + "'"
    text = values.astype(str)
    is_text = values.map(lambda v: isinstance(v, str))
    return text.where(~is_text, "'" + text + "'")


def _codes_text(codes: tuple[int, ...]) -> str:
    codes = sorted(codes)
    if codes and codes == list(range(codes[0], codes[-1] + 1)) and len(codes) > 2:
        return f"{codes[0]}-{codes[-1]}"
    return ", ".join(str(c) for c in codes)


def _norm_label(text: str) -> str:
    return re.sub(r"\s+", " ", str(text)).strip().strip(".:").casefold()


# -- the checks ---------------------------------------------------------------------------------


def validate(
    data: SurveyData,
    instrument: Instrument | None = None,
    refdata: RefData | str | Path | None = None,
) -> ValidationReport:
    """Check ``data`` against ``instrument`` (by default the one it was read with).

    Postal codes are looked up in the postal-code register of ``refdata`` (a :class:`RefData`
    or a directory; ``None`` looks where :meth:`RefData.locate` looks). Without a register they
    are checked for format only and one ``postal_code_not_checked`` warning says why.
    """
    instrument = instrument if instrument is not None else data.instrument
    frame = data.frame
    out = _Collector()
    for note in data.notes:
        out.once(note.rule, note.message, column=note.column)
    column_order = [instrument.id_variable, *instrument.names, *[c for c in frame.columns]]
    if len(frame) == 0:
        out.once("empty_file", f"{data.path.name}: the file has a header but no data rows")
        return out.report(data, column_order)

    _check_columns(out, frame, instrument)
    _check_ids(out, frame, instrument, data)
    clean = _check_values(out, data, instrument)
    _check_postal_register(out, frame, instrument, refdata)
    _check_routing(out, data, clean, instrument)
    _check_constraints(out, data, clean, instrument)
    _check_choice_filters(out, data, clean, instrument)
    _check_declared_checks(out, data, clean, instrument, refdata)
    _check_value_labels(out, data, instrument)
    return out.report(data, column_order)


def _about(q: Question, width: int = 60) -> str:
    """'tilfreds (11. How satisfied are you with …)': which question, briefly."""
    text = q.label("en")
    if len(text) > width:
        text = text[:width].rsplit(" ", 1)[0] + " …"
    return f"{q.name} ({q.number}. {text})"


def _check_columns(out: _Collector, frame: pd.DataFrame, instrument: Instrument) -> None:
    if instrument.id_variable not in frame.columns:
        out.once("missing_column", f"the file has no respondent-id column {instrument.id_variable!r}",
                 column=instrument.id_variable)
    for q in instrument:
        if q.name in frame.columns:
            continue
        if q.metadata:  # the device's own record: an export has it, a file made otherwise need not
            continue
        if q.type == "text":
            out.once("missing_text_column", f"the file has no column for the open answer {_about(q)}",
                     column=q.name)
        elif q.type in NOT_ANALYSED_TYPES and q.type not in ("date", "postal_code"):
            out.once("missing_unanalysed_column", f"the file has no column for {_about(q)} ({q.type}; carried, "
                     "never analysed)", column=q.name)
        else:
            out.once("missing_column", f"the file has no column for {_about(q)}", column=q.name)


def _check_ids(out: _Collector, frame: pd.DataFrame, instrument: Instrument, data: SurveyData) -> None:
    id_var = instrument.id_variable
    if id_var not in frame.columns:
        return
    ids = frame[id_var]
    missing = ids.isna().to_numpy()
    out.rows("missing_id", id_var, np.flatnonzero(missing), "the row has no respondent id", None)
    keys = digit_keys(ids)  # ids of digits (nearly always): duplicates among integers, not strings
    dup = ((pd.Series(keys).duplicated(keep=False).to_numpy() & (keys >= 0)) if keys is not None
           else (ids.duplicated(keep=False) & ids.notna()).to_numpy())
    if dup.any():
        where = np.flatnonzero(dup)
        d = pd.DataFrame({"id": ids.to_numpy()[where], "line": data.row_numbers[where]})
        group = d.groupby("id", sort=False)["line"]
        count, first = group.transform("size"), group.transform("min")
        message = ("id '" + d["id"].astype(str) + "' occurs " + count.astype(str) + f" times (first at {data.row_kind} "
                   + first.astype(str) + ")")
        out.rows("duplicate_id", id_var, where, message, d["id"].astype(object))
    if data.submissions is not None:
        _check_submissions(out, data, ids)


def _check_submissions(out: _Collector, data: SurveyData, ids: pd.Series) -> None:
    """An interview sent twice: KoboToolbox keeps both copies, each with its own ``_id`` but the same ``_uuid``."""
    column, keys = data.submissions
    dup = (keys.duplicated(keep=False) & keys.notna()).to_numpy()
    if not dup.any():
        return
    where = np.flatnonzero(dup)
    d = pd.DataFrame({"key": keys.to_numpy()[where], "line": data.row_numbers[where]})
    group = d.groupby("key", sort=False)["line"]
    count, first = group.transform("size"), group.transform("min")
    message = (f"{column} '" + d["key"].astype(str) + "' occurs " + count.astype(str) + f" times (first at "
               f"{data.row_kind} " + first.astype(str) + "): the same interview was sent more than once; keep one "
               "of them")
    out.rows("duplicate_submission", column, where, message, d["key"].astype(object))


def _range_rule(q: Question, instrument: Instrument) -> str:
    if q.range_rule in _RANGE_RULES:
        return _RANGE_RULES[q.range_rule]
    for role, rule in _ROLE_RANGE_CHECKS.items():
        if instrument.roles.get(role) == q.name:
            return rule
    return "out_of_range"


def _range_reason(q: Question, instrument: Instrument, lo: int, hi: int) -> str:
    if q.range_rule == "birth_year":
        return (f"born outside {lo}-{hi}, the respondent cannot have been {instrument.min_age}-{instrument.max_age} "
                f"years old during the fieldwork ({instrument.fieldwork_start} to {instrument.fieldwork_end})")
    if q.type == "decimal":
        return f"{q.name} must be a number from {lo:g} to {hi:g}"
    return f"{q.name} must be a whole number from {lo} to {hi}"


# What a date, time or date-time must look like, for the rule and the message naming the cell.
_FORMATS = {"date": ("not_a_date", "a date (YYYY-MM-DD)"),
            "time": ("not_a_time", "a time of day (HH:MM or HH:MM:SS, with an offset such as +01:00 if any)"),
            "datetime": ("not_a_datetime", "a date and time (YYYY-MM-DDTHH:MM:SS, with an offset such as +01:00 "
                                           "if any)")}


def _check_format(out: _Collector, data: SurveyData, q: Question) -> None:
    """Dates, times, date-times and locations that are not in their format, each naming its cell;
    a geopoint's split columns of a KoboToolbox export (``_sted_latitude`` …) each in its range."""
    from fjernarbeid.data.read import location_problem

    raw = data.unparsed.get(q.name)
    if raw is not None and not raw.empty:
        if q.type in _FORMATS:
            rule, what = _FORMATS[q.type]
            out.rows(rule, q.name, raw.index.to_numpy(), f"{q.name} = '" + raw.astype(str) + f"' is not {what}", raw)
        else:
            reasons = [location_problem(str(v), q.type) or "" for v in raw]
            out.rows("not_a_location", q.name, raw.index.to_numpy(),
                     pd.Series([f"{q.name} = {str(v)!r} is not a {q.type} ('latitude longitude altitude accuracy'"
                                f"{', points separated by ;' if q.type != 'geopoint' else ''}): {why}"
                                for v, why in zip(raw, reasons)], dtype=object), raw)
    for part, column in data.location_parts.get(q.name, {}).items():
        cells = data.unparsed.get(column)
        if cells is None or cells.empty:
            continue
        bounds = {"latitude": "a number from -90 to 90", "longitude": "a number from -180 to 180",
                  "altitude": "a number", "precision": "a number, 0 or more"}[part]
        out.rows("not_a_location", column, cells.index.to_numpy(),
                 f"{column} = '" + cells.astype(str) + f"' is not a {part} of {q.name} ({bounds})", cells)


def _check_values(out: _Collector, data: SurveyData, instrument: Instrument) -> pd.DataFrame:
    """Codes, numbers, ranges and postal-code format. Returns the frame with every invalid value
    set to missing, which is what routing is judged on (a wrong code is reported once, as itself,
    not again as a routing error of every question that depends on it)."""
    frame = data.frame
    clean = {}
    for q in instrument:
        if q.name not in frame.columns:
            continue
        col = frame[q.name]
        if q.type in ("single", "integer", "decimal"):
            _check_unparsed(out, data, q, instrument)
        if q.type in FORMAT_TYPES:
            _check_format(out, data, q)
        if q.type == "single":
            if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):  # numpy's isin: no hashing
                values = col.to_numpy(dtype=float, na_value=np.nan)
                bad = ~np.isnan(values) & ~np.isin(values, [float(c) for c in q.valid_codes])
            else:
                bad = (col.notna() & ~col.isin(q.valid_codes)).to_numpy()
            if not bad.any():
                clean[q.name] = col
                continue
            out.rows("code_not_in_list", q.name, np.flatnonzero(bad),
                     f"{q.name} = " + _show(col[bad]) + f" is not one of its codes ({_codes_text(q.valid_codes)})",
                     col[bad].astype(object))
            clean[q.name] = col.mask(bad)
        elif q.is_number:
            rng = instrument.range_of(q)
            clean[q.name] = col
            if rng is not None:
                lo, hi = rng
                bad = (col.notna() & ((col < lo) | (col > hi))).fillna(False).to_numpy()
                span = f"{lo:g}-{hi:g}" if q.type == "decimal" else f"{lo}-{hi}"
                out.rows(_range_rule(q, instrument), q.name, np.flatnonzero(bad),
                         f"{q.name} = " + _show(col[bad]) + f" is outside {span}: " + _range_reason(q, instrument, lo, hi),
                         col[bad].astype(object))
        elif q.type == "multiple":
            raw = data.unparsed.get(q.name)
            if raw is not None and not raw.empty:
                names = q.codes_by_name()
                text = raw.astype(str)
                wrong = text.map(lambda t: ", ".join(repr(x) for x in t.split() if x not in names and "=" not in x)
                                 or t)
                out.rows("code_not_in_list", q.name, raw.index.to_numpy(),
                         f"{q.name} = '" + text + "': " + wrong + " is not one of its choices ("
                         + ", ".join(c.name or str(c.code) for c in q.codes) + ")", raw)
            if q.exclusive:
                tokens = col.str.split()
                count = tokens.str.len().fillna(0).to_numpy()
                for code in sorted(q.exclusive):
                    alone = (" " + col.fillna("") + " ").str.contains(f" {code} ", regex=False).to_numpy() & (count > 1)
                    shown = q.code(code).name or str(code)
                    out.rows("exclusive_choice", q.name, np.flatnonzero(alone),
                             f"{q.name} = '" + col[alone].astype(str) + f"': {shown} ({q.code(code).label('en')}) "
                             "must be chosen alone", col[alone].astype(object))
            clean[q.name] = col
        elif q.type == "postal_code":
            bad = _on_distinct(col, lambda codes: ~codes.str.fullmatch(r"\d{4}").fillna(False).astype(bool))
            out.rows("postal_code_format", q.name, np.flatnonzero(bad),
                     f"{q.name} = " + _show(col[bad]) + " is not a four-digit postal code",
                     col[bad].astype(object))
            clean[q.name] = col.mask(bad)
        else:
            clean[q.name] = col
    return pd.DataFrame(clean, index=frame.index, copy=False)  # read only (routing is judged on it): no copies


def _check_unparsed(out: _Collector, data: SurveyData, q: Question, instrument: Instrument) -> None:
    """Cells of a numeric question that did not read as whole numbers: not numbers at all, or
    numbers with a fraction (which are out of range / not a code)."""
    raw = data.unparsed.get(q.name)
    if raw is None or raw.empty:
        return
    text = raw.astype(str)
    number = pd.to_numeric(text.str.replace(r"^([+-]?\d+),(\d+)$", r"\1.\2", regex=True), errors="coerce")
    is_number = number.notna().to_numpy()
    positions = raw.index.to_numpy()
    words = ~is_number
    if words.any():
        message = f"{q.name} = '" + text[words] + "' is not a number"
        if q.codes:
            labels = {}
            for c in q.codes:
                for label in c.labels.values():
                    labels.setdefault(_norm_label(label), c.code)
            code = text[words].map(_norm_label).map(labels)
            hint = ("; it is the label of code " + code.astype("Int64").astype(str)
                    + ": the file seems to hold labels instead of codes")
            message = message + hint.where(code.notna(), "")
            if q.type == "single" and any(c.name for c in q.codes):
                # an export of choice names: a word is a name the list does not have
                names = ", ".join(c.name or str(c.code) for c in q.codes)
                choice = (f"{q.name} = '" + text[words] + f"' is not one of its choices ({names})"
                          + hint.where(code.notna(), ""))
                out.rows("code_not_in_list", q.name, positions[words], choice, raw[words])
                words = np.zeros_like(words)
        if words.any():
            out.rows("not_numeric", q.name, positions[words], message, raw[words])
    if is_number.any():
        shown = f"{q.name} = " + text[is_number]
        if q.type == "single":
            out.rows("code_not_in_list", q.name, positions[is_number],
                     shown + f" is not one of its codes ({_codes_text(q.valid_codes)})", raw[is_number])
        elif q.type == "decimal":  # inf, 1e309: numbers no estimate can use
            out.rows("not_numeric", q.name, positions[is_number],
                     shown + " is not a finite number", raw[is_number])
        else:
            rng = instrument.range_of(q)
            reason = (_range_reason(q, instrument, *rng) if rng else f"{q.name} must be a whole number")
            out.rows(_range_rule(q, instrument) if rng else "out_of_range", q.name, positions[is_number],
                     shown + " is not a whole number: " + reason, raw[is_number])


def _on_distinct(col: pd.Series, test: Callable[[pd.Series], pd.Series]) -> np.ndarray:
    """``test`` (a Series → boolean Series function) of every cell of ``col``, computed once per
    distinct value (a postal code column has a few thousand among its n cells); False where missing."""
    codes, uniques = pd.factorize(col)
    per_value = np.append(np.asarray(test(pd.Series(uniques)), dtype=bool), False)  # code −1: missing
    return per_value[codes]


def _check_postal_register(out: _Collector, frame: pd.DataFrame, instrument: Instrument, refdata) -> None:
    try:
        question = instrument.question_for_role("postal_code")
    except KeyError:
        return
    if question.name not in frame.columns:
        return
    if not isinstance(refdata, RefData):
        refdata = RefData.locate(refdata)
    try:
        register = refdata.postal_codes()
        source = refdata.path("postal_codes").name
    except MissingReferenceDataError as exc:
        out.once("postal_code_not_checked",
                 f"postal codes were checked for format only, not against the postal-code register: {exc}",
                 column=question.name)
        return
    col = frame[question.name]
    known = register["postal_code"]
    unknown = _on_distinct(col, lambda codes: codes.str.fullmatch(r"\d{4}").fillna(False).astype(bool)
                           & ~codes.isin(known))
    out.rows("postal_code_unknown", question.name, np.flatnonzero(unknown),
             f"{question.name} = '" + col[unknown].astype(str) + f"' is not in the postal-code register ({source})",
             col[unknown].astype(object))


def _answered(data: SurveyData, q: Question) -> pd.Series:
    col = data.frame[q.name]
    answered = col.notna()
    if q.name in data.unparsed:  # something was there, even if not a valid number
        answered = answered | pd.Series(col.index.isin(data.unparsed[q.name].index), index=col.index)
    return answered


def _context(clean: pd.DataFrame, variables: list[str], where: np.ndarray) -> pd.Series:
    """'dagar_heime = 0' (and 'kommune = 4622' …) for the rows ``where``: the answers a routing decision used."""
    parts = [v + " = " + clean[v].iloc[where].astype("string").fillna("(missing)").reset_index(drop=True)
             for v in variables]
    text = parts[0]
    for p in parts[1:]:
        text = text + ", " + p
    return text.astype(object)


def _check_routing(out: _Collector, data: SurveyData, clean: pd.DataFrame, instrument: Instrument) -> None:
    """Screening, skips and required answers, in interview order.

    A respondent screened out at S1/S2 is reported once (``screened_out``); the questions after
    the screen-out are then not required of them. Where a routing condition is unknown because
    an answer it uses is missing or invalid, that answer is what gets reported.
    """
    frame = data.frame
    n = len(frame)
    screened = np.zeros(n, dtype=bool)  # screened out at an earlier question
    for q in instrument:
        if q.name not in frame.columns:
            continue
        answered = _answered(data, q).to_numpy()
        in_scope = ~screened
        if q.ask_if is None:
            asked = np.ones(n, dtype=bool)
            not_asked = np.zeros(n, dtype=bool)
            variables: list[str] = []
        else:
            variables = sorted(q.ask_if.variables)
            absent = [v for v in variables if v not in clean.columns]
            if absent:
                out.once("routing_not_checked", f"the routing of {q.name} ({q.ask_if}) was not checked: the "
                         f"file has no column {', '.join(absent)}", column=q.name)
                continue
            decision = q.ask_if.evaluate(clean)
            asked = decision.fillna(False).to_numpy(dtype=bool)
            not_asked = (~decision).fillna(False).to_numpy(dtype=bool)

        skipped = np.flatnonzero(answered & not_asked & in_scope)
        if skipped.size:
            out.rows("answered_but_skipped", q.name, skipped,
                     f"{q.name} is answered (" + _show(_value(data, q, skipped)) + ") but should have been skipped: "
                     f"it is asked only if {q.ask_if}, and here " + _context(clean, variables, skipped),
                     _value(data, q, skipped))

        required = np.flatnonzero(~answered & asked & in_scope) if q.required else np.array([], dtype=np.int64)
        if required.size:
            rule = "text_missing" if q.type == "text" else "required_missing"
            if q.ask_if is None:
                message = f"{q.name} has no answer, but every respondent is asked it"
            else:
                message = (f"{q.name} has no answer, but it is asked when {q.ask_if}, and here "
                           + _context(clean, variables, required))
            out.rows(rule, q.name, required, message, None)

        if q.screen_out:
            col = clean[q.name]
            out_here = col.isin(sorted(q.screen_out)).fillna(False).to_numpy() & in_scope
            hits = np.flatnonzero(out_here)
            if hits.size:
                labels = col[hits].map(q.code_labels("en")).astype(str)
                out.rows("screened_out", q.name, hits,
                         f"{q.name} = " + col[hits].astype(str) + " (" + labels + ") screens the respondent out"
                         + (f" ({q.screening})" if q.screening else "")
                         + "; a file of completed interviews cannot contain them",
                         col[hits].astype(object))
            screened |= out_here


def _check_constraints(out: _Collector, data: SurveyData, clean: pd.DataFrame, instrument: Instrument) -> None:
    """Each answer against its question's constraint (XLSForm `constraint`, '.' is the answer)."""
    frame = clean.join(data.frame.drop(columns=[c for c in clean.columns if c in data.frame.columns]))
    for q in instrument:
        if q.name not in frame.columns:
            continue
        if q.unenforced_constraint:
            out.once("constraint_not_checked", f"the constraint of {q.name} ({q.unenforced_constraint}) uses what "
                     "the conditions cannot express; it was not enforced", column=q.name)
        if q.constraint is None:
            continue
        absent = sorted(q.constraint.variables - set(frame.columns))
        if absent:
            out.once("constraint_not_checked", f"the constraint of {q.name} ({q.constraint}) was not checked: the "
                     f"file has no column {', '.join(absent)}", column=q.name)
            continue
        broken = np.flatnonzero((~q.constraint.evaluate(frame)).fillna(False).to_numpy(dtype=bool)
                                & frame[q.name].notna().to_numpy())
        if broken.size:
            why = q.constraint_message.get("en") or next(iter(q.constraint_message.values()), "")
            out.rows("constraint_failed", q.name, broken,
                     f"{q.name} = " + _show(frame[q.name].iloc[broken]).reset_index(drop=True)
                     + f" breaks its constraint {q.constraint}" + (f": {why}" if why else ""),
                     frame[q.name].iloc[broken].astype(object).reset_index(drop=True))


def _check_choice_filters(out: _Collector, data: SurveyData, clean: pd.DataFrame, instrument: Instrument) -> None:
    """A cascading select (XLSForm ``choice_filter``): the answer must be one of the choices the filter offers
    for the answer to the earlier question (a town of the municipality given). Unknown earlier answers and the
    question's "don't know" codes are not judged."""
    for q in instrument:
        if q.choice_filter is None or q.name not in clean.columns:
            continue
        parent, allowed = q.choice_filter
        if parent not in clean.columns:
            out.once("constraint_not_checked", f"the choice filter of {q.name} was not checked: the file has no "
                     f"column {parent}", column=q.name)
            continue
        x = pd.to_numeric(clean[q.name], errors="coerce")
        p = pd.to_numeric(clean[parent], errors="coerce")
        judged = x.notna() & p.isin(list(allowed)) & ~x.isin(q.missing_codes)
        # Blank cells are pd.NA in a nullable column (a screened-out submission): never compared, only skipped.
        offered = [allowed.get(int(a), frozenset()) if pd.notna(a) else frozenset() for a in p]
        in_offer = pd.Series([pd.notna(v) and int(v) in o for v, o in zip(x, offered)], index=x.index)
        bad = np.flatnonzero((judged & ~in_offer).to_numpy())
        if not bad.size:
            continue
        labels, parent_labels = q.code_labels("nb"), instrument[parent].code_labels("nb")
        messages = [f"{q.name} = {labels.get(int(x.iloc[i]), int(x.iloc[i]))} is not offered when {parent} = "
                    f"{parent_labels.get(int(p.iloc[i]), int(p.iloc[i]))} (its choices there: "
                    f"{', '.join(labels[c] for c in sorted(allowed[int(p.iloc[i])]) if c in labels) or 'none'})"
                    for i in bad]
        out.rows("choice_not_offered", q.name, bad, pd.Series(messages), x.iloc[bad].astype(object).reset_index(drop=True))


def _check_declared_checks(out: _Collector, data: SurveyData, clean: pd.DataFrame, instrument: Instrument,
                           refdata) -> None:
    """The questionnaire's checks across questions (e.g. the postal code lies in the municipality
    answered), on the valid answers and the derived variables they use."""
    if not instrument.checks:
        return
    from dataclasses import replace

    from fjernarbeid.data.derive import derive

    frame = clean.join(data.frame.drop(columns=[c for c in clean.columns if c in data.frame.columns]))
    needed = set().union(*(c.variables for c in instrument.checks))
    derived = tuple(d for d in instrument.derived if d.name in needed)
    reason = ""
    if derived:
        try:
            if not isinstance(refdata, RefData) and any(d.needs_refdata for d in derived):
                refdata = RefData.locate(refdata)
            have = set(frame.columns)
            usable = tuple(d for d in derived if (d.expr.variables if d.expr is not None else {d.source}) <= have)
            frame = derive(frame, replace(instrument, derived=usable), refdata, skip_unavailable=True)
            if frame.attrs.get("derived_skipped"):
                reason = "the reference data (postal-code register) are not available"
        except (MissingReferenceDataError, ValueError) as exc:
            reason = str(exc)
    for check in instrument.checks:
        absent = sorted(check.variables - set(frame.columns))
        if absent:
            out.once("check_not_run", f"check {check.name} ({check.rule}) was not run: no column "
                     f"{', '.join(absent)}" + (f" ({reason})" if reason else ""), column=check.column)
            continue
        holds = check.rule.evaluate(frame)
        broken = (~holds).fillna(False).to_numpy(dtype=bool)
        if check.when is not None:
            broken &= check.when.evaluate(frame).fillna(False).to_numpy(dtype=bool)
        where = np.flatnonzero(broken)
        if where.size:
            variables = [v for v in [check.column, *sorted(check.variables)] if v in frame.columns]
            variables = list(dict.fromkeys(variables))
            out.rows("check_failed", check.column, where,
                     f"check {check.name}: {check.label('en')} ({check.rule}; here " + _context(frame, variables, where)
                     + ")", frame[check.column].iloc[where].astype(object).reset_index(drop=True)
                     if check.column in frame.columns else None)


def _value(data: SurveyData, q: Question, positions: np.ndarray) -> pd.Series:
    """The delivered value at ``positions``: the typed value, or the original text if it did not convert."""
    values = data.frame[q.name].iloc[positions].astype(object)
    if q.name in data.unparsed:
        raw = data.unparsed[q.name]
        values = values.where(~values.index.isin(raw.index), raw.reindex(values.index))
    return values.reset_index(drop=True)


def _check_value_labels(out: _Collector, data: SurveyData, instrument: Instrument) -> None:
    """SPSS/Stata value labels against the questionnaire's: a reversed or recoded scale shows here."""
    for q in instrument:
        file_labels = data.value_labels.get(q.name)
        if not file_labels or not q.codes:
            continue
        ours: dict[str, int] = {}
        for c in q.codes:
            for label in c.labels.values():
                ours.setdefault(_norm_label(label), c.code)
        valid = set(q.valid_codes)
        for code, label in file_labels.items():
            meant = ours.get(_norm_label(label))
            if meant is not None and meant != code:
                out.once("value_labels_conflict",
                         f"in the file, {q.name} code {code} is labelled {label!r}, which is code {meant} in the "
                         "questionnaire: the codes may be reversed or recoded", column=q.name, value=code)
            elif code not in valid:
                out.once("value_labels_differ",
                         f"in the file, {q.name} has a label for code {code} ({label!r}), which the questionnaire "
                         f"does not have (its codes: {_codes_text(q.valid_codes)})", column=q.name, value=code)

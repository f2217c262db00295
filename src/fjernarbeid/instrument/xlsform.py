"""The instrument as an XLSForm, and back.

An XLSForm (https://xlsform.org) is the spreadsheet form definition that ODK, KoboToolbox,
SurveyCTO and Enketo read. :func:`write_xlsform` turns an :class:`~fjernarbeid.instrument.Instrument`
into one that ``pyxform`` converts without errors; :func:`read_xlsform` reads such a workbook back
into the same instrument (``read_xlsform(write_xlsform(inst, p)) == inst``), so a researcher can
edit the questionnaire in a spreadsheet and load it with ``load_instrument("form.xlsx")``.

Layout
------
``survey``
    One row per question, in interview order, with ``label::Norsk bokmål (nb)`` and
    ``label::English (en)`` (one column per language), ``hint::…`` for clarifications that are
    read out, ``guidance_hint::…`` for interviewer instructions ("REGISTRER ANTALL PERSONER"),
    ``required``, ``relevant`` (routing: ``${dagar_heime} > 0``), ``constraint`` and
    ``constraint_message::…`` (integer ranges, e.g. birth year 1964-2000; postal codes
    ``regex(., '^[0-9]{4}$')``). Preambles, the introduction and the closing words are ``note``
    rows. Screening is done the XLSForm way: every screening question's answer feeds the
    ``calculate`` field ``disposition`` (``screened_out_s1``, ``screened_out_s2``, ``complete``),
    everything after a screening question sits in a group whose ``relevant`` excludes those it
    screened out, and a final ``note`` thanks the screened-out respondents.
``choices``
    The code lists. A list shared by several questions (``agree5``) is written once and reused by
    name; a question's own list carries the question's name (``tilfreds``). Lists of derived
    variables carry the variable's name; age bins add ``fj_min``/``fj_max``.
``settings``
    ``form_title``, ``form_id`` (instrument id), ``version``, ``default_language``.
``fj_instrument``, ``fj_derived``
    What a form does not need but the instrument does (fieldwork dates, target ages, source,
    derived variables), so that nothing is lost on the way back. XLSForm tools ignore sheets
    and columns they do not know; ours all start with ``fj_``: ``fj_number`` (the question
    number in the report), ``fj_type`` (``postal_code`` is a text question to a form),
    ``fj_role`` (what a note, group or calculate is for), ``fj_level`` (ordinal for an answer scale),
    ``fj_screening``/``fj_screen_out``,
    ``fj_ask_if`` (the routing as written in the instrument), ``fj_range_rule``,
    ``fj_condition_text::…``, ``fj_required`` (a self-completion form leaves ``required`` empty where
    "not sure" is hidden), ``fj_level`` (the measurement level) and, in ``choices``, ``fj_missing`` and
    ``fj_code`` (the code of a text choice name). Checks across questions are the sheet ``fj_checks``.

Ordinary forms from KoboToolbox or ODK are read too (metadata rows, groups and their ``relevant``,
screening groups, text choice names, "don't know" choices, constraints): see ``docs/xlsform.md``.

"Not sure" codes (IKKE LES)
---------------------------
The study was a telephone survey (CATI): answer codes such as "Ikke sikker, ubesvart (IKKE LES)"
are not read out, but the interviewer must be able to record them. So by default
(``mode="cati"``) they are ordinary choices — the label itself says "(IKKE LES)" — flagged
``fj_missing = yes`` so that the form and the instrument agree on what is missing in analysis,
and every question is required. For self-completion (``mode="self"``, web/tablet) showing
"not sure" would change the question compared with the interview, where it is never offered;
there the choices are hidden with ``choice_filter`` ``fj_missing != 'yes'`` and such questions
are not required, so skipping them is how a respondent says "not sure / no answer". Both modes
read back into the same instrument.

Everything that the instrument has and this layout cannot express raises
:class:`~fjernarbeid.errors.InstrumentError`, and reading names the sheet, row and column of any
cell it cannot understand.
"""

from __future__ import annotations

import datetime as _dt
import re
import zipfile
from pathlib import Path
from typing import Any, Collection, Iterable

from fjernarbeid._cells import make_workbook_inert
from fjernarbeid._io import atomic_path
from fjernarbeid.errors import InputFileError, InstrumentError
from fjernarbeid.instrument.expr import Condition
from fjernarbeid.instrument.model import (
    ATTACHMENT_TYPES,
    DEFAULT_LANGUAGE,
    FORM_METADATA,
    FORMAT_TYPES,
    LANGUAGES,
    TEXT_TYPES,
    Code,
    Derived,
    Instrument,
    Question,
    instrument_from_dict,
)

MODES = ("cati", "self")

# XLSForm names a language "Name (code)"; the code in brackets is what the instrument uses.
LANGUAGE_NAMES = {"nb": "Norsk bokmål (nb)", "en": "English (en)"}

MISSING_FILTER = "fj_missing != 'yes'"
POSTAL_CODE_REGEX = "^[0-9]{4}$"
DISPOSITION = "disposition"
COMPLETE = "complete"

# Constraint messages and the closing note for screened-out respondents: the report has none
# (the interviewer simply ends the call), so these are ours.
_RANGE_MESSAGE = {
    "nb": "Svaret må være et heltall fra {lo} til {hi}.",
    "en": "The answer must be a whole number from {lo} to {hi}.",
}
_BIRTH_YEAR_MESSAGE = {
    "nb": "Fødselsåret må være fra {lo} til {hi} (alder {min_age}-{max_age} år i feltperioden).",
    "en": "The year of birth must be from {lo} to {hi} (age {min_age}-{max_age} during the fieldwork).",
}
_POSTAL_CODE_MESSAGE = {
    "nb": "Postnummeret må ha fire sifre.",
    "en": "The postal code must have four digits.",
}
_SCREENED_OUT_NOTE = {
    "nb": "Du er dessverre ikke i målgruppen for denne undersøkelsen. Tusen takk for at du tok deg tid!",
    "en": "Unfortunately you are not in the target group of this survey. Thank you very much for your time!",
}

SURVEY_COLUMNS = (
    "type", "name", "label", "hint", "guidance_hint", "required", "relevant", "constraint",
    "constraint_message", "calculation", "choice_filter", "appearance",
    "fj_number", "fj_type", "fj_role", "fj_required", "fj_screening", "fj_screen_out", "fj_ask_if", "fj_range_rule",
    "fj_condition_text", "fj_level",
)
TRANSLATED = frozenset({"label", "hint", "guidance_hint", "constraint_message", "fj_condition_text", "message"})
CHOICE_COLUMNS = ("list_name", "name", "label", "fj_missing", "fj_min", "fj_max", "fj_code")
CHECK_COLUMNS = ("name", "rule", "when", "column", "message")
DERIVED_COLUMNS = ("name", "kind", "source", "expr", "field", "list_name", "label")
INSTRUMENT_KEYS = (
    "id", "version", "source", "mode", "id_variable", "fieldwork_start", "fieldwork_end",
    "min_age", "max_age", "age_reference_year",
)


# == writing ====================================================================================


def write_xlsform(instrument: Instrument, path: str | Path, *, mode: str = "cati", overwrite: bool = True) -> Path:
    """Write ``instrument`` as an XLSForm workbook at ``path`` (atomically; without ``overwrite``
    never over an existing file) and return the path.

    ``mode`` is ``"cati"`` (interviewer records "not sure" codes) or ``"self"`` (they are hidden
    and the question may be skipped); see the module documentation.
    """
    import openpyxl

    if mode not in MODES:
        raise InstrumentError(f"XLSForm mode must be one of {MODES}, not {mode!r}")
    path = Path(path)
    if path.suffix.lower() != ".xlsx":
        raise InputFileError(f"{path}: an XLSForm is written as an .xlsx workbook")
    languages = _languages(instrument)
    lists = _choice_lists(instrument)

    wb = openpyxl.Workbook()
    _fill(wb.active, "survey", _header(SURVEY_COLUMNS, languages), _survey_rows(instrument, languages, mode))
    _fill(wb.create_sheet(), "choices", _header(CHOICE_COLUMNS, languages), _choice_rows(lists, languages))
    default = LANGUAGE_NAMES.get(DEFAULT_LANGUAGE, DEFAULT_LANGUAGE)
    _fill(wb.create_sheet(), "settings", ["form_title", "form_id", "version", "default_language"],
          [{"form_title": instrument.label(DEFAULT_LANGUAGE), "form_id": instrument.id,
            "version": instrument.version, "default_language": default}])
    _fill(wb.create_sheet(), "fj_instrument", ["key", "value"], _instrument_rows(instrument, languages))
    _fill(wb.create_sheet(), "fj_derived", _header(DERIVED_COLUMNS, languages), _derived_rows(instrument))
    if instrument.checks:
        _fill(wb.create_sheet(), "fj_checks", _header(CHECK_COLUMNS, languages),
              ({"name": c.name, "rule": c.rule.to_xpath(), "when": c.when.to_xpath() if c.when else "",
                "column": c.column, **_translated("message", c.message)} for c in instrument.checks))
    make_workbook_inert(wb)  # a label typed as '=…' stays a label
    with atomic_path(path, overwrite=overwrite) as tmp:
        wb.save(tmp)
    return path


def _language_name(lang: str) -> str:
    return LANGUAGE_NAMES.get(lang, f"{lang} ({lang})")


def _languages(instrument: Instrument) -> list[str]:
    """Languages used anywhere in the instrument: bokmål first, then English, then the rest."""
    found: set[str] = set(instrument.title) | set(instrument.intro) | set(instrument.closing)
    for q in instrument:
        for labels in (q.text, q.hint, q.preamble, q.instruction, q.condition_text):
            found |= set(labels)
        for c in q.codes:
            found |= set(c.labels)
    for codes in instrument.code_lists.values():
        for c in codes:
            found |= set(c.labels)
    for d in instrument.derived:
        found |= set(d.labels)
        for item in (*d.bins, *d.codes):
            found |= set(item.labels)
    order = {lang: i for i, lang in enumerate(LANGUAGES)}
    return sorted(found | {DEFAULT_LANGUAGE}, key=lambda lang: (order.get(lang, len(order)), lang))


def _header(columns: Iterable[str], languages: list[str]) -> list[str]:
    out = []
    for col in columns:
        if col in TRANSLATED or col == "label":
            out.extend(f"{col}::{_language_name(lang)}" for lang in languages)
        else:
            out.append(col)
    return out


def _translated(column: str, labels: dict[str, str]) -> dict[str, str]:
    return {f"{column}::{_language_name(lang)}": text for lang, text in labels.items() if text}


def _fill(ws, title: str, header: list[str], rows: Iterable[dict[str, Any]]) -> None:
    ws.title = title
    ws.append(header)
    known = set(header)
    for row in rows:
        unknown = set(row) - known
        if unknown:  # a label in a language the header does not have, or a misspelt column
            raise InstrumentError(f"XLSForm sheet {title}: no column for {sorted(unknown)}")
        ws.append([row.get(col, "") for col in header])
    ws.freeze_panes = "A2"
    for i, col in enumerate(header, start=1):
        width = 60 if col.startswith(("label", "hint", "guidance_hint")) else max(10, min(len(col) + 2, 30))
        ws.column_dimensions[ws.cell(row=1, column=i).column_letter].width = width


def _choice_lists(instrument: Instrument) -> dict[str, tuple[Any, ...]]:
    """Every code list the form needs, by list name, in order: shared lists, questions', derived."""
    lists: dict[str, tuple[Any, ...]] = dict(instrument.code_lists)
    owners: dict[str, str] = {name: "a shared code list" for name in lists}

    def add(name: str, items: tuple[Any, ...], owner: str) -> None:
        if name in lists:
            raise InstrumentError(
                f"instrument {instrument.id}: the XLSForm list name {name!r} is needed for {owner} "
                f"but already used for {owners[name]}; rename one of them"
            )
        lists[name], owners[name] = items, owner

    for q in instrument:
        if q.codes and q.code_list is None:
            add(q.name, q.codes, f"question {q.name}")
    for d in instrument.derived:
        if (d.bins or d.codes) and _shared_list_name(instrument, d) is None:
            add(d.name, d.bins or d.codes, f"derived variable {d.name}")
    return lists


def _shared_list_name(instrument: Instrument, d: Derived) -> str | None:
    if d.bins or not d.codes:
        return None
    return next((name for name, codes in instrument.code_lists.items() if codes == d.codes), None)


def _choice_rows(lists: dict[str, tuple[Any, ...]], languages: list[str]) -> Iterable[dict[str, Any]]:
    for list_name, items in lists.items():
        for item in items:
            row = {"list_name": list_name, "name": str(item.code), **_translated("label", item.labels)}
            if isinstance(item, Code) and item.name:  # a text choice name: its code beside it
                row["name"], row["fj_code"] = item.name, str(item.code)
            if isinstance(item, Code):
                row["fj_missing"] = "yes" if item.missing else ""
            else:  # a bin of a derived variable
                row["fj_min"], row["fj_max"] = str(item.min), str(item.max)
            yield row


def _survey_rows(instrument: Instrument, languages: list[str], mode: str) -> Iterable[dict[str, Any]]:
    if instrument.intro:
        yield {"type": "note", "name": "intro", "fj_role": "intro", **_translated("label", instrument.intro)}
    open_groups = 0
    for q in instrument:
        relevant = q.ask_if.to_xpath() if q.ask_if is not None else ""
        if q.preamble:
            yield {"type": "note", "name": f"{q.name}_preamble", "fj_role": "preamble", "relevant": relevant,
                   **_translated("label", q.preamble)}
        yield _question_row(instrument, q, relevant, mode, languages)
        if q.screen_out:
            # Everything after a screening question is only for those it did not screen out.
            group = f"after_{(q.screening or q.name).lower()}"
            yield {"type": "begin group", "name": group, "fj_role": "screening_group", "relevant": _kept(q).to_xpath()}
            open_groups += 1
    if instrument.closing:
        yield {"type": "note", "name": "closing", "fj_role": "closing", **_translated("label", instrument.closing)}
    for _ in range(open_groups):
        yield {"type": "end group", "fj_role": "screening_group"}
    screening = instrument.screening_questions
    if screening:
        yield {"type": "calculate", "name": DISPOSITION, "fj_role": "disposition",
               "calculation": _disposition_xpath(screening)}
        labels = {lang: text for lang, text in _SCREENED_OUT_NOTE.items() if lang in languages}
        yield {"type": "note", "name": "screened_out", "fj_role": "screened_out",
               "relevant": f"${{{DISPOSITION}}} != '{COMPLETE}'", **_translated("label", labels)}


def _codes_tuple(codes: Iterable[int]) -> str:
    return "(" + ", ".join(str(c) for c in sorted(codes)) + ",)"


def _screened_out(q: Question) -> Condition:
    return Condition.parse(f"{q.name} in {_codes_tuple(q.screen_out)}")


def _kept(q: Question) -> Condition:
    return Condition.parse(f"{q.name} not in {_codes_tuple(q.screen_out)}")


def disposition_code(q: Question) -> str:
    """The ``disposition`` value of those screened out by ``q``: ``screened_out_s1`` for S1."""
    return f"screened_out_{(q.screening or q.name).lower()}"


def _disposition_xpath(screening: list[Question]) -> str:
    text = f"'{COMPLETE}'"
    for q in reversed(screening):
        text = f"if({_screened_out(q).to_xpath()}, '{disposition_code(q)}', {text})"
    return text


def _question_row(
    instrument: Instrument, q: Question, relevant: str, mode: str, languages: list[str]
) -> dict[str, Any]:
    def ours(messages: dict[str, str]) -> dict[str, str]:  # our messages, in the form's languages only
        return _translated("constraint_message", {lang: m for lang, m in messages.items() if lang in languages})

    row: dict[str, Any] = {
        "name": q.name,
        "fj_number": q.number,
        "fj_type": q.type,
        "relevant": relevant,
        "fj_ask_if": str(q.ask_if) if q.ask_if is not None else "",
        "required": "yes" if q.required else "",
        **_translated("label", q.text),
        **_translated("hint", q.hint),
        **_translated("guidance_hint", q.instruction),
        **_translated("fj_condition_text", q.condition_text),
    }
    if q.level:
        row["fj_level"] = q.level  # an answer scale (ordinal), for the way back
    if q.screen_out:
        row["fj_screening"] = q.screening or ""
        row["fj_screen_out"] = " ".join(str(c) for c in sorted(q.screen_out))
    if q.type in ("single", "multiple"):
        kind = "select_one" if q.type == "single" else "select_multiple"
        row["type"] = f"{kind} {q.code_list or q.name}"
        if mode == "self" and q.missing_codes:
            row["choice_filter"] = MISSING_FILTER
            row["fj_required"] = row["required"]  # the instrument's rule, kept for the way back
            row["required"] = ""
        if q.exclusive:
            row["constraint"] = " and ".join(
                f"not(selected(., '{_choice_name(q, c)}') and count-selected(.) > 1)" for c in sorted(q.exclusive))
    elif q.is_number:
        row["type"] = q.type
        rng = instrument.range_of(q)
        if rng is not None:
            lo, hi = rng
            row["constraint"] = f". >= {lo} and . <= {hi}"
            if q.range_rule == "birth_year":
                row["fj_range_rule"] = q.range_rule
                messages = {lang: m.format(lo=lo, hi=hi, min_age=instrument.min_age, max_age=instrument.max_age)
                            for lang, m in _BIRTH_YEAR_MESSAGE.items()}
            elif q.range_rule is not None:
                raise InstrumentError(f"question {q.name}: range rule {q.range_rule!r} has no XLSForm form")
            else:
                messages = {lang: m.format(lo=lo, hi=hi) for lang, m in _RANGE_MESSAGE.items()}
            row.update(ours(messages))
    elif q.type == "postal_code":
        row["type"] = "text"
        row["appearance"] = "numbers"
        row["constraint"] = f"regex(., '{POSTAL_CODE_REGEX}')"
        row.update(ours(_POSTAL_CODE_MESSAGE))
    elif q.type in TEXT_TYPES:
        row["type"] = q.name if q.metadata else q.type  # XLSForm's metadata rows: type start, name start
    else:
        raise InstrumentError(f"question {q.name}: type {q.type!r} has no XLSForm form")
    if q.constraint is not None or q.unenforced_constraint:
        if row.get("constraint"):
            raise InstrumentError(f"question {q.name}: a constraint beside its range, postal-code format or "
                                  "exclusive codes has no XLSForm form (one constraint per question)")
        row["constraint"] = (_dot(q.constraint.to_xpath(), q.name) if q.constraint is not None
                             else q.unenforced_constraint)
        row.update(_translated("constraint_message", q.constraint_message))
    return row


def _choice_name(q: Question, code: int) -> str:
    return q.code(code).name or str(code)


def _dot(xpath: str, name: str) -> str:
    """``${v7}`` → ``.`` in a question's own constraint, as XLSForm writes it."""
    return xpath.replace("${" + name + "}", ".")


def _instrument_rows(instrument: Instrument, languages: list[str]) -> Iterable[dict[str, Any]]:
    values = {
        "id": instrument.id,
        "version": instrument.version,
        "source": instrument.source,
        "mode": instrument.mode,
        "id_variable": instrument.id_variable,
        "fieldwork_start": instrument.fieldwork_start.isoformat() if instrument.fieldwork_start else "",
        "fieldwork_end": instrument.fieldwork_end.isoformat() if instrument.fieldwork_end else "",
        "min_age": instrument.min_age,
        "max_age": instrument.max_age,
        "age_reference_year": instrument.age_reference_year,
    }
    for key in INSTRUMENT_KEYS:
        if values[key] not in (None, ""):
            yield {"key": key, "value": str(values[key])}
    for lang, text in instrument.title.items():
        yield {"key": f"title::{_language_name(lang)}", "value": text}
    for role, variable in instrument.roles.items():  # which variable is sex, birth year, … (role::sex = v7)
        yield {"key": f"role::{role}", "value": variable}


def _derived_rows(instrument: Instrument) -> Iterable[dict[str, Any]]:
    for d in instrument.derived:
        list_name = _shared_list_name(instrument, d) or (d.name if (d.bins or d.codes) else "")
        yield {
            "name": d.name, "kind": d.kind, "source": d.source or "", "expr": str(d.expr) if d.expr else "",
            "field": d.field or "", "list_name": list_name, **_translated("label", d.labels),
        }


# == reading ====================================================================================

_LANG_IN_NAME = re.compile(r"\(([A-Za-z]{2,3}(?:-[A-Za-z0-9]+)?)\)\s*$")
# Language columns named in words only (label::English): the code they stand for.
_LANGUAGE_WORDS = {
    "english": "en", "engelsk": "en", "norsk": "nb", "bokmål": "nb", "bokmal": "nb", "norsk bokmål": "nb",
    "nynorsk": "nn", "norsk nynorsk": "nn", "samisk": "se", "nordsamisk": "se", "davvisámegiella": "se",
}
_RANGE = re.compile(r"^\.\s*>=\s*(-?\d+(?:\.\d+)?)\s+and\s+\.\s*<=\s*(-?\d+(?:\.\d+)?)$")
_TRUE = {"yes", "true", "1", "y", "true()"}
_SUPPORTED_TYPES = {"integer": "integer", "decimal": "decimal", "text": "text",
                    **{kind: kind for kind in (*FORMAT_TYPES, *ATTACHMENT_TYPES)}}
_FOUR_DIGITS = re.compile(r"^regex\(\s*\.\s*,\s*['\"]\^?(\[0-9\]|\\d)\{4\}\$?['\"]\s*\)$")

# XLSForm's metadata question types: recorded by the device, not asked; ignored with a note.
METADATA_TYPES = frozenset({
    "start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username", "email",
    "audit", "caseid", "start-geopoint", "background-audio", "imei", "uri:deviceid", "uri:email",
    "uri:phonenumber", "uri:subscriberid", "uri:simserial", "uri:username",
})
# Rows that compute or display but ask nothing the analysis uses; ignored with a note.
IGNORED_TYPES = frozenset({"calculate", "hidden", "acknowledge", "xml-external"})

# "Don't know" choices of an ordinary form without a `missing` column, by choice name (case and
# separators ignored), and any negative whole-number name (-99, -98, -9): see the module doc.
DONT_KNOW_NAMES = frozenset({
    "dont_know", "do_not_know", "dk", "dontknow", "not_sure", "no_answer", "refused", "prefer_not_to_say",
    "vet_ikke", "vet_ikkje", "veit_ikkje", "veit_ikke", "ikke_sikker", "ikkje_sikker", "usikker",
    "vil_ikke_svare", "vil_ikkje_svare", "ubesvart",
})
_MISSING_COLUMNS = ("fj_missing", "missing")
_CODE_COLUMNS = ("fj_code", "code")
_CHOICE_COLUMNS = ("list_name", "name", "list name", *_MISSING_COLUMNS, *_CODE_COLUMNS)


def is_dont_know_name(name: str) -> bool:
    """Whether a choice name marks "don't know / no answer" by the naming convention."""
    key = re.sub(r"[\s'’.-]+", "_", name.strip().lower()).strip("_")
    return key in DONT_KNOW_NAMES or bool(re.fullmatch(r"-\d+", name.strip()))


def _language_code(name: str) -> str:
    """'Norsk (nb)' → nb, 'nn' → nn, 'English' → en, anything else as written."""
    match = _LANG_IN_NAME.search(name)
    if match:
        return match.group(1)
    return _LANGUAGE_WORDS.get(name.strip().lower(), name.strip())


class _Sheet:
    """One worksheet as rows of {column: text}, remembering each row's number for messages."""

    def __init__(self, path: Path, title: str, rows: list[tuple[Any, ...]]):
        self.path, self.title = path, title
        header = [_text(v) for v in rows[0]] if rows else []
        self.columns = header
        self.default_language = DEFAULT_LANGUAGE  # what a plain `label` column is written in
        self.rows: list[tuple[int, dict[str, str]]] = []
        for number, values in enumerate(rows[1:], start=2):
            record = {col: _text(v) for col, v in zip(header, values) if col}
            if any(record.values()):
                self.rows.append((number, record))

    def where(self, row: int, column: str | None = None) -> str:
        place = f"{self.path}, sheet {self.title}, row {row}"
        return f"{place}, column {column}" if column else place

    def has(self, column: str) -> bool:
        return column in self.columns

    def translations(self, record: dict[str, str], column: str) -> dict[str, str]:
        """``label::Norsk bokmål (nb)`` → {"nb": …}; ``label::nn`` → {"nn": …}; a plain ``label``
        column is in the form's default language."""
        out = {}
        for col, value in record.items():
            if not value:
                continue
            base, _, lang_name = col.partition("::")
            if base.strip() != column:
                continue
            out[_language_code(lang_name) if lang_name else self.default_language] = value
        return out


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))  # a spreadsheet program turned "3" into 3.0
    if isinstance(value, _dt.datetime):
        return value.date().isoformat()
    if isinstance(value, _dt.date):
        return value.isoformat()
    return str(value).strip()


def _open_workbook(path: Path) -> dict[str, _Sheet]:
    import openpyxl
    from openpyxl.utils.exceptions import InvalidFileException

    if not path.exists():
        raise InputFileError(f"{path}: XLSForm file not found")
    try:
        wb = openpyxl.load_workbook(path, read_only=True, data_only=True)
    except (InvalidFileException, zipfile.BadZipFile, KeyError, OSError) as exc:
        raise InputFileError(f"{path}: not a readable .xlsx workbook ({exc})") from None
    try:
        return {ws.title.strip(): _Sheet(path, ws.title.strip(), list(ws.iter_rows(values_only=True)))
                for ws in wb.worksheets}
    finally:
        wb.close()


def read_xlsform(path: str | Path) -> Instrument:
    """Read an XLSForm — written by :func:`write_xlsform`, or an ordinary one from KoboToolbox or
    ODK — into an instrument. What was left out or interpreted is in ``instrument.notes``."""
    path = Path(path)
    sheets = _open_workbook(path)
    for needed in ("survey", "choices"):
        if needed not in sheets:
            raise InstrumentError(f"{path}: an XLSForm needs a sheet named {needed!r} (found {sorted(sheets)})")
    survey, choices = sheets["survey"], sheets["choices"]
    for sheet, column in ((survey, "type"), (survey, "name"), (choices, "list_name"), (choices, "name")):
        if column not in sheet.columns:
            raise InstrumentError(f"{path}, sheet {sheet.title}: no column {column!r}")

    notes: list[str] = []
    raw: dict[str, Any] = _read_metadata(path, sheets)
    language = raw.pop("_default_language")
    for sheet in sheets.values():
        sheet.default_language = language
    if not raw["title"] and raw.get("_form_title"):
        raw["title"] = {language: raw["_form_title"]}
    raw.pop("_form_title", None)
    lists = _read_choices(choices, notes)
    questions = _read_survey(survey, lists, raw, notes)
    if not any(not q.get("metadata") for q in questions):  # nothing to check a file against: every column would be "unknown", and no error
        raise InstrumentError(f"{path}, sheet survey: the form asks no questions (only notes, groups, metadata or "
                              "calculations)")
    # A list named after the one question that uses it is that question's own; any other list
    # is a shared code list, referred to by name.
    users: dict[str, list[str]] = {}
    for q in questions:
        if isinstance(q.get("codes"), str):
            users.setdefault(q["codes"], []).append(q["name"])
        elif "_list" in q:  # an or_other question's own copy of a list
            users.setdefault(q.pop("_list"), [])
    own = {name for name, names in users.items() if names == [name]}
    for q in questions:
        if isinstance(q.get("codes"), str) and q["codes"] in own:
            q["codes"] = [dict(item) for item in lists[q["codes"]]]
    derived, derived_lists = _read_derived(sheets.get("fj_derived"), lists, set(users))
    own |= derived_lists
    used = set(users) | {d["codes"] for d in derived if isinstance(d.get("codes"), str)}
    raw["code_lists"] = {name: items for name, items in lists.items() if name not in own and name in used}
    unused = sorted(name for name in lists if name not in own and name not in used)
    if unused:
        notes.append(f"choice lists no question uses were left out: {', '.join(unused)}")
    for q in questions:
        q.pop("_added", None)
        for item in q["codes"] if isinstance(q.get("codes"), list) else ():
            item.pop("_columns", None)
    for items in lists.values():
        for item in items:
            item.pop("_columns", None)
    raw["questions"] = questions
    raw["derived"] = derived
    raw["checks"] = _read_checks(sheets.get("fj_checks") or sheets.get("checks"), questions)
    raw["notes"] = notes
    return instrument_from_dict(raw, where=str(path))


def _read_choices(choices: _Sheet, notes: list[str]) -> dict[str, list[dict[str, Any]]]:
    """The choice lists. Whole-number names are the codes; a list with text names (``ja``,
    ``dont_know``) gets codes from a ``code``/``fj_code`` column or, without one, 1, 2, 3 … in the
    list's order (numbers already used by whole-number names skipped), recorded in ``notes``."""
    explicit_missing = next((c for c in _MISSING_COLUMNS if choices.has(c)), None)
    code_column = next((c for c in _CODE_COLUMNS if choices.has(c)), None)
    rows: dict[str, list[tuple[int, dict[str, str]]]] = {}
    for number, record in choices.rows:
        list_name = record.get("list_name", "")
        if not list_name:
            raise InstrumentError(f"{choices.where(number, 'list_name')}: a choice needs a list name")
        if not record.get("name", ""):
            raise InstrumentError(f"{choices.where(number, 'name')}: a choice needs a name")
        rows.setdefault(list_name, []).append((number, record))
    lists: dict[str, list[dict[str, Any]]] = {}
    for list_name, entries in rows.items():
        used = {int(r["name"]) for _, r in entries if re.fullmatch(r"-?\d+", r["name"])}
        next_code, assigned, seen = 1, [], set()
        items = []
        for number, record in entries:
            name = record["name"]
            if name in seen:
                raise InstrumentError(f"{choices.where(number, 'name')}: choice name {name!r} is used twice "
                                      f"in list {list_name!r}")
            seen.add(name)
            given = record.get(code_column, "") if code_column else ""
            if given:
                if not re.fullmatch(r"-?\d+", given):
                    raise InstrumentError(f"{choices.where(number, code_column)}: code {given!r} is not a whole number")
                code = int(given)
            elif re.fullmatch(r"-?\d+", name):
                code = int(name)
            else:
                while next_code in used:
                    next_code += 1
                code, next_code = next_code, next_code + 1
                used.add(code)
                assigned.append(f"{name}={code}")
            item: dict[str, Any] = {"code": code, **choices.translations(record, "label")}
            if str(code) != name:
                item["name"] = name
            if explicit_missing:
                if record.get(explicit_missing, "").lower() in _TRUE:
                    item["missing"] = True
            elif is_dont_know_name(name):
                item["missing"] = True
            # any other column of the choices sheet (a cascading select's `kommune`) for choice_filter
            extra = {k: v for k, v in record.items() if v and k not in _CHOICE_COLUMNS and not k.startswith(
                ("label", "media", "image", "audio", "video", "fj_")) and k not in (code_column, explicit_missing)}
            if extra:
                item["_columns"] = extra
            if record.get("fj_min") or record.get("fj_max"):
                for key in ("fj_min", "fj_max"):
                    if not re.fullmatch(r"-?\d+", record.get(key, "")):
                        raise InstrumentError(f"{choices.where(number, key)}: a bin needs whole-number fj_min and fj_max")
                item["min"], item["max"] = int(record["fj_min"]), int(record["fj_max"])
            items.append(item)
        if assigned:
            notes.append(f"choice list {list_name!r} has text names, read as codes: {', '.join(assigned)}")
        if not explicit_missing:
            dk = [item.get("name", str(item["code"])) for item in items if item.get("missing")]
            if dk:
                notes.append(f"choice list {list_name!r}: {', '.join(dk)} marked 'don't know' (missing in analysis) "
                             "by its name")
        lists[list_name] = items
    return lists


def _read_metadata(path: Path, sheets: dict[str, _Sheet]) -> dict[str, Any]:
    values: dict[str, str] = {}
    titles: dict[str, str] = {}
    roles: dict[str, str] = {}
    meta = sheets.get("fj_instrument")
    if meta is not None:
        for number, record in meta.rows:
            key, value = record.get("key", ""), record.get("value", "")
            if key.startswith("title::"):
                titles.update(meta.translations({"title::" + key.partition("::")[2]: value}, "title"))
            elif key.startswith("role::"):
                roles[key.partition("::")[2]] = value
            elif key in INSTRUMENT_KEYS:
                values[key] = value
            else:
                raise InstrumentError(f"{meta.where(number, 'key')}: unknown instrument property {key!r}")
    settings = sheets.get("settings")
    setting = settings.rows[0][1] if settings is not None and settings.rows else {}
    language = _language_code(setting["default_language"]) if setting.get("default_language") else DEFAULT_LANGUAGE

    def integer(key: str) -> int | None:
        text = values.get(key)
        if not text:
            return None
        if not re.fullmatch(r"-?\d+", text):
            raise InstrumentError(f"{path}, sheet fj_instrument: {key} must be a whole number, not {text!r}")
        return int(text)

    def date(key: str) -> str | None:
        text = values.get(key)
        if not text:
            return None
        try:
            return _dt.date.fromisoformat(text).isoformat()
        except ValueError:
            raise InstrumentError(
                f"{path}, sheet fj_instrument: {key} must be a date YYYY-MM-DD, not {text!r}"
            ) from None

    raw: dict[str, Any] = {
        "id": values.get("id") or setting.get("form_id") or path.stem,
        "version": values.get("version") or setting.get("version", ""),
        "title": titles,
        "source": values.get("source", ""),
        "mode": values.get("mode", ""),
        "id_variable": values.get("id_variable") or "id",
        "fieldwork": {"start": date("fieldwork_start"), "end": date("fieldwork_end")},
        "target_population": {"min_age": integer("min_age"), "max_age": integer("max_age"),
                              "age_reference_year": integer("age_reference_year")},
        "_default_language": language,
        "_form_title": setting.get("form_title", ""),
    }
    if roles:
        raw["roles"] = roles
    return raw


# The other spellings of the select types that XLSForm (pyxform) accepts, and the names this reader uses.
_TYPE_ALIASES = (("select one ", "select_one "), ("select all that apply ", "select_multiple "))


def _canonical_type(qtype: str) -> str:
    """A row's type as this reader names it: 'select one jn' and 'select all that apply jn', which pyxform also
    takes, are 'select_one jn' and 'select_multiple jn'."""
    lower = qtype.lower()
    for alias, canonical in _TYPE_ALIASES:
        if lower.startswith(alias):
            return canonical + qtype[len(alias):]
    return qtype


def _group_spans(survey: _Sheet) -> dict[int, bool]:
    """For each ``begin group`` row: whether the group holds the rest of the form (after its end
    only notes, metadata and ignored rows follow) — the shape of a screening group."""
    kinds = [(number, " ".join(record.get("type", "").split()).replace("_", " ").lower())
             for number, record in survey.rows]
    out: dict[int, bool] = {}
    stack: list[int] = []
    ends: dict[int, int] = {}
    for i, (number, kind) in enumerate(kinds):
        if kind == "begin group":
            stack.append(i)
        elif kind == "end group" and stack:
            ends[stack.pop()] = i
    for i, (number, kind) in enumerate(kinds):
        if kind != "begin group":
            continue
        end = ends.get(i, len(kinds))
        rest = [k for _, k in kinds[end + 1:]]
        out[number] = all(k in ("note", "end group") or k in METADATA_TYPES or k in IGNORED_TYPES for k in rest)
    return out


def _read_survey(survey: _Sheet, lists: dict[str, list], raw: dict[str, Any], notes: list[str]
                 ) -> list[dict[str, Any]]:
    ordinary = not survey.has("fj_role")  # not written by write_xlsform: Kobo's, ODK's, a user's own
    questions: list[dict[str, Any]] = []
    by_name: dict[str, dict[str, Any]] = {}
    choice_names: dict[str, dict[str, int]] = {}  # question → {choice name: code}, for quoted codes
    preamble: dict[str, str] = {}
    preamble_row = 0
    groups: list[tuple[str, Condition | None]] = []  # open groups and their `relevant`
    holds_rest = _group_spans(survey) if ordinary else {}
    metadata: list[str] = []
    carried: list[str] = []
    ignored: list[str] = []
    screenings = 0
    seen_at: dict[str, int] = {}  # a question's name → its row
    for number, record in survey.rows:
        qtype = _canonical_type(" ".join(record.get("type", "").split()))
        kind = qtype.replace("_", " ").lower() if qtype.lower().startswith(("begin", "end")) else qtype
        role = record.get("fj_role", "")
        name = record.get("name", "")
        if kind in ("begin repeat", "end repeat"):
            raise InstrumentError(f"{survey.where(number, 'type')}: repeat groups are not supported (one row "
                                  "per respondent is what the analysis needs)")
        if kind == "begin group":
            condition = None
            if role != "screening_group" and record.get("relevant"):
                condition = _condition(survey, number, "relevant", record["relevant"], choice_names,
                                       earlier=by_name)
                if ordinary and holds_rest.get(number) and _screening(condition, by_name, lists):
                    screenings += 1
                    variable = next(iter(condition.variables))
                    q = by_name[variable]
                    q["screen_out"] = _screen_out_codes(condition, q, lists)
                    q["screening"] = f"S{screenings}"
                    notes.append(f"group {name or number!r} (relevant {record['relevant']}) holds the rest of the "
                                 f"form: {variable} = {', '.join(map(str, q['screen_out']))} screens out "
                                 f"(S{screenings})")
                    condition = None
            groups.append((name, condition))
            continue
        if kind == "end group":
            if not groups:
                raise InstrumentError(f"{survey.where(number, 'type')}: 'end group' without a 'begin group'")
            groups.pop()
            continue
        if qtype in FORM_METADATA and (name or qtype) == qtype:
            # the interview's start, end and date, as the device records them: carried and checked
            # (their column of the export), never asked
            questions.append({"name": qtype, "number": qtype, "type": FORM_METADATA[qtype], "metadata": True,
                              "required": False, "text": survey.translations(record, "label")})
            by_name[qtype] = questions[-1]
            carried.append(qtype)
            continue
        if qtype in METADATA_TYPES:
            metadata.append(name or qtype)
            continue
        if qtype == "note":
            label = survey.translations(record, "label")
            if role == "intro":
                raw["intro"] = label
            elif role == "closing":
                raw["closing"] = label
            elif role == "screened_out":
                continue
            elif ordinary and not any(not x.get("metadata") for x in questions) and not preamble \
                    and "intro" not in raw:
                raw["intro"] = label
            else:  # a note before a question introduces it
                if ordinary and record.get("relevant") and _after_last_question(survey, number):
                    ignored.append(f"{name or 'note'} (shown only when {record['relevant']})")
                    continue
                if preamble:
                    if not ordinary:
                        raise InstrumentError(
                            f"{survey.where(number)}: two notes in a row (rows {preamble_row} and {number}); "
                            "a question can have one preamble"
                        )
                    label = {lang: " ".join(t for t in (preamble.get(lang), label.get(lang)) if t)
                             for lang in {*preamble, *label}}
                preamble, preamble_row = label, number
            continue
        if qtype == "calculate" and role == "disposition":
            continue
        if qtype in IGNORED_TYPES:
            ignored.append(f"{name} ({qtype})")
            continue
        if not name:
            raise InstrumentError(f"{survey.where(number, 'name')}: a {qtype or 'row'} needs a name")
        if not name.isidentifier():
            raise InstrumentError(f"{survey.where(number, 'name')}: name {name!r} must be letters, digits and _")
        if name in seen_at:
            raise InstrumentError(f"{survey.where(number, 'name')}: the name {name!r} is used twice (first at row "
                                  f"{seen_at[name]})")
        seen_at[name] = number
        # An ordinary form's questions are numbered as a reader counts them (1, 2, 3 …), the name stays the
        # variable's; a form written by write_xlsform (or with an fj_number column) says its own numbers.
        # (`number` stays the sheet's row, which every message below names)
        label_number = record.get("fj_number") or (
            str(len([x for x in questions if not x.get("_added") and not x.get("metadata")]) + 1)
            if ordinary and not survey.has("fj_number") else name)
        q: dict[str, Any] = {"name": name, "number": label_number}
        q["text"] = survey.translations(record, "label")
        for column, key in (("hint", "hint"), ("guidance_hint", "instruction"),
                            ("fj_condition_text", "condition_text"), ("constraint_message", "constraint_message")):
            labels = survey.translations(record, column)
            if labels:
                q[key] = labels
        if preamble:
            q["preamble"], preamble = preamble, {}
        declared = record.get("fj_type", "")
        words = qtype.split(" ")
        or_other = words[-1] == "or_other" and len(words) == 3
        if or_other:
            words = words[:2]
        if words[0] in ("select_one", "select_multiple") and len(words) == 2:
            list_name = words[1]
            if list_name not in lists:
                raise InstrumentError(f"{survey.where(number, 'type')}: no choice list {list_name!r} in sheet choices")
            q["type"] = "single" if words[0] == "select_one" else "multiple"
            q["codes"] = list_name  # resolved to the question's own list or a shared one by the caller
            items = lists[list_name]
            if or_other:  # the question's own list: the shared one plus 'other' (as pyxform adds it)
                q["codes"], q["_list"] = _with_other(lists[list_name], survey.where(number, "type")), list_name
                code = q["codes"][-1]["code"]
                notes.append(f"{name}: 'or_other' adds the choice other={code} and the optional text question "
                             f"{name}_other, asked when it is chosen")
            items = lists[list_name] if isinstance(q["codes"], str) else q["codes"]
            names = {str(item["code"]): item["code"] for item in items}
            names.update({item["name"]: item["code"] for item in items if "name" in item})
            choice_names[name] = names
            if record.get("choice_filter") and record["choice_filter"] != MISSING_FILTER:
                cascade = _cascade(record["choice_filter"], items, by_name, lists)
                if cascade is None:
                    notes.append(f"{name}: choice_filter {record['choice_filter']!r} is not applied in validation "
                                 "(only a choices column equal to an earlier question, as `kommune=${kommune}`, is)")
                else:
                    q["choice_filter"] = cascade
                    notes.append(f"{name}: choice_filter {record['choice_filter']!r} checked: its choices must "
                                 f"belong to the answer to {cascade['variable']}")
        elif qtype in _SUPPORTED_TYPES:
            q["type"] = _SUPPORTED_TYPES[qtype]
            if qtype == "text" and (declared == "postal_code"
                                    or (ordinary and _FOUR_DIGITS.match(record.get("constraint", "")))):
                q["type"] = "postal_code"
        else:
            raise InstrumentError(
                f"{survey.where(number, 'type')}: question type {qtype!r} is not supported by the instrument "
                f"({', '.join(['select_one', 'select_multiple', *sorted(_SUPPORTED_TYPES)])} are; metadata such as start "
                "and end is carried, deviceid and the like ignored)"
            )
        if declared and declared != q["type"]:
            raise InstrumentError(f"{survey.where(number, 'fj_type')}: {declared!r} does not fit type {qtype!r}")
        if record.get("fj_level"):
            q["level"] = record["fj_level"]
        required = record.get("required", "").lower() in _TRUE or record.get("fj_required", "").lower() in _TRUE
        if not required:
            q["required"] = False
        _read_routing(survey, number, record, q, choice_names, [c for _, c in groups if c is not None], by_name)
        _read_screening(survey, number, record, q)
        _read_range(survey, number, record, q, choice_names, notes, ordinary)
        if "constraint" not in q and "unenforced_constraint" not in q:
            q.pop("constraint_message", None)  # a range's or a format's message: the checks have their own
        questions.append(q)
        by_name[name] = q
        if or_other and not any(r.get("name") == f"{name}_other" for _, r in survey.rows):
            other = _other_question(q)
            questions.append(other)
            by_name[other["name"]] = other
    if preamble:
        if not ordinary:
            raise InstrumentError(f"{survey.where(preamble_row)}: a note with no question after it")
        raw["closing"] = preamble
    if groups:
        raise InstrumentError(f"{survey.path}, sheet survey: group {groups[-1][0]!r} is never closed ('end group')")
    if carried:
        notes.append(f"metadata carried and checked, never analysed (recorded by the device, not asked): "
                     f"{', '.join(carried)}")
    if metadata:
        notes.append(f"metadata rows ignored (recorded by the device, not asked): {', '.join(metadata)}")
    if ignored:
        notes.append(f"rows ignored (they ask nothing the analysis uses): {', '.join(ignored)}")
    return questions


_CASCADE = re.compile(r"^\s*(?:(\w+)\s*=\s*\$\{(\w+)\}|\$\{(\w+)\}\s*=\s*(\w+))\s*$")


def _cascade(text: str, items: list[dict[str, Any]], by_name: dict[str, dict], lists: dict[str, list]
             ) -> dict[str, Any] | None:
    """A cascading select's ``choice_filter`` (``kommune=${bostedskommune}``: a choice is offered when its
    ``kommune`` column holds the name of the choice given to the earlier question): which of the question's
    codes each answer to that question allows. None for any other filter."""
    m = _CASCADE.match(text)
    if not m:
        return None
    column, variable = (m.group(1), m.group(2)) if m.group(1) else (m.group(4), m.group(3))
    parent = by_name.get(variable)
    if parent is None or parent.get("type") != "single":
        return None
    parent_items = lists[parent["codes"]] if isinstance(parent["codes"], str) else parent["codes"]
    code_of = {str(i["code"]): i["code"] for i in parent_items}
    code_of.update({i["name"]: i["code"] for i in parent_items if "name" in i})
    allowed: dict[int, list[int]] = {c: [] for c in code_of.values()}
    for item in items:
        value = (item.get("_columns") or {}).get(column)
        if value is None:
            continue
        if value not in code_of:
            return None
        allowed[code_of[value]].append(item["code"])
    if not any(allowed.values()):
        return None
    return {"variable": variable, "allowed": allowed}


def _with_other(items: list[dict[str, Any]], where: str) -> list[dict[str, Any]]:
    """A choice list with XLSForm's ``or_other`` choice added: name ``other``, the next code after the
    list's highest, labelled in the list's languages (the package's own word where it has one)."""
    from fjernarbeid.i18n import message
    from fjernarbeid.instrument.model import DEFAULT_LANGUAGE, is_language_code

    if any(item.get("name") == "other" for item in items):
        raise InstrumentError(f"{where}: 'or_other' adds a choice named 'other', which the list already has")
    code = max([item["code"] for item in items] + [0]) + 1
    languages = {lang for item in items for lang in item if is_language_code(lang)} or {DEFAULT_LANGUAGE}
    labels = {lang: message("xlsform", "or_other_choice", lang) for lang in sorted(languages)}
    return [dict(item) for item in items] + [{"code": code, "name": "other", **labels}]


def _other_question(q: dict[str, Any]) -> dict[str, Any]:
    """The text question ``NAME_other`` that pyxform adds after an ``or_other`` question: optional, asked
    where the question is asked and 'other' is chosen."""
    from fjernarbeid.i18n import message
    from fjernarbeid.instrument.model import DEFAULT_LANGUAGE

    code = q["codes"][-1]["code"]
    chosen = f"selected({q['name']}, {code})" if q["type"] == "multiple" else f"{q['name']} == {code}"
    text = {lang: message("xlsform", "or_other_text", lang) for lang in sorted(q.get("text") or {DEFAULT_LANGUAGE: ""})}
    ask_if = f"({q['ask_if']}) and ({chosen})" if q.get("ask_if") else chosen
    return {"name": f"{q['name']}_other", "number": f"{q['number']}a" if q["number"] != q["name"] else f"{q['name']}_other",
            "type": "text", "text": text, "required": False, "ask_if": ask_if, "_added": True}


def _after_last_question(survey: _Sheet, number: int) -> bool:
    later = [" ".join(r.get("type", "").split()) for n, r in survey.rows if n > number]
    return all(t == "note" or t.replace("_", " ").lower() == "end group" or t in METADATA_TYPES
               or t in IGNORED_TYPES for t in later)


def _condition(survey: _Sheet, number: int, column: str, text: str, choices, self_name: str | None = None,
               earlier: Collection[str] | None = None) -> Condition:
    """``text`` as a condition; with ``earlier`` (the questions read so far), a ``${name}`` it uses must be
    one of them — checked before the choice names are resolved, so that a later question, the question
    itself or a field the instrument does not read is named as such (not as an unknown choice name)."""
    if earlier is not None:
        for ref in dict.fromkeys(re.findall(r"\$\{\s*([^}\s]+)\s*\}", text)):
            if ref not in earlier:
                raise InstrumentError(f"{survey.where(number, column)}: {column} {text!r} uses ${{{ref}}}, "
                                      f"{_not_earlier(survey, number, ref)}; it may use only questions asked before")
    try:
        return Condition.from_xpath(text, choices, self_name=self_name)
    except InstrumentError as exc:
        raise InstrumentError(f"{survey.where(number, column)}: {exc}") from None


def _not_earlier(survey: _Sheet, number: int, ref: str) -> str:
    """Why ``${ref}`` on row ``number`` is not an earlier question: what the form has by that name."""
    for row, record in survey.rows:
        if record.get("name") != ref:
            continue
        kind = record.get("type", "").split()[0] if record.get("type") else ""
        if row == number:
            return "which is this row itself"
        if row > number:
            return f"which is asked later (row {row})"
        return f"which is a {kind or 'row'} the instrument does not read (row {row})"
    return "and the form has no question of that name"


def _screening(condition: Condition, by_name: dict[str, dict], lists: dict[str, list]) -> bool:
    """A group condition on one earlier single-choice question that is not routed itself."""
    if len(condition.variables) != 1:
        return False
    q = by_name.get(next(iter(condition.variables)))
    return q is not None and q.get("type") == "single" and "ask_if" not in q and "screen_out" not in q


def _screen_out_codes(condition: Condition, q: dict[str, Any], lists: dict[str, list]) -> list[int]:
    import pandas as pd

    items = lists[q["codes"]] if isinstance(q["codes"], str) else q["codes"]
    codes = [item["code"] for item in items]
    kept = condition.evaluate(pd.DataFrame({q["name"]: codes})).fillna(False).tolist()
    return [c for c, keep in zip(codes, kept) if not keep]


def _read_routing(survey: _Sheet, number: int, record: dict[str, str], q: dict[str, Any], choices,
                  groups: list[Condition], earlier: Collection[str] | None = None) -> None:
    relevant, written = record.get("relevant", ""), record.get("fj_ask_if", "")
    if not relevant:
        if written:
            raise InstrumentError(f"{survey.where(number, 'fj_ask_if')}: routing {written!r} but no relevant")
        cond = None
    else:
        cond = _condition(survey, number, "relevant", relevant, choices, earlier=earlier)
        # fj_ask_if keeps the routing as written in the instrument ("tilfreds in (4, 5)"); it is used only
        # while it still says the same as `relevant`, which is what a form-builder would edit.
        if written:
            try:
                original = Condition.parse(written)
            except InstrumentError as exc:
                raise InstrumentError(f"{survey.where(number, 'fj_ask_if')}: {exc}") from None
            if original.to_xpath() == relevant:
                cond = original
    # A group's `relevant` applies to every question inside it (XLSForm semantics): ANDed.
    parts = [*groups, *([cond] if cond is not None else [])]
    if not parts:
        return
    if len(parts) == 1:
        q["ask_if"] = str(parts[0])
    else:
        q["ask_if"] = " and ".join(f"({p})" for p in parts)


def _read_screening(survey: _Sheet, number: int, record: dict[str, str], q: dict[str, Any]) -> None:
    text = record.get("fj_screen_out", "")
    if not text:
        return
    if not re.fullmatch(r"-?\d+(\s+-?\d+)*", text):
        raise InstrumentError(
            f"{survey.where(number, 'fj_screen_out')}: expected codes separated by spaces, got {text!r}"
        )
    q["screen_out"] = [int(c) for c in text.split()]
    if record.get("fj_screening"):
        q["screening"] = record["fj_screening"]


def _exclusive_codes(condition: Condition, name: str) -> list[int] | None:
    """The codes of ``not(selected(., 'x') and count-selected(.) > 1)`` (one or several, ANDed);
    None when the constraint says anything else."""
    from fjernarbeid.instrument.expr import BoolOp, Compare, Not, Selected

    parts = condition.tree.operands if isinstance(condition.tree, BoolOp) and condition.tree.op == "and" \
        else (condition.tree,)
    codes = []
    for part in parts:
        inner = part.operand if isinstance(part, Not) else None
        if not (isinstance(inner, BoolOp) and inner.op == "and" and len(inner.operands) == 2):
            return None
        sel, count = inner.operands
        if isinstance(count, Selected):
            sel, count = count, sel
        if not (isinstance(sel, Selected) and sel.variable == name and isinstance(count, Compare)
                and count.func == "count_selected" and count.variable == name
                and (count.op, count.values) in ((">", (1,)), (">=", (2,)))):
            return None
        codes.append(sel.code)
    return codes


def _read_range(survey: _Sheet, number: int, record: dict[str, str], q: dict[str, Any], choices,
                notes: list[str], ordinary: bool) -> None:
    constraint, rule = record.get("constraint", ""), record.get("fj_range_rule", "")
    if q["type"] == "postal_code" and constraint.replace('"', "'") == f"regex(., '{POSTAL_CODE_REGEX}')":
        return  # the format every postal code is checked for
    if q["type"] == "postal_code" and _FOUR_DIGITS.match(constraint):
        return
    if rule:
        q["range"] = rule
        return
    if not constraint:
        return
    match = _RANGE.match(constraint)
    if q["type"] == "integer" and match and "." not in match.group(1) + match.group(2):
        q["range"] = {"min": int(match.group(1)), "max": int(match.group(2))}
        return
    if q["type"] == "decimal" and match:
        q["range"] = {"min": float(match.group(1)), "max": float(match.group(2))}
        return
    try:
        condition = Condition.from_xpath(constraint, choices, self_name=q["name"])
    except InstrumentError as exc:
        q["unenforced_constraint"] = constraint
        notes.append(f"{q['name']}: constraint {constraint!r} is not enforced in validation ({exc})")
        return
    exclusive = _exclusive_codes(condition, q["name"]) if q["type"] == "multiple" else None
    if exclusive:
        q["exclusive"] = exclusive
        return
    q["constraint"] = str(condition)


def _read_checks(sheet: _Sheet | None, questions: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Cross-question checks (sheet ``fj_checks``): name, rule and optional when, column and message::…"""
    if sheet is None:
        return []
    choices = {}
    for q in questions:
        if isinstance(q.get("codes"), list):
            choices[q["name"]] = {item.get("name", str(item["code"])): item["code"] for item in q["codes"]}
    out = []
    for number, record in sheet.rows:
        check: dict[str, Any] = {"name": record.get("name", "")}
        for column in ("rule", "when"):
            if record.get(column):
                check[column] = str(_condition(sheet, number, column, record[column], choices))
        if record.get("column"):
            check["column"] = record["column"]
        check["message"] = sheet.translations(record, "message")
        out.append(check)
    return out


def _read_derived(sheet: _Sheet | None, lists: dict[str, list], used: set[str]) -> tuple[list[dict], set[str]]:
    if sheet is None:
        return [], set()
    derived, own_lists = [], set()
    for number, record in sheet.rows:
        d: dict[str, Any] = {
            key: record[key] for key in ("name", "kind", "source", "expr", "field") if record.get(key)
        }
        d["label"] = sheet.translations(record, "label")
        list_name = record.get("list_name", "")
        if list_name:
            if list_name not in lists:
                raise InstrumentError(f"{sheet.where(number, 'list_name')}: no choice list {list_name!r}")
            items = lists[list_name]
            if list_name == d.get("name") and list_name not in used:
                own_lists.add(list_name)
                if all("min" in item for item in items):
                    d["bins"] = [dict(item) for item in items]
                else:
                    d["codes"] = [dict(item) for item in items]
            else:
                d["codes"] = list_name
        derived.append(d)
    return derived, own_lists


__all__ = ["MODES", "disposition_code", "read_xlsform", "write_xlsform"]

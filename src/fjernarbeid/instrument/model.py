"""A generic survey instrument: questions, code lists, routing, screening and derived variables.

The study's questionnaire (Vedlegg 1) is one YAML file read into these classes
(:func:`load_instrument`); another survey is another file. Everything downstream — import,
validation, the XLSForm, the demo, weighting defaults — asks the instrument rather than
hard-coding a question.
"""

from __future__ import annotations

import datetime as _dt
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Iterable, Iterator


from fjernarbeid._yaml import load_yaml
from fjernarbeid.errors import InstrumentError
from fjernarbeid.instrument.expr import Condition

# The languages the package's own texts come in; a questionnaire may use any language code
# (nb, nn, en, se, …): a label key that looks like one (two or three lower-case letters) is a language.
LANGUAGES = ("nb", "nn", "en")
DEFAULT_LANGUAGE = "nb"
ROLES = ("sex", "birth_year", "age", "age_group", "postal_code", "municipality", "education", "household_size")
QUESTION_TYPES = ("single", "multiple", "integer", "decimal", "date", "time", "datetime", "geopoint", "geotrace",
                  "geoshape", "postal_code", "text", "audio", "image", "video", "file")
# Answers in a format of their own (ISO date and time, "lat lon alt acc" as KoboToolbox and ODK write
# a location): each value is checked in that format, and none is analysed as a category or a number.
FORMAT_TYPES = frozenset({"date", "time", "datetime", "geopoint", "geotrace", "geoshape"})
LOCATION_TYPES = frozenset({"geopoint", "geotrace", "geoshape"})
# The name of a file the device attached (a recording, a photo): carried, never analysed.
ATTACHMENT_TYPES = frozenset({"audio", "image", "video", "file"})
# Answers held as text: a quoted value compared with one of them is text, not a choice name.
TEXT_TYPES = frozenset({"text", *FORMAT_TYPES, *ATTACHMENT_TYPES})
# Questions no table, test or model is made of (the postal code gives geography through the registers).
NOT_ANALYSED_TYPES = frozenset({*TEXT_TYPES, "postal_code"})
# XLSForm's form metadata the device records (start and end of the interview, its date): carried and
# checked as date-times and a date, never asked, never numbered, never analysed.
FORM_METADATA = {"start": "datetime", "end": "datetime", "today": "date"}
DERIVED_KINDS = ("age", "bins", "condition", "postal_lookup")
POSTAL_FIELDS = ("municipality_code", "municipality_name", "county_code", "county_name", "centrality")

Labels = dict[str, str]

# Value labels of the 0/1 column of each choice of a select-multiple question.
CHOSEN_LABELS: dict[str, dict[int, str]] = {
    "nb": {0: "Ikke valgt", 1: "Valgt"}, "nn": {0: "Ikkje valt", 1: "Valt"}, "en": {0: "Not chosen", 1: "Chosen"},
}


def is_language_code(key: Any) -> bool:
    """'nb', 'nn', 'en', 'sme' … — the keys of a label mapping that are languages (not 'code', 'missing')."""
    return isinstance(key, str) and key not in ("code", "min", "max") and re.fullmatch(r"[a-z]{2,3}", key) is not None


class MissingRoleError(InstrumentError, KeyError):
    """A step needs a variable with a role (sex, birth year, …) that the study does not declare."""

    def __str__(self) -> str:  # KeyError would quote the message
        return str(self.args[0]) if self.args else ""


def _labels(raw: Any, where: str) -> Labels:
    if raw is None:
        return {}
    if isinstance(raw, str):
        return {DEFAULT_LANGUAGE: " ".join(raw.split())}
    if not isinstance(raw, dict):
        raise InstrumentError(f"{where}: expected labels by language (nb/nn/en …), got {raw!r}")
    return {lang: " ".join(str(text).split()) for lang, text in raw.items()}


def _condition(source: str, where: str, texts: Iterable[str] = ()) -> Condition:
    """``source`` parsed; a quoted value compared with one of ``texts`` (text and date questions) is text
    (``flyttedato >= '2026-06-01'``), with any other variable it must be a number or a code, as before."""
    try:
        if texts:
            texts = set(texts)
            variables = Condition.parse(source, {}).variables  # {}: every quoted value as text, to find names
            return Condition.parse(source, {v: {} for v in variables - texts})
        return Condition.parse(source)
    except InstrumentError as exc:  # say which question / variable the condition belongs to
        raise InstrumentError(f"{where}: {exc}") from None


MEASUREMENT_LEVELS = ("nominal", "ordinal", "scale")


def _level(value, where: str) -> str | None:
    if value is None:
        return None
    if value not in MEASUREMENT_LEVELS:
        raise InstrumentError(f"{where}: level must be one of {', '.join(MEASUREMENT_LEVELS)}, not {value!r}")
    return value


def _pick(labels: Labels, lang: str) -> str:
    if lang in labels:
        return labels[lang]
    if DEFAULT_LANGUAGE in labels:
        return labels[DEFAULT_LANGUAGE]
    return next(iter(labels.values()), "")


@dataclass(frozen=True)
class Code:
    """One answer code with its labels; ``missing`` marks "not sure / not read aloud".

    ``name`` is the choice's name in an XLSForm when that is text (``dont_know``, ``eidfjord``):
    data exported with such names are read as the code, and the mapping is kept here.
    """

    code: int
    labels: Labels
    missing: bool = False
    name: str | None = None

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return _pick(self.labels, lang)


@dataclass(frozen=True)
class Question:
    name: str
    number: str
    type: str
    text: Labels
    codes: tuple[Code, ...] = ()
    code_list: str | None = None  # name of the shared code list, if it uses one
    ask_if: Condition | None = None
    screen_out: frozenset[int] = frozenset()
    screening: str | None = None  # S1, S2 … in the report's method chapter
    range: tuple[float, float] | None = None  # whole numbers for an integer question
    range_rule: str | None = None  # e.g. "birth_year": range computed from the target ages
    preamble: Labels = field(default_factory=dict)
    hint: Labels = field(default_factory=dict)
    instruction: Labels = field(default_factory=dict)
    condition_text: Labels = field(default_factory=dict)
    # An optional question may be left unanswered even when the routing asks it.
    required: bool = True
    # Select-multiple: codes that must be chosen alone ("none of these", "don't know").
    exclusive: frozenset[int] = frozenset()
    # A check of the answer beyond its codes/range (XLSForm `constraint`, `.` is the answer).
    constraint: Condition | None = None
    constraint_message: Labels = field(default_factory=dict)
    # A constraint the expression language cannot evaluate, kept as written (reported as not enforced).
    unenforced_constraint: str | None = None
    # Measurement level as declared (``level: ordinal`` for answer scales); see measurement_level.
    level: str | None = None
    # A cascading select (XLSForm ``choice_filter``): (earlier question, {its code: the codes of this
    # question it offers}); an answer outside its parent's codes is an error in validation.
    choice_filter: tuple[str, dict[int, frozenset[int]]] | None = None
    # Recorded by the device, not asked (XLSForm's start, end, today): see FORM_METADATA.
    metadata: bool = False

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return _pick(self.text, lang)

    @property
    def is_analysed(self) -> bool:
        """Whether tables, tests and models are made of the answers (not of text, dates, times,
        locations, attachments or the postal code itself)."""
        return self.type not in NOT_ANALYSED_TYPES

    @property
    def is_categorical(self) -> bool:
        return self.type == "single"

    @property
    def measurement_level(self) -> str:
        """'ordinal' (an answer scale, as the questionnaire declares), 'nominal' (other codes) or 'scale'
        (numbers: integer and decimal questions) — SPSS's measurement levels."""
        if self.level:
            return self.level
        return "scale" if self.is_number else "nominal"

    @property
    def is_number(self) -> bool:
        """A number asked as a number (XLSForm ``integer`` or ``decimal``): its mean, quantiles and range."""
        return self.type in ("integer", "decimal")

    @property
    def is_multiple(self) -> bool:
        """A select-multiple question: the answer is a set of codes, held as "1 3" (codes separated by spaces)."""
        return self.type == "multiple"

    def option_column(self, code: int) -> str:
        """The 0/1 indicator column of one option of a select-multiple question: ``v7_3`` (``v7_m99`` for −99)."""
        return f"{self.name}_{'m' if code < 0 else ''}{abs(code)}"

    @property
    def option_columns(self) -> dict[int, str]:
        return {c.code: self.option_column(c.code) for c in self.codes}

    def codes_by_name(self) -> dict[str, int]:
        """Choice names → codes, for data that hold the names (an XLSForm's text choice names and the codes as text)."""
        out = {str(c.code): c.code for c in self.codes}
        out.update({c.name: c.code for c in self.codes if c.name})
        return out

    @property
    def valid_codes(self) -> tuple[int, ...]:
        return tuple(c.code for c in self.codes)

    @property
    def missing_codes(self) -> tuple[int, ...]:
        """Codes that are "not sure / no answer": valid answers, missing in analysis."""
        return tuple(c.code for c in self.codes if c.missing)

    @property
    def substantive_codes(self) -> tuple[int, ...]:
        return tuple(c.code for c in self.codes if not c.missing)

    def code_labels(self, lang: str = DEFAULT_LANGUAGE) -> dict[int, str]:
        return {c.code: c.label(lang) for c in self.codes}

    def code(self, value: int) -> Code:
        for c in self.codes:
            if c.code == value:
                return c
        raise KeyError(f"{self.name} has no code {value}")


@dataclass(frozen=True)
class Bin:
    code: int
    min: int
    max: int
    labels: Labels

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return _pick(self.labels, lang)


@dataclass(frozen=True)
class Derived:
    """A variable computed after import (age, age group, indicators, postal-code look-ups)."""

    name: str
    kind: str
    labels: Labels
    source: str | None = None
    expr: Condition | None = None
    field: str | None = None
    bins: tuple[Bin, ...] = ()
    codes: tuple[Code, ...] = ()

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return _pick(self.labels, lang)

    @property
    def needs_refdata(self) -> bool:
        return self.kind == "postal_lookup"

    def code_labels(self, lang: str = DEFAULT_LANGUAGE) -> dict[int, str]:
        if self.bins:
            return {b.code: b.label(lang) for b in self.bins}
        return {c.code: c.label(lang) for c in self.codes}


@dataclass(frozen=True)
class Check:
    """A rule across questions that every respondent's answers must satisfy.

    ``rule`` must hold wherever ``when`` holds (or everywhere); a row where it is false is an error
    reported in ``column`` with the check's ``name``. Unknown (a missing answer) is not a breach:
    missing answers are the routing's and the required answers' business.
    """

    name: str
    rule: Condition
    column: str
    when: Condition | None = None
    message: Labels = field(default_factory=dict)

    @property
    def variables(self) -> set[str]:
        return self.rule.variables | (self.when.variables if self.when is not None else set())

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return _pick(self.message, lang) if self.message else str(self.rule)


@dataclass(frozen=True)
class Instrument:
    """A questionnaire as data. Index it by variable name: ``inst["tilfreds"]``."""

    id: str
    version: str
    title: Labels
    questions: tuple[Question, ...]
    derived: tuple[Derived, ...] = ()
    code_lists: dict[str, tuple[Code, ...]] = field(default_factory=dict)
    id_variable: str = "id"
    fieldwork_start: _dt.date | None = None
    fieldwork_end: _dt.date | None = None
    min_age: int | None = None
    max_age: int | None = None
    age_reference_year: int | None = None
    intro: Labels = field(default_factory=dict)
    closing: Labels = field(default_factory=dict)
    source: str = ""
    mode: str = ""
    checks: tuple[Check, ...] = ()
    # What reading the questionnaire noticed (an XLSForm's metadata rows ignored, text choice names
    # mapped to codes, constraints not enforced), for the user to read.
    notes: tuple[str, ...] = ()
    # An XLSForm's rows the instrument does not read, name → type ({"reise_uke": "calculate"}): an export's
    # column of one is named as such, not as a column of another form.
    unread: dict[str, str] = field(default_factory=dict)
    # role → variable (question or derived): which variable is sex, birth year, postal code, … —
    # declared in the questionnaire (``roles:``) or the study file, never guessed from a name.
    roles: dict[str, str] = field(default_factory=dict)

    # -- access -------------------------------------------------------------------------
    def __getitem__(self, name: str) -> Question:
        for q in self.questions:
            if q.name == name:
                return q
        raise KeyError(f"the instrument has no question {name!r}")

    def __contains__(self, name: object) -> bool:
        return any(q.name == name for q in self.questions)

    def __iter__(self) -> Iterator[Question]:
        return iter(self.questions)

    def __len__(self) -> int:
        return len(self.questions)

    @property
    def names(self) -> list[str]:
        return [q.name for q in self.questions]

    @property
    def screening_questions(self) -> list[Question]:
        return [q for q in self.questions if q.screen_out]

    def derived_variable(self, name: str) -> Derived:
        for d in self.derived:
            if d.name == name:
                return d
        raise KeyError(f"the instrument has no derived variable {name!r}")

    def has_variable(self, name: str) -> bool:
        return name in self or any(d.name == name for d in self.derived)

    def role(self, role: str) -> str:
        """The variable that carries ``role`` ('sex', 'birth_year', 'postal_code', 'municipality',
        'education', 'household_size', …). Declared in ``roles:``; a birth-year question
        (``range: birth_year``) and the one postal-code question declare their role themselves.
        A role nobody declared raises :class:`MissingRoleError` saying what to declare."""
        if role in self.roles:
            return self.roles[role]
        if role == "birth_year":
            found = [q.name for q in self.questions if q.range_rule == "birth_year"]
        elif role == "postal_code":
            found = [q.name for q in self.questions if q.type == "postal_code"]
        else:
            found = []
        if len(found) == 1:
            return found[0]
        raise MissingRoleError(
            f"the questionnaire {self.id} has no question with role {role!r}: declare it with "
            f"`roles: {{{role}: <question name>}}` in the questionnaire or the study file")

    def has_role(self, role: str) -> bool:
        try:
            self.role(role)
        except MissingRoleError:
            return False
        return True

    def question_for_role(self, role: str) -> "Question | Derived":
        """The question (or derived variable) that carries ``role``; see :meth:`role`."""
        name = self.role(role)
        return self[name] if name in self else self.derived_variable(name)

    @property
    def languages(self) -> list[str]:
        """The languages the questionnaire's texts are written in, the title's first."""
        found = list(self.title)
        for q in self.questions:
            found.extend(q.text)
        return list(dict.fromkeys(found)) or [DEFAULT_LANGUAGE]

    def label(self, lang: str = DEFAULT_LANGUAGE) -> str:
        return _pick(self.title, lang)

    # -- rules derived from the definition ---------------------------------------------
    def birth_year_range(self) -> tuple[int, int]:
        """Birth years for which the target age is possible on some day of the fieldwork.

        Only the year is asked, so someone born in (start year − max_age − 1) may still be
        max_age during the fieldwork, and someone born in (end year − min_age) may already be
        min_age. With 25-60 and April-May 2025 that is 1964-2000.
        """
        if self.min_age is None or self.max_age is None or self.fieldwork_start is None:
            raise InstrumentError(f"instrument {self.id} has no target ages / fieldwork dates")
        end = self.fieldwork_end or self.fieldwork_start
        return (self.fieldwork_start.year - self.max_age - 1, end.year - self.min_age)

    def range_of(self, question: Question) -> tuple[int, int] | None:
        if question.range_rule == "birth_year":
            return self.birth_year_range()
        return question.range

    def asked_mask(self, frame) -> dict[str, Any]:
        """For each routed question, the three-valued 'was it asked' Series on ``frame``."""
        return {q.name: q.ask_if.evaluate(frame) for q in self.questions if q.ask_if is not None}

    def value_labels(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, dict[int, str]]:
        """Value labels of every coded variable (questions and derived), e.g. for SPSS files."""
        out = {q.name: q.code_labels(lang) for q in self.questions if q.codes and not q.is_multiple}
        for q in self.questions:  # a select-multiple question is exported as a 0/1 column per choice
            if q.is_multiple:
                out.update({column: dict(CHOSEN_LABELS.get(lang, CHOSEN_LABELS["en"]))
                            for column in q.option_columns.values()})
        out.update({d.name: d.code_labels(lang) for d in self.derived if d.code_labels(lang)})
        return out

    def variable_labels(self, lang: str = DEFAULT_LANGUAGE) -> dict[str, str]:
        out = {self.id_variable: "Respondent id" if lang == "en" else "Respondent-ID"}
        for q in self.questions:
            out[q.name] = f"{q.number}. {q.label(lang)}"
            if q.is_multiple:
                out.update({q.option_column(c.code): f"{q.number}. {q.label(lang)}: {c.label(lang)}" for c in q.codes})
        out.update({d.name: d.label(lang) for d in self.derived})
        return out


# -- loading --------------------------------------------------------------------------------


_CODE_KEYS = frozenset({"code", "missing", "name", "min", "max"})


def _codes(raw: Any, code_lists: dict[str, tuple[Code, ...]], where: str) -> tuple[tuple[Code, ...], str | None]:
    if raw is None:
        return (), None
    if isinstance(raw, str):
        if raw not in code_lists:
            raise InstrumentError(f"{where}: unknown code list {raw!r}")
        return code_lists[raw], raw
    codes = []
    for i, item in enumerate(raw):
        if not isinstance(item, dict) or "code" not in item:
            raise InstrumentError(f"{where}: code #{i + 1} needs a 'code' and labels")
        labels = {k: " ".join(str(v).split()) for k, v in item.items()
                  if k not in _CODE_KEYS and is_language_code(k)}
        name = item.get("name")
        codes.append(Code(int(item["code"]), labels, bool(item.get("missing", False)),
                          str(name) if name not in (None, "") else None))
    seen = [c.code for c in codes]
    if len(seen) != len(set(seen)):
        raise InstrumentError(f"{where}: duplicate codes {seen}")
    return tuple(codes), None


def instrument_from_dict(raw: dict[str, Any], where: str = "instrument") -> Instrument:
    """Build an :class:`Instrument` from its plain-data form (as in the YAML file), checking it."""
    code_lists = {}
    for name, items in (raw.get("code_lists") or {}).items():
        code_lists[name], _ = _codes(items, {}, f"{where}: code list {name}")

    questions: list[Question] = []
    known: set[str] = set()
    for i, q in enumerate(raw.get("questions") or []):
        name = q.get("name")
        qwhere = f"{where}: question {name or '#' + str(i + 1)}"
        if not name:
            raise InstrumentError(f"{qwhere}: has no name")
        if name in known:
            raise InstrumentError(f"{qwhere}: name used twice")
        qtype = q.get("type", "single")
        if qtype not in QUESTION_TYPES:
            raise InstrumentError(f"{qwhere}: type {qtype!r} is not one of {QUESTION_TYPES}")
        codes, list_name = _codes(q.get("codes"), code_lists, qwhere)
        if qtype in ("single", "multiple") and not codes:
            raise InstrumentError(f"{qwhere}: a {'single' if qtype == 'single' else 'multiple'}-choice question needs codes")
        exclusive = frozenset(int(c) for c in q.get("exclusive") or [])
        if exclusive and (qtype != "multiple" or not exclusive <= {c.code for c in codes}):
            raise InstrumentError(f"{qwhere}: exclusive codes {sorted(exclusive)} need a multiple-choice question "
                                  "with those codes")
        required = q.get("required", True)
        if not isinstance(required, bool):
            raise InstrumentError(f"{qwhere}: required must be true or false, not {required!r}")
        metadata = q.get("metadata", False)
        if metadata not in (True, False) or (metadata and FORM_METADATA.get(name) != qtype):
            raise InstrumentError(f"{qwhere}: metadata: true is for the form metadata "
                                  f"{', '.join(f'{k} ({v})' for k, v in FORM_METADATA.items())}")
        # quoted values compared with a text or date question are text (its own, in a constraint)
        earlier_texts = [p.name for p in questions if p.type in TEXT_TYPES]
        own_text = [name] if qtype in TEXT_TYPES else []
        constraint = _condition(q["constraint"], qwhere, earlier_texts + own_text) if q.get("constraint") else None
        if constraint is not None and constraint.variables - known - {name}:
            raise InstrumentError(f"{qwhere}: constraint uses {sorted(constraint.variables - known - {name})}, "
                                  "not asked before it")
        ask_if = _condition(q["ask_if"], qwhere, earlier_texts) if q.get("ask_if") else None
        if ask_if is not None:
            unknown = ask_if.variables - known
            if unknown:
                raise InstrumentError(f"{qwhere}: ask_if uses {sorted(unknown)}, not asked before it")
            # an earlier question's "don't know" code is neither more nor less than a number it is compared with
            ask_if = ask_if.with_missing({p.name: p.missing_codes for p in questions if p.missing_codes})
        screen_out = frozenset(int(c) for c in q.get("screen_out") or [])
        if not screen_out <= {c.code for c in codes}:
            raise InstrumentError(f"{qwhere}: screen_out codes {sorted(screen_out)} are not all in its code list")
        cascade = None
        if q.get("choice_filter"):
            spec = q["choice_filter"]
            parent = spec.get("variable") if isinstance(spec, dict) else None
            if parent not in known or not isinstance(spec.get("allowed"), dict):
                raise InstrumentError(f"{qwhere}: choice_filter needs 'variable' (an earlier question) and 'allowed' "
                                      "({its code: [codes of this question]})")
            own = {c.code for c in codes}
            allowed = {int(k): frozenset(int(c) for c in v) for k, v in spec["allowed"].items()}
            if any(not v <= own for v in allowed.values()):
                raise InstrumentError(f"{qwhere}: choice_filter allows codes that are not in its code list")
            cascade = (parent, allowed)
        rng, rule = q.get("range"), None
        if isinstance(rng, str):
            rule, rng = rng, None
        elif isinstance(rng, dict):
            bound = float if qtype == "decimal" else int
            rng = (bound(rng["min"]), bound(rng["max"]))
        questions.append(
            Question(
                name=name,
                number=str(q.get("number", name)),
                type=qtype,
                text=_labels(q.get("text"), qwhere),
                codes=codes,
                code_list=list_name,
                ask_if=ask_if,
                screen_out=screen_out,
                screening=q.get("screening"),
                range=rng,
                range_rule=rule,
                preamble=_labels(q.get("preamble"), qwhere),
                hint=_labels(q.get("hint"), qwhere),
                instruction=_labels(q.get("instruction"), qwhere),
                condition_text=_labels(q.get("condition_text"), qwhere),
                required=required,
                exclusive=exclusive,
                constraint=constraint,
                constraint_message=_labels(q.get("constraint_message"), qwhere),
                unenforced_constraint=q.get("unenforced_constraint") or None,
                level=_level(q.get("level"), qwhere),
                choice_filter=cascade,
                metadata=bool(metadata),
            )
        )
        known.add(name)
    option_names = {col for q in questions if q.is_multiple for col in q.option_columns.values()}
    if option_names & known:
        raise InstrumentError(f"{where}: {sorted(option_names & known)} name both a question and the option column "
                              "of a multiple-choice question (name_code); rename one")

    derived: list[Derived] = []
    for d in raw.get("derived") or []:
        dwhere = f"{where}: derived {d.get('name')}"
        kind = d.get("kind")
        if kind not in DERIVED_KINDS:
            raise InstrumentError(f"{dwhere}: kind {kind!r} is not one of {DERIVED_KINDS}")
        source = d.get("source")
        if kind in ("age", "bins", "postal_lookup") and source not in known:
            raise InstrumentError(f"{dwhere}: source {source!r} is not defined before it")
        expr = _condition(d["expr"], dwhere) if d.get("expr") else None
        if kind == "condition":
            if expr is None:
                raise InstrumentError(f"{dwhere}: a condition needs 'expr'")
            if expr.variables - known:
                raise InstrumentError(f"{dwhere}: expr uses unknown {sorted(expr.variables - known)}")
        if kind == "postal_lookup" and d.get("field") not in POSTAL_FIELDS:
            raise InstrumentError(f"{dwhere}: field must be one of {POSTAL_FIELDS}")
        bins = tuple(
            Bin(int(b["code"]), int(b["min"]), int(b["max"]), {k: v for k, v in b.items() if is_language_code(k)})
            for b in d.get("bins") or []
        )
        codes, _ = _codes(d.get("codes"), code_lists, dwhere)
        derived.append(
            Derived(name=d["name"], kind=kind, labels=_labels(d.get("label"), dwhere), source=source,
                    expr=expr, field=d.get("field"), bins=bins, codes=codes)
        )
        known.add(d["name"])

    checks: list[Check] = []
    for i, c in enumerate(raw.get("checks") or []):
        cwhere = f"{where}: check {c.get('name') or '#' + str(i + 1)}"
        if not isinstance(c, dict) or not c.get("name") or not c.get("rule"):
            raise InstrumentError(f"{cwhere}: a check needs a name and a rule")
        rule = _condition(str(c["rule"]), cwhere)
        when = _condition(str(c["when"]), cwhere) if c.get("when") else None
        used = rule.variables | (when.variables if when else set())
        if used - known:
            raise InstrumentError(f"{cwhere}: uses {sorted(used - known)}, which is no question or derived variable")
        column = c.get("column") or sorted(rule.variables)[0]
        if column not in known:
            raise InstrumentError(f"{cwhere}: column {column!r} is no question or derived variable")
        checks.append(Check(str(c["name"]), rule, column, when, _labels(c.get("message"), cwhere)))

    fw = raw.get("fieldwork") or {}
    tp = raw.get("target_population") or {}
    roles = check_roles(raw.get("roles"), known, where)

    def _date(v):
        if v is None or isinstance(v, _dt.date):
            return v
        return _dt.date.fromisoformat(str(v))

    return Instrument(
        id=str(raw.get("id", "instrument")),
        version=str(raw.get("version", "")),
        title=_labels(raw.get("title"), where),
        questions=tuple(questions),
        derived=tuple(derived),
        code_lists=code_lists,
        id_variable=raw.get("id_variable", "id"),
        fieldwork_start=_date(fw.get("start")),
        fieldwork_end=_date(fw.get("end")),
        min_age=tp.get("min_age"),
        max_age=tp.get("max_age"),
        age_reference_year=tp.get("age_reference_year"),
        intro=_labels(raw.get("intro"), where),
        closing=_labels(raw.get("closing"), where),
        source=str(raw.get("source", "")),
        mode=str(raw.get("mode", "")),
        checks=tuple(checks),
        notes=tuple(str(n) for n in raw.get("notes") or ()),
        unread={str(k): str(v) for k, v in (raw.get("unread") or {}).items()},
        roles=roles,
    )


def check_roles(raw: Any, known: set[str], where: str) -> dict[str, str]:
    """``roles:`` as a mapping role → variable; every variable must be defined."""
    if raw is None:
        return {}
    if not isinstance(raw, dict):
        raise InstrumentError(f"{where}: roles must be a mapping such as {{sex: kjonn, birth_year: fodselsar}}, got {raw!r}")
    roles = {}
    for role, variable in raw.items():
        if not isinstance(variable, str) or variable not in known:
            raise InstrumentError(f"{where}: role {role!r} names {variable!r}, which is not a question or derived "
                                  "variable of the questionnaire")
        roles[str(role)] = variable
    return roles


def load_instrument(path: str | Path | None = None) -> Instrument:
    """Load an instrument from a YAML file, an XLSForm (.xlsx), or the default study's by default."""
    if path is None:
        from fjernarbeid.study import load_study

        return load_study().instrument
    path = Path(path)
    if not path.exists():
        from fjernarbeid.errors import InputFileError

        raise InputFileError(f"{path}: instrument file not found")
    if path.suffix.lower() in (".xlsx", ".xls"):
        from fjernarbeid.instrument.xlsform import read_xlsform

        return read_xlsform(path)
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InstrumentError(f"{path}: cannot read the instrument file: {exc.strerror or exc}") from None
    raw = load_yaml(data, str(path), InstrumentError)
    if not isinstance(raw, dict):
        raise InstrumentError(f"{path}: expected a mapping at the top level")
    return instrument_from_dict(raw, where=str(path))

"""Pseudonymisation of transcripts: the first step after import, before any coding or output.

What it does (rule-based; every rule is listed in the replacement report):

* **Names from a mapping file** kept apart from the transcripts (:func:`read_mapping`): real name →
  pseudonym for informants ("Informant 1" … "Informant 7"), interviewers, other people, employers
  ("[arbeidsgiver]") and, on request, places. Applied to speaker tags and to the speech; longest
  name first; whole words only, where a hyphen counts as part of a word (so "Ole" never touches
  "Ole-Martin"); Norwegian genitive forms are included ("Karis", "Kari's", "Kari’s",
  "Ole-Martins", "Hans'"), and become the pseudonym + "s". A person's first name and surname are
  added on their own ("Kari", "Haugland") unless two people share them (then listed for review).
* **Detectors**: Norwegian phone numbers (8 digits starting 2-9 as ``12345678``, ``123 45 678``,
  ``12 34 56 78``, with or without ``+47``/``0047``) → "[telefon]"; e-mail addresses → "[e-post]";
  national identity numbers (fødselsnummer/D-nummer: 11 digits whose two mod-11 check digits are
  right, Skatteverket/Skatteetaten's algorithm) → "[fødselsnummer]". An 11-digit number with wrong
  check digits is left in place and listed for review.
* **Review list**: capitalised words that are not at the start of a sentence and are neither in the
  mapping, its ``keep`` list nor a small built-in stop list (Teams, Hardanger, Bergen, …), i.e.
  names the mapping may have missed, for a person to check.

Every replacement and review item is reported with file, turn, field and character span, and the
original text. That report holds the real names: it belongs with the mapping file, never with the
pseudonymised transcripts or any output.

Limits, honestly: there is no named-entity model (none can be installed or downloaded here), so
unknown names are only *flagged* when capitalised and not sentence-initial; a name at the start of a
sentence, a name written in lower case by the automatic transcription, other inflections than the
genitive, or indirect identification (a rare job title, a small village, a life story) are not
caught. Matching is case-sensitive. Read the pseudonymised transcripts before they leave the project.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


from fjernarbeid._yaml import load_yaml
from fjernarbeid._io import write_text_atomic
from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.interviews.transcript import Interview, Turn, normalise_name, safe_file_stem

KINDS = ("informant", "interviewer", "person", "employer", "place")
PERSON_KINDS = ("informant", "interviewer", "person")
PHONE, EMAIL, NATIONAL_ID = "[telefon]", "[e-post]", "[fødselsnummer]"
# Capitalised words that are not names of people or employers and need no review (the mapping's
# ``keep`` list adds to this). Places in the study region are case variables, not identifiers.
STOP_WORDS = frozenset("""
    Teams Zoom Skype Outlook Microsoft Google Office Excel Word PowerPoint OneDrive SharePoint Slack Viken
    Hardanger Hardangerfjorden Hardangerregionen Harding Hardingar Vestland Hordaland Vestlandet Norge Noreg
    Norden Europa Sverige Danmark Bergen Oslo Trondheim Stavanger Tromsø Voss Sogn Kvam Ulvik Eidfjord Ullensvang
    Odda Norheimsund NORCE NAV FUS HMS IT HR OK Covid Korona Informant Intervjuer NTNU UiB Vy Skyss Bybanen
    Team Jeg Du Vi De Han Hun Det Den Men Og Så Ja Nei
""".split())


@dataclass(frozen=True)
class Mapping:
    """Real name → (pseudonym, kind), the interviewers' real names, and words to leave unflagged."""

    names: dict[str, tuple[str, str]]
    keep: frozenset[str] = frozenset()
    source: str = "<mapping>"
    ambiguous: tuple[str, ...] = ()  # name parts shared by two people (not used as aliases)

    @property
    def interviewers(self) -> list[str]:
        return [name for name, (_, kind) in self.names.items() if kind == "interviewer"]

    @property
    def pseudonyms(self) -> set[str]:
        return {p for p, _ in self.names.values()}

    def speaker(self, name: str) -> str | None:
        """The pseudonym of a speaker tag (whole name, case and spacing ignored), or None."""
        wanted = normalise_name(name)
        for real, (pseudo, _) in self.names.items():
            if normalise_name(real) == wanted:
                return pseudo
        # A tag that already is a pseudonym (a transcript pseudonymised before) stays as it is.
        return name if name in self.pseudonyms else None


def read_mapping(path: str | Path) -> Mapping:
    """Read the mapping file: YAML with sections ``informants``, ``interviewers``, ``people``,
    ``employers``, ``places`` (each ``Real Name: Pseudonym``) and ``keep`` (a list of words), or a CSV
    with columns ``original,pseudonym,kind`` (kind one of informant, interviewer, person, employer,
    place, keep)."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such mapping file") from None
    rows: list[tuple[str, str, str, str]] = []  # original, pseudonym, kind, where
    keep: set[str] = set()
    if path.suffix.lower() == ".csv":
        reader = csv.DictReader(io.StringIO(text))
        missing = {"original", "pseudonym", "kind"} - set(reader.fieldnames or ())
        if missing:
            raise InputFileError(f"{path}, line 1: the mapping needs the columns original, pseudonym, kind; "
                                 f"missing {', '.join(sorted(missing))}")
        for line, row in enumerate(reader, start=2):
            kind = (row["kind"] or "").strip()
            if kind == "keep":
                keep.add((row["original"] or "").strip())
                continue
            rows.append(((row["original"] or "").strip(), (row["pseudonym"] or "").strip(), kind, f"line {line}"))
    else:
        data = load_yaml(text, str(path)) or {}
        if not isinstance(data, dict):
            raise InputFileError(f"{path}: expected sections informants/interviewers/people/employers/places/keep")
        sections = {"informants": "informant", "interviewers": "interviewer", "people": "person",
                    "employers": "employer", "places": "place"}
        unknown = set(data) - set(sections) - {"keep"}
        if unknown:
            raise InputFileError(f"{path}: unknown section(s) {', '.join(sorted(map(str, unknown)))} "
                                 f"(expected {', '.join(sections)}, keep)")
        for section, kind in sections.items():
            entries = data.get(section) or {}
            if not isinstance(entries, dict):
                raise InputFileError(f"{path}, section {section}: expected 'Real Name: Pseudonym' entries")
            rows.extend((str(k).strip(), str(v if v is not None else "").strip(), kind, f"section {section}")
                        for k, v in entries.items())
        keep.update(str(w) for w in (data.get("keep") or ()))
    names: dict[str, tuple[str, str]] = {}
    for original, pseudonym, kind, where in rows:
        if kind not in KINDS:
            raise InputFileError(f"{path}, {where}: kind {kind!r} is not one of {', '.join(KINDS)}, keep")
        if not original or not pseudonym:
            raise InputFileError(f"{path}, {where}: both the real name and its pseudonym are needed "
                                 f"(got {original!r} → {pseudonym!r})")
        if original in names and names[original][0] != pseudonym:
            raise InputFileError(f"{path}, {where}: {original!r} is given two pseudonyms, "
                                 f"{names[original][0]!r} and {pseudonym!r}")
        names[original] = (pseudonym, kind)
    if not names:
        raise InputFileError(f"{path}: the mapping has no names")
    return _with_name_parts(Mapping(names=names, keep=frozenset(keep), source=str(path)))


def _with_name_parts(mapping: Mapping) -> Mapping:
    """Add people's first names and surnames as names of their own, unless two people share them."""
    parts: dict[str, set[str]] = {}
    for real, (pseudo, kind) in mapping.names.items():
        if kind in PERSON_KINDS and " " in real:
            for part in real.split():
                if len(part) > 1 and part[0].isupper():
                    parts.setdefault(part, set()).add(pseudo)
    names = dict(mapping.names)
    ambiguous = []
    for part, pseudos in sorted(parts.items()):
        if part in names or part in mapping.keep:
            continue
        if len(pseudos) == 1:
            pseudo = next(iter(pseudos))
            names[part] = (pseudo, next(k for r, (p, k) in mapping.names.items() if p == pseudo))
        else:
            ambiguous.append(part)
    return Mapping(names=names, keep=mapping.keep, source=mapping.source, ambiguous=tuple(ambiguous))


# -- detectors --------------------------------------------------------------------------------------

_EMAIL = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
_PHONE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?47[\s.-]?)?"
    r"(?:[2-9]\d{7}|[2-9]\d{2}[ .-]\d{2}[ .-]\d{3}|[2-9]\d[ .-]\d{2}[ .-]\d{2}[ .-]\d{2})(?![\w])")
_ELEVEN = re.compile(r"(?<![\d])(\d{6})[ ]?(\d{5})(?![\d])")
_CAPITALISED = re.compile(r"(?<![\w\-])[A-ZÆØÅÄÖÜÉ][\w’'\-]*\w")
_SENTENCE_END = set(".!?:;…«»\"“”'(–-")
_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)


def valid_national_id(number: str) -> bool:
    """True if an 11-digit fødselsnummer/D-nummer has correct mod-11 check digits (digits 10 and 11).

    Source: Skatteetaten, "Fødselsnummer" (check digit k1 = 11 − (3d1+7d2+6m1+1m2+8å1+9å2+4i1+5i2+2i3)
    mod 11, k2 = 11 − (5d1+4d2+3m1+2m2+7å1+6å2+5i1+4i2+3i3+2k1) mod 11; 11 → 0, 10 → invalid).
    The date part is not checked (D-numbers and synthetic test numbers shift day or month)."""
    digits = [int(c) for c in number if c.isdigit()]
    if len(digits) != 11 or len(number.replace(" ", "")) != 11:
        return False

    def check(weights) -> int:
        k = 11 - sum(w * d for w, d in zip(weights, digits)) % 11
        return 0 if k == 11 else k

    k1 = check(_K1)
    k2 = check(_K2)
    return k1 != 10 and k2 != 10 and k1 == digits[9] and k2 == digits[10]


@dataclass(frozen=True)
class Finding:
    """One replacement or review item: where (turn, field, character span of the original field) and what."""

    kind: str          # informant, interviewer, person, employer, place, phone, email, national_id, capitalised, …
    action: str        # "replaced" or "review"
    original: str
    replacement: str
    start: int
    end: int
    field: str = "text"
    turn: int | None = None
    note: str = ""


@dataclass
class _Names:
    """The compiled name matcher of a mapping (longest name first, whole words, genitive forms)."""

    mapping: Mapping
    pattern: re.Pattern | None = field(init=False)

    def __post_init__(self):
        names = sorted(self.mapping.names, key=len, reverse=True)
        alternation = "|".join(re.escape(n) for n in names)
        self.pattern = re.compile(rf"(?<![\w\-])(?P<name>{alternation})(?P<gen>s|['’]s|['’])?(?![\w\-])")
        self.by_name = {**self.mapping.names}


def pseudonymise_text(text: str, mapping: Mapping, _names: _Names | None = None) -> tuple[str, list[Finding]]:
    """Pseudonymise one piece of text; return the new text and the findings (spans refer to ``text``)."""
    names = _names or _Names(mapping)
    candidates: list[tuple[int, int, int, Finding]] = []  # start, -length, priority, finding
    for m in _EMAIL.finditer(text):
        candidates.append((m.start(), -len(m[0]), 0, Finding("email", "replaced", m[0], EMAIL, m.start(), m.end())))
    for m in _ELEVEN.finditer(text):
        if valid_national_id(m[0]):
            f = Finding("national_id", "replaced", m[0], NATIONAL_ID, m.start(), m.end())
        else:
            f = Finding("eleven_digits", "review", m[0], m[0], m.start(), m.end(),
                        note="11 digits with wrong fødselsnummer check digits: left in place, check by hand")
        candidates.append((m.start(), -len(m[0]), 1, f))
    for m in _PHONE.finditer(text):
        candidates.append((m.start(), -len(m[0]), 2, Finding("phone", "replaced", m[0], PHONE, m.start(), m.end())))
    for m in names.pattern.finditer(text):
        pseudo, kind = names.by_name[m["name"]]
        replacement = pseudo + ("s" if m["gen"] else "")
        candidates.append((m.start(), -len(m[0]), 3,
                           Finding(kind, "replaced", m[0], replacement, m.start(), m.end(),
                                   note="genitive" if m["gen"] else "")))
    chosen: list[Finding] = []
    taken_until = -1
    for start, _, _, finding in sorted(candidates, key=lambda c: c[:3]):
        if start >= taken_until:
            chosen.append(finding)
            taken_until = finding.end
    out, pos = [], 0
    for f in chosen:
        out += [text[pos:f.start], f.replacement]
        pos = f.end
    out.append(text[pos:])
    review = _unknown_capitalised(text, chosen, mapping)
    return "".join(out), chosen + review


def _unknown_capitalised(text: str, chosen: list[Finding], mapping: Mapping) -> list[Finding]:
    covered = [(f.start, f.end) for f in chosen]
    pseudo_words = {w for p in mapping.pseudonyms for w in re.findall(r"\w+", p)}
    known = STOP_WORDS | mapping.keep | set(mapping.names) | pseudo_words
    found = []
    for m in _CAPITALISED.finditer(text):
        word = m[0]
        # A compound is fine when each capitalised part is known ("Teams-møtet"), not when one is new.
        parts = [p for p in re.split(r"[-’']", word) if p[:1].isupper()]
        if word in known or all(p in known for p in parts):
            continue
        if any(s <= m.start() < e for s, e in covered):
            continue
        before = text[: m.start()].rstrip()
        if not before or before[-1] in _SENTENCE_END or before.endswith("..."):
            continue  # sentence-initial: capitalised anyway
        note = ("first name or surname shared by two people in the mapping: pseudonymise by hand"
                if word in mapping.ambiguous else "capitalised word not in the mapping: a name?")
        found.append(Finding("capitalised", "review", word, word, m.start(), m.end(), note=note))
    return found


@dataclass(frozen=True)
class Pseudonymised:
    """A pseudonymised interview and every finding, with the original's file name for the report."""

    interview: Interview
    original_source: str
    original_id: str
    findings: tuple[Finding, ...]

    @property
    def replaced(self) -> int:
        return sum(f.action == "replaced" for f in self.findings)

    @property
    def to_review(self) -> int:
        return sum(f.action == "review" for f in self.findings)


def pseudonymise(interview: Interview, mapping: Mapping) -> Pseudonymised:
    """Replace names in speaker tags, speech, title and notes; the interview id becomes the informant's
    pseudonym (the original id and file name often hold the name), so only the report links the two.

    Raises :class:`DataValidationError` if a speaker has no pseudonym: a speaker tag is always a name."""
    names = _Names(mapping)
    missing = [s for s in interview.speakers if mapping.speaker(s) is None]
    if missing:
        raise DataValidationError(
            f"{interview.source}: speaker(s) {', '.join(map(repr, missing))} have no pseudonym in {mapping.source}; "
            "add each as 'Real Name: Pseudonym' under informants, interviewers or people")
    findings: list[Finding] = []
    turns: list[Turn] = []
    for t in interview.turns:
        pseudo_speaker = mapping.speaker(t.speaker)
        if pseudo_speaker != t.speaker:
            findings.append(Finding("speaker", "replaced", t.speaker, pseudo_speaker, 0, len(t.speaker),
                                    field="speaker", turn=t.number))
        text, found = pseudonymise_text(t.text, mapping, names)
        findings.extend(_at(found, field="text", turn=t.number))
        turns.append(Turn(t.number, pseudo_speaker, t.role, text, t.start, t.end, t.line))
    title, found = pseudonymise_text(interview.title, mapping, names)
    findings.extend(_at(found, field="title"))
    notes = []
    for i, note in enumerate(interview.notes, start=1):
        new, found = pseudonymise_text(note, mapping, names)
        findings.extend(_at(found, field=f"note {i}"))
        notes.append(new)
    informants = list(dict.fromkeys(t.speaker for t in turns if t.role == "informant"))
    new_id = safe_file_stem(informants[0]) if len(informants) == 1 else safe_file_stem(
        pseudonymise_text(interview.id, mapping, names)[0])
    suffix = Path(interview.source).suffix
    result = interview.replace(id=new_id, source=f"{new_id}{suffix}", turns=tuple(turns), title=title,
                               notes=tuple(notes), pseudonymised=True)
    return Pseudonymised(result, interview.source, interview.id, tuple(findings))


def _at(findings: Iterable[Finding], field: str, turn: int | None = None) -> list[Finding]:
    return [Finding(f.kind, f.action, f.original, f.replacement, f.start, f.end, field, turn, f.note)
            for f in findings]


REPORT_COLUMNS = ("source_file", "original_id", "pseudonymised_id", "turn", "field", "kind", "action",
                  "original", "replacement", "start", "end", "note")


def report_rows(results: Iterable[Pseudonymised]) -> list[dict]:
    return [{"source_file": r.original_source, "original_id": r.original_id, "pseudonymised_id": r.interview.id,
             "turn": "" if f.turn is None else f.turn, "field": f.field, "kind": f.kind, "action": f.action,
             "original": f.original, "replacement": f.replacement, "start": f.start, "end": f.end, "note": f.note}
            for r in results for f in r.findings]


def write_report(results: Iterable[Pseudonymised], path: str | Path) -> Path:
    """Write the replacement report (CSV, one row per finding). It holds the real names: keep it with
    the mapping file, apart from the transcripts."""
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_rows(results))
    return write_text_atomic(path, buffer.getvalue())

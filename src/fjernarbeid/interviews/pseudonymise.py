"""Pseudonymisation of transcripts: the first step after import, before any coding or output.

What it does (rule-based; every rule is listed in the replacement report). Text is first normalised:
Unicode NFC and without invisible format characters (:func:`~fjernarbeid.interviews.identifiers.normalise_text`),
so a decomposed "Åse" or a name split by a zero-width space is matched like any other.

* **Names from a mapping file** kept apart from the transcripts (:func:`read_mapping`): real name →
  pseudonym for informants ("Informant 1" … "Informant 7"), interviewers, other people, employers
  ("[arbeidsgiver]") and, on request, places. Applied to speaker tags and to the speech; longest
  name first; in any case ("ole-martin", "KARI"); whole words, where a hyphen ends a word, so a
  name inside a compound is replaced ("Johansen-gården" → "Informant 3-gården", "Kari-mor"), but a
  longer name is never cut ("Ole-Martina" is not "Ole-Martin" + "a"); Norwegian genitive forms are
  included ("Karis", "Kari's", "Kari’s", "Ole-Martins", "Hans'") and become the pseudonym + "s".
  A person's first name and surname are added on their own ("Kari", "Haugland"). A name part that
  two people share ("Kvamme" for Liv and Odd Kvamme) is replaced by both pseudonyms, "[Informant 3 /
  Informant 5]", wherever it stands, and listed in the report with that note: never left raw, and
  never guessed. A mapped name that is also an ordinary word ("hans", "per", "berg": see
  :mod:`~fjernarbeid.interviews.wordlists`) is replaced when capitalised and *listed for review* when
  written in lower case.
* **Detectors** (:mod:`~fjernarbeid.interviews.identifiers`): phone numbers in any grouping and with
  +47/0047/(+47) → "[telefon]"; fødselsnummer/D-number → "[fødselsnummer]"; bank account numbers →
  "[kontonummer]"; any other 11-digit number → "[nummer]" (and listed); e-mail addresses, also as
  speech recognition writes them ("kari punktum johansen krøllalfa gmail punktum com") → "[e-post]";
  street addresses with a house number and post-office boxes → "[adresse]"; postal codes →
  "[postnummer]".
* **Review list**: every capitalised word that was not replaced and is neither in the mapping, its
  ``keep`` list nor a short list of known proper nouns (Teams, Bergen, NAV …); at the start of a
  sentence too, unless it is a common sentence-initial word (:data:`~fjernarbeid.interviews.wordlists.FUNCTION_WORDS`)
  or the interview also uses it in lower case (then it is an ordinary word, "Kontoret er …").

Every replacement and review item is reported with file, turn, field and character span (in the
normalised text), and the original text. That report holds the real names: it belongs with the
mapping file, never with the pseudonymised transcripts or any output.

Limits, honestly: there is no named-entity model, so an *unmapped* name is only listed when it is
capitalised; a name written in lower case by the automatic transcription is caught only if it is in
the mapping; other inflections than the genitive, numbers read out as words, and indirect
identification (a rare job title, a small village, a life story) are not caught. Read the
pseudonymised transcripts before they leave the project.
"""

from __future__ import annotations

import bisect
import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable


from fjernarbeid._cells import csv_dict_writer
from fjernarbeid._yaml import load_yaml
from fjernarbeid._io import read_text_file, write_text_atomic
from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.interviews.identifiers import (ACCOUNT, ADDRESS, EMAIL, NATIONAL_ID, NUMBER, PHONE,  # noqa: F401
                                                POSTCODE, find_identifiers, normalise_text, valid_account_number,
                                                valid_national_id)
from fjernarbeid.interviews.transcript import Interview, Turn, normalise_name, safe_file_stem
from fjernarbeid.interviews.wordlists import COMMON_NAMES, FUNCTION_WORDS, KNOWN_PROPER_NOUNS, NAMES_THAT_ARE_WORDS

KINDS = ("informant", "interviewer", "person", "employer", "place")
PERSON_KINDS = ("informant", "interviewer", "person")
SHARED = "shared_name"  # the kind of a name part two people share
# Kept for callers that import the word list from here; the lists live in wordlists.py.
STOP_WORDS = KNOWN_PROPER_NOUNS


@dataclass(frozen=True)
class Mapping:
    """Real name → (pseudonym, kind), the interviewers' real names, and words to leave unflagged."""

    names: dict[str, tuple[str, str]]
    keep: frozenset[str] = frozenset()
    source: str = "<mapping>"
    ambiguous: tuple[str, ...] = ()  # name parts shared by two people (replaced by all their pseudonyms)

    @property
    def interviewers(self) -> list[str]:
        return [name for name, (_, kind) in self.names.items() if kind == "interviewer"]

    @property
    def pseudonyms(self) -> set[str]:
        return {p for p, _ in self.names.values()}

    def speaker(self, name: str) -> str | None:
        """The pseudonym of a speaker tag (whole name, case and spacing ignored), or None."""
        wanted = normalise_name(normalise_text(name))
        for real, (pseudo, kind) in self.names.items():
            if kind != SHARED and normalise_name(real) == wanted:
                return pseudo
        # A tag that already is a pseudonym (a transcript pseudonymised before) stays as it is.
        return name if name in self.pseudonyms else None


def read_mapping(path: str | Path) -> Mapping:
    """Read the mapping file: YAML with sections ``informants``, ``interviewers``, ``people``,
    ``employers``, ``places`` (each ``Real Name: Pseudonym``) and ``keep`` (a list of words), or a CSV
    with columns ``original,pseudonym,kind`` (kind one of informant, interviewer, person, employer,
    place, keep)."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{path}: no such mapping file")
    # the one rule of every text file (UTF-8, UTF-16, Windows-1252); a binary file is named, not a traceback
    text = read_text_file(path, str(path))[0].lstrip("\ufeff")
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
    names = {normalise_text(k): v for k, v in names.items()}
    for real, value in list(names.items()):  # "Rørvik" is also written "Rorvik" and "Roervik"
        for variant in ascii_variants(real):
            names.setdefault(variant, value)
    keep = {normalise_text(w) for w in keep}
    if not names:
        raise InputFileError(f"{path}: the mapping has no names")
    return _with_name_parts(Mapping(names=names, keep=frozenset(keep), source=str(path)))


_ASCII = ({"æ": "ae", "ø": "oe", "å": "aa", "Æ": "Ae", "Ø": "Oe", "Å": "Aa"},
          {"æ": "e", "ø": "o", "å": "a", "Æ": "E", "Ø": "O", "Å": "A"})


def ascii_variants(name: str) -> set[str]:
    """A name with æ, ø, å written the ways a keyboard without them does, or as a name's own official
    spelling has it ("Ødegaard"): each such letter kept or written one of two ways ("Åse Sæbø" → "Aase Saeboe",
    "Ase Sebo", "Åse Saebø" …); every combination up to four such letters, else the two uniform ones
    (a name's parts get their own combinations, see :func:`_with_name_parts`)."""
    special = sum(c in "æøåÆØÅ" for c in name)
    if not special:
        return set()
    if special > 4:
        return {"".join(table.get(c, c) for c in name) for table in _ASCII}
    variants = [""]
    for c in name:
        variants = [v + t for v in variants for t in ({c} | {table[c] for table in _ASCII} if c in _ASCII[0] else {c})]
    return set(variants) - {name}


def _with_name_parts(mapping: Mapping) -> Mapping:
    """Add people's first names and surnames as names of their own; a part two people share stands
    for both ("[Informant 3 / Informant 5]"), so it is replaced but says it could be either."""
    parts: dict[str, set[str]] = {}
    for real, (pseudo, kind) in mapping.names.items():
        if kind in PERSON_KINDS and " " in real:
            for part in real.split():
                if len(part) > 1 and part[0].isupper():
                    # a part's own spellings: a full name of five letters æ, ø, å has only its uniform ones
                    for form in {part} | ascii_variants(part):
                        parts.setdefault(form, set()).add(pseudo)
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
            names[part] = ("[" + " / ".join(sorted(p.strip("[]") for p in pseudos)) + "]", SHARED)
    for name, value in list(names.items()):  # "Ole-Martin" is also written "Ole Martin"
        if "-" in name and value[1] in PERSON_KINDS:
            names.setdefault(name.replace("-", " "), value)
    return Mapping(names=names, keep=mapping.keep, source=mapping.source, ambiguous=tuple(ambiguous))


_SENTENCE_END = set(".!?:;…«»\"“”'(–-")
_WORD = re.compile(r"(?<!\w)[^\W\d_]\w*")


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
    """The compiled name matcher of a mapping: longest name first, any case, a hyphen ends a word
    (names inside compounds), genitive forms."""

    mapping: Mapping
    pattern: re.Pattern = field(init=False)

    def __post_init__(self):
        names = sorted(self.mapping.names, key=len, reverse=True)
        # Any white space between the words of a name ("Kari  Johansen", a no-break space).
        alternation = "|".join(r"\s+".join(map(re.escape, n.split())) for n in names)
        self.pattern = re.compile(rf"(?<!\w)(?P<name>{alternation})(?P<gen>s|['’´`]s|['’´`])?(?!\w)", re.IGNORECASE)
        self.by_name = {_key(n): v for n, v in self.mapping.names.items()}

    def lookup(self, matched: str) -> tuple[str, str]:
        """The (pseudonym, kind) of a matched name; case folding and the regular expression's case
        rules differ for a few letters (dotted İ), so fall back to matching each name on its own."""
        try:
            return self.by_name[_key(matched)]
        except KeyError:
            for name, value in self.mapping.names.items():
                if re.fullmatch(r"\s+".join(map(re.escape, name.split())), matched, re.IGNORECASE):
                    return value
            raise

    def findings(self, text: str, start: int, end: int) -> list[Finding]:
        found = []
        for m in self.pattern.finditer(text, start, end):
            name = m["name"]
            pseudo, kind = self.lookup(name)
            if name == name.lower() and name.casefold() in NAMES_THAT_ARE_WORDS:
                found.append(Finding(kind, "review", m[0], m[0], m.start(), m.end(),
                                     note=f"'{name}' is a mapped name and an ordinary word: left in place, check"))
                continue
            replacement = pseudo + ("s" if m["gen"] else "")
            notes = ["genitive"] if m["gen"] else []
            if kind == SHARED:
                notes.append("a name part two people in the mapping share: replaced by both pseudonyms, "
                             "check which one is meant")
            found.append(Finding(kind, "replaced", m[0], replacement, m.start(), m.end(), note="; ".join(notes)))
        return found


def _key(name: str) -> str:
    return " ".join(name.split()).casefold()


def lower_case_words(texts: Iterable[str]) -> frozenset[str]:
    """The words a text writes in lower case (after normalisation): ordinary words, not names."""
    return frozenset(w for t in texts for w in _WORD.findall(normalise_text(t)) if w == w.lower())


def pseudonymise_text(text: str, mapping: Mapping, _names: _Names | None = None,
                      vocabulary: frozenset[str] | None = None) -> tuple[str, list[Finding]]:
    """Pseudonymise one piece of text; return the new text and the findings (spans refer to the
    normalised ``text``). ``vocabulary`` is the interview's lower-case words (default: this text's)."""
    text = normalise_text(text)
    names = _names or _Names(mapping)
    if vocabulary is None:
        vocabulary = lower_case_words([text])
    # Identifiers first (an e-mail address or a street address may contain a name), then names in
    # the text between them, so a name next to an address is never dropped.
    # Overlapping hits become one replacement over their union, so no part of either is left.
    chosen: list[Finding] = []
    for hit in sorted(find_identifiers(text, FUNCTION_WORDS), key=lambda h: (h.start, -(h.end - h.start))):
        last = chosen[-1] if chosen else None
        if last is None or hit.start >= last.end:
            chosen.append(Finding(hit.kind, hit.action, hit.text, hit.replacement, hit.start, hit.end, note=hit.note))
        elif hit.end > last.end or (hit.action == "replaced" and last.action == "review"):
            lead, other = (last, hit) if last.action == "replaced" else (hit, last)
            end = max(last.end, hit.end)
            note = "; ".join(n for n in (lead.note, f"overlaps a {other.kind}") if n)
            chosen[-1] = Finding(lead.kind, "replaced", text[last.start:end], lead.replacement, last.start, end,
                                 note=note)
    gaps, pos = [], 0
    for f in chosen:
        gaps.append((pos, f.start))
        pos = f.end
    gaps.append((pos, len(text)))
    for a, b in gaps:
        chosen.extend(names.findings(text, a, b))
    chosen.sort(key=lambda f: f.start)
    out, pos = [], 0
    for f in chosen:
        out += [text[pos:f.start], f.replacement]
        pos = f.end
    out.append(text[pos:])
    review = _unknown_capitalised(text, chosen, mapping, vocabulary)
    return "".join(out), sorted(chosen + review, key=lambda f: f.start)


def _sentence_initial(text: str, position: int) -> bool:
    """True if only white space or a sentence-ending mark comes before ``position`` (looks back over
    white space only, so a long turn costs no more than a short one)."""
    i = position - 1
    while i >= 0 and text[i].isspace():
        i -= 1
    return i < 0 or text[i] in _SENTENCE_END


_COMPOUND = re.compile(r"(?<![\w\-])\w+(?:-\w+)*")


def _unknown_capitalised(text: str, chosen: list[Finding], mapping: Mapping,
                         vocabulary: frozenset[str]) -> list[Finding]:
    """Capitalised words nothing replaced: a hyphen compound is one item ("Ole-Martina"), or, when a
    part of it was replaced ("Kari-Lise"), each capitalised part left."""
    covered = sorted((f.start, f.end) for f in chosen)  # findings do not overlap
    starts = [a for a, _ in covered]

    def is_covered(position: int) -> bool:
        i = bisect.bisect_right(starts, position) - 1
        return i >= 0 and position < covered[i][1]

    pseudo_words = {w for p in mapping.pseudonyms for w in re.findall(r"\w+", p)}
    known = KNOWN_PROPER_NOUNS | mapping.keep | set(mapping.names) | pseudo_words
    known_lower = {w.casefold() for w in mapping.keep}
    found = []
    for m in _COMPOUND.finditer(text):
        if m[0] in known:
            continue
        parts = [(p.start(), p.end(), p[0]) for p in _WORD.finditer(text, m.start(), m.end())]
        part_covered = [is_covered(a) for a, _, _ in parts]
        lower_names = [(a, b, w) for (a, b, w), c in zip(parts, part_covered)
                       if not c and w in COMMON_NAMES and w.casefold() not in known_lower]
        found += [Finding("name_lower_case", "review", w, w, a, b,
                          note="a common name written in lower case (by speech recognition?): a name?")
                  for a, b, w in lower_names]
        left = [(a, b, w) for (a, b, w), c in zip(parts, part_covered)
                if not c and w[0].isupper() and w not in known]
        if not left:
            continue
        initial = _sentence_initial(text, m.start())
        if not any(part_covered) and len(parts) > 1:
            if all(len(w) == 1 for _, _, w in left) and any(w.islower() for _, _, w in parts):
                continue  # a letter prefix, "E-post", "D-nummer"
            left = [(m.start(), m.end(), m[0])]
        for a, b, word in left:
            lower = word.lower()
            first = initial and a == m.start()
            if first and (lower in FUNCTION_WORDS or (lower in vocabulary and lower not in NAMES_THAT_ARE_WORDS
                                                      and lower not in COMMON_NAMES)):
                continue
            note = ("capitalised at the start of a sentence and not a common first word: a name?" if first
                    else "capitalised word not in the mapping: a name?")
            found.append(Finding("capitalised", "review", word, word, a, b, note=note))
    return sorted(found, key=lambda f: f.start)


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
    vocabulary = lower_case_words([t.text for t in interview.turns] + [interview.title, *interview.notes])
    for t in interview.turns:
        pseudo_speaker = mapping.speaker(t.speaker)
        if pseudo_speaker != t.speaker:
            findings.append(Finding("speaker", "replaced", t.speaker, pseudo_speaker, 0, len(t.speaker),
                                    field="speaker", turn=t.number))
        text, found = pseudonymise_text(t.text, mapping, names, vocabulary)
        findings.extend(_at(found, field="text", turn=t.number))
        turns.append(Turn(t.number, pseudo_speaker, t.role, text, t.start, t.end, t.line))
    title, found = pseudonymise_text(interview.title, mapping, names, vocabulary)
    findings.extend(_at(found, field="title"))
    notes = []
    for i, note in enumerate(interview.notes, start=1):
        new, found = pseudonymise_text(note, mapping, names, vocabulary)
        findings.extend(_at(found, field=f"note {i}"))
        notes.append(new)
    attributes = {}
    for key, value in interview.attributes.items():
        new, found = pseudonymise_text(str(value), mapping, names, vocabulary)
        findings.extend(_at(found, field=f"attribute {key}"))
        attributes[key] = new
    # The id becomes the informants' pseudonyms: the original id is the file name, which often holds
    # the name ("intervju_kari_og_ole"), and underscores would hide the words from the name matcher.
    informants = list(dict.fromkeys(t.speaker for t in turns if t.role == "informant"))
    new_id = safe_file_stem("_".join(informants) if informants else pseudonymise_text(
        re.sub(r"[_\W]+", " ", interview.id), mapping, names)[0])
    suffix = Path(interview.source).suffix
    result = interview.replace(id=new_id, source=f"{new_id}{suffix}", turns=tuple(turns), title=title,
                               notes=tuple(notes), attributes=attributes, pseudonymised=True)
    return Pseudonymised(result, interview.source, interview.id, tuple(findings))


def number_repeated_ids(results: Iterable[Pseudonymised]) -> list[Pseudonymised]:
    """Two interviews of one informant (a follow-up interview) get the same pseudonymised id, and so the
    same file: the second and later ones are numbered, ``Informant_3``, ``Informant_3-2``, ``Informant_3-3``,
    in the order given, so no interview replaces another."""
    results = list(results)
    taken = {r.interview.file_name.casefold() for r in results}
    seen: set[str] = set()
    numbered = []
    for r in results:
        interview = r.interview
        if interview.file_name.casefold() in seen:
            n = 2
            while (candidate := interview.replace(id=f"{interview.id}-{n}")).file_name.casefold() in taken | seen:
                n += 1
            interview = candidate.replace(source=f"{candidate.id}{Path(interview.source).suffix}")
            r = Pseudonymised(interview, r.original_source, r.original_id, r.findings)
        seen.add(interview.file_name.casefold())
        numbered.append(r)
    return numbered


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
    writer = csv_dict_writer(buffer, fieldnames=REPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(report_rows(results))
    return write_text_atomic(path, buffer.getvalue())

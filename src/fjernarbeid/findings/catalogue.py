"""The findings catalogue: the report's analyses as data (``catalogue.yaml``).

A :class:`Finding` keeps the raw specification of one published statement (variables, base,
analysis, the report's figure) and its texts in bokmål and English. :func:`load_catalogue` reads
and checks a catalogue against an instrument so that a typo in the file is reported with the
finding's id before any number is computed.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any


from fjernarbeid._yaml import load_yaml
from fjernarbeid.errors import InstrumentError
from fjernarbeid.instrument import Instrument

ANALYSES = (
    "fieldwork",
    "distribution",
    "shares",
    "correlation",
    "crosstab",
    "compare_means",
    "trend",
    "index",
    "ordinal_model",
    "projection_base",
    "multiple_response",
    "numeric",
)

# Keys of a finding that name variables, to check them against the instrument.
_VARIABLE_KEYS = ("variable", "x", "y", "row", "col", "outcome")
_VARIABLE_LIST_KEYS = ("outcomes", "items", "predictors")


@dataclass(frozen=True)
class CodeSet:
    name: str
    codes: tuple[int, ...]
    labels: dict[str, str]

    def label(self, lang: str) -> str:
        """The set's words in ``lang``: a catalogue written in bokmål and English serves nynorsk with its
        bokmål words and any other language with its English ones — never with the set's key ('agree')."""
        for candidate in (lang, "nb" if lang == "nn" else "en", "nb", "en"):
            if self.labels.get(candidate):
                return self.labels[candidate]
        return next((text for text in self.labels.values() if text), self.name)


@dataclass(frozen=True)
class Finding:
    id: str
    analysis: str
    section: str
    title: dict[str, str]
    sentence: dict[str, str]
    spec: dict[str, Any]
    published: dict[str, Any]
    also: tuple["Finding", ...] = ()

    def get(self, key: str, default=None):
        return self.spec.get(key, default)

    def label(self, lang: str) -> str:
        return self.title.get(lang) or self.title.get("nb", self.id)

    @property
    def variables(self) -> list[str]:
        names = [self.spec[k] for k in _VARIABLE_KEYS if k in self.spec]
        for k in _VARIABLE_LIST_KEYS:
            names.extend(self.spec.get(k) or [])
        groups = self.spec.get("groups")
        if groups:
            names.append(groups["by"])
        sub = self.spec.get("subgroup_share")
        if sub:
            names.append(sub["variable"])
            names.extend(sub.get("where", {}).keys())
        return names


@dataclass(frozen=True)
class Catalogue:
    findings: tuple[Finding, ...]
    code_sets: dict[str, CodeSet]
    schema_version: int
    source: str = ""

    def __iter__(self):
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, finding_id: str) -> Finding:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(f"no finding {finding_id!r} in the catalogue")

    @property
    def indices(self) -> dict[str, Finding]:
        """Index findings by the name of the index they build (e.g. 'fabrikkparadigme')."""
        return {f.spec["name"]: f for f in self.findings if f.analysis == "index"}


def _finding(raw: dict[str, Any], where: str, section: str = "") -> Finding:
    fid = raw.get("id")
    if not fid:
        raise InstrumentError(f"{where}: a finding without an id")
    analysis = raw.get("analysis")
    if analysis not in ANALYSES:
        raise InstrumentError(f"{where}: finding {fid}: analysis {analysis!r} is not one of {', '.join(ANALYSES)}")
    spec = {k: v for k, v in raw.items() if k not in ("id", "analysis", "section", "title", "sentence", "published", "also")}
    own_section = str(raw.get("section", section))
    also = tuple(_finding(a, where, own_section) for a in raw.get("also") or [])  # extra analyses inherit it
    return Finding(
        id=str(fid),
        analysis=analysis,
        section=own_section,
        title=dict(raw.get("title") or {}),
        sentence=dict(raw.get("sentence") or {}),
        spec=spec,
        published=dict(raw.get("published") or {}),
        also=also,
    )


def load_catalogue(path: str | Path | None = None, instrument: Instrument | None = None) -> Catalogue:
    """Read a findings catalogue (the default study's own by default) and check its references."""
    if path is None:
        from fjernarbeid.study import load_study

        study = load_study()
        return catalogue_from_text(study.catalogue_text or "", f"{study.id}: catalogue", instrument)
    return catalogue_from_text(Path(path).read_bytes(), str(path), instrument)


def catalogue_from_text(text: str | bytes, where: str, instrument: Instrument | None = None) -> Catalogue:
    """A catalogue from its YAML text; ``where`` names it in messages."""
    raw = load_yaml(text, where, InstrumentError)
    _require_findings(raw, where)
    code_sets = {
        name: CodeSet(name, tuple(int(c) for c in v["codes"]), {k: v[k] for k in v if k != "codes"})
        for name, v in (raw.get("code_sets") or {}).items()
    }
    findings = tuple(_finding(f, where) for f in raw.get("findings") or [])
    ids = [f.id for f in findings] + [a.id for f in findings for a in f.also]
    dupes = {i for i in ids if ids.count(i) > 1}
    if dupes:
        raise InstrumentError(f"{where}: finding ids used twice: {sorted(dupes)}")
    cat = Catalogue(findings, code_sets, int(raw.get("schema_version", 1)), where)
    if instrument is not None:
        check_catalogue(cat, instrument)
    return cat


def _require_findings(raw, where: str) -> None:
    """A catalogue must have findings: an empty list, a misspelt key or some other YAML is an error,
    never silently replaced by the study's own catalogue."""
    if not isinstance(raw, dict):
        raise InstrumentError(f"{where}: not a findings catalogue: expected a YAML mapping with 'findings:' "
                              f"(a list of findings), found {type(raw).__name__ if raw is not None else 'an empty file'}")
    if "findings" not in raw:
        import difflib

        close = difflib.get_close_matches("findings", [str(k) for k in raw], n=1, cutoff=0.6)
        hint = f"; did you mean 'findings' for {close[0]!r}?" if close else \
            f" (its keys: {', '.join(map(repr, list(raw)[:10]))})"
        raise InstrumentError(f"{where}: not a findings catalogue: it has no 'findings:' list{hint}")
    if not isinstance(raw["findings"], list) or not raw["findings"]:
        raise InstrumentError(f"{where}: the catalogue's 'findings:' is "
                              f"{'empty' if not raw['findings'] else 'not a list'}; it must list at least one finding")


def check_catalogue(cat: Catalogue, instrument: Instrument) -> None:
    """Every variable a finding names must be a question, a derived variable or an index."""
    known = set(instrument.names) | {d.name for d in instrument.derived} | set(cat.indices)
    for f in cat.findings:
        for part in (f, *f.also):
            unknown = [v for v in part.variables if v not in known]
            if unknown:
                raise InstrumentError(
                    f"{cat.source}: finding {part.id} uses {', '.join(unknown)}, which the instrument "
                    f"{instrument.id} does not define"
                )
            for s in part.spec.get("sets") or []:
                if s not in cat.code_sets:
                    raise InstrumentError(f"{cat.source}: finding {part.id} uses unknown code set {s!r}")


# The section under which :func:`describe_every_question` puts its findings.
QUESTIONS_SECTION = "questions"


def describe_every_question(instrument: Instrument) -> Catalogue:
    """A catalogue for a study without one: the weighted distribution of every coded question (its
    "don't know" codes left out, as everywhere), titled with the question, in questionnaire order."""
    from fjernarbeid.i18n import LANGUAGES, message

    findings = []
    roles = set(instrument.roles.values())
    for q in instrument.questions:
        title = {lang: f"{q.number}. {text}" if q.number != q.name else text for lang, text in q.text.items()}
        if q.is_number and not roles & {q.name} - {instrument.roles.get("age")}:
            # a number asked as a number: its mean (a birth year, a household size … are described in the
            # respondents table; an age is a number worth its mean)
            findings.append(Finding(id=q.name, analysis="numeric", section=QUESTIONS_SECTION, title=title,
                                    sentence={lang: message("report", "numeric_sentence", lang) for lang in LANGUAGES},
                                    spec={"variable": q.name}, published={}))
            continue
        if not q.codes or q.screen_out:
            continue
        sentence = {"nb": "Vanligste svar: {mode_answer} ({mode}).", "nn": "Vanlegaste svar: {mode_answer} ({mode}).",
                    "en": "Most common answer: {mode_answer} ({mode})."}
        if q.type == "multiple":  # the share of respondents choosing each choice, and of all choices
            findings.append(Finding(id=q.name, analysis="multiple_response", section=QUESTIONS_SECTION, title=title,
                                    sentence={lang: message("report", "multiple_sentence", lang) for lang in LANGUAGES},
                                    spec={"variable": q.name}, published={}))
            continue
        findings.append(Finding(id=q.name, analysis="distribution", section=QUESTIONS_SECTION, title=title,
                                sentence=sentence, spec={"variable": q.name}, published={}))
    return Catalogue(tuple(findings), {}, 1, f"{instrument.id}: every question")

"""A study as files: ``study.yaml`` ties together the questionnaire, the weighting, the findings
catalogue and the report's front matter.

::

    id: hardanger-remote-2026
    title: {nn: "Fjernarbeidarar i Hardanger 2026", en: "Remote workers in Hardanger 2026"}
    subtitle: {nn: "…"}
    authors: ["Hardangerrådet"]
    mode: CAWI                      # CATI (telephone), CAWI (web), CAPI, PAPI, mixed
    languages: [nn, en]             # the report's languages, the first the default
    questionnaire: questionnaire.yaml   # or an XLSForm (.xlsx)
    catalogue: catalogue.yaml       # optional: without it the report describes every question
    roles: {sex: kjonn, municipality: kommune}   # added to (or overriding) the questionnaire's roles
    quasi_identifiers: [kjonn, alder_gruppe, kommune, hushald]   # what disclosure control treats as keys
    weighting: {method: rake, targets: targets.csv, unknown: exclude}
    chapters:                       # the report's chapters, in order; findings name theirs by id
      - {id: bakgrunn, title: {nn: "Kven svarte"}, respondents: true}
      - {id: arbeid, title: {nn: "Arbeid"}}
    respondents: [kjonn, alder_gruppe, kommune]  # the respondents table
    banner: [{variable: kjonn}, {variable: alder_gruppe}]
    published: false                # true when the catalogue carries a published report's figures

Everything but ``questionnaire`` is optional. The study shipped with the package (the NORCE
2025 survey, ``fjernarbeid/studies/norce2025``) is the default of every command.
"""

from __future__ import annotations

import functools
from dataclasses import dataclass, field, replace
from importlib import resources
from pathlib import Path
from typing import Any

from fjernarbeid.errors import InputFileError, InstrumentError
from fjernarbeid.instrument.model import (
    DEFAULT_LANGUAGE,
    Instrument,
    Labels,
    _labels,
    _pick,
    check_roles,
    load_instrument,
)
from fjernarbeid.study.weighting import WeightingSpec

DEFAULT_STUDY = "norce2025"
STUDY_FILE = "study.yaml"
MODES = ("CATI", "CAWI", "CAPI", "PAPI", "mixed")


@dataclass(frozen=True)
class Chapter:
    id: str
    title: Labels
    intro: Labels = field(default_factory=dict)
    respondents: bool = False  # the respondents table opens this chapter
    respondents_title: Labels = field(default_factory=dict)  # its caption (default: "Characteristics of …")

    def label(self, lang: str) -> str:
        return _pick(self.title, lang) or self.id


@dataclass(frozen=True)
class BannerSpec:
    """One breakdown of the banner: a variable, its title and optional groups of codes."""

    variable: str
    title: Labels = field(default_factory=dict)
    groups: tuple[tuple[tuple[int, ...], Labels], ...] | None = None


@dataclass(frozen=True)
class Study:
    id: str
    instrument: Instrument
    title: Labels = field(default_factory=dict)
    subtitle: Labels = field(default_factory=dict)
    authors: tuple[str, ...] = ()
    mode: str = ""
    languages: tuple[str, ...] = (DEFAULT_LANGUAGE,)
    catalogue_path: Path | None = None
    catalogue_text: str | None = None  # a shipped catalogue, read from the package
    weighting: WeightingSpec = field(default_factory=lambda: WeightingSpec(method="none"))
    chapters: tuple[Chapter, ...] = ()
    respondents: tuple[str, ...] = ()
    banner: tuple[BannerSpec, ...] = ()
    quasi_identifiers: tuple[str, ...] = ()
    disclosure: dict = field(default_factory=dict)
    charts: dict = field(default_factory=dict)
    published: bool = False
    synthetic: dict = field(default_factory=dict)  # settings for synthetic data (postal codes by municipality)
    root: Path | None = None
    source: str = ""
    # the study file and every file it names (questionnaire, catalogue, targets): inputs that no
    # command may overwrite; empty for the study shipped in the package
    files: tuple[Path, ...] = ()

    @property
    def default_language(self) -> str:
        return self.languages[0] if self.languages else DEFAULT_LANGUAGE

    def label(self, lang: str) -> str:
        return _pick(self.title, lang) or self.instrument.label(lang)

    def chapter(self, chapter_id: str) -> Chapter | None:
        return next((c for c in self.chapters if c.id == chapter_id), None)

    @property
    def is_telephone(self) -> bool:
        return (self.mode or self.instrument.mode).upper() in ("CATI",)

    def load_catalogue(self):
        """The study's findings catalogue, or None when it has none."""
        from fjernarbeid.findings.catalogue import catalogue_from_text, load_catalogue

        if self.catalogue_path is not None:
            return load_catalogue(self.catalogue_path, instrument=self.instrument)
        if self.catalogue_text is not None:
            return catalogue_from_text(self.catalogue_text, f"{self.id}: catalogue", self.instrument)
        return None

    def respondent_variables(self) -> tuple[str, ...]:
        """The respondents table's variables: declared, or the roles sex, age group, education, municipality."""
        if self.respondents:
            return self.respondents
        inst = self.instrument
        return tuple(inst.role(r) for r in ("sex", "age_group", "education", "municipality") if inst.has_role(r))


def _read_yaml(text: str | bytes, where: str) -> dict:
    from fjernarbeid._yaml import load_yaml

    raw = load_yaml(text, where, InstrumentError)  # bounded: aliases, size, depth
    if not isinstance(raw, dict):
        raise InstrumentError(f"{where}: expected a mapping at the top level (id, questionnaire, weighting, …)")
    return raw


def study_from_dict(raw: dict[str, Any], root: Path | None, where: str, *, instrument: Instrument | None = None,
                    package: str | None = None) -> Study:
    """Build a :class:`Study` from its plain-data form; files are named relative to ``root`` (or read
    from the package ``package`` for a shipped study)."""
    qname = raw.get("questionnaire")
    if instrument is None:
        if not qname:
            raise InstrumentError(f"{where}: the study names no questionnaire (questionnaire: questionnaire.yaml)")
        if package is not None:
            from fjernarbeid.instrument.model import instrument_from_dict

            text = resources.files(package).joinpath(qname).read_text("utf-8")
            instrument = instrument_from_dict(_read_yaml(text, qname), where=qname)
        else:
            path = root / qname
            if not path.is_file():
                raise InputFileError(f"{where}: the questionnaire {path} does not exist")
            instrument = load_instrument(path)
    known = set(instrument.names) | {d.name for d in instrument.derived}
    roles = check_roles(raw.get("roles"), known, where)
    if roles:
        instrument = replace(instrument, roles={**instrument.roles, **roles})
    mode = str(raw.get("mode") or instrument.mode or "")
    if mode and mode not in MODES:
        raise InstrumentError(f"{where}: mode {mode!r} is not one of {', '.join(MODES)}")
    if mode and not instrument.mode:
        instrument = replace(instrument, mode=mode)
    title = _labels(raw.get("title"), where) or dict(instrument.title)
    if raw.get("title") is not None and not instrument.title:
        instrument = replace(instrument, title=title)
    languages = raw.get("languages") or instrument.languages
    if isinstance(languages, str):
        languages = [languages]
    catalogue_path = catalogue_text = None
    if raw.get("catalogue"):
        if package is not None:
            catalogue_text = resources.files(package).joinpath(raw["catalogue"]).read_text("utf-8")
        else:
            catalogue_path = root / raw["catalogue"]
            if not catalogue_path.is_file():
                raise InputFileError(f"{where}: the findings catalogue {catalogue_path} does not exist")
    chapters = []
    for i, c in enumerate(raw.get("chapters") or []):
        if not isinstance(c, dict) or "id" not in c:
            raise InstrumentError(f"{where}: chapter #{i + 1} needs an id and a title")
        chapters.append(Chapter(str(c["id"]), _labels(c.get("title"), where), _labels(c.get("intro"), where),
                                bool(c.get("respondents", False)), _labels(c.get("respondents_title"), where)))

    def names(key: str) -> tuple[str, ...]:
        out = []
        for v in raw.get(key) or []:
            name = instrument.role(v[5:]) if str(v).startswith("role:") else str(v)
            if name not in known:
                raise InstrumentError(f"{where}: {key} names {v!r}, which is not a variable of the questionnaire")
            out.append(name)
        return tuple(out)

    banner = []
    for b in raw.get("banner") or []:
        b = b if isinstance(b, dict) else {"variable": b}
        variable = str(b.get("variable", ""))
        variable = instrument.role(variable[5:]) if variable.startswith("role:") else variable
        if variable not in known:
            raise InstrumentError(f"{where}: banner names {b.get('variable')!r}, which is not a variable of the questionnaire")
        groups = None
        if b.get("groups"):
            groups = tuple((tuple(int(c) for c in g["codes"]), {k: v for k, v in g.items() if k != "codes"})
                           for g in b["groups"])
        banner.append(BannerSpec(variable, _labels(b.get("title"), where), groups))
    weighting = WeightingSpec.from_dict(raw.get("weighting"), root, f"{where}: weighting")
    files = []
    if package is None and root is not None:
        files = [root / str(qname)] if qname else []
        files += [p for p in (catalogue_path, weighting.targets_file) if p is not None]
    return Study(
        id=str(raw.get("id") or instrument.id),
        instrument=instrument,
        title=title,
        subtitle=_labels(raw.get("subtitle"), where),
        authors=tuple(str(a) for a in raw.get("authors") or ()),
        mode=mode,
        languages=tuple(str(x) for x in languages),
        catalogue_path=catalogue_path,
        catalogue_text=catalogue_text,
        weighting=weighting,
        chapters=tuple(chapters),
        respondents=names("respondents"),
        banner=tuple(banner),
        quasi_identifiers=names("quasi_identifiers"),
        disclosure=dict(raw.get("disclosure") or {}),
        charts=dict(raw.get("charts") or {}),
        published=bool(raw.get("published", False)),
        synthetic=dict(raw.get("synthetic") or {}),
        root=root,
        source=where,
        files=tuple(files),
    )


def load_study(path: str | Path | None = None) -> Study:
    """Read a study: a folder with ``study.yaml``, the file itself, or (None) the shipped 2025 study."""
    if path is None:
        return _shipped_study(DEFAULT_STUDY)
    path = Path(path)
    if path.is_dir():
        path = path / STUDY_FILE
    if not path.is_file():
        raise InputFileError(f"{path}: study file not found (a folder with {STUDY_FILE}, or the file itself)")
    try:
        text = path.read_bytes()  # decoded by the YAML reader, which names a line that is not UTF-8
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the study file: {exc.strerror or exc}") from None
    study = study_from_dict(_read_yaml(text, str(path)), path.parent, str(path))
    return replace(study, files=(path, *study.files))


@functools.lru_cache(maxsize=4)
def _shipped_study(name: str) -> Study:
    """A study shipped in ``fjernarbeid/studies/<name>`` (read once: every command starts from it)."""
    package = f"fjernarbeid.studies.{name}"
    text = resources.files(package).joinpath(STUDY_FILE).read_text("utf-8")
    return study_from_dict(_read_yaml(text, STUDY_FILE), None, f"{name}/{STUDY_FILE}", package=package)


def study_for_instrument(instrument: Instrument) -> Study:
    """A study made only of a questionnaire (``--instrument`` without ``--study``): no weighting
    unless the command line gives targets, no catalogue (the report describes every question)."""
    return Study(id=instrument.id, instrument=instrument, title=dict(instrument.title), mode=instrument.mode,
                 languages=tuple(instrument.languages), source=instrument.id)


__all__ = ["BannerSpec", "Chapter", "DEFAULT_STUDY", "MODES", "Study", "load_study", "study_for_instrument",
           "study_from_dict"]

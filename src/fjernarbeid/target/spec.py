"""The targeting specification: which answers, covariates and screening columns a study uses.

A study says in a YAML file (the 2025 study's is ``fjernarbeid/studies/norce2025/targeting.yaml``) which
outcomes define the groups to reach (a question and its "yes" codes), how covariates are recoded,
which of them are known for every municipality's population, the segments, the importance items
and the columns of the screening funnel in the disposition log. This module reads and checks that
file; nothing else in :mod:`fjernarbeid.target` knows a question name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from fjernarbeid._yaml import load_yaml

from fjernarbeid.errors import InstrumentError

LANGS = ("nb", "nn", "en")
DEFAULT_PACKAGE = "fjernarbeid.studies.norce2025"  # the shipped study, beside its findings catalogue
DEFAULT_FILE = "targeting.yaml"


def text(labels: dict[str, str] | None, lang: str, default: str = "") -> str:
    """A label in ``lang``; nynorsk falls back to bokmål, anything to English, then ``default``."""
    labels = labels or {}
    for key in (lang, "nb" if lang == "nn" else "en", "en", "nb"):
        if labels.get(key):
            return labels[key]
    return default


@dataclass(frozen=True)
class Outcome:
    name: str
    variable: str
    yes: tuple[int, ...]
    ordinal: bool
    potential: bool
    projection: str | None
    label: dict[str, str]
    yes_label: dict[str, str]


@dataclass(frozen=True)
class Variable:
    """A model variable: codes of ``source`` grouped into new codes, or a catalogue index."""

    name: str
    source: str | None
    groups: dict[int, tuple[int, ...]]
    labels: dict[int, dict[str, str]]
    label: dict[str, str]
    index: str | None = None  # id of a findings-catalogue index (numeric variable)

    @property
    def numeric(self) -> bool:
        return self.index is not None

    def recode(self) -> dict[int, int]:
        """Old code → new code."""
        return {old: new for new, olds in self.groups.items() for old in olds}

    def code_label(self, code: int, lang: str) -> str:
        return text(self.labels.get(int(code)), lang, str(code))


@dataclass(frozen=True)
class Screening:
    disposition_column: str
    eligible: tuple[str, ...]
    not_eligible: tuple[str, ...]
    postal_code: str
    birth_year: str
    covariates: tuple[str, ...]
    eligible_label: dict[str, str]


@dataclass(frozen=True)
class SmallArea:
    group_variable: str
    flag_respondents: int
    suppress_respondents: int
    flag_cv: float
    suppress_cv: float


@dataclass(frozen=True)
class TargetingSpec:
    study: str
    outcomes: tuple[Outcome, ...]
    variables: dict[str, Variable]
    covariates: tuple[str, ...]
    area_covariates: tuple[str, ...]
    segments: tuple[str, ...]
    importance_items: tuple[str, ...]
    importance_yes: tuple[int, ...]
    importance_label: dict[str, str]
    screening: Screening
    small_area: SmallArea
    source: str = ""
    region_name: str | None = None  # the study's own region (shown when the user names none)
    region_codes: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    def outcome(self, name: str) -> Outcome:
        for o in self.outcomes:
            if o.name == name:
                return o
        raise KeyError(f"no outcome {name!r} in the targeting specification")

    @property
    def questions(self) -> set[str]:
        """Every question or derived variable the specification reads."""
        names = {o.variable for o in self.outcomes} | set(self.importance_items)
        names |= {v.source for v in self.variables.values() if v.source}
        return names


def _need(raw: dict, key: str, where: str):
    if key not in raw:
        raise InstrumentError(f"{where}: the targeting specification needs '{key}'")
    return raw[key]


def _codes(values, where: str) -> tuple[int, ...]:
    try:
        return tuple(int(v) for v in values)
    except (TypeError, ValueError):
        raise InstrumentError(f"{where}: codes must be integers, got {values!r}") from None


def parse_spec(raw: dict, where: str) -> TargetingSpec:
    """Check a loaded YAML mapping and turn it into a :class:`TargetingSpec`."""
    if not isinstance(raw, dict):
        raise InstrumentError(f"{where}: a targeting specification is a YAML mapping")
    outcomes = []
    for o in _need(raw, "outcomes", where):
        name = _need(o, "name", where)
        outcomes.append(Outcome(name=name, variable=_need(o, "variable", f"{where}, outcome {name}"),
                                yes=_codes(_need(o, "yes_codes", f"{where}, outcome {name}"), f"{where}, outcome {name}"),
                                ordinal=bool(o.get("ordinal", False)), potential=bool(o.get("potential", False)),
                                projection=o.get("projection"), label=dict(o.get("label") or {}),
                                yes_label=dict(o.get("yes_label") or {})))
    variables = {}
    for name, v in (_need(raw, "variables", where) or {}).items():
        w = f"{where}, variable {name}"
        if "index" in v:
            variables[name] = Variable(name, None, {}, {}, dict(v.get("label") or {}), index=str(v["index"]))
            continue
        groups = {int(k): _codes(vals, w) for k, vals in (_need(v, "groups", w) or {}).items()}
        seen = [c for g in groups.values() for c in g]
        if len(seen) != len(set(seen)):
            raise InstrumentError(f"{w}: an old code is in two groups")
        variables[name] = Variable(name, str(_need(v, "from", w)), groups,
                                   {int(k): dict(lab) for k, lab in (v.get("labels") or {}).items()},
                                   dict(v.get("label") or {}))
    lists = {}
    for key in ("covariates", "area_covariates", "segments"):
        lists[key] = tuple(_need(raw, key, where))
        unknown = [n for n in lists[key] if n not in variables]
        if unknown:
            raise InstrumentError(f"{where}: {key} name variables not defined under 'variables': {unknown}")
    for key in ("area_covariates", "segments"):
        numeric = [n for n in lists[key] if variables[n].numeric]
        if numeric:
            raise InstrumentError(f"{where}: {key} must be grouped variables, not indices: {numeric}")
    imp = _need(raw, "importance", where)
    scr = _need(raw, "screening", where)
    screening = Screening(str(scr.get("disposition_column", "disposition")), tuple(map(str, _need(scr, "eligible", where))),
                          tuple(map(str, _need(scr, "not_eligible", where))), str(_need(scr, "postal_code", where)),
                          str(_need(scr, "birth_year", where)), tuple(_need(scr, "covariates", where)),
                          dict(scr.get("eligible_label") or {}))
    bad = [n for n in screening.covariates if n not in lists["area_covariates"]]
    if bad:
        raise InstrumentError(f"{where}: screening covariates must be area covariates too: {bad}")
    sa = raw.get("small_area") or {}
    small = SmallArea(str(sa.get("group_variable", lists["area_covariates"][-1])),
                      int(sa.get("flag_respondents", 50)), int(sa.get("suppress_respondents", 20)),
                      float(sa.get("flag_cv", 0.3)), float(sa.get("suppress_cv", 0.5)))
    if small.group_variable not in lists["area_covariates"]:
        raise InstrumentError(f"{where}: small_area.group_variable must be an area covariate")
    return TargetingSpec(study=str(raw.get("study", "")), outcomes=tuple(outcomes), variables=variables,
                         covariates=lists["covariates"], area_covariates=lists["area_covariates"],
                         segments=lists["segments"], importance_items=tuple(_need(imp, "items", where)),
                         importance_yes=_codes(_need(imp, "yes_codes", where), where),
                         importance_label=dict(imp.get("yes_label") or {}), screening=screening,
                         small_area=small, source=where,
                         region_name=(raw.get("region") or {}).get("name"),
                         region_codes=tuple(str(c) for c in ((raw.get("region") or {}).get("codes") or ())))


def load_spec(path: str | Path | None = None) -> TargetingSpec:
    """The targeting specification in ``path``, or the 2025 study's (``studies/norce2025/targeting.yaml``)."""
    if path is None:
        body = resources.files(DEFAULT_PACKAGE).joinpath(DEFAULT_FILE).read_text("utf-8")
        where = DEFAULT_FILE
    else:
        where = str(path)
        try:
            body = Path(path).read_bytes()  # decoded by load_yaml, which names a file that is not text
        except OSError as exc:
            raise InstrumentError(f"{where}: cannot read the targeting specification: {exc.strerror or exc}") from None
    raw = load_yaml(body, where, InstrumentError)  # the project's bounded loader
    return parse_spec(raw, where)


__all__ = ["LANGS", "Outcome", "Screening", "SmallArea", "TargetingSpec", "Variable", "load_spec", "parse_spec", "text"]

"""Disclosure control for respondent-level data: what is dropped, coarsened and checked before
microdata leave the project.

:func:`protect` applies the rules below to a weighted frame (answers, derived variables, weight)
and returns the protected frame with a :class:`DisclosureReport` of every action and why. The
rules follow the usual order of statistical disclosure control for microdata (Hundepool et al.
2012, *Statistical Disclosure Control*, Wiley, ch. 3; the sdcMicro guidelines of Benschop & Welch,
2016-): remove direct identifiers, recode quasi-identifiers globally, then measure the risk left
with k-anonymity (Samarati & Sweeney 1998; Sweeney 2002, *Int. J. Uncertainty, Fuzziness and
Knowledge-Based Systems* 10:557) and recode further where it fails.

==========================  ==================================================================
respondent id               replaced by a sequential id; records in random order, so neither
                            the id nor the position leads back to the fieldwork file
open text (q5_text)         dropped: free text can name anyone
columns not in the          dropped: the questionnaire does not say what they are (a phone
questionnaire               number, a name, an interviewer …)
birth year (q202), age      dropped; the age group stays
household size (q3)         top-coded: 6 or more is 6 (large households are rare and visible)
postal code (q201)          dropped; the home municipality stays, blanked (centrality class
                            only) in municipalities with fewer than k respondents
k-anonymity                 every combination of the key variables (sex, age group, education,
                            geography) must be shared by at least k records; where it is not,
                            geography is coarsened: municipality → county → centrality class,
                            until it holds. If it still does not hold, the report says so.
==========================  ==================================================================

``keep`` overrides a rule for named variables; the report then lists the override prominently.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from typing import Any, Iterable

import numpy as np
import pandas as pd

from fjernarbeid.instrument import Instrument

# Top codes of integer questions: values above are set to the top code, labelled "<top> or more".
TOP_CODES: dict[str, int] = {"q3": 6}

# Geography levels, finest first, and the level of each field the postal-code look-up gives
# (instrument.model.POSTAL_FIELDS). At a level, the variables of that level and coarser ones are
# published; areas with fewer than k respondents are blanked at the municipality and county levels
# (with every finer-than-centrality variable that would reveal them). A look-up field not listed
# here is treated as the finest level.
GEOGRAPHY_LEVELS: tuple[str, ...] = ("municipality", "county", "centrality")
FIELD_LEVEL: dict[str, str] = {
    "municipality_code": "municipality", "municipality_name": "municipality",
    "county_code": "county", "county_name": "county", "centrality": "centrality",
}

# Key (quasi-identifying) variables besides geography: what an outsider may know of a person.
# "role:sex" is the instrument's sex question (q207).
KEY_VARIABLES: tuple[str, ...] = ("role:sex", "age_group", "q4")

WEIGHT_COLUMN = "weight"


# -- k-anonymity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KAnonymity:
    """How many records share each combination of ``keys`` (a missing value is a value of its own)."""

    keys: tuple[str, ...]
    k: int
    n: int
    groups: int
    smallest: int  # size of the smallest group (0 when there are no records)
    groups_below_k: int
    records_below_k: int  # records in groups smaller than k

    @property
    def holds(self) -> bool:
        return self.records_below_k == 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "keys": list(self.keys), "holds": self.holds}


def k_anonymity(frame: pd.DataFrame, keys: Iterable[str], k: int) -> KAnonymity:
    """Group sizes of the combinations of ``keys`` in ``frame`` (vectorised: one integer code per
    combination, then counts)."""
    keys = tuple(keys)
    n = len(frame)
    if n == 0 or not keys:
        return KAnonymity(keys, k, n, int(n > 0), n, int(0 < n < k), n if n < k else 0)
    codes = np.column_stack([pd.factorize(frame[c], use_na_sentinel=False)[0] for c in keys])
    _, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
    sizes = counts[inverse.ravel()]
    return KAnonymity(keys=keys, k=k, n=n, groups=int(counts.size), smallest=int(counts.min()),
                      groups_below_k=int((counts < k).sum()), records_below_k=int((sizes < k).sum()))


# -- the report --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One disclosure-control step on one variable."""

    variable: str
    action: str  # dropped | replaced | coarsened | blanked | top-coded | kept
    reason: str
    override: bool = False  # True when ``keep`` overrode the rule


@dataclass
class DisclosureReport:
    """What :func:`protect` did, and the k-anonymity reached."""

    k: int
    keys: tuple[str, ...]
    actions: list[Action]
    steps: list[tuple[str, KAnonymity]]  # (geography level, k-anonymity there), in the order tried
    geography: str | None  # the level published (None: no geography in the data)
    result: KAnonymity
    kept: tuple[str, ...] = ()
    synthetic: bool = False
    shuffled: bool = True
    notes: list[str] = field(default_factory=list)
    # k-anonymity at the level published with each key variable left out in turn: which key
    # stands in the way (a guide to what else could be coarsened or dropped)
    without: dict[str, KAnonymity] = field(default_factory=dict)

    @property
    def holds(self) -> bool:
        return self.result.holds

    @property
    def conclusion(self) -> str:
        r = self.result
        if r.holds:
            return (f"k-anonymity holds for k = {self.k}: every combination of {', '.join(r.keys)} is shared by "
                    f"at least {r.smallest} records.")
        return (f"k-ANONYMITY DOES NOT HOLD for k = {self.k}, even after coarsening geography to "
                f"{self.geography or 'nothing'}: the smallest group of {', '.join(r.keys)} has {r.smallest} "
                f"record(s), and {r.records_below_k} of {r.n} records are in {r.groups_below_k} groups smaller "
                f"than {self.k}. Do not publish these data as anonymous; share them only under an agreement, "
                "or drop or coarsen more variables.")

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "holds": self.holds,
            "conclusion": self.conclusion,
            "synthetic": self.synthetic,
            "key_variables": list(self.keys),
            "geography": self.geography,
            "k_anonymity": self.result.to_dict(),
            "steps": [{"geography": level, **result.to_dict()} for level, result in self.steps],
            "actions": [asdict(a) for a in self.actions],
            "overrides": [f"{v.upper()} KEPT AS IN THE DATA (--keep {v}): THE RULE FOR IT WAS NOT APPLIED"
                          for v in self.kept],
            "records_shuffled": self.shuffled,
            "notes": list(self.notes),
            "without_each_key": {key: r.to_dict() for key, r in self.without.items()},
        }


# -- protection --------------------------------------------------------------------------------


def _role(instrument: Instrument, role: str) -> str | None:
    try:
        return instrument.question_for_role(role).name
    except KeyError:
        return None


def keepable(instrument: Instrument, frame: pd.DataFrame) -> list[str]:
    """Variables whose disclosure rule ``keep`` may override (for help and error messages)."""
    birth, postal = _role(instrument, "birth_year"), _role(instrument, "postal_code")
    ages = [d.name for d in instrument.derived if d.kind == "age"]
    texts = [q.name for q in instrument if q.type == "text"]
    geography = [n for n, level in _geography_variables(instrument, frame).items() if level != "centrality"]
    names = [instrument.id_variable, birth, *ages, postal, *TOP_CODES, *geography, *texts,
             *_extra_columns(instrument, frame)]
    return [n for n in dict.fromkeys(names) if n is not None and n in frame.columns]


def _geography_variables(instrument: Instrument, frame: pd.DataFrame) -> dict[str, str]:
    """Derived variables looked up from the postal code that are in ``frame``, with their level."""
    return {d.name: FIELD_LEVEL.get(d.field, GEOGRAPHY_LEVELS[0]) for d in instrument.derived
            if d.kind == "postal_lookup" and d.name in frame.columns}


def _level(name: str) -> int:
    return GEOGRAPHY_LEVELS.index(name)


def _extra_columns(instrument: Instrument, frame: pd.DataFrame) -> list[str]:
    known = {instrument.id_variable, *instrument.names, *(d.name for d in instrument.derived), WEIGHT_COLUMN}
    return [c for c in frame.columns if c not in known]


def _count(n: int, k: int) -> str:
    """A count for the report, itself protected: small counts are only said to be small."""
    return str(n) if n == 0 or n >= k else f"fewer than {k}"


def protect(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    k: int = 5,
    keep: Iterable[str] = (),
    seed: int | None = None,
    synthetic: bool = False,
) -> tuple[pd.DataFrame, DisclosureReport]:
    """Apply the disclosure rules (module docstring) to ``frame`` — answers with derived variables
    and a ``weight`` column — and return the protected frame and the report.

    ``keep`` names variables whose rule is not applied (see :func:`keepable`); anything else in
    it raises :class:`ValueError`. ``seed`` fixes the random order of the records (default: fresh
    randomness, so that the order cannot be reproduced from the file).
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, not {k}")
    keep = tuple(dict.fromkeys(keep))
    allowed = keepable(instrument, frame)
    unknown = [v for v in keep if v not in allowed]
    if unknown:
        raise ValueError(f"--keep {', '.join(unknown)}: no disclosure rule applies to "
                         f"{'it' if len(unknown) == 1 else 'them'}; variables that can be kept: {', '.join(allowed)}")
    kept = set(keep)
    out = frame.copy()
    actions: list[Action] = []
    notes: list[str] = []

    def drop(name: str, reason: str) -> None:
        nonlocal out
        if name not in out.columns:
            return
        if name in kept:
            actions.append(Action(name, "kept", f"NOT DROPPED (--keep): {reason}", override=True))
        else:
            out = out.drop(columns=name)
            actions.append(Action(name, "dropped", reason))

    # direct identifiers and free text
    for q in instrument:
        if q.type == "text":
            drop(q.name, "free text (an open answer can name a person or a place)")
    for name in _extra_columns(instrument, out):
        drop(name, "not in the questionnaire, so its content is unknown (it may identify people)")

    # birth year → age group
    birth = _role(instrument, "birth_year")
    if birth is not None:
        drop(birth, "birth year: a quasi-identifier; the age group is published instead")
    for d in instrument.derived:
        if d.kind == "age":
            drop(d.name, f"exact age ({d.source} turned into years): the same information as the birth year")

    # top codes
    for name, top in TOP_CODES.items():
        if name not in out.columns:
            continue
        x = pd.to_numeric(out[name], errors="coerce")
        if name in kept:
            actions.append(Action(name, "kept", f"NOT TOP-CODED (--keep): values above {top} stay", override=True))
        else:
            out[name] = x.mask((x > top).fillna(False), top).astype("Int64")  # a missing value stays missing
            # no count of the records changed: with the published count of the top code it would
            # tell how many hold exactly the top value
            actions.append(Action(name, "top-coded", f"values above {top} set to {top} ('{top} or more')"))

    # postal code → municipality (and the geography ladder below)
    postal = _role(instrument, "postal_code")
    geo = _geography_variables(instrument, out)
    has_geography = bool(geo) and out[list(geo)].notna().any().any()
    if postal is not None and postal in out.columns:
        why = ("postal code: a quasi-identifier; the municipality is published instead" if has_geography else
               "postal code: a quasi-identifier, and without the postal-code register it cannot be coarsened "
               "to a municipality")
        drop(postal, why)
    if not has_geography:
        out = out.drop(columns=list(geo))
        geo = {}
        notes.append("No geography: the postal-code register was not available to derive municipality, "
                     "county and centrality class.")

    # key variables and the k-anonymity ladder
    sex = _role(instrument, "sex")
    keys = [sex if v == "role:sex" else v for v in KEY_VARIABLES]
    keys += [v for v in (birth, *[d.name for d in instrument.derived if d.kind == "age"]) if v in kept]
    if postal in kept:
        keys.append(postal)
    keys = [v for v in keys if v is not None and v in out.columns]

    steps: list[tuple[str, KAnonymity]] = []
    level_used: str | None = None
    if has_geography:
        # a kept variable stops the ladder at its level: coarser levels would not change it
        kept_levels = [_level(level) for name, level in geo.items() if name in kept]
        levels = GEOGRAPHY_LEVELS[: min(kept_levels) + 1] if kept_levels else GEOGRAPHY_LEVELS
        candidate = out
        for level in levels:
            candidate = _geography(out, level, geo, k, kept)
            result = k_anonymity(candidate, keys + [c for c in geo if c in candidate.columns], k)
            steps.append((level, result))
            level_used = level
            if result.holds:
                break
        out = candidate
        actions += _geography_actions(frame, level_used, geo, k, kept)
        if not steps[-1][1].holds and len(levels) < len(GEOGRAPHY_LEVELS):
            stopped = ", ".join(n.upper() for n in geo if n in kept)
            notes.append(f"Geography was not coarsened beyond the {level_used} level because {stopped} "
                         f"{'IS' if ',' not in stopped else 'ARE'} KEPT BY --keep.")
        result = steps[-1][1]
        keys = list(result.keys)
    else:
        result = k_anonymity(out, keys, k)
        steps.append(("none", result))

    # sequential ids in random order
    idv = instrument.id_variable
    shuffled = idv not in kept
    if shuffled:
        order = np.random.default_rng(seed).permutation(len(out))
        out = out.iloc[order].reset_index(drop=True)
        out[idv] = np.arange(1, len(out) + 1, dtype=np.int64)
        actions.insert(0, Action(idv, "replaced", "respondent id replaced by a sequential number 1…n; the records "
                                                  "are in random order"))
    else:
        actions.insert(0, Action(idv, "kept", "NOT REPLACED (--keep): the fieldwork firm's respondent ids and "
                                              "record order are kept", override=True))

    out = out[_ordered_columns(out, instrument)]
    without = {} if result.holds else {
        key: k_anonymity(out, [c for c in keys if c != key], k) for key in keys}
    report = DisclosureReport(k=k, keys=tuple(keys), actions=actions, steps=steps, geography=level_used,
                              result=result, kept=keep, synthetic=synthetic, shuffled=shuffled, notes=notes,
                              without=without)
    return out, report


def _area(geo: dict[str, str], level: str) -> str:
    """The variable that names the areas of ``level`` (the first of that level: the code)."""
    return next(name for name, lvl in geo.items() if lvl == level)


def _geography(frame: pd.DataFrame, level: str, geo: dict[str, str], k: int, kept: set[str]) -> pd.DataFrame:
    """``frame`` with the geography of ``level``: finer variables dropped; areas of ``level`` with
    fewer than k respondents blanked in every variable finer than centrality; kept variables untouched."""
    finer = [n for n, lvl in geo.items() if _level(lvl) < _level(level) and n not in kept]
    out = frame.drop(columns=finer)
    if level == "centrality" or not any(lvl == level for lvl in geo.values()):
        return out
    area_name = _area(geo, level)
    if area_name in kept:
        return out
    area = frame[area_name]
    small = area.map(area.value_counts()).fillna(0).to_numpy() < k
    for name, lvl in geo.items():
        if name in out.columns and lvl != "centrality" and name not in kept:
            out[name] = out[name].mask(small)
    return out


def _geography_actions(frame: pd.DataFrame, level: str, geo: dict[str, str], k: int, kept: set[str]) -> list[Action]:
    out = []
    area_name = _area(geo, level) if any(lvl == level for lvl in geo.values()) else None
    for name, lvl in geo.items():
        if name in kept:
            out.append(Action(name, "kept", "NOT COARSENED (--keep): published for every area", override=True))
        elif _level(lvl) < _level(level):
            out.append(Action(name, "dropped", f"coarsened to the {level} level for k-anonymity"))
        elif lvl == "centrality" or area_name is None or area_name in kept or level == "centrality":
            continue
        elif name == area_name:
            area = frame[name]
            counts = area.value_counts()
            records = int(area.map(counts).lt(k).sum())
            out.append(Action(name, "blanked", f"areas ({level}) with fewer than {k} respondents are blank; the "
                                               f"centrality class is kept: {int((counts < k).sum())} areas, "
                                               f"{_count(records, k)} records"))
        else:
            out.append(Action(name, "blanked", f"blank where the {level} ({area_name}) is blank (otherwise it "
                                               "would reveal it)"))
    return out


def _ordered_columns(frame: pd.DataFrame, instrument: Instrument) -> list[str]:
    """id, questions in interview order, derived variables, the weight, then anything kept."""
    first = [instrument.id_variable, *instrument.names, *(d.name for d in instrument.derived), WEIGHT_COLUMN]
    ordered = [c for c in first if c in frame.columns]
    return ordered + [c for c in frame.columns if c not in ordered]


__all__ = [
    "Action", "DisclosureReport", "FIELD_LEVEL", "GEOGRAPHY_LEVELS", "KAnonymity", "KEY_VARIABLES", "TOP_CODES",
    "k_anonymity", "keepable", "protect",
]

"""Disclosure control for respondent-level data: what is dropped, recoded and suppressed before
microdata leave the project.

:func:`protect` applies the rules below to a weighted frame (answers, derived variables, weight)
and returns the protected frame with a :class:`DisclosureReport` of every action and why. The
order is the usual one of statistical disclosure control for microdata (Hundepool et al. 2012,
*Statistical Disclosure Control*, Wiley, ch. 3; Templ, Kowarik & Meindl 2015, "Statistical
disclosure control for micro-data using the R package sdcMicro", *J. Stat. Softw.* 67(4); the
sdcMicro guidelines of Benschop & Welch, 2016-): remove direct identifiers, coarsen what need not
be exact, then reach k-anonymity (Samarati & Sweeney 1998; Sweeney 2002, *Int. J. Uncertainty,
Fuzziness and Knowledge-Based Systems* 10:557) over the key variables by **global recoding** and
then **local suppression**.

==========================  ==================================================================
respondent id               replaced by a sequential id; records in random order, so neither
                            the id nor the position leads back to the fieldwork file
open text                   dropped: free text can name anyone
columns not in the          dropped: the questionnaire does not say what they are (a phone
questionnaire               number, a name, an interviewer …)
birth year, age             dropped; the age group stays
household size              top-coded (the study's top code; 6 by default: large households are rare)
postal code                 dropped; the home municipality stays, blanked (centrality class
                            only) in municipalities with fewer than k respondents
k-anonymity                 every record shares its combination of key variables (sex, age
                            group, education, geography; see below for the weight) with at
                            least k − 1 others: global recoding (:data:`GLOBAL_RECODES`), then
                            local suppression (:data:`SUPPRESSION_ORDER`)
==========================  ==================================================================

**Key variables** are what an outsider may know of a person: sex, age group, education, household
size, the quasi-identifiers the study declares (:func:`rules_for`) and
the geography published, plus any quasi-identifier kept by ``keep`` (birth year, postal code).
The **weight** is one too when it is the same for every record with the same key values (true of
post-stratified and raked weights, which are computed from sex and age group): anyone can then
read a person's original sex × age group cell off the weight (de Waal & Willenborg 1997,
"Statistical disclosure control and sampling weights", *J. Official Statistics* 13:417). It is
counted as a key variable that can be neither recoded nor suppressed, so that recoding or
suppressing what the weight still reveals is not mistaken for protection.

**Missing values are a category of their own** when records are counted: a record whose education
was suppressed forms a group with the other records whose education is missing and whose other
key values are the same as its own. sdcMicro instead lets a missing value match every category
(``freqCalc``, ``alpha = 1``); that counts, for a blanked record, records an outsider who knows
the person's true value can rule out, so the group it reports can be larger than the set the
person is hidden in. A group of records identical in every published key value is always among
the records an outsider cannot tell apart from a member, so k counted this way holds for every
person.

**Global recoding** (:data:`GLOBAL_RECODES`) is tried step by step in the order of the table, only
while k-anonymity does not hold; then the steps applied are looked at again, latest first, and a
step without which no more records are in groups smaller than k is undone (it protected nobody and
only lost information — e.g. coarsening the age group while the weight still reveals it; a step
may help only together with a later one, which is why the check comes after all of them). Merged
codes take the lowest code of their group, so conditions written against the questionnaire's
codes that respect the grouping (``education in (3, 4)``, ``age_group >= 5``) keep their meaning. Education "Annet" (other) goes with compulsory and
upper secondary school, not into a category of its own: it is too rare to stand alone (a handful
of the report's 500), and the report's one use of education, higher education = education in (3, 4),
counts it as not higher, so the derived ``higher_education`` stays exactly computable.

**Local suppression** then sets key values of the records still in groups smaller than k to
missing, a greedy search in the spirit of sdcMicro's ``localSuppression`` (Templ et al. 2015;
sdcMicro's own algorithm differs in detail): the smallest group at risk first (ties in the order
of the key values); for it, every set of suppressible key variables is tried; suppressing a set
moves the group's records into the group with those values missing, joined by as few other
records as make it k strong — first other groups at risk (whole), then records that groups larger
than k can spare, then whole groups (a group is never left smaller than k). The set that
suppresses the fewest values wins; ties go to the smaller set, then by :data:`SUPPRESSION_ORDER`
(geography first, then education, then age group); sex is suppressed only when nothing else
reaches k. Every pass settles one group at risk, so the search ends. Variables derived
from a suppressed one (``higher_education`` from education) are suppressed with it. A record no
suppression can protect (its values of the variables that cannot be suppressed — kept ones, the
weight — are shared by fewer than k records) is left as it is, and the report says k is NOT
reached and why.

``keep`` overrides a rule for named variables: a kept variable is neither dropped, recoded nor
suppressed; the report lists every override in capitals.
"""

from __future__ import annotations

import itertools
from dataclasses import asdict, dataclass, field
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from fjernarbeid.instrument import Instrument
from fjernarbeid.instrument.model import ATTACHMENT_TYPES, LOCATION_TYPES, TEXT_TYPES

# Top code of a household-size question when the study declares none (large households are rare and visible).
DEFAULT_HOUSEHOLD_TOP_CODE = 6

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

# The key variable made of every geography column published (they are recoded and suppressed together).
GEOGRAPHY = "geography"
# "role:sex" is the questionnaire's sex question (its declared role).
SEX = "role:sex"

# Key (quasi-identifying) variables besides geography, by role: what an outsider may know of a
# person. A study adds its own (``quasi_identifiers:`` in the study file: sector, staff
# responsibility …); the cautious default counts every role an outsider can know.
KEY_ROLES: tuple[str, ...] = ("sex", "age_group", "education", "household_size")
# Roles that place a person; key variables too when asked as questions.
GEOGRAPHY_ROLES: tuple[str, ...] = ("municipality",)

WEIGHT_COLUMN = "weight"
# The name of the rounded-weight alternative of the disclosure strategy.
WEIGHT_ALTERNATIVE = "weight"


@dataclass(frozen=True)
class Merge:
    """Codes merged into one category by a global recode; ``label`` {lang: text} names it (None:
    the questionnaire's label of its single code)."""

    codes: tuple[int, ...]
    label: Mapping[str, str] | None = None


@dataclass(frozen=True)
class Recode:
    """One global recoding step: geography to a coarser ``level``, or codes of ``variable`` merged.

    A *band* (``alternatives: bands:`` in the study file, :mod:`~fjernarbeid.export.disclosure_strategy`)
    is a recode too: of a key variable, or of a geography column (``variable`` is then that column,
    e.g. the centrality class, and the geography is published at its level)."""

    variable: str  # GEOGRAPHY or a key variable of KEY_VARIABLES (a band: the column)
    to: str  # what the variable becomes, for the report (English)
    level: str | None = None  # geography steps: the level published
    merges: tuple[Merge, ...] = ()
    to_labels: Mapping[str, str] | None = None  # ``to`` in the study's languages, when it gives them
    to_key: str | None = None  # ``to`` as a key of the message catalogue (the built-in geography steps)

    def to_text(self, lang: str) -> str:
        """What the variable becomes, in ``lang`` (nynorsk falls back to bokmål; else the English ``to``)."""
        return _render(self.to_param(), lang)

    def to_param(self) -> Any:
        """``to`` as a value of a :class:`Msg`: a catalogue message, the study's texts, or the English text."""
        if self.to_key:
            return Msg(self.to_key)
        return dict(self.to_labels) if self.to_labels else self.to

    @property
    def mapping(self) -> dict[int, int]:
        """Old code → new code (the lowest code of its group)."""
        return {code: min(m.codes) for m in self.merges for code in m.codes}

    @property
    def merged_codes(self) -> set[int]:
        """Codes whose category became wider (merged with another)."""
        return {code for m in self.merges if len(m.codes) > 1 for code in m.codes}

    def value_labels(self, original: Mapping[int, str], lang: str) -> dict[int, str]:
        """Labels of the new codes; ``original`` are the questionnaire's labels of the old ones."""
        return {min(m.codes): (m.label.get(lang) or m.label["nb"]) if m.label else original[m.codes[0]]
                for m in self.merges}


@dataclass(frozen=True)
class DisclosureRules:
    """A study's disclosure rules: key variables, top codes, global recodes (tried in this order
    while k-anonymity does not hold, module docstring) and the order of local suppression (the
    first most readily; ``last_resort`` ones only when no suppression of the others reaches k)."""

    key_variables: tuple[str, ...]
    top_codes: dict[str, int]
    global_recodes: tuple[Recode, ...]
    suppression_order: tuple[str, ...]
    last_resort: tuple[str, ...] = (SEX,)
    # alternatives the disclosure strategy may choose (disclosure_strategy.py): coarser bands the
    # study declares, and the multiple the weight may be rounded to
    bands: tuple[Recode, ...] = ()
    weight_round_to: float | None = None

    @property
    def alternatives(self) -> tuple[str, ...]:
        """Names of the declared alternatives: each band's variable, and ``weight`` for rounded weights."""
        return tuple(b.variable for b in self.bands) + ((WEIGHT_ALTERNATIVE,) if self.weight_round_to else ())


_GEOGRAPHY_RECODES = (
    Recode(GEOGRAPHY, "county (municipality dropped)", level="county", to_key="to_county"),
    Recode(GEOGRAPHY, "centrality class (municipality and county dropped)", level="centrality",
           to_key="to_centrality"),
)


def rules_for(instrument: Instrument, study=None) -> DisclosureRules:
    """The rules of ``study`` (its ``quasi_identifiers`` and ``disclosure:`` settings), defaulted
    cautiously: every key role the questionnaire declares is a key variable and may be suppressed."""
    if study is None:
        from fjernarbeid.study import load_study, study_for_instrument

        default = load_study()
        study = default if instrument.id == default.id else study_for_instrument(instrument)
    settings = study.disclosure or {}
    instrument = study.instrument if study.instrument.id == instrument.id else instrument  # its roles
    keys = [SEX] if instrument.has_role("sex") else []
    keys += [instrument.role(r) for r in KEY_ROLES[1:] if instrument.has_role(r)]
    # an age in years asked as a question tells an outsider as much as a birth year: a key variable
    # (an age derived from the birth year is dropped instead, as the birth year is)
    if instrument.has_role("age") and instrument.role("age") in instrument and instrument.role("age") not in keys:
        keys.insert(min(2, len(keys)), instrument.role("age"))
    # a municipality asked as a question (not looked up from the postal code, which the geography
    # steps recode) is a key variable like the others: an outsider knows where a person lives
    places = [v for v in _declared_geography(instrument) if v not in keys]
    keys += places
    # a quasi-identifier the study also declares as the sex role is that key already: counted once
    sex = {instrument.role("sex")} if instrument.has_role("sex") else set()
    keys += [v for v in study.quasi_identifiers if v not in keys and v not in sex]
    top_codes = {str(k): int(v) for k, v in (settings.get("top_codes") or {}).items()}
    if instrument.has_role("household_size") and not top_codes:
        top_codes[instrument.role("household_size")] = DEFAULT_HOUSEHOLD_TOP_CODE
    recodes = list(_GEOGRAPHY_RECODES)
    recodes += [_recode(r) for r in settings.get("recodes") or ()]
    order = settings.get("suppression_order")
    # geography first (the declared municipality with it), then the others, sex last
    order = tuple(str(v) for v in order) if order else (
        GEOGRAPHY, *places, *[k for k in reversed(keys) if k != SEX and k not in places])
    alternatives = settings.get("alternatives") or {}
    bands = tuple(_recode(r) for r in alternatives.get("bands") or ())
    round_to = (alternatives.get("weights") or {}).get("round_to")
    if round_to is not None and not (isinstance(round_to, (int, float)) and round_to > 0):
        raise ValueError(f"disclosure: alternatives: weights: round_to must be a positive number, not {round_to!r}")
    return DisclosureRules(tuple(keys), top_codes, tuple(recodes), order, bands=bands,
                           weight_round_to=float(round_to) if round_to is not None else None)


def _recode(r: Mapping[str, Any]) -> Recode:
    """A recode (or band) as the study file writes it: variable, to (a text, or one per language), merges."""
    to = r.get("to", "merged categories")
    labels = {str(k): str(v) for k, v in to.items()} if isinstance(to, Mapping) else None
    english = (labels.get("en") or labels.get("nb") or next(iter(labels.values()), "")) if labels else str(to)
    merges = tuple(Merge(tuple(int(c) for c in m["codes"]),
                         {k: v for k, v in m.items() if k != "codes"} or None) for m in r.get("merges") or ())
    return Recode(str(r["variable"]), english, merges=merges, to_labels=labels)


def _declared_geography(instrument: Instrument) -> list[str]:
    """The variables of the geography roles (municipality) that are not looked up from the postal code."""
    out = []
    for role in GEOGRAPHY_ROLES:
        if not instrument.has_role(role):
            continue
        name = instrument.role(role)
        looked_up = any(d.name == name and d.kind == "postal_lookup" for d in instrument.derived)
        if not looked_up:
            out.append(name)
    return out


def __getattr__(name: str):
    """``GLOBAL_RECODES``, ``TOP_CODES``, ``KEY_VARIABLES``, ``SUPPRESSION_ORDER``: the default study's rules."""
    fields = {"GLOBAL_RECODES": "global_recodes", "TOP_CODES": "top_codes", "KEY_VARIABLES": "key_variables",
              "SUPPRESSION_ORDER": "suppression_order", "LAST_RESORT": "last_resort"}
    if name in fields:
        from fjernarbeid.study import load_study

        study = load_study()
        return getattr(rules_for(study.instrument, study), fields[name])
    raise AttributeError(name)


# -- k-anonymity -------------------------------------------------------------------------------


@dataclass(frozen=True)
class KAnonymity:
    """How many records share each combination of ``keys`` (a missing value is a value of its own)."""

    keys: tuple[str, ...]
    k: int
    n: int
    groups: int
    smallest: int  # size of the smallest group (0 when there are no records): the k achieved
    groups_below_k: int
    records_below_k: int  # records in groups smaller than k

    @property
    def holds(self) -> bool:
        return self.records_below_k == 0

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "keys": list(self.keys), "holds": self.holds}


def _key_codes(frame: pd.DataFrame, keys: Sequence[str]) -> np.ndarray:
    """One integer column per key, -1 for a missing value; codes follow the sorted values, so the
    order of groups does not depend on the order of the records."""
    if not keys:
        return np.zeros((len(frame), 0), dtype=np.int64)
    return np.column_stack([pd.factorize(frame[c], sort=True)[0] for c in keys]).astype(np.int64)


def k_anonymity(frame: pd.DataFrame, keys: Iterable[str], k: int) -> KAnonymity:
    """Group sizes of the combinations of ``keys`` in ``frame`` (vectorised: one integer code per
    combination, then counts)."""
    keys = tuple(keys)
    n = len(frame)
    if n == 0 or not keys:
        return KAnonymity(keys, k, n, int(n > 0), n, int(0 < n < k), n if n < k else 0)
    _, inverse, counts = np.unique(_key_codes(frame, keys), axis=0, return_inverse=True, return_counts=True)
    sizes = counts[inverse.ravel()]
    return KAnonymity(keys=keys, k=k, n=n, groups=int(counts.size), smallest=int(counts.min()),
                      groups_below_k=int((counts < k).sum()), records_below_k=int((sizes < k).sum()))


# -- local suppression (pure numpy on key codes) -------------------------------------------------


@dataclass(frozen=True)
class _Dimension:
    """A key variable as columns of the code matrix (geography has several)."""

    name: str
    columns: tuple[int, ...]
    suppressible: bool
    last_resort: bool = False


def _candidate_sets(dims: Sequence[_Dimension]) -> list[tuple[int, ...]]:
    """Sets of suppressible dimensions, in the order that breaks ties: without last-resort ones
    first, then smaller sets, then by the order of ``dims``."""
    free = [i for i, d in enumerate(dims) if d.suppressible]
    sets = [s for r in range(1, len(free) + 1) for s in itertools.combinations(free, r)]
    return sorted(sets, key=lambda s: (sum(dims[i].last_resort for i in s), len(s), s))


def _take(need: int, size: int, order: np.ndarray, limit: np.ndarray, whole: bool) -> np.ndarray:
    """How many records to take from each of ``size`` groups, visiting them in ``order`` and taking
    at most ``limit`` from each (``whole``: all of it or nothing), until ``need`` are taken."""
    taken = np.zeros(size, dtype=np.int64)
    if need <= 0 or order.size == 0:
        return taken
    available = limit[order]
    before = np.concatenate(([0], np.cumsum(available)[:-1]))
    taken[order] = np.where(before < need, available, 0) if whole else np.clip(need - before, 0, available)
    return taken


def local_suppression(codes: np.ndarray, dims: Sequence[_Dimension], k: int) -> np.ndarray:
    """Which values to suppress so that every group of identical rows of ``codes`` (-1 = missing,
    a value of its own) has at least ``k`` rows: a boolean array (rows × dims), True where the
    dimension's columns are to be set to missing. The greedy search of the module docstring;
    rows no suppression can protect are left unsuppressed."""
    codes = codes.copy()
    n = codes.shape[0]
    suppressed = np.zeros((n, len(dims)), dtype=bool)
    candidates = _candidate_sets(dims)
    hopeless: set[bytes] = set()
    # one group is settled per pass, and each suppression changes the groups the next pass sees,
    # so the passes cannot be done at once
    while True:
        rows, inverse, counts = np.unique(codes, axis=0, return_inverse=True, return_counts=True)
        inverse = inverse.ravel()
        at_risk = counts < k
        for i in np.flatnonzero(at_risk):
            if rows[i].tobytes() in hopeless:
                at_risk[i] = False
        if not at_risk.any():
            return suppressed
        risky = np.flatnonzero(at_risk)
        i = risky[np.argmin(counts[risky])]  # the smallest group; ties: the first in key order
        present = np.stack([(rows[:, list(d.columns)] >= 0).any(axis=1) for d in dims], axis=1)
        best = None
        for subset in candidates:
            cols = [c for j in subset for c in dims[j].columns]
            outside = np.ones(codes.shape[1], dtype=bool)
            outside[cols] = False
            target = rows[i].copy()
            target[cols] = -1
            cost = present[:, list(subset)].sum(axis=1)  # values each of their records loses
            if cost[i] == 0:  # those values are missing already: the group would not move
                continue
            joins = (rows[:, outside] == target[outside]).all(axis=1)  # groups that can move there
            movers = joins & (cost > 0)
            movers[i] = False
            need = k - counts[i] - counts[joins & (cost == 0)].sum()  # cost 0: the target group itself
            # whole groups at risk first, cheapest first; then what safe groups can give and stay at
            # least k strong; then whole safe groups (a safe group is never left smaller than k)
            size = counts.size
            risky_movers = np.flatnonzero(movers & at_risk)
            order = risky_movers[np.lexsort((counts[risky_movers], cost[risky_movers]))]
            take = _take(need, size, order, counts, whole=True)
            safe = np.flatnonzero(movers & (counts >= k))
            safe = safe[np.argsort(cost[safe], kind="stable")]
            take += _take(need - take.sum(), size, safe, counts - k, whole=False)
            rest = safe[np.lexsort((counts[safe], cost[safe]))]
            take += _take(need - take.sum(), size, rest, counts - take, whole=True)
            if take.sum() < need:
                continue
            total = counts[i] * cost[i] + int((take * cost).sum())
            rank = (sum(dims[j].last_resort for j in subset), total)
            if best is None or rank < best[0]:
                best = (rank, subset, cols, take)
        if best is None:
            hopeless.add(rows[i].tobytes())
            continue
        _, subset, cols, take = best
        take[i] = counts[i]
        for group in np.flatnonzero(take):
            records = np.flatnonzero(inverse == group)[: take[group]]
            for j in subset:
                lost = (codes[np.ix_(records, list(dims[j].columns))] >= 0).any(axis=1)
                suppressed[records[lost], j] = True
            codes[np.ix_(records, cols)] = -1


# -- the report --------------------------------------------------------------------------------


class Msg:
    """A text of the disclosure statement: a key of the message catalogue (context ``disclosure``) and
    its values, rendered in any language (:meth:`text`); ``str()`` is the English text. A value may be
    a number (written as the language writes numbers), a {lang: text} mapping, or another Msg."""

    __slots__ = ("key", "params")

    def __init__(self, key: str, **params: Any) -> None:
        self.key, self.params = key, params

    def text(self, lang: str) -> str:
        from fjernarbeid.i18n import message

        return message("disclosure", self.key, lang, **{k: _render(v, lang) for k, v in self.params.items()})

    def __str__(self) -> str:
        return self.text("en")

    def __repr__(self) -> str:
        return f"Msg({self.key!r}, {self.params!r})"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Msg) and (self.key, self.params) == (other.key, other.params)

    def __hash__(self) -> int:
        return hash(self.key)

    def __contains__(self, part: str) -> bool:
        return part in str(self)

    def startswith(self, prefix: str) -> bool:
        return str(self).startswith(prefix)


class Decimal1(float):
    """A number written with one decimal (a percentage: '46.6', '46,6')."""


def _render(value: Any, lang: str) -> str:
    from fjernarbeid.i18n import fmt_number

    if isinstance(value, Msg):
        return value.text(lang)
    if isinstance(value, Decimal1):
        return fmt_number(float(value), lang, 1)
    if isinstance(value, Mapping):
        return value.get(lang) or (value.get("nb") if lang == "nn" else None) or value.get("en") or \
            next(iter(value.values()), "")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, (int, np.integer)):
        return fmt_number(int(value), lang)
    if isinstance(value, (float, np.floating)):
        return fmt_number(float(value), lang, 0 if float(value).is_integer() else 1)
    if isinstance(value, (list, tuple)):
        return ", ".join(_render(v, lang) for v in value)
    return str(value)


def variable_name(name: str) -> str | Msg:
    """A key variable's name for people: the geography (several columns) in words, a column as it is."""
    return Msg("geography") if name == GEOGRAPHY else name


def text_of(value: str | Msg, lang: str) -> str:
    """A reason, note or conclusion in ``lang`` (a plain string is the same in every language)."""
    return value.text(lang) if isinstance(value, Msg) else str(value)


@dataclass(frozen=True)
class Action:
    """One disclosure-control step on one variable."""

    variable: str
    action: str  # dropped | replaced | coarsened | blanked | top-coded | recoded | suppressed | kept | rounded
    reason: str | Msg
    override: bool = False  # True when ``keep`` overrode the rule

    def to_dict(self) -> dict[str, Any]:
        return {"variable": self.variable, "action": self.action, "reason": str(self.reason),
                "override": self.override}


@dataclass(frozen=True)
class RecodeStep:
    """What became of one global recode: applied, undone (it protected nobody), not needed or kept."""

    variable: str  # the column (or GEOGRAPHY)
    to: str
    status: str  # applied | undone | not needed | kept
    reason: str | Msg
    result: KAnonymity | None = None  # k-anonymity with the step (None when it was not tried)
    to_labels: Mapping[str, str] | None = None  # ``to`` in the study's languages
    band: bool = False  # a band chosen by the disclosure strategy (not a step of the recode chain)
    to_key: str | None = None  # ``to`` as a catalogue key (Recode.to_key)

    def to_text(self, lang: str) -> str:
        return Recode(self.variable, self.to, to_labels=self.to_labels, to_key=self.to_key).to_text(lang)

    def to_param(self) -> Any:
        return Recode(self.variable, self.to, to_labels=self.to_labels, to_key=self.to_key).to_param()

    def to_dict(self) -> dict[str, Any]:
        return {"variable": self.variable, "to": self.to, "status": self.status, "reason": str(self.reason),
                "band": self.band, "k_anonymity": None if self.result is None else self.result.to_dict()}


@dataclass
class DisclosureReport:
    """What :func:`protect` did, and the k-anonymity reached."""

    k: int
    keys: tuple[str, ...]
    actions: list[Action]
    start: KAnonymity  # before global recoding (geography at the municipality level)
    steps: list[RecodeStep]  # every global recode of GLOBAL_RECODES that applies to the data
    after_recoding: KAnonymity
    suppressed: dict[str, int]  # key variable → records whose value was suppressed
    suppressed_with: dict[str, tuple[str, ...]]  # key variable → columns set to missing with it
    geography: str | None  # the level published (None: no geography in the data)
    result: KAnonymity
    information_loss: dict[str, dict[str, int]]  # key variable → {"recoded": n, "suppressed": n}
    kept: tuple[str, ...] = ()
    kept_keys: tuple[str, ...] = ()  # kept variables that are key variables
    weight_is_key: bool = False
    synthetic: bool = False
    shuffled: bool = True
    notes: list[str | Msg] = field(default_factory=list)
    recoded: dict[str, Recode] = field(default_factory=dict)  # code merges applied, by column
    # k-anonymity with each key variable left out in turn, when k is not reached: which key stands
    # in the way
    without: dict[str, KAnonymity] = field(default_factory=dict)
    blocking: KAnonymity | None = None  # k-anonymity of the keys that can be neither recoded nor suppressed
    # column → the records (in the protected frame's order) whose value local suppression removed: the
    # exported files mark them with their own missing code, distinct from "not asked"
    suppressed_cells: dict[str, np.ndarray] = field(default_factory=dict, repr=False)
    # key variable (GEOGRAPHY, the weight) → information lost in bits (disclosure_strategy.entropy_loss)
    entropy_loss: dict[str, float] = field(default_factory=dict)
    # key variable → where local suppression fell: category → {label, n, suppressed}, and a warning when it
    # is concentrated in one category (disclosure_strategy.suppression_by_category)
    suppression_by_category: dict[str, dict[str, Any]] = field(default_factory=dict)
    alternatives: tuple[str, ...] = ()  # the declared alternatives applied (bands, "weight")
    weight_rounding: dict[str, Any] | None = None  # round_weights' figures when the weight was rounded
    strategy: Any = None  # disclosure_strategy.StrategyChoice: the combinations tried and the one chosen

    @property
    def entropy_loss_total(self) -> float:
        return float(sum(self.entropy_loss.values()))

    @property
    def holds(self) -> bool:
        return self.result.holds

    @property
    def k_achieved(self) -> int:
        """The largest k for which k-anonymity holds: the size of the smallest group."""
        return self.result.smallest

    @property
    def information_loss_share(self) -> float:
        """Share of the key values (records × key variables of the questionnaire) recoded to a wider
        category or suppressed."""
        cells = self.result.n * len(self.information_loss)
        changed = sum(v["recoded"] + v["suppressed"] for v in self.information_loss.values())
        return changed / cells if cells else 0.0

    @property
    def conclusion(self) -> str:
        """The conclusion in English (:meth:`conclusion_text` in any language)."""
        return self.conclusion_text("en")

    def conclusion_text(self, lang: str) -> str:
        return self.conclusion_msg.text(lang)

    @property
    def conclusion_msg(self) -> Msg:
        r = self.result
        done = self._summary()
        if r.holds:
            return Msg("conclusion_holds", k=self.k, keys=list(r.keys), smallest=r.smallest, done=done)
        figures = dict(k=self.k, done=done, keys=list(r.keys), smallest=r.smallest, records=r.records_below_k, n=r.n,
                       groups=r.groups_below_k)
        if self.blocking is not None and not self.blocking.holds:
            return Msg("not_reached_blocked_kept" if self.kept_keys else "not_reached_blocked",
                       blocked=", ".join(self.blocking.keys).upper(), blocked_records=self.blocking.records_below_k,
                       **figures)
        return Msg("not_reached", **figures)

    def _summary(self) -> Msg:
        applied = [s for s in self.steps if s.status == "applied"]
        geography = [s for s in applied if s.variable == GEOGRAPHY][-1:]  # the level published
        recodes = [Msg("recode_item", variable=variable_name(s.variable), to=s.to_param()) for s in applied
                   if s.variable != GEOGRAPHY or s in geography]
        total = sum(self.suppressed.values())
        return Msg("summary", recoding=Msg("after_recoding", recodes=recodes) if recodes else Msg("without_recoding"),
                   suppression=Msg("suppressing", n=total) if total else Msg("no_suppression"),
                   share=Decimal1(100 * self.information_loss_share))

    def override_msgs(self) -> list[Msg]:
        return [Msg("override", VAR=v.upper(), var=v) for v in self.kept]

    def to_dict(self) -> dict[str, Any]:
        return {
            "k": self.k,
            "holds": self.holds,
            "k_achieved": self.k_achieved,
            "smallest_group": self.result.smallest,
            "conclusion": self.conclusion,
            "synthetic": self.synthetic,
            "key_variables": list(self.keys),
            "weight_is_key": self.weight_is_key,
            "geography": self.geography,
            "k_anonymity": self.result.to_dict(),
            "before_recoding": self.start.to_dict(),
            "global_recoding": [s.to_dict() for s in self.steps],
            "after_recoding": self.after_recoding.to_dict(),
            "local_suppression": {name: {"values": n, "columns": list(self.suppressed_with.get(name, ()))}
                                  for name, n in self.suppressed.items()},
            "information_loss": {"share": self.information_loss_share, "by_variable": self.information_loss},
            "actions": [a.to_dict() for a in self.actions],
            "overrides": [str(m) for m in self.override_msgs()],
            "records_shuffled": self.shuffled,
            "notes": [str(n) for n in self.notes],
            "without_each_key": {key: r.to_dict() for key, r in self.without.items()},
            "not_suppressible": None if self.blocking is None else self.blocking.to_dict(),
            "entropy_loss_bits": {"total": self.entropy_loss_total, "by_variable": dict(self.entropy_loss)},
            "suppression_by_category": {name: {**v, "warnings": [str(w) for w in v["warnings"]]}
                                        for name, v in self.suppression_by_category.items()},
            "alternatives_applied": list(self.alternatives),
            "weight_rounding": self.weight_rounding,
            "strategy": None if self.strategy is None else self.strategy.to_dict(),
        }


# -- protection --------------------------------------------------------------------------------


def _role(instrument: Instrument, role: str) -> str | None:
    try:
        return instrument.question_for_role(role).name
    except KeyError:
        return None


def _key_name(instrument: Instrument, variable: str) -> str | None:
    return _role(instrument, "sex") if variable == SEX else variable


def keepable(instrument: Instrument, frame: pd.DataFrame, rules: DisclosureRules | None = None) -> list[str]:
    """Variables whose disclosure rule ``keep`` may override (for help and error messages)."""
    rules = rules or rules_for(instrument)
    birth, postal = _role(instrument, "birth_year"), _role(instrument, "postal_code")
    ages = [d.name for d in instrument.derived if d.kind == "age"]
    texts = [q.name for q in instrument if q.type in TEXT_TYPES]  # free text, dates, times, locations, files
    keys = [_key_name(instrument, v) for v in rules.key_variables]
    names = [instrument.id_variable, birth, *ages, postal, *rules.top_codes, *_geography_variables(instrument, frame),
             *keys, *texts, *_extra_columns(instrument, frame)]
    return [n for n in dict.fromkeys(names) if n is not None and n in frame.columns]


def _geography_variables(instrument: Instrument, frame: pd.DataFrame) -> dict[str, str]:
    """Derived variables looked up from the postal code that are in ``frame``, with their level."""
    return {d.name: FIELD_LEVEL.get(d.field, GEOGRAPHY_LEVELS[0]) for d in instrument.derived
            if d.kind == "postal_lookup" and d.name in frame.columns}


def _level(name: str) -> int:
    return GEOGRAPHY_LEVELS.index(name)


def _extra_columns(instrument: Instrument, frame: pd.DataFrame) -> list[str]:
    known = {instrument.id_variable, *instrument.names, *(d.name for d in instrument.derived), WEIGHT_COLUMN,
             *(c for q in instrument if q.is_multiple for c in q.option_columns.values())}
    return [c for c in frame.columns if c not in known]


def _derived_from(instrument: Instrument, name: str, frame: pd.DataFrame) -> list[str]:
    """Derived variables in ``frame`` computed from ``name`` (they reveal it, so they go with it)."""
    return [d.name for d in instrument.derived if d.name in frame.columns
            and (d.source == name or (d.expr is not None and name in d.expr.variables))]


def _kept_step(blocked: list[str]) -> Msg:
    """A recode not applied because ``--keep`` kept the variables it would change."""
    return Msg("step_kept_one" if len(blocked) == 1 else "step_kept_many", variables=", ".join(blocked).upper())


def _count(n: int, k: int) -> int | Msg:
    """A count for the report, itself protected: small counts are only said to be small."""
    return n if n == 0 or n >= k else Msg("fewer_than", k=k)


def _weight_is_key(frame: pd.DataFrame, keys: Sequence[str]) -> bool:
    """True when the weight is the same for all records with the same key values (module docstring)."""
    if WEIGHT_COLUMN not in frame.columns or not keys or frame.empty:
        return False
    groups = np.unique(_key_codes(frame, keys), axis=0, return_inverse=True)[1].ravel()
    pairs = np.column_stack([groups, pd.factorize(frame[WEIGHT_COLUMN], sort=True)[0]])
    return bool(len(np.unique(pairs, axis=0)) == groups.max() + 1)


def protect(
    frame: pd.DataFrame,
    instrument: Instrument,
    *,
    k: int = 5,
    keep: Iterable[str] = (),
    seed: int | None = None,
    synthetic: bool = False,
    study=None,
    alternatives: Iterable[str] = (),
) -> tuple[pd.DataFrame, DisclosureReport]:
    """Apply the disclosure rules (module docstring) to ``frame`` — answers with derived variables
    and a ``weight`` column — and return the protected frame and the report.

    ``keep`` names variables whose rule is not applied (see :func:`keepable`); anything else in
    it raises :class:`ValueError`. ``seed`` fixes the random order of the records (default: fresh
    randomness, so that the order cannot be reproduced from the file). Recoding and suppression
    are deterministic: the same data give the same protected values.

    ``alternatives`` names alternatives the study declares (:attr:`DisclosureRules.alternatives`)
    to apply before the global recodes: a band (its variable's name) is applied whether or not
    k-anonymity holds and is never undone; ``weight`` rounds the weight to the study's multiple.
    :func:`fjernarbeid.export.disclosure_strategy.protect_with_strategy` chooses them.
    """
    if k < 2:
        raise ValueError(f"k must be at least 2, not {k}")
    keep = tuple(dict.fromkeys(keep))
    rules = rules_for(instrument, study)
    allowed = keepable(instrument, frame, rules)
    unknown = [v for v in keep if v not in allowed]
    if unknown:
        raise ValueError(f"--keep {', '.join(unknown)}: no disclosure rule applies to "
                         f"{'it' if len(unknown) == 1 else 'them'}; variables that can be kept: {', '.join(allowed)}")
    kept = set(keep)
    alternatives = tuple(dict.fromkeys(alternatives))
    unknown = [a for a in alternatives if a not in rules.alternatives]
    if unknown:
        raise ValueError(f"no such disclosure alternative: {', '.join(unknown)}; the study declares "
                         f"{', '.join(rules.alternatives) or 'none'}")
    out = frame.copy()
    actions: list[Action] = []
    notes: list[str] = []

    def drop(name: str, reason: Msg) -> None:
        nonlocal out
        if name not in out.columns:
            return
        if name in kept:
            actions.append(Action(name, "kept", Msg("kept_not_dropped", reason=reason), override=True))
        else:
            out = out.drop(columns=name)
            actions.append(Action(name, "dropped", reason))

    # direct identifiers and free text
    for q in instrument:
        if q.type == "text":
            drop(q.name, Msg("free_text"))
        elif q.metadata:  # when the interview began and ended, its date
            drop(q.name, Msg("form_metadata"))
        elif q.type == "date":
            drop(q.name, Msg("exact_date"))
        elif q.type in ("time", "datetime"):
            drop(q.name, Msg("exact_time"))
        elif q.type in LOCATION_TYPES:  # a direct identifier: where someone lives or works
            drop(q.name, Msg("location"))
        elif q.type in ATTACHMENT_TYPES:
            drop(q.name, Msg("attachment"))
    for name in _extra_columns(instrument, out):
        drop(name, Msg("not_in_questionnaire"))

    # birth year → age group
    birth = _role(instrument, "birth_year")
    ages = [d.name for d in instrument.derived if d.kind == "age"]
    if birth is not None:
        age_groups = [d.name for d in instrument.derived if d.kind == "bins" and d.source in (birth, *ages)
                      and d.name in out.columns]
        drop(birth, Msg("birth_year_age_group" if age_groups else "birth_year_no_age_group"))
    for d in instrument.derived:
        if d.kind == "age":
            drop(d.name, Msg("exact_age", source=d.source))

    # top codes
    for name, top in rules.top_codes.items():
        if name not in out.columns:
            continue
        x = pd.to_numeric(out[name], errors="coerce")
        if name in kept:
            actions.append(Action(name, "kept", Msg("kept_not_top_coded", top=top), override=True))
        else:
            out[name] = x.mask((x > top).fillna(False), top).astype("Int64")  # a missing value stays missing
            # no count of the records changed: with the published count of the top code it would
            # tell how many hold exactly the top value
            actions.append(Action(name, "top-coded", Msg("top_coded", top=top)))

    # rounded weights (an alternative of the disclosure strategy): a weight computed from sex and age
    # group reveals them; rounded to a coarse multiple, cells of similar weight share one value
    weight_rounding = None
    if WEIGHT_ALTERNATIVE in alternatives and WEIGHT_COLUMN in out.columns:
        weight_rounding = round_weights(out[WEIGHT_COLUMN], rules.weight_round_to)
        out[WEIGHT_COLUMN] = weight_rounding.pop("weights")
        actions.append(Action(WEIGHT_COLUMN, "rounded", Msg("weight_rounded", **weight_rounding)))

    # postal code → municipality (and the geography recodes below)
    postal = _role(instrument, "postal_code")
    geo = _geography_variables(instrument, out)
    has_geography = bool(geo) and out[list(geo)].notna().any().any()
    if postal is not None and postal in out.columns:
        why = Msg("postal_municipality" if has_geography else "postal_no_register")
        drop(postal, why)
    if not has_geography:
        out = out.drop(columns=list(geo))
        geo = {}
        if postal is not None:  # a study without a postal code has nothing to derive geography from
            notes.append(Msg("note_no_geography"))

    # the key variables
    names = {v: _key_name(instrument, v) for v in rules.key_variables}
    names = {v: n for v, n in names.items() if n is not None and n in out.columns}
    extra_keys = [v for v in (birth, *ages, postal) if v is not None and v in kept and v in out.columns]
    weight_is_key = _weight_is_key(out, [*names.values(), *extra_keys, *geo])
    if weight_is_key:
        notes.append(Msg("note_weight_is_key"))

    def key_columns(data: pd.DataFrame) -> list[str]:
        cols = [*names.values(), *extra_keys, *(c for c in geo if c in data.columns)]
        return cols + ([WEIGHT_COLUMN] if weight_is_key else [])

    # global recoding, from the data at the municipality level
    base = out
    level = GEOGRAPHY_LEVELS[0] if geo else None
    merges: dict[str, Recode] = {}

    def recoded(level_: str | None, merges_: dict[str, Recode]) -> pd.DataFrame:
        data = _geography(base, level_, geo, k, kept) if level_ is not None else base.copy()
        for name, recode in merges_.items():
            data[name] = data[name].replace(recode.mapping)
        return data

    def check(level_: str | None, merges_: dict[str, Recode]) -> KAnonymity:
        data = recoded(level_, merges_)
        return k_anonymity(data, key_columns(data), k)

    start = state = check(level, merges)
    steps: list[RecodeStep] = []
    applied: list[tuple[int, str | None, str | None]] = []  # (step, geography level before it, after it)
    # the bands chosen by the disclosure strategy: applied first, whatever k-anonymity says, never undone
    banded: set[str] = set()
    for band in (b for b in rules.bands if b.variable in alternatives):
        if band.variable in geo:
            blocked = [n for n, lvl in geo.items() if n in kept and _level(lvl) < _level(geo[band.variable])]
            name = GEOGRAPHY
        else:
            name = names.get(band.variable) or (band.variable if band.variable in names.values() else None)
            blocked = [name] if name in kept else []
        if name is None or band.variable not in out.columns:
            continue
        if blocked:
            steps.append(RecodeStep(name, band.to, "kept", _kept_step(blocked),
                                    to_labels=band.to_labels))
            continue
        if name == GEOGRAPHY:
            level = max(level, geo[band.variable], key=_level)
        merges = {**merges, band.variable: band}
        banded.add(name)
        result = check(level, merges)
        steps.append(RecodeStep(name, band.to, "applied", Msg("band_applied", k=k, before=state.records_below_k,
                                                              after=result.records_below_k),
                                result, to_labels=band.to_labels, band=True))
        state = result
    for recode in rules.global_recodes:
        is_geo = recode.level is not None
        name = GEOGRAPHY if is_geo else names.get(recode.variable)
        if (is_geo and not geo) or name is None:
            continue
        if name in banded and (not is_geo or _level(recode.level) <= _level(level)):
            steps.append(RecodeStep(name, recode.to, "not needed", Msg("banded_instead"),
                                    to_labels=recode.to_labels, to_key=recode.to_key))
            continue
        blocked = ([n for n, lvl in geo.items() if n in kept and _level(lvl) < _level(recode.level)] if is_geo
                   else [name] if name in kept else [])
        if state.holds:
            steps.append(RecodeStep(name, recode.to, "not needed", Msg("already_holds"),
                                    to_labels=recode.to_labels, to_key=recode.to_key))
            continue
        if blocked:
            steps.append(RecodeStep(name, recode.to, "kept", _kept_step(blocked),
                                    to_labels=recode.to_labels, to_key=recode.to_key))
            continue
        if is_geo:
            applied.append((len(steps), level, recode.level))
            level = recode.level
        else:
            applied.append((len(steps), level, level))
            merges = {**merges, name: recode}
        result = check(level, merges)
        steps.append(RecodeStep(name, recode.to, "applied", Msg("step_applied", k=k, before=state.records_below_k,
                                                                after=result.records_below_k), result,
                                to_labels=recode.to_labels, to_key=recode.to_key))
        state = result
    # a step that protects nobody only loses information (coarsening the age group while the weight
    # still reveals it): undone, latest first, when the data without it have no more records at risk
    for index, level_before, level_after in reversed(applied):
        step = steps[index]
        if step.variable == GEOGRAPHY:
            if level_after != level:  # a coarser level is in force: this step is part of it
                continue
            trial_level, trial_merges = level_before, merges
        else:
            trial_level, trial_merges = level, {n: r for n, r in merges.items() if n != step.variable}
        result = check(trial_level, trial_merges)
        if result.records_below_k <= state.records_below_k:
            reveals = weight_is_key and step.variable in (names.get(SEX), _role(instrument, "age_group"))
            why = Msg("step_undone_weight" if reveals else "step_undone", records=result.records_below_k, k=k)
            steps[index] = RecodeStep(step.variable, step.to, "undone", why, step.result, to_labels=step.to_labels,
                                      to_key=step.to_key)
            level, merges, state = trial_level, trial_merges, result
    current = recoded(level, merges)
    after_recoding = state
    if geo:
        actions += _geography_actions(frame, level, geo, k, kept)
    for name, recode in merges.items():
        actions.append(Action(name, "recoded", Msg("recoded", to=recode.to_param())))

    # local suppression of what recoding left at risk
    keys = key_columns(current)
    dims = _dimensions(keys, names, geo, extra_keys, weight_is_key, kept, rules)
    current, masks, suppressed_with = _suppress(current, keys, dims, instrument, k)
    suppressed = {name: int(mask.sum()) for name, mask in masks.items()}
    for name, n in suppressed.items():
        if n:
            actions.append(Action(name, "suppressed", Msg("suppressed", n=n, columns=", ".join(suppressed_with[name]))))
    cells: dict[str, np.ndarray] = {}
    for name, columns in suppressed_with.items():
        for col in columns:
            cells[col] = cells.get(col, np.zeros(len(current), dtype=bool)) | masks[name]
    out = current
    result = k_anonymity(out, keys, k)
    loss = _information_loss(base, masks, level, merges, names, geo, k, kept)
    # the information lost in bits and where suppression fell (disclosure_strategy.py)
    from fjernarbeid.export.disclosure_strategy import entropy_loss, suppression_by_category

    losses = {name: entropy_loss(frame[name], out[[name]] if name in out.columns else out[[]],
                                 masks.get(name)) for name in names.values() if name not in kept}
    if geo:
        finest = min(geo, key=lambda n: _level(geo[n]))
        published = [c for c in geo if c in out.columns]
        losses[GEOGRAPHY] = entropy_loss(frame[finest], out[published], masks.get(GEOGRAPHY))
    if WEIGHT_COLUMN in frame.columns:
        # the weight is lost only where it cannot be computed again from what is published
        context = [WEIGHT_COLUMN, *(n for n in names.values() if n in out.columns)]
        losses[WEIGHT_COLUMN] = entropy_loss(frame[WEIGHT_COLUMN], out[context])
    top_coded = {n: t for n, t in rules.top_codes.items() if n in base.columns and n not in kept}
    by_category = suppression_by_category(base, masks, names, geo, instrument, k, top_coded)  # top-coded, not recoded

    # sequential ids in random order
    idv = instrument.id_variable
    shuffled = idv not in kept
    if shuffled:
        order_ = np.random.default_rng(seed).permutation(len(out))
        out = out.iloc[order_].reset_index(drop=True)
        cells = {col: mask[order_] for col, mask in cells.items()}
        out[idv] = np.arange(1, len(out) + 1, dtype=np.int64)
        actions.insert(0, Action(idv, "replaced", Msg("id_replaced")))
    else:
        actions.insert(0, Action(idv, "kept", Msg("id_kept"), override=True))

    out = out[_ordered_columns(out, instrument)]
    fixed = [keys[c] for d in dims if not d.suppressible for c in d.columns]
    blocking = k_anonymity(out, fixed, k) if fixed and not result.holds else None
    without = {} if result.holds else {key: k_anonymity(out, [c for c in keys if c != key], k) for key in keys}
    kept_keys = tuple(v for v in keep if v in keys)
    report = DisclosureReport(
        k=k, keys=tuple(keys), actions=actions, start=start, steps=steps, after_recoding=after_recoding,
        suppressed=suppressed, suppressed_with=suppressed_with, geography=level, result=result,
        information_loss=loss, kept=keep, kept_keys=kept_keys, weight_is_key=weight_is_key, synthetic=synthetic,
        shuffled=shuffled, notes=notes, recoded=merges, without=without, blocking=blocking,
        suppressed_cells={col: mask for col, mask in cells.items() if mask.any()},
        entropy_loss=losses, suppression_by_category=by_category, alternatives=alternatives,
        weight_rounding=weight_rounding)
    return out, report


def round_weights(weights: pd.Series, round_to: float) -> dict[str, Any]:
    """The weights rounded to the nearest multiple of ``round_to`` (never below one multiple, so no
    respondent loses its weight), with what rounding changed: distinct values before and after, the
    largest relative change of a weight and the sum before and after (key ``weights``: the new ones)."""
    w = pd.to_numeric(weights, errors="coerce").astype(float)
    rounded = (np.maximum(np.round(w / round_to), 1.0) * round_to).where(w.notna())
    change = ((rounded - w).abs() / w.where(w > 0)).max()
    return {"weights": rounded, "round_to": float(round_to), "distinct_before": int(w.nunique()),
            "distinct_after": int(rounded.nunique()),
            "max_change_pct": float(100 * change) if change == change else 0.0,
            "sum_before": float(w.sum()), "sum_after": float(rounded.sum())}


def _dimensions(keys: list[str], names: dict[str, str], geo: dict[str, str], extra_keys: list[str],
                weight_is_key: bool, kept: set[str], rules: DisclosureRules) -> list[_Dimension]:
    """The key variables as local suppression sees them, in the suppression order then the last
    resort, then those that cannot be suppressed (kept quasi-identifiers, the weight)."""
    position = {c: i for i, c in enumerate(keys)}
    order = [*rules.suppression_order, *rules.last_resort]
    LAST_RESORT = rules.last_resort
    dims = []
    for variable in sorted([GEOGRAPHY, *names], key=lambda v: order.index(v) if v in order else len(order)):
        cols = [c for c in geo if c in position] if variable == GEOGRAPHY else [names[variable]]
        if cols:
            free = variable in order and not any(c in kept for c in cols)
            dims.append(_Dimension(GEOGRAPHY if variable == GEOGRAPHY else names[variable],
                                   tuple(position[c] for c in cols), free, variable in LAST_RESORT))
    for name in [*extra_keys, *([WEIGHT_COLUMN] if weight_is_key else [])]:
        dims.append(_Dimension(name, (position[name],), False))
    return dims


def _suppress(data: pd.DataFrame, keys: list[str], dims: list[_Dimension], instrument: Instrument,
              k: int) -> tuple[pd.DataFrame, dict[str, np.ndarray], dict[str, tuple[str, ...]]]:
    """``data`` with the values :func:`local_suppression` chooses set to missing, with the variables
    derived from them; returns it, the records suppressed per key variable, and the columns emptied
    with each."""
    data = data.copy()
    suppress = np.zeros((len(data), len(dims)), dtype=bool)
    if keys:
        # records visited in an order set by their content, not their position in the file, so
        # that which of a group's records give up a value does not depend on the order of the input
        answers = data.drop(columns=[instrument.id_variable], errors="ignore")
        by_content = np.argsort(pd.util.hash_pandas_object(answers, index=False).to_numpy(), kind="stable")
        suppress[by_content] = local_suppression(_key_codes(data, keys)[by_content], dims, k)
    masks: dict[str, np.ndarray] = {}
    columns: dict[str, tuple[str, ...]] = {}
    for j, dim in enumerate(dims):
        if not dim.suppressible:
            continue
        cols = [keys[c] for c in dim.columns]
        cols += [d for c in cols for d in _derived_from(instrument, c, data) if d not in keys]
        masks[dim.name], columns[dim.name] = suppress[:, j], tuple(dict.fromkeys(cols))
        for col in columns[dim.name]:
            data[col] = data[col].mask(suppress[:, j])
    return data, masks, columns


def _information_loss(original: pd.DataFrame, masks: dict[str, np.ndarray], level: str | None,
                      merges: dict[str, Recode], names: dict[str, str], geo: dict[str, str], k: int,
                      kept: set[str]) -> dict[str, dict[str, int]]:
    """Per key variable of the questionnaire: records whose value was recoded to a wider category
    (geography: published coarser than the finest level in the data, or blanked), and records whose
    value was suppressed (``masks``); a record is counted once, as suppressed."""
    none = np.zeros(len(original), dtype=bool)
    wider: dict[str, np.ndarray] = {}
    for name in names.values():
        wider[name] = (original[name].isin(list(merges[name].merged_codes)).to_numpy() if name in merges else none)
    if geo and level is not None:
        finest = min(geo, key=lambda n: _level(geo[n]))
        if _level(level) > _level(geo[finest]):
            wider[GEOGRAPHY] = original[finest].notna().to_numpy()
        elif finest not in kept and geo[finest] != "centrality":
            wider[GEOGRAPHY] = _small_areas(original[finest], k)
        else:
            wider[GEOGRAPHY] = none
    return {name: {"recoded": int((w & ~masks.get(name, none)).sum()), "suppressed": int(masks.get(name, none).sum())}
            for name, w in wider.items()}


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
    small = _small_areas(frame[area_name], k)
    for name, lvl in geo.items():
        if name in out.columns and lvl != "centrality" and name not in kept:
            out[name] = out[name].mask(small)
    return out


def _small_areas(area: pd.Series, k: int) -> np.ndarray:
    """Records living in an area with fewer than k respondents (a record without area is not one)."""
    return (area.map(area.value_counts()).fillna(k).to_numpy() < k)


def _geography_actions(frame: pd.DataFrame, level: str, geo: dict[str, str], k: int, kept: set[str]) -> list[Action]:
    out = []
    area_name = _area(geo, level) if any(lvl == level for lvl in geo.values()) else None
    for name, lvl in geo.items():
        if name in kept:
            out.append(Action(name, "kept", Msg("geo_kept"), override=True))
        elif _level(lvl) < _level(level):
            out.append(Action(name, "dropped", Msg("geo_coarsened", level=Msg(f"level_{level}"))))
        elif lvl == "centrality" or area_name is None or area_name in kept or level == "centrality":
            continue
        elif name == area_name:
            area = frame[name]
            counts = area.value_counts()
            records = int(_small_areas(area, k).sum())
            out.append(Action(name, "blanked", Msg("geo_blanked", level=Msg(f"level_{level}"), k=k,
                                                   areas=int((counts < k).sum()), records=_count(records, k))))
        else:
            out.append(Action(name, "blanked", Msg("geo_blanked_with", level=Msg(f"level_{level}"), area=area_name)))
    return out


def _ordered_columns(frame: pd.DataFrame, instrument: Instrument) -> list[str]:
    """id, questions in interview order, derived variables, the weight, then anything kept."""
    first = [instrument.id_variable, *instrument.names, *(d.name for d in instrument.derived), WEIGHT_COLUMN]
    ordered = [c for c in first if c in frame.columns]
    return ordered + [c for c in frame.columns if c not in ordered]


__all__ = [
    "Action", "DisclosureReport", "DisclosureRules", "FIELD_LEVEL", "GEOGRAPHY", "GEOGRAPHY_LEVELS", "KAnonymity",
    "KEY_ROLES", "Merge", "Recode", "RecodeStep", "rules_for",
    "k_anonymity", "keepable", "local_suppression", "protect",
]

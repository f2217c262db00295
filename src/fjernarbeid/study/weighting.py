"""A study's weighting as data: method, variables, targets and a rule for unknown values.

The study file says (``weighting:``)::

    weighting:
      method: poststratify        # poststratify | rake | linear | logit | none
      variables: [sex, age_group] # questions or derived variables, or roles (sex, age_group, municipality …)
      targets: targets.csv        # a CSV (variable,category,target[,label]) beside the study file …
      # targets: {source: ssb-norway-sex-age, year: 2025}   # … or a built-in source
      unknown: error              # error | exclude | own_category | impute
      bounds: [0.3, 3.0]          # g-weight bounds for logit (and, if given, linear) calibration

**Categories are matched by meaning, never by position.** A target category matches a code of
the weighting variable when it equals one of the code's labels (any language, case and spaces
ignored), when it is a range (``25-34``, ``67+``) that contains the range of an age-group bin, or
when it is the code itself. For a variable without codes (``age``, a number) the target ranges
form the groups. A target no code matches, a code two targets match, or respondents outside every
target range (an age table that does not cover the sample) are errors naming the variable and the
categories. For a built-in source the study's own categories are summed from single years of age
(an age group's range limited to the study's declared ages, so the oldest group "55-60" counts ages
55-60 even when its bin admits a birth-year 61), and sex codes are matched by their labels
(Mann/Kvinne, Man/Woman, Gut/Jente …).

**Unknown values** (a missing answer, a "don't know" code, a code no target matches):
``error`` lists the rows; ``exclude`` leaves those respondents out of the weighted analysis and
counts them; ``own_category`` weights them as a category of their own that keeps their share of
the sample; ``impute`` puts them in the variable's largest population category. The methods text
says which rule was applied to how many.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

from fjernarbeid._lazy import lazy_module
from fjernarbeid.errors import ComputationError, DataValidationError, InputFileError, InstrumentError
from fjernarbeid.study.targets import SOURCES, TargetRow, citation, read_targets_csv, source_population

# imported on first use: reading a study needs neither (fjernarbeid/_lazy.py)
np = lazy_module("numpy")
pd = lazy_module("pandas")

# auto: post-stratify on cell targets (or one variable), rake on margins of several variables
METHODS = ("poststratify", "rake", "linear", "logit", "none", "auto")
UNKNOWN_RULES = ("error", "exclude", "own_category", "impute")
UNKNOWN_CATEGORY = "unknown"
# The weighting column of a variable whose categories are not its codes (or that has respondents
# without one): the variable's name with this suffix. Tables show the variable itself.
GROUPS_SUFFIX = " (weighting groups)"


def weighted_variable(column: str) -> str:
    """The variable a weighting column stands for: 'kjonn (weighting groups)' → 'kjonn'."""
    column = str(column)
    return column[: -len(GROUPS_SUFFIX)] if column.endswith(GROUPS_SUFFIX) else column
# Labels that mean male / female in the languages a questionnaire may use.
_SEX_WORDS = {
    "male": {"mann", "menn", "man", "men", "male", "gut", "gutt", "gutar", "gutter", "boy", "boys", "m", "herre"},
    "female": {"kvinne", "kvinner", "kvinna", "woman", "women", "female", "jente", "jenter", "jenta", "girl",
               "girls", "k", "f", "dame"},
}
_RANGE = re.compile(r"^\s*(\d+)?\s*(?:-|–|—|to|til)\s*(\d+)?\s*(?:år|years?|y)?\.?\s*$|^\s*(\d+)\s*\+\s*(?:år|years?)?\s*$"
                    r"|^\s*(\d+)\s*(?:år|years?)?\s*(?:og eldre|eller eldre|and older|or older)\s*$")


@dataclass(frozen=True)
class WeightingSpec:
    """How a study is weighted (module docstring). ``targets_file`` or ``source`` gives the targets."""

    method: str = "poststratify"
    variables: tuple[str, ...] = ()
    targets_file: Path | None = None
    source: str | None = None
    year: int | None = None
    unknown: str = "error"
    bounds: tuple[float, float] | None = None

    @classmethod
    def from_dict(cls, raw: Any, root: Path | None, where: str) -> "WeightingSpec":
        if raw is None:
            return cls(method="none")
        if not isinstance(raw, dict):
            raise InstrumentError(f"{where}: weighting must be a mapping (method, variables, targets, unknown)")
        method = str(raw.get("method", "poststratify"))
        if method not in METHODS:
            raise InstrumentError(f"{where}: weighting method {method!r} is not one of {', '.join(METHODS)}")
        unknown = str(raw.get("unknown", "error"))
        if unknown not in UNKNOWN_RULES:
            raise InstrumentError(f"{where}: weighting unknown: {unknown!r} is not one of {', '.join(UNKNOWN_RULES)}")
        variables = raw.get("variables") or []
        if isinstance(variables, str):
            variables = [v for v in re.split(r"[\s,×*]+", variables) if v]
        targets = raw.get("targets")
        targets_file = source = year = None
        if isinstance(targets, dict):
            source = str(targets.get("source", ""))
            if source not in SOURCES:
                raise InstrumentError(f"{where}: weighting source {source!r} is not one of {', '.join(SOURCES)}")
            year = int(targets["year"]) if targets.get("year") is not None else None
        elif isinstance(targets, str):
            targets_file = (root / targets) if root is not None else Path(targets)
            if raw.get("age_reference_year") is not None:  # age = this year − birth year, for a form without age
                year = int(raw["age_reference_year"])
        elif method != "none":
            raise InstrumentError(f"{where}: weighting needs targets: a CSV file (targets: targets.csv) or a "
                                  f"built-in source (targets: {{source: {SOURCES[0]}, year: 2025}})")
        bounds = raw.get("bounds")
        if bounds is not None:
            bounds = (float(bounds[0]), float(bounds[1]))
        if method == "logit" and bounds is None:
            raise InstrumentError(f"{where}: logit calibration needs bounds, e.g. bounds: [0.3, 3.0]")
        return cls(method, tuple(str(v) for v in variables), targets_file, source, year, unknown, bounds)

    def with_targets_file(self, path: Path) -> "WeightingSpec":
        """The same weighting with targets from ``path`` (``--targets``); its variables come from the file,
        and post-stratification of margins-only targets becomes raking."""
        return replace(self, targets_file=Path(path), source=None, variables=(),
                       method="poststratify" if self.method == "none" else self.method)


@dataclass
class Category:
    key: Any  # the value in the weighting column
    label: str
    target: float


@dataclass
class _Variable:
    name: str  # the data's variable
    column: str  # the weighting column (the variable itself when its codes are the categories)
    values: pd.Series  # per row: the category key, NaN = unknown
    categories: list[Category] = field(default_factory=list)


@dataclass
class StudyWeighting:
    """The weighting done: the design (with its calibration), the rows weighted, the report and a
    description of what was done (for the methods text)."""

    design: Any
    weights: pd.Series
    report: Any
    frame: pd.DataFrame  # the rows weighted, with any weighting columns added
    spec: WeightingSpec
    variables: list[str]
    targets_text: dict[str, str]  # by language: where the targets came from
    unknown_count: int = 0
    total: float | None = None
    kept: np.ndarray | None = None  # rows of the input weighted (all but those the rule excluded)

    def describe(self, instrument, lang: str) -> str:
        return describe(self, instrument, lang)


# -- matching -----------------------------------------------------------------------------------------


def _norm(text: Any) -> str:
    # NFC: a decomposed 'Å' (A + combining ring) is the composed 'Å'
    return " ".join(unicodedata.normalize("NFC", str(text)).replace("–", "-").replace("—", "-").lower().split())


def parse_range(text: str) -> tuple[float, float] | None:
    """'25-34' → (25, 34); '67+' → (67, inf); '-24' → (-inf, 24); '25-29 år' → (25, 29); else None."""
    m = _RANGE.match(str(text))
    if not m:
        return None
    if m.group(3):
        return float(m.group(3)), float("inf")
    if m.group(4):
        return float(m.group(4)), float("inf")
    lo, hi = m.group(1), m.group(2)
    if lo is None and hi is None:
        return None
    return float(lo) if lo else float("-inf"), float(hi) if hi else float("inf")


AGE = "age"  # computed from the birth year when the questionnaire defines no age (an XLSForm)


def _resolve(name: str, instrument) -> str:
    """A weighting variable: a question or derived variable, or a role ('sex', 'age_group' …);
    ``age`` without an age variable is the reference year minus the birth year (:func:`_with_age`)."""
    if name.startswith("role:"):
        return instrument.role(name[5:])
    if instrument.has_variable(name):
        return name
    if instrument.has_role(name):
        return instrument.role(name)
    if name == AGE and instrument.has_role("birth_year"):
        return AGE
    hint = ""
    for i in (i for i, ch in enumerate(name) if ch in "xX"):  # 'skolexkjonn': the cross typed with the letter x
        left, right = name[:i].strip(), name[i + 1:].strip()
        if left and right and all(instrument.has_variable(v) or instrument.has_role(v) for v in (left, right)):
            hint = f"; a cross of {left} and {right} is written {left}×{right} (or {left}*{right})"
            break
    raise InstrumentError(f"weighting variable {name!r} is neither a question, a derived variable nor a role of "
                          f"the questionnaire {instrument.id}{hint}")


def _codes_of(variable: str, instrument) -> list[tuple[int, list[str], tuple[float, float] | None, bool]]:
    """(code, labels in every language, bin range or None, is a 'don't know' code) of a coded variable."""
    if variable in instrument:
        q = instrument[variable]
        # an XLSForm's text choice name ('bomlo', 'vet_ikke') names its category as well as a label does
        return [(c.code, list(c.labels.values()) + ([c.name] if c.name else []), None, c.missing) for c in q.codes]
    d = instrument.derived_variable(variable)
    if d.bins:
        lo_age, hi_age = instrument.min_age, instrument.max_age
        out = []
        for b in d.bins:
            lo, hi = b.min, b.max
            if d.source and _is_age(d.source, instrument) and lo_age is not None and hi_age is not None:
                lo, hi = max(lo, lo_age), min(hi, hi_age)  # a bin never counts people outside the study's ages
            out.append((b.code, list(b.labels.values()), (float(lo), float(hi)), False))
        return out
    return [(c.code, list(c.labels.values()), None, c.missing) for c in d.codes]


def _is_age(variable: str, instrument) -> bool:
    if variable == AGE and not instrument.has_variable(AGE):
        return True
    if instrument.has_role("age") and instrument.role("age") == variable:
        return True
    return any(d.name == variable and d.kind == "age" for d in instrument.derived)


def _is_coded(variable: str, instrument) -> bool:
    if variable in instrument:
        return bool(instrument[variable].codes)
    try:
        d = instrument.derived_variable(variable)
    except KeyError:
        return False
    return bool(d.bins or d.codes)


def _match_code(category: str, codes) -> list[int]:
    """The codes a target category means: by label, then by range, then by the code itself."""
    want = _norm(category)
    by_label = [code for code, labels, _, _ in codes if any(_norm(label) == want for label in labels)]
    if by_label:
        return by_label
    rng = parse_range(category)
    if rng is not None and any(r is not None for _, _, r, _ in codes):
        return [code for code, _, r, _ in codes if r is not None and rng[0] <= r[0] and r[1] <= rng[1]]
    if re.fullmatch(r"-?\d+", category.strip()):
        return [code for code, *_ in codes if code == int(category)]
    return []


def _group_codes(variable: str, rows: list[TargetRow | tuple[str, float]], instrument, frame: pd.DataFrame,
                 unknown_rule: str, where=None) -> _Variable:
    """Match the target categories of one variable to its codes (or, for a number, to ranges of it)."""
    targets = [(r.categories[0], r.target, r.label, r.line) if isinstance(r, TargetRow) else (r[0], r[1], "", 0)
               for r in rows]
    if variable not in frame.columns:
        raise DataValidationError(f"weighting needs the column {variable!r}, which the data do not have")
    raw = frame[variable]
    own = [t for t in targets if unknown_rule == "own_category" and _norm(t[0]) in _UNKNOWN_WORDS]
    targets = [t for t in targets if t not in own]
    if _is_coded(variable, instrument):
        codes = _codes_of(variable, instrument)
        code_of: dict[int, int] = {}
        for i, (category, _, _, line) in enumerate(targets):
            found = _match_code(category, codes)
            where = f" (targets line {line})" if line else ""
            if not found:
                listing = "; ".join(f"{c} = {labels[0] if labels else ''}" + (f" ({int(r[0])}-{int(r[1])})" if r else "")
                                    for c, labels, r, _ in codes)
                raise ComputationError(f"weighting target {variable} = {category!r}{where} matches no category of "
                                       f"{variable} ({listing}); categories are matched by label, choice name, range or code")
            for code in found:
                if code in code_of:
                    raise ComputationError(f"weighting targets {targets[code_of[code]][0]!r} and {category!r} of "
                                           f"{variable} both match its code {code}")
                code_of[code] = i
        x = pd.to_numeric(raw, errors="coerce")
        if unknown_rule != "own_category":
            _refuse_uncovered(variable, x, codes, code_of)
        one_to_one = all(sum(1 for v in code_of.values() if v == i) == 1 for i in range(len(targets)))
        if one_to_one:  # the variable's own codes are the categories (as the report's tables show them)
            inverse = {i: c for c, i in code_of.items()}
            values = x.where(x.isin(list(code_of)))
            cats = [Category(inverse[i], cat, target) for i, (cat, target, _, _) in enumerate(targets)]
            return _Variable(variable, variable, values, cats)
        values = x.map(lambda v: targets[code_of[int(v)]][0] if v == v and int(v) in code_of else np.nan)
        cats = [Category(cat, cat, target) for cat, target, _, _ in targets]
        return _Variable(variable, f"{variable}{GROUPS_SUFFIX}", values, cats)
    # a number (age, household size): the target ranges are the groups
    ranges = []
    for category, target, _, line in targets:
        rng = parse_range(category)
        if rng is None:
            raise ComputationError(f"weighting target {variable} = {category!r}{f' (targets line {line})' if line else ''}: "
                                   f"{variable} is a number, so its targets must be ranges such as 25-34 or 67+")
        ranges.append(rng)
    order = sorted(range(len(ranges)), key=lambda i: ranges[i])
    for a, b in zip(order, order[1:]):
        if ranges[b][0] <= ranges[a][1]:
            raise ComputationError(f"weighting targets {targets[a][0]!r} and {targets[b][0]!r} of {variable} overlap")
    x = pd.to_numeric(raw, errors="coerce")
    values = pd.Series(np.nan, index=raw.index, dtype=object)
    for (category, *_), (lo, hi) in zip(targets, ranges):
        values[(x >= lo) & (x <= hi)] = category
    outside = x.notna() & values.isna()
    if outside.any():
        lo = min(r[0] for r in ranges)
        hi = max(r[1] for r in ranges)
        span = f"{_fmt(lo)}–{_fmt(hi)}"
        rows = where(outside.to_numpy()) if where is not None else f"rows {_rows(outside)}"
        raise ComputationError(f"the weighting targets for {variable} cover {span}, but {int(outside.sum())} "
                               f"respondent(s) have {variable} outside it ({int(x[outside].min())}–{int(x[outside].max())}; "
                               f"{rows}): the target table must cover the sample")
    cats = [Category(cat, cat, target) for cat, target, _, _ in targets]
    return _Variable(variable, f"{variable}{GROUPS_SUFFIX}", values, cats)


def _refuse_uncovered(variable: str, x: pd.Series, codes, code_of: dict[int, int]) -> None:
    """A valid answer (a code that is not "don't know") whose category has no target is a gap in the
    target table, not an unknown value: excluding or imputing those respondents would silently drop
    or move valid answers. Only ``unknown: own_category`` keeps such categories, by the study's choice."""
    gaps = [(code, labels[0] if labels else str(code)) for code, labels, _, missing in codes
            if not missing and code not in code_of and bool((x == code).any())]
    if not gaps:
        return
    listing = ", ".join(f"{label} ({int((x == code).sum())} respondent(s))" for code, label in gaps)
    raise ComputationError(f"the weighting targets have no category for {variable} = {listing}, which the sample "
                           f"has: add a target for {'it' if len(gaps) == 1 else 'each'} to the targets file (the "
                           "rule for unknown values, weighting: unknown, concerns missing and \"don't know\" "
                           "answers, not categories the targets leave out)")


def code_labels(variable: str, values, instrument) -> str:
    """``values`` of a coded ``variable`` by their labels ("Vil ikkje svare"), a value that is no code as it is."""
    try:
        labels = {code: (names[0] if names else str(code)) for code, names, _, _ in _codes_of(variable, instrument)}
    except KeyError:
        labels = {}

    def text(v) -> str:
        number = pd.to_numeric(pd.Series([v]), errors="coerce").iloc[0]
        if number == number and float(number).is_integer() and int(number) in labels:
            return labels[int(number)]
        return str(v)

    return ", ".join(sorted({text(v) for v in values}))


_UNKNOWN_WORDS = {"unknown", "ukjent", "ukjend", "missing", "mangler", "vet ikke", "veit ikkje", "don't know"}


def _fmt(v: float) -> str:
    return "" if v in (float("inf"), float("-inf")) else str(int(v))


def _rows(mask: pd.Series, limit: int = 10) -> str:
    rows = [int(i) + 1 for i in np.flatnonzero(np.asarray(mask, dtype=bool))]
    text = ", ".join(map(str, rows[:limit]))
    return text + (f" … ({len(rows)} in all)" if len(rows) > limit else "")


# -- targets from a built-in source --------------------------------------------------------------------


def _dimension(variable: str, instrument) -> str | None:
    for role, dim in (("sex", "sex"), ("age_group", "age"), ("age", "age"), ("municipality", "municipality")):
        if instrument.has_role(role) and instrument.role(role) == variable:
            return dim
    try:
        d = instrument.derived_variable(variable)
    except KeyError:
        return None
    if d.kind == "bins" and d.source and _is_age(d.source, instrument):
        return "age"
    if d.kind == "postal_lookup" and d.field == "municipality_code":
        return "municipality"
    return None


def _source_rows(spec: WeightingSpec, variables: list[str], instrument, refdata) -> tuple[list, int]:
    """Cell targets (one row per combination of the variables' categories) summed from the source."""
    year = spec.year or (instrument.fieldwork_start.year if instrument.fieldwork_start else None)
    if year is None:
        raise InstrumentError("the weighting source needs a year (targets: {source: …, year: 2025}) or fieldwork dates")
    dims = {v: _dimension(v, instrument) for v in variables}
    unknown = [v for v, d in dims.items() if d is None]
    if unknown:
        raise InstrumentError(f"the population source {spec.source} has sex, age and municipality; weighting "
                              f"variable(s) {', '.join(unknown)} are none of these by their roles: declare the role "
                              "or give the targets in a CSV file (--targets)")
    if spec.source == "ssb-norway-sex-age" and "municipality" in dims.values():
        raise InstrumentError(f"the population source {spec.source} has no municipalities; use ssb-municipality-sex-age")
    municipality_codes = None
    pop = None
    per_var: dict[str, list[tuple[str, Any]]] = {}  # variable → [(category text, selector)]
    for v, dim in dims.items():
        codes = _codes_of(v, instrument) if _is_coded(v, instrument) else []
        if dim == "sex":
            cats = []
            for code, labels, _, missing in codes:
                sexes = {s for s, words in _SEX_WORDS.items() for label in labels if _norm(label) in words}
                if len(sexes) == 1 and not missing:
                    cats.append((str(code), ("sex", sexes.pop())))
            if {s for _, (_, s) in cats} != {"male", "female"}:
                raise InstrumentError(f"the sex variable {v} needs one code labelled as men (Mann/Man/Gut …) and one "
                                      "as women (Kvinne/Woman/Jente …) to use a population source")
            per_var[v] = cats
        elif dim == "age":
            if not codes:
                raise InstrumentError(f"weighting by {v} from a population source needs age groups: weight by a "
                                      "derived age-group variable (kind: bins)")
            per_var[v] = [(str(code), ("age", r)) for code, labels, r, _ in codes]
        else:
            if codes:
                per_var[v] = [(str(code), ("municipality", [_norm(x) for x in labels] + [str(code)]))
                              for code, labels, _, missing in codes if not missing]
            else:
                raise InstrumentError(f"weighting by {v} from a population source needs its municipalities as "
                                      "codes with the municipalities' names or numbers as labels")
            municipality_codes = [s for _, (_, names) in per_var[v] for s in names]
    pop = source_population(spec.source, year, refdata, municipality_codes)
    if (dims_age := [v for v, d in dims.items() if d == "age"]):
        lo, hi = int(pop["age"].min()), int(pop["age"].max())
        for v in dims_age:
            for category, (_, (a, b)) in per_var[v]:
                if a < lo or b > hi:
                    raise ComputationError(f"the population source {spec.source} covers ages {lo}–{hi}, but the "
                                           f"weighting group {v} = {category} spans {int(a)}–{int(b)}: give the "
                                           "targets in a CSV file (--targets)")

    def select(selector) -> pd.Series:
        kind, value = selector
        if kind == "sex":
            return pop["sex"] == value
        if kind == "age":
            return pop["age"].between(value[0], value[1])
        names = set(value)
        hit = pop["municipality"].astype(str).isin(names) | pop["municipality_name"].map(_norm).isin(names)
        return hit

    if "municipality" in dims.values():
        mv = next(v for v, d in dims.items() if d == "municipality")
        for category, selector in per_var[mv]:
            if not select(selector).any():
                raise ComputationError(f"the population source {spec.source} has no municipality matching "
                                       f"{mv} = {category}")
    else:
        pass
    rows = []
    import itertools

    for combo in itertools.product(*(per_var[v] for v in variables)):
        mask = np.ones(len(pop), dtype=bool)
        for _, selector in combo:
            mask &= select(selector).to_numpy()
        rows.append(TargetRow(tuple(variables), tuple(c for c, _ in combo), float(pop.loc[mask, "population"].sum())))
    return rows, year


# -- the weighting --------------------------------------------------------------------------------------


def weight(frame: pd.DataFrame, instrument, spec: WeightingSpec, refdata=None, where=None) -> StudyWeighting:
    """Weight ``frame`` (answers with derived variables) as ``spec`` says (module docstring).

    ``where(mask)`` names rows in messages ('line 6 (id 1005)'); by default row numbers."""
    from fjernarbeid.survey.design import svydesign
    from fjernarbeid.survey.weighting import WeightReport, calibrate, poststratify, rake

    frame = frame.reset_index(drop=True)
    if spec.method == "none":
        design = svydesign(frame)
        return StudyWeighting(design, pd.Series(design.weights, index=frame.index, name="weight"),
                              WeightReport.from_design(design), frame, spec, [], {}, kept=np.ones(len(frame), bool))
    if spec.targets_file is not None:
        rows = read_targets_csv(spec.targets_file)
        names = list(dict.fromkeys(v for r in rows for v in r.variables))
        variables = [_resolve(v, instrument) for v in (spec.variables or names)]
        rename = {v: _resolve(v, instrument) for v in names}
        rows = [replace(r, variables=tuple(rename[v] for v in r.variables)) for r in rows]
        stray = sorted({v for r in rows for v in r.variables} - set(variables))
        if stray:
            raise InputFileError(f"{spec.targets_file}: targets for {', '.join(stray)}, which the study does not "
                                 f"weight by ({', '.join(variables)})")
        source_text = {lang: str(spec.targets_file.name) for lang in ("nb", "nn", "en")}
        year = None
    else:
        variables = [_resolve(v, instrument) for v in spec.variables]
        if not variables:
            raise InstrumentError("the weighting names no variables (weighting: variables: [...])")
        rows, year = _source_rows(spec, variables, instrument, refdata)
        source_text = {lang: citation(spec.source, year, lang) for lang in ("nb", "nn", "en")}
    if AGE in variables and not instrument.has_variable(AGE) and AGE not in frame.columns:
        frame = _with_age(frame, instrument, spec.year)
    frame = _with_derived(frame, instrument, variables)
    cells = [r for r in rows if len(r.variables) > 1]
    margins = [r for r in rows if len(r.variables) == 1]
    method = spec.method
    if method == "auto":
        method = "poststratify" if cells or len(variables) == 1 else "rake"
        spec = replace(spec, method=method)
    if method == "poststratify" and len(variables) > 1 and not cells:
        raise ComputationError(f"post-stratification on {' × '.join(variables)} needs a target for every cell "
                               f"(variable {'×'.join(variables)}, category a|b); with targets per variable use "
                               "raking (method: rake, or --weighting rake)")
    if cells and method != "poststratify":  # margins of the cell targets
        margins = []
        for i, v in enumerate(variables):
            sums: dict[str, float] = {}
            for r in cells:
                sums[r.categories[i]] = sums.get(r.categories[i], 0.0) + r.target
            margins += [TargetRow((v,), (c,), t) for c, t in sums.items()]
    # match each variable's categories
    matched: dict[str, _Variable] = {}
    for i, v in enumerate(variables):
        if cells and method == "poststratify":
            seen = list(dict.fromkeys(r.categories[i] for r in cells))
            mine = [(c, 0.0) for c in seen]
        else:
            mine = [r for r in margins if r.variables == (v,)]
            if not mine:
                raise ComputationError(f"the weighting targets have no categories for {v}")
        matched[v] = _group_codes(v, mine, instrument, frame, spec.unknown, where)
    unknown = np.zeros(len(frame), dtype=bool)
    for var in matched.values():
        unknown |= var.values.isna().to_numpy()
    n_unknown = int(unknown.sum())
    if n_unknown and spec.unknown == "error":
        place = where or (lambda mask: f"rows {_rows(pd.Series(mask))}")
        parts = []
        for v, m in matched.items():
            bad = m.values.isna().to_numpy()
            if not bad.any():
                continue
            absent = frame[v].isna().to_numpy()
            if (bad & absent).any():
                parts.append(f"{v} is missing at {place(bad & absent)}")
            if (bad & ~absent).any():
                values = code_labels(v, frame[v][bad & ~absent], instrument)
                parts.append(f"{v} has values without a weighting target ({values}) at {place(bad & ~absent)}")
        raise DataValidationError("; ".join(parts) + "; such respondents cannot be weighted. Declare a rule in the "
                                  "study file (weighting: unknown: exclude | own_category | impute)")
    for v, var in matched.items():
        if var.column == var.name and var.values.isna().any():
            # respondents without a category: weight on a column of its own, the answers stay as given
            var.column = f"{var.name}{GROUPS_SUFFIX}"
        frame[var.column] = var.values
    kept = np.ones(len(frame), dtype=bool)
    if n_unknown and spec.unknown == "exclude":
        kept = ~unknown
        frame = frame[kept].reset_index(drop=True)
    elif n_unknown and spec.unknown == "impute":
        for v, var in matched.items():
            if var.values.isna().any():
                if cells and method == "poststratify":
                    key_index = variables.index(v)
                    totals: dict[str, float] = {}
                    for r in cells:
                        totals[r.categories[key_index]] = totals.get(r.categories[key_index], 0) + r.target
                    best = max(totals, key=totals.get)
                else:
                    best = max((r for r in margins if r.variables == (v,)), key=lambda r: r.target).categories[0]
                key = next((c.key for c in var.categories if c.label == best), best)
                frame[var.column] = frame[var.column].where(frame[var.column].notna(), key)
    elif n_unknown and spec.unknown == "own_category":
        for v, var in matched.items():
            frame[var.column] = frame[var.column].astype(object).where(frame[var.column].notna(), UNKNOWN_CATEGORY)
    columns = [matched[v].column for v in variables]
    label_to_key = {v: {c.label: c.key for c in matched[v].categories} for v in variables}

    def key(v: str, category: str):
        return label_to_key[v].get(category, category)

    design = svydesign(frame)
    n_all = len(frame)
    if method == "poststratify":
        if cells:
            table_rows = [[key(v, c) for v, c in zip(variables, r.categories)] + [r.target] for r in cells]
        else:
            table_rows = [[key(variables[0], r.categories[0]), r.target] for r in margins]
        table = pd.DataFrame(table_rows, columns=[*columns, "population"])
        if spec.unknown == "own_category" and n_unknown:
            table = _own_cells(frame, columns, table, n_all)
        table = table.groupby(columns, sort=False, as_index=False)["population"].sum()
        _refuse_cells_without_target(frame, variables, columns, table, instrument, spec, where)
        try:
            weighted = poststratify(design, columns, table, column="population")
        except ComputationError as exc:
            codes = instrument.value_labels("en")
            legend = "; ".join(f"{v}: " + ", ".join(f"{c} = {label}" for c, label in codes[v].items())
                               for v in columns if v in codes)
            raise ComputationError(f"{exc}" + (f" (codes — {legend})" if legend else "") + ". Raking "
                                   "(method='rake' in the study file; on the command line `--weighting rake`) "
                                   "needs only the margins") from None
        total = float(table["population"].sum())
    else:
        population = {}
        for v, col in zip(variables, columns):
            series = pd.Series({key(v, r.categories[0]): r.target for r in margins if r.variables == (v,)})
            series = series.groupby(level=0).sum()
            if spec.unknown == "own_category" and (frame[col] == UNKNOWN_CATEGORY).any():
                # the unknown keep their share of the sample; the known categories share the rest,
                # so every margin still sums to the targets' total
                share = float((frame[col] == UNKNOWN_CATEGORY).mean())
                total_v = float(series.sum())
                series = series * (1 - share)
                series[UNKNOWN_CATEGORY] = total_v * share
            population[col] = series
        total = float(next(iter(population.values())).sum())
        if method == "rake":
            weighted = rake(design, population)
        else:
            lo, hi = spec.bounds or (-np.inf, np.inf)
            weighted = calibrate(design, population, calfun=method, bounds=(lo, hi))
    weights = pd.Series(weighted.weights, index=frame.index, name="weight")
    return StudyWeighting(weighted, weights, WeightReport.from_design(weighted), frame, spec, variables, source_text,
                          n_unknown, total, kept)


def _refuse_cells_without_target(frame: pd.DataFrame, variables: list[str], columns: list[str], table: pd.DataFrame,
                                 instrument, spec: WeightingSpec, where) -> None:
    """A cell of the sample the post-stratification targets leave out (or give 0): an error naming the cell by
    its labels and its respondents by the lines of the file."""
    coded = [c == v for v, c in zip(variables, columns)]  # a code of the question; else a category of the targets
    given = table[table["population"] > 0]
    known = pd.MultiIndex.from_frame(pd.DataFrame({c: _cell_keys(given[c], k) for c, k in zip(columns, coded)}))
    # each distinct cell of the sample is judged once, on its first row (the keys are made cell by cell:
    # 300,000 rows have a few dozen cells)
    cell, firsts = _distinct_rows(frame, columns)
    sample = frame.iloc[firsts]
    data = pd.DataFrame({c: _cell_keys(sample[c], k) for c, k in zip(columns, coded)})
    missing = (~pd.MultiIndex.from_frame(data).isin(known) & data.notna().all(axis=1).to_numpy())
    if not missing.any():
        return
    missing = missing[cell]
    data = pd.DataFrame({c: _cell_keys(frame[c], k) for c, k in zip(columns, coded)})
    first = int(np.flatnonzero(missing)[0])
    mask = (data == data.iloc[first]).all(axis=1).to_numpy()
    shown = ", ".join(code_labels(v, [frame[c].iloc[first]], instrument) if k else str(frame[c].iloc[first])
                      for v, c, k in zip(variables, columns, coded))
    place = where(mask) if where is not None else f"rows {_rows(pd.Series(mask))}"
    source = f" to {spec.targets_file.name}" if spec.targets_file is not None else ""
    raise ComputationError(
        f"post-stratification on {' × '.join(variables)}: the cell {shown} has {int(mask.sum())} respondent(s) "
        f"({place}) but no population target (or a target of 0); add its target{source}, or recode the "
        "category. Raking (method: rake in the study file; on the command line --weighting rake) needs only "
        "the margins")


def _distinct_rows(frame: pd.DataFrame, columns: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(each row's number among the distinct rows of ``frame[columns]``, the position of each distinct row's
    first occurrence), distinct rows numbered in the order they first occur; missing values are alike."""
    cell = np.zeros(len(frame), dtype=np.int64)
    for c in columns:
        codes, uniques = pd.factorize(frame[c], use_na_sentinel=False)
        cell, _ = pd.factorize(cell * len(uniques) + codes)  # numbered anew: no overflow with many columns
    if not len(cell):
        return cell, cell
    # numbered in order of first occurrence: a row is a cell's first where the running maximum grows
    seen = np.maximum.accumulate(cell)
    firsts = np.flatnonzero(np.concatenate(([True], seen[1:] > seen[:-1])))
    return cell, firsts


def _cell_keys(values: pd.Series, coded: bool) -> pd.Series:
    """A weighting cell's values as comparable text, from the data or the targets alike: a code 2 or 2.0 is
    '2'; a category of the targets ('60+', or the unknown's own) as written."""
    values = values.reset_index(drop=True)
    text = values.astype("string")
    if not coded:
        return text
    numbers = pd.to_numeric(values, errors="coerce")
    whole = numbers.notna() & (numbers % 1 == 0)
    return numbers.where(whole).astype("Int64").astype("string").fillna(text)


def _own_cells(frame: pd.DataFrame, columns: list[str], table: pd.DataFrame, n_all: int) -> pd.DataFrame:
    """Cells that contain an unknown value keep their share of the sample (own-category rule); the
    known cells share the rest, so the weights still sum to the targets' total."""
    present = frame[columns].drop_duplicates()
    unknown_cells = present[(present == UNKNOWN_CATEGORY).any(axis=1)]
    total = float(table["population"].sum())
    counts = frame.groupby(columns, sort=False).size()
    sizes = [int(counts[tuple(cell)] if len(columns) > 1 else counts[cell[0]]) for cell in unknown_cells.values]
    share = sum(sizes) / n_all
    known = table.assign(population=table["population"] * (1 - share))
    extra = [[*cell, total * n / n_all] for cell, n in zip(unknown_cells.values, sizes)]
    return pd.concat([known, pd.DataFrame(extra, columns=table.columns)], ignore_index=True)


def _with_age(frame: pd.DataFrame, instrument, year: int | None) -> pd.DataFrame:
    """``age`` = reference year − birth year (the report's convention), for a questionnaire without
    an age variable; the year is the study's age reference year, else the fieldwork's, else the targets'."""
    year = instrument.age_reference_year or (instrument.fieldwork_start.year if instrument.fieldwork_start else year)
    if year is None:
        raise InstrumentError("weighting by age needs a reference year to compute ages from birth years: in a YAML "
                              "questionnaire target_population: age_reference_year (or fieldwork dates); in an "
                              "XLSForm a sheet fj_instrument with the rows key,value and age_reference_year,YEAR "
                              "(or fieldwork_start,YYYY-MM-DD); or a built-in target source with its year")
    birth = pd.to_numeric(frame[instrument.role("birth_year")], errors="coerce")
    return frame.assign(**{AGE: year - birth})


def _with_derived(frame: pd.DataFrame, instrument, variables: list[str]) -> pd.DataFrame:
    """Derive weighting variables (an age group from the birth year) the frame lacks."""
    lacking = [v for v in variables if v not in frame.columns]
    if not lacking:
        return frame
    from fjernarbeid.data.derive import derive

    needed: set[str] = set()
    todo = list(lacking)
    while todo:
        name = todo.pop()
        needed.add(name)
        for d in instrument.derived:
            if d.name == name:
                deps = ({d.source} if d.source else set()) | (set(d.expr.variables) if d.expr else set())
                todo += [x for x in deps if x not in needed and any(e.name == x for e in instrument.derived)]
    only = replace(instrument, derived=tuple(d for d in instrument.derived if d.name in needed))
    out = derive(frame, only)
    missing = [v for v in variables if v not in out.columns]
    if missing:
        raise DataValidationError(f"weighting needs the column(s) {', '.join(missing)}, which the data do not have")
    return out


# -- the methods text -------------------------------------------------------------------------------------

_TEXT = {
    "none": {"nb": "Dataene er ikke vektet: alle respondenter teller likt.",
             "nn": "Dataa er ikkje vekta: alle respondentane tel likt.",
             "en": "The data are not weighted: every respondent counts the same."},
    "poststratify": {"nb": "Dataene er poststratifisert etter {variables} til {source}",
                     "nn": "Dataa er poststratifiserte etter {variables} til {source}",
                     "en": "The data are post-stratified by {variables} to {source}"},
    "rake": {"nb": "Dataene er vektet med raking (iterativ proporsjonal tilpasning) til marginene for {variables} fra {source}",
             "nn": "Dataa er vekta med raking (iterativ proporsjonal tilpassing) til marginane for {variables} frå {source}",
             "en": "The data are raked (iterative proportional fitting) to the margins of {variables} from {source}"},
    "linear": {"nb": "Dataene er kalibrert (lineær GREG-kalibrering) til totalene for {variables} fra {source}",
               "nn": "Dataa er kalibrerte (lineær GREG-kalibrering) til totalane for {variables} frå {source}",
               "en": "The data are calibrated (linear GREG calibration) to the totals of {variables} from {source}"},
    "logit": {"nb": "Dataene er kalibrert (logit-kalibrering med grenser {bounds}) til totalene for {variables} fra {source}",
              "nn": "Dataa er kalibrerte (logit-kalibrering med grenser {bounds}) til totalane for {variables} frå {source}",
              "en": "The data are calibrated (logit calibration with bounds {bounds}) to the totals of {variables} from {source}"},
    "file": {"nb": "målene i filen {name}", "nn": "måla i fila {name}", "en": "the targets in the file {name}"},
    "cells": {"nb": " ({n} celler)", "nn": " ({n} celler)", "en": " ({n} cells)"},
    "exclude": {"nb": " {n} respondenter uten gyldig verdi på en vektvariabel er utelatt fra analysen.",
                "nn": " {n} respondentar utan gyldig verdi på ein vektvariabel er haldne utanfor analysen.",
                "en": " {n} respondents without a valid value of a weighting variable are left out of the analysis."},
    "own_category": {"nb": " {n} respondenter uten gyldig verdi på en vektvariabel er vektet som en egen kategori som beholder sin andel av utvalget.",
                     "nn": " {n} respondentar utan gyldig verdi på ein vektvariabel er vekta som ein eigen kategori som held på sin del av utvalet.",
                     "en": " {n} respondents without a valid value of a weighting variable are weighted as a category of their own that keeps its share of the sample."},
    "impute": {"nb": " {n} respondenter uten gyldig verdi på en vektvariabel er lagt i variabelens største befolkningskategori.",
               "nn": " {n} respondentar utan gyldig verdi på ein vektvariabel er lagde i den største folketalskategorien til variabelen.",
               "en": " {n} respondents without a valid value of a weighting variable are put in the variable's largest population category."},
    "age_note": {"nb": "; alder = {year} − fødselsår", "nn": "; alder = {year} − fødselsår", "en": "; age = {year} − birth year"},
    "age": {"nb": "alder", "nn": "alder", "en": "age"},
    "and": {"nb": " og ", "nn": " og ", "en": " and "},
    "se": {"nb": " Standardfeil er beregnet med Taylor-linearisering som tar hensyn til vektingen (som R-pakken survey), konfidensintervaller for andeler med logit-metoden, og tester for krysstabeller med Rao–Scott-korreksjon.",
           "nn": " Standardfeil er rekna ut med Taylor-linearisering som tek omsyn til vektinga (som R-pakken survey), konfidensintervall for delar med logit-metoden, og testar for krysstabellar med Rao–Scott-korreksjon.",
           "en": " Standard errors use Taylor linearisation that accounts for the weighting (as R's survey package), confidence intervals for shares the logit method, and tests of cross-tables the Rao–Scott correction."},
    "se_none": {"nb": " Standardfeil er beregnet som for et enkelt tilfeldig utvalg, konfidensintervaller for andeler med logit-metoden, og tester for krysstabeller med Rao–Scott-korreksjon.",
                "nn": " Standardfeil er rekna ut som for eit enkelt tilfeldig utval, konfidensintervall for delar med logit-metoden, og testar for krysstabellar med Rao–Scott-korreksjon.",
                "en": " Standard errors are those of a simple random sample, confidence intervals for shares use the logit method, and tests of cross-tables the Rao–Scott correction."},
}


def _t(key: str, lang: str) -> str:
    texts = _TEXT[key]
    return texts.get(lang) or texts["en"]


def variable_words(name: str, lang: str) -> str:
    """A weighting variable that is no question nor derived variable, in words: the age computed from
    the birth year is "alder" / "age"; any other keeps its name."""
    return _t("age", lang) if name == AGE else name


def describe(done: StudyWeighting, instrument, lang: str) -> str:
    """The methods text: the weighting actually done, in ``lang`` (nb, nn or en)."""
    spec = done.spec
    if spec.method == "none":
        return _t("none", lang) + _t("se_none", lang)
    labels = []
    for v in done.variables:
        if v in instrument:
            labels.append(instrument[v].label(lang).rstrip("?").lower())
        else:
            try:
                labels.append(instrument.derived_variable(v).label(lang).lower())
            except KeyError:
                # the age computed from the birth year (an XLSForm has no age question): said in words
                labels.append(_t("age", lang) if v == AGE else v)
                if v == AGE and instrument.age_reference_year:
                    labels[-1] += " (" + _t("age_note", lang).format(year=instrument.age_reference_year)[2:] + ")"
        codes = _codes_of(v, instrument) if _is_coded(v, instrument) else []
        ranges = [r for _, _, r, _ in codes if r is not None]
        if ranges:
            note = (_t("age_note", lang).format(year=instrument.age_reference_year)
                    if instrument.age_reference_year and _dimension(v, instrument) == "age" else "")
            labels[-1] += " (" + ", ".join(f"{int(a)}–{int(b)}" for a, b in ranges) + note + ")"
    source = (_t("file", lang).format(name=spec.targets_file.name) if spec.targets_file is not None
              else done.targets_text.get(lang) or done.targets_text.get("en", ""))
    bounds = f"{spec.bounds[0]:g}–{spec.bounds[1]:g}" if spec.bounds else ""
    # cells of a cross for post-stratification; margins or totals, each met by itself, for the others
    joined = " × ".join(labels) if spec.method == "poststratify" else _t("and", lang).join(labels)
    text = _t(spec.method, lang).format(variables=joined, source=source, bounds=bounds)
    summary = done.report.margins
    if spec.method == "poststratify" and len(summary):
        text += _t("cells", lang).format(n=len(summary))
    text += "."
    if done.unknown_count and spec.unknown != "error":
        text += _t(spec.unknown, lang).format(n=done.unknown_count)
    return text + _t("se", lang)


__all__ = ["METHODS", "UNKNOWN_RULES", "StudyWeighting", "WeightingSpec", "describe", "parse_range", "weight"]

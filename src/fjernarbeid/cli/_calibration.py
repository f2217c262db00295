"""``tab``/``model --targets FILE`` on a file that is not the study's questionnaire data: the design the other
options describe (``--weight``/``--probs``/``--strata``/``--cluster``/``--fpc``, or equal weights), calibrated to
the population totals of the file's own columns, as R's ``postStratify``, ``rake`` and ``calibrate`` do.

The targets file is the study's format (:func:`fjernarbeid.study.targets.read_targets_csv`): one row per
category, ``variable,category,target``; every variable is a margin, a cross ``a×b`` or ``a*b`` (categories
``x|y``) a margin of cells. A category is matched to the column's values as text (both in Unicode NFC form: a decomposed 'Å'
is the composed one), and in a column of numbers as a number ("1" is 1 and 1.0). One margin is post-stratified (R's ``postStratify``, with its variance correction), several
are raked (R's ``rake`` with its defaults, ``epsilon = 1``, ``maxit = 10``); ``--weighting linear`` or ``logit``
(with ``--bounds LO,HI``) calibrate instead (R's ``calibrate(…, calfun = "linear" | "logit", bounds)``).

What R refuses is refused, naming the files, the variable, the category and the rows: a row without a value of a
calibration variable (R's ``na.fail``), a category of the data without a target (R: "Strata in sample absent
from population") and a target without data (R: "Some strata absent from sample"; a target of 0 without data
is left out, as R drops it).

The study's own files keep the study's weighting (``--study-weighting``): a targets file is calibrated on the
file's own columns only when the file is not the study's survey (:func:`own_calibration`).
"""

from __future__ import annotations

import enum
import unicodedata
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from fjernarbeid.cli._lazy import lazy_module

np = lazy_module("numpy")  # imported on first use: --help needs neither (cli/_lazy.py)
pd = lazy_module("pandas")


class CalibrationMethod(str, enum.Enum):
    """``--weighting`` of ``tab`` and ``model``: the study's methods, and logit calibration."""

    poststratify = "poststratify"
    rake = "rake"
    linear = "linear"
    logit = "logit"
    none = "none"


# R's rake(control = list(maxit = 10, epsilon = 1)): at most 10 sweeps, until no cell of the weighted table of the
# margins' variables changes by 1 or more
RAKE_EPSILON = 1.0
RAKE_MAXIT = 10


@dataclass(frozen=True)
class Margin:
    """One margin of the targets file: a variable, or a cross of variables (cells), and its rows."""

    variables: tuple[str, ...]
    rows: tuple  # TargetRow

    @property
    def name(self) -> str:
        """The margin as the output names it: 'stype', 'stype × sch.wide'."""
        return " × ".join(self.variables)


@dataclass(frozen=True)
class OwnCalibration:
    """A calibration of the file's own columns to the totals of ``targets_file``."""

    targets_file: Path
    method: str  # poststratify, rake, linear or logit
    margins: tuple[Margin, ...]
    bounds: tuple[float, float] | None = None

    @property
    def columns(self) -> list[str]:
        return list(dict.fromkeys(v for m in self.margins for v in m.variables))


def parse_bounds(text: str | None) -> tuple[float, float] | None:
    """``--bounds 0.5,2`` as (0.5, 2.0): the limits of the g-weights (new weight over design weight)."""
    from fjernarbeid.cli._survey_input import UsageError

    if text is None:
        return None
    parts = [p.strip() for p in text.split(",")]
    try:
        lo, hi = (float(p) for p in parts)
    except ValueError:
        raise UsageError(f"--bounds {text!r}: give the lower and upper limit of the g-weights, e.g. --bounds 0.5,2"
                         ) from None
    if not lo < hi:
        raise UsageError(f"--bounds {text!r}: the lower limit must be below the upper one")
    return lo, hi


def _study_variable(name: str, inst, columns) -> bool:
    """True when the study's weighting would take ``name`` as a variable of the questionnaire (a question, a
    derived variable or a role) that the file has or can derive."""
    from fjernarbeid.errors import InstrumentError
    from fjernarbeid.study.weighting import _resolve

    try:
        resolved = _resolve(name, inst)
    except InstrumentError:
        return False
    # a role ('sex') whose question the file lacks, while the file has a column of that very name: the column
    return resolved in columns or name not in columns


def cross_written_otherwise(name: str, columns) -> list[str] | None:
    """The columns of a cross written with another separator than '×' or '*' — 'stype:sch.wide', 'stype+sch.wide',
    'stype x sch.wide', 'stypeXsch.wide' (R's and other programs' ways) — or None."""
    import re

    parts = [p for p in re.split(r"\s*[:+]\s*|\s+[xX]\s+", name) if p]
    if len(parts) > 1 and all(p in columns for p in parts):
        return parts
    for i in (i for i, ch in enumerate(name) if ch in "xX"):  # the letter x between two column names
        left, right = name[:i].strip(), name[i + 1:].strip()
        if left in columns and right in columns:
            return [left, right]
    return None


def own_calibration(data, inst, targets: Path, weighting, bounds: tuple[float, float] | None,
                    study_weighting: bool) -> OwnCalibration | None:
    """The calibration ``--targets`` asks for when the file is not the study's survey, or None when the study's
    weighting applies (as before: the study's own files, and targets of the questionnaire's variables).

    The targets are the file's own columns when the file does not look like the study's survey and has every
    variable the targets name, or when it does but some of those variables are not the questionnaire's."""
    from fjernarbeid.cli._survey_input import UsageError, column_hint, looks_like_the_study
    from fjernarbeid.study.targets import read_targets_csv

    rows = read_targets_csv(targets)
    names = list(dict.fromkeys(v for r in rows for v in r.variables))
    columns = set(map(str, data.frame.columns))
    study_file = looks_like_the_study(data, inst)
    known = {v: _study_variable(v, inst, columns) for v in names}
    if study_file:
        own = all(v in columns for v in names) and not all(known.values())
    else:
        own = all(v in columns for v in names)
        absent = [v for v in names if v not in columns and not known[v]]
        for v in absent:
            cross = cross_written_otherwise(v, columns)
            if cross:
                row = next(r for r in rows if v in r.variables)
                example = row.categories[0] if "|" in row.categories[0] else "|".join(["x", "y", "z"][:len(cross)])
                raise UsageError(f"{targets}, line {row.line}: {v!r} is not a column of {data.path}; a cross of "
                                 f"{' and '.join(cross)} is written {'×'.join(cross)} or {'*'.join(cross)}, its "
                                 f"categories joined by '|' ({example})")
        if absent and not study_weighting:
            raise UsageError(f"{targets}: the targets are for {absent[0]!r}, which is neither a column of "
                             f"{data.path} nor a variable of the questionnaire{column_hint(data, absent[0])}")
    if not own:
        return None
    method = weighting.value if weighting is not None and hasattr(weighting, "value") else weighting
    if study_weighting:
        raise UsageError(f"--study-weighting weights as the study does, by the questionnaire's variables; "
                         f"{', '.join(v for v in names if not known[v]) or ', '.join(names)} in {targets} "
                         f"{'is a column' if len(names) == 1 else 'are columns'} of {data.path}: leave out "
                         "--study-weighting to calibrate the design of the other options to these targets")
    if method == "none":
        raise UsageError(f"--weighting none calibrates nothing; leave out --targets {targets}, or choose "
                         "poststratify, rake, linear or logit")
    margins: dict[tuple[str, ...], list] = {}
    for r in rows:
        margins.setdefault(r.variables, []).append(r)
    margins_ = tuple(Margin(k, tuple(v)) for k, v in margins.items())
    if method is None:  # one variable or one cross: post-stratification; several margins: raking
        method = "poststratify" if len(margins_) == 1 else "rake"
    if method == "poststratify" and len(margins_) > 1:
        listed = ", ".join(m.name for m in margins_)
        raise UsageError(f"--weighting poststratify needs the targets of one variable or of the cells of one cross "
                         f"(variable a×b, category x|y); {targets} has the margins {listed}: rake them (--weighting "
                         "rake, the default for several margins) or calibrate them (--weighting linear)")
    if bounds is not None and method in ("poststratify", "rake"):
        raise UsageError(f"--bounds limits the g-weights of --weighting linear or logit, not of {method}")
    if method == "logit":
        if bounds is None:
            raise UsageError("--weighting logit needs --bounds LO,HI (the limits of the g-weights, as R's calibrate("
                             "…, calfun = \"logit\", bounds = c(LO, HI))), e.g. --bounds 0.5,2")
        if not bounds[0] < 1 < bounds[1]:
            raise UsageError(f"--bounds {bounds[0]:g},{bounds[1]:g}: logit calibration needs a lower limit below 1 "
                             "and an upper limit above 1")
    return OwnCalibration(Path(targets), method, margins_, bounds)


# -- matching the targets to the data ----------------------------------------------------------------------


def _number_key(x: float) -> str:
    return str(int(x)) if float(x).is_integer() else repr(float(x))


def _column_keys(series) -> tuple[Any, bool]:
    """Each row's value as the text a target category is compared with, None where missing, and whether the
    column is numbers: 1, 1.0 and '1' are '1' in a column of numbers; text is itself (spaces around it aside)."""
    values = series.astype(object) if isinstance(series.dtype, pd.CategoricalDtype) else series
    if pd.api.types.is_bool_dtype(values):
        return values.map(lambda v: None if pd.isna(v) else str(bool(v))), False
    text = values.astype("string").str.normalize("NFC").str.strip()  # 'Å' decomposed or composed: one category
    missing = (text.isna() | (text == "")).to_numpy(dtype=bool)
    numbers = pd.to_numeric(text, errors="coerce")
    numeric = bool(numbers[~missing].notna().all()) and (~missing).any()
    if numeric:
        keys = [None if m else _number_key(x) for m, x in zip(missing, numbers.to_numpy(dtype=float, na_value=np.nan))]
    else:
        keys = [None if m else t for m, t in zip(missing, text.to_numpy(dtype=object))]
    return pd.Series(keys, index=series.index, dtype=object), numeric


def _category_key(category: str, numeric: bool) -> str:
    text = unicodedata.normalize("NFC", str(category)).strip()
    if numeric:
        try:
            number = float(text)
        except ValueError:
            return text
        if np.isfinite(number):
            return _number_key(number)
    return text


def _is_number(text: str) -> bool:
    try:
        return bool(np.isfinite(float(str(text).strip())))
    except ValueError:
        return False


def _listing(values, limit: int = 12) -> str:
    values = list(values)
    return ", ".join(values[:limit]) + (f" … ({len(values)} in all)" if len(values) > limit else "")


def _sorted_keys(keys) -> list[str]:
    from fjernarbeid.survey.design import _label_sort_key

    return sorted(keys, key=_label_sort_key)


def margin_cells(data, calibration: OwnCalibration, margin: Margin) -> tuple[Any, dict[str, float]]:
    """Each row's cell of ``margin`` (its categories joined by '|') and the target of every cell that has rows;
    what does not match is an error naming the targets file, the data file, the variable, the category and the
    rows."""
    from fjernarbeid.cli._survey_input import where
    from fjernarbeid.errors import ComputationError, DataValidationError, InputFileError
    from fjernarbeid.study.targets import NUMERIC_TOTALS

    file = calibration.targets_file
    keys, numeric = [], []
    for v in margin.variables:
        k, is_number = _column_keys(data.frame[v])
        missing = k.isna().to_numpy(dtype=bool)
        if missing.any():
            raise DataValidationError(
                f"{data.path}: the calibration variable {v!r} (--targets {file}) has no value at "
                f"{where(data, missing)}; every row needs a category to be calibrated (R's postStratify, rake and "
                "calibrate fail on a missing value too): fill it in, or leave those rows out of the file")
        keys.append(k)
        numeric.append(is_number)
    cells = keys[0] if len(keys) == 1 else pd.Series(["|".join(parts) for parts in zip(*keys)], index=keys[0].index,
                                                     dtype=object)
    for r in margin.rows:  # 'enroll,total,3811472': a total of a column of numbers, which calibration is not
        for v, c, is_number in zip(margin.variables, r.categories, numeric):
            if is_number and not _is_number(c):
                raise InputFileError(
                    f"{file}, line {r.line}: {v} = {c!r}, but {v} is a column of numbers in {data.path} and {c!r} is "
                    f"not one of them; {NUMERIC_TOTALS}")
    target_of: dict[str, tuple[float, Any]] = {}
    for r in margin.rows:
        cell = "|".join(_category_key(c, n) for c, n in zip(r.categories, numeric))
        if cell in target_of:
            raise ComputationError(f"{file}, line {r.line}: {margin.name} = {'|'.join(r.categories)!r} matches the "
                                   f"same values of {data.path} as line {target_of[cell][1].line}")
        target_of[cell] = (r.target, r)
    present = cells.value_counts(sort=False)
    for cell, count in present.items():
        if cell not in target_of:
            rows = (cells == cell).to_numpy(dtype=bool)
            raise ComputationError(
                f"{file}: {margin.name} = {cell!r} occurs in {data.path} ({count} row(s): {where(data, rows)}) but "
                f"has no target; the targets of {margin.name} are {_listing(_sorted_keys(target_of))}. Add its "
                "target (R's postStratify fails too: 'Strata in sample absent from population')")
        if target_of[cell][0] == 0:
            rows = (cells == cell).to_numpy(dtype=bool)
            raise ComputationError(
                f"{file}, line {target_of[cell][1].line}: {margin.name} = {cell!r} has a target of 0 but {count} "
                f"row(s) of {data.path} ({where(data, rows)}); calibrated weights must be positive")
    for cell, (target, row) in target_of.items():
        if cell not in present.index and target > 0:
            raise ComputationError(
                f"{file}, line {row.line}: {margin.name} = {'|'.join(row.categories)!r} has a target ({target:,.6g}) "
                f"but no row of {data.path} has it (its values: {_listing(_sorted_keys(present.index))}). Collapse "
                "it with another category in both files, or leave it out (R's postStratify fails too: 'Some strata "
                "absent from sample')")
    return cells, {cell: target for cell, (target, _) in target_of.items() if cell in present.index}


# -- the calibrated design ------------------------------------------------------------------------------------


def calibrated_design(data, design, calibration: OwnCalibration, base: dict, lang: str):
    """``design`` calibrated to the targets (module docstring) and the account of it for the output: the method,
    the margins, the targets file, where the weights before calibration came from (``base``: ``from`` equal,
    column, probs or fpc, and the ``column``), and the calibrated weights' range and Kish design effect."""
    from dataclasses import replace

    from fjernarbeid.errors import ComputationError
    from fjernarbeid.survey.design import _label_key
    from fjernarbeid.survey.weighting import WeightReport, calibrate, poststratify, rake

    columns, targets = {}, {}
    for margin in calibration.margins:
        cells, target = margin_cells(data, calibration, margin)
        if len({_label_key(c) for c in target}) < len(target):  # two texts the survey functions would merge
            codes = {c: f"#{i}" for i, c in enumerate(target)}
            cells, target = cells.map(codes), {codes[c]: t for c, t in target.items()}
        columns[margin.name], targets[margin.name] = cells.to_numpy(dtype=object), target
    # the margins as columns of their own names, for the calibration only (the design keeps the file's columns)
    work = replace(design, data=design.data.reset_index(drop=True).assign(**columns))
    method = calibration.method
    try:
        if method == "poststratify":
            ((name, target),) = targets.items()
            done = poststratify(work, name, target)
        elif method == "rake":
            done = rake(work, targets, epsilon=RAKE_EPSILON, max_iter=RAKE_MAXIT, force=True)
        else:
            lo, hi = calibration.bounds or (-np.inf, np.inf)
            done = calibrate(work, targets, calfun=method, bounds=(lo, hi))
    except ComputationError as exc:
        raise ComputationError(f"--targets {calibration.targets_file}: {exc}") from None
    report = WeightReport.from_design(done)
    account: dict[str, Any] = {
        "kind": "calibration", "method": method, "targets_file": str(calibration.targets_file),
        "margins": [m.name for m in calibration.margins], "variables": calibration.columns,
        "base_weights": base["from"], "base_weight_column": base.get("column"),
    }
    if method == "rake":
        account |= {"epsilon": RAKE_EPSILON, "max_iter": RAKE_MAXIT}
    if method in ("linear", "logit"):
        account["bounds"] = list(calibration.bounds) if calibration.bounds else None
    summary = report.to_dict()
    targets_table = summary.pop("margins")
    account |= {k: summary[k] for k in ("iterations", "converged", "n", "sum_weights", "min", "max", "ratio", "mean",
                                        "cv", "kish_deff", "effective_n")}
    account["targets"] = targets_table
    return replace(done, data=design.data), account


def shares_total(account: dict) -> float | None:
    """The sum of every margin's targets when they all add up to about 1 (or 100) while the sample has more rows
    than that: shares (or percentages) given as population totals, or None."""
    sums: dict[str, float] = {}
    for row in account.get("targets") or ():
        sums[row["variable"]] = sums.get(row["variable"], 0.0) + float(row["target"])
    if not sums:
        return None
    for scale in (1.0, 100.0):
        if all(abs(total - scale) <= 0.02 * scale for total in sums.values()) and account["n"] > scale:
            return max(sums.values())
    return None


def warn_not_converged(account: dict | None, lang: str) -> None:
    """Warnings on standard error, in ``lang``, about a calibration: targets that add up to 1 (or 100) — shares,
    not the population counts they should be, so that the weights sum to 1 — and raking that did not converge in
    R's maxit sweeps, which keeps its last weights, as R's rake does, with a warning that says by how much a margin
    misses its target."""
    from fjernarbeid.cli._console import console
    from fjernarbeid.cli._survey_input import warning_line

    if not account or account.get("kind") != "calibration":
        return
    total = shares_total(account)
    if total is not None:
        text = say("calibration_shares", lang, file=Path(account["targets_file"]).name, total=fmt(total, lang, 4)
                   .rstrip("0").rstrip(",.") or "0", n=fmt(account["n"], lang, 0))
        console(stderr=True).print(warning_line(text, lang), highlight=False)
    if account.get("converged", True):
        return
    gap = max(abs(row["difference"]) for row in account["targets"])
    text = say("calibration_not_converged", lang, variables=margin_words(account, lang), n=account["iterations"],
               gap=fmt(gap, lang, 2))
    console(stderr=True).print(warning_line(text, lang), highlight=False)


# -- words --------------------------------------------------------------------------------------------------


def say(key: str, lang: str, **kw) -> str:
    from fjernarbeid.i18n import message

    return message("tab", key, lang, **kw)


def fmt(x, lang: str, digits: int) -> str:
    from fjernarbeid.i18n import fmt_number

    return fmt_number(x, lang, digits)


def weight_number(x: float, lang: str) -> str:
    """A weight with two decimals, a small one with three significant digits (0.0635, not 0.06)."""
    import math

    digits = 2 if x >= 1 or x <= 0 else min(8, 2 - math.floor(math.log10(x)) + 1)
    return fmt(x, lang, digits)


def margin_words(account: dict, lang: str) -> str:
    """'stype', 'stype × sch.wide', 'stype og sch.wide'."""
    names = account["margins"]
    if len(names) == 1:
        return names[0]
    return ", ".join(names[:-1]) + say("calibration_and", lang) + names[-1]


def weights_text(account: dict, design: dict, lang: str) -> str:
    """The sentence on the weights: where they started, how they were calibrated to which file, and their range
    and Kish design effect."""
    base = account["base_weights"]
    column = (account.get("base_weight_column") or "").removeprefix("1/")
    if base == "fpc":
        column = design.get("fpc") or ""
    start = say(f"calibrated_from_{base}", lang, column=column)
    bounds = account.get("bounds")
    bounds_text = (say("calibrated_bounds", lang, bounds=f"{fmt(bounds[0], lang, 2)}–{fmt(bounds[1], lang, 2)}")
                   if bounds else "")
    n_cells = sum(1 for row in account["targets"]) if account["method"] == "poststratify" else 0
    return say(f"calibrated_{account['method']}", lang, base=start, variables=margin_words(account, lang),
               file=Path(account["targets_file"]).name, n=n_cells, iterations=account.get("iterations") or 0,
               bounds=bounds_text, min=weight_number(account["min"], lang), max=weight_number(account["max"], lang),
               deff=fmt(account["kish_deff"], lang, 2))


def design_words(calibration: dict, lang: str) -> str:
    """The calibration in the design line: 'post-stratified on stype (the standard errors account for it)'."""
    return say(f"design_{calibration['method']}", lang, variables=margin_words(calibration, lang))


__all__ = ["CalibrationMethod", "Margin", "OwnCalibration", "calibrated_design", "design_words", "own_calibration",
           "parse_bounds", "warn_not_converged", "weights_text"]

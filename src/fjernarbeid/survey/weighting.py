"""Weighting to population figures: post-stratification, raking and GREG calibration.

Each function takes a :class:`~fjernarbeid.survey.SurveyDesign` and returns a new one whose weights
hit the targets and which remembers the calibration step, so that standard errors computed from
it account for the weighting (Lumley 2010, *Complex Surveys*, ch. 7). They follow R's ``survey``:

* :func:`poststratify` — ``postStratify(design, ~by, population)``: w ← w · N_c / Ŵ_c in every cell
  c of the cross-classification (Holt & Smith 1979, JRSS A 142:33).
* :func:`rake` — ``rake(design, sample.margins, population.margins, control=list(maxit, epsilon))``:
  iterative proportional fitting, post-stratifying on one margin after the other until the
  weighted cross-table of all margin variables changes by less than ``epsilon`` in a sweep
  (Deming & Stephan 1940, Ann. Math. Stat. 11:427).
* :func:`calibrate` — ``calibrate(design, formula, population, calfun, bounds)``: the generalised
  regression / calibration estimator of Deville & Särndal (1992, JASA 87:376), w = d · g with
  g = F(xᵀλ) solved by Newton's method as R's ``grake`` (linear without bounds in closed form, as
  R's ``regcalibrate``); bounds on g are part of the calibration equations, not a trim afterwards.

Targets may be counts or shares (``shares=True``: multiplied by ``population_size``, or by the
sum of the weights when that is not given). Impossible targets raise
:class:`~fjernarbeid.errors.ComputationError` naming the cell or category.

:class:`WeightReport` summarises the weights (range, Kish design effect 1 + CV², effective n,
weighted margins against targets), and :func:`weight_study` weights the 2025 study to SSB's
population on 1 January 2025.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any, Iterable, Mapping, Sequence

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError, DataValidationError
from fjernarbeid.survey.design import (
    GregAdjustment,
    PostStratAdjustment,
    RakingAdjustment,
    SurveyDesign,
    _row_list,
    _label_key as _key,
    _label_sort_key,
    shown,
    svydesign,
)

CALFUNS = ("linear", "raking", "logit")
Targets = Mapping[Any, float] | pd.Series | pd.DataFrame


# -- matching data labels to target labels ------------------------------------------------------


def _categories(design: SurveyDesign, column: str) -> tuple[np.ndarray, list[str], list[Any]]:
    """Codes per row (−1 = missing), the canonical key and an original label of each code."""
    series = design.column(column)
    codes, uniques = pd.factorize(series, sort=False, use_na_sentinel=True)
    keys = [_key(u) for u in uniques]
    missing = codes < 0
    if missing.any():
        raise DataValidationError(f"weighting variable {column!r} is missing in rows {_row_list(missing)}")
    # distinct raw values that mean the same label (1 and '1') become one category; categories
    # are sorted as R sorts factor levels (numbers numerically)
    labels: dict[str, Any] = {}
    for u, k in zip(uniques, keys):
        labels.setdefault(k, u.item() if isinstance(u, np.generic) else u)
    key_of_code = sorted(labels, key=_label_sort_key)
    position = {k: j for j, k in enumerate(key_of_code)}
    merged = np.array([position[k] for k in keys], dtype=int)
    return merged[codes], key_of_code, [labels[k] for k in key_of_code]


def _target_table(targets: Targets, names: Sequence[str], column: str | None, what: str) -> pd.DataFrame:
    """Targets as a frame: one column per variable in ``names`` plus ``target``."""
    if isinstance(targets, pd.DataFrame):
        extra = [c for c in targets.columns if c not in names]
        missing = [n for n in names if n not in targets.columns]
        if missing:
            raise ComputationError(f"{what}: the targets have no column {', '.join(map(repr, missing))} "
                                   f"(columns: {', '.join(map(str, targets.columns))})")
        if column is None:
            if len(extra) != 1:
                raise ComputationError(f"{what}: say which column of the targets holds the counts "
                                       f"(column=…); candidates: {', '.join(map(str, extra))}")
            column = extra[0]
        out = targets[list(names)].copy()
        out["target"] = pd.to_numeric(targets[column], errors="coerce")
    elif isinstance(targets, pd.Series):
        idx = targets.index
        out = pd.DataFrame(list(idx) if idx.nlevels > 1 else {names[0]: list(idx)})
        if idx.nlevels > 1:
            out.columns = list(names)
        out["target"] = pd.to_numeric(pd.Series(targets.to_numpy()), errors="coerce")
    elif isinstance(targets, Mapping):
        keys = list(targets.keys())
        if len(names) > 1:
            out = pd.DataFrame([tuple(k) for k in keys], columns=list(names))
        else:
            out = pd.DataFrame({names[0]: keys})
        out["target"] = pd.to_numeric(pd.Series(list(targets.values()), dtype=object), errors="coerce")
    else:
        raise TypeError(f"{what}: targets must be a mapping, a pandas Series or a DataFrame, not {type(targets).__name__}")
    bad = out["target"].isna() | (out["target"] < 0)
    if bad.any():
        row = out[bad].iloc[0]
        raise ComputationError(f"{what}: target for {_cell_text(names, [row[n] for n in names])} is not a "
                               "non-negative number")
    return out.reset_index(drop=True)


def _cell_text(names: Sequence[str], labels: Sequence[Any]) -> str:
    return ", ".join(f"{n}={shown(label)}" for n, label in zip(names, labels))


def _scale_targets(target: np.ndarray, shares: bool, population_size: float | None,
                   design: SurveyDesign, what: str) -> np.ndarray:
    if not shares:
        if population_size is not None and not np.isclose(target.sum(), population_size, rtol=1e-9):
            raise ComputationError(f"{what}: targets sum to {target.sum():,.6g}, not population_size "
                                   f"{population_size:,.6g}")
        return target
    total = target.sum()
    if not np.isclose(total, 1.0, atol=1e-6):
        raise ComputationError(f"{what}: shares sum to {total:.6g}, not 1 (give proportions, not percentages)")
    size = population_size if population_size is not None else float(design.weights.sum())
    return target / total * size


def _match_cells(design: SurveyDesign, names: Sequence[str], table: pd.DataFrame, what: str,
                 partial: bool = False) -> tuple[np.ndarray, np.ndarray, list[tuple]]:
    """Cell index per row and the target of each cell, checking that they match both ways.

    Returns (cells per row, targets per cell, original label tuple per cell).
    """
    per_var = [_categories(design, name) for name in names]
    # cell of each row: combination of category codes
    sizes = [len(keys) for _, keys, _ in per_var]
    row_cell = np.ravel_multi_index([codes for codes, _, _ in per_var], sizes) if len(names) > 1 else per_var[0][0]
    row_cell, cell_index = pd.factorize(row_cell, sort=True)
    combos = np.unravel_index(np.asarray(cell_index), sizes) if len(names) > 1 else (np.asarray(cell_index),)
    data_keys = [tuple(per_var[v][1][combos[v][c]] for v in range(len(names))) for c in range(len(cell_index))]
    data_labels = [tuple(per_var[v][2][combos[v][c]] for v in range(len(names))) for c in range(len(cell_index))]

    target_labels = [tuple(v.item() if isinstance(v, np.generic) else v for v in row)
                     for row in table[list(names)].itertuples(index=False)]
    target_keys = [tuple(_key(v) for v in row) for row in target_labels]
    if len(set(target_keys)) != len(target_keys):
        dup = pd.Series(target_keys).duplicated()
        raise ComputationError(f"{what}: the targets list the cell "
                               f"{_cell_text(names, target_labels[int(np.flatnonzero(dup)[0])])} twice")
    target_of = dict(zip(target_keys, table["target"].to_numpy(dtype=float)))
    counts = np.bincount(row_cell, minlength=len(data_keys))
    sample_w = np.bincount(row_cell, weights=design.weights, minlength=len(data_keys))
    for c, key in enumerate(data_keys):
        if target_of.get(key, 0.0) == 0.0:
            rows = row_cell == c
            raise ComputationError(
                f"{what}: {_cell_text(names, data_labels[c])} occurs in the data ({counts[c]} rows, e.g. "
                f"rows {_row_list(rows, 5)}) but has {'a zero' if key in target_of else 'no'} population "
                "target; add the target or recode the category"
            )
        if sample_w[c] <= 0:
            raise ComputationError(f"{what}: cell {_cell_text(names, data_labels[c])} has no weight in the sample")
    present = set(data_keys)
    absent = [(k, lab) for k, lab in zip(target_keys, target_labels) if k not in present and target_of[k] > 0]
    if absent and not partial:
        cells = "; ".join(_cell_text(names, lab) + f" (target {target_of[k]:,.6g})" for k, lab in absent[:5])
        raise ComputationError(
            f"{what}: no respondents in {len(absent)} cell(s) with a population target: {cells}. "
            "Collapse such a cell with a neighbouring one (e.g. merge adjacent age groups), or rake on "
            "the margins instead of post-stratifying on the cross-classification"
        )
    return row_cell, np.array([target_of[k] for k in data_keys]), data_labels


# -- calibration summary for the report ---------------------------------------------------------


@dataclass(frozen=True)
class CalibrationSummary:
    """What a weighting step aimed at and what it achieved (kept with the design's adjustment)."""

    method: str
    margins: pd.DataFrame  # variable, category, target, weighted, n
    iterations: int | None = None
    converged: bool = True
    max_change: float | None = None  # last sweep's largest change (raking) or relative misfit (calibrate)


def _margin_rows(variable: str, labels: Iterable, targets: np.ndarray, weighted: np.ndarray,
                 n: np.ndarray) -> pd.DataFrame:
    return pd.DataFrame({"variable": variable, "category": list(labels), "target": targets,
                         "weighted": weighted, "n": n.astype(int)})


# -- post-stratification -----------------------------------------------------------------------


def poststratify(
    design: SurveyDesign,
    by: str | Sequence[str],
    population: Targets,
    *,
    column: str | None = None,
    shares: bool = False,
    population_size: float | None = None,
    partial: bool = False,
) -> SurveyDesign:
    """Post-stratify ``design`` on the cross-classification of ``by`` (R's ``postStratify``).

    ``population`` gives the target of every cell: a DataFrame with the ``by`` columns and one
    count column (``column=`` picks it when there are several), a Series indexed by cell, or a
    mapping {cell: target} (cell = a label, or a tuple of labels for several variables).
    Labels match whatever their type (1, 1.0 and "1" are the same category).

    Raises :class:`ComputationError` when a cell in the data has no target, or a cell with a
    target has no respondents (``partial=True`` ignores the latter, as R's ``partial=TRUE``).
    """
    names = [by] if isinstance(by, str) else list(by)
    what = f"post-stratification on {' × '.join(names)}"
    table = _target_table(population, names, column, what)
    table["target"] = _scale_targets(table["target"].to_numpy(dtype=float), shares, population_size, design, what)
    cells, targets, labels = _match_cells(design, names, table, what, partial=partial)
    current = np.bincount(cells, weights=design.weights, minlength=targets.size)
    new_w = design.weights * (targets / current)[cells]
    counts = np.bincount(cells, minlength=targets.size)
    achieved = np.bincount(cells, weights=new_w, minlength=targets.size)
    label_text = [lab[0] if len(names) == 1 else lab for lab in labels]
    summary = CalibrationSummary("poststratify", _margin_rows(" × ".join(names), label_text, targets, achieved, counts))
    adj = PostStratAdjustment(cells=cells, weights=new_w, old_weights=design.weights.copy(), summary=summary)
    return design.with_weights(new_w, adj)


# -- raking --------------------------------------------------------------------------------------


def rake(
    design: SurveyDesign,
    margins: Mapping[str, Targets],
    *,
    shares: bool = False,
    population_size: float | None = None,
    epsilon: float = 1.0,
    max_iter: int = 100,
    force: bool = False,
) -> SurveyDesign:
    """Rake ``design`` to the ``margins`` {variable: targets} (R's ``rake``).

    One sweep post-stratifies on each margin in turn. Sweeps stop when no cell of the weighted
    cross-table of all margin variables changed by ``epsilon`` or more (``epsilon`` < 1 is a
    fraction of the sum of the weights, as R). R's default is ``maxit=10``; here ``max_iter``
    defaults to 100. Without convergence this raises :class:`ComputationError` naming the margin
    furthest from its targets (``force=True`` returns the last weights instead, as R does with a
    warning). Margins must describe the same population size.
    """
    if not margins:
        raise ValueError("rake needs at least one margin")
    names = list(margins)
    what = f"raking on {', '.join(names)}"
    codes, targets, labels = [], [], []
    for name in names:
        table = _target_table(margins[name], [name], None, f"{what}: margin {name!r}")
        table["target"] = _scale_targets(table["target"].to_numpy(dtype=float), shares, population_size, design,
                                         f"{what}: margin {name!r}")
        c, t, lab = _match_cells(design, [name], table, f"{what}: margin {name!r}")
        codes.append(c)
        targets.append(t)
        labels.append([x[0] for x in lab])
    sums = [t.sum() for t in targets]
    if not np.allclose(sums, sums[0], rtol=1e-6):
        detail = ", ".join(f"{n}: {s:,.6g}" for n, s in zip(names, sums))
        raise ComputationError(f"{what}: the margins describe different population sizes ({detail}); "
                               "raking cannot meet them all")
    tol = epsilon * design.weights.sum() if epsilon < 1 else epsilon

    # Every step multiplies all rows of a cell of the joint cross-classification by the same factor,
    # so the iterations run on the joint cells' weighted counts (tiny) instead of on the rows.
    sizes = [t.size for t in targets]
    if math.prod(sizes) < 2**31:
        joint = np.ravel_multi_index(codes, sizes)
    else:  # too many combinations to number them all: number the observed ones step by step
        joint = codes[0]
        for c, size in zip(codes[1:], sizes[1:]):
            joint = pd.factorize(joint.astype(np.int64) * size + c)[0]
    joint, joint_index = pd.factorize(joint, sort=True)
    any_row = np.empty(joint_index.size, dtype=np.int64)
    any_row[joint] = np.arange(joint.size)
    cell_codes = [c[any_row] for c in codes]  # each joint cell's category on every margin
    base = np.bincount(joint, weights=design.weights, minlength=joint_index.size)
    factor = np.ones(joint_index.size)
    old = base.copy()
    converged, sweeps, delta = False, 0, np.inf
    step_factors: list[np.ndarray] = []
    while sweeps < max_iter:
        step_factors = []
        for m in range(len(names)):
            current = np.bincount(cell_codes[m], weights=base * factor, minlength=sizes[m])
            factor = factor * (targets[m] / current)[cell_codes[m]]
            step_factors.append(factor)
        sweeps += 1
        new = base * factor
        delta = float(np.max(np.abs(new - old)))
        if delta < tol:
            converged = True
            break
        old = new
    achieved = [np.bincount(cell_codes[m], weights=base * factor, minlength=sizes[m]) for m in range(len(names))]
    if not converged and not force:
        worst = int(np.argmax([np.max(np.abs(a - t) / t) for a, t in zip(achieved, targets)]))
        cat = int(np.argmax(np.abs(achieved[worst] - targets[worst]) / targets[worst]))
        raise ComputationError(
            f"{what} did not converge in {max_iter} sweeps (last change {delta:.4g} ≥ epsilon {tol:.4g}); "
            f"furthest off: {names[worst]}={labels[worst][cat]!r}, weighted {achieved[worst][cat]:,.6g} vs target "
            f"{targets[worst][cat]:,.6g}. Raise max_iter, loosen epsilon or collapse sparse categories"
        )
    new_w = design.weights * factor[joint]
    rows = [_margin_rows(n, lab, t, a, np.bincount(c, minlength=t.size))
            for n, lab, t, a, c in zip(names, labels, targets, achieved, codes)]
    summary = CalibrationSummary("rake", pd.concat(rows, ignore_index=True), iterations=sweeps,
                                 converged=converged, max_change=delta)
    adj = RakingAdjustment(joint=joint, joint_margins=tuple(cell_codes), factors=tuple(step_factors),
                           base_weights=design.weights.copy(), summary=summary)
    return design.with_weights(new_w, adj)


# -- GREG calibration ----------------------------------------------------------------------------


def _calfun(name: str, lower: float, upper: float):
    """R's ``cal.linear``, ``cal.raking`` and ``cal.logit``: (F⁻¹(u) − 1, its derivative)."""
    if name == "linear":
        def fm1(u):
            return np.clip(u + 1, lower, upper) - 1

        def df(u):
            return ((u < upper - 1) & (u > lower - 1)).astype(float)
    elif name == "raking":
        def fm1(u):
            with np.errstate(over="ignore"):
                return np.clip(np.exp(u), lower, upper) - 1

        def df(u):
            with np.errstate(over="ignore"):
                return np.where((u < upper - 1) & (u > lower - 1), np.exp(u), 0.0)
    elif name == "logit":
        if not (np.isfinite(lower) and np.isfinite(upper)):
            raise ComputationError("logit calibration needs finite bounds, e.g. bounds=(0.5, 2)")
        if not lower < 1 < upper:
            raise ComputationError(f"logit calibration needs bounds with lower < 1 < upper, got ({lower}, {upper})")
        a = (upper - lower) / ((upper - 1) * (1 - lower))

        def fm1(u):
            with np.errstate(over="ignore", invalid="ignore"):
                e = np.exp(a * u)
                return (lower * (upper - 1) + upper * (1 - lower) * e) / (upper - 1 + (1 - lower) * e) - 1

        def df(u):
            with np.errstate(over="ignore", invalid="ignore"):
                e = np.exp(a * u)
                den = upper - 1 + (1 - lower) * e
                return upper * (1 - lower) * e * a / den - (lower * (upper - 1) + upper * (1 - lower) * e) * (
                    (1 - lower) * e * a) / den**2
    else:
        raise ValueError(f"calfun must be one of {CALFUNS}, not {name!r}")
    return fm1, df


def _model_matrix(design: SurveyDesign, population: Mapping[str, Any], shares: bool,
                  population_size: float | None, what: str):
    """Calibration model matrix and its population totals, parametrised as R's
    ``model.matrix(~a + b + x)``: an intercept (the population size) when there is a categorical
    variable or a ``population_size``, then each categorical's categories but the first (in
    sorted order), then the numeric variables. (Any full-rank parametrisation gives the same
    weights; R's makes the Newton iterations follow R's path also where they fail.)
    """
    columns, totals, names, ns = [], [], [], []
    categorical_sizes = {}
    size = population_size if population_size is not None else float(design.weights.sum())
    for var, spec in population.items():
        if isinstance(spec, (Mapping, pd.Series)):
            table = _target_table(spec, [var], None, f"{what}: {var!r}")
            table["target"] = _scale_targets(table["target"].to_numpy(dtype=float), shares, population_size, design,
                                             f"{what}: {var!r}")
            cells, target, labels = _match_cells(design, [var], table, f"{what}: {var!r}")
            categorical_sizes[var] = target.sum()
            for c in range(1, target.size):
                columns.append((cells == c).astype(float))
                totals.append(target[c])
                names.append((var, labels[c][0]))
                ns.append(int((cells == c).sum()))
        else:
            values = pd.to_numeric(design.column(var), errors="coerce").to_numpy(dtype=float)
            bad = np.isnan(values)
            if bad.any():
                raise DataValidationError(f"{what}: {var!r} is missing or not a number in rows {_row_list(bad)}")
            columns.append(values)
            totals.append(float(spec) * (size if shares else 1.0))
            names.append((var, None))
            ns.append(int(design.n))
    if categorical_sizes:
        sizes = list(categorical_sizes.values())
        if not np.allclose(sizes, sizes[0], rtol=1e-6):
            detail = ", ".join(f"{k}: {v:,.6g}" for k, v in categorical_sizes.items())
            raise ComputationError(f"{what}: the categorical margins describe different population sizes ({detail})")
        if population_size is not None and not np.isclose(sizes[0], population_size, rtol=1e-6):
            raise ComputationError(f"{what}: margins sum to {sizes[0]:,.6g}, not population_size {population_size:,.6g}")
        population_size = sizes[0]
    if population_size is not None:
        columns.insert(0, np.ones(design.n))
        totals.insert(0, float(population_size))
        names.insert(0, ("(population size)", None))
        ns.insert(0, int(design.n))
    if not columns:
        raise ValueError("calibrate needs at least one variable")
    return np.column_stack(columns), np.asarray(totals, dtype=float), names, ns


def calibrate(
    design: SurveyDesign,
    population: Mapping[str, float | Targets],
    *,
    calfun: str = "linear",
    bounds: tuple[float, float] = (-np.inf, np.inf),
    shares: bool = False,
    population_size: float | None = None,
    epsilon: float = 1e-7,
    max_iter: int = 50,
    force: bool = False,
) -> SurveyDesign:
    """Calibrate ``design`` to population totals (R's ``calibrate``; Deville & Särndal 1992).

    ``population`` maps each calibration variable to its target: a mapping {category: total}
    (or a Series) for a categorical variable, a number (the population total) for a numeric one.
    ``population_size`` adds the population size as a constraint when no categorical variable
    implies it. With ``shares=True`` categorical targets are proportions and numeric ones
    population means, both multiplied by ``population_size`` (or the sum of the weights).

    ``calfun`` is the distance: "linear" (GREG; closed form without bounds), "raking"
    (multiplicative, g = exp(xᵀλ)) or "logit" (needs finite bounds). ``bounds=(lo, hi)`` limits
    g = w/d during the Newton iterations as R's ``grake`` (including its rule that when every
    target exceeds 20× the sample total the weights are first scaled by the mean ratio, the bounds
    then applying to g relative to the scaled weights). Convergence: every |target − achieved| /
    (1 + |target|) < ``epsilon``; otherwise :class:`ComputationError` (``force=True``: keep the
    last weights).
    """
    if calfun not in CALFUNS:
        raise ValueError(f"calfun must be one of {CALFUNS}, not {calfun!r}")
    lower, upper = float(bounds[0]), float(bounds[1])
    if not lower < upper:
        raise ValueError(f"bounds must be (lower, upper) with lower < upper, got {bounds}")
    what = f"calibration on {', '.join(population)}"
    mm, totals, names, ns = _model_matrix(design, population, shares, population_size, what)
    d = design.weights
    sample_total = mm.T @ d
    iterations, converged, misfit_rel = 0, True, 0.0
    if calfun == "linear" and np.isneginf(lower) and np.isposinf(upper):
        tmat = mm.T @ (mm * d[:, None])
        try:
            lam = np.linalg.solve(tmat, totals - sample_total)
        except np.linalg.LinAlgError:
            raise ComputationError(f"{what}: the calibration variables are collinear in the sample") from None
        g = 1.0 + mm @ lam
    else:
        g, iterations, converged, misfit_rel = _grake(mm, d, totals, calfun, lower, upper, epsilon, max_iter)
        if not converged and not force:
            if not np.isfinite(g).all():
                detail = "the iterations diverged (calibration factors became infinite)"
            else:
                off = np.abs(totals - mm.T @ (d * g)) / (1 + np.abs(totals))
                worst = int(np.argmax(off))
                var, cat = names[worst]
                label = var if cat is None else f"{var}={cat!r}"
                detail = (f"relative misfit {misfit_rel:.3g}, worst for {label} (weighted "
                          f"{float(mm[:, worst] @ (d * g)):,.6g} vs target {totals[worst]:,.6g})")
            raise ComputationError(
                f"{what} ({calfun}, bounds {bounds}) failed to converge in {max_iter} iterations: {detail}. "
                "The targets may be out of reach within the bounds: widen them or simplify the calibration model"
            )
    new_w = d * g
    negative = int(np.count_nonzero(new_w < 0))
    if negative:
        import warnings

        # as R, the rows stay in every estimate with their negative weights; but a negative weight is rarely
        # what a user wants (a share can fall outside 0-1 in a domain) and no model can be fitted to it: say so
        warnings.warn(f"calibrate ({calfun}): {negative} row(s) get a negative weight; as in R they count in every "
                      "estimate with it, and models (svyglm, svyolr) refuse them. Bound the weights "
                      "(bounds=(lo, hi) with lo > 0; on the command line --bounds) or use calfun='logit' or 'raking'",
                      stacklevel=2)
    achieved = mm.T @ new_w
    margins = pd.DataFrame({"variable": [v for v, _ in names], "category": [c for _, c in names],
                            "target": totals, "weighted": achieved, "n": ns})
    summary = CalibrationSummary(f"calibrate ({calfun})", margins, iterations=iterations or None,
                                 converged=converged, max_change=misfit_rel)
    adj = GregAdjustment(model_matrix=mm, design_weights=d.copy(), g=g, summary=summary)
    return design.with_weights(new_w, adj)


def _grake(mm, ww, population, calfun, lower, upper, epsilon, max_iter):
    """Newton iterations of R's ``grake``: returns (g, iterations, converged, relative misfit)."""
    fm1, dF = _calfun(calfun, lower, upper)
    sample_total = mm.T @ ww
    scales = population / np.where(sample_total == 0, np.nan, sample_total)
    scale = None
    if np.nanmin(scales) > 20:  # R's SOMETHRESHOLD: weights scaled up first
        scale = float(np.nanmean(scales))
        ww = ww * scale
        sample_total = sample_total * scale
    eta = np.zeros(mm.shape[1])
    xeta = mm @ eta
    g = 1 + fm1(xeta)
    deriv = dF(xeta)
    iteration = 1
    converged = False
    while True:
        tmat = mm.T @ (mm * (ww * deriv)[:, None])
        misfit = population - sample_total - mm.T @ (ww * fm1(xeta))
        deta = np.linalg.pinv(tmat, rcond=256 * np.finfo(float).eps) @ misfit
        eta = eta + deta
        xeta = mm @ eta
        g = 1 + fm1(xeta)
        deriv = dF(xeta)
        while iteration < max_iter and not (np.isfinite(g).all() and np.isfinite(deriv).all()):
            iteration += 1  # step halving, as R
            deta = deta / 2
            eta = eta - deta
            xeta = mm @ eta
            g = 1 + fm1(xeta)
            deriv = dF(xeta)
        misfit = population - sample_total - mm.T @ (ww * fm1(xeta))
        achieved = float(np.max(np.abs(misfit) / (1 + np.abs(population))))
        if achieved < epsilon:
            converged = True
            break
        iteration += 1
        if iteration > max_iter:
            break
    if scale is not None:
        g = g * scale
    return g, iteration, converged, achieved


# -- the weight report ---------------------------------------------------------------------------


@dataclass(frozen=True)
class WeightReport:
    """Summary of a set of weights and of how well they meet their targets.

    ``kish_deff`` is Kish's design effect due to unequal weights, n Σw²/(Σw)² = 1 + CV² (Kish
    1965, *Survey Sampling* §11.7; CV with the population standard deviation), and
    ``effective_n`` = n / deff = (Σw)²/Σw².
    """

    method: str
    n: int
    sum_weights: float
    min: float
    max: float
    ratio: float
    mean: float
    cv: float
    kish_deff: float
    effective_n: float
    margins: pd.DataFrame = field(repr=False)
    iterations: int | None = None
    converged: bool = True

    @classmethod
    def from_design(cls, design: SurveyDesign) -> "WeightReport":
        """Report on the design's weights (rows with weight ≠ 0) and its last weighting step."""
        w = design.weights[design.in_domain]
        n = int(w.size)
        total = float(w.sum())
        mean = total / n
        cv = float(np.sqrt(np.mean((w - mean) ** 2)) / mean)
        deff = float(n * np.sum(w**2) / total**2)
        summary = next((a.summary for a in reversed(design.adjustments)
                        if isinstance(getattr(a, "summary", None), CalibrationSummary)), None)
        if summary is not None:
            margins = summary.margins.copy()
            margins["difference"] = margins["weighted"] - margins["target"]
            margins["relative_difference"] = margins["difference"] / margins["target"].where(margins["target"] != 0)
            method, iterations, converged = summary.method, summary.iterations, summary.converged
        else:
            margins = pd.DataFrame(columns=["variable", "category", "target", "weighted", "n", "difference",
                                            "relative_difference"])
            method, iterations, converged = "design weights", None, True
        return cls(method=method, n=n, sum_weights=total, min=float(w.min()), max=float(w.max()),
                   ratio=float(w.max() / w.min()), mean=mean, cv=cv, kish_deff=deff, effective_n=n / deff,
                   margins=margins, iterations=iterations, converged=converged)

    def to_dict(self) -> dict:
        margins = [{k: (v.item() if isinstance(v, np.generic) else v) for k, v in row.items()}
                   for row in self.margins.to_dict(orient="records")]
        for row in margins:
            if isinstance(row.get("category"), tuple):
                row["category"] = list(row["category"])
        return {
            "method": self.method, "n": self.n, "sum_weights": self.sum_weights, "min": self.min,
            "max": self.max, "ratio": self.ratio, "mean": self.mean, "cv": self.cv,
            "kish_deff": self.kish_deff, "effective_n": self.effective_n, "iterations": self.iterations,
            "converged": self.converged, "margins": margins,
        }

    def to_text(self) -> str:
        lines = [
            f"Weighting: {self.method}" + (f", {self.iterations} iterations" if self.iterations else ""),
            f"  respondents {self.n}, sum of weights {self.sum_weights:,.1f}",
            f"  weights {self.min:,.3f} … {self.max:,.3f} (max/min {self.ratio:.2f}), CV {self.cv:.3f}",
            f"  Kish design effect {self.kish_deff:.3f}, effective n {self.effective_n:.1f}",
        ]
        if len(self.margins):
            lines.append("  margin                      target        weighted     n")
            for row in self.margins.itertuples():
                label = f"{row.variable}={row.category}" if row.category is not None else str(row.variable)
                lines.append(f"  {label:<26} {row.target:>12,.1f} {row.weighted:>14,.1f} {row.n:>5}")
        return "\n".join(lines)

    def __str__(self) -> str:
        return self.to_text()


# -- the study's default weighting ----------------------------------------------------------------


@dataclass(frozen=True)
class StudyWeights:
    """The result of :func:`weight_study`: the weighted design, the weights and their report."""

    design: SurveyDesign
    weights: pd.Series
    report: WeightReport


def weight_study(
    frame: pd.DataFrame,
    instrument=None,
    targets: pd.DataFrame | None = None,
    *,
    method: str = "poststratify",
    epsilon: float = 1.0,
    max_iter: int = 100,
) -> StudyWeights:
    """Weight the study to the population by sex × age group, as the report says it did.

    ``targets`` is a table with columns ``sex`` (the sex question's codes), ``age_group`` (instrument codes) and
    ``population``; by default SSB's population 25-60 on 1 January 2025 (the shipped
    :func:`~fjernarbeid.refdata.population_targets`). ``method="poststratify"`` (default) uses
    the 14 sex × age cells; ``method="rake"`` meets only the sex and the age margins (use it when
    a cell is empty). Age group is derived from the birth year when the frame lacks it.
    """
    from fjernarbeid.data.derive import derive
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.refdata import population_targets

    instrument = instrument or load_instrument()
    targets = population_targets() if targets is None else targets
    sex = instrument.question_for_role("sex").name
    if "age_group" not in frame.columns:  # derive age and age group only (as the instrument defines them)
        needed = {"age_group"} | {d.source for d in instrument.derived if d.name == "age_group"}
        only_age = replace(instrument, derived=tuple(d for d in instrument.derived if d.name in needed))
        frame = derive(frame, only_age)
    for col in (sex, "age_group"):
        if col not in frame.columns:
            raise DataValidationError(f"weighting needs column {col!r}, which the data do not have")
    design = svydesign(frame.reset_index(drop=True))
    table = targets.rename(columns={"sex": sex})[[sex, "age_group", "population"]]
    if method == "poststratify":
        try:
            weighted = poststratify(design, [sex, "age_group"], table, column="population")
        except ComputationError as exc:
            codes = instrument.value_labels("en")
            legend = "; ".join(f"{v}: " + ", ".join(f"{c} = {label}" for c, label in codes.get(v, {}).items())
                               for v in (sex, "age_group"))
            raise ComputationError(f"{exc} (codes — {legend}). Raking (method='rake'; on the command line "
                                   "`--weighting rake`) needs only the sex and the age margins") from None
    elif method == "rake":
        margins = {sex: table.groupby(sex)["population"].sum(), "age_group": table.groupby("age_group")["population"].sum()}
        weighted = rake(design, margins, epsilon=epsilon, max_iter=max_iter)
    else:
        raise ValueError(f"method must be 'poststratify' or 'rake', not {method!r}")
    weights = pd.Series(weighted.weights, index=frame.index, name="weight")
    return StudyWeights(design=weighted, weights=weights, report=WeightReport.from_design(weighted))


__all__ = [
    "CALFUNS", "CalibrationSummary", "StudyWeights", "WeightReport", "calibrate", "poststratify", "rake",
    "weight_study",
]

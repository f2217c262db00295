"""One function per analysis type of the findings catalogue.

Each takes the weighted design (its data already cleaned: "not sure" codes and skipped questions
are missing, see :func:`fjernarbeid.findings.run.analysis_frame`), the finding and a context, and
fills a :class:`FindingResult`: estimates, tests with an effect size, tables for the report, the
values its sentence needs, and the replication checks. Domains keep the whole design (R's
``subset``): a base is a domain, never a filtered data frame.
"""

from __future__ import annotations

import weakref
from concurrent.futures import Future

from dataclasses import dataclass, field, replace
from typing import Any, Callable

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError
from fjernarbeid.findings import verdict as V
from fjernarbeid.findings.catalogue import Catalogue, Finding
from fjernarbeid.findings.projection import ProjectionBase, default_base, project
from fjernarbeid.findings.results import EstimateRow, FindingResult, Table, TestRow
from fjernarbeid.i18n import message
from fjernarbeid.instrument import Instrument
from fjernarbeid.survey.association import _spearman_and_trend, coded_column, svychisq, svycor
from fjernarbeid.survey.compare import svyprop_diff, svyttest_groups
from fjernarbeid.survey.design import SurveyDesign, whole_number_codes
from fjernarbeid.survey.estimate import Estimates, GroupIndex, svymean, svymean_groups, svyprop, svyprop_union, svyprop_union_applies
from fjernarbeid.survey.models import svyolr
from fjernarbeid.survey.scale import cronbach_alpha


@dataclass
class Context:
    instrument: Instrument
    catalogue: Catalogue
    lang_labels: Callable[[str, Any], dict[str, str]]  # (variable, code) → {"nb": …, "en": …}
    min_cell: int = 5
    level: float = 0.95
    lang: str = "nb"  # language of labels in tables
    base: ProjectionBase = field(default_factory=default_base)
    fieldwork: Any = None  # FieldworkSummary, a Future of one (the log still being read), or None
    values: dict[str, Any] = field(default_factory=dict)  # sentence values of the finding being run
    # variable → (design, weak reference to the base domain, rows, svyprop estimates) of
    # :func:`base_distribution`, and ("multiple", variable) → (design, rows) of :func:`multiple_response_rows`,
    # computed once per run
    distributions: dict[str | tuple[str, str], tuple] = field(default_factory=dict, repr=False)


# -- small helpers -----------------------------------------------------------------------------------


def _col(design: SurveyDesign, name: str) -> pd.Series:
    return design.column(name)


def _with(design: SurveyDesign, **columns) -> SurveyDesign:
    return replace(design, data=design.data.assign(**columns))


def _numbers(design: SurveyDesign, name: str) -> np.ndarray:
    """The column as floats, NaN where it is missing or not a number (``pd.to_numeric(errors="coerce")``);
    a column of text (a county number read as text) is converted once per distinct value."""
    series = _col(design, name)
    if isinstance(series.dtype, np.dtype) and series.dtype.kind == "f":
        return series.to_numpy(dtype=float, copy=True)  # a copy: callers may write into it
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    codes, uniques = pd.factorize(series, use_na_sentinel=True)
    values = pd.to_numeric(pd.Series(uniques, dtype=object), errors="coerce").astype("Float64")
    return np.append(values.to_numpy(dtype=float, na_value=np.nan), np.nan)[codes]  # code −1 (missing): NaN


def _count(design: SurveyDesign, mask: np.ndarray) -> int:
    return int((mask & design.in_domain).sum())


def share_of(design: SurveyDesign, variable: str, codes, name: str, label: str, ctx: Context,
             where: np.ndarray | None = None, distribution: Estimates | None = None) -> EstimateRow:
    """Weighted share of ``codes`` among those who answered ``variable`` (in ``where``), logit CI.

    ``distribution``: the shares of every code among those who answered (``design`` being that
    base); the share of several codes is then their sum, with the variance from its covariance
    matrix (:func:`svyprop_union`), and no new pass over the rows."""
    x = _numbers(design, variable)
    known = ~np.isnan(x)
    answered = known if where is None else known & where
    if not (answered & design.in_domain).any():
        raise ComputationError(f"nobody in the base answered {variable}")
    hit = np.isin(x, list(codes))
    if distribution is not None and where is None and svyprop_union_applies(distribution):
        est = svyprop_union(distribution, list(codes), design)
        return _row(name, label, est, _count(design, hit) < ctx.min_cell)
    indicator = np.where(known, hit.astype(float), np.nan)
    d = _with(design, __share__=indicator).domain(answered & design.in_domain)
    props = svyprop(d, "__share__", categories=[0.0, 1.0], level=ctx.level)
    est = props[1.0]
    hits = _count(d, hit)
    return _row(name, label, est, hits < ctx.min_cell)


def _row(name: str, label: str, est, suppressed: bool) -> EstimateRow:
    return EstimateRow(name=name, label=label, estimate=est.estimate, se=est.se, ci_low=est.ci_low,
                       ci_high=est.ci_high, n_unweighted=est.n_unweighted, weighted_base=est.weighted_base,
                       deff=est.deff, suppressed=suppressed)


def distribution_rows(design: SurveyDesign, variable: str, ctx: Context) -> list[EstimateRow]:
    """Weighted share of every substantive code of a question (missing codes are NA already)."""
    return _distribution(design, variable, ctx)[0]


def _distribution(design: SurveyDesign, variable: str, ctx: Context) -> tuple[list[EstimateRow], Estimates]:
    """:func:`distribution_rows` and the :func:`svyprop` estimates they come from."""
    q = ctx.instrument[variable] if variable in ctx.instrument else None
    codes = list(q.substantive_codes) if q else sorted(pd.to_numeric(_col(design, variable)).dropna().unique())
    x = _numbers(design, variable)
    answered = x[design.in_domain]
    if np.isnan(answered).all():
        raise ComputationError(f"nobody in the base answered {variable}")
    props = svyprop(design, variable, categories=[float(c) for c in codes], level=ctx.level)
    rows = []
    for code in codes:
        est = props[float(code)]
        hits = int(np.count_nonzero(answered == code))
        rows.append(_row(f"cat{int(code)}", ctx.lang_labels(variable, code)[ctx.lang], est, hits < ctx.min_cell))
    return rows, props


def base_distribution(design: SurveyDesign, variable: str, ctx: Context) -> tuple[SurveyDesign, list[EstimateRow]]:
    """The base of ``variable`` (everyone in ``design`` who answered it) and the share of each of its codes.

    Findings and the report's table of every question need the same distributions; each is
    computed once per run (and design) and then reused.
    """
    cached = ctx.distributions.get(variable)
    if cached is not None and cached[0] is design:
        d = cached[1]()
        if d is None:  # the findings that used it are done with it: the same domain again
            d = _base_domain(design, variable)
            ctx.distributions[variable] = (design, weakref.ref(d), *cached[2:])
        return d, cached[2]
    d = _base_domain(design, variable)
    rows, props = _distribution(d, variable, ctx)
    # The domain is held only while a finding holds it: it keeps weights and codes of every row (about
    # 7 MB at 300,000 rows), and 21 of them kept for the whole run were most of the findings' memory —
    # pages the kernel zeroes anew. The distribution itself is kept; the domain is made again if needed.
    ctx.distributions[variable] = (design, weakref.ref(d), rows, props)
    return d, rows


def _base_domain(design: SurveyDesign, variable: str) -> SurveyDesign:
    """Everyone in ``design`` who answered ``variable``."""
    return design.domain(_col(design, variable).notna().to_numpy() & design.in_domain)


def _base_shares(design: SurveyDesign, variable: str, ctx: Context) -> Estimates | None:
    """The :func:`svyprop` estimates behind :func:`base_distribution` (after it ran on ``design``)."""
    cached = ctx.distributions.get(variable)
    return cached[3] if cached is not None and cached[0] is design and len(cached) > 3 else None


def distribution_table(rows: list[EstimateRow], variable: str) -> Table:
    return Table(
        name=f"distribution:{variable}",
        columns=["code", "label", "share", "ci_low", "ci_high", "se", "n_unweighted", "suppressed"],
        rows=[[int(r.name[3:]), r.label, None if r.suppressed else r.estimate, None if r.suppressed else r.ci_low,
               None if r.suppressed else r.ci_high, None if r.suppressed else r.se, r.n_unweighted, r.suppressed]
              for r in rows],
    )


def estimates_table(rows: list[EstimateRow]) -> Table:
    return Table("estimates", ["label", "share", "ci", "n_unweighted", "deff", "suppressed"],
                 [[r.label, None if r.suppressed else r.estimate,
                   None if r.suppressed else [r.ci_low, r.ci_high], r.n_unweighted, r.deff, r.suppressed] for r in rows])


def tests_table(tests: list[TestRow]) -> Table:
    return Table("tests", ["name", "test", "statistic", "df", "p", "effect", "effect_value"],
                 [[t.name, t.method, t.statistic, list(t.df) if t.df else None, t.p, t.effect_name, t.effect]
                  for t in tests])


def short_label(ctx: Context, variable: str, width: int = 34) -> str:
    """'6_1 Det er like effektivt å jobbe…': the question number and the start of its text, for charts."""
    if variable not in ctx.instrument:
        return variable
    q = ctx.instrument[variable]
    text = q.label(ctx.lang)
    if len(text) > width:
        text = text[: width - 1].rsplit(" ", 1)[0] + "…"
    return f"{q.number} {text}"


def _check_estimate(res: FindingResult, name: str, pub: dict) -> None:
    try:
        e = res.estimate(name)
    except KeyError:
        res.checks.append(V.check_share(name, pub, None, None).to_dict())
        return
    if e.suppressed:
        res.checks.append(V.check_share(name, pub, None, None).to_dict())
    else:
        res.checks.append(V.check_share(name, pub, e.estimate, (e.ci_low, e.ci_high)).to_dict())


# -- analyses ------------------------------------------------------------------------------------------


def run_fieldwork(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    fw = ctx.fieldwork.result() if isinstance(ctx.fieldwork, Future) else ctx.fieldwork
    if fw is None:
        raise ComputationError("no disposition log was given (--dispositions), so the fieldwork cannot be summarised")
    s1, s2 = (list(fw.screened_out.items()) + [(None, None), (None, None)])[:2]
    values = {"contacts": fw.contacts, "screened_s1": s1[1], "screened_s2": s2[1], "completes": fw.completes}
    for key, pub in f.published.items():
        res.checks.append(V.check_exact(key, pub, values.get(key)).to_dict())
    res.tables.append(Table("estimates_fieldwork", ["name", "count"], [[k, v] for k, v in values.items()]))
    ctx.values.update(values)
    shares = list(fw.screened_out_share.values()) + [None, None]
    ctx.values.update({"screened_s1_pct": shares[0], "screened_s2_pct": shares[1]})


def run_distribution(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    var = f.spec["variable"]
    d, rows = base_distribution(design, var, ctx)
    res.estimates.extend(rows)
    res.tables.append(distribution_table(rows, var))
    res.base = {"variable": var, "n_unweighted": rows[0].n_unweighted, "weighted_base": rows[0].weighted_base}
    for s in f.spec.get("sets") or []:
        cs = ctx.catalogue.code_sets[s]
        res.estimates.append(share_of(d, var, cs.codes, s, cs.label(ctx.lang), ctx,
                                      distribution=_base_shares(design, var, ctx)))
    visible = [r for r in rows if not r.suppressed]
    if visible:
        mode = max(visible, key=lambda r: r.estimate)
        ctx.values["mode_label"] = {lang: text.lower() for lang, text in ctx.lang_labels(var, int(mode.name[3:])).items()}
        # the label as written ("Kvam", "Vg2"): a sentence that quotes the answer keeps its capitals
        ctx.values["mode_answer"] = dict(ctx.lang_labels(var, int(mode.name[3:])))
        ctx.values["mode"] = mode.estimate
    for key, pub in f.published.items():
        if key == "mode_in":
            ok_mode = int(mode.name[3:]) in pub if visible else None
            res.checks.append(V.Check("mode", f"most common answer is one of {pub}", pub,
                                      int(mode.name[3:]) if visible else None, ok_mode).to_dict())
        else:
            _check_estimate(res, key, pub)


def run_shares(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    var = f.spec["variable"]
    d, dist = base_distribution(design, var, ctx)
    res.tables.append(distribution_table(dist, var))
    for s in f.spec.get("sets") or []:
        cs = ctx.catalogue.code_sets[s]
        res.estimates.append(share_of(d, var, cs.codes, s, cs.label(ctx.lang), ctx,
                                      distribution=_base_shares(design, var, ctx)))
    res.base = {"variable": var, "n_unweighted": dist[0].n_unweighted, "weighted_base": dist[0].weighted_base}
    for s in f.spec.get("project") or []:
        e = res.estimate(s)
        if e.suppressed:
            continue
        p = project(e.estimate, (e.ci_low, e.ci_high), ctx.base, n_unweighted=e.n_unweighted)
        res.projections.append({"of": s, **p.to_dict()})
        ctx.values[f"{s}_workers"] = (p.low, p.high)
    for s_name in f.spec.get("project") or []:
        for group_var in f.spec.get("project_by") or []:
            _project_by_group(d, var, ctx.catalogue.code_sets[s_name].codes, s_name, group_var, res, ctx)
    for key, pub in f.published.items():
        if key.endswith("_workers"):
            proj = next((p for p in res.projections if f"{p['of']}_workers" == key), None)
            res.checks.append(V.check_interval(key, pub, proj and proj["low"], proj and proj["high"]).to_dict())
        else:
            _check_estimate(res, key, pub)
    res.tables.append(estimates_table(res.estimates))


def _project_by_group(d: SurveyDesign, var: str, codes, set_name: str, group_var: str, res: FindingResult,
                      ctx: Context) -> None:
    """Workers in each group (e.g. centrality class) for whom ``var`` is in ``codes``.

    The share projected is the *joint* share — in group g and answering ``codes`` — among everyone
    who answered, so its CI carries the uncertainty of both the group's size and its answers and
    no population figure per group is needed. Groups with few respondents get a warning.

    Every group's joint share is a category of one variable (0: not in ``codes`` or in no group,
    i + 1: in ``codes`` and in group i), so one :func:`svyprop` gives them all: each category's
    share and standard error are those of its own 0/1 indicator.
    """
    if group_var not in d.data.columns:
        return
    x = _numbers(d, var)
    answered = ~np.isnan(x)
    groups = _numbers(d, group_var)
    found, group = _groups_present(groups, d.in_domain)  # sorted; index into ``found`` per row, −1: none
    in_codes = np.isin(x, list(codes))
    joint = np.where(answered, np.where(in_codes & (group >= 0), group + 1, 0), np.nan).astype(float)
    props = svyprop(_with(d, __joint__=joint), "__joint__", categories=[float(i) for i in range(found.size + 1)],
                    level=ctx.level)
    counted = (group + 1) * d.in_domain  # the row's group + 1 in the domain, 0: none
    n_groups = np.bincount(counted * answered, minlength=found.size + 1)[1:]
    hits_of = np.bincount(counted * in_codes, minlength=found.size + 1)[1:]
    names = d.data.get(f"{group_var}_name")  # e.g. county_name beside the county number
    name_of: dict[int, str] = {}
    if names is not None:  # each group's first name given, in the order of the rows
        named = np.flatnonzero(names.notna().to_numpy() & (group >= 0))
        present, first = np.unique(group[named], return_index=True)
        name_of = {int(i): str(names.iloc[named[j]]) for i, j in zip(present, first)}
    rows = []
    for i, g in enumerate(found):
        est = props[float(i + 1)]
        n_group = int(n_groups[i])
        label = name_of.get(i, ctx.lang_labels(group_var, int(g))[ctx.lang])
        if hits_of[i] < ctx.min_cell:
            rows.append([label, n_group, None, None, None, "suppressed" if ctx.lang == "en" else "skjult", True])
            continue
        p = project(est.estimate, (est.ci_low, est.ci_high), ctx.base, n_unweighted=n_group)
        res.projections.append({"of": set_name, "group": {"variable": group_var, "code": int(g), "label": label},
                                **p.to_dict()})
        note = ""
        if p.warning:
            note = message("findings", "small_group_projection", ctx.lang, n=n_group)
        rows.append([label, n_group, est.estimate, round(p.low, -2), round(p.high, -2), note, False])
    res.tables.append(Table(f"estimates_projection:{group_var}", ["group", "n_unweighted", "share", "low", "high",
                                                                  "note", "suppressed"], rows))


def _groups_present(values: np.ndarray, in_domain: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """The distinct numbers among the domain's rows (sorted, NaN left out) and each row's index into them
    (−1: NaN or a number not in the domain); answer codes (whole numbers) by a count, others by sorting."""
    coded = whole_number_codes(values)
    if coded is None:
        found = np.unique(values[in_domain & ~np.isnan(values)])
        at = np.minimum(np.searchsorted(found, values), max(found.size - 1, 0))
        return found, np.where((found.size > 0) & (found[at] == values), at, -1)
    codes, levels = coded
    present = np.bincount((codes + 1) * in_domain, minlength=levels.size + 1)[1:] > 0
    index = np.append(np.where(present, np.cumsum(present) - 1, -1), -1)  # code −1 (NaN) picks the last: −1
    return levels[present], index[codes]


def run_correlation(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    x, y = f.spec["x"], f.spec["y"]
    test = _spearman(design, x, y, ctx)
    res.tests.append(test)
    res.checks.append(V.check_association(f"rho({x},{y})", f.published, test.effect, test.p).to_dict())
    ctx.values.update({"rho": test.effect, "p": test.p, "direction_word": _direction_word(test.effect)})
    res.tables.append(tests_table(res.tests))


def _spearman(design, x: str, y: str, ctx: Context, name: str | None = None) -> TestRow:
    return _spearman_row(svycor(design, x, y, method="spearman", level=ctx.level), name or f"rho({x},{y})")


def _spearman_row(r, name: str) -> TestRow:
    return TestRow(name=name, method="weighted Spearman correlation, linearised t test",
                   statistic=r.statistic, df=[r.df], p=r.p_value, effect_name="Spearman rho", effect=r.estimate,
                   effect_ci_low=r.ci_low, effect_ci_high=r.ci_high)


def _direction_word(effect: float) -> dict[str, str]:
    if effect < 0:
        return {"nb": "negativ", "en": "negative"}
    return {"nb": "positiv", "en": "positive"}


def _cramers_v(table: pd.DataFrame) -> float:
    """Cramér's V of the weighted table: sqrt(φ² / (min(r, c) − 1)), φ² = Σ (p_ij − p_i p_j)² / (p_i p_j)."""
    p = table.to_numpy(dtype=float)
    p = p / p.sum()
    expected = np.outer(p.sum(axis=1), p.sum(axis=0))
    with np.errstate(divide="ignore", invalid="ignore"):
        phi2 = np.nansum((p - expected) ** 2 / expected)
    k = min(p.shape) - 1
    return float(np.sqrt(phi2 / k)) if k > 0 else float("nan")


def run_crosstab(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    row, col = f.spec["row"], f.spec["col"]
    both = _col(design, row).notna().to_numpy() & _col(design, col).notna().to_numpy()
    d = design.domain(both & design.in_domain)
    test = svychisq(d, row, col, statistic="F")
    v = _cramers_v(test.table)
    res.tests.append(TestRow(name=f"{row}×{col}", method="Rao-Scott second-order corrected F (svychisq)",
                             statistic=test.statistic, df=[test.ndf, test.ddf], p=test.p_value,
                             effect_name="Cramér's V (weighted)", effect=v))
    res.tests.append(TestRow(name=f"{row}×{col} (Pearson)", method="uncorrected Pearson chi-square",
                             statistic=test.pearson, df=[(test.table.shape[0] - 1) * (test.table.shape[1] - 1)],
                             p=None))
    # column percentages: the distribution of `row` within each group of `col` (both columns as numbers
    # once, for the table and the difference in shares)
    x, groups = _numbers(d, row), _numbers(d, col)
    res.tables.append(Table("crosstab_colpct", ["group", "code", "label", "share", "n_unweighted", "suppressed"],
                            _column_shares(d, row, col, ctx, x, groups)))
    effect = v
    direction = f.spec.get("direction")
    if direction:
        longer = np.where(np.isnan(x), np.nan, np.isin(x, direction["share_of"]))
        group = np.where(groups == direction["first"], 1.0, np.where(groups == direction["second"], 0.0, np.nan))
        dd = _with(d, __y__=longer, __g__=group)
        diff = svyprop_diff(dd, "__y__", "__g__", value=1.0, level=ctx.level)
        # svyprop_diff is second level minus first level (0 then 1): group 1 (first) minus group 0
        effect = diff.estimate
        res.tests.append(TestRow(name="difference in share", method="difference in weighted proportions, linearised t",
                                 statistic=diff.statistic, df=[diff.df], p=diff.p_value,
                                 effect_name="difference (first − second group)", effect=diff.estimate,
                                 effect_ci_low=diff.ci_low, effect_ci_high=diff.ci_high))
        ctx.values["longer_first"] = diff.means[1]
        ctx.values["longer_second"] = diff.means[0]
    res.checks.append(V.check_association(f"{row}×{col}", f.published, effect, test.p_value).to_dict())
    ctx.values["test"] = {"F": test.statistic, "ndf": test.ndf, "ddf": test.ddf, "p": test.p_value}
    res.tables.append(tests_table(res.tests))


def _column_shares(d: SurveyDesign, row: str, col: str, ctx: Context, x: np.ndarray | None = None,
                   groups: np.ndarray | None = None) -> list[list]:
    """Rows (group label, code, code label, share, n answering in the group, suppressed) of the
    weighted distribution of ``row`` within each group of ``col``: the shares of :func:`svyprop` in
    each group's domain, from one weighted count per (group, code) — the table shows no intervals.
    ``x``, ``groups``: the two columns as numbers (:func:`_numbers`), when the caller has them."""
    x = _numbers(d, row) if x is None else x
    groups = _numbers(d, col) if groups is None else groups
    q = ctx.instrument[row] if row in ctx.instrument else None
    in_d = d.in_domain & ~np.isnan(x) & ~np.isnan(groups)
    codes = [float(c) for c in (q.substantive_codes if q else np.unique(x[in_d]))]
    present = np.unique(groups[in_d])
    if not np.isin(x[in_d], codes).all():  # values outside the codes: svyprop says which
        rows_out = []
        for g in present:
            dg = d.domain((groups == g) & d.in_domain)
            for r in distribution_rows(dg, row, ctx):
                code = int(r.name[3:])
                rows_out.append([ctx.lang_labels(col, int(g))[ctx.lang], code, r.label,
                                 None if r.suppressed else r.estimate, r.n_unweighted,
                                 bool(_count(dg, x == code) < ctx.min_cell)])
        return rows_out
    rows = np.flatnonzero(in_d)
    gi = _index_in(groups[rows], present)
    ci = _index_in(x[rows], np.asarray(codes))  # the questionnaire's order of the codes need not be sorted
    k = len(codes)
    cell = gi * k + ci
    weight = np.bincount(cell, weights=d.weights[rows], minlength=present.size * k).reshape(present.size, k)
    count = np.bincount(cell, minlength=present.size * k).reshape(present.size, k)
    rows_out = []
    for i, g in enumerate(present):
        total, answered = weight[i].sum(), int(count[i].sum())
        for j, code in enumerate(codes):
            hidden = bool(count[i, j] < ctx.min_cell)
            rows_out.append([ctx.lang_labels(col, int(g))[ctx.lang], int(code),
                             ctx.lang_labels(row, int(code))[ctx.lang],
                             None if hidden else float(weight[i, j] / total), answered, hidden])
    return rows_out


def _index_in(values: np.ndarray, targets: np.ndarray) -> np.ndarray:
    """The position in ``targets`` (distinct numbers) of each of ``values``, which are all among them.
    Answer codes, whole numbers from 0, are looked up in a table by their value: a binary search of
    every row (np.searchsorted) costs several times more."""
    whole = targets.astype(np.intp) if targets.size else targets
    if targets.size and whole.min() >= 0 and whole.max() < 1 << 16 and np.array_equal(whole, targets):
        table = np.zeros(int(whole.max()) + 1, dtype=np.intp)
        table[whole] = np.arange(targets.size)
        return table[values.astype(np.intp)]
    order = np.argsort(targets)
    return order[np.searchsorted(targets[order], values)]


def _group_indicator(design, spec: dict) -> np.ndarray:
    by = _numbers(design, spec["by"])
    first = np.isin(by, spec["first"])
    second = np.isin(by, spec["second"])
    return np.where(first, 1.0, np.where(second, 0.0, np.nan))


def _mean_row(design, variable: str, mask: np.ndarray, ctx: Context):
    d = design.domain(mask & design.in_domain & _col(design, variable).notna().to_numpy())
    if not d.in_domain.any():
        return None
    return svymean(d, variable, level=ctx.level)


def _group_label(ctx: Context, by: str, codes) -> str:
    """The group's answer labels; for a yes/no indicator (e.g. home office 3+ days) also its name."""
    text = ", ".join(ctx.lang_labels(by, c)[ctx.lang] for c in codes)
    try:
        derived = ctx.instrument.derived_variable(by)
    except KeyError:
        return text
    return f"{derived.label(ctx.lang)}: {text.lower()}" if derived.kind == "condition" else text


def run_compare_means(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    spec = f.spec["groups"]
    g = _group_indicator(design, spec)
    outcomes = f.spec.get("outcomes") or [f.spec["outcome"]]
    first_label, second_label = (_group_label(ctx, spec["by"], spec[k]) for k in ("first", "second"))
    means = []
    for y in outcomes:
        # the test (second mask minus first: first group − second group) and both groups' means, from
        # one computation of the two means' covariance matrix; each group's df counts its rows with an answer
        answered = _col(design, y).notna().to_numpy()
        index = (g == 0.0) + 2 * (g == 1.0)  # 1, 2; 0: neither
        index *= answered
        diff, (second, first) = svyttest_groups(design, y, GroupIndex(index - 1, 2), names=(0.0, 1.0),
                                                level=ctx.level)
        res.tests.append(TestRow(name=y, method="design-based t test of the difference in means (svyttest)",
                                 statistic=diff.statistic, df=[diff.df], p=diff.p_value,
                                 effect_name="difference in means (first − second group)", effect=diff.estimate,
                                 effect_ci_low=diff.ci_low, effect_ci_high=diff.ci_high))
        res.estimates.append(EstimateRow(name=f"{y}:d", label=f"{y}: standardised difference",
                                         estimate=diff.effect_size))
        pub = f.published.get(y) if y in f.published else (f.published if "significant" in f.published or "expect" in f.published else None)
        if pub is not None:
            res.checks.append(V.check_association(y, pub, diff.estimate, diff.p_value).to_dict())
        ctx.values[y] = {"diff": diff.estimate, "p": diff.p_value, "d": diff.effect_size}
        for label, m in zip((first_label, second_label), (first, second)):
            means.append([short_label(ctx, y), label,
                          None if m is None else m.estimate, None if m is None else m.ci_low,
                          None if m is None else m.ci_high, None if m is None else m.n_unweighted])
    res.tables.append(Table("group_means", ["outcome", "group", "mean", "ci_low", "ci_high", "n_unweighted"], means))
    res.tables.append(tests_table(res.tests))
    ctx.values["summary"] = res.tests


def run_trend(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    x = f.spec["x"]
    x_codes = f.spec.get("x_codes")
    x_values = _numbers(design, x)
    usable = ~np.isnan(x_values) if not x_codes else np.isin(x_values, x_codes)
    codes = x_codes or list(np.unique(x_values[~np.isnan(x_values)]))
    groups = GroupIndex.of_values(x_values, codes)  # the same groups and codes of x for every outcome
    coded_x = coded_column(design, x)
    means = []
    for y in f.spec["outcomes"]:
        ok = usable & _col(design, y).notna().to_numpy()
        d = design.domain(ok & design.in_domain)
        # the correlation and the trend from one reading of the columns (and the cells of pairs of answers)
        cor, tr = _spearman_and_trend(d, x, y, ctx.level, coded_x, complete=True)
        rho = _spearman_row(cor, name=y)
        res.tests.append(rho)
        res.tests.append(TestRow(name=f"{y} trend", method=f"linear trend of {y} across {x} (svyglm slope)",
                                 statistic=tr.statistic, df=[tr.df], p=tr.p_value,
                                 effect_name="slope per category", effect=tr.slope))
        pub = f.published.get(y)
        if pub is not None:
            res.checks.append(V.check_association(y, pub, rho.effect, rho.p).to_dict())
        ctx.values[y] = {"rho": rho.effect, "p": rho.p}
        # :func:`_mean_row` of every group of x, estimated together; every row of d's domain has y, so
        # the groups need not be narrowed to those who answered
        for c, m in zip(codes, svymean_groups(d, y, groups, level=ctx.level)):
            means.append([short_label(ctx, y), ctx.lang_labels(x, int(c))[ctx.lang],
                          None if m is None else m.estimate, None if m is None else m.ci_low,
                          None if m is None else m.ci_high, None if m is None else m.n_unweighted])
    res.tables.append(Table("trend_means", ["outcome", "group", "mean", "ci_low", "ci_high", "n_unweighted"], means))
    sub = f.spec.get("subgroup_share")
    if sub:
        where = np.ones(design.n, dtype=bool)
        for var, codes in sub["where"].items():
            where = where & np.isin(x_values if var == x else _numbers(design, var), codes)
        cs = ctx.catalogue.code_sets[sub["set"]]
        e = share_of(design, sub["variable"], cs.codes, "subgroup_share", cs.label(ctx.lang), ctx, where=where)
        res.estimates.append(e)
        ctx.values["subgroup_share"] = e
        if "subgroup_share" in f.published:
            _check_estimate(res, "subgroup_share", f.published["subgroup_share"])
    res.tables.append(tests_table(res.tests))
    ctx.values["summary"] = [t for t in res.tests if not t.name.endswith("trend")]


def build_index_column(design, f: Finding, ctx: Context) -> pd.Series:
    from fjernarbeid.survey.scale import index_from_instrument

    return index_from_instrument(design.data, ctx.instrument, f.spec["items"], reverse=f.spec.get("reverse", ()),
                                 method=f.spec.get("method", "mean"), min_items=f.spec.get("min_items"),
                                 name=f.spec["name"])


def run_index(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    items = f.spec["items"]
    q = ctx.instrument[items[0]]
    a = cronbach_alpha(design, items, reverse=f.spec.get("reverse", ()), scale_min=min(q.substantive_codes),
                       scale_max=max(q.substantive_codes), level=ctx.level)
    res.estimates.append(EstimateRow(name="alpha", label="Cronbach's alpha (weighted)", estimate=a.alpha, se=a.se,
                                     ci_low=a.ci_low, ci_high=a.ci_high, n_unweighted=a.n))
    idx = _col(design, f.spec["name"])
    m = _mean_row(design, f.spec["name"], idx.notna().to_numpy(), ctx)
    if m is not None:
        res.estimates.append(EstimateRow(name="index_mean", label=f"mean of {f.spec['name']}", estimate=m.estimate,
                                         se=m.se, ci_low=m.ci_low, ci_high=m.ci_high, n_unweighted=m.n_unweighted,
                                         weighted_base=m.weighted_base, deff=m.deff))
    items_tab = a.items.reset_index()
    res.tables.append(Table("estimates_items", ["item", "mean", "sd", "alpha_if_deleted", "item_rest_r"],
                            items_tab[["item", "mean", "sd", "alpha_if_deleted", "item_rest_r"]].values.tolist()))
    if "alpha" in f.published:
        res.checks.append(V.check_value("alpha", f.published["alpha"], a.alpha).to_dict())
    word = ({"nb": "svært god", "en": "very good"} if a.alpha >= 0.9 else {"nb": "god", "en": "good"} if a.alpha >= 0.8
            else {"nb": "akseptabel", "en": "acceptable"} if a.alpha >= 0.7 else {"nb": "svak", "en": "weak"})
    ctx.values.update({"alpha": a.alpha, "alpha_ci": (a.ci_low, a.ci_high), "consistency_word": word})
    res.base = {"n_unweighted": a.n, "items": items}


def run_ordinal_model(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    y = f.spec["outcome"]
    preds = f.spec["predictors"]
    ok = _col(design, y).notna().to_numpy()
    for p in preds:
        ok = ok & _col(design, p).notna().to_numpy()
    d = design.domain(ok & design.in_domain)
    fit = svyolr(d, f"{y} ~ {' + '.join(preds)}")
    tab = fit.table()
    ors = fit.odds_ratios(ctx.level)
    for p in preds:
        row = tab.loc[p]
        res.tests.append(TestRow(name=p, method="proportional-odds model (svyolr), design-based t test",
                                 statistic=float(row["t"]), df=[fit.df_residual], p=float(row["p"]),
                                 effect_name="odds ratio of a higher (less relevant) answer per scale point",
                                 effect=float(ors.loc[p, "odds_ratio"]), effect_ci_low=float(ors.loc[p, "ci_low"]),
                                 effect_ci_high=float(ors.loc[p, "ci_high"])))
        pub = f.published.get(p)
        if pub is not None:
            res.checks.append(V.check_association(p, pub, float(row["estimate"]), float(row["p"])).to_dict())
        ctx.values.update({"or": float(ors.loc[p, "odds_ratio"]),
                           "or_ci": (float(ors.loc[p, "ci_low"]), float(ors.loc[p, "ci_high"])), "p": float(row["p"])})
    res.base = {"n_unweighted": fit.n}
    res.tables.append(tests_table(res.tests))


def run_projection_base(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    b = ctx.base
    res.estimates.append(EstimateRow(name="base_low", label=b.source, estimate=b.low))
    res.estimates.append(EstimateRow(name="base_high", label=b.source, estimate=b.high))
    for key, pub in f.published.items():
        res.checks.append(V.check_interval(key, pub, b.low, b.high).to_dict())
    ctx.values.update({"base_low": b.low, "base_high": b.high})


def multiple_response_rows(design: SurveyDesign, q, ctx: Context) -> list[tuple[EstimateRow, EstimateRow]]:
    """For each substantive choice of the select-multiple question ``q``: the share of respondents
    choosing it and its share of all choices (:func:`~fjernarbeid.survey.estimate.svymultiple`),
    among those who answered (the design's data are the analysis frame: "don't know" and skipped
    answers are missing already). Computed once per run and design."""
    from fjernarbeid.data.multiple import option_indicators
    from fjernarbeid.survey.estimate import svymultiple

    cached = ctx.distributions.get(("multiple", q.name))
    if cached is not None and cached[0] is design:
        return cached[1]
    indicators = option_indicators(_col(design, q.name), q)
    d = _with(design, **{c: indicators[c].to_numpy() for c in indicators.columns})
    rows = []
    for code, choice in zip(q.substantive_codes, svymultiple(d, list(indicators.columns), level=ctx.level)):
        hits = _count(d, indicators[choice.column].to_numpy() == 1)
        label = ctx.lang_labels(q.name, code)[ctx.lang]
        rows.append((_row(f"opt{code}", label, choice.respondents, hits < ctx.min_cell),
                     _row(f"opt{code}_of_choices", label, choice.responses, hits < ctx.min_cell)))
    ctx.distributions[("multiple", q.name)] = (design, rows)
    return rows


def multiple_table(rows: list[tuple[EstimateRow, EstimateRow]], variable: str) -> Table:
    """A multiple-response table in the columns of :func:`distribution_table`, and each choice's share of all choices."""
    return Table(
        name=f"multiple:{variable}",
        columns=["code", "label", "share", "ci_low", "ci_high", "se", "share_of_choices", "n_unweighted",
                 "suppressed"],
        rows=[[int(r.name[3:]), r.label, None if r.suppressed else r.estimate, None if r.suppressed else r.ci_low,
               None if r.suppressed else r.ci_high, None if r.suppressed else r.se,
               None if r.suppressed else c.estimate, r.n_unweighted, r.suppressed] for r, c in rows],
    )


def run_multiple_response(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    """A select-multiple question: the share of respondents choosing each choice (``opt3``: code 3)
    with its CI, and each choice's share of all choices made (``opt3_of_choices``)."""
    var = f.spec["variable"]
    q = ctx.instrument[var] if var in ctx.instrument else None
    if q is None or not q.is_multiple:
        raise ComputationError(f"{var} is not a multiple-choice question of the questionnaire")
    rows = multiple_response_rows(design, q, ctx)
    res.estimates.extend(r for r, _ in rows)
    res.estimates.extend(c for _, c in rows)
    res.tables.append(multiple_table(rows, var))
    res.tables.append(Table(f"estimates_multiple:{var}", ["label", "share", "ci", "share_of_choices", "n_unweighted",
                                                          "suppressed"],
                            [[r.label, None if r.suppressed else r.estimate,
                              None if r.suppressed else [r.ci_low, r.ci_high],
                              None if r.suppressed else c.estimate, r.n_unweighted, r.suppressed] for r, c in rows]))
    res.base = {"variable": var, "n_unweighted": rows[0][0].n_unweighted if rows else 0,
                "weighted_base": rows[0][0].weighted_base if rows else 0.0}
    visible = [r for r, _ in rows if not r.suppressed]
    if visible:
        top = max(visible, key=lambda r: r.estimate)
        code = int(top.name[3:])
        ctx.values["mode_label"] = {lang: text.lower() for lang, text in ctx.lang_labels(var, code).items()}
        ctx.values["mode_answer"] = dict(ctx.lang_labels(var, code))
        ctx.values["mode"] = top.estimate
    for key, pub in f.published.items():
        _check_estimate(res, key, pub)


def run_numeric(design, f: Finding, res: FindingResult, ctx: Context) -> None:
    """A number asked as a number (an integer question: age, minutes, days): its weighted mean with the
    standard error and 95 % interval of the design (R ``svymean``), among those who answered it."""
    var = f.spec["variable"]
    x = pd.to_numeric(_col(design, var), errors="coerce")
    answered = x.notna().to_numpy() & design.in_domain
    if not answered.any():
        raise ComputationError(f"nobody in the base answered {var}")
    d = design.domain(answered)
    est = svymean(d, var, level=ctx.level)
    row = EstimateRow(name="mean", label=message("report", "numeric_mean", ctx.lang), estimate=est.estimate,
                      se=est.se, ci_low=est.ci_low, ci_high=est.ci_high, n_unweighted=est.n_unweighted,
                      weighted_base=est.weighted_base, deff=est.deff, suppressed=est.n_unweighted < ctx.min_cell)
    res.estimates.append(row)
    shown = not row.suppressed
    res.tables.append(Table(f"estimates_numeric:{var}", ["label", "mean", "se", "mean_low", "mean_high", "n_unweighted",
                                                         "suppressed"],
                            [[row.label, row.estimate if shown else None, row.se if shown else None,
                              row.ci_low if shown else None, row.ci_high if shown else None, row.n_unweighted,
                              not shown]]))
    res.base = {"variable": var, "n_unweighted": est.n_unweighted, "weighted_base": est.weighted_base}
    if shown:
        ctx.values["mean"], ctx.values["mean_ci"] = est.estimate, (est.ci_low, est.ci_high)
    for key, pub in f.published.items():
        _check_estimate(res, key, pub)


ANALYSIS_FUNCTIONS = {
    "numeric": run_numeric,
    "fieldwork": run_fieldwork,
    "distribution": run_distribution,
    "shares": run_shares,
    "correlation": run_correlation,
    "crosstab": run_crosstab,
    "compare_means": run_compare_means,
    "trend": run_trend,
    "index": run_index,
    "ordinal_model": run_ordinal_model,
    "projection_base": run_projection_base,
    "multiple_response": run_multiple_response,
}

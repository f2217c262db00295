"""Run the findings catalogue on a weighted survey: from a design to :class:`Results`.

>>> from fjernarbeid.findings import run_findings
>>> results = run_findings(frame, weights)          # frame with derived variables
>>> results["P06"].estimate("agree").estimate        # a finding's estimate by name
"""

from __future__ import annotations

import os
import threading
from pathlib import Path
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import replace
from typing import Any, Callable, Iterable

import numpy as np
import pandas as pd

from fjernarbeid import __version__
from fjernarbeid.errors import ComputationError, FjernarbeidError
from fjernarbeid.findings import analyses as A
from fjernarbeid.findings.catalogue import Catalogue, Finding, load_catalogue
from fjernarbeid.findings.projection import ProjectionBase, default_base
from fjernarbeid.findings.results import EstimateRow, FindingResult, Results, Table, TestRow
from fjernarbeid.findings.verdict import NOT_COMPUTED, NOT_PUBLISHED, overall
from fjernarbeid.instrument import Instrument, load_instrument
from fjernarbeid.i18n import SUPPRESSED, message
from fjernarbeid.report.i18n import fmt_ci, fmt_number, fmt_p, fmt_pct, term
from fjernarbeid.survey.design import SurveyDesign, svydesign, whole_number_codes

# From this many rows on, the findings run in two threads (below it, threads would cost more than
# they save: a finding on 10,000 rows takes milliseconds).
PARALLEL_FROM_ROWS = 50_000

# Languages every label and sentence value is given in (a questionnaire's own are added).
LABEL_LANGUAGES = ("nb", "nn", "en")


def analysis_frame(frame: pd.DataFrame, instrument: Instrument) -> pd.DataFrame:
    """A copy where "not sure" codes are missing and answers to skipped questions are dropped,
    so that a question's base is simply its non-missing rows (the report's convention).

    Routing is evaluated on the answers as the questionnaire saw them: a "not sure" answer to a filter
    question is an answer (``${q} != 'x'`` is true for "vet ikke", as in the form and in validation),
    and only an answer the routing itself skipped no longer counts for later questions."""
    out = frame.copy(deep=False)  # copy-on-write: every column replaced below is new, the input untouched
    given = frame.copy(deep=False)  # what the routing reads: skipped answers out, "not sure" codes kept
    for q in instrument.questions:
        if q.name not in out.columns or not q.is_analysed:
            continue
        asked = None
        if q.ask_if is not None:
            asked = q.ask_if.evaluate(given).fillna(False).to_numpy(dtype=bool)
            given[q.name] = given[q.name].where(asked)
        if q.is_multiple:  # codes separated by spaces: "don't know" codes out, the routing applied
            from fjernarbeid.data.multiple import for_analysis

            answers = for_analysis(out[q.name], q)
            out[q.name] = answers if asked is None else answers.where(asked)
            continue
        column = out[q.name]
        if not pd.api.types.is_numeric_dtype(column.dtype):  # a column read as numbers (Int64) is one already
            column = pd.to_numeric(column, errors="coerce")
        x = column.to_numpy(dtype=float, na_value=np.nan, copy=True)
        if q.missing_codes:
            x[np.isin(x, list(q.missing_codes))] = np.nan
        if asked is not None:
            x[~asked] = np.nan
        out[q.name] = x
    return out


def _labeller(instrument: Instrument) -> Callable[[str, Any], dict[str, str]]:
    langs = tuple(dict.fromkeys((*LABEL_LANGUAGES, *instrument.languages)))

    def labels(variable: str, code) -> dict[str, str]:
        code = int(code)
        if variable in instrument:
            q = instrument[variable]
            try:
                c = q.code(code)
                return {lang: c.label(lang) for lang in langs}
            except KeyError:
                pass
        try:
            d = instrument.derived_variable(variable)
            return {lang: d.code_labels(lang).get(code, str(code)) for lang in langs}
        except KeyError:
            return {lang: str(code) for lang in langs}

    return labels


# -- sentences ----------------------------------------------------------------------------------------


class _Values(dict):
    def __missing__(self, key):
        return "–"


def _render(value, lang: str) -> str:
    """A sentence value as text: shares with their CI, tests as 'F = …, p = …', etc."""
    ci_word = message("report", "ci95", lang)
    if isinstance(value, EstimateRow):
        if value.suppressed:
            return SUPPRESSED
        if value.estimate is None:
            return "–"
        return f"{fmt_pct(value.estimate, lang)} ({ci_word} {fmt_ci(value.ci_low, value.ci_high, lang)})"
    if isinstance(value, dict) and set(value) >= {"nb", "en"}:
        return value.get(lang) or (value.get("nb") if lang == "nn" else None) or value["en"]
    if isinstance(value, dict) and "F" in value:
        return (f"Rao–Scott F = {fmt_number(value['F'], lang, 2)}, df = {fmt_number(value['ndf'], lang, 1)} "
                f"{message('sentence', 'and', lang)} {fmt_number(value['ddf'], lang, 0)}, {fmt_p(value['p'], lang)}")
    if isinstance(value, dict) and "diff" in value:
        return (f"{message('sentence', 'difference', lang)} {fmt_number(value['diff'], lang, 2)}, "
                f"d = {fmt_number(value['d'], lang, 2)}, {fmt_p(value['p'], lang)}")
    if isinstance(value, dict) and "rho" in value:
        return f"rho = {fmt_number(value['rho'], lang, 2)}, {fmt_p(value['p'], lang)}"
    if isinstance(value, list) and value and isinstance(value[0], TestRow):
        parts = []
        for t in value:
            name = t.name.split(" ")[0]
            named = f"{term(t.effect_name, lang)} " if t.effect_name else ""  # which statistic the number is
            parts.append(f"{name}: {named}{fmt_number(t.effect, lang, 2)}, {fmt_p(t.p, lang)}")
        return "; ".join(parts)
    if isinstance(value, tuple) and len(value) == 2:
        a, b = value
        if max(abs(a), abs(b)) > 1000:
            return f"{fmt_number(round(a, -4), lang)}–{fmt_number(round(b, -4), lang)}"
        return f"{fmt_number(a, lang, 2)}–{fmt_number(b, lang, 2)}"
    if isinstance(value, float):
        if abs(value) > 1000:
            return fmt_number(round(value, -3), lang)
        if 0 <= value <= 1:
            return fmt_number(value, lang, 2)
        return fmt_number(value, lang, 2)
    if isinstance(value, int):
        return fmt_number(value, lang)
    return str(value)


_PCT_KEYS = ("screened_s1_pct", "screened_s2_pct", "mode", "longer_first", "longer_second")


def render_sentence(template: str, values: dict[str, Any], lang: str) -> str:
    rendered = _Values()
    for key, value in values.items():
        if key in _PCT_KEYS and isinstance(value, float):
            rendered[key] = fmt_pct(value, lang)
        elif key == "p":
            rendered[key] = fmt_p(value, lang)
        else:
            rendered[key] = _render(value, lang)
    return template.format_map(rendered)


# -- the run ------------------------------------------------------------------------------------------


def _run_one(design: SurveyDesign, f: Finding, ctx: A.Context) -> FindingResult:
    res = FindingResult(id=f.id, section=f.section, analysis=f.analysis, title=dict(f.title),
                        published=dict(f.published))
    ctx.values = {}
    missing = [v for v in f.variables if v not in design.data.columns]
    try:
        if missing:
            raise ComputationError(f"the data have no column {', '.join(missing)}")
        A.ANALYSIS_FUNCTIONS[f.analysis](design, f, res, ctx)
        for est in res.estimates:
            ctx.values.setdefault(est.name, est)
        res.sentence = {lang: render_sentence(text, ctx.values, lang) for lang, text in f.sentence.items()}
        # a finding without a published figure has nothing to agree with: it is shown, not judged
        res.verdict = overall([_check(c) for c in res.checks]) if res.checks else NOT_COMPUTED
        if not f.published:
            res.verdict = NOT_PUBLISHED
    except (FjernarbeidError, KeyError, ValueError, np.linalg.LinAlgError) as exc:
        res.status = "not_computed"
        res.reason = str(exc).strip("'\"")
        res.verdict = NOT_COMPUTED
        res.estimates, res.tests, res.tables = [], [], []
    return res


def _check(d: dict):
    from fjernarbeid.findings.verdict import Check

    return Check(**d)


def run_findings(
    frame: pd.DataFrame,
    weights: Iterable[float] | str | None = None,
    *,
    design: SurveyDesign | None = None,
    instrument: Instrument | None = None,
    catalogue: Catalogue | None = None,
    fieldwork=None,
    weighting: dict | None = None,
    base: ProjectionBase | None = None,
    min_cell: int = 5,
    level: float = 0.95,
    lang: str = "nb",
    source: str = "",
    synthetic: bool = False,
    progress: Callable[[str], None] | None = None,
    study=None,
) -> Results:
    """Run every finding of ``catalogue`` (the study's by default) on the survey.

    ``frame`` holds the answers and derived variables; the weights come from ``weights`` (a
    column name or values) or a ready ``design`` (e.g. the calibrated design of
    :func:`fjernarbeid.survey.weighting.weight_study`, whose calibration the standard errors then
    account for). A finding that cannot be computed (a question missing, a group empty) is
    reported as ``not_computed`` with the reason; it never stops the others.

    ``fieldwork`` is the call log's summary (:func:`fjernarbeid.fieldwork.summarise_fieldwork`) or a
    :class:`concurrent.futures.Future` of it: the findings then start while the log is still being read,
    and only the fieldwork finding waits for it. A log that failed is raised here, after the findings.
    """
    if study is None:
        from fjernarbeid.study import load_study

        default = load_study()
        if instrument is None or instrument.id == default.id:  # the default study's questionnaire
            study = default
    instrument = instrument or study.instrument
    if catalogue is None and study is not None:
        catalogue = study.load_catalogue()
    if catalogue is None:  # no findings catalogue: describe every question
        from fjernarbeid.findings.catalogue import describe_every_question

        catalogue = describe_every_question(instrument)
    data = analysis_frame(frame.reset_index(drop=True), instrument)
    if design is None:
        design = svydesign(data, weights if weights is not None else None)
    else:
        if design.n != len(data):
            raise ValueError(f"the design has {design.n} rows but the data {len(data)}")
        design = replace(design, data=data)
    ctx = A.Context(instrument=instrument, catalogue=catalogue, lang_labels=_labeller(instrument),
                    min_cell=min_cell, level=level, base=base or default_base(), fieldwork=fieldwork, lang=lang)
    # indices first: later findings use them as variables
    for name, f in catalogue.indices.items():
        try:
            col = A.build_index_column(design, f, ctx)
            design = A._with(design, **{name: col.to_numpy(dtype=float)})
        except (FjernarbeidError, KeyError, ValueError):
            pass  # the index finding itself reports why

    def run(f: Finding, extras: tuple[Finding, ...]) -> list[FindingResult]:
        if progress:
            progress(f.id)
        # each finding its own sentence values; the shared distributions are computed once
        return [_run_one(design, g, replace(ctx, values={})) for g in (f, *extras)]

    tasks = [(f, tuple(f.also)) for f in catalogue]
    respondent_variables = _respondent_variables(study, instrument)
    ranges = _target_ranges(study, instrument)
    if design.n >= PARALLEL_FROM_ROWS and (os.cpu_count() or 1) > 1:
        # Findings are independent, and at this size each is numpy work that releases the GIL:
        # a second thread uses a second core. Results keep the catalogue's order. The respondents
        # table needs no finding; every question's distribution comes after the findings, which
        # computed most of them.
        # The largest findings first (by the variables they analyse), so that neither thread is left
        # with a large one at the end while the other has nothing to do; results in the catalogue's order.
        # This thread is one of the two: the memory it freed after reading and weighting is reused here
        # (a thread of its own allocates in an arena of its own, and every new page costs a fault).
        order = sorted(range(len(tasks)), key=lambda i: -_size(tasks[i]))
        with ThreadPoolExecutor(max_workers=1) as pool:
            jobs = [lambda: respondents_tables(design, instrument, ctx, respondent_variables, ranges)]
            jobs += [lambda i=i: run(*tasks[i]) for i in order]
            respondents, *computed = _side_by_side(pool, jobs)
            computed = dict(zip(order, computed))
            done = [computed[i] for i in range(len(tasks))]
            distributions = all_distributions(design, instrument, ctx, lambda f, xs: _side_by_side(
                pool, [lambda x=x: f(x) for x in xs]))
    else:
        done = [run(*task) for task in tasks]
        respondents = respondents_tables(design, instrument, ctx, respondent_variables, ranges)
        distributions = all_distributions(design, instrument, ctx)
    findings = [r for results in done for r in results]
    if isinstance(fieldwork, Future):
        fieldwork = fieldwork.result()  # the log's error, if reading it failed
    return Results(
        data={"source": source, "n": int(design.in_domain.sum()), "instrument": instrument.id, "synthetic": synthetic},
        settings={"confidence": level, "min_cell": min_cell, "lang": lang, "projection_base": vars(ctx.base)},
        weighting=weighting or {},
        fieldwork=fieldwork.to_dict() if fieldwork is not None else None,
        findings=findings,
        generator={"name": "fjernarbeid", "version": __version__},
        respondents=respondents,
        distributions=distributions,
        study=study,
    )


def _side_by_side(pool: ThreadPoolExecutor, jobs: list[Callable[[], Any]]) -> list:
    """Every job's result, in order, computed by this thread and the pool's one thread side by side:
    each takes the next job when it is free. After an error neither starts another job, and the
    error is raised here."""
    results: list = [None] * len(jobs)
    queue = iter(range(len(jobs)))
    lock = threading.Lock()
    stop = threading.Event()

    def drain() -> None:
        while not stop.is_set():
            with lock:
                i = next(queue, None)
            if i is None:
                return
            try:
                results[i] = jobs[i]()
            except BaseException:
                stop.set()
                raise

    other = pool.submit(drain)
    try:
        drain()
    except BaseException:  # also Ctrl-C between two jobs
        stop.set()
        other.exception()  # wait for its current job: nothing runs on after the error
        raise
    other.result()
    return results


def _size(task: tuple[Finding, tuple[Finding, ...]]) -> int:
    """How much work a finding (with its extra analyses) is, roughly: the variables it analyses."""
    return sum(len(f.variables) for f in (task[0], *task[1]))


def _respondent_variables(study, instrument: Instrument) -> tuple[str, ...]:
    """The study's respondents table, or the roles sex, age group, education and municipality."""
    if study is not None:
        return study.respondent_variables()
    return tuple(instrument.role(r) for r in ("sex", "age_group", "education", "municipality")
                 if instrument.has_role(r))


def _target_ranges(study, instrument: Instrument) -> dict[str, list[tuple[str, float, float]]]:
    """For a number the study weights by ranges of it (an age: ``alder,18-34,10820,18–34 år``): the ranges in
    the targets file's order, each with its label there (or the range as written)."""
    from fjernarbeid.study.targets import read_targets_csv
    from fjernarbeid.study.weighting import parse_range

    path = getattr(getattr(study, "weighting", None), "targets_file", None)
    if path is None or not Path(path).is_file():
        return {}
    try:
        rows = read_targets_csv(path)
    except FjernarbeidError:
        return {}
    out: dict[str, list[tuple[str, float, float]]] = {}
    for row in rows:  # the margins: each range with its own label
        if len(row.variables) != 1 or row.variables[0] not in instrument:
            continue
        q = instrument[row.variables[0]]
        rng = parse_range(row.categories[0])
        if q.is_number and rng is not None:
            out.setdefault(q.name, []).append((row.label or row.categories[0], rng[0], rng[1]))
    crossed: dict[str, dict[tuple[float, float], str]] = {}
    for row in rows:  # the cells of a cross (kommune×alder, 'kinn|18-39'): a label is the cell's, so the range
        if len(row.variables) < 2:
            continue
        for variable, category in zip(row.variables, row.categories):
            if variable in out or variable not in instrument or not instrument[variable].is_number:
                continue
            rng = parse_range(category)
            if rng is not None:
                crossed.setdefault(variable, {}).setdefault(rng, category.strip())
    for variable, ranges in crossed.items():
        out[variable] = [(label, lo, hi) for (lo, hi), label in ranges.items()]
    return out


def respondents_tables(design: SurveyDesign, instrument: Instrument, ctx: A.Context,
                       variables: Iterable[str] = (), ranges: dict | None = None) -> list[Table]:
    """The respondents table: every background variable with unweighted n and %, and weighted %; a number
    the weighting groups into ranges (an age) by those ranges, labelled as the targets label them."""
    rows = []
    n_all = int(design.in_domain.sum())
    in_domain = np.asarray(design.in_domain, dtype=bool)
    w = design.weights
    # on numpy arrays: the same selections and sums as on the pandas columns, without a Series per code
    for var in variables:
        if var not in design.data.columns:
            continue
        x = pd.to_numeric(design.data[var], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        present = ~np.isnan(x)
        name = instrument[var].label(ctx.lang) if var in instrument else instrument.derived_variable(var).label(ctx.lang)
        total_w = w[present].sum()
        groups = (ranges or {}).get(var)
        if groups and bool(np.any([(x >= lo) & (x <= hi) for _, lo, hi in groups], axis=0)[present].all()):
            for label, lo, hi in groups:
                hit = (x >= lo) & (x <= hi)
                n = int(np.count_nonzero(hit & in_domain))
                suppressed = n < ctx.min_cell
                rows.append([name, label, n, None if suppressed else n / max(n_all, 1),
                             None if suppressed else float(w[hit].sum() / total_w), suppressed])
            continue
        for code, n, weight in _per_code(x, present, in_domain, w):
            suppressed = n < ctx.min_cell
            rows.append([name, ctx.lang_labels(var, int(code))[ctx.lang], n,
                         None if suppressed else n / max(n_all, 1),
                         None if suppressed else float(weight / total_w), suppressed])
    return [Table("respondents", ["variable", "label", "n_unweighted", "share_unweighted", "share_weighted",
                                  "suppressed"], rows)]


def _per_code(x: np.ndarray, present: np.ndarray, in_domain: np.ndarray, w: np.ndarray):
    """(code, rows in the domain, Σw) of every distinct value of ``x`` where ``present``, in order: answer
    codes counted in one pass each (a bincount), any other numbers code by code."""
    whole = whole_number_codes(x)
    if whole is not None:
        codes, levels = whole
        inside = np.bincount(codes + 1, weights=in_domain, minlength=levels.size + 1)[1:]
        weight = np.bincount(codes + 1, weights=w, minlength=levels.size + 1)[1:]
        return [(code, int(n), float(s)) for code, n, s in zip(levels, inside, weight)]
    out = []
    for code in np.unique(x[present]):
        hit = x == code
        out.append((code, int(np.count_nonzero(hit & in_domain)), float(w[hit].sum())))
    return out


def all_distributions(design: SurveyDesign, instrument: Instrument, ctx: A.Context,
                      map_: Callable = map) -> dict[str, Table]:
    """The distribution of every question with codes, in the questionnaire's order (``map_``: a
    thread pool's map, to compute them side by side)."""
    questions = [q for q in instrument.questions if q.codes and not q.screen_out and q.name in design.data.columns]
    tables = map_(lambda q: _distribution_table(design, q, ctx), questions)
    return {q.name: table for q, table in zip(questions, tables) if table is not None}


def _distribution_table(design: SurveyDesign, q, ctx: A.Context) -> Table | None:
    try:  # most were computed already by the findings; base_distribution reuses them
        if q.is_multiple:
            return A.multiple_table(A.multiple_response_rows(design, q, ctx), q.name)
        return A.distribution_table(A.base_distribution(design, q.name, ctx)[1], q.name)
    except (FjernarbeidError, ValueError, KeyError):
        return None


__all__ = ["analysis_frame", "render_sentence", "run_findings"]

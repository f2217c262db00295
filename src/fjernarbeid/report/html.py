"""The HTML report: one self-contained file (inline CSS and SVG charts, no network resource) that
mirrors the report's chapter 3.2-3.3, with the published figure beside ours, a methods appendix
and the questionnaire."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2
from markupsafe import Markup, escape

from fjernarbeid import __version__
from fjernarbeid._io import write_text_atomic
from fjernarbeid.findings.results import FindingResult, Results, Table
from fjernarbeid.instrument import Instrument
from fjernarbeid.report import charts
from fjernarbeid.report.i18n import fmt_ci, fmt_number, fmt_p, fmt_pct, t

SECTIONS = ("2", "3.2.2", "3.2.3", "3.2.4", "3.2.5", "3.3")
# Likert items drawn together in one diverging chart, at the first finding that uses one of them.
LIKERT_BLOCKS = (("q10_1", "q10_2"), ("q6_1", "q6_2", "q6_3", "q6_4"), ("q16_1", "q16_2", "q16_3", "q16_4", "q16_5"))
DISTRIBUTION_CHARTS = ("q12", "q13", "q14", "q21", "q22", "q23")


def _html_table(table: Table, lang: str, caption: str | None = None) -> Markup:
    """A results table as HTML; columns whose name starts with 'share'/'ci' are formatted as %."""
    head = "".join(f"<th{' class=num' if _numeric(c) else ''}>{escape(_col_label(c, lang))}</th>" for c in table.columns)
    body = []
    for row in table.rows:
        cells = []
        for col, value in zip(table.columns, row):
            cells.append(f"<td{' class=num' if _numeric(col) else ''}>{escape(_fmt_cell(col, value, lang))}</td>")
        body.append("<tr>" + "".join(cells) + "</tr>")
    cap = f"<caption>{escape(caption)}</caption>" if caption else ""
    return Markup(f'<table data-table="{escape(table.name)}">{cap}<thead><tr>{head}</tr></thead><tbody>{"".join(body)}</tbody></table>')


_COLS = {
    "label": ("category", None), "n_unweighted": ("n_u", None), "share": ("share_w", None),
    "share_unweighted": ("share_u", None), "share_weighted": ("share_w", None), "ci": ("ci95", None),
    "deff": ("deff", None), "p": ("p", None),
}


def _respondents_table(table: Table, lang: str, caption: str, min_cell: int) -> Markup:
    """Table 3.2.1: one block per background variable, its name once, suppressed cells as '–'."""
    idx = {c: i for i, c in enumerate(table.columns)}
    head = (f"<th>{escape(t('category', lang))}</th><th class=num>{escape(t('n_u', lang))}</th>"
            f"<th class=num>{escape(t('share_u', lang))}</th><th class=num>{escape(t('share_w', lang))}</th>")
    body, current = [], None
    for row in table.rows:
        if row[idx["variable"]] != current:
            current = row[idx["variable"]]
            body.append(f'<tr class="group"><th colspan="4">{escape(current)}</th></tr>')  # f-string: escape → str
        hidden = row[idx["suppressed"]]
        cells = [str(escape(row[idx["label"]])), fmt_number(row[idx["n_unweighted"]], lang) if not hidden else f"&lt; {min_cell}",
                 "–" if hidden else fmt_pct(row[idx["share_unweighted"]], lang),
                 "–" if hidden else fmt_pct(row[idx["share_weighted"]], lang)]
        body.append("<tr><td>" + cells[0] + "</td>" + "".join(f"<td class=num>{c}</td>" for c in cells[1:]) + "</tr>")
    return Markup(f'<table data-table="respondents"><caption>{escape(caption)}</caption><thead><tr>{head}</tr></thead>'
                  f'<tbody>{"".join(body)}</tbody></table>')


def _col_label(col: str, lang: str) -> str:
    if col in _COLS:
        return t(_COLS[col][0], lang)
    return col.replace("_", " ")


def _numeric(col: str) -> bool:
    return col not in ("label", "group", "variable", "name", "test", "what", "category", "outcome")


def _fmt_cell(col: str, value, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)) and len(value) == 2 and col == "ci":
        return fmt_ci(value[0], value[1], lang)
    if col.startswith("share") or col in ("ci_low", "ci_high"):
        return fmt_pct(value, lang)
    if col in ("n_unweighted", "n", "count"):
        return fmt_number(value, lang)
    if col == "p":
        return fmt_p(value, lang).replace("p = ", "").replace("p ", "")
    if isinstance(value, float):
        return fmt_number(value, lang, 2 if abs(value) < 100 else 0)
    return str(value)


def _published_text(f: FindingResult, lang: str) -> tuple[str, str]:
    pub, ours = [], []
    for c in f.checks:
        p, o = c["published"], c["ours"]
        pub.append(f"{c['what']}: {_short(p, lang)}")
        ours.append(f"{c['what']}: {_short(o, lang)}")
    return "; ".join(pub), "; ".join(ours)


def _short(v, lang: str) -> str:
    if v is None:
        return "–"
    if isinstance(v, dict):
        if "effect" in v:
            return f"{fmt_number(v['effect'], lang, 3)}, {fmt_p(v['p'], lang)}"
        parts = []
        if v.get("expect"):
            parts.append({"positive": "+", "negative": "−"}[v["expect"]] if lang else v["expect"])
        if "significant" in v:
            parts.append(("signifikant" if lang == "nb" else "significant") if v["significant"]
                         else ("ikke signifikant" if lang == "nb" else "not significant"))
        if "comparator" in v:
            parts.append(f"{v['comparator']} {v.get('value', '')}")
        return " ".join(parts)
    if isinstance(v, list):
        if len(v) == 3:  # estimate, lo, hi in %
            return f"{fmt_number(v[0], lang, 1)} % ({fmt_number(v[1], lang, 1)}–{fmt_number(v[2], lang, 1)})"
        return "–".join(fmt_number(x, lang) for x in v)
    if isinstance(v, float):
        return fmt_number(v, lang, 3 if abs(v) < 1 else 1)
    return fmt_number(v, lang) if isinstance(v, int) else str(v)


def _likert_chart(results: Results, items: tuple[str, ...], instrument: Instrument, lang: str) -> dict | None:
    rows = []
    scale = None
    for name in items:
        table = results.distributions.get(name)
        if table is None or name not in instrument:
            continue
        q = instrument[name]
        scale = [(c.code, c.label(lang)) for c in q.codes if not c.missing]
        idx = {c: i for i, c in enumerate(table.columns)}
        shares = {int(r[idx["code"]]): (0.0 if r[idx["suppressed"]] else r[idx["share"]]) for r in table.rows}
        rows.append((q.label(lang), shares))
    if not rows:
        return None
    caption = ("Vektet fordeling, «ikke sikker» utelatt." if lang == "nb"
               else "Weighted distribution, 'not sure' left out.")
    return {"svg": charts.likert_chart(rows, scale), "caption": caption}


def _distribution_chart(results: Results, name: str, instrument: Instrument, lang: str) -> dict | None:
    table = results.distributions.get(name)
    if table is None:
        return None
    idx = {c: i for i, c in enumerate(table.columns)}
    cats = [(r[idx["label"]], r[idx["share"]], r[idx["ci_low"]], r[idx["ci_high"]])
            for r in table.rows if not r[idx["suppressed"]] and r[idx["share"]] is not None]
    if not cats:
        return None
    caption = ("Vektet andel med 95 % konfidensintervall." if lang == "nb"
               else "Weighted share with 95 % confidence interval.")
    return {"svg": charts.distribution_chart(cats), "caption": caption}


def _finding_charts(f: FindingResult, results: Results, instrument: Instrument, lang: str, drawn: set) -> list[dict]:
    out = []
    names = [tb.name.split(":", 1)[1] for tb in f.tables if tb.name.startswith("distribution:")]
    for name in names:
        block = next((b for b in LIKERT_BLOCKS if name in b), None)
        if block and block not in drawn:
            drawn.add(block)
            chart = _likert_chart(results, block, instrument, lang)
            if chart:
                out.append(chart)
        elif name in DISTRIBUTION_CHARTS and name not in drawn:
            drawn.add(name)
            chart = _distribution_chart(results, name, instrument, lang)
            if chart:
                out.append(chart)
    for table in f.tables:
        if table.name == "group_means":
            out.append(_group_means_chart(table, lang))
        elif table.name == "crosstab_colpct":
            out.append(_crosstab_chart(f, table, instrument, lang))
        elif table.name == "trend_means":
            out.append(_trend_chart(table, lang))
    return [c for c in out if c]


def _group_means_chart(table: Table, lang: str) -> dict | None:
    idx = {c: i for i, c in enumerate(table.columns)}
    outcomes, series = [], {}
    for r in table.rows:
        if r[idx["mean"]] is None:
            continue
        if r[idx["outcome"]] not in outcomes:
            outcomes.append(r[idx["outcome"]])
        series.setdefault(r[idx["group"]], []).append((r[idx["mean"]], r[idx["ci_low"]], r[idx["ci_high"]]))
    if not series or any(len(v) != len(outcomes) for v in series.values()):
        return None
    xlabel = "Gjennomsnitt på svarskalaen (lavere = mer enig/viktig/sannsynlig)" if lang == "nb" else \
        "Mean on the answer scale (lower = more agree/important/likely)"
    return {"svg": charts.group_bars(outcomes, series, xlabel),
            "caption": "Vektede gjennomsnitt med 95 % KI." if lang == "nb" else "Weighted means with 95 % CI."}


def _trend_chart(table: Table, lang: str) -> dict | None:
    idx = {c: i for i, c in enumerate(table.columns)}
    cats, series = [], {}
    for r in table.rows:
        if r[idx["mean"]] is None:
            continue
        if r[idx["group"]] not in cats:
            cats.append(r[idx["group"]])
        series.setdefault(r[idx["outcome"]], []).append((r[idx["mean"]], r[idx["ci_low"]], r[idx["ci_high"]]))
    if not series or any(len(v) != len(cats) for v in series.values()):
        return None
    xlabel = "Gjennomsnitt på svarskalaen" if lang == "nb" else "Mean on the answer scale"
    return {"svg": charts.group_bars(cats, series, xlabel),
            "caption": "Vektede gjennomsnitt med 95 % KI." if lang == "nb" else "Weighted means with 95 % CI."}


def _crosstab_chart(f: FindingResult, table: Table, instrument: Instrument, lang: str) -> dict | None:
    idx = {c: i for i, c in enumerate(table.columns)}
    groups: dict[str, dict[int, float]] = {}
    scale: dict[int, str] = {}
    for r in table.rows:
        share = 0.0 if r[idx["suppressed"]] else (r[idx["share"]] or 0.0)
        groups.setdefault(r[idx["group"]], {})[int(r[idx["code"]])] = share
        scale[int(r[idx["code"]])] = r[idx["label"]]
    if not groups:
        return None
    caption = ("Vektet fordeling innen hver gruppe." if lang == "nb" else "Weighted distribution within each group.")
    return {"svg": charts.stacked_100(list(groups.items()), sorted(scale.items())), "caption": caption}


def render_html(results: Results, instrument: Instrument, lang: str = "nb", min_cell: int = 5) -> str:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("fjernarbeid.report").joinpath("templates", name).read_text("utf-8")
        ),
        autoescape=True,
        keep_trailing_newline=True,
    )
    template = env.get_template("report.html.j2")
    drawn: set = set()
    sections = []
    for sec in SECTIONS:
        findings = []
        for f in results.findings:
            if f.section != sec:
                continue
            pub, ours = _published_text(f, lang)
            findings.append({
                "id": f.id, "title": f.title.get(lang, f.title.get("nb", "")), "status": f.status,
                "reason": f.reason, "verdict": f.verdict, "sentence": f.sentence.get(lang, ""),
                "charts": _finding_charts(f, results, instrument, lang, drawn) if f.status == "ok" else [],
                "tables": [_html_table(tb, lang) for tb in f.tables if tb.name.startswith(("estimates", "tests"))],
                "checks": f.checks, "published": pub, "ours": ours,
            })
        key = "s2" if sec == "2" else f"s{sec}"
        tables = []
        if sec == "3.2.2":  # the respondents table opens chapter 3.2
            tables = [_respondents_table(tb, lang, t("respondents", lang), min_cell) for tb in results.respondents]
        sections.append({"anchor": f"sec-{sec.replace('.', '-')}", "title": t(key, lang), "findings": findings,
                         "tables": tables, "intro": t("respondents_intro", lang) if tables else ""})
    replication = []
    for f in results.findings:
        pub, ours = _published_text(f, lang)
        replication.append({"id": f.id, "title": f.title.get(lang, ""), "published": pub or "–",
                            "ours": ours or (f.reason or "–"), "verdict": f.verdict})
    s = results.summary
    counts = (f"{s['agrees']} stemmer, {s['differs']} avviker, {s['not_computed']} ikke beregnet." if lang == "nb"
              else f"{s['agrees']} agree, {s['differs']} differ, {s['not_computed']} not computed.")
    methods_tables = [_html_table(tb, lang) for tb in _methods_tables(results, lang)]
    questions = []
    for q in instrument.questions:
        screen = set(q.screen_out)
        questions.append({
            "number": q.number, "text": q.label(lang), "preamble": q.preamble.get(lang, ""),
            "routing": str(q.ask_if) if q.ask_if else "",
            "codes": [{"code": c.code, "label": c.label(lang), "missing": c.missing, "screen_out": c.code in screen}
                      for c in q.codes],
        })
    return template.render(
        lang=lang, version=__version__, t=lambda key, **kw: t(key, lang, **kw),
        generated=t("generated", lang, version=__version__, source=results.data.get("source", "?"),
                    n=fmt_number(results.data.get("n"), lang)),
        synthetic=bool(results.data.get("synthetic")), sections=sections, replication=replication,
        counts=counts, methods_tables=methods_tables, min_cell=min_cell, questions=questions,
        instrument_title=instrument.label(lang),
    )


def _methods_tables(results: Results, lang: str) -> list[Table]:
    out = []
    w = results.weighting or {}
    if w.get("summary"):
        out.append(Table("weights", list(w["summary"].keys()), [list(w["summary"].values())]))
    if w.get("margins"):
        out.append(Table("weight_margins", w["margins"]["columns"], w["margins"]["rows"]))
    fw = results.fieldwork
    if fw:
        out.append(Table("fieldwork", ["what", "count"],
                         [["records", fw["records"]], ["contacts", fw["contacts"]]]
                         + [[f"screened out {k}", v] for k, v in fw["screened_out"].items()]
                         + [["completes", fw["completes"]]]))
        rates = fw["outcome"]["rates"]
        out.append(Table("aapor", ["what", "share"], [[k, v] for k, v in rates.items()]))
    return out


def write_html(results: Results, instrument: Instrument, path: str | Path, lang: str = "nb", min_cell: int = 5) -> Path:
    return write_text_atomic(path, render_html(results, instrument, lang=lang, min_cell=min_cell))

"""The outputs of ``fjernarbeid target``: results JSON, CSV and xlsx tables, and the HTML section.

Every table carries the synthetic-estimator caveat; counts are printed rounded to what their
interval supports (:func:`fjernarbeid.target.potential.rounding_unit`), suppressed municipalities
without a number.
"""

from __future__ import annotations

import io
import json
from importlib import resources
from pathlib import Path

import jinja2

from fjernarbeid._cells import csv_writer, make_workbook_inert
from fjernarbeid._io import write_bytes_atomic, write_text_atomic
from fjernarbeid.target.analysis import CAVEAT, ELIGIBILITY_CAVEAT, VARIANCE_METHOD, TargetResult
from fjernarbeid.target.spec import text

WORDS = {
    "title": {"nb": "4.5 Målgrupper", "nn": "4.5 Målgrupper", "en": "4.5 Target groups"},
    "who": {"nb": "Hvem er mest tilbøyelige?", "nn": "Kven er mest tilbøyelege?", "en": "Who is most inclined?"},
    "where": {"nb": "Hvor bor de?", "nn": "Kvar bur dei?", "en": "Where do they live?"},
    "segments": {"nb": "Segmenter", "nn": "Segment", "en": "Segments"},
    "values_title": {"nb": "Hva er viktig for dem?", "nn": "Kva er viktig for dei?", "en": "What matters to them?"},
    "region": {"nb": "Potensial i regionen", "nn": "Potensial i regionen", "en": "Potential in the region"},
    "municipality": {"nb": "Kommune", "nn": "Kommune", "en": "Municipality"},
    "county": {"nb": "Fylke", "nn": "Fylke", "en": "County"},
    "segment": {"nb": "Segment", "nn": "Segment", "en": "Segment"},
    "potential": {"nb": "Potensial (personer)", "nn": "Potensial (personar)", "en": "Potential (people)"},
    "ci": {"nb": "95 % KI", "nn": "95 % KI", "en": "95 % CI"},
    "propensity": {"nb": "Andel ja blant kvalifiserte", "nn": "Del ja blant kvalifiserte", "en": "Share yes among eligible"},
    "eligible": {"nb": "Kvalifiserte", "nn": "Kvalifiserte", "en": "Eligible"},
    "status": {"nb": "Merknad", "nn": "Merknad", "en": "Note"},
    "respondents": {"nb": "Respondenter bak", "nn": "Respondentar bak", "en": "Respondents behind"},
    "term": {"nb": "Variabel", "nn": "Variabel", "en": "Term"},
    "or": {"nb": "Oddsratio", "nn": "Oddsratio", "en": "Odds ratio"},
    "test": {"nb": "Wald-test per variabel", "nn": "Wald-test per variabel", "en": "Wald test per term"},
    "item": {"nb": "Forhold", "nn": "Forhold", "en": "Item"},
    "group": {"nb": "Gruppe", "nn": "Gruppe", "en": "Group"},
    "rest": {"nb": "Resten", "nn": "Resten", "en": "The rest"},
    "difference": {"nb": "Differanse (prosentpoeng)", "nn": "Differanse (prosentpoeng)", "en": "Difference (points)"},
    "national": {"nb": "Hele landet", "nn": "Heile landet", "en": "Norway"},
    "projection": {"nb": "Nasjonal framskriving i rapporten", "nn": "Nasjonal framskriving i rapporten",
                   "en": "National projection in the report"},
    "weak": {"nb": "usikkert", "nn": "usikkert", "en": "uncertain"},
    "suppressed": {"nb": "undertrykt", "nn": "undertrykt", "en": "suppressed"},
    "ok": {"nb": "", "nn": "", "en": ""},
    "method": {"nb": "Metode", "nn": "Metode", "en": "Method"},
    "rank_p": {"nb": "Rang andel", "nn": "Rang del", "en": "Rank share"},
    "rank_n": {"nb": "Rang antall", "nn": "Rang tal", "en": "Rank size"},
    "direct": {"nb": "Direkte andel (respondenter)", "nn": "Direkte del (respondentar)", "en": "Direct share (respondents)"},
    "yes_group": {"nb": "Svarer ja", "nn": "Svarar ja", "en": "Answer yes"},
}
SYNTHETIC_DATA = {"nb": "SYNTETISKE DATA: tallene beskriver ingen virkelige personer.",
                  "nn": "SYNTETISKE DATA: tala skildrar ingen verkelege personar.",
                  "en": "SYNTHETIC DATA: the figures describe no real people."}


def fmt_int(value, lang: str) -> str:
    if value is None:
        return "–"
    s = f"{value:,.0f}"
    return s.replace(",", "\u00a0") if lang in ("nb", "nn") else s


def fmt_pct(value, lang: str, digits: int = 0) -> str:
    if value is None:
        return "–"
    s = f"{100 * value:.{digits}f}"
    return (s.replace(".", ",") if lang in ("nb", "nn") else s) + "\u00a0%"


def fmt_num(value, lang: str, digits: int = 2) -> str:
    if value is None:
        return "–"
    s = f"{value:.{digits}f}"
    if float(s) == 0:  # −0.4 rounds to 0, not to a negative zero
        s = s.lstrip("-")
    return s.replace(".", ",").replace("-", "−") if lang in ("nb", "nn") else s


def fmt_p(p, lang: str) -> str:
    if p is None:
        return "–"
    if p < 0.001:
        return "p < 0,001" if lang in ("nb", "nn") else "p < 0.001"
    return "p = " + fmt_num(p, lang, 3)


# -- tables ------------------------------------------------------------------------------------------


def municipality_table(outcome: dict, lang: str) -> tuple[list[str], list[list]]:
    """Municipalities by potential: rounded figures, suppressed ones without numbers."""
    cols = ["municipality_code", "municipality_name", "county_name", "centrality", "potential", "ci_low", "ci_high",
            "propensity", "eligible", "respondents_in_group", "status", "benchmarked_to_national_projection"]
    rows = []
    for r in outcome["potential"]["municipalities"]:
        hidden = r["status"] == "suppressed"
        rnd = r["rounded"]
        rows.append([r["municipality_code"], r["municipality_name"], r["county_name"], r["centrality"],
                     None if hidden else rnd["potential"], None if hidden else rnd["ci_low"],
                     None if hidden else rnd["ci_high"], None if hidden else round(r["propensity"], 3),
                     None if hidden else round(r["eligible"], -1), r["respondents_in_group"], r["status"],
                     None if hidden else r.get("benchmarked_rounded")])
    return cols, rows


def county_table(outcome: dict) -> tuple[list[str], list[list]]:
    cols = ["county_code", "county_name", "potential", "ci_low", "ci_high", "propensity", "eligible"]
    return cols, [[r["county_code"], r["county_name"], r["rounded"]["potential"], r["rounded"]["ci_low"],
                   r["rounded"]["ci_high"], round(r["propensity"], 3), round(r["eligible"], -2)]
                  for r in outcome["potential"]["counties"]]


def segment_table(outcome: dict, lang: str) -> tuple[list[str], list[list]]:
    cols = ["segment", "potential", "ci_low", "ci_high", "propensity", "propensity_ci_low", "propensity_ci_high",
            "respondents", "rank_size", "rank_propensity"]
    return cols, [[s["labels"][lang], s["rounded"]["potential"], s["rounded"]["ci_low"], s["rounded"]["ci_high"],
                   round(s["propensity"], 3), round(s["propensity_ci_low"], 3), round(s["propensity_ci_high"], 3),
                   s["respondents"], s["rank_size"], s["rank_propensity"]] for s in outcome["segments"]]


def _csv(cols, rows, caveat: str) -> str:
    buf = io.StringIO()
    buf.write(f"# {caveat}\n")
    w = csv_writer(buf, lineterminator="\n")
    w.writerow(cols)
    # a rounded count is written as one (37000, not 37000.0): the table is read by people too
    w.writerows([[int(v) if isinstance(v, float) and v.is_integer() else v for v in row] for row in rows])
    return buf.getvalue()


def write_outputs(result: TargetResult, out: Path, lang: str = "nb") -> list[Path]:
    """Every file: target.json, target.html (the section as a page), target.xlsx and the CSV tables.

    All or nothing: the files are written into a staging directory and moved into ``out`` together."""
    from fjernarbeid._io import staged_directory

    with staged_directory(out) as staging:
        written = _write_all(result, staging, lang)
    return [out / p.name for p in written]


def _write_all(result: TargetResult, out: Path, lang: str) -> list[Path]:
    doc = result.to_dict()
    written = [write_text_atomic(out / "target.json", json.dumps(doc, ensure_ascii=False, indent=1, allow_nan=False,
                                                                 default=_json_default) + "\n")]
    caveat = CAVEAT[lang]
    sheets = []
    for o in doc["outcomes"]:
        if "potential" not in o:
            continue
        for kind, (cols, rows) in (("municipalities", municipality_table(o, lang)), ("counties", county_table(o)),
                                   ("segments", segment_table(o, lang))):
            name = f"{o['name']}_{kind}"
            written.append(write_text_atomic(out / f"target_{name}.csv", _csv(cols, rows, caveat)))
            sheets.append((name, cols, rows))
    written.append(write_bytes_atomic(out / "target.xlsx", _xlsx(sheets, caveat, doc, lang)))
    written.append(write_text_atomic(out / "target.html", render_page(doc, lang)))
    return written


def _json_default(value):
    if hasattr(value, "item"):
        return value.item()
    raise TypeError(f"not JSON serialisable: {type(value).__name__}")


def _xlsx(sheets, caveat: str, doc: dict, lang: str) -> bytes:
    from openpyxl import Workbook
    from openpyxl.styles import Font

    wb = Workbook()
    about = wb.active
    about.title = "about"
    lines = [WORDS["title"][lang], caveat, ELIGIBILITY_CAVEAT[lang], VARIANCE_METHOD[lang]]
    if doc.get("synthetic_data"):
        lines.insert(1, SYNTHETIC_DATA[lang])
    for i, line in enumerate(lines, 1):
        about.cell(row=i, column=1, value=line)
    about["A1"].font = Font(bold=True)
    for name, cols, rows in sheets:
        ws = wb.create_sheet(name[:31])
        ws.append([caveat])
        ws.append(cols)
        for c in ws[2]:
            c.font = Font(bold=True)
        for row in rows:
            ws.append(row)
    buf = io.BytesIO()
    make_workbook_inert(wb)
    wb.save(buf)
    return buf.getvalue()


# -- HTML ----------------------------------------------------------------------------------------------


def _environment() -> jinja2.Environment:
    env = jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("fjernarbeid.target").joinpath("templates", name).read_text("utf-8")),
        autoescape=True, trim_blocks=True, lstrip_blocks=True)
    env.filters.update(int_=fmt_int, pct=fmt_pct, num=fmt_num, pval=fmt_p)
    return env


def bar_chart(rows: list[dict], label_key, value_key="potential", low_key="ci_low", high_key="ci_high",
              lang: str = "nb", percent: bool = False, width: int = 640, title: str = "") -> str:
    """A horizontal bar chart with 95 % interval whiskers as inline SVG (no script, no network). ``title``
    is the chart's accessible name (``aria-label`` and ``<title>``); the numbers are in the table beside it."""
    if not rows:
        return ""
    name = jinja2.utils.markupsafe.escape(title)
    bar, gap, left, right = 18, 6, 230, 90
    height = len(rows) * (bar + gap) + 10
    top = max((r[high_key] for r in rows if r.get(high_key) is not None), default=1) or 1
    scale = (width - left - right) / top
    parts = [f'<svg class="target-chart" role="img" aria-label="{name}" viewBox="0 0 {width} {height}" width="{width}" '
             f'height="{height}" xmlns="http://www.w3.org/2000/svg" font-family="sans-serif" font-size="12">'
             f'<title>{name}</title>']
    for i, r in enumerate(rows):
        y = 5 + i * (bar + gap)
        label = jinja2.utils.markupsafe.escape(label_key(r))
        v, lo, hi = r[value_key], r.get(low_key), r.get(high_key)
        parts.append(f'<text x="{left - 6}" y="{y + bar - 5}" text-anchor="end">{label}</text>')
        parts.append(f'<rect x="{left}" y="{y}" width="{max(v * scale, 0.5):.1f}" height="{bar}" fill="#4a7ab5"/>')
        if lo is not None and hi is not None:
            parts.append(f'<line x1="{left + lo * scale:.1f}" x2="{left + hi * scale:.1f}" y1="{y + bar / 2}" '
                         f'y2="{y + bar / 2}" stroke="#222" stroke-width="1.5"/>')
        shown = fmt_pct(v, lang) if percent else fmt_int(v, lang)
        parts.append(f'<text x="{left + (hi if hi is not None else v) * scale + 6:.1f}" y="{y + bar - 5}">{shown}</text>')
    parts.append("</svg>")
    return "".join(parts)


class _Numbering:
    """Figure and table numbers in reading order, from where the report has come to (``first_figure``,
    ``first_table``), each with its caption and source line in the report's words ('Figur 20. …', 'Kilde: …
    n = … (uvektet).'); the figures' charts (:class:`~fjernarbeid.report.view.Chart`) for Word."""

    def __init__(self, lang: str, first_figure: int, first_table: int, source: str):
        self.lang, self.figure_no, self.table_no, self.source = lang, first_figure, first_table, source
        self.charts: list = []
        self.tables = 0

    def _source(self, n) -> str:
        from fjernarbeid.report.i18n import fmt_number, t

        return t("source_n", self.lang, source=self.source, n=fmt_number(n, self.lang))

    def figure(self, caption: str, bars: list[tuple], n, percent: bool = False) -> dict:
        """A figure: its number, caption, source line, the inline SVG of the HTML and the chart for Word."""
        from fjernarbeid.report.i18n import t
        from fjernarbeid.report.view import Chart

        number, self.figure_no = self.figure_no, self.figure_no + 1
        source = self._source(n)
        self.charts.append(Chart(caption, "interval_bars", (bars, self.lang, percent), n=n or 0, number=number,
                                 source=source))
        rows = [{"label": b[0], "value": b[1], "low": b[2], "high": b[3]} for b in bars]
        svg = bar_chart(rows, lambda r: r["label"], "value", "low", "high", lang=self.lang, percent=percent,
                        title=caption)
        return {"number": number, "label": t("figure", self.lang, n=number), "caption": caption, "source": source,
                "svg": svg}

    def table(self, caption: str, n) -> dict:
        from fjernarbeid.report.i18n import t

        number, self.table_no = self.table_no, self.table_no + 1
        self.tables += 1
        return {"number": number, "label": t("table", self.lang, n=number), "caption": caption,
                "source": self._source(n)}


def section_view(doc: dict, lang: str, top: int = 15, first_figure: int = 1, first_table: int = 1,
                 source: str | None = None) -> dict:
    """What the template shows, already chosen, ordered and formatted for ``lang``. Its figures and tables are
    numbered from ``first_figure`` and ``first_table`` (where the report has come to) in reading order, each
    with a caption and a source line naming ``source`` (the survey file) and the respondents behind it."""
    from fjernarbeid.i18n import message

    numbers = _Numbering(lang, first_figure, first_table, source or doc.get("data", {}).get("source") or "?")
    outcomes = []
    region = (doc.get("region") or {}).get("name") or ""
    for o in doc["outcomes"]:
        view = {"o": o, "label": text(o["label"], lang), "yes_label": text(o["yes_label"], lang)}

        def words(key: str, **kw) -> str:  # each target group has the same figures: the caption says whose
            return message("target", key, lang, group=view["label"], **kw)

        n = (o.get("share") or {}).get("n")
        if (o.get("logistic") or {}).get("coefficients"):
            view["logistic_table"] = numbers.table(words("table_logistic"), o["logistic"].get("n") or n)
        shown = [r for r in o["potential"]["municipalities"] if r["status"] != "suppressed"][:top] \
            if "potential" in o else []
        if shown:  # every municipality suppressed: nothing to show of where, nor of the segments
            segs = sorted(o["segments"], key=lambda s: s["rank_propensity"])[:10]
            view["segment_figure"] = numbers.figure(
                words("figure_segments", k=len(segs)),
                [(s["labels"][lang], s["propensity"], s["propensity_ci_low"], s["propensity_ci_high"]) for s in segs],
                n, percent=True)
            view["top_chart"] = True
            view["segments"] = sorted(o["segments"], key=lambda s: s["rank_size"])[:10]
            view["segments_table"] = numbers.table(words("table_segments"), n)
            view["top"] = shown
            view["top_figure"] = numbers.figure(
                words("figure_municipalities", k=len(shown)),
                [(r["municipality_name"], r["rounded"]["potential"], r["rounded"].get("ci_low"),
                  r["rounded"].get("ci_high")) for r in shown], n)
            view["top_table"] = numbers.table(words("table_municipalities"), n)
            if "region" in o["potential"]:
                reg = [r for r in o["potential"]["region_municipalities"] if r["status"] != "suppressed"]
                if reg:
                    view["region_figure"] = numbers.figure(
                        words("figure_region", region=region),
                        [(r["municipality_name"], r["rounded"]["potential"], r["rounded"].get("ci_low"),
                          r["rounded"].get("ci_high")) for r in reg], n)
                view["region_table"] = numbers.table(words("table_region", region=region), n)
        if o.get("importance"):
            view["importance_table"] = numbers.table(words("table_importance"), n)
        outcomes.append(view)
    return {"doc": doc, "lang": lang, "w": {k: v[lang] for k, v in WORDS.items()}, "outcomes": outcomes,
            "caveat": CAVEAT[lang], "eligibility_caveat": ELIGIBILITY_CAVEAT[lang],
            "variance": VARIANCE_METHOD[lang], "synthetic": SYNTHETIC_DATA[lang] if doc.get("synthetic_data") else None,
            "text": lambda labels: text(labels, lang), "term": lambda name: term_label(doc, name, lang),
            "charts": numbers.charts, "tables": numbers.tables}


def term_label(doc: dict, name: str, lang: str) -> str:
    """'Aldersgruppe: 30-34 år' for the model term ``age_group2``; the name itself if unknown."""
    if name == "(Intercept)":
        return {"nb": "Konstantledd", "nn": "Konstantledd", "en": "Intercept"}[lang]
    variables = doc.get("variables", {})
    for var in sorted(variables, key=len, reverse=True):
        info = variables[var]
        if name == var:
            return text(info["label"], lang, var)
        rest = name[len(var):]
        if name.startswith(var) and rest.isdigit():
            return f"{text(info['label'], lang, var)}: {text(info['codes'].get(rest), lang, rest)}"
    return name


def render_section(doc: dict, lang: str = "nb", first_figure: int = 1, first_table: int = 1,
                   source: str | None = None):
    """The chapter as an HTML fragment (``<section>``), to be placed in a report: a
    :class:`~fjernarbeid.report.view.Chapter`, with the charts of its figures and the count of its tables. Its
    figures and tables are numbered from ``first_figure`` and ``first_table``."""
    from fjernarbeid.report.view import Chapter

    view = section_view(doc, lang, first_figure=first_figure, first_table=first_table, source=source)
    html = _environment().get_template("target_section.html.j2").render(**view)
    return Chapter(html, view["charts"], view["tables"])


def render_page(doc: dict, lang: str = "nb") -> str:
    """The chapter as a self-contained HTML page."""
    return _environment().get_template("target_page.html.j2").render(section=render_section(doc, lang), lang=lang,
                                                                     title=WORDS["title"][lang])


__all__ = ["WORDS", "bar_chart", "render_page", "render_section", "write_outputs"]

"""What the report says, independent of the file format.

:func:`build_view` turns :class:`~fjernarbeid.findings.results.Results` into sections of findings with
their sentence, formatted tables and charts. The HTML, Word and PDF writers only lay this out, so the
three formats always carry the same content.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fjernarbeid import __version__
from fjernarbeid.findings.results import FindingResult, Results, Table
from fjernarbeid.instrument import Instrument
from fjernarbeid.report.i18n import TEXT, fmt_ci, fmt_number, fmt_p, fmt_pct, method_text, t

# The chapters, their order, the charts and the front matter come from the study file
# (fjernarbeid.study); a finding whose section is no chapter of the study gets a chapter of its own.
# Columns that hold text; the others are right-aligned numbers.
TEXT_COLUMNS = ("label", "group", "variable", "name", "test", "what", "category", "outcome", "item", "effect", "note")


@dataclass
class TextTable:
    """A table with its cells already formatted for the report's language."""

    name: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    caption: str = ""
    group_rows: set[int] = field(default_factory=set)  # rows that are headings of a block (table 3.2.1)


@dataclass
class Chart:
    """A chart as a drawing function of :mod:`fjernarbeid.report.charts` and its data — plain values,
    so that another process can draw it (:mod:`fjernarbeid.report.drawing`) — drawn once per format."""

    caption: str
    function: str  # the name of the drawing function in fjernarbeid.report.charts
    args: tuple  # its arguments before ``fmt``
    finding: str = ""
    drawings: dict[str, str | bytes] = field(default_factory=dict, repr=False)  # format → drawing

    def draw(self, fmt: str) -> str | bytes:
        """The drawing as SVG text (``"svg"``) or PNG bytes (``"png"``)."""
        if fmt not in self.drawings:
            from fjernarbeid.report import charts  # matplotlib loads when a chart is first drawn here

            self.drawings[fmt] = getattr(charts, self.function)(*self.args, fmt=fmt)
        return self.drawings[fmt]

    def svg(self) -> str:
        return self.draw("svg")

    def png(self) -> bytes:
        return self.draw("png")


@dataclass
class FindingView:
    id: str
    title: str
    status: str
    reason: str | None
    verdict: str
    sentence: str
    charts: list[Chart]
    tables: list[TextTable]
    published: str
    ours: str


@dataclass
class SectionView:
    anchor: str
    title: str
    intro: str
    tables: list[TextTable]
    findings: list[FindingView]


@dataclass
class QuestionView:
    number: str
    text: str
    preamble: str
    routing: str
    codes: list[dict]


@dataclass
class ReportView:
    lang: str
    title: str
    subtitle: str
    generated: str
    synthetic: bool
    summary_intro: str
    replication: TextTable
    verdicts: list[str]  # per replication row, for colouring
    counts: str
    sections: list[SectionView]
    methods_text: str
    methods_tables: list[TextTable]
    suppression_note: str
    instrument_title: str
    questions: list[QuestionView]
    version: str = __version__
    judged: bool = True  # the study has published figures: a replication verdict per finding
    overrides: dict[str, str] = field(default_factory=dict)  # study-specific fixed texts (mode, summary)

    def t(self, key: str, **kw) -> str:
        if key in self.overrides:
            return self.overrides[key].format(**kw) if kw else self.overrides[key]
        return t(key, self.lang, **kw)


# -- formatting -------------------------------------------------------------------------------------


_HEADERS = {"label": "category", "n_unweighted": "n_u", "share": "share_w", "share_unweighted": "share_u",
            "share_weighted": "share_w", "ci": "ci95", "deff": "deff", "p": "p"}


def _header(col: str, lang: str) -> str:
    if col in _HEADERS:
        return t(_HEADERS[col], lang)
    if f"h_{col}" in TEXT:
        return t(f"h_{col}", lang)
    return col.replace("_", " ")


def fmt_cell(col: str, value, lang: str) -> str:
    if value is None:
        return "–"
    if isinstance(value, (list, tuple)) and len(value) == 2 and col == "ci":
        return fmt_ci(value[0], value[1], lang)
    if col == "df" and isinstance(value, (list, tuple)):
        return " / ".join(fmt_number(d, lang, 0 if float(d).is_integer() else 1) for d in value)
    if col in ("test", "effect"):
        return method_text(str(value), lang)
    if col.startswith("share") or col in ("ci_low", "ci_high", "rate"):
        return fmt_pct(value, lang)
    if col in ("n_unweighted", "n", "count", "low", "high", "target", "weighted"):
        return fmt_number(value, lang)
    if col == "p":
        return fmt_p(value, lang).replace("p = ", "").replace("p ", "")
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        return fmt_number(value, lang, 2 if abs(value) < 100 else 0)
    if isinstance(value, int):
        return fmt_number(value, lang)
    return str(value)


def text_table(table: Table, lang: str, caption: str = "") -> TextTable:
    return TextTable(
        name=table.name,
        headers=[_header(c, lang) for c in table.columns],
        rows=[[fmt_cell(c, v, lang) for c, v in zip(table.columns, row)] for row in table.rows],
        numeric=[c not in TEXT_COLUMNS for c in table.columns],
        caption=caption,
    )


def respondents_table(table: Table, lang: str, min_cell: int) -> TextTable:
    """Table 3.2.1: a heading row per background variable; suppressed cells as '< k' and '–'."""
    idx = {c: i for i, c in enumerate(table.columns)}
    rows, groups, current = [], set(), None
    for row in table.rows:
        if row[idx["variable"]] != current:
            current = row[idx["variable"]]
            groups.add(len(rows))
            rows.append([str(current), "", "", ""])
        hidden = row[idx["suppressed"]]
        rows.append([str(row[idx["label"]]),
                     f"< {min_cell}" if hidden else fmt_number(row[idx["n_unweighted"]], lang),
                     "–" if hidden else fmt_pct(row[idx["share_unweighted"]], lang),
                     "–" if hidden else fmt_pct(row[idx["share_weighted"]], lang)])
    return TextTable("respondents", [t("category", lang), t("n_u", lang), t("share_u", lang), t("share_w", lang)],
                     rows, [False, True, True, True], caption=t("respondents", lang), group_rows=groups)


def _short(v, lang: str) -> str:
    """A published figure or our result in a few characters, for the replication table."""
    if v is None:
        return "–"
    if isinstance(v, dict):
        if "effect" in v:
            return f"{fmt_number(v['effect'], lang, 3)}, {fmt_p(v['p'], lang)}"
        parts = []
        if v.get("expect"):
            parts.append({"positive": "+", "negative": "−"}[v["expect"]])
        if "significant" in v:
            yes, no = ("signifikant", "ikke signifikant") if lang == "nb" else ("significant", "not significant")
            parts.append(yes if v["significant"] else no)
        if "comparator" in v:
            sign = {"approx": "≈", "gt": ">", "lt": "<", "ge": "≥"}.get(v["comparator"], v["comparator"])
            value = v.get("value", "")
            value = fmt_number(value, lang, 1 if isinstance(value, float) else 0) if isinstance(value, (int, float)) else value
            parts.append(f"{sign} {value}{' %' if v.get('unit') == '%' else ''}")
        return " ".join(parts)
    if isinstance(v, list):
        if len(v) == 3:  # estimate, lo, hi in percent
            return f"{fmt_number(v[0], lang, 1)} % ({fmt_number(v[1], lang, 1)}–{fmt_number(v[2], lang, 1)})"
        return "–".join(fmt_number(x, lang) for x in v)
    if isinstance(v, float):
        return fmt_number(v, lang, 3 if abs(v) < 1 else 1)
    if isinstance(v, int):
        return fmt_number(v, lang)
    return str(v)


def _what(f: FindingResult, what: str, instrument: Instrument | None, lang: str) -> str:
    """A check's subject in words: an estimate's label, or question numbers instead of variable names."""
    def number(name: str) -> str:
        if instrument is not None and name in instrument:
            return ("Q" if lang == "en" else "spm. ") + instrument[name].number
        if instrument is not None:
            try:
                return instrument.derived_variable(name).label(lang).lower()
            except KeyError:
                pass
        return name
    for e in f.estimates:
        if e.name == what and e.label:
            return e.label
    if what.startswith("rho(") and what.endswith(")"):
        a, b = what[4:-1].split(",")
        return f"rho {number(a)}–{number(b)}"
    if "×" in what:
        return " × ".join(number(v) for v in what.split("×"))
    return number(what)


def published_and_ours(f: FindingResult, lang: str, instrument: Instrument | None = None) -> tuple[str, str]:
    pub = "; ".join(f"{_what(f, c['what'], instrument, lang)}: {_short(c['published'], lang)}" for c in f.checks)
    ours = "; ".join(f"{_what(f, c['what'], instrument, lang)}: {_short(c['ours'], lang)}" for c in f.checks)
    return pub, ours


# -- charts -------------------------------------------------------------------------------------------


def _table_index(table: Table) -> dict[str, int]:
    return {c: i for i, c in enumerate(table.columns)}


def _likert(results: Results, items, instrument: Instrument, lang: str) -> Chart | None:
    rows, scale = [], None
    for name in items:
        table = results.distributions.get(name)
        if table is None or name not in instrument:
            continue
        q = instrument[name]
        scale = [(c.code, c.label(lang)) for c in q.codes if not c.missing]
        idx = _table_index(table)
        shares = {int(r[idx["code"]]): (0.0 if r[idx["suppressed"]] else r[idx["share"]]) for r in table.rows}
        rows.append((q.label(lang), shares))
    if not rows:
        return None
    caption = {"nb": "Vektet fordeling, «ikke sikker» utelatt.", "nn": "Vekta fordeling, «ikkje sikker» utelate."}.get(
        lang, "Weighted distribution, 'not sure' left out.")
    return Chart(caption, "likert_chart", (rows, scale))


def _distribution(results: Results, name: str, lang: str, caption: str | None = None) -> Chart | None:
    table = results.distributions.get(name)
    if table is None:
        return None
    idx = _table_index(table)
    cats = [(r[idx["label"]], r[idx["share"]], r[idx["ci_low"]], r[idx["ci_high"]])
            for r in table.rows if not r[idx["suppressed"]] and r[idx["share"]] is not None]
    if not cats:
        return None
    caption = caption or ("Vekta del med 95 % konfidensintervall." if lang == "nn" else
                          "Vektet andel med 95 % konfidensintervall." if lang == "nb"
                          else "Weighted share with 95 % confidence interval.")
    return Chart(caption, "distribution_chart", (cats,))


def _means(table: Table, lang: str, by_outcome: bool) -> Chart | None:
    """Grouped bars of weighted means with CIs (group comparisons and trends)."""
    idx = _table_index(table)
    cats, series = [], {}
    for r in table.rows:
        if r[idx["mean"]] is None:
            continue
        cat, ser = (r[idx["outcome"]], r[idx["group"]]) if by_outcome else (r[idx["group"]], r[idx["outcome"]])
        if cat not in cats:
            cats.append(cat)
        series.setdefault(ser, []).append((r[idx["mean"]], r[idx["ci_low"]], r[idx["ci_high"]]))
    if not series or any(len(v) != len(cats) for v in series.values()):
        return None
    xlabel = ("Gjennomsnitt på svarskalaen (lavere = mer enig/viktig/sannsynlig)" if lang == "nb"
              else "Mean on the answer scale (lower = more agree/important/likely)")
    caption = {"nb": "Vektede gjennomsnitt med 95 % KI.", "nn": "Vekta gjennomsnitt med 95 % KI."}.get(
        lang, "Weighted means with 95 % CI.")
    return Chart(caption, "group_bars", ([str(c) for c in cats], series, xlabel))


def _crosstab(table: Table, lang: str) -> Chart | None:
    idx = _table_index(table)
    groups: dict[str, dict[int, float]] = {}
    scale: dict[int, str] = {}
    for r in table.rows:
        share = 0.0 if r[idx["suppressed"]] else (r[idx["share"]] or 0.0)
        groups.setdefault(r[idx["group"]], {})[int(r[idx["code"]])] = share
        scale[int(r[idx["code"]])] = r[idx["label"]]
    if not groups:
        return None
    caption = {"nb": "Vektet fordeling innen hver gruppe.", "nn": "Vekta fordeling innan kvar gruppe."}.get(
        lang, "Weighted distribution within each group.")
    items = list(groups.items())
    ordered = sorted(scale.items())
    return Chart(caption, "stacked_100", (items, ordered))


def _finding_charts(f: FindingResult, results: Results, instrument: Instrument, lang: str, drawn: set,
                    charts: dict | None = None) -> list[Chart]:
    out: list[Chart | None] = []
    charts = charts or {}
    blocks = [tuple(b) for b in charts.get("likert_blocks") or ()]
    distributions = charts.get("distributions")  # None: every question a finding shows gets its chart
    for name in (tb.name.split(":", 1)[1] for tb in f.tables if tb.name.startswith("distribution:")):
        block = next((b for b in blocks if name in b), None)
        if block and block not in drawn:
            drawn.add(block)
            out.append(_likert(results, block, instrument, lang))
        elif not block and (distributions is None or name in distributions) and name not in drawn:
            drawn.add(name)
            out.append(_distribution(results, name, lang))
    for name in (tb.name.split(":", 1)[1] for tb in f.tables if tb.name.startswith("multiple:")):
        if name not in drawn and (distributions is None or name in distributions):
            drawn.add(name)
            out.append(_distribution(results, name, lang, caption=t("multiple_caption", lang)))
    for table in f.tables:
        if table.name == "group_means":
            out.append(_means(table, lang, by_outcome=True))
        elif table.name == "trend_means":
            out.append(_means(table, lang, by_outcome=False))
        elif table.name == "crosstab_colpct":
            out.append(_crosstab(table, lang))
    charts_ = [c for c in out if c is not None]
    for c in charts_:
        c.finding = f.id
    return charts_


# -- the whole report ---------------------------------------------------------------------------------


def _margin_label(variable: str, category, instrument: Instrument, lang: str) -> tuple[str, str]:
    """'sex × age_group', [1, 1] → ('Kjønn × Aldersgruppe', 'Mann, 25-29 år')."""
    names = [v.strip() for v in str(variable).split("×")]
    codes = category if isinstance(category, (list, tuple)) else [category]
    if isinstance(category, str) and category.startswith("["):
        codes = [c.strip() for c in category.strip("[]").split(",")]
    labels, var_labels = [], []
    for name, code in zip(names, codes):
        try:
            code = int(float(code))
        except (TypeError, ValueError):
            labels.append(str(code))
            var_labels.append(name)
            continue
        if name in instrument:
            q = instrument[name]
            var_labels.append(q.label(lang).rstrip("?"))
            labels.append(q.code_labels(lang).get(code, str(code)))
        else:
            try:
                d = instrument.derived_variable(name)
                var_labels.append(d.label(lang))
                labels.append(d.code_labels(lang).get(code, str(code)))
            except KeyError:
                var_labels.append(name)
                labels.append(str(code))
    return " × ".join(var_labels), ", ".join(labels)


def _methods_tables(results: Results, instrument: Instrument, lang: str) -> list[TextTable]:
    out = []
    w = results.weighting or {}
    if w.get("summary"):
        summary = {k: v for k, v in w["summary"].items() if k != "n"}
        out.append(text_table(Table("weights", list(summary.keys()), [list(summary.values())]), lang,
                              t("weighting", lang)))
    if w.get("margins"):
        cols = w["margins"]["columns"]
        idx = {c: i for i, c in enumerate(cols)}
        rows = []
        for r in w["margins"]["rows"]:
            var, cat = _margin_label(r[idx["variable"]], r[idx["category"]], instrument, lang)
            rows.append([var, cat, r[idx["target"]], r[idx["weighted"]], r[idx["n"]]])
        out.append(text_table(Table("weight_margins", ["variable", "category", "target", "weighted", "n_unweighted"],
                                    rows), lang, f"{t('target', lang)} / {t('weighted', lang)}"))
    deffs = sorted(e.deff for f in results.findings for e in f.estimates if e.deff is not None and e.deff == e.deff)
    if deffs:
        mid = len(deffs) // 2
        median = deffs[mid] if len(deffs) % 2 else (deffs[mid - 1] + deffs[mid]) / 2
        out.append(text_table(Table("design_effects", ["what", "value"],
                                    [[t("r_estimates", lang), len(deffs)], [t("r_median", lang), median],
                                     [t("r_min", lang), deffs[0]], [t("r_max", lang), deffs[-1]]]),
                              lang, t("design_effects", lang)))
    fw = results.fieldwork
    if fw:
        rows = [[t("r_records", lang), fw["records"]], [t("r_contacts", lang), fw["contacts"]]]
        rows += [[t("r_screened_out", lang, q=k), v] for k, v in fw["screened_out"].items()]
        rows += [[t("r_completes", lang), fw["completes"]]]
        out.append(text_table(Table("fieldwork", ["what", "count"], rows), lang, t("fieldwork", lang)))
        outcome = fw["outcome"]
        method = t("e_casro", lang) if outcome["e_method"].startswith("proportional") else outcome["e_method"]
        table = text_table(Table("aapor", ["what", "rate"], [[k, v] for k, v in outcome["rates"].items()]), lang,
                           t("fieldwork_rates", lang) + f" — e = {fmt_number(outcome['e'] or 0, lang, 3)} ({method})")
        if outcome.get("notes"):
            table.caption += " " + (t("no_rates", lang) if lang == "nb" else " ".join(outcome["notes"]))
        out.append(table)
    return out


def _caption(table: Table, instrument: Instrument, lang: str) -> str:
    if table.name.startswith("estimates_multiple:"):
        return t("multiple_caption", lang)
    if table.name.startswith("estimates_projection:"):
        variable = table.name.split(":", 1)[1]
        try:
            name = instrument.derived_variable(variable).label(lang)
        except KeyError:
            name = variable
        return (f"Fremskrevet antall arbeidstakere etter {name.lower()} (andel av alle som svarte, 95 % KI × grunnlaget)"
                if lang == "nb" else
                f"Projected number of workers by {name.lower()} (share of all who answered, 95 % CI × the base)")
    return ""


def _study_of(results: Results, instrument: Instrument):
    """The study the results belong to: carried by the results, else the default study when the
    questionnaire is its own, else a study made of the questionnaire alone."""
    from fjernarbeid.study import load_study, study_for_instrument

    study = getattr(results, "study", None)
    if study is not None:
        return study
    default = load_study()
    return default if instrument.id == default.id else study_for_instrument(instrument)


def _chapters(study, results: Results, lang: str):
    """(id, title) of every chapter in the study's order, then the sections findings name that the
    study has no chapter for (never dropped), in the order the findings come."""
    from fjernarbeid.findings.catalogue import QUESTIONS_SECTION

    chapters = [(c.id, c.label(lang), c.respondents, _pick_text(c.intro, lang)) for c in study.chapters]
    known = {c[0] for c in chapters}
    for f in results.findings:
        if f.section not in known:
            known.add(f.section)
            title = t("questions_chapter", lang) if f.section == QUESTIONS_SECTION else f.section
            chapters.append((f.section, title, False, ""))
    if not any(c[2] for c in chapters) and chapters:  # the respondents table opens the first chapter
        first = chapters[0]
        chapters[0] = (first[0], first[1], True, first[3])
    return chapters


def build_view(results: Results, instrument: Instrument, lang: str = "nb", min_cell: int = 5) -> ReportView:
    study = _study_of(results, instrument)
    judged = bool(study.published) or any(f.published for f in results.findings)
    telephone = study.is_telephone
    drawn: set = set()
    sections = []
    for sec, title, with_respondents, intro in _chapters(study, results, lang):
        findings = []
        for f in results.findings:
            if f.section != sec:
                continue
            pub, ours = published_and_ours(f, lang, instrument)
            findings.append(FindingView(
                id=f.id, title=_pick_text(f.title, lang), status=f.status, reason=f.reason,
                verdict=f.verdict, sentence=_pick_text(f.sentence, lang),
                charts=(_finding_charts(f, results, instrument, lang, drawn, study.charts or None)
                        if f.status == "ok" else []),
                tables=[text_table(tb, lang, _caption(tb, instrument, lang)) for tb in f.tables
                        if tb.name.startswith(("estimates", "tests"))]
                       + ([text_table(_shares(tb), lang) for tb in f.tables if tb.name.startswith("distribution:")]
                          if not judged else []),
                published=pub, ours=ours))
        tables = [respondents_table(tb, lang, min_cell) for tb in results.respondents] if with_respondents else []
        sections.append(SectionView(anchor=f"sec-{sec.replace('.', '-')}", title=title,
                                    intro=(intro or t("respondents_intro_generic", lang)) if tables else intro,
                                    tables=tables,
                                    findings=findings))
    rows, verdicts = [], []
    for f in results.findings:
        pub, ours = published_and_ours(f, lang, instrument)
        if judged:
            rows.append([f.id, _pick_text(f.title, lang), pub or "–", ours or (f.reason or "–"), t(f.verdict, lang)])
        else:
            rows.append([f.id, _pick_text(f.title, lang), _pick_text(f.sentence, lang) if f.status == "ok"
                         else (f.reason or "–")])
        verdicts.append(f.verdict)
    keys = ("col_id", "col_finding", "col_published", "col_ours", "col_verdict") if judged else \
        ("col_id", "col_finding", "col_ours")
    replication = TextTable("replication", [t(k, lang) for k in keys], rows, [False] * len(keys))
    s = results.summary
    if judged:
        counts = (f"{s['agrees']} stemmer, {s['differs']} avviker, {s['not_computed']} ikke beregnet." if lang == "nb"
                  else f"{s['agrees']} agree, {s['differs']} differ, {s['not_computed']} not computed.")
    else:
        counts = t("findings_count", lang, n=len(results.findings), not_computed=s.get("not_computed", 0))
    overrides = {}
    if not judged:
        overrides["summary"] = t("summary_findings", lang)
    if not telephone:  # a web or paper questionnaire is not read aloud, and nobody interviews
        overrides["not_read"] = t("not_read_self", lang)
        overrides["screen_out"] = t("screen_out_self", lang)
    questions = [
        QuestionView(number=q.number, text=q.label(lang), preamble=q.preamble.get(lang, ""),
                     routing=str(q.ask_if) if q.ask_if else "",
                     codes=[{"code": c.code, "label": c.label(lang), "missing": c.missing,
                             "screen_out": c.code in q.screen_out} for c in q.codes])
        for q in instrument.questions
    ]
    weighting_text = (getattr(results, "weighting_text", None) or {})
    method = ((results.weighting or {}).get("summary") or {}).get("method") or "design weights"
    methods_text = (weighting_text.get(lang) or _pick_text(weighting_text, lang)
                    or t("weighting_generic", lang, method=method))
    return ReportView(
        lang=lang, title=study.label(lang), subtitle=_pick_text(study.subtitle, lang),
        generated=t("generated", lang, version=__version__, source=results.data.get("source", "?"),
                    n=fmt_number(results.data.get("n"), lang)),
        synthetic=bool(results.data.get("synthetic")),
        summary_intro=t("summary_intro", lang) if judged else t("summary_intro_findings", lang),
        replication=replication, verdicts=verdicts, counts=counts, sections=sections,
        methods_text=methods_text, methods_tables=_methods_tables(results, instrument, lang),
        suppression_note=t("suppressed", lang, k=min_cell), instrument_title=instrument.label(lang),
        questions=questions, judged=judged, overrides=overrides,
    )


def _shares(table: Table) -> Table:
    """A distribution as the report shows it: category, weighted share and its 95 % CI."""
    idx = _table_index(table)
    rows = [[r[idx["label"]], None if r[idx["suppressed"]] else r[idx["share"]],
             None if r[idx["suppressed"]] else (r[idx["ci_low"]], r[idx["ci_high"]])] for r in table.rows]
    return Table(table.name, ["label", "share", "ci"], rows)


def _pick_text(texts: dict, lang: str) -> str:
    """A text in ``lang``; nynorsk falls back to bokmål, anything else to English, then any."""
    if not texts:
        return ""
    for candidate in (lang, "nb" if lang == "nn" else "en", "nb", "en"):
        if texts.get(candidate):
            return texts[candidate]
    return next(iter(texts.values()))

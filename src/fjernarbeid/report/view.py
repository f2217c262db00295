"""What the report says, independent of the file format.

:func:`build_view` turns :class:`~fjernarbeid.findings.results.Results` into sections of findings with
their sentence, formatted tables and charts. The HTML, Word and PDF writers only lay this out, so the
three formats always carry the same content.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from markupsafe import Markup

from fjernarbeid import __version__
from fjernarbeid.findings.results import FindingResult, Results, Table
from fjernarbeid.instrument import Instrument
from fjernarbeid.i18n import has_message, message
from fjernarbeid.i18n import SUPPRESSED, fmt_interval, one_of
from fjernarbeid.report.i18n import fmt_ci, fmt_number, fmt_p, fmt_pct, has_text, t, term

# The chapters, their order, the charts and the front matter come from the study file
# (fjernarbeid.study); a finding whose section is no chapter of the study gets a chapter of its own.
# Columns that hold text; the others are right-aligned numbers.
TEXT_COLUMNS = ("label", "group", "variable", "name", "test", "what", "category", "outcome", "item", "effect", "note",
                "rate_name", "definition")
# Text columns whose values are names (variables, check names, English terms of the analyses) to put in words.
WORD_COLUMNS = ("label", "group", "name", "what", "outcome", "item", "effect", "note")


@dataclass
class TextTable:
    """A table with its cells already formatted for the report's language."""

    name: str
    headers: list[str]
    rows: list[list[str]]
    numeric: list[bool]
    caption: str = ""
    group_rows: set[int] = field(default_factory=set)  # rows that are headings of a block (table 3.2.1)
    number: int = 0  # the table's number in the report (0: not numbered, e.g. a chart's data table)
    source: str = ""  # 'Kilde: …, n = …'


@dataclass
class Chart:
    """A chart as a drawing function of :mod:`fjernarbeid.report.charts` and its data — plain values,
    so that another process can draw it (:mod:`fjernarbeid.report.drawing`) — drawn once per format."""

    caption: str
    function: str  # the name of the drawing function in fjernarbeid.report.charts
    args: tuple  # its arguments before ``fmt``
    finding: str = ""
    data: "TextTable | None" = None  # the numbers drawn, as a table beside the chart (for screen readers too)
    n: int = 0  # unweighted respondents behind the chart
    number: int = 0  # the figure's number in the report
    source: str = ""  # 'Kilde: demo_survey.csv. n = 500 (uvektet).'
    drawings: dict[str, str | bytes] = field(default_factory=dict, repr=False)  # format → drawing

    @property
    def alt(self) -> str:
        """The chart's accessible name: its caption (the data table beside it carries the numbers)."""
        return self.caption

    def draw(self, fmt: str | tuple[str, ...]) -> str | bytes:
        """The drawing as SVG text (``"svg"``) or PNG bytes (``"png"``); a tuple of formats draws those not yet
        drawn from one figure (and returns the first)."""
        wanted = fmt if isinstance(fmt, tuple) else (fmt,)
        todo = tuple(f for f in wanted if f not in self.drawings)
        if todo:
            from fjernarbeid.report import charts  # matplotlib loads when a chart is first drawn here

            self.drawings.update(getattr(charts, self.function)(*self.args, fmt=todo))
        return self.drawings[wanted[0]]

    def svg(self) -> str:
        return self.draw("svg")

    def svg_named(self) -> str:
        """The SVG with its accessible name (``aria-label`` and ``<title>``), for inline use in HTML."""
        from markupsafe import escape

        name = escape(self.alt)
        svg = self.svg().replace('role="img"', f'role="img" aria-label="{name}"', 1)
        end = svg.index(">") + 1
        return f"{svg[:end]}<title>{name}</title>{svg[end:]}"

    def data_uri(self) -> str:
        """The SVG as a data: URI, for an <img> with alt text (the printed report): the print SVG, which
        draws the same picture with a third of the elements (:func:`print_svg`)."""
        import base64

        return "data:image/svg+xml;base64," + base64.b64encode(print_svg(self.svg()).encode("utf-8")).decode("ascii")

    def png(self) -> bytes:
        return self.draw("png")


class Chapter(Markup):
    """A finished chapter made elsewhere (4.5, from :mod:`fjernarbeid.target`): its safe HTML, placed as it is in
    the HTML and PDF reports, with the charts of its figures (``<figure id="figure-N">``, a :class:`Chart`
    numbered N each) for the formats that draw charts themselves (Word) and the number of tables it numbers."""

    charts: tuple = ()
    tables: int = 0

    def __new__(cls, html="", charts=(), tables: int = 0):
        chapter = super().__new__(cls, html)
        chapter.charts, chapter.tables = tuple(charts), tables
        return chapter


_SVG_TOKEN = re.compile(r"<[^>]+>|[^<]+")
_SVG_WRAPPER = re.compile(r'<g(?: id="[^"]*")?>')


def print_svg(svg: str) -> str:
    """A matplotlib SVG reduced for the PDF printer, pixel for pixel the same picture: without its metadata,
    without the group elements that only carry an id, without the identity ``rotate(-0 …)`` of every text,
    and with one font family (the one it is drawn in) instead of matplotlib's list of eleven. WeasyPrint
    draws it in less than half the time (every element and every font look-up costs)."""
    svg = re.sub(r"\s*<metadata>.*?</metadata>", "", svg, flags=re.S)
    svg = re.sub(r"font-family: [^;\"]+", "font-family: 'DejaVu Sans', sans-serif", svg)
    svg = re.sub(r' transform="rotate\(-0 [-\d.]+ [-\d.]+\)"', "", svg)
    out, kept = [], []  # kept: for each open <g>, whether it was written (closing tags follow suit)
    for token in _SVG_TOKEN.findall(svg):
        if token.startswith("<g") and token.endswith("/>"):
            continue  # an empty group draws nothing
        if token.startswith("<g") and (token[2:3] in (" ", ">")):
            kept.append(_SVG_WRAPPER.fullmatch(token) is None)
            if kept[-1]:
                out.append(token)
        elif token == "</g>":
            if kept.pop():
                out.append(token)
        elif token.startswith("<"):
            out.append(token)
        elif token.strip():
            out.append(token)  # text of a <text> or <style>
    return "".join(out)


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
    # what the heading shows before the title: the catalogue's id ("P25"); nothing for a finding named after
    # its question (a report without a catalogue), whose title starts with the question's number already
    label: str = ""


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
    anchors: list[str] = field(default_factory=list)  # per replication row, the finding's anchor
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
    if has_text(f"h_{col}"):
        return t(f"h_{col}", lang)
    raise KeyError(f"the report has no heading for the column {col!r}: add h_{col} to the message catalogue")


def _in_sentence(label: str) -> str:
    """A label inside a sentence: its first letter in lower case, unless the first word is an acronym ('SSB');
    the rest as written ('… (SSB, 1 = mest sentral)' keeps its capitals)."""
    first = label.split(" ", 1)[0]
    if not label or (len(first) > 1 and first.isupper()):
        return label
    return label[0].lower() + label[1:]


def _names_in_text(instrument: Instrument) -> re.Pattern:
    """What :meth:`Words.in_text` finds in running text: a question's name (group ``name``), or a label of the
    questionnaire that holds one ('Privat arbeidsgiver' beside the question ``arbeidsgiver``; group ``label``),
    which a sentence quotes as it is written and is left alone."""
    names = sorted((q.name for q in instrument.questions), key=len, reverse=True)
    name = r"\b(?P<name>" + "|".join(map(re.escape, names)) + r")\b"
    found = re.compile(name)
    texts: set[str] = set()
    for q in instrument.questions:
        texts.update(q.text.values())
        for c in q.codes:
            texts.update(c.labels.values())
    for d in instrument.derived:
        texts.update(d.labels.values())
        for c in d.codes:
            texts.update(c.labels.values())
        for b in d.bins:
            texts.update(b.labels.values())
    labels = sorted((s for s in texts if s and found.search(s)), key=len, reverse=True)
    if not labels:
        return re.compile(r"(?P<label>(?!))|" + name)
    return re.compile(r"(?P<label>" + "|".join(map(re.escape, labels)) + r")|" + name)


class Words:
    """Names in the results (variables, the catalogue's check names, the analyses' English terms) as words
    of the report's language: a variable becomes its question number ('spm. 12') or its label."""

    def __init__(self, instrument: Instrument | None, lang: str):
        self.instrument, self.lang = instrument, lang

    def variable(self, name: str) -> str:
        name = str(name).strip()
        if "×" in name:
            return " × ".join(self.variable(v) for v in name.split("×"))
        instrument = self.instrument
        if instrument is not None and name in instrument:
            return t("question_ref", self.lang, number=instrument[name].number)
        if instrument is not None:
            try:
                return _in_sentence(instrument.derived_variable(name).label(self.lang))
            except KeyError:
                pass
        return name

    def in_text(self, text: str) -> str:
        """Running text with every variable name in it put in words: a question's name becomes 'spm. 7'."""
        if self.instrument is None or not text:
            return text
        if getattr(self, "_pattern", None) is None:
            self._pattern = _names_in_text(self.instrument)
        return self._pattern.sub(lambda m: m.group("label") or self.variable(m.group("name")), text)

    def __call__(self, text) -> str:
        """Any name or term: a check's subject, an analysis term, a variable, or the text itself."""
        text = str(text)
        if has_message("subject", text):
            return message("subject", text, self.lang)
        if text.startswith("rho(") and text.endswith(")") and "," in text:
            a, b = text[4:-1].split(",", 1)
            return message("subject", "rho", self.lang, a=self.variable(a), b=self.variable(b))
        translated = term(text, self.lang, self.variable)
        if translated != text:
            return translated
        return self.variable(text)


def _is_share_column(col: str) -> bool:
    return col.startswith("share") or col in ("ci_low", "ci_high", "rate")


def share_decimals(values) -> int:
    """One number of decimals for a column of shares: one when any share is under 10 % (2,3 %), so that
    the column does not mix '9,6 %' and '14 %'; none otherwise."""
    shares = [v for v in values if isinstance(v, (int, float)) and not isinstance(v, bool) and v == v]
    return 1 if any(0 < abs(100 * v) < 9.95 for v in shares) else 0


def fmt_cell(col: str, value, lang: str, words: Words | None = None, decimals: int | None = None) -> str:
    if value is None:
        return "–"
    if decimals is not None and _is_share_column(col) and isinstance(value, (int, float)):
        return fmt_pct(value, lang, decimals)
    if words is not None and col in WORD_COLUMNS and isinstance(value, str):
        return words(value)
    if isinstance(value, (list, tuple)) and len(value) == 2 and col == "ci":
        return fmt_ci(value[0], value[1], lang, decimals)
    if col == "df" and isinstance(value, (list, tuple)):
        return " / ".join(fmt_number(d, lang, 0 if float(d).is_integer() else 1) for d in value)
    if col in ("test", "effect"):
        return term(str(value), lang, words.variable if words is not None else (lambda n: n))
    if col.startswith("share") or col in ("ci_low", "ci_high", "rate"):
        return fmt_pct(value, lang)
    if col in ("n_unweighted", "n", "count", "low", "high", "target", "weighted"):
        return fmt_number(value, lang)
    if col == "p":
        return fmt_p(value, lang).replace("p = ", "").replace("p ", "")
    if isinstance(value, bool):
        return t("significant" if value else "not_significant", lang) if col == "significant" else (
            "✓" if value else "–")
    if isinstance(value, float):
        return fmt_number(value, lang, 2 if abs(value) < 100 else 0)
    if isinstance(value, int):
        return fmt_number(value, lang)
    return str(value)


def _hidden_row(row, flag: int | None) -> bool:
    """A row its table marks ``suppressed`` (a figure withheld for confidentiality)."""
    return flag is not None and row[flag] is not None and not isinstance(row[flag], str) and bool(row[flag])


def text_table(table: Table, lang: str, caption: str = "", words: Words | None = None) -> TextTable:
    """A table as the report prints it; in a row marked ``suppressed`` the withheld figures are ':'
    (:data:`fjernarbeid.i18n.SUPPRESSED`), and the flag itself is not a column of its own."""
    words = words or Words(None, lang)
    flag = table.columns.index("suppressed") if "suppressed" in table.columns else None
    shown = [j for j, c in enumerate(table.columns) if j != flag]
    decimals = {c: share_decimals(row[i] for row in table.rows) for i, c in enumerate(table.columns)
                if _is_share_column(c)}
    if "ci" in table.columns and "share" in table.columns:
        # a share and its interval with one number of decimals ('54,8 %' and '54,8–54,8 %', never '55–55 %')
        i = table.columns.index("ci")
        ends = [x for row in table.rows if isinstance(row[i], (list, tuple)) for x in row[i]]
        decimals["share"] = decimals["ci"] = max(decimals["share"], share_decimals(ends))

    def cell(row, j):
        column, value = table.columns[j], row[j]
        if value is None and _hidden_row(row, flag):
            return SUPPRESSED
        return fmt_cell(column, value, lang, words, decimals.get(column))

    return TextTable(
        name=table.name,
        headers=[_header(table.columns[j], lang) for j in shown],
        rows=[[cell(row, j) for j in shown] for row in table.rows],
        numeric=[table.columns[j] not in TEXT_COLUMNS for j in shown],
        caption=caption,
    )


def hidden_respondent_rows(table: Table) -> list[bool]:
    """The rows of table 3.2.1 to hide (report and workbook alike): those with too few respondents and,
    since a background variable's counts add up to the sample, a second one beside a lone hidden one,
    which would otherwise be found by subtraction."""
    from fjernarbeid.export.cell_suppression import complementary_suppression

    idx = {c: i for i, c in enumerate(table.columns)}
    blocks: dict = {}
    for i, row in enumerate(table.rows):
        blocks.setdefault(row[idx["variable"]], []).append(i)
    hide = [False] * len(table.rows)
    for members in blocks.values():
        chosen = complementary_suppression([table.rows[i][idx["n_unweighted"]] for i in members],
                                           [bool(table.rows[i][idx["suppressed"]]) for i in members])
        for i, h in zip(members, chosen):
            hide[i] = h
    return hide


def respondents_table(table: Table, lang: str, caption: str = "") -> TextTable:
    """Table 3.2.1: a heading row per background variable; a suppressed cell (and one hidden with it) as ':'."""
    idx = {c: i for i, c in enumerate(table.columns)}
    hide = hidden_respondent_rows(table)
    decimals = {c: share_decimals(r[idx[c]] for r in table.rows) for c in ("share_unweighted", "share_weighted")}
    rows, groups, current = [], set(), None
    for i, row in enumerate(table.rows):
        if row[idx["variable"]] != current:
            current = row[idx["variable"]]
            groups.add(len(rows))
            rows.append([str(current), "", "", ""])
        hidden = hide[i]  # a cell too small, or one hidden with it: the reader cannot tell which
        rows.append([str(row[idx["label"]]),
                     SUPPRESSED if hidden else fmt_number(row[idx["n_unweighted"]], lang),
                     SUPPRESSED if hidden else fmt_pct(row[idx["share_unweighted"]], lang, decimals["share_unweighted"]),
                     SUPPRESSED if hidden else fmt_pct(row[idx["share_weighted"]], lang, decimals["share_weighted"])])
    return TextTable("respondents", [t("category", lang), t("n_u", lang), t("share_u", lang), t("share_w", lang)],
                     rows, [False, True, True, True], caption=caption or t("respondents", lang), group_rows=groups)


NBSP_PCT = "\u00a0%"


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
            parts.append(t("significant" if v["significant"] else "not_significant", lang))
        if "comparator" in v:
            sign = {"approx": "≈", "gt": ">", "lt": "<", "ge": "≥"}.get(v["comparator"], v["comparator"])
            value = v.get("value", "")
            value = fmt_number(value, lang, 1 if isinstance(value, float) else 0) if isinstance(value, (int, float)) else value
            # non-breaking spaces: '≈ 57 %' stays on one line in a narrow column
            parts.append(f"{sign}\u00a0{value}{NBSP_PCT if v.get('unit') == '%' else ''}")
        return " ".join(parts)
    if isinstance(v, list):
        if len(v) == 3:  # estimate, lo, hi in percent
            return f"{fmt_number(v[0], lang, 1)}{NBSP_PCT} ({fmt_number(v[1], lang, 1)}–{fmt_number(v[2], lang, 1)})"
        return "–".join(fmt_number(_meaningful(x), lang) for x in v)
    if isinstance(v, float):
        return fmt_number(v, lang, 3 if abs(v) < 1 else 1)
    if isinstance(v, int):
        return fmt_number(v, lang)
    return str(v)


def _meaningful(x):
    """A projected count to the precision it has: 364 377 → 364 000 (three significant digits)."""
    if isinstance(x, (int, float)) and abs(x) >= 1000:
        digits = len(str(int(abs(x)))) - 3
        return round(x, -digits)
    return x


def _what(f: FindingResult, what: str, instrument: Instrument | None, lang: str) -> str:
    """A check's subject in words: an estimate's label, the catalogue's name for it, or question numbers
    instead of variable names."""
    for e in f.estimates:
        if e.name == what and e.label:
            return Words(instrument, lang)(e.label)
    return Words(instrument, lang)(what)


def _ours(f: FindingResult, check: dict, lang: str, named: str = "") -> str:
    """Our figure for a check, named as the finding's table of tests names it ('Spearmans rho 0,35',
    'forskjell i gjennomsnitt 1,16'): a bare '1,158' tells a reader nothing. A sign check of a model reads
    the coefficient (a log-odds); the reader is shown the effect the text gives (the odds ratio)."""
    ours = check["ours"]
    if ours is None and any(e.suppressed and e.name == check["what"] for e in f.estimates):
        return SUPPRESSED  # withheld for confidentiality, not missing
    if isinstance(ours, dict) and "effect" in ours:
        test = next((t for t in f.tests if t.name == check["what"] and t.effect is not None), None)
        if test is not None and test.effect_name:
            low, high = test.effect_ci_low, test.effect_ci_high
            ci = f" ({t('ci95', lang)} {fmt_interval(low, high, lang, 2)})" \
                if low is not None and high is not None else ""
            name = term(test.effect_name, lang)
            name = "" if named.startswith(name) else name + " "  # 'Spearmans rho, spm. 10_1–…' names it already
            return f"{name}{fmt_number(test.effect, lang, 2)}{ci}, {fmt_p(ours['p'], lang)}"
    return _short(ours, lang)


def published_and_ours(f: FindingResult, lang: str, instrument: Instrument | None = None) -> tuple[str, str]:
    pub = "; ".join(f"{_what(f, c['what'], instrument, lang)}: {_short(c['published'], lang)}" for c in f.checks)
    ours = "; ".join(f"{what}: {_ours(f, c, lang, named=what)}" for c in f.checks
                     for what in [_what(f, c["what"], instrument, lang)])
    return pub, ours


# -- charts -------------------------------------------------------------------------------------------


def _table_index(table: Table) -> dict[str, int]:
    return {c: i for i, c in enumerate(table.columns)}


def _question_of(label: str, instrument: Instrument):
    """The question of a chart label such as '12 Hvor ofte benytter du normalt…' (number, then text)."""
    number = str(label).split(" ", 1)[0]
    return next((q for q in instrument.questions if q.number == number), None)


def _scale(q, lang: str) -> list[tuple[int, str]]:
    """A question's answer scale: its substantive codes and their labels, 'not sure' left out."""
    return [(c.code, c.label(lang)) for c in q.codes if not c.missing]


def _ended(title: str) -> str:
    """A title as the first sentence of a caption: ending in its own '?' or '.', or given a '.'."""
    title = str(title).strip().rstrip(":")
    return title if title.endswith(("?", ".", "!")) else title + "."


def _question_title(q, lang: str) -> str:
    """'12. Hvor ofte …': a question by its number and text, as the finding's heading and table name it."""
    return f"{q.number}. {q.label(lang)}" if q.number != q.name else q.label(lang)


def _pct_cell(share, lang: str) -> str:
    return fmt_pct(share, lang, 1)


def _likert(results: Results, items, instrument: Instrument, lang: str) -> Chart | None:
    rows, scale, n = [], None, 0
    hidden: list[set[int]] = []
    for name in items:
        table = results.distributions.get(name)
        if table is None or name not in instrument:
            continue
        q = instrument[name]
        scale = _scale(q, lang)
        idx = _table_index(table)
        shares = {int(r[idx["code"]]): (0.0 if r[idx["suppressed"]] else r[idx["share"]]) for r in table.rows}
        hidden.append({int(r[idx["code"]]) for r in table.rows if r[idx["suppressed"]]})
        n = max(n, max(r[idx["n_unweighted"]] or 0 for r in table.rows))
        rows.append((f"{q.number} {q.label(lang)}", shares))
    if not rows:
        return None
    first = instrument[items[0]]
    title = first.preamble.get(lang) or first.preamble.get("nb") or first.label(lang)
    # the "not sure" codes left out, by the questionnaire's own labels ('«Ikke sikker» utelatt')
    unsure = list(dict.fromkeys(c.label(lang) for name in items if name in instrument
                                for c in instrument[name].codes if c.missing))
    caption = (t("chart_likert", lang, title=_ended(title), answers=one_of(unsure, lang)) if unsure
               else t("chart_likert_complete", lang, title=_ended(title)))
    # a hidden cell is drawn as no bar, and written as hidden (':'), never as '0,0 %'
    data = TextTable("chart_data", [""] + [lbl for _, lbl in scale],
                     [[label] + [SUPPRESSED if c in gone else _pct_cell(shares.get(c), lang) for c, _ in scale]
                      for (label, shares), gone in zip(rows, hidden)],
                     [False] + [True] * len(scale))
    return Chart(caption, "likert_chart", (rows, scale, lang), data=data, n=n)


def _distribution(results: Results, name: str, instrument: Instrument, lang: str,
                  kind: str = "chart_distribution") -> Chart | None:
    table = results.distributions.get(name)
    if table is None:
        return None
    idx = _table_index(table)
    # a single-choice question's shares add up to 100 %: a chart hides the complementary cell as its table does
    hide = _complement_hidden(table) if kind == "chart_distribution" and "share" in idx \
        else [bool(r[idx["suppressed"]]) for r in table.rows]
    cats = [(r[idx["label"]], r[idx["share"]], r[idx["ci_low"]], r[idx["ci_high"]])
            for r, h in zip(table.rows, hide) if not h and r[idx["share"]] is not None]
    if not cats:
        return None
    title = _question_title(instrument[name], lang) if name in instrument else name
    data = TextTable("chart_data", [t("category", lang), t("share_w", lang), t("ci95", lang)],
                     [[c[0], _pct_cell(c[1], lang), fmt_ci(c[2], c[3], lang, 1)] for c in cats], [False, True, True])
    n = max(r[idx["n_unweighted"]] or 0 for r in table.rows)  # each row carries the base
    return Chart(t(kind, lang, title=_ended(title)), "distribution_chart", (cats, lang), data=data, n=n)


def _means(table: Table, instrument: Instrument, lang: str, by_outcome: bool, title: str) -> Chart | None:
    """Grouped bars of weighted means with CIs (group comparisons and trends), on the answer scale's own
    range with its end labels: a mean of 1-5 codes drawn from 0 would mislead."""
    idx = _table_index(table)
    cats, series, questions, n_by_outcome = [], {}, [], {}
    for r in table.rows:
        if r[idx["mean"]] is None:
            continue
        q = _question_of(r[idx["outcome"]], instrument)
        if q is not None and q not in questions:
            questions.append(q)
        outcome = f"{q.number} {q.label(lang)}" if q is not None else str(r[idx["outcome"]])
        cat, ser = (outcome, r[idx["group"]]) if by_outcome else (r[idx["group"]], outcome)
        if cat not in cats:
            cats.append(cat)
        series.setdefault(ser, []).append((r[idx["mean"]], r[idx["ci_low"]], r[idx["ci_high"]]))
        n_by_outcome[outcome] = n_by_outcome.get(outcome, 0) + (r[idx["n_unweighted"]] or 0)
    if not series or any(len(v) != len(cats) for v in series.values()) or not questions:
        return None
    scales = [_scale(q, lang) for q in questions]
    # one axis for all the outcomes: their codes must span the same range (else each needs its own chart)
    if len({(sc[0][0], sc[-1][0]) for sc in scales}) != 1:
        return None
    low, high = scales[0][0], scales[0][-1]
    ends = ((low[0], low[1]), (high[0], high[1])) if len(scales) == 1 or all(sc == scales[0] for sc in scales) \
        else ((low[0], ""), (high[0], ""))
    xlabel = t("mean_axis", lang)
    n = max(n_by_outcome.values())
    data = TextTable("chart_data", [""] + [str(s) for s in series],
                     [[c] + [f"{fmt_number(v[i][0], lang, 2)} ({fmt_number(v[i][1], lang, 2)}–"
                             f"{fmt_number(v[i][2], lang, 2)})" for v in series.values()] for i, c in enumerate(cats)],
                     [False] + [True] * len(series))
    return Chart(t("chart_means", lang, title=_ended(title)), "group_bars",
                 ([str(c) for c in cats], series, xlabel, ends, lang), data=data, n=n)


def _group_title(f: FindingResult, instrument: Instrument | None, lang: str) -> str:
    """The name of the variable whose groups a cross-table compares (its tests are named 'row×col'):
    'Hjemmekontor 3 dager i uken eller mer', so that bars labelled 'Nei' and 'Ja' say what they are."""
    name = next((t.name.split(" ")[0].split("×", 1)[1] for t in f.tests if "×" in t.name), "")
    if not name or instrument is None:
        return ""
    if name in instrument:
        return instrument[name].label(lang)
    try:
        return instrument.derived_variable(name).label(lang)
    except KeyError:
        return ""


def _crosstab(table: Table, lang: str, title: str, group_title: str = "") -> Chart | None:
    idx = _table_index(table)
    groups: dict[str, dict[int, float]] = {}
    hidden: set[tuple[str, int]] = set()
    scale: dict[int, str] = {}
    n: dict[str, int] = {}
    for r in table.rows:
        share = 0.0 if r[idx["suppressed"]] else (r[idx["share"]] or 0.0)
        groups.setdefault(r[idx["group"]], {})[int(r[idx["code"]])] = share
        if r[idx["suppressed"]]:
            hidden.add((r[idx["group"]], int(r[idx["code"]])))
        scale[int(r[idx["code"]])] = r[idx["label"]]
        n[r[idx["group"]]] = r[idx["n_unweighted"]] or 0
    if not groups:
        return None
    items = list(groups.items())
    ordered = sorted(scale.items())
    data = TextTable("chart_data", [group_title] + [lbl for _, lbl in ordered],
                     [[g] + [SUPPRESSED if (g, c) in hidden else _pct_cell(shares.get(c), lang) for c, _ in ordered]
                      for g, shares in items],
                     [False] + [True] * len(ordered))
    return Chart(t("chart_crosstab", lang, title=_ended(title)), "stacked_100", (items, ordered, lang, group_title),
                 data=data, n=sum(n.values()))


def _finding_charts(f: FindingResult, results: Results, instrument: Instrument, lang: str, drawn: set,
                    charts: dict | None = None) -> list[Chart]:
    out: list[Chart | None] = []
    title = _pick_text(f.title, lang)
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
            out.append(_distribution(results, name, instrument, lang))
    for name in (tb.name.split(":", 1)[1] for tb in f.tables if tb.name.startswith("multiple:")):
        if name not in drawn and (distributions is None or name in distributions):
            drawn.add(name)
            out.append(_distribution(results, name, instrument, lang, kind="chart_multiple"))
    for table in f.tables:
        if table.name == "group_means":
            out.append(_means(table, instrument, lang, by_outcome=True, title=title))
        elif table.name == "trend_means":
            out.append(_means(table, instrument, lang, by_outcome=False, title=title))
        elif table.name == "crosstab_colpct":
            out.append(_crosstab(table, lang, title, _group_title(f, instrument, lang)))
    charts_ = [c for c in out if c is not None]
    for c in charts_:
        c.finding = f.id
    return charts_


# -- the whole report ---------------------------------------------------------------------------------


def _margin_label(variable: str, category, instrument: Instrument, lang: str) -> tuple[str, str]:
    """'sex × age_group', [1, 1] → ('Kjønn × Aldersgruppe', 'Mann, 25-29 år')."""
    from fjernarbeid.study.weighting import weighted_variable

    names = [weighted_variable(v.strip()) for v in str(variable).split("×")]
    codes = category if isinstance(category, (list, tuple)) else [category]
    if isinstance(category, str) and category.startswith("["):
        codes = [c.strip() for c in category.strip("[]").split(",")]
    labels, var_labels = [], []
    for name, code in zip(names, codes):
        try:
            code = int(float(code))
        except (TypeError, ValueError):
            labels.append(str(code))
            var_labels.append(_words(name, instrument, lang))
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
                var_labels.append(_words(name, instrument, lang))
                labels.append(str(code))
    return " × ".join(var_labels), ", ".join(labels)


def _words(name: str, instrument: Instrument, lang: str) -> str:
    """A weighting variable's label: the question's, the derived variable's, or the age in words."""
    from fjernarbeid.study.weighting import AGE, variable_words

    if name in instrument:
        return instrument[name].label(lang).rstrip("?")
    try:
        return instrument.derived_variable(name).label(lang)
    except KeyError:
        return variable_words(name, lang).capitalize() if name == AGE else name


def _methods_tables(results: Results, instrument: Instrument, lang: str) -> list[TextTable]:
    out = []
    words = Words(instrument, lang)
    w = results.weighting or {}
    if w.get("summary"):
        summary = {k: (term(v, lang) if k == "method" else v) for k, v in w["summary"].items() if k != "n"}
        out.append(text_table(Table("weights", list(summary.keys()), [list(summary.values())]), lang,
                              t("weighting", lang), words))
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
        method = term(outcome["e_method"], lang)
        # only the rates the log supports; each with its definition, e with its method
        rates = [[name, message("aapor", name, lang) if has_message("aapor", name) else name, value]
                 for name, value in outcome["rates"].items() if value is not None]
        caption = t("fieldwork_rates", lang) + f" — e = {fmt_number(outcome['e'], lang, 3)} ({method})" \
            if outcome.get("e") is not None else t("fieldwork_rates", lang)
        warnings = outcome.get("warnings") or (["no_nonresponse"] if outcome.get("notes") else [])
        counts = fw.get("counts", {})
        notes = [t(f"aapor_{w}", lang, unknown=fmt_number(counts.get("UH", 0) + counts.get("UO", 0), lang))
                 for w in warnings]
        if rates:
            table = text_table(Table("aapor", ["rate_name", "definition", "rate"], rates), lang, caption)
            table.source = " ".join(notes)
            out.append(table)
        elif notes:
            out.append(TextTable("aapor", [t("h_note", lang)], [[" ".join(notes)]], [False], caption=caption))
    return out


def _caption(table: Table, instrument: Instrument, lang: str) -> str:
    if table.name.startswith("estimates_multiple:"):
        return t("multiple_caption", lang)
    if table.name.startswith("estimates_projection:"):
        variable = table.name.split(":", 1)[1]
        try:
            name = instrument.derived_variable(variable).label(lang)
        except KeyError:
            name = Words(instrument, lang).variable(variable)
        return t("projection_caption", lang, name=name.lower())
    return ""


_ROUTING_OPS = {"==": "=", "!=": "≠", "<": "<", "<=": "≤", ">": ">", ">=": "≥"}


def routing_text(condition, instrument: Instrument, lang: str) -> str:
    """A question's routing in words: a condition 'code < 3' becomes 'spm. 7 er «Ja» eller «Kanskje»',
    ``selected(q7, 1)`` 'spm. 7 omfatter «Møterom»', ``q8 != ''`` 'spm. 8 er besvart'."""
    from fjernarbeid.instrument.expr import BoolOp, Compare, Not, Regex, Selected

    words = Words(instrument, lang)

    def number(v) -> str:
        return fmt_number(v, lang, 0 if float(v).is_integer() else 2) if isinstance(v, (int, float)) else str(v)

    def node(n) -> str:
        if isinstance(n, BoolOp):
            return f" {t(n.op, lang)} ".join(node(o) for o in n.operands)
        if isinstance(n, Not):
            return f"{t('not', lang)} ({node(n.operand)})"
        if isinstance(n, Selected):
            q = instrument[n.variable] if n.variable in instrument else None
            label = q.code_labels(lang).get(n.code, str(n.code)) if q is not None else number(n.code)
            return t("routing_selected", lang, question=words.variable(n.variable), values=one_of([label], lang))
        if isinstance(n, Regex):
            return t("routing_pattern", lang, question=words.variable(n.variable), pattern=n.pattern)
        if isinstance(n, Compare):
            q = instrument[n.variable] if n.variable in instrument else None
            who = words.variable(n.variable)
            if n.op in ("answered", "unanswered"):
                return t(f"routing_{n.op}", lang, question=who)
            if n.func == "count_selected":
                if n.op in ("in", "notin"):
                    value = f" {t('or', lang)} ".join(number(v) for v in n.values)
                    return t("routing_count", lang, question=who, op="=" if n.op == "in" else "≠", value=value)
                return t("routing_count", lang, question=who, op=_ROUTING_OPS[n.op], value=number(n.values[0]))
            if n.other is not None:
                return f"{who} {_ROUTING_OPS[n.op]} {words.variable(n.other)}"
            if q is None or not q.codes:
                if n.op in ("in", "notin"):
                    values = f" {t('or', lang)} ".join(number(v) for v in n.values)
                    return f"{who} {'=' if n.op == 'in' else '≠'} {values}"
                return f"{who} {_ROUTING_OPS[n.op]} {', '.join(number(v) for v in n.values)}"
            tests = {"==": lambda c: c in n.values, "in": lambda c: c in n.values,
                     "!=": lambda c: c not in n.values, "notin": lambda c: c not in n.values,
                     "<": lambda c: c < n.values[0], "<=": lambda c: c <= n.values[0],
                     ">": lambda c: c > n.values[0], ">=": lambda c: c >= n.values[0]}
            values = one_of([c.label(lang) for c in q.codes if tests[n.op](c.code)], lang)
            return t("routing_is", lang, question=who, values=values)
        return str(n)

    return node(condition.tree)
def _study_of(results: Results, instrument: Instrument):
    """The study the results belong to: carried by the results, else the default study when the
    questionnaire is its own, else a study made of the questionnaire alone."""
    from fjernarbeid.study import load_study, study_for_instrument

    study = getattr(results, "study", None)
    if study is not None:
        return study
    default = load_study()
    return default if instrument.id == default.id else study_for_instrument(instrument)


def _finding_label(f: FindingResult, instrument: Instrument) -> str:
    """The id a finding's heading shows: none when it is a question's name (a variable name is no word of
    the report; the title carries the question's number), else the catalogue's own id."""
    return "" if f.id in instrument else f.id


def _chapters(study, results: Results, lang: str):
    """(id, title) of every chapter in the study's order, then the sections findings name that the
    study has no chapter for (never dropped), in the order the findings come."""
    from fjernarbeid.findings.catalogue import QUESTIONS_SECTION

    chapters = [(c.id, c.label(lang), c.respondents, _pick_text(c.intro, lang), _pick_text(c.respondents_title, lang))
                for c in study.chapters]
    known = {c[0] for c in chapters}
    for f in results.findings:
        if f.section not in known:
            known.add(f.section)
            title = t("questions_chapter", lang) if f.section == QUESTIONS_SECTION else f.section
            chapters.append((f.section, title, False, "", ""))
    if not any(c[2] for c in chapters) and chapters:  # the respondents table opens the first chapter
        first = chapters[0]
        chapters[0] = (first[0], first[1], True, first[3], first[4])
    return chapters


def build_view(results: Results, instrument: Instrument, lang: str = "nb", min_cell: int = 5) -> ReportView:
    study = _study_of(results, instrument)
    judged = bool(study.published) or any(f.published for f in results.findings)
    telephone = study.is_telephone
    drawn: set = set()
    sections = []
    words = Words(instrument, lang)
    source = results.data.get("source", "?")

    def reason_text(reason: str | None) -> str:
        return term(reason or "", lang, words.variable)

    for sec, title, with_respondents, intro, respondents_title in _chapters(study, results, lang):
        findings = []
        for f in results.findings:
            if f.section != sec:
                continue
            pub, ours = published_and_ours(f, lang, instrument)
            findings.append(FindingView(
                id=f.id, title=_pick_text(f.title, lang), status=f.status, reason=reason_text(f.reason),
                verdict=f.verdict, sentence=words.in_text(_pick_text(f.sentence, lang)),
                charts=(_finding_charts(f, results, instrument, lang, drawn, study.charts or None)
                        if f.status == "ok" else []),
                tables=[text_table(tb, lang, _caption(tb, instrument, lang), words) for tb in f.tables
                        if tb.name.startswith(("estimates", "tests"))]
                       + ([text_table(_shares(tb), lang, words=words) for tb in f.tables
                           if tb.name.startswith("distribution:")] if not judged else []),
                published=pub, ours=ours, label=_finding_label(f, instrument)))
        tables = [respondents_table(tb, lang, respondents_title) for tb in results.respondents] \
            if with_respondents else []
        if not findings and not tables:  # a chapter of the study that nothing of this run falls in: left out
            continue
        sections.append(SectionView(anchor=f"sec-{sec.replace('.', '-')}", title=title,
                                    intro=(intro or t("respondents_intro_generic", lang)) if tables else intro,
                                    tables=tables,
                                    findings=findings))
    rows, verdicts = [], []
    for f in results.findings:
        pub, ours = published_and_ours(f, lang, instrument)
        shown = _finding_label(f, instrument) or (instrument[f.id].number if f.id in instrument else f.id)
        if judged:
            rows.append([shown, _pick_text(f.title, lang), pub or "–", ours or (reason_text(f.reason) or "–"),
                         t(f.verdict, lang)])
        else:
            rows.append([shown, _pick_text(f.title, lang), words.in_text(_pick_text(f.sentence, lang))
                         if f.status == "ok" else (reason_text(f.reason) or "–")])
        verdicts.append(f.verdict)
    keys = ("col_id", "col_finding", "col_published", "col_ours", "col_verdict") if judged else \
        ("col_id", "col_finding", "col_ours")
    replication = TextTable("replication", [t(k, lang) for k in keys], rows, [False] * len(keys))
    s = results.summary
    if judged:
        counts = t("counts", lang, agrees=s["agrees"], differs=s["differs"], not_computed=s["not_computed"])
    else:
        counts = t("findings_count", lang, n=len(results.findings), not_computed=s.get("not_computed", 0))
    overrides = {}
    if not judged:
        overrides["summary"] = t("summary_findings", lang)
    if not telephone:  # a web or paper questionnaire is not read aloud, and nobody interviews
        overrides["not_read"] = t("not_read_self", lang)
        overrides["screen_out"] = t("screen_out_self", lang)
    questions = [
        QuestionView(number=q.number, text=q.label(lang), preamble=_pick_text(q.preamble, lang),
                     routing=routing_text(q.ask_if, instrument, lang) if q.ask_if else "",
                     codes=[{"code": c.code, "label": c.label(lang), "missing": c.missing,
                             "screen_out": c.code in q.screen_out} for c in q.codes])
        for q in instrument.questions if not q.metadata  # start, end, today: recorded, never asked
    ]
    methods_tables = _methods_tables(results, instrument, lang)
    # Figures and tables numbered in reading order, each with its source and n.
    n_all = results.data.get("n")
    # each finding's own base (the respondents asked and answering), for its tables' source lines
    base_n = {f.id: (f.base or {}).get("n_unweighted") for f in results.findings}
    figure_no = table_no = 0
    for section in sections:
        for tb in section.tables:
            table_no += 1
            tb.number, tb.source = table_no, t("source_n", lang, source=source, n=fmt_number(n_all, lang))
        for fv in section.findings:
            for chart in fv.charts:
                figure_no += 1
                chart.number = figure_no
                chart.source = t("source_n", lang, source=source, n=fmt_number(chart.n or n_all, lang))
            for tb in fv.tables:
                if not tb.caption:
                    kind = "table_tests" if tb.name.startswith("tests") else "table_estimates"
                    tb.caption = t(kind, lang, title=fv.title)
                table_no += 1
                tb.number, tb.source = table_no, t("source_n", lang, source=source,
                                                   n=fmt_number(base_n.get(fv.id) or n_all, lang))
    for tb in methods_tables:
        table_no += 1
        tb.number = table_no
    weighting_text = (getattr(results, "weighting_text", None) or {})
    method = ((results.weighting or {}).get("summary") or {}).get("method") or "design weights"
    methods_text = (weighting_text.get(lang) or _pick_text(weighting_text, lang)
                    or t("weighting_generic", lang, method=term(method, lang)))
    return ReportView(
        lang=lang, title=study.label(lang), subtitle=_pick_text(study.subtitle, lang),
        generated=t("generated", lang, version=__version__, source=results.data.get("source", "?"),
                    n=fmt_number(results.data.get("n"), lang)),
        synthetic=bool(results.data.get("synthetic")),
        summary_intro=t("summary_intro", lang) if judged else t("summary_intro_findings", lang),
        replication=replication, verdicts=verdicts, anchors=[f.id for f in results.findings], counts=counts, sections=sections,
        methods_text=methods_text, methods_tables=methods_tables,
        suppression_note=t("suppressed", lang, k=min_cell, symbol=SUPPRESSED), instrument_title=instrument.label(lang),
        questions=questions, judged=judged, overrides=overrides,
    )


def next_numbers(view: ReportView) -> tuple[int, int]:
    """The numbers of the next figure and the next table after the findings' chapters: where a chapter placed
    after them (4.5) starts its own."""
    figures = [c.number for s in view.sections for f in s.findings for c in f.charts]
    tables = [tb.number for s in view.sections for tb in s.tables]
    tables += [tb.number for s in view.sections for f in s.findings for tb in f.tables]
    return max(figures, default=0) + 1, max(tables, default=0) + 1


def make_room(view: ReportView, chapters) -> None:
    """Chapters placed before the methods (:class:`Chapter`) number their tables after the findings' ones:
    the methods' tables come after theirs."""
    count = sum(getattr(chapter, "tables", 0) for chapter in chapters)
    for tb in view.methods_tables:
        if tb.number:
            tb.number += count


def _complement_hidden(table: Table) -> list[bool]:
    """The rows of a distribution to hide: those suppressed for too few respondents and, when that is one,
    the smallest other category too — its shares add up to 100 %, so one hidden share would be 100 % minus
    the others (in a table and in a chart alike)."""
    from fjernarbeid.export.cell_suppression import complementary_suppression

    idx = _table_index(table)
    # each row carries the question's base; a category's size is its share of it
    sizes = [round((r[idx["share"]] or 0.0) * (r[idx["n_unweighted"]] or 0), 6) for r in table.rows]
    return complementary_suppression(sizes, [bool(r[idx["suppressed"]]) for r in table.rows])


def _shares(table: Table) -> Table:
    """A distribution as the report shows it: category, weighted share and its 95 % CI; the shares add up to
    100 %, so one hidden cell takes a second with it (secondary suppression)."""
    idx = _table_index(table)
    hide = _complement_hidden(table)
    rows = [[r[idx["label"]], None if h else r[idx["share"]],
             None if h else (r[idx["ci_low"]], r[idx["ci_high"]]), h] for r, h in zip(table.rows, hide)]
    return Table(table.name, ["label", "share", "ci", "suppressed"], rows)


def _pick_text(texts: dict, lang: str) -> str:
    """A text in ``lang``; nynorsk falls back to bokmål, anything else to English, then any."""
    if not texts:
        return ""
    for candidate in (lang, "nb" if lang == "nn" else "en", "nb", "en"):
        if texts.get(candidate):
            return texts[candidate]
    return next(iter(texts.values()))

"""The report as a Word document (python-docx), with the same content as the HTML report.

Everything is set with *named styles* — Title, Subtitle, Heading 1-3, Normal, Caption, List Bullet and the
table style "Light List Accent 1" (horizontal rules only) — so an organisation gives the document its own
look by passing its template (``template=``, a .docx or .dotx whose styles of the same names are then
used) or by restyling in Word. Without a template the document is A4 with 2.2 cm margins. Either way it
gets the report's language (nb-NO, nn-NO or en-GB) for spelling and hyphenation, a table of contents field
(Word fills it in when the document is opened or F9 is pressed), page numbers in the footer, numbered
figure and table captions (SEQ fields, so Word's list of figures finds them), and every chart's caption as
its alt text.
"""

from __future__ import annotations

import io
import re
from pathlib import Path

from docx import Document
from docx.enum.section import WD_ORIENT
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

from fjernarbeid._io import atomic_path
from fjernarbeid.findings.results import Results
from fjernarbeid.instrument import Instrument
from fjernarbeid.report.view import ReportView, TextTable, build_view

TABLE_STYLES = ("Light List Accent 1", "Table Grid")  # the first the template has
WORD_LANGUAGE = {"nb": "nb-NO", "nn": "nn-NO", "en": "en-GB"}
A4 = (Cm(21.0), Cm(29.7))


def _field(paragraph, instruction: str, placeholder: str = "") -> None:
    """A Word field (TOC, PAGE, SEQ …) in ``paragraph``; Word computes its result on opening/updating."""
    def run_with(tag: str, **attrs):
        r = OxmlElement("w:r")
        el = OxmlElement(tag)
        for k, v in attrs.items():
            el.set(qn(k), v)
        if tag == "w:instrText":
            el.set(qn("xml:space"), "preserve")
            el.text = instruction
        r.append(el)
        paragraph._p.append(r)
        return r

    run_with("w:fldChar", **{"w:fldCharType": "begin"}, **({"w:dirty": "true"} if instruction.startswith("TOC") else {}))
    run_with("w:instrText")
    run_with("w:fldChar", **{"w:fldCharType": "separate"})
    paragraph.add_run(placeholder)
    run_with("w:fldChar", **{"w:fldCharType": "end"})


def _set_language(doc, lang: str) -> None:
    """The document's language in its default run properties (and the styles'), for spelling and hyphenation."""
    code = WORD_LANGUAGE.get(lang, "nb-NO")
    styles = doc.styles.element
    rpr_default = styles.find(qn("w:docDefaults"))
    if rpr_default is None:
        rpr_default = OxmlElement("w:docDefaults")
        styles.insert(0, rpr_default)
    rpr = rpr_default.find(qn("w:rPrDefault"))
    if rpr is None:
        rpr = OxmlElement("w:rPrDefault")
        rpr_default.insert(0, rpr)
    props = rpr.find(qn("w:rPr"))
    if props is None:
        props = OxmlElement("w:rPr")
        rpr.append(props)
    for style in [props] + [s.element.get_or_add_rPr() for s in doc.styles if s.type == 1]:  # paragraph styles
        lang_el = style.find(qn("w:lang"))
        if lang_el is None:
            lang_el = OxmlElement("w:lang")
            style.append(lang_el)
        lang_el.set(qn("w:val"), code)
        lang_el.set(qn("w:eastAsia"), code)
    doc.settings.element.append(_element("w:autoHyphenation"))


def _element(tag: str, **attrs):
    el = OxmlElement(tag)
    for k, v in attrs.items():
        el.set(qn(k), v)
    return el


def _page_setup(doc, own_template: bool) -> None:
    for section in doc.sections:
        if not own_template:  # a house template keeps its page; ours is A4 portrait
            section.orientation = WD_ORIENT.PORTRAIT
            section.page_width, section.page_height = A4
            section.left_margin = section.right_margin = Cm(2.2)
            section.top_margin, section.bottom_margin = Cm(2.2), Cm(2.0)
        footer = section.footer.paragraphs[0] if section.footer.paragraphs else section.footer.add_paragraph()
        footer.alignment = WD_ALIGN_PARAGRAPH.CENTER
        _field(footer, "PAGE", "1")


def _numbered_caption(doc, view: ReportView, kind: str, number: int, text: str) -> None:
    word = view.t("figure" if kind == "Figure" else "table", n=number)  # 'Figur 3'
    label, _, _ = word.rpartition(" ")
    p = doc.add_paragraph(style="Caption")
    p.add_run(f"{label} ")
    _field(p, f"SEQ {kind} \\* ARABIC", str(number))
    p.add_run(f". {text}")
    p.paragraph_format.keep_with_next = True


def _table_style(doc):
    for name in TABLE_STYLES:
        try:
            return doc.styles[name]
        except KeyError:
            continue
    return None


# Column widths: a character of the tables' 8.5 pt text (bold, in the widest of the usual fonts), and a cell's
# left and right margins (0.19 cm each) with some air.
CHAR_WIDTH = Cm(0.21)
CELL_PADDING = Cm(0.45)
# A word this short is kept whole however crowded the table ('P02b' broke into 'P02' and 'b'); a longer word of
# the body's text may break when the page is too narrow for all of them.
SHORT_WORD = 8


def _unbroken(text: str) -> str:
    """A number as one unbreakable word: '36,4 %' and '1 234' never split over two lines."""
    return text.replace(" ", "\u00a0").replace("\u202f", "\u00a0")


def _text_width(doc) -> int:
    section = doc.sections[-1]
    return section.page_width - section.left_margin - section.right_margin


def _is_number(word: str) -> bool:
    """A number, a range or a p-value ('0,764', '84–90\u00a0%', '< 0,001' joined): digits and no letters."""
    return any(c.isdigit() for c in word) and not any(c.isalpha() for c in word)


def _fit_columns(doc, table, rows: list[list[str]]) -> None:
    """Column widths from the text. Every column gets at least its header's longest word — a header is never
    broken inside a word ('Testobserv/ator') — its longest number ('0,764' never splits into '0,' and
    '764') and its short words whole ('P02b'); then, as far as the page allows, its body's longest word; the rest of the page's width is shared
    out by how much text each column has. Word (autofit off) and LibreOffice then lay the table out alike."""
    n = len(table.columns)
    if n == 0 or not rows:
        return

    def width_of(chars: int) -> float:
        return CELL_PADDING + CHAR_WIDTH * chars

    longest_word, longest_number, longest_line = [0] * n, [0] * n, [0] * n
    for row in rows:
        for i, text in enumerate(row[:n]):
            text = str(text)
            words = text.split(" ")  # a non-breaking space joins (numbers are one word)
            longest_word[i] = max(longest_word[i], max((len(w) for w in words), default=0))
            longest_number[i] = max(longest_number[i], max((len(w) for w in words if _is_number(w)), default=0))
            longest_line[i] = max(longest_line[i], len(text))
    heads = [width_of(max((len(w) for w in str(h).split(" ")), default=0)) for h in rows[0][:n]]
    must = [max(head, width_of(number), width_of(min(word, SHORT_WORD)))
            for head, number, word in zip(heads, longest_number, longest_word)]
    least = [max(lo, width_of(w)) for lo, w in zip(must, longest_word)]
    wanted = [max(lo, width_of(min(line, 60))) for lo, line in zip(least, longest_line)]
    room = _text_width(doc)
    if sum(wanted) <= room:
        widths = wanted
    elif sum(least) <= room:  # every word whole; the rest of the width shared by need
        share = (room - sum(least)) / max(sum(wanted) - sum(least), 1)
        widths = [lo + (want - lo) * share for lo, want in zip(least, wanted)]
    elif sum(must) <= room:  # headers and numbers whole; long words of the body's text break, all alike
        share = (room - sum(must)) / max(sum(least) - sum(must), 1)
        widths = [lo + (want - lo) * share for lo, want in zip(must, least)]
    else:  # headers and numbers wider than the page: narrowed alike
        widths = [lo * room / sum(must) for lo in must]
    table.autofit = False
    for i, width in enumerate(widths):
        table.columns[i].width = int(width)
        for cell in table.columns[i].cells:
            cell.width = int(width)


def _table(doc, view: ReportView, tb: TextTable) -> None:
    if tb.number:
        _numbered_caption(doc, view, "Table", tb.number, tb.caption)
    elif tb.caption:
        doc.add_paragraph(tb.caption, style="Caption").paragraph_format.keep_with_next = True
    table = doc.add_table(rows=1, cols=len(tb.headers))
    style = _table_style(doc)
    if style is not None:
        table.style = style
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    header = table.rows[0]
    tr_pr = header._tr.get_or_add_trPr()
    tr_pr.append(_element("w:tblHeader", **{"w:val": "true"}))  # repeated on every page
    for i, h in enumerate(tb.headers):
        cell = header.cells[i]
        cell.text = h
        for run in cell.paragraphs[0].runs:
            run.bold = True
        if tb.numeric[i]:
            cell.paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for r, row in enumerate(tb.rows):
        cells = table.add_row().cells
        if r in tb.group_rows:
            merged = cells[0].merge(cells[-1])
            merged.text = row[0]
            merged.paragraphs[0].runs[0].bold = True
            continue
        for i, value in enumerate(row):
            cells[i].text = _unbroken(value) if tb.numeric[i] else value
            if tb.numeric[i]:
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _fit_columns(doc, table, [tb.headers] + [[_unbroken(v) if tb.numeric[i] else v for i, v in enumerate(r)]
                                             for k, r in enumerate(tb.rows) if k not in tb.group_rows])
    for row in table.rows:
        row._tr.get_or_add_trPr().append(_element("w:cantSplit", **{"w:val": "true"}))
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(8.5)
    if tb.source:
        doc.add_paragraph(tb.source, style="Caption")


def _picture(doc, chart) -> None:
    doc.add_picture(io.BytesIO(chart.png()), width=Cm(16))
    shape = doc.inline_shapes[-1]
    doc_pr = shape._inline.docPr
    doc_pr.set("descr", chart.alt)  # the alt text Word and screen readers show
    doc_pr.set("title", chart.caption[:120])
    doc.paragraphs[-1].paragraph_format.keep_with_next = True


_HEADING_LEVELS = {"h2": 1, "h3": 2, "h4": 3}


def _inline_runs(paragraph, element) -> None:
    """The text of an HTML element as runs of ``paragraph``; <strong>/<b> bold, <em>/<i> italic; white space
    collapsed as a browser does, also across the runs."""
    parts: list[tuple[str, bool, bool]] = []

    def add(text, bold=False, italic=False):
        if text:
            parts.append((re.sub(r"\s+", " ", text), bold, italic))

    add(element.text)
    for child in element:
        if isinstance(child.tag, str):  # not a comment
            tag = child.tag.lower()
            add(child.text_content(), bold=tag in ("strong", "b"), italic=tag in ("em", "i"))
        add(child.tail)
    ended_in_space = True  # at the start, a space is dropped
    for i, (text, bold, italic) in enumerate(parts):
        if ended_in_space:
            text = text.lstrip(" ")
        if i == len(parts) - 1:
            text = text.rstrip(" ")
        if text:
            run = paragraph.add_run(text)
            run.bold, run.italic = bold or None, italic or None
            ended_in_space = text.endswith(" ")


def _html_table(doc, element) -> None:
    rows = element.xpath(".//tr")
    if not rows:
        return
    width = max(len(r.xpath("./th|./td")) for r in rows)
    table = doc.add_table(rows=0, cols=width)
    style = _table_style(doc)
    if style is not None:
        table.style = style
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    numeric = [False] * width
    for r in rows:  # a column is numeric when its data cells are (class "n"): its header is aligned with them
        for i, cell in enumerate(r.xpath("./td")):
            if "n" in (cell.get("class") or "").split():
                numeric[i] = True
    for r in rows:
        cells = r.xpath("./th|./td")
        header = all(c.tag == "th" for c in cells)
        row = table.add_row()
        if header:
            row._tr.get_or_add_trPr().append(_element("w:tblHeader", **{"w:val": "true"}))
        row._tr.get_or_add_trPr().append(_element("w:cantSplit", **{"w:val": "true"}))
        for i, cell in enumerate(cells[:width]):
            paragraph = row.cells[i].paragraphs[0]
            text = " ".join(cell.text_content().split())
            run = paragraph.add_run(_unbroken(text) if numeric[i] and not header else text)
            run.font.size = Pt(8.5)
            run.bold = header or None
            if numeric[i]:
                paragraph.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    _fit_columns(doc, table, [[_unbroken(" ".join(c.text_content().split())) if numeric[i] and c.tag == "td"
                               else " ".join(c.text_content().split()) for i, c in enumerate(r.xpath("./th|./td"))]
                              for r in rows])


def _number_of(element, kind: str) -> int:
    """The number a chapter's figure or table has in the report, from its id ('figure-20', 'table-31'); 0: none."""
    match = re.fullmatch(rf"{kind}-(\d+)", element.get("id") or "")
    return int(match.group(1)) if match else 0


def _caption_text(element) -> str:
    """A <figcaption> or <caption> without its label ('Figur 20.'): the text after the number."""
    for label in element.xpath('.//span[@class="label"]'):
        label.drop_tree()
    return " ".join(element.text_content().split())


def _html_figure(doc, view: ReportView, element, charts: dict) -> None:
    """A chapter's figure as the findings' are: its numbered caption, the chart drawn for Word, its source."""
    number = _number_of(element, "figure")
    caption = next(iter(element.xpath("./figcaption")), None)
    text = _caption_text(caption) if caption is not None else ""
    if number and view is not None:
        _numbered_caption(doc, view, "Figure", number, text)
    elif text:
        doc.add_paragraph(text, style="Caption").paragraph_format.keep_with_next = True
    chart = charts.get(number)
    if chart is not None:
        _picture(doc, chart)
    for source in element.xpath('./p[@class="source"]'):
        doc.add_paragraph(" ".join(source.text_content().split()), style="Caption")


def _html_chapter(doc, html: str, view: ReportView | None = None, charts=()) -> None:
    """A chapter made as HTML (chapter 4.5 of fjernarbeid.target) in the document's own styles: headings,
    paragraphs, tables with their numbered captions and source lines, and lists. Its figures get their numbered
    captions and source lines too, and their charts (``charts``, :class:`~fjernarbeid.report.view.Chart` by
    figure number) drawn for Word: the HTML's inline SVG is not used."""
    import lxml.html

    by_number = {c.number: c for c in charts}
    root = lxml.html.fragment_fromstring(html, create_parent="div")
    for element in list(root.iter()):
        if not isinstance(element.tag, str):
            continue
        tag = element.tag.lower()
        if any(a.tag == "figure" for a in element.iterancestors()):
            continue  # laid out with its figure
        if tag in _HEADING_LEVELS:
            doc.add_heading(" ".join(element.text_content().split()), level=_HEADING_LEVELS[tag])
        elif tag == "figure":
            _html_figure(doc, view, element, by_number)
        elif tag == "p" and element.getparent() is not None and element.getparent().tag in ("section", "div"):
            if "source" in (element.get("class") or "").split():
                doc.add_paragraph(" ".join(element.text_content().split()), style="Caption")
                continue
            paragraph = doc.add_paragraph()
            _inline_runs(paragraph, element)
            if "synthetic" in (element.get("class") or ""):
                for run in paragraph.runs:
                    run.bold = True
        elif tag == "li":
            doc.add_paragraph(" ".join(element.text_content().split()), style="List Bullet")
        elif tag == "table":
            caption = next(iter(element.xpath("./caption")), None)
            number = _number_of(element, "table")
            if caption is not None:
                text = _caption_text(caption)
                if number and view is not None:
                    _numbered_caption(doc, view, "Table", number, text)
                else:
                    doc.add_paragraph(text, style="Caption").paragraph_format.keep_with_next = True
            _html_table(doc, element)


def build_docx(view: ReportView, template: str | Path | None = None, extra_sections=()):
    doc = Document(str(template)) if template else Document()
    _page_setup(doc, own_template=template is not None)
    _set_language(doc, view.lang)
    doc.core_properties.title = view.title
    doc.core_properties.subject = view.subtitle
    doc.core_properties.comments = view.generated
    doc.core_properties.language = WORD_LANGUAGE.get(view.lang, "nb-NO")
    doc.add_paragraph(view.title, style="Title")
    doc.add_paragraph(view.subtitle, style="Subtitle")
    doc.add_paragraph(view.generated)
    if view.synthetic:
        p = doc.add_paragraph()
        p.add_run(view.t("synthetic")).bold = True

    doc.add_paragraph(view.t("contents"), style="TOC Heading" if "TOC Heading" in [s.name for s in doc.styles]
                      else "Heading 1")
    _field(doc.add_paragraph(), 'TOC \\o "1-2" \\h \\z \\u', view.t("toc_update"))

    doc.add_heading(view.t("summary"), level=1)
    doc.add_paragraph(view.summary_intro)
    _table(doc, view, view.replication)
    doc.add_paragraph(view.counts)

    for s in view.sections:
        doc.add_heading(s.title, level=1)
        if s.intro:
            doc.add_paragraph(s.intro)
        for tb in s.tables:
            _table(doc, view, tb)
        for f in s.findings:
            doc.add_heading(f"{f.label} {f.title}".strip() + (f" · {view.t(f.verdict)}" if view.judged else ""), level=2)
            text = f.sentence if f.status == "ok" else view.t("not_computed_reason", reason=f.reason)
            doc.add_paragraph(text)
            for chart in f.charts:
                _numbered_caption(doc, view, "Figure", chart.number, chart.caption)
                _picture(doc, chart)
                doc.add_paragraph(chart.source, style="Caption")
            for tb in f.tables:
                _table(doc, view, tb)
            if f.published:
                p = doc.add_paragraph()
                p.add_run(view.t("published_label") + ": ").bold = True
                p.add_run(f.published + " — ")
                p.add_run(view.t("ours_label") + ": ").bold = True
                p.add_run(f.ours)

    for block in extra_sections:  # finished chapters (4.5, from fjernarbeid.target), before the methods
        _html_chapter(doc, str(block), view, getattr(block, "charts", ()))

    doc.add_heading(view.t("methods"), level=1)
    doc.add_heading(view.t("weighting"), level=2)
    doc.add_paragraph(view.methods_text)
    for tb in view.methods_tables:
        _table(doc, view, tb)
    doc.add_paragraph(view.suppression_note)

    doc.add_heading(view.t("questionnaire"), level=1)
    doc.add_paragraph(view.instrument_title)
    for q in view.questions:
        if q.preamble:
            doc.add_paragraph(q.preamble).runs[0].italic = True
        p = doc.add_paragraph()
        p.add_run(f"{q.number}. ").bold = True
        p.add_run(q.text)
        if q.routing:
            doc.add_paragraph(f"{view.t('routing')}: {q.routing}")
        for c in q.codes:
            label = f"{c['code']}: {c['label']}"
            if c["screen_out"]:
                label += f" ⇒ {view.t('screen_out')}"
            if c["missing"]:
                label += f" ({view.t('not_read')})"
            doc.add_paragraph(label, style="List Bullet")
    return doc


def write_docx(results: Results | None, instrument: Instrument | None, path: str | Path, lang: str = "nb",
               min_cell: int = 5, template: str | Path | None = None, drawer=None,
               view: ReportView | None = None, extra_sections=()) -> Path:
    """Write the Word report; ``drawer`` (:class:`~fjernarbeid.report.drawing.ChartDrawer`) draws its charts
    in worker processes; ``view``: the report view already built (for several formats at once)."""
    view = view or build_view(results, instrument, lang=lang, min_cell=min_cell)
    if drawer is not None:
        from fjernarbeid.report.drawing import charts_of

        drawer.draw(charts_of(view), "png")
    doc = build_docx(view, template, extra_sections)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)

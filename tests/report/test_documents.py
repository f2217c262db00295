"""Word and PDF carry the same content as the HTML report; checked by reading them back.

A document is laid out once per module and read by every test that only reads it: the bokmål Word document and
PDF each writer makes from the results (``docx_nb``; ``pdf_nb`` is in conftest.py) and the Word document laid out from the view
already built (``docx_of_view``, as the command does)."""

import shutil
import subprocess

import pytest
from docx import Document
from docx.enum.text import WD_ALIGN_PARAGRAPH

from fjernarbeid.report.docx import write_docx
from fjernarbeid.report.pdf import write_pdf
from fjernarbeid.report.view import build_view


@pytest.fixture(scope="module")
def view(demo_results, instrument):
    return build_view(demo_results, instrument, lang="nb")


@pytest.fixture(scope="module")
def docx_nb(demo_results, instrument, tmp_path_factory):
    """The Word document write_docx makes from the results (its own view), in bokmål (its default)."""
    return Document(str(write_docx(demo_results, instrument, tmp_path_factory.mktemp("docx") / "report.docx")))


@pytest.fixture(scope="module")
def docx_of_view(view, tmp_path_factory):
    """The Word document laid out from the view already built."""
    return Document(str(write_docx(None, None, tmp_path_factory.mktemp("docx-view") / "r.docx", view=view)))


def test_docx_has_headings_tables_and_figures(docx_nb, view):
    doc = docx_nb
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    n_findings = sum(len(s.findings) for s in view.sections)
    n_charts = sum(len(f.charts) for s in view.sections for f in s.findings)
    assert sum(1 for p in doc.paragraphs if p.style.name == "Heading 2") >= n_findings
    assert any(h.startswith("3.2.5") for h in headings) and any("Vedlegg B" in h for h in headings)
    assert len(doc.inline_shapes) == n_charts >= 12
    assert len(doc.tables) >= 30
    assert doc.paragraphs[0].style.name == "Title"
    assert any("SYNTETISKE DATA" in p.text for p in doc.paragraphs[:5])


def test_docx_uses_an_organisations_template(view, tmp_path):
    template = Document()
    template.styles["Heading 1"].font.name = "Georgia"
    template.save(str(tmp_path / "house.docx"))
    path = write_docx(None, None, tmp_path / "r.docx", template=tmp_path / "house.docx", view=view)
    assert Document(str(path)).styles["Heading 1"].font.name == "Georgia"


@pytest.mark.skipif(shutil.which("pdftoppm") is None,
                    reason="pdftoppm (Debian poppler-utils) is not installed; the PDF page check is skipped")
def test_pdf_pages_have_content(demo_results, instrument, tmp_path):
    from PIL import Image, ImageStat

    path = write_pdf(demo_results, instrument, tmp_path / "report.pdf", lang="en")
    assert path.read_bytes()[:5] == b"%PDF-"
    subprocess.run(["pdftoppm", "-png", "-r", "40", str(path), str(tmp_path / "page")], check=True, timeout=120)
    pages = sorted(tmp_path.glob("page-*.png"))
    assert len(pages) >= 10
    for page in pages:
        # a page with content is more than its footer: above the footer, some pixels are far from white
        img = Image.open(page).convert("L")
        body = img.crop((0, 0, img.width, int(img.height * 0.93)))
        assert ImageStat.Stat(body).extrema[0][0] < 200, page.name
    if shutil.which("pdftotext"):
        text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True).stdout
        assert "Appendix B: Questionnaire" in text and "SYNTHETIC DATA" in text and "P29" in text


def _figure_alt_texts(node, out: list) -> list:
    """The /Alt of every /Figure element of a PDF's structure tree."""
    node = node.get_object()
    if isinstance(node, dict):
        if node.get("/S") == "/Figure":
            out.append(str(node.get("/Alt", "")))
        kids = node.get("/K")
        for kid in (kids if isinstance(kids, list) else [kids] if kids is not None else []):
            _figure_alt_texts(kid, out)
    return out


def test_pdf_is_tagged_with_bookmarks_and_alt_text(pdf_nb, view):
    from pypdf import PdfReader

    reader = PdfReader(pdf_nb)
    root = reader.trailer["/Root"]
    assert bool(root["/MarkInfo"]["/Marked"]) and root["/Lang"] == "nb"  # tagged, in bokmål
    titles = []

    def walk(items):
        for item in items:
            walk(item) if isinstance(item, list) else titles.append(item.title)
    walk(reader.outline)
    assert "Vedlegg B: Spørreskjema" in titles and any(t.startswith("P25 ") for t in titles)  # chapters and findings
    charts = [c for s in view.sections for f in s.findings for c in f.charts]
    alts = _figure_alt_texts(root["/StructTreeRoot"], [])
    assert len(alts) == len(charts) and all(len(a) > 20 for a in alts)
    assert alts[0] == charts[0].alt
    assert reader.pages[0].mediabox.width == pytest.approx(595.28, abs=0.5)  # A4
    text = reader.pages[2].extract_text()
    assert "Side 3" in text  # page numbers in the footer


def test_docx_is_a4_in_bokmaal_with_contents_alt_text_and_numbered_captions(docx_nb, view):
    from docx.oxml.ns import qn
    from docx.shared import Cm

    doc = docx_nb
    section = doc.sections[0]
    assert (round(section.page_width.cm, 1), round(section.page_height.cm, 1)) == (21.0, 29.7)
    assert abs(section.page_width - Cm(21)) < Cm(0.01)
    langs = {el.get(qn("w:val")) for el in doc.styles.element.iter(qn("w:lang"))}
    assert langs == {"nb-NO"}
    instructions = " ".join(el.text for el in doc.element.body.iter(qn("w:instrText")))
    assert "TOC \\o" in instructions and "SEQ Figure" in instructions and "SEQ Table" in instructions
    footer = " ".join(el.text for el in section.footer._element.iter(qn("w:instrText")))
    assert "PAGE" in footer
    charts = [c for s in view.sections for f in s.findings for c in f.charts]
    alts = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert len(alts) == len(charts) and alts == [c.alt for c in charts]
    captions = [p.text for p in doc.paragraphs if p.style.name == "Caption" and p.text.startswith("Figur ")]
    assert len(captions) == len(charts) == len(set(captions))  # numbered and distinct


CHAPTER = """<section class="target" id="malgrupper"><style>.target th { text-align: left; }</style>
<h2>4.5 Målgrupper</h2><p class="synthetic">SYNTETISKE DATA</p><p>Av <strong>1 074</strong> kontakter …</p>
<h3>Aktuelt å flytte</h3><h4>Hvem er mest tilbøyelige?</h4><svg role="img"><text>Oslo</text></svg>
<table><tr><th>Variabel</th><th class="n">Oddsratio</th><th class="n">p</th></tr>
<tr><td>Kjønn: Kvinne</td><td class="n">2,31</td><td class="n">p = 0,004</td></tr></table>
<ul><li>første punkt</li></ul></section>"""


def test_docx_has_the_chapter_the_html_has(demo_results, instrument, view, tmp_path):
    """Chapter 4.5 (made as HTML by fjernarbeid.target) in the Word document too, before the methods, in the
    document's own styles; numeric columns right-aligned, their headers too (the 'p' above its numbers)."""
    path = write_docx(demo_results, instrument, tmp_path / "r.docx", view=view, extra_sections=(CHAPTER,))
    doc = Document(str(path))
    headings = [(p.style.name, p.text) for p in doc.paragraphs if p.style.name.startswith("Heading")]
    at = headings.index(("Heading 1", "4.5 Målgrupper"))
    assert headings[at + 1:at + 3] == [("Heading 2", "Aktuelt å flytte"), ("Heading 3", "Hvem er mest tilbøyelige?")]
    assert headings[at + 3] == ("Heading 1", view.t("methods"))
    texts = [p.text for p in doc.paragraphs]
    assert "Av 1 074 kontakter …" in texts and "første punkt" in texts and "Oslo" not in texts
    synthetic = next(p for p in doc.paragraphs if p.text == "SYNTETISKE DATA")
    assert all(run.bold for run in synthetic.runs)
    table = next(t for t in doc.tables if t.rows[0].cells[0].text == "Variabel")
    assert [c.text for c in table.rows[1].cells] == ["Kjønn: Kvinne", "2,31", "p\u00a0=\u00a00,004"]  # unbroken
    alignment = [c.paragraphs[0].alignment for c in table.rows[0].cells]
    assert alignment[0] is None and alignment[1] == alignment[2] == WD_ALIGN_PARAGRAPH.RIGHT


def test_docx_draws_a_chapters_figures_with_numbered_captions_in_their_place(demo_results, instrument, tmp_path):
    """A finished chapter's figures (4.5) were dropped from the Word document: each is now laid out as the
    findings' are — its caption numbered on from chapter 3's (a SEQ field, so Word's list of figures finds it),
    the chart drawn for Word with its caption as alt text, its source line — and its tables numbered on too, the
    methods' tables after them."""
    from fjernarbeid.report.drawing import charts_of
    from fjernarbeid.report.view import Chapter, Chart, make_room, next_numbers

    view = build_view(demo_results, instrument, lang="nn")
    figure, table = next_numbers(view)
    assert figure == len(charts_of(view)) + 1
    chart = Chart("Flytte: kommunane med størst potensial.", "interval_bars",
                  ([("Voss", 120.0, 80.0, 170.0), ("Ulvik", 40.0, 20.0, 70.0)], "nn", False), n=491, number=figure,
                  source="Kjelde: demo. n = 491 (uvekta).")
    html = (f'<section id="malgrupper"><h2>4.5 Målgrupper</h2><h4>Kvar bur dei?</h4>'
            f'<figure class="chart-figure" id="figure-{figure}"><figcaption><span class="label">Figur {figure}.</span> '
            f'{chart.caption}</figcaption><svg role="img"><text>Voss</text></svg>'
            f'<p class="source">{chart.source}</p></figure>'
            f'<table id="table-{table}"><caption><span class="label">Tabell {table}.</span> Flytte: kommunane</caption>'
            f'<tr><th>Kommune</th></tr><tr><td>Voss</td></tr></table><p class="source">{chart.source}</p></section>')
    chapter = Chapter(html, [chart], tables=1)
    make_room(view, [chapter])
    doc = Document(str(write_docx(None, None, tmp_path / "r.docx", view=view, extra_sections=(chapter,))))
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.text == "4.5 Målgrupper")
    inside = paragraphs[start:start + 1 + next(i for i, p in enumerate(paragraphs[start + 1:])
                                               if p.style.name == "Heading 1")]
    texts = [(p.style.name, p.text) for p in inside]
    at = texts.index(("Caption", f"Figur {figure}. {chart.caption}"))
    assert inside[at + 1]._p.xpath(".//pic:pic") and texts[at + 2] == ("Caption", chart.source)
    assert "SEQ Figure" in "".join(inside[at]._p.xpath(".//w:instrText/text()"))
    assert ("Caption", f"Tabell {table}. Flytte: kommunane") in texts and "Voss" not in [t for _, t in texts]
    assert texts[-1] == ("Caption", chart.source)  # the table's source line, after it
    assert len(doc.inline_shapes) == figure and doc.inline_shapes[-1]._inline.docPr.get("descr") == chart.caption
    figures = [int(p.text.split()[1].rstrip(".")) for p in paragraphs if p.style.name == "Caption"
               and p.text.startswith("Figur ")]
    tables = [int(p.text.split()[1].rstrip(".")) for p in paragraphs if p.style.name == "Caption"
              and p.text.startswith("Tabell ")]
    assert figures == list(range(1, figure + 1)) and tables == list(range(1, len(tables) + 1))


def test_the_writers_share_one_view(view, docx_of_view, tmp_path):
    """Given the view already built, each writer lays it out as it is (the command builds it once)."""
    from fjernarbeid.report.html import write_html

    html = write_html(None, None, tmp_path / "r.html", view=view).read_text("utf-8")
    assert html.count("<svg") == len([c for s in view.sections for f in s.findings for c in f.charts])
    assert view.title in html
    assert docx_of_view.paragraphs[0].text == view.title


def test_docx_columns_fit_their_longest_words(docx_of_view):
    """No column is narrower than its header's longest word (a header broken inside a word, 'Testobserv/ator', is
    what equal widths gave) or its longest number ('0,764' broken into '0,' and '764' in a table whose text was
    too long for the page), no table is wider than the page, and numbers do not break ('36,4' and '%')."""
    from fjernarbeid.report.docx import CELL_PADDING, CHAR_WIDTH, _is_number

    doc = docx_of_view
    room = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
    checked = 0
    for table in doc.tables:
        widths = [column.width for column in table.columns]
        assert sum(widths) <= room + 1000
        header = [cell.text for cell in table.rows[0].cells]
        if sum(CELL_PADDING + CHAR_WIDTH * max(len(w) for w in h.split(" ")) for h in header) <= room:
            for width, text in zip(widths, header):
                longest = max((len(w) for w in text.split(" ")), default=0)
                assert width >= CELL_PADDING + CHAR_WIDTH * longest - 635, (text, width)  # Word keeps twips
            for i, width in enumerate(widths):
                numbers = [w for row in table.rows[1:] for w in row.cells[i].text.split(" ") if _is_number(w)]
                longest = max(map(len, numbers), default=0)
                assert width >= CELL_PADDING + CHAR_WIDTH * longest - 635, (header[i], numbers, width)
            checked += 1
        for row in table.rows[1:]:
            for cell in row.cells:
                if cell.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT:
                    assert " " not in cell.text, cell.text
    assert checked >= 30


def test_docx_never_breaks_a_number_or_a_short_word_even_in_a_crowded_table(docx_of_view):
    """A table whose text does not fit the page gives up width from its long words of text, never from its
    numbers: 'p < 0,001' stood as '<', '0,', '00', '1' on four lines, and 'P02b' as 'P02' and 'b'."""
    from fjernarbeid.report.docx import CELL_PADDING, CHAR_WIDTH, SHORT_WORD

    doc = docx_of_view
    crowded = 0
    for table in doc.tables:
        widths = [column.width for column in table.columns]
        body = [row for row in table.rows[1:] if len({id(c._tc) for c in row.cells}) == len(widths)]  # not merged
        for i, width in enumerate(widths):
            cells = [row.cells[i] for row in body]
            numbers = [c.text for c in cells if c.paragraphs[0].alignment == WD_ALIGN_PARAGRAPH.RIGHT]
            words = [w for c in cells if c.paragraphs[0].alignment != WD_ALIGN_PARAGRAPH.RIGHT for w in c.text.split()]
            need = max([len(n) for n in numbers] + [min(len(w), SHORT_WORD) for w in words] + [0])
            assert width >= CELL_PADDING + CHAR_WIDTH * need - 635, (table.rows[0].cells[i].text, numbers[:3], width)
        header = [cell.text for cell in table.rows[0].cells]
        room = doc.sections[0].page_width - doc.sections[0].left_margin - doc.sections[0].right_margin
        crowded += sum(CELL_PADDING + CHAR_WIDTH * max(len(w) for w in c.text.split()) for c in table.rows[1].cells
                       if c.text.split()) > room or "p" in header
    assert crowded >= 5


@pytest.mark.skipif(shutil.which("pdftotext") is None, reason="pdftotext (Debian poppler-utils) is not installed")
def test_pdf_keeps_a_short_table_on_one_page(pdf_nb, view):
    """A table of a few rows is not split over two pages (P04's estimates: caption, header and one row at the
    foot of a page, its second row alone on the next): its caption and its source line share a page."""
    import re

    pages = subprocess.run(["pdftotext", str(pdf_nb), "-"], capture_output=True, text=True, check=True).stdout.split("\f")
    short = {tb.number for s in view.sections for f in s.findings for tb in f.tables if tb.number and len(tb.rows) <= 8}
    checked = 0
    for number in short:
        caption = re.compile(rf"^Tabell {number}\.", re.M)
        first = next(i for i, p in enumerate(pages) if caption.search(p))
        after = pages[first][caption.search(pages[first]).end():]
        assert "Kilde:" in after, f"Tabell {number} runs on to page {first + 2}"
        checked += 1
    assert checked >= 20

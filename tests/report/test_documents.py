"""Word and PDF carry the same content as the HTML report; checked by reading them back."""

import shutil
import subprocess

import pytest
from docx import Document

from fjernarbeid.report.docx import write_docx
from fjernarbeid.report.pdf import write_pdf
from fjernarbeid.report.view import build_view


@pytest.fixture(scope="module")
def view(demo_results, instrument):
    return build_view(demo_results, instrument, lang="nb")


def test_docx_has_headings_tables_and_figures(demo_results, instrument, view, tmp_path):
    path = write_docx(demo_results, instrument, tmp_path / "report.docx")
    doc = Document(str(path))
    headings = [p.text for p in doc.paragraphs if p.style.name.startswith("Heading")]
    n_findings = sum(len(s.findings) for s in view.sections)
    n_charts = sum(len(f.charts) for s in view.sections for f in s.findings)
    assert sum(1 for p in doc.paragraphs if p.style.name == "Heading 2") >= n_findings
    assert any(h.startswith("3.2.5") for h in headings) and any("Vedlegg B" in h for h in headings)
    assert len(doc.inline_shapes) == n_charts >= 12
    assert len(doc.tables) >= 30
    assert doc.paragraphs[0].style.name == "Title"
    assert any("SYNTETISKE DATA" in p.text for p in doc.paragraphs[:5])


def test_docx_uses_an_organisations_template(demo_results, instrument, tmp_path):
    template = Document()
    template.styles["Heading 1"].font.name = "Georgia"
    template.save(str(tmp_path / "house.docx"))
    path = write_docx(demo_results, instrument, tmp_path / "r.docx", template=tmp_path / "house.docx")
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

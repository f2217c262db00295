"""The report as PDF, printed from the HTML report by WeasyPrint: one layout for screen and paper.

The print style sheet of ``templates/report.html.j2`` gives A4 pages with running heads (the chapter and the
report's title), page numbers, headings kept with what follows, figures and table rows never split, and a
table of contents with page numbers. WeasyPrint makes the PDF tagged (PDF/UA-1: structure, language, alt
text of every chart) with bookmarks from the headings. Its system libraries (Pango, HarfBuzz) come from
Debian (see the README's set-up and .ci/run).
"""

from __future__ import annotations

from pathlib import Path

from fjernarbeid._io import atomic_path
from fjernarbeid.findings.results import Results
from fjernarbeid.instrument import Instrument
from fjernarbeid.report.view import ReportView, build_view

PDF_VARIANT = "pdf/ua-1"


def print_html(html: str) -> bytes:
    """The PDF's bytes for the printed report's HTML (``render_view(..., printed=True)``)."""
    import weasyprint

    document = weasyprint.HTML(string=html, base_url=None)
    return document.write_pdf(pdf_variant=PDF_VARIANT, pdf_tags=True, custom_metadata=True, uncompressed_pdf=False)


def build_pdf(view: ReportView, drawer=None, extra_sections=()) -> bytes:
    """The PDF's bytes for a report view (``extra_sections``: finished chapters in HTML, as the HTML report
    has); with a ``drawer`` the charts are drawn and the PDF printed in its worker processes."""
    from fjernarbeid.report.html import render_view

    html = render_view(view, drawer, extra_sections, printed=True)
    return drawer.print_pdf(html)() if drawer is not None else print_html(html)


def write_pdf(results: Results | None, instrument: Instrument | None, path: str | Path, lang: str = "nb",
              min_cell: int = 5, drawer=None, extra_sections=(), view: ReportView | None = None) -> Path:
    """Write the PDF report; ``view``: the report view already built (for several formats at once)."""
    view = view or build_view(results, instrument, lang=lang, min_cell=min_cell)
    return write_pdf_bytes(path, build_pdf(view, drawer, extra_sections))


def write_pdf_bytes(path: str | Path, data: bytes) -> Path:
    with atomic_path(path) as tmp:
        Path(tmp).write_bytes(data)
    return Path(path)

"""The HTML report: one self-contained file (inline CSS and SVG charts, no network resource) that
mirrors the report's chapter 3.2-3.3, with the published figure beside ours, a methods appendix
and the questionnaire. The content comes from :func:`fjernarbeid.report.view.build_view`."""

from __future__ import annotations

from importlib import resources
from pathlib import Path

import jinja2

from fjernarbeid._io import write_text_atomic
from fjernarbeid.findings.results import Results
from fjernarbeid.instrument import Instrument
from fjernarbeid.report.drawing import ChartDrawer, charts_of
from fjernarbeid.report.view import ReportView, build_view


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FunctionLoader(
            lambda name: resources.files("fjernarbeid.report").joinpath("templates", name).read_text("utf-8")
        ),
        autoescape=True,
        keep_trailing_newline=True,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(results: Results, instrument: Instrument, lang: str = "nb", min_cell: int = 5,
                drawer: ChartDrawer | None = None, extra_sections=(), printed: bool = False) -> str:
    """The report as HTML text; ``drawer`` draws its charts in worker processes (else they are drawn here).
    ``extra_sections``: finished chapters (safe HTML, e.g. 4.5 from fjernarbeid.target) placed before the methods.
    ``printed``: the page for the PDF printer (charts as images with alt text, data tables left out)."""
    view = build_view(results, instrument, lang=lang, min_cell=min_cell)
    return render_view(view, drawer, extra_sections, printed)


def render_view(view: ReportView, drawer: ChartDrawer | None = None, extra_sections=(), printed: bool = False) -> str:
    if drawer is not None:
        drawer.draw(charts_of(view), "svg")
    chapters = [c for c in map(_chapter, extra_sections) if c is not None]
    return _environment().get_template("report.html.j2").render(v=view, t=view.t, extra_sections=extra_sections,
                                                                chapters=chapters, printed=printed)


def _chapter(block) -> tuple[str, str] | None:
    """A finished chapter's anchor and heading ('malgrupper', '4.5 Målgrupper'), for the list of contents:
    its first ``<section id>`` and that section's first ``<h2>``."""
    import lxml.html

    text = str(block).strip()
    if not text:
        return None
    section = next(iter(lxml.html.fromstring(f"<div>{text}</div>").xpath("//section[@id]")), None)
    heading = None if section is None else next(iter(section.xpath(".//h2")), None)
    if heading is None:
        return None
    return section.get("id"), " ".join(heading.text_content().split())


def write_html(results: Results | None, instrument: Instrument | None, path: str | Path, lang: str = "nb",
               min_cell: int = 5, drawer: ChartDrawer | None = None, extra_sections=(),
               view: ReportView | None = None) -> Path:
    """Write the HTML report; ``view``: the report view already built (for several formats at once)."""
    view = view or build_view(results, instrument, lang=lang, min_cell=min_cell)
    return write_text_atomic(path, render_view(view, drawer, extra_sections))

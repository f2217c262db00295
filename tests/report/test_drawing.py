"""Charts drawn by worker processes are the charts the report draws itself."""

from __future__ import annotations

import threading

import pytest

from fjernarbeid.report import drawing
from fjernarbeid.report.drawing import ChartDrawer, charts_of
from fjernarbeid.report.html import render_html
from fjernarbeid.report.view import build_view


@pytest.fixture(scope="module")
def html_drawn_here(html_en):
    return html_en


def test_a_report_drawn_by_workers_is_the_same_page(demo_results, instrument, html_drawn_here):
    with ChartDrawer() as drawer:
        if threading.active_count() == 1:  # another test's thread still ending would stop the fork
            assert drawer._pool is not None
        html = render_html(demo_results, instrument, lang="en", drawer=drawer)
    assert html == html_drawn_here
    assert html.count("<svg") >= 12


def test_each_chart_keeps_its_drawing_in_every_format(demo_results, instrument):
    charts = charts_of(build_view(demo_results, instrument, lang="nb"))[:3]
    with ChartDrawer() as drawer:
        drawer.draw(charts, "png")
        drawer.draw(charts, "svg")
    for chart in charts:
        assert chart.drawings["png"].startswith(b"\x89PNG") and chart.drawings["svg"].startswith("<svg")
        assert chart.svg() is chart.drawings["svg"]  # not drawn again


def test_without_fork_the_charts_are_drawn_in_this_process(demo_results, instrument, monkeypatch,
                                                            html_drawn_here):
    monkeypatch.setattr(drawing.multiprocessing, "get_all_start_methods", lambda: ["spawn"])
    with ChartDrawer() as drawer:
        assert drawer._pool is None
        assert render_html(demo_results, instrument, lang="en", drawer=drawer) == html_drawn_here


def test_a_process_running_threads_is_not_forked(monkeypatch):
    monkeypatch.setattr(drawing.threading, "active_count", lambda: 2)
    with ChartDrawer() as drawer:
        assert drawer._pool is None


def test_a_chart_drawn_in_both_formats_at_once_is_the_chart_drawn_in_each(demo_results, instrument):
    """Each figure is made once and saved as SVG and PNG: the same drawings as making it once per format."""
    from fjernarbeid.report import charts

    chart = charts_of(build_view(demo_results, instrument, lang="nb"))[0]
    both = getattr(charts, chart.function)(*chart.args, fmt=("svg", "png"))
    assert set(both) == {"svg", "png"}
    assert both["svg"] == getattr(charts, chart.function)(*chart.args, fmt="svg")
    assert both["png"] == getattr(charts, chart.function)(*chart.args, fmt="png")
    with pytest.raises(ValueError):
        getattr(charts, chart.function)(*chart.args, fmt="gif")


def test_the_drawer_draws_only_the_formats_a_chart_lacks(demo_results, instrument):
    charts = charts_of(build_view(demo_results, instrument, lang="nb"))[:3]
    svg = charts[0].draw("svg")
    with ChartDrawer() as drawer:
        collect = drawer.submit(charts, ("svg", "png"))
        collect()
    assert charts[0].drawings["svg"] is svg  # drawn before: not again
    assert all(c.drawings["png"].startswith(b"\x89PNG") and c.drawings["svg"].startswith("<svg") for c in charts)


def _svg_parts(svg: str) -> list[str]:
    """What an SVG draws: its paths, uses, texts, in order (the wrappers and their ids left out)."""
    import re

    return re.findall(r'<path [^>]*\bd="[^"]*"|<use [^>]*>|<text[^>]*>[^<]*</text>', svg)


def test_the_print_svg_draws_the_same_with_fewer_elements(demo_results, instrument):
    import re
    import xml.dom.minidom

    from fjernarbeid.report.view import print_svg

    texts = lambda s: re.findall(r"<text[^>]*>([^<]*)</text>", s)  # noqa: E731
    paths = lambda s: re.findall(r'\bd="([^"]*)"', s)  # noqa: E731
    for chart in charts_of(build_view(demo_results, instrument, lang="nb")):
        svg = chart.draw("svg")
        printed = print_svg(svg)
        assert len(printed) < 0.75 * len(svg) and printed.count("<g") < svg.count("<g") / 2
        assert "<metadata" not in printed and "rotate(-0" not in printed and "Bitstream Vera" not in printed
        assert len(_svg_parts(printed)) == len(_svg_parts(svg)) > 20
        assert texts(printed) == texts(svg) and paths(printed) == paths(svg)
        xml.dom.minidom.parseString(printed)  # still well formed


@pytest.mark.skipif(__import__("shutil").which("pdftoppm") is None, reason="pdftoppm (poppler-utils) not installed")
def test_the_print_svg_prints_pixel_for_pixel_the_same_picture(demo_results, instrument, tmp_path):
    import base64
    import subprocess

    import weasyprint
    from PIL import Image, ImageChops

    from fjernarbeid.report.view import print_svg

    svg = charts_of(build_view(demo_results, instrument, lang="nb"))[1].draw("svg")
    pages = []
    for name, drawing in (("screen", svg), ("print", print_svg(svg))):
        uri = "data:image/svg+xml;base64," + base64.b64encode(drawing.encode()).decode()
        weasyprint.HTML(string=f'<img style="width:16cm" src="{uri}">').write_pdf(tmp_path / f"{name}.pdf")
        subprocess.run(["pdftoppm", "-png", "-r", "72", "-f", "1", "-l", "1", str(tmp_path / f"{name}.pdf"),
                        str(tmp_path / name)], check=True, timeout=60)
        pages.append(Image.open(next(tmp_path.glob(f"{name}-*.png"))).convert("RGB"))
    assert ImageChops.difference(*pages).getbbox() is None
    assert pages[0].convert("L").getextrema()[0] < 100  # the page has a picture on it


def test_a_pdf_printed_by_a_worker_is_the_pdf_printed_here(demo_results, instrument, pdf_nb):
    """``pdf_nb``: write_pdf's printing of the same page in this process (print_html of render_view)."""
    from pypdf import PdfReader

    from fjernarbeid.report.html import render_view

    html = render_view(build_view(demo_results, instrument, lang="nb"), printed=True)
    with ChartDrawer(preload=("weasyprint",)) as drawer:
        printed = drawer.print_pdf(html)
        data = printed()
    import io

    there, here = PdfReader(io.BytesIO(data)), PdfReader(pdf_nb)
    assert data[:5] == b"%PDF-" and len(there.pages) == len(here.pages) >= 10
    assert there.pages[3].extract_text() == here.pages[3].extract_text()

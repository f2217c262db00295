"""Charts drawn by worker processes are the charts the report draws itself."""

from __future__ import annotations

import threading

import pytest

from fjernarbeid.report import drawing
from fjernarbeid.report.drawing import ChartDrawer, charts_of
from fjernarbeid.report.html import render_html
from fjernarbeid.report.view import build_view


@pytest.fixture(scope="module")
def html_drawn_here(demo_results, instrument):
    return render_html(demo_results, instrument, lang="en")


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

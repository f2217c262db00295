"""Drawing a report's charts on a second core.

matplotlib draws one of the report's charts in about 0.1 s of Python that holds the interpreter
lock, so the study's 19 charts take 1.5 s on one core — a third of writing the demo's report.
:class:`ChartDrawer` forks two worker processes when a command starts, before it starts any thread
of its own (a process forked from a threaded one can inherit a lock another thread held); they load
matplotlib while the command reads and analyses the data, and draw the charts side by side when
the report is laid out.

>>> with ChartDrawer() as drawer:          # at the start of the command
...     results = ...                      # the analysis
...     drawer.draw(charts_of(view), "svg")  # each Chart keeps its drawing

Where processes cannot be forked (Windows), where this process already runs other Python threads
(forking would copy their locks, held or not), or when a worker fails, charts are drawn in this
process, one after the other, exactly as without a drawer.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Iterable

from fjernarbeid.report.view import Chart, ReportView

WORKERS = 2


def _start_worker() -> None:
    """A worker's first act: end with the command (even after ``kill -9``), then load matplotlib."""
    from fjernarbeid._process import die_with_parent

    die_with_parent()
    import fjernarbeid.report.charts  # noqa: F401  (matplotlib, its fonts and styles)


def _draw(function: str, args: tuple, fmt: str) -> str | bytes:
    from fjernarbeid.report import charts

    return getattr(charts, function)(*args, fmt=fmt)


def charts_of(view: ReportView) -> list[Chart]:
    """Every chart of the report, in the order it shows them."""
    return [c for section in view.sections for finding in section.findings for c in finding.charts]


class ChartDrawer:
    """Two worker processes that draw :class:`~fjernarbeid.report.view.Chart` objects."""

    def __init__(self, workers: int = WORKERS):
        self._pool = None
        if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_start_worker)
            self._pool.submit(int)  # a pool forks its workers at the first task: now, not later

    def draw(self, charts: Iterable[Chart], fmt: str) -> None:
        """Draw every chart not yet drawn in ``fmt``; each keeps its drawing (``chart.drawings``)."""
        todo = [c for c in charts if fmt not in c.drawings]
        if self._pool is not None and len(todo) > 1:
            try:
                drawings = list(self._pool.map(_draw, [c.function for c in todo], [c.args for c in todo],
                                               [fmt] * len(todo)))
            except BrokenProcessPool:  # a worker died (memory?): draw here instead
                self.close()
            else:
                for chart, drawing in zip(todo, drawings):
                    chart.drawings[fmt] = drawing
        for chart in todo:
            chart.draw(fmt)  # anything left: in this process

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "ChartDrawer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

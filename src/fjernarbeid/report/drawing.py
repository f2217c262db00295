"""Drawing a report's charts — and printing its PDF — on a second core.

matplotlib draws one of the report's charts in about 0.1 s of Python that holds the interpreter
lock, and WeasyPrint prints the demo's PDF in several seconds of it. :class:`ChartDrawer` forks two
worker processes when a command starts, before it starts any thread of its own (a process forked
from a threaded one can inherit a lock another thread held); they load matplotlib (and WeasyPrint,
when asked) while the command reads and analyses the data. Then they draw the charts side by side —
each figure made once and saved in every format asked for (SVG for HTML and PDF, PNG for Word) — and
one of them prints the PDF (:meth:`ChartDrawer.print_pdf`) while the other and the command itself
draw the PNG and write the Word document.

>>> with ChartDrawer(preload=("weasyprint",)) as drawer:   # at the start of the command
...     results = ...                                       # the analysis
...     drawer.draw(charts_of(view), "svg")                 # each Chart keeps its drawing
...     pdf = drawer.print_pdf(render_view(view, printed=True))
...     ...                                                 # the other formats, meanwhile
...     data = pdf()                                        # the PDF's bytes

Where processes cannot be forked (Windows), where this process already runs other Python threads
(forking would copy their locks, held or not), or when a worker fails, charts are drawn and the PDF
printed in this process, one after the other, exactly as without a drawer.
"""

from __future__ import annotations

import multiprocessing
import threading
from concurrent.futures import ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Callable, Iterable

from fjernarbeid.report.view import Chart, ReportView

WORKERS = 2


def _start_worker(preload: tuple[str, ...] = ()) -> None:
    """A worker's first act: end with the command (even after ``kill -9``), then load matplotlib (and
    ``preload``: WeasyPrint when the command prints a PDF)."""
    import importlib

    from fjernarbeid._process import die_with_parent

    die_with_parent()
    import fjernarbeid.report.charts  # noqa: F401  (matplotlib, its fonts and styles)

    for module in preload:
        try:
            importlib.import_module(module)
        except Exception:  # noqa: BLE001 - e.g. WeasyPrint without its system libraries: the error is
            pass  # the printer's to report, where the PDF is printed, and drawing charts still works


def _draw(function: str, args: tuple, fmt: str | tuple[str, ...]) -> str | bytes | dict:
    from fjernarbeid.report import charts

    return getattr(charts, function)(*args, fmt=fmt)


def _print_pdf(html: str) -> bytes:
    from fjernarbeid.report.pdf import print_html

    return print_html(html)


def charts_of(view: ReportView) -> list[Chart]:
    """Every chart of the report, in the order it shows them."""
    return [c for section in view.sections for finding in section.findings for c in finding.charts]


class ChartDrawer:
    """Two worker processes that draw :class:`~fjernarbeid.report.view.Chart` objects (and print a PDF)."""

    def __init__(self, workers: int = WORKERS, preload: tuple[str, ...] = ()):
        self._pool = None
        if "fork" in multiprocessing.get_all_start_methods() and threading.active_count() == 1:
            self._pool = ProcessPoolExecutor(workers, mp_context=multiprocessing.get_context("fork"),
                                             initializer=_start_worker, initargs=(tuple(preload),))
            self._pool.submit(int)  # a pool forks its workers at the first task: now, not later

    def submit(self, charts: Iterable[Chart], fmt: str | tuple[str, ...]) -> Callable[[], None]:
        """Start drawing every chart in the format(s) it has not been drawn in; returns the function that
        waits for the drawings and gives each chart its own (``chart.drawings``). With a tuple of formats,
        each chart's figure is made once and saved in each."""
        wanted = fmt if isinstance(fmt, tuple) else (fmt,)
        todo = [(c, tuple(f for f in wanted if f not in c.drawings)) for c in charts]
        todo = [(c, fmts) for c, fmts in todo if fmts]
        futures = None
        if self._pool is not None and len(todo) > 1:
            try:
                futures = [self._pool.submit(_draw, c.function, c.args, fmts) for c, fmts in todo]
            except (BrokenProcessPool, RuntimeError):  # the pool is broken or closed: draw here
                self.close()

        def collect() -> None:
            if futures is not None:
                try:
                    for (chart, _), future in zip(todo, futures):
                        chart.drawings.update(future.result())
                except BrokenProcessPool:  # a worker died (memory?): draw here instead
                    self.close()
            for chart, fmts in todo:
                chart.draw(fmts)  # anything left: in this process

        return collect

    def draw(self, charts: Iterable[Chart], fmt: str | tuple[str, ...]) -> None:
        """Draw every chart not yet drawn in ``fmt`` (a format or a tuple of them); each keeps its drawing."""
        self.submit(charts, fmt)()

    def print_pdf(self, html: str) -> Callable[[], bytes]:
        """Start printing ``html`` as a PDF in a worker (while this process writes the other formats);
        returns the function that waits for its bytes. Without workers it prints when that is called."""
        future = None
        if self._pool is not None:
            try:
                future = self._pool.submit(_print_pdf, html)
            except (BrokenProcessPool, RuntimeError):
                self.close()

        def result() -> bytes:
            if future is not None:
                try:
                    return future.result()
                except BrokenProcessPool:
                    self.close()
            return _print_pdf(html)

        return result

    def close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True, cancel_futures=True)
            self._pool = None

    def __enter__(self) -> "ChartDrawer":
        return self

    def __exit__(self, *exc) -> None:
        self.close()

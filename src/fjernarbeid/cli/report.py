"""``fjernarbeid report``: from a fieldwork file to ``report.html`` and ``results.json``."""

from __future__ import annotations

import contextlib
import gc
import threading
import time
from concurrent.futures import Future, ThreadPoolExecutor
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from fjernarbeid.cli._console import console as make_console, styled
from fjernarbeid.cli._options import (MIN_CELL, WEIGHTING_HELP, Weighting, completes_only_option, overwrite_option,
                                      paragraphs, refdata_option)
from fjernarbeid.cli._study import STUDY_HELP, TARGETS_HELP, load_cli_study, weighting_spec
from fjernarbeid.cli._survey_input import fail, problem_place
from fjernarbeid.errors import EXIT_INVALID_DATA, FjernarbeidError, InputFileError, OutputFileError

_HELP = """Validate, weight and run the study's findings; write the report as HTML, PDF and Word (html, pdf,
docx), the tables as an Excel workbook (xlsx) and every number as results.json (json), as --format chooses.

A file of the report's names (report.html, results.json, report.xlsx …) already in --out is
replaced only with --overwrite; other files there are left alone.

Exit codes: 0 done, 1 the data have validation errors (nothing is written), 2 wrong usage, 3 an
input cannot be read, an output exists (without --overwrite) or cannot be written (--out is never
an input), 4 missing reference data (e.g. a --refdata directory that does not exist), 5 weighting
impossible.
"""
HELP = paragraphs(_HELP)

FORMATS = ("html", "json")
EXTRA_FORMATS = ("xlsx", "docx", "pdf")


def _formats(value: list[str]) -> list[str]:
    """``-f html,json`` or ``-f html -f json``: every item one of the formats, in the order given."""
    chosen = list(dict.fromkeys(f.strip().lower() for item in value for f in item.split(",") if f.strip()))
    unknown = [f for f in chosen if f not in FORMATS + EXTRA_FORMATS]
    if unknown or not chosen:
        raise typer.BadParameter(f"choose from {', '.join(FORMATS + EXTRA_FORMATS)} (comma-separated or the "
                                 f"option repeated); got {', '.join(map(repr, value))}")
    return chosen


def report(
    file: Path = typer.Argument(..., help="The survey file (CSV, Excel, SPSS .sav, Stata .dta, Parquet, Kobo/ODK CSV)."),
    dispositions: Optional[Path] = typer.Option(None, "--dispositions", "-d",
                                                help="Disposition log (CSV) for the fieldwork summary and AAPOR rates."),
    out: Path = typer.Option(Path("report"), "--out", "-o", help="Output directory."),
    lang: Optional[str] = typer.Option(None, "--lang", help="Report language: nb (bokmål), nn (nynorsk), en or any "
                                       "language code of the questionnaire; default: the study's first language.",
                                       show_default=False),
    formats: list[str] = typer.Option(["html,json"], "--format", "-f", callback=_formats,
                                      metavar="FORMAT[,FORMAT…]",
                                      help="Comma-separated or repeated: html, json, xlsx, docx, pdf."),
    mapping: Optional[Path] = typer.Option(None, "--mapping", help="Column-mapping file for the fieldwork firm's names."),
    refdata: Annotated[Optional[Path], refdata_option("Reference-data directory (postal codes, centrality).")] = None,
    instrument_file: Optional[Path] = typer.Option(None, "--instrument", help="Questionnaire (YAML or XLSForm); default: the study's."),
    catalogue_file: Optional[Path] = typer.Option(None, "--catalogue", help="Findings catalogue (YAML); default: the study's."),
    min_cell: int = typer.Option(MIN_CELL, "--min-cell", min=1, help="Suppress cells with fewer unweighted respondents than this."),
    docx_template: Optional[Path] = typer.Option(None, "--docx-template",
                                                 help="Word template (.docx/.dotx) whose named styles the report uses."),
    weighting: Optional[Weighting] = typer.Option(None, "--weighting", help=WEIGHTING_HELP, show_default=False),
    targets: Optional[Path] = typer.Option(None, "--targets", help=TARGETS_HELP, show_default=False),
    study: Optional[Path] = typer.Option(None, "--study", help=STUDY_HELP, show_default=False),
    completes_only: Annotated[bool, completes_only_option()] = False,
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    try:
        with _chart_drawer(formats) as drawer:
            _report(file, dispositions, out, lang, formats, mapping, refdata, instrument_file, catalogue_file,
                    min_cell, docx_template, weighting, drawer, targets, study, completes_only, overwrite)
    except FjernarbeidError as exc:
        raise fail(exc) from None


def _chart_drawer(formats: list[str]):
    """Worker processes for the HTML report's charts, forked now: before the progress display or the
    findings start a thread, and early enough to load matplotlib while the data are analysed."""
    if not {"html", "pdf", "docx"} & set(formats):  # the formats with charts
        return contextlib.nullcontext()
    from fjernarbeid.report.drawing import ChartDrawer

    return ChartDrawer(preload=("weasyprint",) if "pdf" in formats else ())


def _report(file: Path, dispositions: Optional[Path], out: Path, lang: Optional[str], chosen: list[str],
            mapping: Optional[Path], refdata: Optional[Path], instrument_file: Optional[Path],
            catalogue_file: Optional[Path], min_cell: int, docx_template: Optional[Path],
            weighting: Optional[Weighting], drawer=None, targets: Optional[Path] = None,
            study_dir: Optional[Path] = None, completes_only: bool = False, overwrite: bool = False) -> None:
    # The imports of the run (pandas, numpy, Arrow, the estimators) make some 200,000 objects that live
    # to the end: the cyclic garbage collector walked them 250 times (twice all of them), 0.1 CPU-s of a
    # report. It is paused until they are made, and they are then frozen out of its later walks
    # (``gc.freeze``); the data's own objects are collected as before. (Paused after the chart
    # workers are forked, which would inherit the pause.)
    gc.disable()
    try:
        _report_run(file, dispositions, out, lang, chosen, mapping, refdata, instrument_file, catalogue_file,
                    min_cell, docx_template, weighting, drawer, targets, study_dir, completes_only, overwrite)
    finally:
        gc.enable()


def _start_collecting() -> None:
    """The end of the run's imports: what exists now is frozen, and the collector runs again."""
    gc.freeze()
    gc.enable()


def _report_run(file: Path, dispositions: Optional[Path], out: Path, lang: Optional[str], chosen: list[str],
                mapping: Optional[Path], refdata: Optional[Path], instrument_file: Optional[Path],
                catalogue_file: Optional[Path], min_cell: int, docx_template: Optional[Path],
                weighting: Optional[Weighting], drawer, targets: Optional[Path], study_dir: Optional[Path],
                completes_only: bool, overwrite: bool) -> None:
    from fjernarbeid._io import refuse_existing_outputs, refuse_overwrite_inputs, staged_directory
    from fjernarbeid.refdata import RefData

    console = make_console(stderr=True, soft_wrap=False)
    started = time.perf_counter()
    inputs = (file, dispositions, mapping, instrument_file, catalogue_file, docx_template, targets)
    # before any work: never over an input, nor into a reference-data directory
    refuse_overwrite_inputs((out, *(out / name for name in _file_names(chosen))), *inputs,
                            reference=(refdata, RefData.locate(refdata).directory))
    if out.exists() and not out.is_dir():  # known before the work, so said before it
        raise OutputFileError(f"{out}: cannot write the report into it: it exists and is not a directory")
    refuse_existing_outputs((out / name for name in _file_names(chosen)), overwrite=overwrite)
    if "docx" in chosen and docx_template is not None:
        _check_docx_template(docx_template)
    study = load_cli_study(study_dir, instrument_file)  # the study's files need neither pandas nor numpy
    # the study's own files (study.yaml and every file it names) are inputs too
    refuse_overwrite_inputs((out, *(out / name for name in _file_names(chosen))), *study.files)
    instrument = study.instrument
    languages = list(dict.fromkeys((*study.languages, "nb", "nn", "en")))
    if lang is not None and lang not in languages:
        raise typer.BadParameter(f"{lang!r} is not one of {', '.join(languages)} (the study's languages and the "
                                 "program's own)", param_hint="'--lang'")
    lang = lang or study.default_language
    # The call log (ten rows per interview) is read and summarised in a thread from here: Arrow reads
    # the file outside the interpreter's lock while this thread imports pandas and reads the
    # interviews; the fieldwork finding takes its result, or its error.
    fieldwork_later = None
    if dispositions is not None:
        # the summary's modules imported here, not in the thread while this one imports pandas (cheap: they
        # import neither pandas nor numpy until the log is read)
        import fjernarbeid.fieldwork  # noqa: F401
        import fjernarbeid.fieldwork.log  # noqa: F401

        fieldwork_later = _in_background(_summarise_log, dispositions, instrument)
    # The estimators' modules (with scipy's special functions, a tenth of a second) are imported in a
    # thread too; the findings import them again where they start (at once, or waiting for it).
    threading.Thread(target=_import_estimators, name="import", daemon=True).start()
    from fjernarbeid.data.derive import derive
    from fjernarbeid.data.read import read_survey
    from fjernarbeid.data.synthetic import is_synthetic
    from fjernarbeid.data.validate import validate
    from fjernarbeid.study import weight

    spec = weighting_spec(study, weighting, targets)
    if catalogue_file is not None:
        catalogue = _load_catalogue(catalogue_file, instrument)
    elif study_dir is None and instrument_file is not None:
        catalogue = None  # a questionnaire of its own: every question described
    else:
        catalogue = study.load_catalogue()
    if catalogue is None:
        from fjernarbeid.findings.catalogue import describe_every_question

        catalogue = describe_every_question(instrument)
    ref = RefData.locate(refdata)

    with Progress(TextColumn("{task.description}", markup=False), BarColumn(),  # a finding id is not markup
                  TextColumn("{task.completed}/{task.total}", markup=False), TimeElapsedColumn(), console=console,
                  # redrawn ten times a second only where it is shown: on a terminal (else each redraw builds
                  # the bar's table for nothing, 44 times in a report of 300,000)
                  transient=True, auto_refresh=console.is_terminal) as progress:
        # one step per file written too: the PDF and the charts take a good part of the run
        # chapter 4.5 (target groups, with a call log) is a step of its own, and so is each chart drawn for Word
        chapter = dispositions is not None and bool({"html", "pdf", "docx"} & set(chosen))
        # a step per finding of the catalogue (one run with its extra analyses: P02 with P02b)
        steps = progress.add_task("reading", total=3 + len(chosen) + len(catalogue) + chapter)
        _start_collecting()
        data = read_survey(file, instrument, mapping, completes_only=completes_only)
        progress.update(steps, advance=1, description="validating")
        # The checks run in a thread while the derived variables and the weights are computed (neither
        # writes anything nor prints); the findings wait for them. Invalid data stop the run with the
        # checks' errors, also when deriving or weighting failed on them first.
        with ThreadPoolExecutor(max_workers=1) as checks:
            validation = checks.submit(validate, data, instrument, ref)
            try:
                frame = derive(data.frame, instrument, ref, skip_unavailable=True)
                weighted = weight(frame, instrument, spec, ref, where=data.lines)
            except Exception:
                _stop_if_invalid(validation.result(), file, progress, console)
                raise
            checked = validation.result()
            _stop_if_invalid(checked, file, progress, console)
        progress.update(steps, advance=1, description="weighting")
        skipped = frame.attrs.get("derived_skipped", [])
        excluded = len(frame) - len(weighted.frame)
        frame = weighted.frame
        if fieldwork_later is not None and fieldwork_later.done() and fieldwork_later.exception() is not None:
            raise fieldwork_later.exception()  # the call log failed already: say so now, not after the findings
        progress.update(steps, advance=1, description="findings")
        from fjernarbeid.findings.run import run_findings

        results = run_findings(
            # the findings start while the call log may still be read: only the fieldwork finding waits
            # for it, and a log that cannot be read stops the run when the findings are done
            frame, design=weighted.design, instrument=instrument, catalogue=catalogue, fieldwork=fieldwork_later,
            weighting=_weighting_dict(weighted.report), min_cell=min_cell, lang=lang, source=file.name,
            synthetic=is_synthetic(file),
            progress=lambda fid: progress.update(steps, advance=1, description=f"finding {fid}"), study=study,
        )
        results.weighting_text = {code: weighted.describe(instrument, code)
                                  for code in dict.fromkeys((lang, "nb", "nn", "en"))}
        names = dict(zip(chosen, _file_names(chosen)))
        # Every format is written into a staging directory and moved into --out together: a failure
        # (full disk, Ctrl-C, kill) leaves no new file beside stale ones of an earlier run.
        # the charts are drawn by the workers while this process computes chapter 4.5
        documents = _Documents(results, instrument, lang, min_cell, chosen, drawer)
        sections = ()
        if chapter:
            # chapter 4.5 (target groups) when the data allow: fjernarbeid.target; the PDF and Word print it too,
            # its figures and tables numbered on from the findings' (the methods' tables after its own)
            from fjernarbeid.report.view import make_room, next_numbers
            from fjernarbeid.target.report_hook import report_section

            progress.update(steps, description="chapter 4.5")
            first_figure, first_table = next_numbers(documents.view) if documents.view is not None else (1, 1)
            sections = (report_section(frame, weighted.design, dispositions, instrument, ref, lang,
                                       first_figure=first_figure, first_table=first_table, source=file.name).html,)
            if documents.view is not None:
                make_room(documents.view, sections)
            progress.update(steps, advance=1)
        if "docx" in documents.wanted:
            documents.add_charts(sections)
            progress.update(steps, total=progress.tasks[steps].total + len(documents.charts))
            documents.on_png = lambda drawn: progress.update(steps, advance=drawn)
        documents.start(sections)
        with staged_directory(out, overwrite=overwrite) as staging:
            # the PDF is printed in a worker while this process writes the others, so it is written last
            for fmt in sorted(chosen, key=lambda f: f == "pdf"):
                progress.update(steps, description=f"writing {names[fmt]}")
                if fmt == "json":
                    results.write_json(staging / "results.json")
                elif fmt == "html":
                    from fjernarbeid.report.html import write_html

                    write_html(None, None, staging / "report.html", drawer=drawer, extra_sections=sections,
                               view=documents.view)
                else:
                    _write_extra(fmt, staging, results, weighted.design, instrument, lang, min_cell,
                                 docx_template, drawer, sections, documents)
                progress.update(steps, advance=1)
        written = [out / name for name in _file_names(chosen)]

    for w in checked.warnings[:5]:
        console.print(_problem_line(w, checked.row_kind, "warning: "), markup=False, highlight=False)
    if checked.n_warnings > 5:
        console.print(f"… and {checked.n_warnings - 5} more warnings (fjernarbeid validate {file})", markup=False)
    if skipped:
        console.print(f"note: {', '.join(skipped)} not derived: no postal-code register (use --refdata or "
                      "`fjernarbeid refdata update`); findings that need them say so in the report.", markup=False)
    if excluded:
        console.print(f"note: {excluded} respondent(s) without a weighting category left out (the study's rule: "
                      "unknown: exclude)", markup=False)
    s = results.summary
    if s.get("agrees", 0) + s.get("differs", 0):
        console.print(f"{len(results.findings)} findings: {s['agrees']} agree with the report, {s['differs']} differ, "
                      f"{s['not_computed']} not computed. ({time.perf_counter() - started:.1f} s)", markup=False)
    else:
        console.print(f"{len(results.findings)} findings, {s.get('not_computed', 0)} not computed; nothing published "
                      f"to compare with. ({time.perf_counter() - started:.1f} s)", markup=False)
    for path in written:
        typer.echo(str(path))


def _file_names(formats: list[str]) -> list[str]:
    """The files the chosen formats write into --out."""
    return [{"json": "results.json", "html": "report.html"}.get(f, f"report.{f}") for f in formats]


def _problem_line(problem, row_kind: str, prefix: str = "  ") -> str:
    """'  line 4 (id 17), column tilfreds: message [rule]' — only the places the problem has."""
    place = problem_place(problem, row_kind)
    return f"{prefix}{place + ': ' if place else ''}{problem.message} [{problem.rule}]"


def _load_catalogue(path: Optional[Path], instrument):
    """The findings catalogue; a file that is not one is an input error naming it, not a traceback."""
    from fjernarbeid.findings.catalogue import load_catalogue

    if path is not None and not path.is_file():
        raise InputFileError(f"{path}: findings catalogue not found" if not path.exists()
                             else f"{path}: is a directory, not a findings catalogue")
    try:
        return load_catalogue(path, instrument=instrument)
    except FjernarbeidError:
        raise
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the findings catalogue: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, AttributeError, KeyError, TypeError, ValueError) as exc:
        # the loader expects a YAML mapping with `findings:`; anything else fails on its first look-up
        raise InputFileError(f"{path}: not a findings catalogue (a YAML file with code_sets and findings, "
                             f"like the study's catalogue.yaml): {type(exc).__name__}: {exc}") from None


def _in_background(function, *args) -> Future:
    """``function(*args)`` in a daemon thread: its result, or its exception, from the returned future.

    A daemon thread, so that a run stopped by an error (or Ctrl-C) does not wait for it at exit."""
    future: Future = Future()

    def run() -> None:
        try:
            future.set_result(function(*args))
        except BaseException as exc:  # noqa: BLE001 - handed to whoever takes the result
            future.set_exception(exc)

    threading.Thread(target=run, name=getattr(function, "__name__", "background"), daemon=True).start()
    return future


def _summarise_log(path: Path, instrument):
    """The fieldwork summary of the call log at ``path`` (its disposition and screening columns)."""
    from fjernarbeid.fieldwork import summarise_fieldwork

    return summarise_fieldwork(_read_dispositions(path, instrument), instrument, source=str(path))


def _import_estimators() -> None:
    try:
        import fjernarbeid.findings.run  # noqa: F401 - imported for its import time
        import fjernarbeid.survey.weighting  # noqa: F401
    except Exception:  # noqa: BLE001 - the same import where the findings start says what is wrong
        pass


def _stop_if_invalid(checked, file: Path, progress, console) -> None:
    """Print the first validation errors and exit with the invalid-data code, if there are any."""
    if checked.ok:
        return
    progress.stop()
    console.print(styled((f"{file}: {checked.n_errors} validation error(s)", "bold red"),
                         f"; nothing was written. Run `fjernarbeid validate {file}` for the full list. "
                         "First errors:"))
    for p in checked.errors[:10]:
        console.print(_problem_line(p, checked.row_kind), markup=False, highlight=False)
    raise typer.Exit(EXIT_INVALID_DATA)


def _read_dispositions(path: Path, instrument):
    """The call log's disposition and screening columns (CSV); unreadable or empty: an input error."""
    if not path.is_file():
        raise InputFileError(f"{path}: disposition log not found" if not path.exists()
                             else f"{path}: is a directory, not a disposition log")
    # Only the columns the summary reads: a call log has a row per contact (ten million for a
    # million interviews), and its free-text columns would cost most of the time and memory.
    wanted = {"disposition"} | {q.name for q in instrument.screening_questions}
    from fjernarbeid.fieldwork.log import read_log_table

    log = read_log_table(path, wanted)  # Arrow's reader, when it can read the file at all (an Arrow table)
    if log is not None and "disposition" in log.column_names:
        return log
    import pandas as pd

    try:  # pandas' reader, for its messages
        log = pd.read_csv(path, dtype={"disposition": str}, usecols=lambda c: c in wanted)
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{path}: the disposition log is empty (expected a CSV with a 'disposition' "
                             "column)") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: not a readable CSV disposition log ({exc})") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the disposition log: {exc.strerror or exc}") from None
    if "disposition" not in log.columns:
        raise InputFileError(f"{path}: the disposition log has no 'disposition' column")
    return log


def _check_docx_template(path: Path) -> None:
    """Open the Word template before any work, so that a wrong file is named at once."""
    if not path.is_file():
        raise InputFileError(f"{path}: Word template not found" if not path.exists()
                             else f"{path}: is a directory, not a Word template")
    from docx import Document
    from docx.opc.exceptions import PackageNotFoundError

    try:
        Document(str(path))  # as the report's writer opens it
    except (PackageNotFoundError, ValueError, KeyError) as exc:
        raise InputFileError(f"{path}: not a Word document or template (.docx/.dotx): {exc}") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot read the Word template: {exc.strerror or exc}") from None


def _margin_cell(column: str, value):
    """A cell of the weighting's margins in results.json: a cell of a cross is the list of its categories
    (``[1, "18-39"]``: a code and an age range), one category its text."""
    if column == "category" and isinstance(value, (list, tuple)):
        return [v.item() if hasattr(v, "item") else v for v in value]
    return str(value) if column in ("variable", "category") else value


def _weighting_dict(report) -> dict:
    d = report.to_dict()
    margins = d.pop("margins", [])
    cols = ["variable", "category", "target", "weighted", "n"]
    return {
        "summary": {k: d[k] for k in ("method", "n", "min", "max", "ratio", "kish_deff", "effective_n")},
        "margins": {"columns": cols, "rows": [[_margin_cell(c, m.get(c)) for c in cols] for m in margins]},
        **d,
    }


class _Documents:
    """The report's view, built once for HTML, PDF and Word, and its charts drawn once in each format they
    need. The workers draw the SVG (HTML, PDF) while this process computes chapter 4.5 (:meth:`start` then
    takes them); a worker prints the PDF while the other and this process draw the PNG (Word) and this
    process writes the other formats."""

    def __init__(self, results, instrument, lang, min_cell, chosen, drawer):
        self.view, self.drawer = None, drawer
        self.charts: list = []
        self.on_png = lambda drawn: None  # told how many charts were drawn for Word (the progress bar)
        self.wanted = {"html", "pdf", "docx"} & set(chosen)
        self._svg = self._pdf = self._png = None
        if not self.wanted:
            return
        from fjernarbeid.report.drawing import charts_of
        from fjernarbeid.report.view import build_view

        self.view = build_view(results, instrument, lang=lang, min_cell=min_cell)
        self.charts = charts_of(self.view)
        if drawer is None:
            return  # each writer draws what it needs, here
        if "pdf" in self.wanted or "html" in self.wanted:
            # with a PDF to print, the PNG wait until it is printing; else each figure is saved in both at once
            both = "docx" in self.wanted and "pdf" not in self.wanted
            self._svg = drawer.submit(self.charts, ("svg", "png") if both else "svg")

    def add_charts(self, sections) -> None:
        """The charts of finished chapters (4.5), drawn for Word with the others (HTML and PDF have their own)."""
        self.charts = self.charts + [c for block in sections for c in getattr(block, "charts", ())]

    def start(self, sections) -> None:
        """The SVG drawn: print the PDF (in a worker) and start the PNG."""
        if self._svg is not None:
            self._svg()
        if self.drawer is None or self.view is None:
            return
        if "pdf" in self.wanted:
            from fjernarbeid.report.html import render_view

            self._pdf = self.drawer.print_pdf(render_view(self.view, None, sections, printed=True))
        if "docx" in self.wanted:
            todo = [c for c in self.charts if "png" not in c.drawings]
            # the other worker draws half of them, this process (otherwise waiting) the other half
            self._png = (self.drawer.submit(todo[::2], "png"), todo[1::2])

    def pdf(self) -> bytes | None:
        return self._pdf() if self._pdf is not None else None

    def png(self) -> None:
        """Every chart drawn as PNG for Word: half here and half by a worker, or all here without workers."""
        if self._png is not None:
            later, here = self._png
            for chart in here:
                chart.draw("png")
                self.on_png(1)
            later()
            self.on_png(len(self.charts) - len(here))
        elif "docx" in self.wanted:
            for chart in self.charts:
                chart.draw("png")
                self.on_png(1)


def _write_extra(fmt, out, results, design, instrument, lang, min_cell, docx_template=None, drawer=None,
                 extra_sections=(), documents: _Documents | None = None):
    view = documents.view if documents is not None else None
    if fmt == "xlsx":
        from fjernarbeid.export.xlsx import write_workbook

        # the workbook's own words exist in nb, nn and en; another report language gets English ones
        book_lang = lang if lang in ("nb", "nn", "en") else "en"
        return write_workbook(out / "report.xlsx", results, design, instrument, lang=book_lang, min_cell=min_cell)
    if fmt == "docx":
        from fjernarbeid.report.docx import write_docx

        if docx_template is not None and not docx_template.is_file():
            raise InputFileError(f"{docx_template}: Word template not found")
        if documents is not None:
            documents.png()
        return write_docx(results, instrument, out / "report.docx", lang=lang, min_cell=min_cell,
                          template=docx_template, drawer=drawer, view=view, extra_sections=extra_sections)
    if fmt == "pdf":
        from fjernarbeid.report.pdf import write_pdf, write_pdf_bytes

        printed = documents.pdf() if documents is not None else None
        if printed is not None:
            return write_pdf_bytes(out / "report.pdf", printed)
        return write_pdf(results, instrument, out / "report.pdf", lang=lang, min_cell=min_cell, drawer=drawer,
                         extra_sections=extra_sections, view=view)
    raise ValueError(fmt)


def register(app: typer.Typer) -> None:
    app.command("report", help=HELP)(report)

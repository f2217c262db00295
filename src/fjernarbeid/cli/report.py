"""``fjernarbeid report``: from a fieldwork file to ``report.html`` and ``results.json``."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Optional

import typer
from rich.console import Console
from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

from fjernarbeid.errors import EXIT_INVALID_DATA, InputFileError

FORMATS = ("html", "json")
EXTRA_FORMATS = ("xlsx", "docx", "pdf")


def _formats(value: str) -> list[str]:
    chosen = [f.strip().lower() for f in value.split(",") if f.strip()]
    unknown = [f for f in chosen if f not in FORMATS + EXTRA_FORMATS]
    if unknown or not chosen:
        raise typer.BadParameter(f"choose from {', '.join(FORMATS + EXTRA_FORMATS)} (comma-separated); got {value!r}")
    return chosen


def report(
    file: Path = typer.Argument(..., help="The survey file (CSV, Excel, SPSS .sav, Stata .dta, Parquet, Kobo/ODK CSV)."),
    dispositions: Optional[Path] = typer.Option(None, "--dispositions", "-d",
                                                help="Disposition log (CSV) for the fieldwork summary and AAPOR rates."),
    out: Path = typer.Option(Path("report"), "--out", "-o", help="Output directory."),
    lang: str = typer.Option("nb", "--lang", help="Report language: nb (bokmål) or en."),
    formats: str = typer.Option("html,json", "--format", "-f", help="Comma-separated: html, json, xlsx, docx, pdf."),
    mapping: Optional[Path] = typer.Option(None, "--mapping", help="Column-mapping file for the fieldwork firm's names."),
    refdata: Optional[Path] = typer.Option(None, "--refdata", help="Reference-data directory (postal codes, centrality)."),
    instrument_file: Optional[Path] = typer.Option(None, "--instrument", help="Questionnaire (YAML or XLSForm); default: the study's."),
    catalogue_file: Optional[Path] = typer.Option(None, "--catalogue", help="Findings catalogue (YAML); default: the study's."),
    min_cell: int = typer.Option(5, "--min-cell", min=1, help="Suppress cells with fewer unweighted respondents than this."),
    docx_template: Optional[Path] = typer.Option(None, "--docx-template",
                                                 help="Word template (.docx/.dotx) whose named styles the report uses."),
    method: str = typer.Option("poststratify", "--weighting", help="poststratify (sex × age group) or rake (the two margins)."),
) -> None:
    """Validate, weight and run the study's findings; write report.html and results.json.

    Exit codes: 0 done, 1 the data have validation errors (nothing is written), 3 unreadable input,
    4 missing reference data, 5 weighting impossible.
    """
    from fjernarbeid.data.derive import derive
    from fjernarbeid.data.read import read_survey
    from fjernarbeid.data.synthetic import is_synthetic
    from fjernarbeid.data.validate import validate
    from fjernarbeid.fieldwork import summarise_fieldwork
    from fjernarbeid.findings.catalogue import load_catalogue
    from fjernarbeid.findings.run import run_findings
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.refdata import RefData
    from fjernarbeid.survey.weighting import weight_study

    console = Console(stderr=True)
    if lang not in ("nb", "en"):
        raise typer.BadParameter("--lang must be nb or en")
    chosen = _formats(formats)
    started = time.perf_counter()
    instrument = load_instrument(instrument_file)
    catalogue = load_catalogue(catalogue_file, instrument=instrument)
    ref = RefData.locate(refdata)

    with Progress(TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                  TimeElapsedColumn(), console=console, transient=True) as progress:
        steps = progress.add_task("reading", total=4 + len(catalogue) + sum(len(f.also) for f in catalogue))
        data = read_survey(file, instrument, mapping)
        progress.update(steps, advance=1, description="validating")
        checked = validate(data, instrument, ref)
        if not checked.ok:
            progress.stop()
            console.print(f"[bold red]{file}: {checked.n_errors} validation error(s)[/]; nothing was written. "
                          f"Run `fjernarbeid validate {file}` for the full list. First errors:")
            for p in checked.errors[:10]:
                console.print(f"  row {p.row}, column {p.column}: {p.message} [{p.rule}]", markup=False)
            raise typer.Exit(EXIT_INVALID_DATA)
        progress.update(steps, advance=1, description="weighting")
        frame = derive(data.frame, instrument, ref, skip_unavailable=True)
        skipped = frame.attrs.get("derived_skipped", [])
        weighted = weight_study(frame, instrument, method=method)
        fieldwork = None
        if dispositions is not None:
            import pandas as pd

            if not dispositions.is_file():
                raise InputFileError(f"{dispositions}: disposition log not found")
            # Only the columns the summary reads: a call log has a row per contact (ten million for a
            # million interviews), and its free-text columns would cost most of the time and memory.
            wanted = {"disposition"} | {q.name for q in instrument.screening_questions}
            log = pd.read_csv(dispositions, dtype={"disposition": str}, usecols=lambda c: c in wanted)
            fieldwork = summarise_fieldwork(log, instrument, source=str(dispositions))
        progress.update(steps, advance=1, description="findings")
        results = run_findings(
            frame, design=weighted.design, instrument=instrument, catalogue=catalogue, fieldwork=fieldwork,
            weighting=_weighting_dict(weighted.report), min_cell=min_cell, lang=lang, source=file.name,
            synthetic=is_synthetic(file),
            progress=lambda fid: progress.update(steps, advance=1, description=f"finding {fid}"),
        )
        progress.update(steps, advance=1, description="writing")
        out.mkdir(parents=True, exist_ok=True)
        written = []
        if "json" in chosen:
            written.append(results.write_json(out / "results.json"))
        if "html" in chosen:
            from fjernarbeid.report.html import write_html

            written.append(write_html(results, instrument, out / "report.html", lang=lang, min_cell=min_cell))
        for fmt in chosen:
            if fmt in EXTRA_FORMATS:
                written.append(_write_extra(fmt, out, results, weighted.design, instrument, lang, min_cell,
                                            docx_template))

    for w in checked.warnings[:5]:
        console.print(f"warning: row {w.row}, column {w.column}: {w.message}", markup=False, highlight=False)
    if checked.n_warnings > 5:
        console.print(f"… and {checked.n_warnings - 5} more warnings (fjernarbeid validate {file})", markup=False)
    if skipped:
        console.print(f"note: {', '.join(skipped)} not derived: no postal-code register (use --refdata or "
                      "`fjernarbeid refdata update`); findings that need them say so in the report.", markup=False)
    s = results.summary
    console.print(f"{len(results.findings)} findings: {s['agrees']} agree with the report, {s['differs']} differ, "
                  f"{s['not_computed']} not computed. ({time.perf_counter() - started:.1f} s)", markup=False)
    for path in written:
        typer.echo(str(path))


def _weighting_dict(report) -> dict:
    d = report.to_dict()
    margins = d.pop("margins", [])
    cols = ["variable", "category", "target", "weighted", "n"]
    return {
        "summary": {k: d[k] for k in ("method", "n", "min", "max", "ratio", "kish_deff", "effective_n")},
        "margins": {"columns": cols, "rows": [[str(m.get(c)) if c in ("variable", "category") else m.get(c)
                                               for c in cols] for m in margins]},
        **d,
    }


def _write_extra(fmt, out, results, design, instrument, lang, min_cell, docx_template=None):
    if fmt == "xlsx":
        from fjernarbeid.export.xlsx import write_workbook

        return write_workbook(out / "report.xlsx", results, design, instrument, lang=lang, min_cell=min_cell)
    if fmt == "docx":
        from fjernarbeid.report.docx import write_docx

        if docx_template is not None and not docx_template.is_file():
            raise InputFileError(f"{docx_template}: Word template not found")
        return write_docx(results, instrument, out / "report.docx", lang=lang, min_cell=min_cell,
                          template=docx_template)
    if fmt == "pdf":
        from fjernarbeid.report.pdf import write_pdf

        return write_pdf(results, instrument, out / "report.pdf", lang=lang, min_cell=min_cell)
    raise ValueError(fmt)


def register(app: typer.Typer) -> None:
    app.command("report")(report)

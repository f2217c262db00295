"""``fjernarbeid validate FILE``: what is wrong with a fieldwork file, row by row."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table
from rich.text import Text

from fjernarbeid.cli._console import console as make_console, echo_text, print_error, styled
from fjernarbeid.cli._options import completes_only_option, paragraphs, refdata_option
from fjernarbeid.cli._study import study_option
from fjernarbeid.errors import EXIT_INVALID_DATA, EXIT_OK, FjernarbeidError


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


HELP = """Check a fieldwork file against the questionnaire and list every problem.

Reads CSV (any of , ; tab | as delimiter; UTF-8 or Windows-1252), Excel .xlsx, SPSS .sav,
Stata .dta, Parquet, and KoboToolbox / ODK Central exports. Each problem has the respondent
id, the row in the file, the column, a rule name and a message.

Exit code: 0 no errors (warnings allowed), 1 the data break rules, 2 wrong usage,
3 the file cannot be read, 4 reference data needed but missing.
"""


def validate_command(
    file: Annotated[Path, typer.Argument(help="The fieldwork file to check.", show_default=False)],
    instrument: Annotated[Optional[Path], typer.Option(
        "--instrument", help="Questionnaire (YAML or XLSForm .xlsx); default: the study's.")] = None,
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", help="Column mapping, YAML or CSV with columns source,target (e.g. Postnr → the postal-code question).")] = None,
    refdata: Annotated[Optional[Path], refdata_option(
        "Reference-data directory with the postal-code register (default: $FJERNARBEID_REFDATA or the user "
        "data directory).")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Excel sheet to read (default: the first).")] = None,
    completes_only: Annotated[bool, completes_only_option()] = False,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="text: summary and table; json: every problem, to stdout.")] = OutputFormat.text,
    max_show: Annotated[int, typer.Option(
        "--max-show", min=0, help="Problems listed in the text table (0: all). JSON always lists all.")] = 50,
    study: Annotated[Optional[Path], study_option()] = None,
) -> None:
    from fjernarbeid.cli._study import load_cli_study
    from fjernarbeid.data import read_survey, validate
    from fjernarbeid.refdata import RefData

    try:
        inst = load_cli_study(study, instrument).instrument  # the study's roles name the household size …
        data = read_survey(file, inst, mapping, sheet=sheet, completes_only=completes_only)
        report = validate(data, inst, RefData.locate(refdata))
    except FjernarbeidError as exc:
        print_error(str(exc))
        raise typer.Exit(exc.exit_code) from None

    if output_format is OutputFormat.json:
        echo_text(json.dumps(report.to_dict(), ensure_ascii=False, indent=2))
    else:
        for note in inst.notes:  # what reading an XLSForm left out or interpreted
            make_console(stderr=True).print(f"questionnaire: {note}")
        _print_text(report, max_show)
    raise typer.Exit(EXIT_OK if report.ok else EXIT_INVALID_DATA)


def _print_text(report, max_show: int) -> None:
    from fjernarbeid.data.read import ROW_KIND_HELP

    console = make_console(soft_wrap=False)
    console.print(styled((str(report.path), "bold"), f": {report.rows:,} data rows ({report.description})"))
    verdict = Text("✓ no errors", style="bold green") if report.ok else Text(
        f"✗ {report.n_errors:,} error(s)", style="bold red")
    console.print(verdict + Text(f", {report.n_warnings:,} warning(s)"))
    if report.table.empty:
        return

    counts = Table(title="Problems by rule", title_justify="left", show_edge=False)
    for name, justify in (("severity", "left"), ("rule", "left"), ("count", "right")):
        counts.add_column(name, justify=justify)
    for row in report.counts().itertuples():
        counts.add_row(Text(row.severity, style="red" if row.severity == "error" else "yellow"), row.rule,
                       f"{row.count:,}")
    console.print(counts)

    shown = report.table if max_show == 0 else report.table.head(max_show)
    table = Table(title="Problems", title_justify="left", show_edge=False)
    for name in ("id", report.row_kind, "column", "rule", "message"):
        table.add_column(name, overflow="fold")
    for item in shown.itertuples():
        table.add_row(
            "" if _missing(item.id) else str(item.id),
            "" if _missing(item.row) else str(item.row),
            "" if _missing(item.column) else str(item.column),
            Text(item.rule, style="red" if item.severity == "error" else "yellow"),
            str(item.message),
        )
    console.print(table)
    console.print(f"'{report.row_kind}' is the {ROW_KIND_HELP[report.row_kind]}.")
    hidden = len(report.table) - len(shown)
    if hidden:
        console.print(f"… and {hidden:,} more not shown (--max-show 0 shows all; --format json lists all)")


def _missing(value) -> bool:
    import pandas as pd

    return value is None or value is pd.NA or (isinstance(value, float) and value != value)


def register(app: typer.Typer) -> None:
    app.command("validate", help=paragraphs(HELP))(validate_command)

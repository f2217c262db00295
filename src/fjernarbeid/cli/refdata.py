"""``fjernarbeid refdata update|status``: download the reference registers, and see what is where."""

from __future__ import annotations

import datetime as _dt
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.markup import escape
from rich.text import Text

from fjernarbeid.cli._console import console as make_console, print_error
from fjernarbeid.errors import EXIT_MISSING_REFDATA, EXIT_OK, FjernarbeidError

UPDATE_HELP = (
    "Download fresh copies of the reference registers from their official publishers.\n\n"
    "Bring's postal-code register, SSB's municipality (KLASS 131, with counties from 104) and centrality "
    "(KLASS 128) classifications, and SSB StatBank table 07459 (population by sex and age) are written to "
    "--refdata DIR (default: this user's data directory, where every command looks for them), with "
    "SOURCES.json recording URL, retrieval time and SHA-256 of each. Nothing is written unless every "
    "download succeeds. --dir is another name of --refdata.\n\n"
    "Exit code: 0 done, 3 a publisher's answer is not in the expected format, 4 a download failed."
)

STATUS_HELP = (
    "Show which reference-data directory is used and which registers it holds.\n\n"
    "The directory is --refdata, else $FJERNARBEID_REFDATA, else the user data directory that "
    "`fjernarbeid refdata update` fills.\n\n"
    "Exit code: 0 every register is present or has a shipped summary (the population figures do), 4 a register "
    "without one is missing (run `fjernarbeid refdata update`)."
)


class _MarkupConsole:
    """Prints this module's lines, whose style markup is its own and whose values are escape()d."""

    def __init__(self) -> None:
        self._console = make_console()

    def print(self, line) -> None:
        self._console.print(Text.from_markup(line) if isinstance(line, str) else line)


def _fail(exc: FjernarbeidError) -> typer.Exit:
    print_error(str(exc))
    return typer.Exit(exc.exit_code)


def _parse_date(value: Optional[str]) -> Optional[_dt.date]:
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date YYYY-MM-DD") from None


def update_command(
    directory: Annotated[Optional[Path], typer.Option(
        "--refdata", "--dir", help="Where to write the registers (default: the user data directory).",
        file_okay=False)] = None,
    date: Annotated[Optional[str], typer.Option(
        "--date", help="Municipality structure and classes valid on this day, YYYY-MM-DD (default: today).",
        show_default=False)] = None,
    municipalities: Annotated[bool, typer.Option(
        "--municipalities", help="Also SSB 07459 by municipality, sex and age (the last three years), which "
        "`fjernarbeid target` uses instead of its shipped summary.")] = False,
) -> None:
    from fjernarbeid.refdata.update import update_refdata

    day = _parse_date(date)
    try:
        result = update_refdata(directory, date=day, municipal_population=municipalities)
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    console = _MarkupConsole()
    console.print(f"[bold]{escape(str(result.directory))}[/bold] (registers valid on {result.date.isoformat()})")
    for f in result.files:
        console.print(f"  {f.register:<15} {escape(f.filename):<36} {f.rows:>6,} rows  "
                      f"[dim]{escape(f.sources[0].url)}[/dim]")
    console.print(f"  {'sources':<15} SOURCES.json")
    for name in result.removed:
        console.print(f"  [dim]removed the earlier {escape(name)}[/dim]")
    for warning in result.warnings:
        console.print(Text("warning: ", style="yellow") + Text(warning))


def status_command(
    refdata: Annotated[Optional[Path], typer.Option(
        "--refdata", help="A reference-data directory to inspect instead of the default.", file_okay=False)] = None,
) -> None:
    from fjernarbeid.refdata import population_targets
    from fjernarbeid.refdata.update import DOWNLOADED, SUMMARY_SHIPPED, refdata_status

    try:
        status = refdata_status(refdata)
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    console = _MarkupConsole()
    console.print("[bold]Where reference data is looked for[/bold] (first that is set wins):")
    for source, value in status.candidates:
        mark = "→" if source == status.chosen_by else " "
        console.print(f"  {mark} {source:<20} {escape(value)}")
    if status.directory is None:
        console.print("[yellow]No reference-data directory: run `fjernarbeid refdata update`.[/yellow]")
    elif not status.directory.is_dir():
        console.print(f"[yellow]{escape(str(status.directory))} does not exist.[/yellow]")

    console.print("[bold]Registers[/bold]")
    for r in status.registers:
        if r.path is not None:
            where = escape(str(r.path)) + (f"  [dim](retrieved {escape(r.retrieved)})[/dim]" if r.retrieved else "")
            console.print(f"  [green]✓[/green] {r.register:<15} {where}")
        elif r.register in DOWNLOADED and r.register not in SUMMARY_SHIPPED:
            console.print(f"  [red]✗ {r.register:<15} missing[/red] — {escape(r.description)}")
        else:
            console.print(f"  [dim]- {r.register:<15} not downloaded; the shipped summary is used[/dim]")
    if status.missing:
        console.print("Run `fjernarbeid refdata update` to download the missing registers.")
    targets = population_targets()
    console.print(f"[dim]Shipped with the package: population 25-60 on 1 January 2025 by sex and age group "
                  f"({int(targets['population'].sum()):,} persons) and employed persons Q4 2024 (SSB).[/dim]")
    raise typer.Exit(EXIT_MISSING_REFDATA if status.missing else EXIT_OK)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Reference data: download the registers, see which are present.", no_args_is_help=True)
    group.command("update", help=UPDATE_HELP)(update_command)
    group.command("status", help=STATUS_HELP)(status_command)
    app.add_typer(group, name="refdata")

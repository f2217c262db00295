"""The ``fjernarbeid`` command line.

Each domain contributes its commands in a module of this package that defines
``register(app: typer.Typer) -> None``; modules are discovered, so adding a command
means adding a module, not editing this file.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys

import typer

from fjernarbeid.errors import FjernarbeidError

app = typer.Typer(
    name="fjernarbeid",
    help=(
        "Survey pipeline for the NORCE/Hardanger 2025 remote-work study: the questionnaire as data, "
        "validated import of fieldwork files, weighting and design-based estimates."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)


def _version(value: bool) -> None:
    if value:
        from fjernarbeid import __version__

        typer.echo(f"fjernarbeid {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Show the version and exit."),
) -> None:
    """Survey pipeline for the NORCE/Hardanger 2025 remote-work study. Every command has --help."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


def main() -> None:
    """Console entry point: turns the package's own errors into a message and an exit code."""
    try:
        app()
    except FjernarbeidError as exc:  # pragma: no cover - exercised through subprocess tests
        from rich.console import Console
        from rich.text import Text

        Console(stderr=True).print(Text("error: ", style="bold red") + Text(str(exc)), highlight=False)
        sys.exit(exc.exit_code)

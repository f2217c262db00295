"""The ``fjernarbeid`` command line.

Each domain contributes its commands in a module of this package that defines
``register(app: typer.Typer) -> None``; modules are discovered, so adding a command
means adding a module, not editing this file.
"""

from __future__ import annotations

import atexit
import contextlib
import gc
import importlib
import os
import pkgutil
import signal
import sys
from collections.abc import MutableMapping

import typer
from typer.core import TyperGroup

from fjernarbeid.cli._memory import keep_freed_memory
from fjernarbeid.cli._threads import use_one_blas_thread
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, FjernarbeidError

use_one_blas_thread()  # before any command imports numpy (the command modules load it on first use)


def _flags_without_a_type() -> None:
    """A flag (--mean, --help, --sav/--no-sav) takes no value, yet Typer's help shows the type of its
    Python parameter, '<bool>', in the place of a value; show nothing there instead."""
    from typer.core import TyperOption

    shown = getattr(TyperOption, "display_type_rich", None)
    if shown is None:  # a Typer that shows no type for a flag
        return

    def display_type_rich(self, ctx):
        return None if self.is_flag else shown(self, ctx)

    TyperOption.display_type_rich = display_type_rich


_flags_without_a_type()


class StdoutClosed(Exception):
    """Standard output was closed by its reader (``fjernarbeid … | head``)."""


class _Commands(TyperGroup):
    """The command group; a closed standard output leaves it as :class:`StdoutClosed`.

    Click would turn the BrokenPipeError into exit code 1 without a word, the code of invalid
    data; :func:`main` gives the shell's code for it instead.
    """

    def make_context(self, *args, **kwargs):
        try:
            return super().make_context(*args, **kwargs)
        except BrokenPipeError:  # `fjernarbeid --help | head -1`
            raise StdoutClosed() from None

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except BrokenPipeError:
            raise StdoutClosed() from None


app = typer.Typer(
    cls=_Commands,
    name="fjernarbeid",
    help=(
        "Survey pipeline for a study described by files (the NORCE/Hardanger 2025 remote-work study ships as "
        "the default): the questionnaire as data, validated import of fieldwork files, weighting, design-based "
        "estimates and reports; `fjernarbeid init DIR` starts a new study."
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
    """Survey pipeline for a study described by files (default: the NORCE/Hardanger 2025 study). Every command has --help."""


def _register_commands() -> None:
    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if register is not None:
            register(app)


_register_commands()


class _Pending:
    """A command of the group not built yet: its Typer registration and how to build it."""

    __slots__ = ("build",)

    def __init__(self, build):
        self.build = build


class _CommandsOnDemand(MutableMapping):
    """The group's commands by name, in the order Typer gives them, each built on first look-up.

    Typer builds the click command of every registered command before parsing the command line (it
    reads each function's signature and type hints: about 0.1 s for the 26 commands, BENCHMARKS.md),
    although a run uses one. The names are known without building (Typer's own rule), so running
    ``report`` builds ``report`` alone, while ``--help``, completion and the "Did you mean" of a
    mistyped name, which read every command, build all of them as before.
    """

    def __init__(self, items: dict):
        self._items = items

    def __getitem__(self, name):
        value = self._items[name]
        if isinstance(value, _Pending):
            value = self._items[name] = value.build()
        return value

    def __setitem__(self, name, command):
        self._items[name] = command

    def __delitem__(self, name):
        del self._items[name]

    def __iter__(self):
        return iter(self._items)

    def __len__(self):
        return len(self._items)


def _command_line() -> TyperGroup:
    """The click group that ``app()`` runs, its commands built as they are looked up.

    The same group as ``typer.main.get_command(app)``: Typer builds it without the registered
    commands, and each command or group of commands is then built by Typer's own functions, with
    the options ``get_command`` passes them, when it is first named (see :class:`_CommandsOnDemand`).
    """
    from typer.main import get_command, get_command_from_info, get_command_name, get_group_from_info
    from typer.main import solve_typer_info_defaults

    commands, groups = app.registered_commands, app.registered_groups
    app.registered_commands, app.registered_groups = [], []
    try:
        group = get_command(app)
    finally:
        app.registered_commands, app.registered_groups = commands, groups
    options = {"pretty_exceptions_short": app.pretty_exceptions_short, "rich_markup_mode": app.rich_markup_mode}
    items: dict = {}
    for info in commands:
        name = info.name or get_command_name(info.callback.__name__)
        items[name] = _Pending(lambda info=info: get_command_from_info(info, **options))
    for info in groups:
        name = solve_typer_info_defaults(info).name
        build = lambda info=info: get_group_from_info(info, suggest_commands=app.suggest_commands, **options)  # noqa: E731
        if name:
            items[name] = _Pending(build)
        else:  # a group without a name adds its commands to this one (Typer's rule)
            items.update(build().commands)
    items.update(group.commands)
    group.commands = _CommandsOnDemand(items)
    return group


def main() -> None:
    """Console entry point: turns the package's own errors into a message and an exit code.

    A file-system error that no command anticipated still gets a message naming the file and exit
    code 3 rather than a traceback. When the reader of standard output goes away (``| head``),
    the program stops quietly with 141 (128 + SIGPIPE), what a shell reports for a program that
    the broken pipe ended; files already written stay complete, as every output is atomic.
    """
    from rich.console import Console

    # Rich ends the program with exit code 1 on a broken pipe (its documented hook for a different
    # behaviour is this method); 1 means invalid data here, so report it as what it is.
    Console.on_broken_pipe = _stdout_closed
    # `kill` (SIGTERM) ends the command through Python's exception handling, as Ctrl-C does, so that
    # temporary files and staging directories are removed on the way out (exit code 128 + 15).
    # At exit the interpreter's last garbage collections walk every object the command left behind
    # (0.1 s after a report on 300,000 respondents, BENCHMARKS.md); reference counting frees them
    # all the same, so once the program is ending they are frozen out of those collections.
    atexit.register(gc.freeze)
    keep_freed_memory()  # arrays of megabytes reused, not page-faulted in anew (see _memory)
    previous = None
    with contextlib.suppress(ValueError):  # not in the main thread: leave it as it is
        previous = signal.signal(signal.SIGTERM, _terminated)
    try:
        _run()
    finally:
        if previous is not None:
            signal.signal(signal.SIGTERM, previous)


def _run() -> None:
    try:
        # `app()` would build every command first; with pretty exceptions off, Typer's call adds
        # nothing else (its exception hook hands every exception to Python's).
        _command_line()()
    except FjernarbeidError as exc:
        _print_error(str(exc))
        sys.exit(exc.exit_code)
    except (StdoutClosed, BrokenPipeError):
        # Python flushes standard output once more at exit; point it at /dev/null so that this
        # last flush does not fail too (the recipe of the Python documentation, `signal` module).
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
        sys.exit(EXIT_BROKEN_PIPE)
    except OSError as exc:
        where = f"{exc.filename}: " if exc.filename else ""
        _print_error(f"{where}{exc.strerror or exc}")
        sys.exit(EXIT_BAD_INPUT)


def _terminated(signum, frame) -> None:
    raise SystemExit(128 + signum)


def _stdout_closed(console) -> None:
    console.quiet = True
    raise StdoutClosed()


def _print_error(message: str) -> None:
    from fjernarbeid.cli._console import print_error

    print_error(message)

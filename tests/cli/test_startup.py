"""Start-up of the command line: `--help` of the program and of every command loads no heavy library.

Building the app imports every command module, so one module importing pandas at its top would
slow every `fjernarbeid …` by about half a second (BENCHMARKS.md). This test checks the imports
themselves (which modules are in ``sys.modules``), not a time, so it does not depend on the load
of the machine.
"""

from __future__ import annotations

import json
import subprocess
import sys

from typer.main import get_command

from fjernarbeid.cli import _command_line, _Pending, app

HEAVY = ("pandas", "numpy", "pyarrow", "scipy", "matplotlib", "django", "weasyprint")

# In a fresh interpreter: build the app, render the help of the program and of every command
# (and of every subcommand), and list the heavy libraries that were imported.
_PROBE = """
import json, sys
from typer.main import get_command
from typer.testing import CliRunner
from fjernarbeid.cli import app

group = get_command(app)
runner = CliRunner()
calls = [["--help"]] + [[name, "--help"] for name in sorted(group.commands)]
calls += [[name, sub, "--help"] for name, cmd in sorted(group.commands.items()) for sub in sorted(getattr(cmd, "commands", {}))]
failed = [" ".join(args) for args in calls if runner.invoke(app, args).exit_code != 0]
heavy = %r
print(json.dumps({"calls": len(calls), "failed": failed, "imported": sorted(m for m in heavy if m in sys.modules)}))
"""


def _probe() -> dict:
    done = subprocess.run([sys.executable, "-c", _PROBE % (HEAVY,)], capture_output=True, text=True, check=True)
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_help_of_the_program_and_of_every_command_imports_no_heavy_library():
    result = _probe()
    assert result["calls"] > 10 and result["failed"] == []  # the program and every command showed its help
    assert result["imported"] == []


def test_running_the_module_with_help_imports_no_heavy_library():
    done = subprocess.run([sys.executable, "-X", "importtime", "-m", "fjernarbeid", "--help"],
                          capture_output=True, text=True)
    assert done.returncode == 0
    imported = {line.rsplit("|", 1)[-1].strip() for line in done.stderr.splitlines() if line.startswith("import time:")}
    assert imported.isdisjoint(HEAVY)
    assert "fjernarbeid.cli" in imported


def test_reading_a_study_imports_no_heavy_library():
    # the report reads the study and starts reading the call log (in a thread, with Arrow) while the
    # main thread imports pandas: the study's files and the log's summary must not import it first
    code = ("import json, sys\n"
            "from fjernarbeid.cli._study import load_cli_study\n"
            "import fjernarbeid.fieldwork, fjernarbeid.fieldwork.log, fjernarbeid.refdata\n"
            "study = load_cli_study(None, None)\n"
            "study.instrument.screening_questions, study.default_language\n"
            f"print(json.dumps(sorted(m for m in {HEAVY!r} if m in sys.modules)))\n")
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []


def _commands_and_subcommands(group) -> list[list[str]]:
    calls = []
    for name, command in group.commands.items():
        calls.append([name])
        calls += [[name, sub] for sub in getattr(command, "commands", {})]
    return calls


def test_the_group_that_runs_builds_only_the_command_named():
    group = _command_line()
    assert list(group.commands) == list(get_command(app).commands)  # every name, in Typer's order
    assert group.commands["portal"].name == "portal"
    built = [name for name, value in group.commands._items.items() if not isinstance(value, _Pending)]
    assert built == ["portal"]


def test_the_group_that_runs_shows_what_typers_own_group_shows(monkeypatch):
    # --help of the program, of each command and subcommand, and the messages of a wrong command
    # line, from the group built on demand and from Typer's group of every command, are identical
    import typer.testing

    calls = [["--help"], [], ["--version"], ["reprt"], ["portal"], ["portal", "nosuch"], ["report", "--nosuch"]]
    calls += [[*names, "--help"] for names in _commands_and_subcommands(get_command(app))]
    runner = typer.testing.CliRunner()
    seen = {}
    for build in (get_command, lambda app: _command_line()):
        monkeypatch.setattr(typer.testing, "_get_command", build)
        seen[build] = [(r.exit_code, r.output) for r in (runner.invoke(app, args, terminal_width=100) for args in calls)]
    first, second = seen.values()
    assert len(calls) > 30 and first == second

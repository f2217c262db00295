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

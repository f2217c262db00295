"""Shared fixtures. Tests may read the read-only reference data in ../shared/refdata; the installed
program never needs it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import settings

# In CI (a fresh clone, CI=true) the property tests draw the same examples on every run, so a red
# build always means a change, never the luck of the draw; locally they explore new examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present (it holds the report and reference data)")
    return SHARED


@pytest.fixture(scope="session")
def refdata_dir(shared_dir: Path) -> Path:
    return shared_dir / "refdata"


@pytest.fixture(scope="session")
def refdata(refdata_dir: Path):
    from fjernarbeid.refdata import RefData

    return RefData(refdata_dir)


@pytest.fixture(scope="session")
def instrument():
    from fjernarbeid.instrument import load_instrument

    return load_instrument()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def demo():
    from fjernarbeid.studies.norce2025.demo.generate import generate_demo

    return generate_demo()


@pytest.fixture(scope="session")
def demo_frame(demo, instrument, refdata):
    from fjernarbeid.data.derive import derive

    return derive(demo.survey, instrument, refdata)


@pytest.fixture(scope="session")
def demo_results(demo_frame, demo, instrument):
    from fjernarbeid.fieldwork import summarise_fieldwork
    from fjernarbeid.findings.run import run_findings
    from fjernarbeid.survey.weighting import weight_study

    weighted = weight_study(demo_frame, instrument)
    fieldwork = summarise_fieldwork(demo.dispositions, instrument)
    return run_findings(demo_frame, design=weighted.design, instrument=instrument, fieldwork=fieldwork,
                        source="demo", synthetic=True)


@pytest.fixture(autouse=True)
def _a_wide_terminal(monkeypatch):
    """No test may depend on the terminal it runs in: every test sees the same 200-column width
    (rich reads COLUMNS), so tables never wrap or cut differently in a narrow CI log."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("LINES", raising=False)


class Ran(NamedTuple):
    """What a command run in-process gave: exit code, standard output, standard error."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_main(monkeypatch, capsys):
    """``run_main("weight", file, "--out", out)``: ``fjernarbeid.cli.main`` with these arguments, run
    in-process as a user's shell runs it (errors become a message and an exit code)."""
    from rich.console import Console

    from fjernarbeid.cli import main

    # main() installs its broken-pipe handler on rich's Console; give the class back afterwards
    monkeypatch.setattr(Console, "on_broken_pipe", Console.on_broken_pipe)

    def run(*args) -> Ran:
        monkeypatch.setattr(sys, "argv", ["fjernarbeid", *map(str, args)])
        with pytest.raises(SystemExit) as stopped:
            main()
        out = capsys.readouterr()
        return Ran(stopped.value.code or 0, out.out, out.err)

    return run


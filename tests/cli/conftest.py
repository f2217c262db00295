"""Fixtures of the command-line tests: the study's survey as a file, and the console entry point run
in-process (what a user's shell runs: errors become a message and an exit code)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def study_csv(tmp_path_factory, demo) -> Path:
    """The synthetic demo's interviews as `fjernarbeid demo` writes them (demo_survey.csv)."""
    from fjernarbeid.studies.norce2025.demo.write import write_csv

    return write_csv(demo.survey, tmp_path_factory.mktemp("study") / "demo_survey.csv")


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_main(monkeypatch, capsys):
    """``run_main("weight", file, "--out", out)``: ``fjernarbeid.cli.main`` with these arguments."""
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

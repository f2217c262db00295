"""Fixtures of the hostile-input tests: the corpus, a demo reference-data directory, and the command
line run in-process as a user's shell runs it (errors become a message and an exit code)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

CORPUS = Path(__file__).resolve().parent / "files"


@pytest.fixture(scope="session")
def corpus() -> Path:
    return CORPUS


@pytest.fixture(scope="session")
def demo_refdata(tmp_path_factory) -> Path:
    """The registers' entries for the demo's postal codes, as ``fjernarbeid demo`` writes them
    (the corpus's survey.csv is that demo: 120 respondents, seed 11)."""
    from fjernarbeid.studies.norce2025.demo.generate import generate_demo
    from fjernarbeid.studies.norce2025.demo.write import write_demo

    out = tmp_path_factory.mktemp("demo")
    write_demo(generate_demo(n=120, seed=11), out, sav=False)
    return out / "refdata"


@dataclass
class Ran:
    code: int
    stdout: str
    stderr: str

    @property
    def text(self) -> str:
        """Both streams with line breaks and runs of blanks as one space (no terminal-width effects)."""
        return " ".join((self.stdout + " " + self.stderr).split())


@pytest.fixture
def run_cli(monkeypatch, capsys):
    """``run_cli("validate", file)``: ``fjernarbeid.cli.main`` with these arguments, in this process."""
    from rich.console import Console

    from fjernarbeid.cli import main

    monkeypatch.setattr(Console, "on_broken_pipe", Console.on_broken_pipe)
    monkeypatch.setenv("COLUMNS", "200")

    def run(*args) -> Ran:
        monkeypatch.setattr(sys, "argv", ["fjernarbeid", *map(str, args)])
        with pytest.raises(SystemExit) as stopped:
            main()
        out = capsys.readouterr()
        return Ran(stopped.value.code or 0, out.out, out.err)

    return run

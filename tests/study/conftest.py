"""Fixtures of the study tests: the studies kept under tests/fixtures/studies, and the console entry
point run in-process (what a user's shell runs: errors become a message and an exit code)."""

from __future__ import annotations

import sys
from dataclasses import dataclass
from pathlib import Path

import pytest

STUDIES = Path(__file__).resolve().parents[1] / "fixtures" / "studies"


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

    monkeypatch.setattr(Console, "on_broken_pipe", Console.on_broken_pipe)

    def run(*args) -> Ran:
        monkeypatch.setattr(sys, "argv", ["fjernarbeid", *map(str, args)])
        with pytest.raises(SystemExit) as stopped:
            main()
        out = capsys.readouterr()
        return Ran(stopped.value.code or 0, out.out, out.err)

    return run

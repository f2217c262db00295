"""The README's "New study" walkthrough, run verbatim: every command of its shell block, in order,
in a fresh folder, must succeed."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

README = Path(__file__).resolve().parents[2] / "README.md"


def walkthrough() -> list[list[str]]:
    text = README.read_text("utf-8")
    section = text[text.index("## New study"):]
    block = re.search(r"```sh\n(.*?)```", section, re.S).group(1)
    return [shlex.split(line, comments=True) for line in block.splitlines() if line.strip()]


def test_the_new_study_walkthrough_of_the_readme_runs_as_written(run_main, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    commands = walkthrough()
    assert any(c[:2] == ["fjernarbeid", "export"] for c in commands)
    for command in commands:
        if command[0] == "cd":
            monkeypatch.chdir(Path.cwd() / command[1])
            continue
        assert command[0] == "fjernarbeid", command
        ran = run_main(*command[1:])
        assert ran.code == 0, f"{shlex.join(command)}: exit {ran.code}: {ran.stderr}"
    assert (Path.cwd() / "export" / "data.sav").is_file()

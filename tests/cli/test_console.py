"""Data are printed as they are: no rich markup or emoji code in a value, an id, a column name or a
path is interpreted (it used to raise MarkupError after the outputs were written)."""

from __future__ import annotations

import re
from pathlib import Path

import fjernarbeid
from fjernarbeid.cli._console import console, styled

SOURCE = Path(fjernarbeid.__file__).resolve().parent


def test_no_module_makes_a_rich_console_of_its_own():
    """Every console comes from fjernarbeid.cli._console.console(), which prints strings literally."""
    offenders = []
    for path in SOURCE.rglob("*.py"):
        if path.name == "_console.py":
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if re.search(r"\bConsole\(", line) or re.search(r"\brich\.print\b|from rich import print", line):
                offenders.append(f"{path.relative_to(SOURCE)}:{number}: {line.strip()}")
    assert offenders == []


def test_markup_and_emoji_codes_in_data_are_printed_literally(capsys):
    out = console()
    out.print("id [/bold] in [red]column[/red] :smile: C:\\data\\[1].csv")
    out.print(styled(("error: ", "bold red"), "[/] unbalanced"))
    printed = capsys.readouterr().out
    assert "id [/bold] in [red]column[/red] :smile: C:\\data\\[1].csv" in printed
    assert "error: [/] unbalanced" in printed


def test_control_characters_in_data_are_shown_not_obeyed_by_the_terminal(capsys):
    """A fieldwork file's cell "ESC [2J" cleared the researcher's screen when validate quoted it, and a column
    named with "ESC ] 0; … BEL" set the terminal's title: data are shown with their control characters as
    escapes, while the console's own styles still reach a terminal."""
    out = console(force_terminal=True, color_system="standard")
    out.print(styled(("error: ", "bold red"), "q3 = '\x1b[2J9' and \x1b]0;title\x07, \x9b\x00 end\nline"))
    printed = capsys.readouterr().out
    assert "q3 = '\\x1b[2J9' and \\x1b]0;title, \\x9b\\x00 end\nline" in printed  # rich drops BEL itself
    assert printed.count("\x1b") == 2 and "\x1b[1;31merror: \x1b[0m" in printed  # only the style's own codes


def test_a_large_json_whose_reader_goes_away_ends_with_141(tmp_path):
    """`fjernarbeid validate … --format json | head -c 100`: the JSON (megabytes) is far more than a pipe
    holds; once the reader is gone the command ends with 141, not with its own code 1 after a write that
    took a fraction of the text without an error."""
    import subprocess
    import sys

    rows = "\n".join(f"{i},9" for i in range(1, 30_001))
    (tmp_path / "bad.csv").write_text(f"id,q207\n{rows}\n", "utf-8")  # 30,000 codes not in the list
    run = subprocess.Popen([sys.executable, "-m", "fjernarbeid", "validate", str(tmp_path / "bad.csv"),
                            "--format", "json"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL)
    assert run.stdout.read(100).startswith(b"{")
    run.stdout.close()
    assert run.wait() == 141

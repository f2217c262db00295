"""The hostile corpus, table-driven: every broken or hostile file of ``tests/hostile/files/`` (made by
``make_corpus.py``) with the command a user would run on it, the exit code the README promises and a
fragment of the message. For every case, whatever the outcome: no traceback, and no input or
reference-data file changed (their bytes are compared before and after)."""

from __future__ import annotations

import csv
import hashlib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import pytest

# {f}: the corpus directory, {r}: a demo reference-data directory, {t}: a fresh output directory


@dataclass(frozen=True)
class Case:
    name: str
    args: tuple[str, ...]
    code: int
    says: tuple[str, ...] = ()
    never: tuple[str, ...] = ()
    check: Callable[[Path], None] | None = field(default=None, compare=False)


def _cells(path: Path) -> list[str]:
    with path.open(encoding="utf-8", newline="") as fh:
        return [cell for row in csv.reader(fh) for cell in row]


def _no_formula(path: Path) -> None:
    """No cell a spreadsheet would evaluate: each formula-like payload starts with an apostrophe."""
    cells = _cells(path)
    live = [c for c in cells if c[:1] in ("=", "+", "@", "\t") or (c.startswith("-") and
                                                                   not c.lstrip("-").replace(".", "").isdigit())]
    assert live == []
    assert "'=HYPERLINK(\"http://example.invalid\",\"klikk\")" in cells
    assert "'=1+1" in cells and "'@SUM(A1:A9)" in cells and "'-2+3" in cells  # the tab is stripped on reading


def _no_formula_export(path: Path) -> None:
    cells = _cells(path)
    assert not [c for c in cells if c[:1] in ("=", "+", "@", "\t")]
    assert "'=HYPERLINK(\"http://example.invalid\",\"klikk\")" in cells


def _backticks_fenced(out: Path) -> None:
    text = (out / "b.sav.disclosure.md").read_text("utf-8")
    assert "```a`b``c```" in text  # a fence longer than any run of backticks in the name
    assert "undone: undone:" not in text


def _nothing_written(out: Path) -> None:
    assert not out.exists() or not any(out.iterdir())


CASES = [
    # -- reading: never csv.Error, never mojibake, never a traceback
    Case("quoted lone CR", ("validate", "{f}/lone_cr_in_quoted_field.csv"), 0, ("120 data rows", "no errors")),
    Case("unquoted lone CR", ("validate", "{f}/lone_cr_unquoted.csv"), 0,
         ("120 data rows", "stray_carriage_return", "read as spaces")),
    Case("CR-only line endings", ("validate", "{f}/cr_line_endings.csv"), 0, ("120 data rows",)),
    Case("UTF-16 with BOM", ("validate", "{f}/utf16_with_bom.csv"), 0, ("120 data rows", "UTF-16")),
    Case("mixed CRLF, CR and LF line endings", ("validate", "{f}/mixed_line_endings.csv"), 0, ("120 data rows",),
         ("stray_carriage_return",)),
    Case("a full-width digit", ("validate", "{f}/fullwidth_digit.csv", "--format", "json"), 1,
         ("not_numeric", "q3 = '\uff13' is not a number"), ("ArrowInvalid",)),
    Case("a 5,000-digit number in a cell", ("validate", "{f}/huge_number_cell.csv", "--format", "json"), 1,
         ("not_numeric", "… (5,023 characters)")),  # the cell itself stays in "value"
    Case("'inf' in a numeric question: tab", ("tab", "{f}/infinity_in_a_number.csv", "q3", "--mean", "--lang", "en"), 0,
         ("column q3: 1 cell(s) are not whole numbers and are read as missing (line 4: 'inf')",)),
    Case("stray cp1252 byte", ("validate", "{f}/stray_cp1252_byte.csv"), 3,
         ("stray_cp1252_byte.csv, line 6, byte", "0xF8 is not UTF-8", "mixes two encodings"), ("TÃ¸nsberg",)),
    Case("binary mapping", ("validate", "{f}/survey.csv", "--mapping", "{f}/binary_mapping.csv"), 3,
         ("binary_mapping.csv", "not a text file",)),
    Case("header only: validate", ("validate", "{f}/header_only.csv"), 1, ("empty_file",)),
    Case("header only: tab", ("tab", "{f}/header_only.csv", "q23", "--study-weighting"), 3, ("no data rows",),
         ("primary sampling unit",)),
    Case("header only: weight", ("weight", "{f}/header_only.csv", "--out", "{t}/w.csv"), 3, ("no data rows",),
         check=_nothing_written),
    Case("weight 1e308", ("tab", "{f}/weight_1e308.csv", "q23", "--weight", "w"), 1,
         ("weight column 'w' has 1e+308 at line 3 (id 2)",), ("inf",)),
    Case("huge integers", ("validate", "{f}/huge_integers.csv", "--format", "json"), 1,
         ("q3 = 12345678901234567890123", "q3 = 1e308"), ("-9223372036854775808",)),
    Case("postal code lost its zero", ("validate", "{f}/postal_code_lost_zero.csv"), 0,
         ("postal_code_zero_restored", "'150' → '0150'")),
    # -- YAML
    Case("alias bomb as mapping", ("validate", "{f}/survey.csv", "--mapping", "{f}/alias_bomb.yaml"), 3,
         ("alias_bomb.yaml", "alias bomb")),
    # -- console markup in data
    Case("markup in values, ids, columns", ("validate", "{f}/markup_everywhere.csv", "--max-show", "0"), 0,
         ("'[/bold]col'",), ("MarkupError",)),
    Case("markup in a path", ("validate", "{f}/[/bold].csv"), 0, ("[/bold].csv: 120 data rows",)),
    Case("terminal escapes in a value and a column", ("validate", "{f}/terminal_escapes.csv", "--max-show", "0"), 1,
         ("q3 = '\\x1b[2J9' is not a number", "'\\x1b]0;owned\\x07col'"), ("\x1b",)),
    # 120 respondents are too few for k = 5 with the weight as a key: exit 5, the files say so
    Case("markup: export", ("export", "{f}/markup_everywhere.csv", "--to", "{t}/m.csv", "--refdata", "{r}",
                            "--lang", "en"), 5,
         ("dropped: q5_text, [/bold]col",), ("MarkupError",)),
    # -- spreadsheet formulas
    Case("formulas: weight CSV", ("weight", "{f}/formula_injection.csv", "--out", "{t}/w.csv"), 0, ("weighted",),
         check=lambda t: _no_formula(t / "w.csv")),
    Case("formulas: export CSV", ("export", "{f}/formula_injection.csv", "--keep", "q5_text", "--to", "{t}/e.csv",
                                  "--refdata", "{r}", "--lang", "en"), 5, ("kept: q5_text",),
         check=lambda t: _no_formula_export(t / "e.csv")),
    # -- Markdown
    Case("backticks in a column name", ("export", "{f}/backtick_column.csv", "--to", "{t}/b.sav", "--refdata", "{r}"),
         5, ("a`b``c",), check=_backticks_fenced),
    # -- statistics on odd data
    Case("an empty group in tab --by", ("tab", "{f}/empty_group.csv", "q23", "--by", "q207", "--study-weighting", "--lang", "en"), 0,
         ("No answers of q23 in the group Woman (207. Sex?)",)),
    # -- catalogues that are not catalogues
    Case("catalogue: misspelt key", ("report", "{f}/survey.csv", "--catalogue", "{f}/catalogue_misspelt_key.yaml",
                                     "--out", "{t}/r"), 3, ("did you mean 'findings' for 'findngs'",),
         check=_nothing_written),
    Case("catalogue: empty list", ("report", "{f}/survey.csv", "--catalogue", "{f}/catalogue_empty.yaml",
                                   "--out", "{t}/r"), 3, ("'findings:' is empty",), check=_nothing_written),
    Case("catalogue: unrelated YAML", ("report", "{f}/survey.csv", "--catalogue", "{f}/catalogue_unrelated.yaml",
                                       "--out", "{t}/r"), 3, ("not a findings catalogue",), check=_nothing_written),
    Case("catalogue: a key given twice", ("report", "{f}/survey.csv", "--catalogue",
                                          "{f}/catalogue_repeated_key.yaml", "--out", "{t}/r"), 3,
         ("catalogue_repeated_key.yaml, line 4: the key 'findings' is given twice",), check=_nothing_written),
    Case("catalogue: UTF-16 without BOM", ("report", "{f}/survey.csv", "--catalogue",
                                           "{f}/catalogue_utf16_no_bom.yaml", "--out", "{t}/r"), 3,
         ("did you mean 'findings' for 'findngs'",), ("#x0000",), check=_nothing_written),
    Case("catalogue: a control character in a title", ("report", "{f}/survey.csv", "--catalogue",
                                                         "{f}/catalogue_control_character.yaml", "--out", "{t}/r",
                                                         "--format", "xlsx,docx"), 3,
         ("catalogue_control_character.yaml, line 7:", "holds the control character U+000B"),
         ("IllegalCharacterError",), check=_nothing_written),
    # -- interviews: a binary pseudonym mapping (a UnicodeDecodeError traceback, exit 1, before)
    Case("pseudonymise: binary CSV mapping", ("interviews", "pseudonymise", "{f}/survey.csv", "--mapping",
                                              "{f}/binary_mapping.csv", "--out", "{t}/p"), 3,
         ("binary_mapping.csv: not a text file",), check=_nothing_written),
    Case("pseudonymise: binary YAML mapping", ("interviews", "pseudonymise", "{f}/survey.csv", "--mapping",
                                               "{f}/binary_mapping.yaml", "--out", "{t}/p"), 3,
         ("binary_mapping.yaml: not a text file",), check=_nothing_written),
    Case("import: UTF-16 transcript without BOM", ("interviews", "import", "{f}/transcript_utf16_no_bom.vtt",
                                                   "--out", "{t}/i"), 0, ("1 turns", "Kari (informant)")),
    Case("import: a NUL byte in a transcript", ("interviews", "import", "{f}/transcript_nul.vtt", "--out", "{t}/i"), 3,
         ("transcript_nul.vtt: not a text file: a binary file (a NUL byte at line 4",), check=_nothing_written),
    # -- outputs over inputs and reference data
    Case("weight --out into --refdata", ("weight", "{f}/survey.csv", "--refdata", "{r}", "--out", "{r}/x.csv"), 3,
         ("refusing to write into the reference-data directory",)),
    Case("export --to over a register", ("export", "{f}/survey.csv", "--refdata", "{r}", "--to",
                                         "{r}/kommuner_demo.csv"), 3,
         ("refusing to write into the reference-data directory",)),
    Case("report --out the refdata directory", ("report", "{f}/survey.csv", "--refdata", "{r}", "--out", "{r}"), 3,
         ("refusing to write into the reference-data directory",)),
    Case("weight --out over its input", ("weight", "{f}/survey.csv", "--out", "{f}/survey.csv"), 3,
         ("refusing to write over the input file",)),
]


def _fingerprints(*directories: Path) -> dict[Path, str]:
    return {p: hashlib.sha256(p.read_bytes()).hexdigest() for d in directories for p in sorted(d.rglob("*"))
            if p.is_file()}


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_hostile_input_gets_its_exit_code_and_message_and_changes_nothing(case, run_cli, corpus, demo_refdata,
                                                                          tmp_path):
    before = _fingerprints(corpus, demo_refdata)
    args = [a.format(f=corpus, r=demo_refdata, t=tmp_path) for a in case.args]

    ran = run_cli(*args)

    assert ran.code == case.code, ran.text
    for fragment in case.says:
        assert fragment in ran.text
    for fragment in (*case.never, "Traceback"):
        assert fragment not in ran.text
    assert _fingerprints(corpus, demo_refdata) == before  # no input or register was modified
    if case.check is not None:
        case.check(tmp_path)


@pytest.mark.skipif(not __import__("sys").platform.startswith("linux"), reason="needs Linux's resource limits")
@pytest.mark.parametrize("command, target", [
    (("export", "{f}/survey.csv", "--to", "{t}/x.csv", "--refdata", "{r}"), "x.csv"),
    (("weight", "{f}/survey.csv", "--out", "{t}/w.csv"), "w.csv"),
])
def test_a_full_disk_exits_3_naming_the_file_and_leaves_nothing(command, target, corpus, demo_refdata, tmp_path):
    """The file-size limit (RLIMIT_FSIZE) makes writes fail as on a full disk (EFBIG instead of ENOSPC)."""
    import resource
    import signal
    import subprocess
    import sys

    def small_disk() -> None:
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (4096, 4096))

    out = tmp_path / "out"
    out.mkdir()
    args = [a.format(f=corpus, r=demo_refdata, t=out) for a in command]
    ran = subprocess.run([sys.executable, "-c", "from fjernarbeid.cli import main; main()", *args],
                         capture_output=True, text=True, preexec_fn=small_disk, timeout=300)
    assert ran.returncode == 3, ran.stderr
    assert f"{out / target}: cannot write the file" in " ".join(ran.stderr.split())
    assert "Traceback" not in ran.stderr
    assert list(out.iterdir()) == []

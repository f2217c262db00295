"""Each defence lives in one place and every module uses it — checked in the source, so that a new
writer or reader cannot quietly bypass it."""

from __future__ import annotations

import re
from pathlib import Path

import fjernarbeid

SOURCE = Path(fjernarbeid.__file__).resolve().parent


def _lines(pattern: str, *, allowed: tuple[str, ...] = ()) -> list[str]:
    found = []
    for path in sorted(SOURCE.rglob("*.py")):
        name = str(path.relative_to(SOURCE))
        if name in allowed:
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), start=1):
            if re.search(pattern, line) and not line.lstrip().startswith("#"):
                found.append(f"{name}:{number}: {line.strip()}")
    return found


def test_every_yaml_file_is_read_by_the_bounded_loader():
    assert _lines(r"\byaml\.(safe_)?load\b|\byaml\.(Safe|Full|Unsafe)?Loader\b", allowed=("_yaml.py",)) == []


def test_every_csv_writer_neutralises_formulas():
    """csv.writer/DictWriter only inside fjernarbeid._cells; a DataFrame's to_csv only on a frame
    passed through neutralise_frame, or for files that programs, not people, read (registers)."""
    assert _lines(r"\bcsv\.(writer|DictWriter)\(", allowed=("_cells.py",)) == []
    machine_read = ("studies/norce2025/demo/registers.py", "refdata/update.py", "interviews/demo.py")
    unguarded = [line for line in _lines(r"\.to_csv\(", allowed=machine_read) if "neutralise_frame(" not in line]
    assert unguarded == []


def test_every_workbook_is_made_inert_before_it_is_saved():
    for path in sorted(SOURCE.rglob("*.py")):
        text = path.read_text("utf-8")
        if re.search(r"\bWorkbook\(\)", text):
            assert "make_workbook_inert(" in text, path


def test_every_console_prints_data_literally():
    assert _lines(r"\bConsole\(", allowed=("cli/_console.py",)) == []


def test_progress_columns_print_finding_ids_literally():
    """rich's TextColumn reads markup unless told not to, whatever the console says."""
    assert [line for line in _lines(r"TextColumn\(") if "markup=False" not in line] == []


def test_the_symbol_of_a_hidden_cell_is_defined_once():
    """':' (Statistics Norway's 'not shown for confidentiality') in every output comes from
    fjernarbeid.i18n.SUPPRESSED; no module spells a symbol of its own for a hidden cell ('–' is SSB's
    'nothing to report')."""
    from fjernarbeid.i18n import SUPPRESSED

    assert SUPPRESSED == ":"
    assert _lines(r"""\b(HIDDEN|SUPPRESSED)\s*=\s*["']""", allowed=("i18n/__init__.py",)) == []
    assert _lines(r"""["']–["'] if [^\n]*\b(hidden|hide|small|suppress\w*)\b""") == []
    assert _lines(r"""\b(hidden|hide|small|suppress\w*)\b[^\n]* else ["']–["']""") == []

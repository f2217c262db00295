"""``fjernarbeid export``: exit codes, the files written, --keep, and refusing bad input."""

from __future__ import annotations

import hashlib
import json
import re

import pandas as pd
import pyreadstat
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_IMPOSSIBLE, EXIT_INVALID_DATA, EXIT_OK, EXIT_USAGE

runner = CliRunner()


@pytest.fixture(scope="module")
def demo_csv(tmp_path_factory):
    """A small demo written as `fjernarbeid demo` writes it (CSV and the metadata saying it is synthetic)."""
    from fjernarbeid.studies.norce2025.demo.generate import generate_demo
    from fjernarbeid.studies.norce2025.demo.write import write_demo

    return write_demo(generate_demo(300, 11), tmp_path_factory.mktemp("demo"), sav=False)["survey_csv"]


# A wide fixed terminal, whatever the real one is: rich wraps its error box at the terminal's width, and a
# test must not depend on it.
WIDE = {"COLUMNS": "500", "TERMINAL_WIDTH": "500", "LINES": "50"}


def export(*args):
    return runner.invoke(app, ["export", *map(str, args)], env=WIDE)


def plain(output: str) -> str:
    """The output's words, without rich's box lines and line breaks."""
    return " ".join(re.sub(r"[│╭╮╰╯─]", " ", output).split())


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_help():
    result = export("--help")
    assert result.exit_code == 0 and "--keep" in result.output and "k-anonymity" in result.output


def test_exports_the_demo_with_sidecars_and_k_anonymity_holding(demo_csv, refdata_dir, tmp_path):
    before = sha(demo_csv)
    out = tmp_path / "survey.sav"
    result = export(demo_csv, "--to", out, "--refdata", refdata_dir, "--lang", "en")
    assert result.exit_code == EXIT_OK, result.output
    written = [line for line in result.stdout.splitlines() if line]
    assert written == [str(out)] + [f"{out}{s}" for s in (".codebook.json", ".codebook.md", ".disclosure.json",
                                                            ".disclosure.md")]
    assert "SYNTHETIC DATA" in result.stderr
    assert "k-anonymity holds for k = 5" in " ".join(result.stderr.split())
    assert "local suppression (values set to missing):" in result.stderr
    _, meta = pyreadstat.read_sav(str(out), metadataonly=True)
    assert meta.column_names_to_labels["q207"] == "207. Sex?"
    statement = json.loads((tmp_path / "survey.sav.disclosure.json").read_text("utf-8"))
    assert statement["synthetic"] is True and statement["overrides"] == []
    assert statement["holds"] is True and statement["k_achieved"] >= 5
    assert sha(demo_csv) == before


def test_k_not_reached_writes_the_files_says_why_and_exits_5(demo_csv, refdata_dir, tmp_path):
    # 300 records in 14 sex × age group cells, each with its own weight: no cell has 100 records
    out = tmp_path / "survey.csv"
    result = export(demo_csv, "--to", out, "--refdata", refdata_dir, "--k", "100", "--lang", "en")
    assert result.exit_code == EXIT_IMPOSSIBLE, result.output
    said = " ".join(result.stderr.split())
    assert "k-ANONYMITY IS NOT REACHED for k = 100" in said and "WEIGHT CAN BE NEITHER RECODED NOR SUPPRESSED" in said
    assert out.is_file() and (tmp_path / "survey.csv.disclosure.md").is_file()
    statement = json.loads((tmp_path / "survey.csv.disclosure.json").read_text("utf-8"))
    assert statement["holds"] is False and statement["not_suppressible"]["keys"] == ["weight"]


def test_k_not_reached_because_of_a_kept_key_variable_exits_0(demo_csv, refdata_dir, tmp_path):
    out = tmp_path / "survey.csv"
    result = export(demo_csv, "--to", out, "--refdata", refdata_dir, "--keep", "q4,municipality", "--lang", "en")
    assert result.exit_code == EXIT_OK, result.output
    said = " ".join(result.stderr.split())
    assert "k-ANONYMITY IS NOT REACHED" in said and "(KEPT BY --keep)" in said
    assert "Q4 KEPT AS IN THE DATA (--keep q4)" in said
    data = pd.read_csv(out, dtype={"municipality": str})
    original = pd.read_csv(demo_csv)
    assert sorted(data["q4"]) == sorted(original["q4"])  # neither recoded nor suppressed


def test_keep_is_applied_and_said_in_capitals(demo_csv, refdata_dir, refdata, tmp_path):
    out = tmp_path / "survey.parquet"
    result = export(demo_csv, "--to", out, "--refdata", refdata_dir, "--keep", "q202", "--keep", "q3,municipality",
                    "--lang", "en")
    assert result.exit_code == EXIT_OK, result.output  # k is not reached, but the user kept key variables
    data = pd.read_parquet(out)
    assert {"q202", "municipality"} <= set(data.columns) and data["q3"].max() > 6
    md = (tmp_path / "survey.parquet.disclosure.md").read_text("utf-8")
    assert "**Q202 KEPT AS IN THE DATA (--keep q202): THE RULE FOR IT WAS NOT APPLIED**" in md
    assert "MUNICIPALITY KEPT AS IN THE DATA" in result.stderr
    book = json.loads((tmp_path / "survey.parquet.codebook.json").read_text("utf-8"))
    municipality = next(v for v in book["variables"] if v["name"] == "municipality")
    names = refdata.municipalities().set_index("municipality_code")["municipality_name"]
    assert {f["value"]: f["label"] for f in municipality["frequencies"]}["0301"] == names["0301"]


def test_invalid_data_exit_1_listing_the_problems_and_nothing_is_written(demo_csv, refdata_dir, tmp_path):
    bad = tmp_path / "bad.csv"
    frame = pd.read_csv(demo_csv, dtype=str)
    frame.loc[9, "q4"] = "7"
    frame.to_csv(bad, index=False)
    result = export(bad, "--to", tmp_path / "out.csv", "--refdata", refdata_dir)
    assert result.exit_code == EXIT_INVALID_DATA
    assert "code_not_in_list" in result.output and "q4 = 7 is not one of its codes" in result.output
    assert sorted(p.name for p in tmp_path.iterdir()) == ["bad.csv"]


@pytest.mark.parametrize(("args", "code", "message"), [
    (["--to", "{tmp}/x.xlsx"], EXIT_USAGE, "unknown output format"),
    (["--to", "{tmp}/x.csv", "--keep", "q12"], EXIT_USAGE, "no disclosure rule applies"),
    (["--to", "{tmp}/x.csv", "--k", "1"], EXIT_USAGE, "--k"),
    (["--to", "{input}"], EXIT_BAD_INPUT, "refusing to write over the input"),
])
def test_usage_errors_and_refusing_to_overwrite_the_input(demo_csv, refdata_dir, tmp_path, args, code, message):
    before = sha(demo_csv)
    args = [a.format(tmp=tmp_path, input=demo_csv) for a in args]
    result = export(demo_csv, *args, "--refdata", refdata_dir)
    assert result.exit_code == code, result.output
    assert message in plain(result.output)
    assert sha(demo_csv) == before
    assert not list(tmp_path.iterdir())


# -- --strategy: coarser bands, rounded weights or local suppression -----------------------------------


def test_strategy_auto_keeps_the_cheapest_and_the_statement_says_so_in_bokmaal(demo_csv, refdata_dir, tmp_path):
    out = tmp_path / "auto.csv"
    result = export(demo_csv, "--to", out, "--refdata", refdata_dir)
    assert result.exit_code == EXIT_OK, result.output
    statement = json.loads((tmp_path / "auto.csv.disclosure.json").read_text("utf-8"))
    choice = statement["strategy"]
    assert choice["strategy"] == "auto" and choice["declared_alternatives"] == ["centrality", "weight"]
    bits = {tuple(c["alternatives"]): c["bits_lost"] for c in choice["candidates"]}
    assert set(bits) == {(), ("centrality",), ("weight",), ("centrality", "weight")}
    assert bits[tuple(choice["chosen"])] == min(bits.values()) == pytest.approx(statement["entropy_loss_bits"]["total"])
    md = (tmp_path / "auto.csv.disclosure.md").read_text("utf-8")
    assert "## Valg av metode" in md and "Strategi: `--strategy auto`" in md
    assert "avsløringsstrategi auto: valgt" in plain(result.stderr)


def test_strategy_suppress_and_coarsen(demo_csv, refdata_dir, tmp_path):
    out = tmp_path / "s.csv"
    result = export(demo_csv, "--to", out, "--refdata", refdata_dir, "--strategy", "suppress", "--lang", "en")
    assert result.exit_code == EXIT_OK, result.output
    suppressed = json.loads((tmp_path / "s.csv.disclosure.json").read_text("utf-8"))
    assert suppressed["strategy"]["chosen"] == [] and len(suppressed["strategy"]["candidates"]) == 1
    assert "disclosure strategy suppress: chose none (suppression only)" in plain(result.stderr)
    out = tmp_path / "c.csv"
    result = export(demo_csv, "--to", out, "--refdata", refdata_dir, "--strategy", "coarsen")
    assert result.exit_code == EXIT_OK, result.output
    coarse = json.loads((tmp_path / "c.csv.disclosure.json").read_text("utf-8"))
    assert coarse["strategy"]["chosen"] == ["centrality", "weight"] and coarse["weight_rounding"]["round_to"] == 1000
    data = pd.read_csv(out)
    assert set(data["centrality"].dropna().astype(int)) <= {1, 3, 5} and (data["weight"] % 1000 == 0).all()
    assert "municipality" not in data.columns


def test_an_unknown_strategy_is_a_usage_error(demo_csv, tmp_path):
    result = export(demo_csv, "--to", tmp_path / "x.csv", "--strategy", "random")
    assert result.exit_code == EXIT_USAGE and not (tmp_path / "x.csv").exists()
    assert "random" in plain(result.output)

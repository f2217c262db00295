"""`fjernarbeid demo` on the command line."""

from __future__ import annotations

import json
import subprocess
import sys

from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_USAGE

runner = CliRunner()


def test_help_explains_the_options():
    result = runner.invoke(app, ["demo", "--help"])
    assert result.exit_code == 0
    for option in ("--out", "--seed", "--n", "--no-sav"):
        assert option in result.output
    assert "SYNTHETIC" in result.output


def test_writes_the_files_and_summarises_fieldwork_and_respondents(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "out"), "--seed", "7", "--n", "250"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "README.txt", "demo_dispositions.csv", "demo_metadata.json", "demo_survey.csv", "demo_survey.sav"]
    out = " ".join(result.output.split())
    assert "Synthetic demo (seed 7, n 250)" in out
    assert "contacts (answered S1) │ 537" in out  # 91 + 196 + 250
    assert "screened out at S1 (q1 = 3) │ 91 │ 16.9% of contacts" in out
    assert "screened out at S2 (q2 = 2) │ 196" in out
    assert "incidence 46.6%" in out
    assert "sex: Woman" in out and "age group: 55-60 years" in out
    metadata = json.loads((tmp_path / "out" / "demo_metadata.json").read_text("utf-8"))
    assert (metadata["seed"], metadata["n"], metadata["synthetic"]) == (7, 250, True)


def test_no_sav_skips_the_spss_file(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path), "--n", "20", "--no-sav"])
    assert result.exit_code == 0, result.output
    assert not (tmp_path / "demo_survey.sav").exists() and (tmp_path / "demo_survey.csv").exists()


def test_impossible_sizes_are_usage_errors(tmp_path):
    for args in (["--n", "0"], ["--seed", "-3"], ["--n", "many"]):
        result = runner.invoke(app, ["demo", "--out", str(tmp_path), *args])
        assert result.exit_code == EXIT_USAGE, args
        assert not any(tmp_path.iterdir())


def test_out_must_be_a_directory(tmp_path):
    target = tmp_path / "taken.csv"
    target.write_text("someone's file\n")
    result = subprocess.run([sys.executable, "-m", "fjernarbeid", "demo", "--out", str(target), "--n", "5"],
                            capture_output=True, text=True)
    assert result.returncode == EXIT_BAD_INPUT
    assert "is not a directory" in result.stderr
    assert target.read_text() == "someone's file\n"

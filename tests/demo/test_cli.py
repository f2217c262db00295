"""`fjernarbeid demo` on the command line."""

from __future__ import annotations

import json
import os
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
    assert "SYNTHETIC" in result.output and "refdata/" in result.output


def test_writes_the_files_and_summarises_fieldwork_and_respondents(tmp_path):
    result = runner.invoke(app, ["demo", "--out", str(tmp_path / "out"), "--seed", "7", "--n", "250"])
    assert result.exit_code == 0, result.output
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "README.txt", "demo_dispositions.csv", "demo_metadata.json", "demo_survey.csv", "demo_survey.sav", "refdata"]
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


def test_out_must_be_a_directory(tmp_path, run_main):
    target = tmp_path / "taken.csv"
    target.write_text("someone's file\n")
    ran = run_main("demo", "--out", target, "--n", "5")
    assert ran.code == EXIT_BAD_INPUT
    assert "is not a directory" in ran.stderr
    assert target.read_text() == "someone's file\n"


def test_the_demo_is_reported_on_with_nothing_but_its_own_refdata(tmp_path):
    # what `make demo` runs, with no other reference data anywhere (no variable, no user data dir)
    env = {k: v for k, v in os.environ.items() if k != "FJERNARBEID_REFDATA"}
    env |= {"HOME": str(tmp_path), "XDG_DATA_HOME": str(tmp_path / "data")}
    out = tmp_path / "demo-output"

    def run(*args):
        return subprocess.run([sys.executable, "-m", "fjernarbeid", *map(str, args)], capture_output=True,
                              text=True, env=env)

    assert run("demo", "--out", out).returncode == 0
    report = run("report", out / "demo_survey.csv", "--dispositions", out / "demo_dispositions.csv",
                 "--refdata", out / "refdata", "--out", out / "report", "--format", "json")
    assert report.returncode == 0, report.stderr
    assert "not derived" not in report.stderr  # municipality, county and centrality were looked up
    results = json.loads((out / "report" / "results.json").read_text("utf-8"))
    assert results["summary"]["not_computed"] == 0

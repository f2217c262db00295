"""``fjernarbeid interviews …`` from the command line: every step, their help and their exit codes."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_INVALID_DATA

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["interviews", *map(str, args)])


@pytest.mark.parametrize("command", [[], ["import"], ["pseudonymise"], ["code"], ["report"], ["export"],
                                     ["agreement"], ["demo"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_demo_prints_the_matrix(tmp_path):
    result = run("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC interview demo" in result.output and "Kode × informant" in result.output
    assert "Tok med seg jobben" in result.output and "(checked: valid)" in result.output


def test_the_matrix_names_codes_by_their_names_and_says_what_each_column_counts(tmp_path):
    """The cells count coded utterances per informant; the last column counts informants — said so, and codes
    by the codebook's names ('Digitale møter'), not its ids ('moter_digitale')."""
    result = run("demo", "--out", tmp_path / "demo")
    assert "Digitale møter" in result.output and "moter_digitale" not in result.output
    assert "Informanter med koden" in result.output
    assert "antall kodede ytringer per informant" in result.output


def test_the_chain_step_by_step(demo_run, tmp_path):
    sources = demo_run.out / "1_transkripsjoner"
    mapping = tmp_path / "secret" / "mapping.yaml"
    mapping.parent.mkdir()
    shutil.copy(demo_run.files["mapping"], mapping)
    raw, pseudo, results = tmp_path / "raw", tmp_path / "pseudo", tmp_path / "results"

    r = run("import", *sorted(sources.iterdir()), "--out", raw, "--mapping", mapping)
    assert r.exit_code == 0, r.output
    assert "Anne Kristin Dahl (interviewer)" in r.output and len(list(raw.glob("*.json"))) == 7

    r = run("report", raw, "--out", results)
    assert r.exit_code == EXIT_INVALID_DATA and "not pseudonymised" in r.output

    r = run("pseudonymise", raw, "--mapping", mapping, "--out", pseudo)
    assert r.exit_code == 0, r.output
    assert "13 item(s) to review" in r.output and (tmp_path / "secret" / "mapping-erstatninger.csv").exists()

    suggestions = tmp_path / "forslag.csv"
    r = run("code", pseudo, "--suggestions", suggestions)
    assert r.exit_code == 0 and "0 accepted" in r.output
    table = pd.read_csv(suggestions)
    table.loc[table["code"].isin(["tillit", "jobbreiser"]), "status"] = "accepted"
    table.loc[table["code"] == "kontorfellesskap", "status"] = "rejected"
    table.to_csv(suggestions, index=False)
    r = run("code", pseudo, "--suggestions", suggestions)  # rerun keeps the decisions
    assert r.exit_code == 0 and f"{(table['status'] == 'accepted').sum()} accepted" in r.output

    codings = tmp_path / "hand.csv"
    r = run("code", pseudo, "--add", "Informant_2:4:hjemmekontor", "--add", "Informant_2:6:hjemmekontor",
            "--codings", codings, "--coder", "AB")
    assert r.exit_code == 0 and "2 coding(s) added" in r.output
    r = run("code", pseudo, "--add", "Informant_2:99:hjemmekontor", "--codings", codings, "--coder", "AB")
    assert r.exit_code == EXIT_INVALID_DATA and "column turn: '99' is not a turn of Informant_2" in r.output
    assert len(pd.read_csv(codings)) == 2  # the file is left as it was

    cases = demo_run.files["cases"]
    r = run("report", pseudo, "--out", results, "--suggestions", suggestions, "--codings", codings,
            "--cases", cases, "--typology", "flytting", "--typology", "arbeidssted")
    assert r.exit_code == 0, r.output
    assert (results / "temarapport.html").exists() and (results / "typologi.csv").exists()
    matrix = pd.read_csv(results / "kode_x_informant.csv", index_col="code")
    informants = "Informanter med koden"  # the CSV's last column counts informants, and says so
    assert matrix.loc["tillit", informants] == 7 and matrix.loc["kontorfellesskap", informants] == 0
    assert matrix.loc["hjemmekontor", "Informant 2"] == 2

    qdpx = tmp_path / "p.qdpx"
    r = run("export", pseudo, "--qdpx", qdpx, "--suggestions", suggestions, "--codings", codings,
            "--cases", cases, "--qdc", tmp_path / "k.qdc")
    assert r.exit_code == 0, r.output
    back = tmp_path / "back"
    r = run("import", qdpx, "--out", back)
    assert r.exit_code == 0 and "7 interviews" in r.output
    assert len(pd.read_csv(back / "kodinger.csv")) == len(pd.read_csv(codings)) + (table["status"] == "accepted").sum()

    second = tmp_path / "second.csv"
    run("code", pseudo, "--add", "Informant_2:4:hjemmekontor", "--codings", second, "--coder", "CD")
    r = run("agreement", pseudo, "--codings", codings, "--codings", second, "--coder", "AB", "--coder", "CD",
            "--out", tmp_path / "agree.csv")
    assert r.exit_code == 0, r.output
    agree = pd.read_csv(tmp_path / "agree.csv", index_col="code")
    assert (agree.loc["hjemmekontor", "both"], agree.loc["hjemmekontor", "only_a"]) == (1, 1)


def test_errors_exit_with_the_documented_codes(tmp_path):
    bad = tmp_path / "bad.vtt"
    bad.write_text("not a transcript\n", encoding="utf-8")
    r = run("import", bad, "--out", tmp_path / "out")
    assert r.exit_code == EXIT_BAD_INPUT and "bad.vtt, line 1: expected the 'WEBVTT' header" in r.output
    good = tmp_path / "t.txt"
    good.write_text("Kari: hei\nOla: hei\n", encoding="utf-8")
    run("import", good, "--out", tmp_path / "raw")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("informants:\n  Kari: Informant 1\n", encoding="utf-8")
    r = run("pseudonymise", tmp_path / "raw", "--mapping", mapping, "--out", tmp_path / "p")
    assert r.exit_code == EXIT_INVALID_DATA and "'Ola' have no pseudonym" in r.output
    assert not (tmp_path / "p").exists()

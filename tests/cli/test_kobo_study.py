"""A KoboToolbox study from the command line alone: the Hardanger remote-work survey's XLSForm and CSV
export through ``validate`` and ``tab`` (select-multiple shares, screened-out submissions dropped)."""

from __future__ import annotations

import csv
import json
from pathlib import Path

import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_INVALID_DATA, EXIT_OK, EXIT_USAGE

STUDY = Path(__file__).resolve().parents[1] / "fixtures" / "studies" / "hardanger_remote"
FORM, EXPORT = STUDY / "kobo_form.xlsx", STUDY / "kobo_export.csv"
R = json.loads((Path(__file__).resolve().parents[1] / "fixtures" / "r" / "multiple_response.json").read_text("utf-8"))
runner = CliRunner()
with EXPORT.open(encoding="utf-8", newline="") as fh:
    SUBMISSIONS = list(csv.DictReader(fh, delimiter=";"))
COMPLETES = [r for r in SUBMISSIONS if r["fjernarbeid"] == "ja"]
SCREENED_OUT = len(SUBMISSIONS) - len(COMPLETES)


def run(*args):
    # a wide terminal, so that no table cell or message is cut or wrapped
    return runner.invoke(app, [*map(str, args)], env={"COLUMNS": "400"})


def test_validate_refuses_screened_out_submissions_and_accepts_the_completes(refdata_dir):
    everything = run("validate", EXPORT, "--instrument", FORM, "--refdata", refdata_dir, "--format", "json")
    assert everything.exit_code == EXIT_INVALID_DATA
    errors = json.loads(everything.stdout)["errors"]
    assert {e["rule"] for e in errors} == {"screened_out"} and len(errors) == SCREENED_OUT
    completes = run("validate", EXPORT, "--instrument", FORM, "--refdata", refdata_dir, "--completes-only")
    assert completes.exit_code == EXIT_OK, completes.output
    as_json = run("validate", EXPORT, "--instrument", FORM, "--refdata", refdata_dir, "--completes-only",
                  "--format", "json")
    (dropped,) = [w for w in json.loads(as_json.stdout)["warnings"] if w["rule"] == "screened_out_dropped"]
    assert f"{SCREENED_OUT} of 150 submissions were screened out and dropped" in dropped["message"]
    # what reading the form interpreted is shown too
    assert "questionnaire: metadata rows ignored (recorded by the device, not asked): start, end" in completes.output
    assert "veit_ikkje marked 'don't know'" in completes.output


def test_tab_gives_each_choice_of_a_select_multiple_question():
    out = run("tab", EXPORT, "arbeidsstad", "--instrument", FORM, "--completes-only", "--format", "json")
    assert out.exit_code == EXIT_OK, out.output
    result = json.loads(out.stdout)
    assert result["statistic"] == "multiple response"
    rows = result["estimates"]
    assert [r["label"] for r in rows] == ["Heime", "Kontorfellesskap", "Kafé eller bibliotek", "Hytte"]
    # unweighted: of those who answered (asked, not only "don't know"), the share who work from home
    asked = [r["om_deg/kontor/arbeidsstad"].split() for r in COMPLETES if r["om_deg/kontor/arbeidsstad"]]
    answered = [a for a in asked if a != ["veit_ikkje"]]
    home = sum("heime" in a for a in answered)
    assert rows[0]["n_chosen"] == home and rows[0]["n_unweighted"] == R["n_answered"] == len(answered)
    assert rows[0]["estimate"] == pytest.approx(home / len(answered), abs=1e-12)
    assert sum(r["share_of_responses"] for r in rows) == pytest.approx(1.0, abs=1e-12)
    assert result["left_out"] == {"not_sure": len(asked) - len(answered), "skipped": 0,
                                  "empty": len(COMPLETES) - len(asked)}


def test_tab_by_a_group_and_as_text():
    out = run("tab", EXPORT, "utfordringar", "--by", "kommune", "--instrument", FORM, "--completes-only",
              "--lang", "en")
    assert out.exit_code == EXIT_OK, out.output
    assert "% of respondents" in out.output and "Poor broadband" in out.output and "Eidfjord" in out.output


def test_a_multiple_choice_question_cannot_be_a_group_or_a_mean():
    by = run("tab", EXPORT, "tilfreds", "--by", "arbeidsstad", "--instrument", FORM, "--completes-only")
    assert by.exit_code == EXIT_USAGE and "cannot split the sample into groups" in by.output
    mean = run("tab", EXPORT, "arbeidsstad", "--mean", "--instrument", FORM)
    assert mean.exit_code == EXIT_USAGE and "is a multiple-choice question" in mean.output


def test_export_writes_a_0_1_column_per_choice_with_labels(tmp_path, refdata_dir):
    import pyreadstat

    out = run("export", EXPORT, "--instrument", FORM, "--weighting", "none", "--completes-only",
              "--to", tmp_path / "hr.sav", "--refdata", refdata_dir)
    assert out.exit_code == EXIT_OK, out.output
    frame, meta = pyreadstat.read_sav(str(tmp_path / "hr.sav"))
    assert len(frame) == len(COMPLETES) and "arbeidsstad" not in frame.columns
    assert [c for c in frame.columns if c.startswith("arbeidsstad_")] == [f"arbeidsstad_{i}" for i in range(1, 6)]
    assert meta.variable_value_labels["arbeidsstad_2"] == {0.0: "Ikke valgt", 1.0: "Valgt"}
    assert meta.column_names_to_labels["arbeidsstad_2"].endswith(": Kontorfellesskap")
    chosen = [r["om_deg/kontor/arbeidsstad"].split() for r in COMPLETES]
    assert frame["arbeidsstad_1"].sum() == sum("heime" in c for c in chosen)  # as tab counts them
    assert frame["arbeidsstad_5"].sum() == sum(c == ["veit_ikkje"] for c in chosen)  # "don't know" too

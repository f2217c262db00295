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
    assert ("questionnaire: metadata carried and checked, never analysed (recorded by the device, not asked): start, end"
            in completes.output)
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
    # the empty ones were not asked (the group's routing): counted apart from empty answers
    assert result["left_out"] == {"not_sure": len(asked) - len(answered), "skipped": 0, "empty": 0,
                                  "not_asked": len(COMPLETES) - len(asked)}


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


STUDY_FILE = STUDY / "study_kobo.yaml"


def test_weights_from_the_kobo_study_meet_its_municipality_by_age_targets(tmp_path, refdata_dir):
    import pandas as pd

    out = run("weight", EXPORT, "--study", STUDY_FILE, "--completes-only", "--refdata", refdata_dir,
              "--out", tmp_path / "w.csv")
    assert out.exit_code == EXIT_OK, out.output
    weighted = pd.read_csv(tmp_path / "w.csv")
    targets = pd.read_csv(STUDY / "targets_kobo.csv")
    assert weighted["weight"].sum() == pytest.approx(targets["target"].sum(), rel=1e-9)
    names = {4619: "Eidfjord", 4622: "Kvam", 4618: "Ullensvang", 4620: "Ulvik"}
    age = 2026 - weighted["fodselsar"]
    bands = sorted({c.split("|")[1] for c in targets["category"]}, key=lambda b: int(b.split("-")[0]))
    edges = [int(bands[0].split("-")[0]) - 1] + [int(b.split("-")[1]) for b in bands]
    band = pd.cut(age, edges, labels=bands).astype(str)
    cells = (weighted["kommune"].map(names) + "|" + band)
    sums = weighted.groupby(cells)["weight"].sum()
    for _, t in targets.iterrows():
        assert sums[t["category"]] == pytest.approx(t["target"], rel=1e-9), t["category"]


def test_the_report_of_the_kobo_study_shows_every_finding_with_the_tab_numbers(tmp_path, refdata_dir):
    out = run("report", EXPORT, "--study", STUDY_FILE, "--completes-only", "--refdata", refdata_dir,
              "--out", tmp_path / "report", "--format", "json")
    assert out.exit_code == EXIT_OK, out.output
    results = json.loads((tmp_path / "report" / "results.json").read_text("utf-8"))
    findings = {f["id"]: f for f in results["findings"]}
    assert sorted(findings) == ["H01", "H02", "H03", "H04"]
    assert all(f["status"] == "ok" for f in findings.values())
    shares = {e["name"]: e for e in findings["H02"]["estimates"]}
    tab = run("tab", EXPORT, "arbeidsstad", "--study", STUDY_FILE, "--study-weighting", "--completes-only",
              "--refdata", refdata_dir, "--format", "json")
    assert tab.exit_code == EXIT_OK, tab.output
    for row in json.loads(tab.stdout)["estimates"]:
        ours = shares[f"opt{row['category']}"]
        assert ours["estimate"] == pytest.approx(row["estimate"], rel=1e-12)
        assert ours["se"] == pytest.approx(row["se"], rel=1e-9)
        assert shares[f"opt{row['category']}_of_choices"]["estimate"] == pytest.approx(row["share_of_responses"],
                                                                                        rel=1e-12)

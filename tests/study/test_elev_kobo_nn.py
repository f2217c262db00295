"""A pupils' survey in nynorsk as a new user made it in KoboToolbox (tests/fixtures/studies/elev_kobo_nn):
its study file excludes respondents whose sex is unknown ("vil ikkje svare") from the weighting
(``unknown: exclude``), and every command must still work on it and protect its files."""

from __future__ import annotations

import json
import shutil

import pytest

from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_IMPOSSIBLE, EXIT_OK

from .conftest import STUDIES

ELEV = STUDIES / "elev_kobo_nn"
EXPORT = ELEV / "kobo_export.csv"


@pytest.fixture
def study(tmp_path):
    """A copy of the study folder (commands may write into it)."""
    folder = tmp_path / "elev"
    shutil.copytree(ELEV, folder)
    return folder


@pytest.mark.parametrize("args", [["flytte"], ["viktig"], ["trivsel", "--by", "kjonn"], ["trivsel", "--mean"],
                                  ["timar", "--mean", "--by", "kjonn"]])
def test_tab_with_the_study_weighting_counts_the_excluded_respondents_apart(run_main, args):
    ran = run_main("tab", EXPORT, *args, "--study", ELEV, "--study-weighting", "--completes-only",
                   "--format", "json")
    assert ran.code == EXIT_OK, ran.stderr
    result = json.loads(ran.stdout)
    # 198 pupils answered; the 9 who would not give their sex have no weighting category
    assert result["design"]["rows"] == 189
    assert result["left_out"]["unweighted"] == 9


def test_tab_names_the_excluded_respondents_in_its_text(run_main):
    ran = run_main("tab", EXPORT, "flytte", "--study", ELEV, "--study-weighting", "--completes-only", "--lang", "nn")
    assert ran.code == EXIT_OK, ran.stderr
    assert "Utelate: 9 respondent(ar) utan vektkategori" in " ".join(ran.stdout.split())


@pytest.mark.parametrize("command", [
    ["weight", EXPORT.name, "--study", ".", "--completes-only", "--out", "targets.csv"],
    ["weight", EXPORT.name, "--study", ".", "--completes-only", "--out", "./study.yaml.csv"],
    ["export", EXPORT.name, "--study", ".", "--completes-only", "--to", "targets.csv"],
    ["synthetic", "--study", ".", "--out", "targets.csv"],
])
def test_no_command_writes_over_a_file_the_study_names(run_main, study, monkeypatch, command):
    monkeypatch.chdir(study)
    before = {p.name: p.read_bytes() for p in study.iterdir()}
    ran = run_main(*command)
    if command[-1].endswith("study.yaml.csv"):  # a new file beside the study's: allowed
        assert ran.code == EXIT_OK, ran.stderr
        return
    assert ran.code == EXIT_BAD_INPUT, ran.stderr
    assert "refusing to write over the input file targets.csv" in ran.stderr
    assert {p.name: p.read_bytes() for p in study.iterdir()} == before


def test_the_study_file_itself_is_protected(run_main, study, monkeypatch):
    monkeypatch.chdir(study)
    (study / "study.yaml").rename(study / "study.csv")
    ran = run_main("weight", EXPORT.name, "--study", "study.csv", "--completes-only", "--out", "study.csv")
    assert ran.code == EXIT_BAD_INPUT and "refusing to write over the input file study.csv" in ran.stderr


def test_an_export_may_go_into_a_new_folder_inside_the_study(run_main, study, monkeypatch):
    monkeypatch.chdir(study)
    ran = run_main("export", EXPORT.name, "--study", ".", "--completes-only", "--to", "out/exp/elev.sav")
    assert ran.code in (EXIT_OK, EXIT_IMPOSSIBLE), ran.stderr  # 5: written, but k-anonymity does not hold
    assert (study / "out" / "exp" / "elev.sav").is_file()


def test_targets_without_a_municipality_of_the_sample_are_an_error_naming_it(run_main, tmp_path):
    # targets_no_ulvik.csv lacks Ulvik: its 14 pupils answered validly and must not be left out as "unknown"
    ran = run_main("weight", EXPORT, "--study", ELEV, "--completes-only", "--targets", ELEV / "targets_no_ulvik.csv",
                   "--out", tmp_path / "w.csv")
    assert ran.code == EXIT_IMPOSSIBLE, ran.stderr
    message = " ".join(ran.stderr.split())
    assert "no category for kommune = Ulvik (14 respondent(s))" in message
    assert not (tmp_path / "w.csv").exists()


def test_a_report_on_targets_with_a_gap_is_refused_too(run_main, tmp_path):
    ran = run_main("report", EXPORT, "--study", ELEV, "--completes-only", "--targets", ELEV / "targets_no_ulvik.csv",
                   "--out", tmp_path / "rapport", "--format", "json")
    assert ran.code == EXIT_IMPOSSIBLE and "Ulvik" in ran.stderr
    assert not (tmp_path / "rapport").exists()


def test_unknown_values_are_named_by_their_label(run_main, study, tmp_path):
    text = (study / "study.yaml").read_text("utf-8").replace("unknown: exclude", "unknown: error")
    (study / "study.yaml").write_text(text, "utf-8")
    ran = run_main("weight", study / EXPORT.name, "--study", study, "--completes-only", "--out", tmp_path / "w.csv")
    assert ran.code == 1
    assert "kjonn has values without a weighting target (Vil ikkje svare)" in " ".join(ran.stderr.split())


def test_the_declared_municipality_is_a_key_variable_of_disclosure_control(run_main, tmp_path):
    import pyreadstat

    out = tmp_path / "exp" / "elev.sav"
    ran = run_main("export", EXPORT, "--study", ELEV, "--completes-only", "--to", out)
    assert ran.code == EXIT_OK, ran.stderr
    message = " ".join(ran.stderr.split())
    assert "hver kombinasjon av kjonn, kommune, trinn, weight deles av minst 5 poster" in message
    data, _ = pyreadstat.read_sav(str(out))
    # checked on the file itself: every municipality × sex × year group (a blank a group of its own) has 5 or more
    assert data.groupby(["kommune", "kjonn", "trinn"], dropna=False).size().min() >= 5
    disclosure = (tmp_path / "exp" / "elev.sav.disclosure.md").read_text("utf-8")
    # no age group is derived in this study, so none is said to be published; no postal code to look up
    assert "ingen aldersgruppe publiseres i stedet" in disclosure and "aldersgruppen publiseres" not in disclosure
    assert "postnummerregister" not in disclosure


def test_the_weighting_tables_show_labels_not_codes_nor_internal_column_names(run_main, tmp_path):
    ran = run_main("weight", EXPORT, "--study", ELEV, "--completes-only", "--out", tmp_path / "w.csv")
    assert ran.code == EXIT_OK, ran.stderr
    assert "Kvam, Gut" in ran.stdout and "Kvam, 1" not in ran.stdout

    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.report.view import _margin_label

    form = load_instrument(ELEV / "elevform.xlsx")
    # kjonn has respondents without a category, so it is weighted on a column of its own
    assert _margin_label("kommune × kjonn (weighting groups)", [2, 1], form, "nn") == (
        "Kva kommune bur du i × Kjønn", "Kvam, Gut")


def test_the_most_common_answer_is_quoted_as_labelled(run_main, tmp_path):
    out = tmp_path / "rapport"
    ran = run_main("report", EXPORT, "--study", ELEV, "--completes-only", "--out", out, "--format", "json",
                   "--lang", "nn")
    assert ran.code == EXIT_OK, ran.stderr
    sentences = json.dumps(json.loads((out / "results.json").read_text("utf-8")), ensure_ascii=False)
    assert "Vanlegaste svar: Kvam (" in sentences and "Vanlegaste svar: kvam" not in sentences


def test_tab_counts_the_respondents_the_routing_did_not_ask_apart_from_empty_answers(run_main):
    # timar is asked only if har_jobb = ja: the others did not leave it empty, they were not asked
    ran = run_main("tab", EXPORT, "timar", "--mean", "--study", ELEV, "--study-weighting", "--completes-only",
                   "--format", "json")
    assert ran.code == EXIT_OK, ran.stderr
    result = json.loads(ran.stdout)
    left = result["left_out"]
    assert left["empty"] == 0 and left["not_asked"] == 106
    assert result["estimates"][0]["n_unweighted"] + left["not_asked"] == result["design"]["rows"]  # 83 + 106

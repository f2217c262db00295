"""`tab` and `model` on an ordinary file (not the study's survey): its own columns keep their own meaning.

Was: in yrbs_jkn.csv (an R data set) the column `age` was headed "Age (2025 minus birth year) (age)" by `tab`
and labelled "Alder (2025 minus fødselsår)" in `model`'s JSON — the study's derived age; a file with a birth
year column (q202) as well had its own `age` replaced by 2025 minus the birth year."""

from __future__ import annotations

import json
from pathlib import Path

import pytest


@pytest.fixture
def own_file(tmp_path) -> Path:
    """Columns named like the study's derived variables and roles, with values of their own."""
    rows = ["age,age_group,sex,kommune,municipality,q202,y"]
    for i in range(40):
        rows.append(f"{14 + i % 5},{1 + i % 2},{'MF'[i % 2]},{['Å', 'Hå'][i % 3 == 0]},{['Kvam', 'Voss'][i % 3 == 1]},"
                    f"{1960 + i},{(i * 7) % 10}")
    path = tmp_path / "other.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("lang", ["nb", "en"])
def test_tab_heads_the_files_own_column_with_its_name(run_main, own_file, lang):
    ran = run_main("tab", own_file, "age", "--by", "sex", "--lang", lang)
    assert ran.code == 0, ran.stderr
    heading = ran.stdout.splitlines()[0].strip()
    assert heading == "age", heading
    assert "2025" not in ran.stdout


def test_tab_json_has_no_study_labels_and_keeps_the_files_values(run_main, own_file):
    ran = run_main("tab", own_file, "age", "--by", "age_group", "--format", "json")
    assert ran.code == 0, ran.stderr
    out = json.loads(ran.stdout)
    assert out["label"] is None and out["variable_labels"] == {}
    # the file's ages 14-18, not 2025 minus q202 (1960-1999)
    assert {str(e["category"]) for e in out["estimates"]} == {"14", "15", "16", "17", "18"}
    # the file's own age_group 1/2 is not labelled with the study's age groups
    assert {e["group"]["age_group"] for e in out["estimates"]} == {"1", "2"}


def test_model_names_the_files_own_columns_by_their_names(run_main, own_file):
    ran = run_main("model", own_file, "y ~ age + sex + municipality", "--format", "json")
    assert ran.code == 0, ran.stderr
    out = json.loads(ran.stdout)
    assert out["variable_labels"] == {}
    labels = [c["label"] for c in out["coefficients"]]
    assert "age" in labels and not any("Alder" in str(x) or "Kommune" in str(x) for x in labels), labels


def test_the_studys_survey_keeps_the_questionnaires_labels(run_main, study_csv):
    ran = run_main("tab", study_csv, "age_group", "--format", "json", "--lang", "en")
    assert ran.code == 0, ran.stderr
    assert json.loads(ran.stdout)["label"]


@pytest.fixture
def other_survey(tmp_path) -> Path:
    """Another survey whose questions are also called q1, q2, q6_1 (as many questionnaires number them), with
    answers the study's questions of those names cannot have: q1 1–5 (the study's q1 has codes 1–3), q6_1 1–6 where
    6 is an answer (the study's 6 is "not sure"), q2 as text."""
    rows = ["id,q1,q2,q6_1,w"]
    for i in range(60):
        rows.append(f"{i + 1},{1 + i % 5},{['ja', 'nei'][i % 2]},{1 + i % 6},{1 + (i % 3) / 2}")
    path = tmp_path / "pupils.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    return path


def test_another_surveys_q1_is_its_own_column_not_the_studys_question(run_main, other_survey):
    ran = run_main("tab", other_survey, "q6_1", "--weight", "w", "--format", "json", "--lang", "en")
    assert ran.code == 0, ran.stderr
    out = json.loads(ran.stdout)
    # every answer counted: 6 is a category of this survey, not the study's "not sure"
    assert [str(e["category"]) for e in out["estimates"]] == ["1", "2", "3", "4", "5", "6"]
    assert out["label"] is None
    assert {e["n_unweighted"] for e in out["estimates"]} == {60}  # the base: every row answered
    warning = " ".join(ran.stderr.split())
    assert "is not the study's data: column q1 has the value 4" in warning
    assert "(q1, q2, q6_1)" in warning


def test_another_surveys_text_answers_are_not_lost_as_not_numbers(run_main, other_survey):
    ran = run_main("tab", other_survey, "q2", "--format", "json")
    assert ran.code == 0, ran.stderr
    out = json.loads(ran.stdout)
    assert sorted(str(e["category"]) for e in out["estimates"]) == ["ja", "nei"]
    assert "ikke studiens data" in " ".join(ran.stderr.split())  # bokmål by default


def test_an_extract_of_the_studys_data_keeps_its_questions(run_main, tmp_path):
    """A file with a few of the study's questions, every value one of their codes, is read as the study's."""
    rows = ["q6_1,q207"] + [f"{1 + i % 6},{1 + i % 2}" for i in range(60)]
    path = tmp_path / "extract.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ran = run_main("tab", path, "q6_1", "--format", "json", "--lang", "en")
    assert ran.code == 0, ran.stderr
    out = json.loads(ran.stdout)
    assert out["label"]  # the questionnaire's question text
    assert [e["category"] for e in out["estimates"]] == [1, 2, 3, 4, 5]  # 6: "not sure", left out
    assert "not the study's data" not in ran.stderr


def test_a_table_with_a_negative_cell_shows_no_test(run_main, tmp_path):
    """Linear calibration to these targets gives negative weights, and the high schools that said Yes a negative
    estimated count: R's svychisq stops ('all entries of x must be nonnegative'); tab shows the table and says why."""
    data = Path(__file__).resolve().parents[1] / "fixtures" / "r" / "data" / "calib_apisrs.csv"
    targets = tmp_path / "targets.csv"
    targets.write_text("variable,category,target\nstype,E,4421\nstype,H,755\nstype,M,1018\n"
                       "awards,Yes,500\nawards,No,5694\n", encoding="utf-8")
    common = ["tab", data, "sch.wide", "--crosstab", "stype", "--weight", "pw", "--fpc", "fpc", "--targets", targets,
              "--weighting", "linear", "--lang", "en"]
    ran = run_main(*common)
    assert ran.code == 0, ran.stderr
    assert "1 cell(s) of the weighted table are negative" in " ".join(ran.stdout.split())
    ran = run_main(*common, "--format", "json")
    test = json.loads(ran.stdout)["test"]
    assert test["statistic"] is None and test["negative_cells"] == 1


def test_the_studys_weighting_of_another_surveys_file_is_refused_with_the_reason(run_main, other_survey, tmp_path):
    for args in (("tab", other_survey, "q1", "--study-weighting"), ("weight", other_survey, "--out", tmp_path / "w.csv")):
        ran = run_main(*args)
        assert ran.code == 2, (args, ran.stderr)
        assert "is read as another survey's" in " ".join(ran.stderr.split())
    assert not (tmp_path / "w.csv").exists()


def test_an_extract_with_one_typing_error_is_still_the_studys(run_main, tmp_path):
    """One stray value in 200 (0.5 %) is an error in the study's data, not another survey: the questions stay."""
    rows = ["q6_1,q207"] + [f"{1 + i % 6},{1 + i % 2}" for i in range(199)] + ["9,1"]
    path = tmp_path / "typo.csv"
    path.write_text("\n".join(rows) + "\n", encoding="utf-8")
    ran = run_main("tab", path, "q6_1", "--format", "json", "--lang", "en")
    assert ran.code == 0, ran.stderr
    assert json.loads(ran.stdout)["label"] and "not the study's data" not in ran.stderr

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

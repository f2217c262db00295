"""`fjernarbeid target` as a user runs it: files written, and clear errors with the README's exit codes."""

from __future__ import annotations

import json


def test_target_writes_the_section_tables_and_results(run_main, demo_files, tmp_path):
    out = tmp_path / "target"
    code, stdout, _ = run_main("target", demo_files / "demo_survey.csv", "--dispositions",
                               demo_files / "demo_dispositions.csv", "--refdata", demo_files / "refdata",
                               "--region", "4618,4619,4620,4622", "--out", out, "--lang", "nn")
    assert code == 0
    names = {p.name for p in out.iterdir()}
    assert {"target.json", "target.html", "target.xlsx", "target_move_municipalities.csv",
            "target_move_counties.csv", "target_move_segments.csv"} <= names
    assert all(str(out / n) in stdout for n in ("target.json", "target.html"))
    doc = json.loads((out / "target.json").read_text("utf-8"))
    assert doc["region"]["municipalities"] == ["4618", "4619", "4620", "4622"]
    assert "Målgrupper" in (out / "target.html").read_text("utf-8")


def test_an_unknown_region_is_a_usage_error(run_main, demo_files, tmp_path):
    code, _, err = run_main("target", demo_files / "demo_survey.csv", "--dispositions",
                            demo_files / "demo_dispositions.csv", "--refdata", demo_files / "refdata",
                            "--region", "4618,9999", "--out", tmp_path / "t")
    assert code == 2
    assert "9999" in err and not (tmp_path / "t").exists()


def test_a_missing_disposition_log_is_an_input_error(run_main, demo_files, tmp_path):
    code, _, err = run_main("target", demo_files / "demo_survey.csv", "--dispositions", tmp_path / "nope.csv",
                            "--refdata", demo_files / "refdata", "--out", tmp_path / "t")
    assert code == 3
    assert "nope.csv" in err and "not found" in err


def test_a_log_without_the_screening_columns_is_refused_naming_them(run_main, demo_files, tmp_path):
    log = tmp_path / "log.csv"
    log.write_text("contact_id,disposition\n1,1.1\n", encoding="utf-8")
    code, _, err = run_main("target", demo_files / "demo_survey.csv", "--dispositions", log,
                            "--refdata", demo_files / "refdata", "--out", tmp_path / "t")
    assert code == 3
    assert "q201" in err and "q202" in err


def test_without_region_the_study_s_own_region_is_shown(run_main, demo_files, tmp_path):
    out = tmp_path / "t"
    code, _, _ = run_main("target", demo_files / "demo_survey.csv", "--dispositions", demo_files / "demo_dispositions.csv",
                          "--refdata", demo_files / "refdata", "--out", out, "--lang", "en")
    assert code == 0
    doc = json.loads((out / "target.json").read_text("utf-8"))
    assert doc["region"]["name"] == "Hardanger" and doc["region"]["codes"] == ["4618", "4619", "4620", "4622"]


def test_a_log_with_too_few_screened_contacts_names_the_eligibility_model(run_main, demo_files, tmp_path):
    lines = (demo_files / "demo_dispositions.csv").read_text("utf-8").splitlines()
    screened_out = [line for line in lines[1:] if line.split(",")[1].startswith("4.")][:3]
    log = tmp_path / "log.csv"
    log.write_text("\n".join([lines[0], *screened_out]) + "\n", encoding="utf-8")
    code, _, err = run_main("target", demo_files / "demo_survey.csv", "--dispositions", log,
                            "--refdata", demo_files / "refdata", "--out", tmp_path / "t")
    assert code == 5
    assert "eligibility model" in err and "3 screened contact(s), 0 of them eligible" in err
    assert not (tmp_path / "t").exists()


def test_a_county_region_is_named_by_the_county(run_main, demo_files, tmp_path):
    out = tmp_path / "t"
    code, _, _ = run_main("target", demo_files / "demo_survey.csv", "--dispositions",
                          demo_files / "demo_dispositions.csv", "--refdata", demo_files / "refdata",
                          "--region", "46,46", "--out", out)
    assert code == 0
    doc = json.loads((out / "target.json").read_text("utf-8"))
    assert doc["region"]["name"] == "Vestland" and doc["region"]["codes"] == ["46"]

"""An ordinary KoboToolbox study (the Hardanger remote-work survey): its XLSForm and CSV export read
and validated — select-multiple in both export layouts, text choice names, group paths, screened-out
submissions, optional questions, constraints and the questionnaire's cross-question check."""

from __future__ import annotations

import csv
from pathlib import Path

import pandas as pd
import pytest

from fjernarbeid.data import read_survey, validate
from fjernarbeid.data.mapping import resolve_columns
from fjernarbeid.instrument import instrument_from_dict, load_instrument
from fjernarbeid.refdata import RefData

STUDY = Path(__file__).resolve().parents[1] / "fixtures" / "studies" / "hardanger_remote"
FORM, EXPORT = STUDY / "kobo_form.xlsx", STUDY / "kobo_export.csv"


@pytest.fixture(scope="module")
def form():
    return load_instrument(FORM)


def rows_of(path: Path) -> tuple[list[str], list[dict[str, str]]]:
    with path.open(encoding="utf-8", newline="") as fh:
        reader = csv.DictReader(fh, delimiter=";")
        return list(reader.fieldnames), list(reader)


def rewrite(tmp_path: Path, change, drop: tuple[str, ...] = ()) -> Path:
    header, rows = rows_of(EXPORT)
    header = [h for h in header if h not in drop]
    for i, row in enumerate(rows):
        change(i, row)
    out = tmp_path / "export.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.DictWriter(fh, header, delimiter=";", extrasaction="ignore")
        writer.writeheader()
        writer.writerows(rows)
    return out


def test_the_export_is_read_with_choice_names_as_codes_and_both_layouts_folded(form):
    data = read_survey(EXPORT, form)
    _, rows = rows_of(EXPORT)
    assert data.is_export and len(data) == 150
    assert data.frame["id"].tolist()[:2] == [rows[0]["_id"], rows[1]["_id"]]
    first = data.frame.iloc[0]
    assert (first["fjernarbeid"], first["kommune"], first["kjonn"]) == (1, 4620, 2)  # ja, Ulvik, mann
    assert first["arbeidsstad"] == "1" and first["utfordringar"] == "5"  # heime; ingen
    assert first["tiltak"] == "1 2"  # from the 0/1 columns only: breiband, kontorplass
    # no 0/1 choice column is kept as a column of its own, and no metadata
    assert not [c for c in data.frame.columns if "/" in str(c)]
    assert "_uuid" in data.ignored_columns and "deviceid" in data.ignored_columns
    assert data.frame["start"].iloc[0] == rows[0]["start"]  # the form's start, carried (an ISO date-time)


def test_every_answer_agrees_with_the_export_choice_by_choice(form):
    data = read_survey(EXPORT, form)
    _, rows = rows_of(EXPORT)
    codes = {c.name or str(c.code): c.code for c in form["arbeidsstad"].codes}
    for row, value in zip(rows, data.frame["arbeidsstad"]):
        expected = sorted(codes[n] for n in row["om_deg/kontor/arbeidsstad"].split())
        assert (sorted(int(c) for c in value.split()) if pd.notna(value) else []) == expected


def test_the_clean_export_validates_once_screened_out_submissions_are_dropped(form, refdata):
    everything = validate(read_survey(EXPORT, form), form, refdata)
    _, rows = rows_of(EXPORT)
    screened = sum(r["fjernarbeid"] == "nei" for r in rows)
    assert {p.rule for p in everything.errors} == {"screened_out"}
    assert len(everything.errors) == screened
    completes = read_survey(EXPORT, form, completes_only=True)
    assert len(completes) == len(rows) - screened
    report = validate(completes, form, refdata)
    assert report.ok, report.errors[:3]
    dropped = [w for w in report.warnings if w.rule == "screened_out_dropped"]
    assert f"{screened} of 150 submissions were screened out" in dropped[0].message


def test_a_choice_path_is_never_taken_for_a_question_named_like_its_last_part():
    inst = instrument_from_dict({
        "id": "t", "questions": [
            {"name": "q3", "type": "integer"},
            {"name": "q7", "type": "multiple", "codes": [{"code": 1, "nb": "a"}, {"code": 3, "nb": "b"}]},
        ]})
    sources = ["_id", "grp/q3", "grp/q7", "grp/q7/1", "grp/q7/3", "q7-3"]
    resolution = resolve_columns(sources, inst)
    assert resolution.mapping == {"_id": "id", "grp/q3": "q3", "grp/q7": "q7"}
    assert resolution.options == {"q7": {1: 3, 3: 4}}
    # ODK Central's q7-3 is a choice column too, never q3
    odk = resolve_columns(["KEY", "q3", "g-q7-1", "g-q7-3"], inst)
    assert odk.mapping == {"KEY": "id", "q3": "q3"} and odk.options == {"q7": {1: 2, 3: 3}}
    # without a select-multiple q7 a numeric tail still is not q3
    alone = resolve_columns(["_id", "grp/q7/3"], instrument_from_dict({"id": "t", "questions": [{"name": "q3", "type": "integer"}]}))
    assert "q3" not in alone.mapping.values()


def test_an_unknown_choice_an_exclusive_choice_with_others_and_disagreeing_layouts_are_errors(form, tmp_path):
    def change(i, row):
        if i == 0:
            row["om_deg/kontor/utfordringar"] = "ingen breiband"  # 'none' with another challenge
        if i == 1:
            row["om_deg/kontor/arbeidsstad"] = "heime sofaen"  # not a choice
        if i == 2:
            row["om_deg/kontor/arbeidsstad/hytte"] = "1"  # the 0/1 column says cabin, the choices do not
    path = rewrite(tmp_path, change)
    report = validate(read_survey(path, form, completes_only=True), form, RefData(None))
    by_rule = {p.rule: p for p in report.errors}
    assert by_rule["exclusive_choice"].row == 2 and by_rule["exclusive_choice"].column == "utfordringar"
    assert "ingen (No challenges) must be chosen alone" in by_rule["exclusive_choice"].message
    assert by_rule["code_not_in_list"].row == 3 and "'sofaen' is not one of its choices" in by_rule["code_not_in_list"].message
    assert "line 4" in by_rule["multiple_layouts_disagree"].message


def test_optional_questions_may_be_empty_and_required_ones_may_not(form, tmp_path):
    def change(i, row):
        row["om_deg/kommentar"] = ""
        for col in [k for k in row if k.startswith("om_deg/tiltak/")]:
            row[col] = ""  # tiltak is optional
        if i == 5:
            row["om_deg/tilfreds"] = ""
    report = validate(read_survey(rewrite(tmp_path, change), form, completes_only=True), form, RefData(None))
    assert [(p.rule, p.column) for p in report.errors] == [("required_missing", "tilfreds")]


def test_the_cross_question_check_names_row_column_and_rule(form, tmp_path, refdata):
    def change(i, row):
        if i == 0:
            row["om_deg/postnr"] = "5600"  # Norheimsund is in Kvam; the answer says Ulvik
    report = validate(read_survey(rewrite(tmp_path, change), form, completes_only=True), form, refdata)
    (problem,) = report.errors
    assert (problem.rule, problem.row, problem.column, problem.value) == ("check_failed", 2, "postnr", "5600")
    assert "postnummer_i_kommunen" in problem.message and "here postnr = 5600, bustad_kommune = 4622, kommune = 4620" in problem.message


def test_without_the_register_the_check_is_not_run_and_says_why(form):
    report = validate(read_survey(EXPORT, form, completes_only=True), form, RefData(None))
    (warning,) = [w for w in report.warnings if w.rule == "check_not_run"]
    assert "postnummer_i_kommunen" in warning.message and "bustad_kommune" in warning.message


def test_a_constraint_is_enforced_with_its_message(tmp_path):
    inst = instrument_from_dict({
        "id": "t", "questions": [
            {"name": "barn", "type": "integer", "required": False},
            {"name": "barn_heime", "type": "integer", "constraint": "barn_heime <= barn",
             "constraint_message": {"en": "cannot exceed the number of children"}},
        ]})
    path = tmp_path / "f.csv"
    path.write_text("id,barn,barn_heime\n1,2,1\n2,1,3\n3,,1\n", "utf-8")
    report = validate(read_survey(path, inst), inst, RefData(None))
    (problem,) = report.errors
    assert (problem.rule, problem.row, problem.column) == ("constraint_failed", 3, "barn_heime")
    assert "cannot exceed the number of children" in problem.message


def test_an_odk_central_export_reads_the_same_answers(form, tmp_path):
    """ODK Central writes group paths with '-', KEY and SubmissionDate, and split choices as group-q/choice."""
    header, rows = rows_of(EXPORT)
    central = {h: h.replace("om_deg/kontor/", "om_deg-kontor-").replace("om_deg/", "om_deg-") for h in header}
    central = {k: v.replace("-arbeidsstad-", "-arbeidsstad/") for k, v in central.items()}  # split choice columns
    central["_id"], central["_submission_time"] = "KEY", "SubmissionDate"
    keep = [h for h in header if not h.startswith("_") or h in ("_id", "_submission_time")]
    out = tmp_path / "central.csv"
    with out.open("w", encoding="utf-8", newline="") as fh:
        writer = csv.writer(fh)
        writer.writerow([central[h] for h in keep])
        for row in rows:
            writer.writerow([row[h] for h in keep])
    ours, theirs = read_survey(EXPORT, form), read_survey(out, form)
    assert theirs.is_export and "om_deg-kontor-arbeidsstad/heime" not in theirs.frame.columns
    for q in form:
        pd.testing.assert_series_equal(theirs.frame[q.name], ours.frame[q.name], check_names=False)


@pytest.mark.parametrize("column", ["_uuid", "meta/instanceID"])
def test_a_submission_sent_twice_is_an_error_naming_both_lines(coworking_study, tmp_path, column):
    """KoboToolbox stores an interview sent twice (a lost connection, a resent form) as two submissions with
    two ``_id`` but the same ``_uuid`` (``meta/instanceID``): read with ``_id`` as the respondent id, the
    respondent was counted twice without a word."""
    from fjernarbeid.study import load_study

    form = load_study(coworking_study.study).instrument
    with coworking_study.export.open(encoding="utf-8", newline="") as fh:
        header, *rows = list(csv.reader(fh, delimiter=";"))
    header = [column if h == "_uuid" else h for h in header]
    again = list(rows[2])
    again[header.index("_id")] = "9999"
    rows.append(again)
    path = tmp_path / "export.csv"
    with path.open("w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";").writerows([header, *rows])
    report = validate(read_survey(path, form), form, RefData(None))
    twice = [p for p in report.errors if p.rule == "duplicate_submission"]
    assert [p.row for p in twice] == [4, len(rows) + 1], report.errors
    assert all(p.column == column and "9999" not in p.message for p in twice)
    assert f"{column} '{rows[2][header.index(column)]}' occurs 2 times (first at line 4)" in twice[1].message
    assert twice[1].id == "9999"
    # without the copy: nothing to say
    clean = validate(read_survey(coworking_study.export, form), form, RefData(None))
    assert not [p for p in clean.errors + clean.warnings if p.rule == "duplicate_submission"]

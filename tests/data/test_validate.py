"""Validation: every rule caught on a small bad file, reported with id, row (as the user sees it),
column, rule, message and value; nothing capped; the JSON shape."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from fjernarbeid.data import RULES, ValidationReport, read_survey, validate
from fjernarbeid.errors import DataValidationError
from fjernarbeid.refdata import RefData

NO_REFDATA = RefData(None)


@pytest.fixture
def check(tmp_path, write, refdata):
    """``check(frame, name="f.csv", **kw)``: write the frame, read it back and validate it."""

    def run(frame: pd.DataFrame, name: str = "f.csv", refdata=refdata, **kw) -> ValidationReport:
        path = write(frame, tmp_path / name, **kw)
        return validate(read_survey(path), refdata=refdata)

    return run


def problems(report: ValidationReport, rule: str) -> list[dict]:
    severity = RULES[rule][0]
    items = report.to_dict()["errors" if severity == "error" else "warnings"]
    return [p for p in items if p["rule"] == rule]


def only_rules(report: ValidationReport) -> set[str]:
    return set(report.table["rule"])


def with_values(frame: pd.DataFrame, **cells) -> pd.DataFrame:
    """A copy with cells set: ``with_values(f, q12=(1, 9))`` puts 9 in q12 of frame row 1."""
    out = frame.copy()
    for column, (i, value) in cells.items():
        if value is not None and not isinstance(value, int) and str(out[column].dtype) == "Int64":
            out[column] = out[column].astype("string")
        out.loc[i, column] = value
    return out


# -- a valid file -----------------------------------------------------------------------------


def test_a_valid_file_has_no_problems(check, valid_frame):
    report = check(valid_frame)
    assert report.ok and report.to_dict() == {"errors": [], "warnings": []}


def test_without_the_postal_register_one_warning_says_postal_codes_were_not_checked(check, valid_frame):
    report = check(valid_frame, refdata=NO_REFDATA)

    assert report.ok
    (warning,) = report.to_dict()["warnings"]
    assert warning["rule"] == "postal_code_not_checked" and warning["column"] == "q201"
    assert "no reference-data directory was found" in warning["message"]
    assert "fjernarbeid refdata update" in warning["message"]


# -- codes, numbers and ranges ----------------------------------------------------------------


def test_code_not_in_list_is_reported_once_not_again_through_the_routing(check, valid_frame):
    report = check(with_values(valid_frame, q12=(0, 9)))

    assert only_rules(report) == {"code_not_in_list"}
    (p,) = problems(report, "code_not_in_list")
    assert p == {"id": "1", "row": 2, "column": "q12", "rule": "code_not_in_list", "value": 9,
                 "message": "q12 = 9 is not one of its codes (1-6)"}


def test_not_sure_codes_are_valid_answers(check, valid_frame, instrument):
    frame = valid_frame.copy()
    for q in instrument:
        if q.missing_codes:
            frame.loc[0, q.name] = q.missing_codes[0]
    assert check(frame).ok


def test_text_in_a_coded_column_is_not_numeric_and_a_label_is_recognised(check, valid_frame):
    report = check(with_values(valid_frame, q4=(1, "abc"), q207=(2, "Kvinne")))

    by_column = {p["column"]: p for p in problems(report, "not_numeric")}
    assert by_column["q4"]["message"] == "q4 = 'abc' is not a number"
    assert by_column["q4"]["row"] == 3 and by_column["q4"]["value"] == "abc"
    assert by_column["q207"]["message"] == ("q207 = 'Kvinne' is not a number; it is the label of code 2: "
                                           "the file seems to hold labels instead of codes")


def test_a_fraction_in_a_coded_column_is_not_a_code(check, valid_frame):
    (p,) = problems(check(with_values(valid_frame, q11=(0, "1.5"))), "code_not_in_list")
    assert p["value"] == "1.5" and p["message"] == "q11 = 1.5 is not one of its codes (1, 2)"


@pytest.mark.parametrize("value, ok", [(0, False), (1, True), (20, True), (21, False), ("2.5", False),
                                       ("2,5", False), ("3,0", True)])
def test_household_size_must_be_a_whole_number_from_1_to_20(check, valid_frame, value, ok):
    report = check(with_values(valid_frame, q3=(0, value)))
    found = problems(report, "household_size_range")
    assert report.ok is ok and len(found) == (0 if ok else 1)
    if not ok:
        assert found[0]["column"] == "q3" and found[0]["row"] == 2 and str(found[0]["value"]) == str(value)


def test_birth_years_follow_the_target_ages_and_the_fieldwork_dates(check, valid_frame, instrument):
    lo, hi = instrument.birth_year_range()
    assert (lo, hi) == (1964, 2000)
    frame = valid_frame.copy()
    frame["q202"] = [lo - 1, lo, hi, hi + 1, 1985, 1900]

    found = problems(check(frame), "birth_year_out_of_range")

    assert [(p["row"], p["value"]) for p in found] == [(2, 1963), (5, 2001), (7, 1900)]
    assert found[0]["message"] == ("q202 = 1963 is outside 1964-2000: born outside 1964-2000, the respondent "
                                   "cannot have been 25-60 years old during the fieldwork (2025-04-24 to 2025-05-15)")


# -- postal codes -----------------------------------------------------------------------------


def test_postal_code_format(check, valid_frame):
    frame = valid_frame.copy()
    frame["q201"] = ["51A0", "12345", "150", " 5600 ", "5600.0", "0150"]

    report = check(frame)

    found = problems(report, "postal_code_format")
    assert [(p["row"], p["value"]) for p in found] == [(2, "51A0"), (3, "12345")]
    assert found[0]["message"] == "q201 = '51A0' is not a four-digit postal code"
    # '150' is Oslo 0150 without its zero: read as 0150, with a warning that says so
    assert only_rules(report) == {"postal_code_format", "postal_code_zero_restored"}
    restored = problems(report, "postal_code_zero_restored")
    assert len(restored) == 1 and "line 4: '150' → '0150'" in restored[0]["message"]


def test_postal_codes_not_in_the_register(check, valid_frame):
    frame = with_values(valid_frame, q201=(3, "9999"))
    (p,) = problems(check(frame), "postal_code_unknown")
    assert (p["id"], p["row"], p["value"]) == ("4", 5, "9999")
    assert "is not in the postal-code register (postnummerregister" in p["message"]


# -- routing and screening --------------------------------------------------------------------


def test_an_answer_the_routing_skipped(check, valid_frame):
    frame = with_values(valid_frame, q13=(1, 1))  # respondent 2 never uses a home office (q12 = 6)
    (p,) = problems(check(frame), "answered_but_skipped")
    assert p == {"id": "2", "row": 3, "column": "q13", "rule": "answered_but_skipped", "value": 1,
                 "message": "q13 is answered (1) but should have been skipped: it is asked only if q12 < 6, "
                            "and here q12 = 6"}


def test_a_missing_answer_the_routing_required(check, valid_frame):
    frame = with_values(valid_frame, q14=(0, None), q4=(3, None))

    found = problems(check(frame), "required_missing")

    assert [(p["row"], p["column"]) for p in found] == [(2, "q14"), (5, "q4")]
    assert found[0]["message"] == "q14 has no answer, but it is asked when q12 < 6, and here q12 = 2"
    assert found[1]["message"] == "q4 has no answer, but every respondent is asked it"


def test_an_empty_open_answer_is_only_a_warning(check, valid_frame):
    report = check(with_values(valid_frame, q5_text=(2, None)))
    assert report.ok
    (p,) = problems(report, "text_missing")
    assert p["column"] == "q5_text" and p["row"] == 4


def test_screened_out_respondents_are_reported_once_each(check, valid_frame, instrument):
    frame = valid_frame.copy()
    frame.loc[0, "q1"] = 3  # not working 50% or more: the interview ends here
    later = instrument.names[instrument.names.index("q2"):]
    frame.loc[0, later] = pd.NA
    frame.loc[1, "q2"] = 2  # cannot work from home: ends after q2
    frame.loc[1, instrument.names[instrument.names.index("q3"):]] = pd.NA

    report = check(frame)

    found = problems(report, "screened_out")
    assert [(p["id"], p["column"], p["value"]) for p in found] == [("1", "q1", 3), ("2", "q2", 2)]
    assert found[0]["message"] == ("q1 = 3 (No, not working at least 50%) screens the respondent out (S1); "
                                   "a file of completed interviews cannot contain them")
    assert only_rules(report) == {"screened_out"}  # their unanswered questions are not errors


# -- ids and columns ----------------------------------------------------------------------------


def test_duplicate_ids_list_every_row(check, valid_frame):
    frame = valid_frame.copy()
    frame["id"] = ["1", "7", "3", "7", "5", "7"]

    found = problems(check(frame), "duplicate_id")

    assert [(p["id"], p["row"]) for p in found] == [("7", 3), ("7", 5), ("7", 7)]
    assert found[0]["message"] == "id '7' occurs 3 times (first at line 3)"


def test_ids_of_digits_are_duplicates_as_texts_are_not_as_numbers(check, valid_frame):
    """'007' and '7' are two ids (ids of digits are compared as integers with their length); an
    empty id is missing, not a duplicate of another empty one."""
    frame = valid_frame.copy()
    frame["id"] = ["007", "7", "0", "00", "", ""]

    report = check(frame)

    assert problems(report, "duplicate_id") == []
    assert [p["row"] for p in problems(report, "missing_id")] == [6, 7]


def test_a_row_without_an_id(check, valid_frame):
    (p,) = problems(check(with_values(valid_frame, id=(2, None))), "missing_id")
    assert p["row"] == 4 and p["id"] is None


def test_missing_and_unknown_columns(check, valid_frame):
    frame = valid_frame.drop(columns=["q207", "q5_text", "q12"])
    frame["vekt"] = 1.0
    frame["age"] = 40

    report = check(frame)

    assert [p["column"] for p in problems(report, "missing_column")] == ["q12", "q207"]
    assert [p["column"] for p in problems(report, "missing_text_column")] == ["q5_text"]
    assert [p["column"] for p in problems(report, "unknown_column")] == ["vekt"]
    assert [p["column"] for p in problems(report, "derived_column")] == ["age"]
    routing = problems(report, "routing_not_checked")
    assert [p["column"] for p in routing] == ["q13", "q14"]
    assert "the file has no column q12" in routing[0]["message"]


def test_a_missing_id_column(check, valid_frame):
    report = check(valid_frame.drop(columns=["id"]))
    (p,) = problems(report, "missing_column")
    assert p["column"] == "id" and p["row"] is None


def test_a_header_without_rows_is_an_empty_file(tmp_path, instrument):
    path = tmp_path / "f.csv"
    path.write_text(",".join(["id", *instrument.names]) + "\n")
    report = validate(read_survey(path), refdata=NO_REFDATA)
    assert [p["rule"] for p in report.to_dict()["errors"]] == ["empty_file"]


def test_a_repeated_column_is_an_error(tmp_path, valid_frame, write):
    lines = write(valid_frame, tmp_path / "f.csv").read_text().splitlines()
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([lines[0] + ",q3"] + [line + ",2" for line in lines[1:]]) + "\n")
    report = validate(read_survey(path))
    (p,) = problems(report, "duplicate_column")
    assert p["column"] == "q3" and "columns 6 and 29" in p["message"]


def test_a_column_without_a_name(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,,q1\n1,x,1\n")
    report = validate(read_survey(path), refdata=NO_REFDATA)
    (p,) = problems(report, "unnamed_column")
    assert p["column"] == "column_2" and "column 2 has no name" in p["message"]


def test_another_survey_gets_the_generic_range_rule(tmp_path):
    from fjernarbeid.instrument.model import instrument_from_dict

    other = instrument_from_dict({"id": "other", "questions": [
        {"name": "children", "type": "integer", "range": {"min": 0, "max": 10}},
        {"name": "school", "type": "single", "ask_if": "children > 0",
         "codes": [{"code": 1, "en": "yes"}, {"code": 2, "en": "no"}]},
    ]})
    path = tmp_path / "f.csv"
    path.write_text("id,children,school\na,11,1\nb,0,\nc,0,2\n")

    report = validate(read_survey(path, other), refdata=NO_REFDATA)

    assert [(p["rule"], p["row"], p["column"]) for p in report.to_dict()["errors"]] == [
        ("out_of_range", 2, "children"), ("answered_but_skipped", 4, "school")]
    assert report.to_dict()["warnings"] == []


# -- SPSS value labels --------------------------------------------------------------------------


def test_reversed_value_labels_are_an_error_and_extra_codes_a_warning(check, valid_frame, instrument):
    labels = {q: instrument[q].code_labels("nb") for q in ("q23", "q22")}
    labels["q23"] = dict(zip(sorted(labels["q23"]), [labels["q23"][c] for c in (5, 4, 3, 2, 1, 6)]))
    labels["q22"][9] = "Vet ikke"

    report = check(valid_frame, "f.sav", value_labels=labels)

    conflicts = problems(report, "value_labels_conflict")
    assert [(p["column"], p["value"]) for p in conflicts] == [("q23", 1), ("q23", 2), ("q23", 4), ("q23", 5)]
    assert conflicts[0]["message"] == ("in the file, q23 code 1 is labelled 'Svært lite attraktivt', which is "
                                       "code 5 in the questionnaire: the codes may be reversed or recoded")
    (extra,) = problems(report, "value_labels_differ")
    assert extra["column"] == "q22" and extra["value"] == 9


# -- rows as the user sees them, in every format --------------------------------------------------


@pytest.mark.parametrize("name, row", [("f.csv", 4), ("f.xlsx", 4), ("f.sav", 3), ("f.parquet", 3)])
def test_rows_are_reported_as_the_file_counts_them(check, valid_frame, name, row):
    (p,) = problems(check(with_values(valid_frame, q12=(2, 7)), name), "code_not_in_list")
    assert p["row"] == row and p["id"] == "3"


def test_a_kobo_export_validates_cleanly(check, valid_frame):
    export = valid_frame.rename(columns={c: f"grp/{c}" for c in valid_frame.columns if c != "id"})
    export = export.astype({"grp/q13": "string", "grp/q14": "string"}).fillna({"grp/q13": "n/a", "grp/q14": "n/a"})
    export["_uuid"] = "u" + export["id"]
    export["_submission_time"] = "2025-05-02T10:00:00"
    assert check(export, sep=";").to_dict() == {"errors": [], "warnings": []}


# -- the report ---------------------------------------------------------------------------------


def test_json_shape(check, valid_frame):
    frame = with_values(valid_frame, q12=(0, 9), q3=(1, "x"))
    frame["extra"] = 1

    report = check(frame, refdata=NO_REFDATA)
    as_json = json.loads(json.dumps(report.to_dict()))

    assert set(as_json) == {"errors", "warnings"}
    for item in as_json["errors"] + as_json["warnings"]:
        assert set(item) == {"id", "row", "column", "rule", "message", "value"}
        assert item["rule"] in RULES
    assert [(e["rule"], e["row"], e["value"]) for e in as_json["errors"]] == [
        ("code_not_in_list", 2, 9), ("not_numeric", 3, "x")]
    assert [w["rule"] for w in as_json["warnings"]] == ["postal_code_not_checked", "unknown_column"]
    assert report.errors[0].row == 2 and report.errors[0].severity == "error"
    assert report.n_errors == 2 and report.n_warnings == 2 and not report.ok


def test_nothing_is_capped(check, valid_frame):
    frame = pd.concat([valid_frame] * 500, ignore_index=True)
    frame["id"] = [str(i) for i in range(len(frame))]
    frame["q3"] = 0

    report = check(frame)

    found = problems(report, "household_size_range")
    assert len(found) == 3000
    assert [p["row"] for p in found] == list(range(2, 3002))
    assert report.counts().to_dict("records") == [{"severity": "error", "rule": "household_size_range", "count": 3000}]


def test_errors_first_then_in_file_order(check, valid_frame):
    frame = with_values(valid_frame, q3=(4, 0), q207=(1, 5))
    frame["extra"] = 1
    report = check(frame)
    assert [(p.severity, p.row, p.column) for p in report.errors + report.warnings] == [
        ("error", 3, "q207"), ("error", 6, "q3"), ("warning", None, "extra")]


def test_raise_for_errors(check, valid_frame):
    assert check(valid_frame).raise_for_errors().ok
    report = check(with_values(valid_frame, q12=(0, 9)))
    with pytest.raises(DataValidationError, match="1 validation error") as exc:
        report.raise_for_errors()
    assert exc.value.report is report and exc.value.exit_code == 1


def test_every_rule_has_a_severity_and_a_description():
    assert {severity for severity, _ in RULES.values()} == {"error", "warning"}
    assert all(description for _, description in RULES.values())


# -- a cascading select (XLSForm choice_filter) --------------------------------------------------


def cascading_form(tmp_path):
    import openpyxl

    wb = openpyxl.Workbook()
    survey = wb.active
    survey.title = "survey"
    for row in [("type", "name", "label", "required", "choice_filter"),
                ("select_one kommune", "kommune", "Kommune", "false", ""),
                ("select_one bygd", "bygd", "Bygd", "false", "kommune=${kommune}")]:
        survey.append(row)
    choices = wb.create_sheet("choices")
    for row in [("list_name", "name", "label", "kommune"), ("kommune", "kvam", "Kvam", ""),
                ("kommune", "ulvik", "Ulvik", ""), ("bygd", "oystese", "Øystese", "kvam"),
                ("bygd", "ulvik_sentrum", "Ulvik sentrum", "ulvik")]:
        choices.append(row)
    wb.save(tmp_path / "form.xlsx")
    return tmp_path / "form.xlsx"


def test_a_cascading_select_is_judged_only_where_the_earlier_question_was_answered(tmp_path):
    """Rows left empty (a screened-out submission, an optional question) are read as pd.NA: not judged,
    and never a crash."""
    from fjernarbeid.instrument import load_instrument

    inst = load_instrument(cascading_form(tmp_path))
    path = tmp_path / "f.csv"
    path.write_text("id,kommune,bygd\n1,kvam,oystese\n2,,\n3,ulvik,oystese\n4,,oystese\n", "utf-8")
    report = validate(read_survey(path, inst), inst, NO_REFDATA)
    (problem,) = problems(report, "choice_not_offered")
    assert problem["row"] == 4 and problem["column"] == "bygd"


# -- a decimal question ---------------------------------------------------------------------------------


def test_a_decimal_question_reads_decimal_commas_and_names_what_is_no_number_or_out_of_range(tmp_path):
    from fjernarbeid.instrument import instrument_from_dict

    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "reisetid", "type": "decimal", "range": {"min": 0, "max": 2.5}, "required": False}]})
    path = tmp_path / "f.csv"
    path.write_text("id;reisetid\n1;0.75\n2;1,5\n3;\n4;inf\n5;3.25\n6;mye\n", "utf-8")
    data = read_survey(path, inst)
    assert data.frame["reisetid"].tolist()[:2] == [0.75, 1.5]
    report = validate(data, inst, NO_REFDATA)
    found = {(p.rule, p.row) for p in report.errors}
    assert found == {("not_numeric", 5), ("out_of_range", 6), ("not_numeric", 7)}  # lines of the file
    (outside,) = problems(report, "out_of_range")
    assert "outside 0-2.5" in outside["message"] and "must be a number from 0 to 2.5" in outside["message"]


# -- a date question -------------------------------------------------------------------------------------


def test_a_date_question_holds_iso_dates_and_names_what_is_no_date(tmp_path):
    """Kobo and ODK write 2026-05-01; an Excel date cell is the same date; 2026-02-30 and 01.05.2026 are
    errors naming their line."""
    import datetime as dt

    from fjernarbeid.instrument import instrument_from_dict

    inst = instrument_from_dict({"id": "t", "questions": [{"name": "flyttedato", "type": "date", "required": False}]})
    path = tmp_path / "f.csv"
    path.write_text("id,flyttedato\n1,2026-05-01\n2,\n3,2026-02-30\n4,01.05.2026\n", "utf-8")
    data = read_survey(path, inst)
    assert data.frame["flyttedato"].iloc[0] == "2026-05-01"
    report = validate(data, inst, NO_REFDATA)
    assert {(p.rule, p.row) for p in report.errors} == {("not_a_date", 4), ("not_a_date", 5)}
    workbook = tmp_path / "f.xlsx"
    pd.DataFrame({"id": [1, 2], "flyttedato": [dt.datetime(2026, 5, 1), None]}).to_excel(workbook, index=False)
    assert read_survey(workbook, inst).frame["flyttedato"].iloc[0] == "2026-05-01"


def test_an_unknown_choice_name_of_a_single_choice_is_not_one_of_its_choices(coworking_study, tmp_path):
    """A Kobo export holds choice names: 'bergen' for a municipality of the list (sunnfjord, kinn) was
    'kommune = 'bergen' is not a number' (rule not_numeric), which tells the analyst nothing."""
    from fjernarbeid.study import load_study

    form = load_study(coworking_study.study).instrument
    text = coworking_study.export.read_text("utf-8").splitlines()
    fields = text[2].split(";")
    fields[3] = "bergen"
    text[2] = ";".join(fields)
    path = tmp_path / "export.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    report = validate(read_survey(path, form), form, NO_REFDATA)
    (problem,) = report.errors
    assert (problem.rule, problem.row, problem.column) == ("code_not_in_list", 3, "kommune")
    assert problem.message == "kommune = 'bergen' is not one of its choices (sunnfjord, kinn)"

"""The questionnaire as an XLSForm: what the sheets say, that pyxform accepts it, and the way back."""

from __future__ import annotations

import dataclasses
import functools
import shutil
import xml.etree.ElementTree as ET

import openpyxl
import pandas as pd
import pytest
from pyxform.xls2xform import convert

from fjernarbeid.errors import InputFileError, InstrumentError
from fjernarbeid.instrument import Condition, Instrument, instrument_from_dict, load_instrument
from fjernarbeid.instrument.xlsform import read_xlsform, write_xlsform

NB, EN = "Norsk bokmål (nb)", "English (en)"
XF = "{http://www.w3.org/2002/xforms}"


@pytest.fixture(scope="module")
def study_form(tmp_path_factory, instrument) -> str:
    return str(write_xlsform(instrument, tmp_path_factory.mktemp("xlsform") / "norce2025.xlsx"))


@pytest.fixture(scope="module")
def self_form(tmp_path_factory, instrument) -> str:
    return str(write_xlsform(instrument, tmp_path_factory.mktemp("xlsform") / "self.xlsx", mode="self"))


@functools.lru_cache(maxsize=16)
def _rows(path: str, name: str) -> tuple[tuple, ...]:
    return tuple(openpyxl.load_workbook(path, read_only=True)[name].iter_rows(values_only=True))


def sheet(path, name: str) -> list[dict]:
    rows = _rows(str(path), name)
    return [dict(zip(rows[0], (v if v is not None else "" for v in row))) for row in rows[1:]]


def survey_row(path, name: str) -> dict:
    return next(r for r in sheet(path, "survey") if r["name"] == name)


def assert_same_instrument(back: Instrument, original: Instrument) -> None:
    """Field by field, so that a failure says which field of which question differs."""
    for f in dataclasses.fields(Instrument):
        if f.name != "questions":
            assert getattr(back, f.name) == getattr(original, f.name), f.name
    assert back.names == original.names
    for b, o in zip(back.questions, original.questions):
        for f in dataclasses.fields(o):
            assert getattr(b, f.name) == getattr(o, f.name), f"{o.name}.{f.name}"
    assert back == original


# -- the way back ---------------------------------------------------------------------------------


def test_the_study_instrument_survives_the_round_trip(study_form, instrument):
    assert_same_instrument(read_xlsform(study_form), instrument)


def test_the_self_completion_form_reads_back_into_the_same_instrument(self_form, instrument):
    assert_same_instrument(read_xlsform(self_form), instrument)


def test_load_instrument_reads_an_xlsform(study_form, instrument):
    assert load_instrument(study_form) == instrument


def test_a_form_edited_in_a_spreadsheet_reads_back_with_the_edits(study_form, tmp_path, instrument):
    wb = openpyxl.load_workbook(study_form)
    ws = wb["survey"]
    header = [c.value for c in ws[1]]
    for row in ws.iter_rows(min_row=2):
        cells = dict(zip(header, row))
        if cells["name"].value == "q13":
            cells["relevant"].value = "${q12} < 5"  # the form-builder narrows the routing
        if cells["name"].value == "q11":
            cells[f"label::{EN}"].value = "Do you manage staff?"
        if cells["name"].value == "q3":
            cells["constraint"].value = ". >= 1 and . <= 15"
            cells["fj_number"].value = 3  # a spreadsheet program turns "3" into a number
    choices = wb["choices"]
    choices.append(["yes_no", 9, "Vet ikke (IKKE LES)", "Don't know", "yes", None, None])
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)

    back = read_xlsform(edited)
    assert back["q13"].ask_if.tree == Condition.parse("q12 < 5").tree
    assert back["q14"].ask_if == instrument["q14"].ask_if
    assert back["q11"].label("en") == "Do you manage staff?"
    assert back["q3"].range == (1, 15) and back["q3"].number == "3"
    assert back["q2"].code_list == "yes_no" and back["q2"].missing_codes == (9,)


def test_routing_written_with_in_keeps_its_original_form(tmp_path):
    tiny = instrument_from_dict({
        "id": "tiny", "title": {"nb": "Liten", "en": "Tiny"},
        "questions": [
            {"name": "a", "codes": [{"code": c, "nb": f"K{c}", "en": f"C{c}"} for c in (1, 2, 3)],
             "text": {"nb": "A?", "en": "A?"}},
            {"name": "b", "type": "text", "ask_if": "a in (1, 2)", "text": {"nb": "B?", "en": "B?"}},
        ],
    })
    path = write_xlsform(tiny, tmp_path / "tiny.xlsx")
    assert survey_row(path, "b")["relevant"] == "(${a} = 1 or ${a} = 2)"
    assert read_xlsform(path) == tiny  # no screening: no disposition, no groups
    assert not any(r["type"] in ("calculate", "begin group") for r in sheet(path, "survey"))


# -- what the sheets say ----------------------------------------------------------------------


def test_settings_name_the_form_and_its_default_language(study_form, instrument):
    (settings,) = sheet(study_form, "settings")
    assert settings == {"form_title": instrument.label("nb"), "form_id": "norce-fjernarbeid-2025",
                        "version": "2025-04", "default_language": NB}


def test_questions_carry_both_languages_and_the_report_number(study_form):
    q6_1 = survey_row(study_form, "q6_1")
    assert q6_1["label::" + NB] == "Det er like effektivt å jobbe på hjemmekontor som på arbeidsplassen"
    assert q6_1["label::" + EN] == "Working from a home office is as effective as working at the workplace"
    assert q6_1["fj_number"] == "6_1"
    assert survey_row(study_form, "q2")["hint::" + NB].startswith("Vi tenker altså på")
    assert survey_row(study_form, "q3")["guidance_hint::" + NB] == "REGISTRER ANTALL PERSONER"


def test_code_lists_are_written_once_and_reused_by_name(study_form):
    assert {survey_row(study_form, f"q6_{i}")["type"] for i in range(1, 5)} == {"select_one agree5"}
    assert survey_row(study_form, "q13")["type"] == "select_one q13"
    choices = pd.DataFrame(sheet(study_form, "choices"))
    assert choices.groupby("list_name").size()["agree5"] == 6
    agree5 = choices[choices.list_name == "agree5"].set_index("name")
    assert agree5.loc["2", "label::" + NB] == "delvis enig"
    assert agree5["fj_missing"].to_dict() == {"1": "", "2": "", "3": "", "4": "", "5": "", "6": "yes"}


def test_integers_are_range_checked_with_messages_in_both_languages(study_form):
    q202 = survey_row(study_form, "q202")
    assert (q202["type"], q202["constraint"]) == ("integer", ". >= 1964 and . <= 2000")
    assert "1964" in q202["constraint_message::" + NB] and "2000" in q202["constraint_message::" + NB]
    assert "1964" in q202["constraint_message::" + EN] and "25-60" in q202["constraint_message::" + EN]
    assert survey_row(study_form, "q3")["constraint"] == ". >= 1 and . <= 20"
    q201 = survey_row(study_form, "q201")
    assert (q201["type"], q201["constraint"]) == ("text", "regex(., '^[0-9]{4}$')")
    assert q201["constraint_message::" + NB] and q201["constraint_message::" + EN]


def test_routing_is_relevant(study_form):
    assert survey_row(study_form, "q13")["relevant"] == "${q12} < 6"
    assert survey_row(study_form, "q14")["relevant"] == "${q12} < 6"
    assert survey_row(study_form, "q5_text")["relevant"] == "${q5} = 3"


def test_screening_feeds_a_disposition_and_groups_exclude_the_screened_out(study_form):
    rows = sheet(study_form, "survey")
    names = [r["name"] for r in rows]
    disposition = survey_row(study_form, "disposition")
    assert disposition["type"] == "calculate"
    assert disposition["calculation"] == (
        "if((${q1} = 3), 'screened_out_s1', if((${q2} = 2), 'screened_out_s2', 'complete'))"
    )
    groups = [r for r in rows if r["type"] == "begin group"]
    assert [(g["name"], g["relevant"]) for g in groups] == [
        ("after_s1", "not(${q1} = 3)"), ("after_s2", "not(${q2} = 2)"),
    ]
    # S2 and everything after S1 sit in the first group; everything after S2 in the second.
    assert names.index("after_s1") == names.index("q1") + 1
    assert names.index("after_s2") == names.index("q2") + 1
    assert [r["type"] for r in rows].count("end group") == 2
    assert names.index("closing") < names.index("disposition") < names.index("screened_out")
    # What the group conditions mean, evaluated on every answer: only the screen-out code drops out.
    q1 = pd.DataFrame({"q1": [1, 2, 3]})
    assert Condition.from_xpath(groups[0]["relevant"]).evaluate(q1).tolist() == [True, True, False]
    thanks = survey_row(study_form, "screened_out")
    assert thanks["type"] == "note" and thanks["relevant"] == "${disposition} != 'complete'"
    assert thanks["label::" + NB] and thanks["label::" + EN]


def test_preambles_intro_and_closing_are_notes(study_form, instrument):
    rows = sheet(study_form, "survey")
    names = [r["name"] for r in rows]
    assert names[0] == "intro" and survey_row(study_form, "intro")["label::" + NB] == instrument.intro["nb"]
    assert names.index("q16_1_preamble") == names.index("q16_1") - 1
    assert survey_row(study_form, "q16_1_preamble")["type"] == "note"


def test_not_sure_codes_are_choices_for_the_interviewer_and_hidden_in_self_completion(study_form, self_form):
    cati, own = survey_row(study_form, "q13"), survey_row(self_form, "q13")
    assert (cati["choice_filter"], cati["required"]) == ("", "yes")
    assert (own["choice_filter"], own["required"]) == ("fj_missing != 'yes'", "")
    # A question without a "not sure" code stays required in both modes.
    assert survey_row(self_form, "q12")["required"] == "yes" and survey_row(self_form, "q12")["choice_filter"] == ""


# -- pyxform and ODK Validate ---------------------------------------------------------------


def xform(path) -> ET.Element:
    warnings: list[str] = []
    result = convert(xlsform=path, warnings=warnings)
    assert warnings == []
    return ET.fromstring(result.xform)


def bind(root: ET.Element, name: str) -> dict:
    return next(b.attrib for b in root.iter(XF + "bind") if b.attrib["nodeset"].endswith("/" + name))


def test_pyxform_converts_the_form_with_both_translations(study_form):
    root = xform(study_form)
    langs = [t.attrib["lang"] for t in root.iter(XF + "translation")]
    assert langs == [NB, EN]
    assert bind(root, "q202")["constraint"] == ". >= 1964 and . <= 2000"
    assert bind(root, "q13")["relevant"].split() == ["/data/after_s1/after_s2/q12", "<", "6"]
    assert bind(root, "after_s1")["relevant"].replace(" ", "") == "not(/data/q1=3)"
    # CATI: the interviewer sees every choice, "not sure" included.
    assert not any("fj_missing" in i.attrib["nodeset"] for i in root.iter(XF + "itemset"))


def test_pyxform_converts_the_self_completion_form_with_the_choice_filter(self_form):
    root = xform(self_form)
    itemsets = {i.attrib["nodeset"] for i in root.iter(XF + "itemset")}
    assert "instance('agree5')/root/item[fj_missing != 'yes']" in itemsets


@pytest.mark.skipif(shutil.which("java") is None, reason="ODK Validate needs Java")
def test_odk_validate_accepts_both_forms(study_form, self_form):
    for path in (study_form, self_form):
        convert(xlsform=path, validate=True)  # raises ODKValidateError on an invalid form


# -- errors ---------------------------------------------------------------------------------


def test_writing_refuses_unknown_modes_and_other_file_types(instrument, tmp_path):
    with pytest.raises(InstrumentError, match="mode must be one of"):
        write_xlsform(instrument, tmp_path / "f.xlsx", mode="paper")
    with pytest.raises(InputFileError, match=r"f.xls: an XLSForm is written as an .xlsx"):
        write_xlsform(instrument, tmp_path / "f.xls")


def test_a_list_name_clash_is_an_error_and_leaves_no_file(tmp_path):
    clash = instrument_from_dict({
        "id": "clash",
        "code_lists": {"a": [{"code": 1, "nb": "x"}]},
        "questions": [{"name": "a", "codes": [{"code": 1, "nb": "y"}], "text": "A?"}],
    })
    with pytest.raises(InstrumentError, match="list name 'a' is needed for question a but already used"):
        write_xlsform(clash, tmp_path / "clash.xlsx")
    assert list(tmp_path.iterdir()) == []


def edit(form, tmp_path, sheet_name: str, name: str, column: str, value) -> str:
    wb = openpyxl.load_workbook(form)
    ws = wb[sheet_name]
    header = [c.value for c in ws[1]]
    key = "name" if sheet_name != "fj_instrument" else "key"
    row = next(r for r in ws.iter_rows(min_row=2) if r[header.index(key)].value == name)
    row[header.index(column)].value = value
    out = tmp_path / "edited.xlsx"
    wb.save(out)
    return str(out)


@pytest.mark.parametrize(
    "sheet_name, name, column, value, message",
    [
        ("survey", "q3", "type", "barcode", r"survey, row \d+, column type: question type 'barcode' is not supported"),
        ("survey", "q3", "constraint", ". > ${q99}", r"question q3: constraint uses \['q99'\], not asked before it"),
        ("survey", "q13", "relevant", "${q12} + 1 < 6", r"sheet survey, row \d+, column relevant:"),
        ("survey", "q13", "type", "select_one q99", r"column type: no choice list 'q99'"),
        ("survey", "q1", "fj_screen_out", "three", r"column fj_screen_out: expected codes"),
        ("survey", "q1", "fj_screen_out", "7", r"question q1: screen_out codes \[7\] are not all in its code list"),
        ("fj_instrument", "min_age", "value", "twenty-five", r"min_age must be a whole number"),
        ("fj_instrument", "fieldwork_start", "value", "24.04.2025", r"fieldwork_start must be a date"),
    ],
)
def test_cells_that_cannot_be_read_are_reported_by_sheet_row_and_column(
    study_form, tmp_path, sheet_name, name, column, value, message
):
    path = edit(study_form, tmp_path, sheet_name, name, column, value)
    with pytest.raises(InstrumentError, match=message) as err:
        read_xlsform(path)
    assert str(err.value).startswith(path)


def test_a_choice_name_used_twice_in_a_list_is_an_error(study_form, tmp_path):
    wb = openpyxl.load_workbook(study_form)
    wb["choices"].append(["q13", "1", "Annet", "Other", "", "", ""])
    wb.save(tmp_path / "f.xlsx")
    with pytest.raises(InstrumentError, match=r"sheet choices, row \d+, column name: choice name '1' is used twice"):
        read_xlsform(tmp_path / "f.xlsx")


def test_a_constraint_the_conditions_cannot_express_is_kept_and_noted(study_form, tmp_path):
    inst = read_xlsform(edit(study_form, tmp_path, "survey", "q201", "constraint", "string-length(.) = 4"))
    assert inst["q201"].unenforced_constraint == "string-length(.) = 4"
    assert any("q201: constraint 'string-length(.) = 4' is not enforced" in n for n in inst.notes)


def test_missing_files_sheets_and_non_workbooks_are_reported(tmp_path):
    with pytest.raises(InputFileError, match="nope.xlsx: XLSForm file not found"):
        read_xlsform(tmp_path / "nope.xlsx")
    (tmp_path / "text.xlsx").write_text("type,name\n", "utf-8")
    with pytest.raises(InputFileError, match="text.xlsx: not a readable .xlsx workbook"):
        read_xlsform(tmp_path / "text.xlsx")
    wb = openpyxl.Workbook()
    wb.active.title = "survey"
    wb.active.append(["type", "name"])
    wb.save(tmp_path / "nochoices.xlsx")
    with pytest.raises(InstrumentError, match="needs a sheet named 'choices'"):
        read_xlsform(tmp_path / "nochoices.xlsx")

"""Ordinary XLSForms as KoboToolbox and ODK make them: read into the same kind of instrument as the
study's own, with what was left out or interpreted in ``instrument.notes``."""

from __future__ import annotations

from pathlib import Path

import openpyxl
import pytest

from fjernarbeid.errors import InstrumentError
from fjernarbeid.instrument import instrument_from_dict, load_instrument
from fjernarbeid.instrument.xlsform import is_dont_know_name, read_xlsform, write_xlsform

HARDANGER = Path(__file__).resolve().parents[1] / "fixtures" / "studies" / "hardanger_remote" / "kobo_form.xlsx"


@pytest.fixture(scope="module")
def hardanger():
    return load_instrument(HARDANGER)


def form(tmp_path, survey, choices, settings=None) -> Path:
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in survey:
        ws.append(row)
    ch = wb.create_sheet("choices")
    for row in choices:
        ch.append(row)
    if settings:
        st = wb.create_sheet("settings")
        for row in settings:
            st.append(row)
    path = tmp_path / "form.xlsx"
    wb.save(path)
    return path


def test_the_kobo_form_reads_with_its_languages_title_and_screening(hardanger):
    assert hardanger.id == "hardanger_fjernarbeid_2026" and hardanger.title == {"nn": "Fjernarbeid i Hardanger 2026"}
    assert len([q for q in hardanger if not q.metadata]) == 14
    # the device's start, end and date are carried as variables, not asked and not numbered
    assert [(q.name, q.type, q.number) for q in hardanger if q.metadata] == [
        ("start", "datetime", "start"), ("end", "datetime", "end"), ("today", "date", "today")]
    assert hardanger["kommune"].label("en") == "Which municipality do you live in?"
    assert hardanger["fjernarbeid"].screen_out == {2} and hardanger["fjernarbeid"].screening == "S1"
    # the screening group's condition is screening, not routing of every question inside it
    assert hardanger["kommune"].ask_if is None
    assert hardanger.intro["nn"].startswith("Velkomen") and hardanger.closing["en"] == "Thank you for answering!"


def test_routing_from_groups_selected_and_quoted_codes(hardanger):
    assert str(hardanger["arbeidsstad"].ask_if) == "dagar_heime > 0"  # the group's relevant
    assert str(hardanger["kontorfellesskap_bruk"].ask_if) == "selected(arbeidsstad, 2)"  # 'kontorfellesskap' is 2
    assert str(hardanger["tiltak"].ask_if) == "tilfreds != 5"  # '5' quoted in the form


def test_choice_types_names_dont_know_and_exclusive_choices(hardanger):
    stad = hardanger["arbeidsstad"]
    assert stad.is_multiple and stad.exclusive == {5}
    assert [(c.code, c.name, c.missing) for c in stad.codes][-1] == (5, "veit_ikkje", True)
    assert hardanger["utdanning"].missing_codes == (-99,)
    assert hardanger["utfordringar"].exclusive == {5} and not hardanger["utfordringar"].missing_codes
    assert hardanger["postnr"].type == "postal_code"  # a text with a four-digit regex
    assert hardanger["fodselsar"].range == (1959, 2006)
    assert hardanger["tiltak"].required is False and hardanger["kommentar"].required is False
    assert hardanger["tilfreds"].required is True


def test_what_was_ignored_or_interpreted_is_noted(hardanger):
    notes = "\n".join(hardanger.notes)
    assert "metadata carried and checked, never analysed (recorded by the device, not asked): start, end, today" in notes
    assert "metadata rows ignored (recorded by the device, not asked): deviceid, username, audit" in notes
    assert "choice list 'arbeidsstad' has text names, read as codes: heime=1, kontorfellesskap=2" in notes
    assert "takk_utanfor (shown only when ${fjernarbeid} = 'nei')" in notes


@pytest.mark.parametrize("name, expected", [("dont_know", True), ("Vet ikke", True), ("veit_ikkje", True),
                                            ("-99", True), ("99", False), ("ja", False), ("ingen", False)])
def test_dont_know_choices_by_name(name, expected):
    assert is_dont_know_name(name) is expected


def test_nested_group_conditions_are_anded_and_a_missing_column_decides_dont_know(tmp_path):
    path = form(tmp_path, [
        ["type", "name", "label", "relevant", "required", "constraint"],
        ["select_one yn", "a", "A?", "", "yes", ""],
        ["begin group", "g1", "", "${a} = 'yes'", "", ""],
        ["integer", "b", "B?", "", "yes", ". >= 0"],
        ["begin_group", "g2", "", "${b} > 2", "", ""],
        ["select_one yn", "c", "C?", "not(${a} = 'no')", "", "string-length(.) < 3"],
        ["end_group", "", "", "", "", ""],
        ["end group", "", "", "", "", ""],
        ["select_one yn", "d", "D?", "", "true()", ""],
    ], [["list_name", "name", "label", "missing"], ["yn", "yes", "Yes", ""], ["yn", "no", "No", ""],
        ["yn", "dk", "Don't know", "no"], ["yn", "x9", "Refused", "yes"]],
        settings=[["form_title", "default_language"], ["Test", "English (en)"]])
    inst = read_xlsform(path)
    assert str(inst["c"].ask_if) == "(a == 1) and (b > 2) and (not (a == 2))"
    assert str(inst["b"].ask_if) == "a == 1"  # g1 does not hold the rest of the form: routing, not screening
    assert inst["a"].screen_out == frozenset()
    assert [c.code for c in inst["a"].codes if c.missing] == [4]  # the column, not the name, decides
    assert inst["a"].label("en") == "A?" and inst.title == {"en": "Test"}
    assert str(inst["b"].constraint) == "b >= 0"
    assert inst["c"].unenforced_constraint == "string-length(.) < 3"
    assert inst["c"].required is False and inst["d"].required is True


@pytest.mark.parametrize("rows, message", [
    ([["begin repeat", "r", "R"]], "repeat groups are not supported"),
    ([["end group", "", ""]], "'end group' without a 'begin group'"),
    ([["begin group", "g", "G"], ["integer", "b", "B?"]], "group 'g' is never closed"),
    ([["barcode", "where", "Where?"]], "question type 'barcode' is not supported"),
    ([["integer", "my-var", "B?"]], "name 'my-var' must be letters, digits and _"),
])
def test_what_an_instrument_cannot_hold_is_refused_with_the_place(tmp_path, rows, message):
    path = form(tmp_path, [["type", "name", "label"], *rows], [["list_name", "name", "label"]])
    with pytest.raises(InstrumentError, match=message):
        read_xlsform(path)


def test_select_multiple_checks_and_optional_questions_survive_writing_and_reading(tmp_path):
    inst = instrument_from_dict({
        "id": "services", "title": {"nn": "Tenester", "en": "Services"},
        "questions": [
            {"name": "kommune", "text": {"nn": "Kommune?"}, "codes": [{"code": 4619, "nn": "Eidfjord"},
                                                                     {"code": 4622, "nn": "Kvam"}]},
            {"name": "barn", "type": "integer", "text": {"nn": "Barn?"}, "required": False},
            {"name": "heime", "type": "integer", "text": {"nn": "Heime?"}, "constraint": "heime <= barn",
             "constraint_message": {"nn": "Ikkje fleire enn barna"}},
            {"name": "tenester", "type": "multiple", "exclusive": [9], "text": {"nn": "Tenester?"},
             "ask_if": "barn > 0",
             "codes": [{"code": 1, "nn": "Breiband", "name": "breiband"}, {"code": 2, "nn": "Kontor"},
                       {"code": 9, "nn": "Veit ikkje", "name": "veit_ikkje", "missing": True}]},
            {"name": "bruk", "text": {"nn": "Bruk?"}, "ask_if": "selected(tenester, 2)",
             "codes": [{"code": 1, "nn": "Ja"}, {"code": 2, "nn": "Nei"}]},
        ],
        "checks": [{"name": "fa_barn", "rule": "heime <= barn", "when": "barn != ''", "column": "heime",
                    "message": {"nn": "For mange"}}],
    })
    for mode in ("cati", "self"):
        back = read_xlsform(write_xlsform(inst, tmp_path / f"{mode}.xlsx", mode=mode))
        assert back == inst, mode


# -- messages name the sheet's own row ------------------------------------------------------------------

KOBO_HEADER = ("type", "name", "label::Norsk bokmål (nb)", "relevant")
YES_NO = [("list_name", "name", "label::Norsk bokmål (nb)"), ("jn", "ja", "Ja"), ("jn", "nei", "Nei")]


def test_an_error_names_the_row_of_the_sheet_not_the_question_number(tmp_path):
    """The third question is on row 6 (metadata and a note before it): the message says row 6."""
    path = form(tmp_path, [KOBO_HEADER, ("start", "start", "", ""), ("select_one jn", "a", "A", ""),
                           ("note", "info", "Om deg", ""), ("integer", "b", "B", ""),
                           ("barcode", "stad", "Stad", "")], YES_NO)
    with pytest.raises(InstrumentError, match=r"sheet survey, row 6, column type: question type 'barcode'"):
        load_instrument(path)


@pytest.mark.parametrize("relevant, why", [
    ("${b} = 'ja'", r"uses \$\{b\}, which is asked later \(row 4\)"),  # a cycle a → b → a starts here
    ("${a} = 'ja'", r"uses \$\{a\}, which is this row itself"),
    ("${alder} > 18", r"uses \$\{alder\}, and the form has no question of that name"),
    ("${kalk} = 'ja'", r"uses \$\{kalk\}, which is a calculate the instrument does not read \(row 2\)"),
])
def test_relevant_may_use_only_earlier_questions_and_the_message_says_what_it_used(tmp_path, relevant, why):
    path = form(tmp_path, [KOBO_HEADER, ("calculate", "kalk", "", ""), ("select_one jn", "a", "A", relevant),
                           ("select_one jn", "b", "B", "${a} = 'ja'")], YES_NO)
    with pytest.raises(InstrumentError, match=r"sheet survey, row 3, column relevant: relevant .*" + why):
        load_instrument(path)


def test_a_decimal_question_is_a_number_with_its_range(tmp_path):
    """KoboToolbox's `decimal` (travel time in hours): a number asked as a number, its constraint a range."""
    path = form(tmp_path, [("type", "name", "label", "constraint"),
                           ("decimal", "reisetid", "Reisetid (timer)", ". >= 0 and . <= 2.5"),
                           ("integer", "barn", "Barn", ". >= 0 and . <= 9")], [("list_name", "name", "label")])
    inst = load_instrument(path)
    assert inst["reisetid"].type == "decimal" and inst["reisetid"].range == (0.0, 2.5)
    assert inst["reisetid"].is_number and inst["reisetid"].measurement_level == "scale"
    assert inst["barn"].range == (0, 9) and isinstance(inst["barn"].range[1], int)
    written = tmp_path / "written.xlsx"
    write_xlsform(inst, written)
    assert load_instrument(written)["reisetid"].range == (0.0, 2.5)


def test_a_date_question_is_read_and_written_back(tmp_path):
    path = form(tmp_path, [("type", "name", "label"), ("date", "flyttedato", "Når flytter du?")],
                [("list_name", "name", "label")])
    inst = load_instrument(path)
    assert inst["flyttedato"].type == "date" and not inst["flyttedato"].is_number
    written = tmp_path / "written.xlsx"
    write_xlsform(inst, written)
    assert load_instrument(written)["flyttedato"].type == "date"


def test_a_form_without_questions_is_refused(tmp_path):
    """Only a note and metadata: no file could be checked against it (every column "unknown", no error)."""
    path = form(tmp_path, [KOBO_HEADER, ("start", "start", "", ""), ("note", "velkommen", "Velkommen", "")], YES_NO)
    with pytest.raises(InstrumentError, match=r"sheet survey: the form asks no questions"):
        load_instrument(path)


def test_the_select_types_pyxform_also_accepts_are_read_as_their_canonical_names(tmp_path):
    """XLSForm (pyxform) also takes 'select one LIST' and 'select all that apply LIST'; a form written by hand
    with them was refused ("question type 'select one jn' is not supported")."""
    path = form(tmp_path, [KOBO_HEADER, ("select one jn", "a", "A", ""),
                           ("select all that apply jn", "b", "B", ""), ("select one jn or_other", "c", "C", "")],
                YES_NO)
    inst = load_instrument(path)
    assert (inst["a"].type, inst["b"].type, inst["c"].type) == ("single", "multiple", "single")
    assert [c.name for c in inst["b"].codes] == ["ja", "nei"] and inst["c"].codes_by_name()["other"] == 3


def test_an_unsupported_type_lists_the_supported_ones_in_one_order(tmp_path):
    """The list of supported types came from sets: its order changed from one run to the next."""
    path = form(tmp_path, [KOBO_HEADER, ("range", "r", "R", "")], YES_NO)
    with pytest.raises(InstrumentError) as caught:
        load_instrument(path)
    listed = str(caught.value).split("(", 1)[1].split(" are;")[0].split(", ")
    assert listed[:2] == ["select_one", "select_multiple"] and listed[2:] == sorted(listed[2:]), listed


def test_a_name_used_twice_names_both_rows(tmp_path):
    path = form(tmp_path, [KOBO_HEADER, ("integer", "alder", "Alder", ""), ("select_one jn", "a", "A", ""),
                           ("integer", "alder", "Alder igjen", "")], YES_NO)
    with pytest.raises(InstrumentError, match=r"sheet survey, row 4, column name: the name 'alder' is used "
                                              r"twice \(first at row 2\)"):
        load_instrument(path)

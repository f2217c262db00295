"""The instrument model: loading, checking, and the rules it derives — for the study and for any survey."""

from __future__ import annotations

import copy
import datetime as dt

import pandas as pd
import pytest
import yaml

from fjernarbeid.errors import InputFileError, InstrumentError
from fjernarbeid.instrument import Code, Instrument, instrument_from_dict, load_instrument

# A second, unrelated survey (a library's reader survey) to show that nothing is specific to the study.
LIBRARY_SURVEY = {
    "id": "library-2026",
    "version": "1",
    "title": {"nb": "Lånerundersøkelse", "en": "Library user survey"},
    "fieldwork": {"start": "2026-03-01", "end": "2026-03-31"},
    "target_population": {"min_age": 16, "max_age": 79, "age_reference_year": 2026},
    "code_lists": {
        "satisfied4": [
            {"code": 1, "nb": "Svært fornøyd", "en": "Very satisfied"},
            {"code": 2, "nb": "Ganske fornøyd", "en": "Fairly satisfied"},
            {"code": 3, "nb": "Lite fornøyd", "en": "Not very satisfied"},
            {"code": 9, "nb": "Vet ikke", "en": "Don't know", "missing": True},
        ],
    },
    "questions": [
        {"name": "born", "number": "A", "type": "integer", "range": "birth_year",
         "text": {"nb": "Hvilket år er du født?", "en": "Year of birth?"}},
        {"name": "member", "number": "B", "codes": [{"code": 1, "nb": "Ja", "en": "Yes"},
                                                    {"code": 2, "nb": "Nei", "en": "No"}],
         "screen_out": [2], "text": {"nb": "Har du lånekort?", "en": "Do you have a library card?"}},
        {"name": "visits", "number": "C", "type": "integer", "range": {"min": 0, "max": 365},
         "text": {"nb": "Hvor mange besøk siste år?", "en": "Visits last year?"}},
        {"name": "rating", "number": "D", "codes": "satisfied4", "ask_if": "visits > 0",
         "text": {"nb": "Hvor fornøyd er du?", "en": "How satisfied are you?"}},
    ],
    "derived": [
        {"name": "age", "kind": "age", "source": "born", "label": {"nb": "Alder", "en": "Age"}},
        {"name": "age_band", "kind": "bins", "source": "age", "label": {"nb": "Alder", "en": "Age band"},
         "bins": [{"code": 1, "min": 16, "max": 39, "nb": "16-39", "en": "16-39"},
                  {"code": 2, "min": 40, "max": 80, "nb": "40+", "en": "40+"}]},
        {"name": "frequent", "kind": "condition", "expr": "visits >= 12",
         "codes": [{"code": 0, "nb": "Nei", "en": "No"}, {"code": 1, "nb": "Ja", "en": "Yes"}],
         "label": {"nb": "Minst månedlig", "en": "At least monthly"}},
    ],
}


@pytest.fixture
def library() -> Instrument:
    return instrument_from_dict(copy.deepcopy(LIBRARY_SURVEY), where="library")


def test_a_second_survey_is_just_another_definition(library):
    assert library.names == ["born", "member", "visits", "rating"]
    assert library["rating"].code_list == "satisfied4"
    assert library["rating"].missing_codes == (9,)
    assert library["rating"].substantive_codes == (1, 2, 3)
    assert [q.name for q in library.screening_questions] == ["member"]
    assert library.range_of(library["visits"]) == (0, 365)
    # 16-79 during March 2026: born 1946 (79 until their birthday) … 2010 (16 after it).
    assert library.birth_year_range() == (1946, 2010)
    assert library.range_of(library["born"]) == (1946, 2010)
    assert library.question_for_role("birth_year").name == "born"
    assert library.fieldwork_start == dt.date(2026, 3, 1)


def test_a_second_survey_routes_and_derives_like_the_study(library):
    from fjernarbeid.data.derive import derive

    frame = pd.DataFrame(
        {"born": [2000, 1960, None], "member": [1, 1, 1], "visits": [0, 20, 3], "rating": [None, 1, 9]}
    )
    assert library.asked_mask(frame)["rating"].tolist() == [False, True, True]
    out = derive(frame, library)
    assert out["age"].tolist() == [26, 66, pd.NA]
    assert out["age_band"].tolist() == [1, 2, pd.NA]
    assert out["frequent"].tolist() == [0, 1, 0]


def test_labels_fall_back_to_bokmal_and_are_whitespace_normalised(library):
    assert library["rating"].label("en") == "How satisfied are you?"
    raw = copy.deepcopy(LIBRARY_SURVEY)
    raw["questions"][2]["text"] = "Hvor   mange\n besøk?"
    inst = instrument_from_dict(raw)
    assert inst["visits"].label("en") == "Hvor mange besøk?"  # no English: the bokmål text
    assert inst["visits"].text == {"nb": "Hvor mange besøk?"}


def test_value_and_variable_labels_cover_questions_and_derived_variables(library):
    values = library.value_labels("en")
    assert values["rating"] == {1: "Very satisfied", 2: "Fairly satisfied", 3: "Not very satisfied", 9: "Don't know"}
    assert values["age_band"] == {1: "16-39", 2: "40+"}
    assert values["frequent"] == {0: "No", 1: "Yes"}
    variables = library.variable_labels("nb")
    assert variables["id"] == "Respondent-ID"
    assert variables["rating"] == "D. Hvor fornøyd er du?"
    assert variables["frequent"] == "Minst månedlig"


def test_lookups_by_name_raise_key_errors_that_say_what_is_missing(library):
    assert "rating" in library and "q12" not in library
    with pytest.raises(KeyError, match="no question 'q12'"):
        library["q12"]
    with pytest.raises(KeyError, match="no code 5"):
        library["rating"].code(5)
    with pytest.raises(KeyError, match="no derived variable 'sex'"):
        library.derived_variable("sex")
    with pytest.raises(KeyError, match="role 'postal_code'"):
        library.question_for_role("postal_code")


def test_the_birth_year_rule_needs_target_ages_and_fieldwork_dates():
    raw = copy.deepcopy(LIBRARY_SURVEY)
    del raw["target_population"]
    with pytest.raises(InstrumentError, match="no target ages / fieldwork dates"):
        instrument_from_dict(raw).birth_year_range()


def test_the_study_instrument_knows_its_roles(instrument):
    assert instrument.id == "norce-fjernarbeid-2025"
    assert instrument.question_for_role("postal_code").name == "q201"
    assert instrument.question_for_role("birth_year").name == "q202"
    assert instrument.question_for_role("sex").name == "q207"
    assert instrument.derived_variable("age_group").bins[-1].max == 61
    assert instrument.value_labels()["centrality"][6] == "Sentralitet 6 (minst sentral)"


def _broken(path: list, value) -> dict:
    raw = copy.deepcopy(LIBRARY_SURVEY)
    target = raw
    for key in path[:-1]:
        target = target[key]
    if value is KeyError:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return raw


@pytest.mark.parametrize(
    "path, value, message",
    [
        (["questions", 0, "name"], KeyError, "question #1: has no name"),
        (["questions", 1, "name"], "born", "question born: name used twice"),
        (["questions", 2, "type"], "polygon", "question visits: type 'polygon' is not one of"),
        (["questions", 1, "codes"], KeyError, "question member: a single-choice question needs codes"),
        (["questions", 3, "codes"], "agree5", "question rating: unknown code list 'agree5'"),
        (["questions", 1, "codes"], [{"code": 1, "nb": "Ja"}, {"code": 1, "nb": "Nei"}], "duplicate codes"),
        (["questions", 1, "codes"], [{"nb": "Ja"}], "code #1 needs a 'code'"),
        (["questions", 3, "ask_if"], "later > 0", "ask_if uses \\['later'\\], not asked before it"),
        (["questions", 3, "ask_if"], "visits >", "not a valid expression"),
        (["questions", 1, "screen_out"], [3], "screen_out codes \\[3\\] are not all in its code list"),
        (["questions", 1, "text"], ["Ja"], "expected labels by language"),
        (["derived", 0, "kind"], "mean", "derived age: kind 'mean' is not one of"),
        (["derived", 1, "source"], "height", "derived age_band: source 'height' is not defined before it"),
        (["derived", 2, "expr"], KeyError, "derived frequent: a condition needs 'expr'"),
        (["derived", 2, "expr"], "height > 1", "expr uses unknown \\['height'\\]"),
    ],
)
def test_inconsistent_definitions_are_rejected_with_the_place_and_rule(path, value, message):
    with pytest.raises(InstrumentError, match=message) as err:
        instrument_from_dict(_broken(path, value), where="library.yaml")
    assert str(err.value).startswith("library.yaml")


def test_a_postal_lookup_needs_a_known_register_field():
    raw = copy.deepcopy(LIBRARY_SURVEY)
    raw["questions"].append({"name": "zip", "type": "postal_code", "text": "Postnummer?"})
    raw["derived"].append({"name": "kommune", "kind": "postal_lookup", "source": "zip", "field": "zip_area"})
    with pytest.raises(InstrumentError, match="field must be one of"):
        instrument_from_dict(raw)
    raw["derived"][-1]["field"] = "municipality_code"
    assert instrument_from_dict(raw).derived_variable("kommune").needs_refdata


# -- loading files -------------------------------------------------------------------------------


def test_load_instrument_reads_a_yaml_file(tmp_path, library):
    path = tmp_path / "library.yaml"
    path.write_text(yaml.safe_dump(LIBRARY_SURVEY, allow_unicode=True), "utf-8")
    assert load_instrument(path) == library


def test_load_instrument_reports_missing_and_malformed_files(tmp_path):
    with pytest.raises(InputFileError, match="nope.yaml: instrument file not found"):
        load_instrument(tmp_path / "nope.yaml")
    bad = tmp_path / "bad.yaml"
    bad.write_text("questions: [\n", "utf-8")
    with pytest.raises(InstrumentError, match="bad.yaml: not valid YAML"):
        load_instrument(bad)
    listy = tmp_path / "list.yaml"
    listy.write_text("- a\n- b\n", "utf-8")
    with pytest.raises(InstrumentError, match="expected a mapping at the top level"):
        load_instrument(listy)


def test_the_default_is_the_study_instrument_and_loading_is_deterministic(instrument):
    again = load_instrument()
    assert again == instrument
    assert instrument["q6_1"].codes == instrument.code_lists["agree5"]
    assert isinstance(instrument["q6_1"].codes[0], Code)


# -- select-multiple, optional questions, constraints and cross-question checks -------------------

SERVICES = {
    "id": "services", "title": {"nn": "Tenester"},
    "questions": [
        {"name": "kommune", "codes": [{"code": 4619, "nn": "Eidfjord"}, {"code": 4622, "nn": "Kvam"}]},
        {"name": "postnr", "type": "postal_code", "constraint": "regex(postnr, '^[0-9]{4}$')"},
        {"name": "tenester", "type": "multiple", "exclusive": [9],
         "codes": [{"code": 1, "nn": "Breiband", "name": "breiband"}, {"code": 2, "nn": "Kontorplass"},
                   {"code": 9, "nn": "Ingen", "name": "ingen"}]},
        {"name": "kommentar", "type": "text", "required": False},
    ],
    "derived": [{"name": "bustad", "kind": "postal_lookup", "source": "postnr", "field": "municipality_code"}],
    "checks": [{"name": "postnummer_i_kommunen", "rule": "kommune == bustad", "column": "postnr",
                "message": {"nn": "Postnummeret ligg ikkje i kommunen", "en": "The postal code is not in the municipality"}}],
}


def test_a_multiple_choice_question_has_option_columns_and_choice_names():
    inst = instrument_from_dict(copy.deepcopy(SERVICES))
    q = inst["tenester"]
    assert q.is_multiple and not q.is_categorical
    assert q.option_columns == {1: "tenester_1", 2: "tenester_2", 9: "tenester_9"}
    assert q.exclusive == {9}
    assert q.codes_by_name() == {"1": 1, "2": 2, "9": 9, "breiband": 1, "ingen": 9}
    assert q.code(1).label("nn") == "Breiband"
    assert inst["kommentar"].required is False and inst["kommune"].required is True
    assert str(inst["postnr"].constraint) == "regex(postnr, '^[0-9]{4}$')"


def test_checks_are_read_with_their_column_and_message():
    inst = instrument_from_dict(copy.deepcopy(SERVICES))
    (check,) = inst.checks
    assert (check.name, check.column, str(check.rule)) == ("postnummer_i_kommunen", "postnr", "kommune == bustad")
    assert check.variables == {"kommune", "bustad"}
    assert check.label("en") == "The postal code is not in the municipality"


@pytest.mark.parametrize("change, message", [
    (lambda r: r["questions"][2].update(exclusive=[5]), "exclusive codes"),
    (lambda r: r["questions"][3].update(required="no"), "required must be true or false"),
    (lambda r: r["checks"][0].update(rule="kommune == fylke"), "'fylke'"),
    (lambda r: r["questions"].append({"name": "tenester_1", "type": "text"}), "option column"),
    (lambda r: r["questions"][2].update(codes=None), "multiple-choice question needs codes"),
])
def test_mistakes_in_the_new_declarations_are_named(change, message):
    raw = copy.deepcopy(SERVICES)
    change(raw)
    with pytest.raises(InstrumentError, match=message):
        instrument_from_dict(raw)


def test_a_constraint_or_routing_on_a_date_or_text_question_compares_text():
    """`flyttedato >= '2026-06-01'` (an XLSForm date constraint) and `kommentar != 'nei'` are text; a quoted
    word compared with a coded question is still an error, as before."""
    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "flyttedato", "type": "date", "constraint": "flyttedato >= '2026-06-01'"},
        {"name": "kommentar", "type": "text"},
        {"name": "mer", "type": "integer", "ask_if": "kommentar != 'nei' and flyttedato < '2027-01-01'"}]})
    assert inst["flyttedato"].constraint.variables == {"flyttedato"}
    with pytest.raises(InstrumentError, match="'ja' is not a code or choice name of studere"):
        instrument_from_dict({"id": "t", "questions": [
            {"name": "studere", "type": "single", "codes": [{"code": 1, "nb": "Ja"}]},
            {"name": "hvor", "type": "text", "ask_if": "studere == 'ja'"}]})

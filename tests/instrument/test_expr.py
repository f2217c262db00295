"""Routing conditions: parsing, three-valued evaluation on data, and the XLSForm (XPath) form."""

from __future__ import annotations

import itertools

import numpy as np
import pandas as pd
import pytest
from hypothesis import given
from hypothesis import strategies as st

from fjernarbeid.errors import InstrumentError
from fjernarbeid.instrument.expr import BoolOp, Compare, Condition, Not, is_true

# -- parsing ------------------------------------------------------------------------------------


def test_a_comparison_parses_to_a_small_tree():
    assert Condition.parse("q12 < 6").tree == Compare("q12", "<", (6,))
    assert Condition.parse(" q12 in (1, 2) ").tree == Compare("q12", "in", (1, 2))
    assert Condition.parse("q1 not in [3]").tree == Compare("q1", "notin", (3,))
    assert Condition.parse("x >= -1.5").tree == Compare("x", ">=", (-1.5,))


def test_and_or_not_and_parentheses():
    cond = Condition.parse("q5 == 3 and (q4 != 5 or not q1 == 1)")
    assert cond.tree == BoolOp(
        "and",
        (Compare("q5", "==", (3,)), BoolOp("or", (Compare("q4", "!=", (5,)), Not(Compare("q1", "==", (1,)))))),
    )
    assert cond.variables == {"q1", "q4", "q5"}
    assert str(cond) == "q5 == 3 and (q4 != 5 or not q1 == 1)"


@pytest.mark.parametrize(
    "source, message",
    [
        ("q12 <", "not a valid expression"),
        ("q12 < (1 + 2)", "expected a number"),
        ("q12 == 'a'", "'a' is not a code or choice name of q12"),
        ("selected(q7)", r"selected\(question, code\)"),
        ("count_selected(q7 + 1) > 1", "must be a question name"),
        ("regex(q1, '[')", "not a valid regular expression"),
        ("q12 == True", "expected a number"),
        ("6 > q12", "one comparison of a variable with a value"),
        ("1 < q12 < 6", "one comparison of a variable with a value"),
        ("q12 in 3", "'in' needs a list of codes"),
        ("q12 + 1 == 3", "one comparison of a variable with a value"),
        ("len(q12)", "unsupported construct"),
        ("len(q12) > 1", "unsupported construct"),
        ("selected(q7, 1) > 1", "only count_selected"),
        ("q12", "unsupported construct"),
        ("q12 is None", "unsupported construct"),
    ],
)
def test_parse_errors_name_the_condition_and_the_problem(source, message):
    with pytest.raises(InstrumentError, match=message) as err:
        Condition.parse(source)
    assert repr(source) in str(err.value) or source.strip() in str(err.value)


def test_names_with_dots_and_names_in_backticks_are_variables():
    """R's columns (api.stu, sch.wide) as they are, and any name in backticks, as R writes one."""
    assert Condition.parse("api.stu > 500").tree == Compare("api.stu", ">", (500,))
    assert Condition.parse("`api.stu` > 500").tree == Compare("api.stu", ">", (500,))
    assert Condition.parse("a.b.c == x.y").tree == Compare("a.b.c", "==", (), other="x.y")
    assert Condition.parse("count_selected(v.7) > 1").tree == Compare("v.7", ">", (1,), func="count_selected")
    assert Condition.parse("q1.1 in (1.5, 2) or x. == -0.5").tree == BoolOp(
        "or", (Compare("q1.1", "in", (1.5, 2)), Compare("x.", "==", (-0.5,))))
    cond = Condition.parse("`my col` in ('1', 'ja') and not `if` == 1", {})
    assert cond.variables == {"my col", "if"}
    assert str(cond) == "`my col` in ('1', 'ja') and not `if` == 1"  # as written
    # the canonical text writes a name back as it reads: dotted as it is, any other in backticks
    coded = Condition.parse("`my col` == 'ja' and api.stu > 1", {"my col": {"ja": 1}, "api.stu": {}})
    assert str(coded) == "`my col` == 1 and api.stu > 1"
    assert Condition.parse(str(coded)).tree == coded.tree
    frame = pd.DataFrame({"api.stu": [400, 600, None], "my col": [1, 2, 3]})
    assert Condition.read("api.stu > 500 or `my col` == 3").evaluate(frame).tolist() == [False, True, True]
    # a backticked name keeps what XPath would read as '=' or a group path; ${name} is read as before
    assert Condition.read("`a=b/c` >= 1").tree == Compare("a=b/c", ">=", (1,))
    assert Condition.read("${alder} = 3").tree == Compare("alder", "==", (3,))
    with pytest.raises(InstrumentError, match=r"condition '`my col` \+ 1 > 2': write one comparison"):
        Condition.parse("`my col` + 1 > 2")


def test_all_of_joins_conditions_with_and():
    both = Condition.all_of([Condition.parse("q1 == 1"), Condition.parse("q2 > 3 or q3 == 1")])
    assert str(both) == "(q1 == 1) and (q2 > 3 or q3 == 1)"
    frame = pd.DataFrame({"q1": [1, 1, 2], "q2": [4, 1, 9], "q3": [0, 0, 1]})
    assert both.evaluate(frame).tolist() == [True, False, False]
    one = Condition.parse("q1 == 1")
    assert Condition.all_of([one]) is one


# -- evaluation -----------------------------------------------------------------------------


def test_evaluation_is_three_valued_missing_answers_give_unknown():
    frame = pd.DataFrame({"q12": [1, 5, 6, None]})
    out = Condition.parse("q12 < 6").evaluate(frame)
    assert str(out.dtype) == "boolean"
    assert out.tolist() == [True, True, False, pd.NA]


def test_in_and_not_in_keep_missing_unknown():
    frame = pd.DataFrame({"q12": [1, 2, 3, np.nan]})
    assert Condition.parse("q12 in (1, 2)").evaluate(frame).tolist() == [True, True, False, pd.NA]
    assert Condition.parse("q12 not in (1, 2)").evaluate(frame).tolist() == [False, False, True, pd.NA]


def test_and_or_follow_kleene_logic():
    # a is false/true/unknown, b is true/unknown: false AND unknown is false, true OR unknown is true.
    frame = pd.DataFrame({"a": [0, 1, None, 0, 1, None], "b": [1, 1, 1, None, None, None]})
    both = Condition.parse("a == 1 and b == 1").evaluate(frame)
    either = Condition.parse("a == 1 or b == 1").evaluate(frame)
    assert both.tolist() == [False, True, pd.NA, False, pd.NA, pd.NA]
    assert either.tolist() == [True, True, True, pd.NA, True, pd.NA]
    assert Condition.parse("not a == 1").evaluate(frame).tolist() == [True, False, pd.NA, True, False, pd.NA]


def test_codes_stored_as_text_are_compared_as_numbers():
    frame = pd.DataFrame({"q5": ["3", "1", "", "x"]})
    assert Condition.parse("q5 == 3").evaluate(frame).tolist() == [True, False, pd.NA, pd.NA]


def test_a_condition_on_a_variable_not_in_the_data_is_an_error():
    with pytest.raises(InstrumentError, match="'q99', which is not in the data"):
        Condition.parse("q99 == 1").evaluate(pd.DataFrame({"q1": [1]}))


def test_is_true_treats_unknown_as_not_true():
    mask = is_true(Condition.parse("q12 < 6").evaluate(pd.DataFrame({"q12": [1, 6, None]})))
    assert mask.dtype == bool and mask.tolist() == [True, False, False]


# -- XPath (XLSForm relevant / calculation) ---------------------------------------------------


@pytest.mark.parametrize(
    "source, xpath",
    [
        ("q12 < 6", "${q12} < 6"),
        ("q5 == 3", "${q5} = 3"),
        ("q5 != 3", "${q5} != 3"),
        ("q3 >= 2.5", "${q3} >= 2.5"),
        ("q12 in (1, 2)", "(${q12} = 1 or ${q12} = 2)"),
        ("q1 not in (3,)", "not(${q1} = 3)"),
        ("q5 == 3 and (q4 == 1 or q4 == 2)", "${q5} = 3 and (${q4} = 1 or ${q4} = 2)"),
        ("not q1 == 3", "not(${q1} = 3)"),
    ],
)
def test_to_xpath_writes_xlsform_syntax(source, xpath):
    assert Condition.parse(source).to_xpath() == xpath


@pytest.mark.parametrize("source", ["q12 < 6", "q5 == 3", "q3 != 20", "q5 == 3 and q4 <= 2", "q1 > 1 or q2 >= 2"])
def test_from_xpath_gives_back_the_same_condition(source):
    cond = Condition.parse(source)
    assert Condition.from_xpath(cond.to_xpath()) == cond


CONDITIONS = [
    "q12 < 6", "q12 in (1, 2)", "q1 not in (3,)", "q1 == 1 and q12 != 6", "not (q1 == 2 or q12 >= 4)",
    "q1 in (1, 3) or q12 <= 2",
]


@pytest.mark.parametrize("source", CONDITIONS)
def test_xpath_round_trip_keeps_the_meaning_on_every_answer_pattern(source):
    answers = [1, 2, 3, 4, 5, 6, None]
    frame = pd.DataFrame(list(itertools.product(answers, answers)), columns=["q1", "q12"])
    cond = Condition.parse(source)
    back = Condition.from_xpath(cond.to_xpath())
    pd.testing.assert_series_equal(back.evaluate(frame), cond.evaluate(frame))


@given(
    op=st.sampled_from(["==", "!=", "<", "<=", ">", ">="]),
    value=st.integers(min_value=-50, max_value=50),
    data=st.lists(st.one_of(st.none(), st.integers(min_value=-60, max_value=60)), min_size=1, max_size=20),
)
def test_any_single_comparison_survives_the_xpath_round_trip(op, value, data):
    cond = Condition.parse(f"v {op} {value}")
    back = Condition.from_xpath(cond.to_xpath())
    assert back == cond
    frame = pd.DataFrame({"v": pd.array(data, dtype="Float64")})
    pd.testing.assert_series_equal(back.evaluate(frame), cond.evaluate(frame))


# -- select-multiple, quoted codes, other variables, regex ------------------------------------------


def test_selected_and_count_selected_work_on_space_separated_codes():
    frame = pd.DataFrame({"q7": ["1 3", "3", "12", None, ""]})
    assert Condition.parse("selected(q7, 3)").evaluate(frame).tolist() == [True, True, False, pd.NA, pd.NA]
    assert Condition.parse("selected(q7, 1)").evaluate(frame).tolist() == [True, False, False, pd.NA, pd.NA]
    assert Condition.parse("count_selected(q7) >= 2").evaluate(frame).tolist() == [True, False, False, pd.NA, pd.NA]


def test_a_variable_compared_with_another_is_unknown_where_either_is_missing():
    frame = pd.DataFrame({"kommune": [4619, 4619, None, 4622], "bustad": ["4619", "4622", "4619", None]})
    assert Condition.parse("kommune == bustad").evaluate(frame).tolist() == [True, False, pd.NA, pd.NA]
    assert Condition.parse("kommune == bustad").variables == {"kommune", "bustad"}


def test_answered_and_regex():
    frame = pd.DataFrame({"postnr": ["5600", "56", None]})
    assert Condition.parse("postnr != ''").evaluate(frame).tolist() == [True, True, False]
    assert Condition.parse("postnr == ''").evaluate(frame).tolist() == [False, False, True]
    assert Condition.parse("regex(postnr, '^[0-9]{4}$')").evaluate(frame).tolist() == [True, False, pd.NA]


@pytest.mark.parametrize(
    "xpath, canonical",
    [
        ("${q1} != '0'", "q1 != 0"),
        ("${q1} != 'nei'", "q1 != 2"),
        ("selected(${q7}, 'bredband') and count-selected(${q7}) > 1", "selected(q7, 1) and count_selected(q7) > 1"),
        ("not(selected(., 'ingen') and count-selected(.) > 1)", "not (selected(q7, 9) and count_selected(q7) > 1)"),
        ("${a} = ${b}", "a == b"),
        ("regex(., '^[0-9]{4}$')", "regex(q7, '^[0-9]{4}$')"),
    ],
)
def test_kobo_and_odk_expressions_are_read_with_choice_names_resolved(xpath, canonical):
    choices = {"q1": {"ja": 1, "nei": 2}, "q7": {"bredband": 1, "ingen": 9}}
    cond = Condition.from_xpath(xpath, choices, self_name="q7")
    assert str(cond) == canonical
    assert Condition.parse(str(cond)).tree == cond.tree  # the canonical text means the same


@pytest.mark.parametrize("source", ["selected(q7, 3)", "count_selected(q7) > 1", "a == b", "q1 != ''",
                                    "regex(p, '^[0-9]{4}$')", "not (selected(q7, 1) and q1 == 2)"])
def test_new_constructs_survive_the_xpath_round_trip(source):
    cond = Condition.parse(source)
    assert Condition.from_xpath(cond.to_xpath()).tree == cond.tree


def test_xlsform_names_that_are_not_identifiers_are_refused():
    with pytest.raises(InstrumentError, match="'q-1'"):
        Condition.from_xpath("${q-1} = 1")


def test_a_date_question_is_compared_as_dates_and_a_text_question_as_text():
    """`--where "flyttedato >= '2026-08-01'"`: a quoted date is no choice name; YYYY-MM-DD sorts as text does,
    so ordering works on dates (an empty answer is unknown); a text question compares by ==, != and in."""
    import pandas as pd

    from fjernarbeid.instrument import instrument_from_dict

    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "flyttedato", "type": "date"}, {"name": "kommentar", "type": "text"}]})
    frame = pd.DataFrame({"flyttedato": ["2026-07-31", "2026-08-01", None, "2027-01-15"],
                          "kommentar": ["Bra", "", "Bra", "Nei"]})
    later = Condition.read("${flyttedato} >= '2026-08-01'", inst).evaluate(frame)
    assert later.tolist() == [False, True, pd.NA, True]
    assert Condition.read("flyttedato == '2027-01-15'", inst).evaluate(frame).fillna(False).tolist() == [
        False, False, False, True]
    assert Condition.read("kommentar == 'Bra'", inst).evaluate(frame).fillna(False).tolist() == [True, False, True, False]

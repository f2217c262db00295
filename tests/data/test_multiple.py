"""Select-multiple answers as the analysis needs them: codes from choice names, "don't know" left out,
a 0/1 column per choice."""

from __future__ import annotations

import numpy as np
import pandas as pd

from fjernarbeid.data.multiple import codes_chosen, for_analysis, joined, option_indicators, with_option_columns
from fjernarbeid.instrument import instrument_from_dict

INST = instrument_from_dict({"id": "m", "questions": [
    {"name": "stad", "type": "multiple", "exclusive": [9],
     "codes": [{"code": 1, "en": "Home", "name": "heime"}, {"code": 2, "en": "Cabin", "name": "hytte"},
               {"code": 9, "en": "Don't know", "name": "veit_ikkje", "missing": True}]},
    {"name": "n", "type": "integer"}]})
Q = INST["stad"]


def test_names_become_codes_in_the_order_of_the_choices_and_unknown_names_are_flagged():
    text = pd.Series(["hytte heime", "2", None, "heime sofa", "veit_ikkje"], dtype="string")
    chosen, unknown = codes_chosen(text, Q.codes_by_name(), Q.valid_codes)
    assert unknown.tolist() == [False, False, False, True, False]
    assert joined(chosen, Q.valid_codes).tolist() == ["1 2", "2", pd.NA, "1", "9"]


def test_dont_know_alone_is_no_answer_and_indicators_are_missing_without_an_answer():
    answers = for_analysis(pd.Series(["1 2", "9", None, "2"], dtype="string"), Q)
    assert answers.tolist() == ["1 2", pd.NA, pd.NA, "2"]
    indicators = option_indicators(answers, Q)
    assert list(indicators.columns) == ["stad_1", "stad_2"]
    np.testing.assert_array_equal(indicators["stad_1"].to_numpy(), [1.0, np.nan, np.nan, 0.0])


def test_export_layout_replaces_the_question_by_its_choices_in_place():
    frame = pd.DataFrame({"id": ["a", "b"], "stad": ["1 9", None], "n": [3, 4]})
    out = with_option_columns(frame, INST)
    assert list(out.columns) == ["id", "stad_1", "stad_2", "stad_9", "n"]
    assert out.loc[0, ["stad_1", "stad_2", "stad_9"]].tolist() == [1, 0, 1]
    assert out["stad_1"].isna().tolist() == [False, True]

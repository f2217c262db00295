"""Index building and Cronbach's alpha. References (tests/fixtures/r/association.R): psych 2.2.9
``alpha`` (unweighted alpha, alpha if deleted, r.drop, Feldt CI), the textbook formula with R's
``cov.wt`` (weighted), and R survey ``svycontrast`` of the weighted moments (design-based SE)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from fjernarbeid.errors import ComputationError, DataValidationError
from fjernarbeid.survey.design import svydesign
from fjernarbeid.survey.scale import build_index, cronbach_alpha, index_from_instrument

FIVE_POINT = {"scale_min": 1, "scale_max": 5}


def close(actual, expected, rel):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rel)


@pytest.mark.parametrize("i", range(3))
def test_weighted_alpha_matches_r(i, api, designs, reference):
    case = reference["alpha"][i]
    expected = case["weighted"]
    design = api.in_domain(designs[case["design"]], case["domain"])
    result = cronbach_alpha(design, case["items"], reverse=case["reverse"], **FIVE_POINT)
    assert (result.n, result.k) == (case["n"], len(case["items"]))
    close(result.alpha, expected["alpha"], 1e-6)
    close(result.items["alpha_if_deleted"], expected["alpha_if_deleted"], 1e-6)
    close(result.items["item_rest_r"], expected["item_rest"], 1e-6)
    close(result.se, expected["se_linearised"], 1e-4)
    assert result.df == expected["df"]
    assert result.ci_low < result.alpha < result.ci_high


@pytest.mark.parametrize("i", range(3))
def test_unweighted_alpha_matches_psych(i, api, designs, reference):
    case = reference["alpha"][i]
    expected = case["unweighted"]
    srs = svydesign(designs[case["design"]].data)  # equal weights, one stratum
    result = cronbach_alpha(srs, case["items"], reverse=case["reverse"], **FIVE_POINT)
    close(result.alpha, expected["alpha"], 1e-6)
    close(result.items["alpha_if_deleted"], expected["alpha_if_deleted"], 1e-6)
    close(result.items["item_rest_r"], expected["item_rest"], 1e-6)
    close([result.feldt_low, result.feldt_high], [expected["feldt_low"], expected["feldt_high"]], 1e-6)


def test_unweighted_alpha_equals_the_variance_of_totals_formula():
    """α = k/(k−1)·(1 − Σ var(item)/var(total)), computed from the row totals directly."""
    rng = np.random.default_rng(7)
    true = rng.normal(size=60)
    frame = pd.DataFrame({f"x{j}": true + rng.normal(scale=0.8, size=60) for j in range(4)})
    k = 4
    expected = k / (k - 1) * (1 - frame.var().sum() / frame.sum(axis=1).var())
    close(cronbach_alpha(svydesign(frame), list(frame.columns)).alpha, expected, 1e-12)


@pytest.mark.parametrize("i", range(2))
def test_index_mean_and_prorated_sum_match_r(i, designs, reference):
    case = reference["index"][i]
    frame = designs["strat"].data
    expected_mean = np.array([np.nan if v is None else v for v in case["mean"]], dtype=float)
    expected_sum = np.array([np.nan if v is None else v for v in case["sum"]], dtype=float)
    mean = build_index(frame, case["items"], reverse=case["reverse"], min_items=case["min_items"], **FIVE_POINT)
    total = build_index(frame, case["items"], reverse=case["reverse"], min_items=case["min_items"],
                        method="sum", **FIVE_POINT)
    close(mean, expected_mean, 1e-12)  # assert_allclose treats NaN == NaN
    close(total, expected_sum, 1e-12)


def test_index_requires_min_items_answered():
    frame = pd.DataFrame({"a": [1, 5, np.nan, np.nan], "b": [2, np.nan, np.nan, 4], "c": [3, 4, 2, np.nan]})
    strict = build_index(frame, ["a", "b", "c"], **FIVE_POINT)
    assert strict.iloc[0] == 2.0 and strict.iloc[1:].isna().all()
    two = build_index(frame, ["a", "b", "c"], min_items=2, method="sum", **FIVE_POINT)
    assert two.iloc[1] == pytest.approx((5 + 4) * 3 / 2)  # prorated to three items
    assert np.isnan(two.iloc[2]) and np.isnan(two.iloc[3])


def test_the_input_frame_is_not_changed():
    frame = pd.DataFrame({"a": [1, 2], "b": [5, 6]})
    before = frame.copy()
    build_index(frame, ["a", "b"], reverse=["a"], missing_values=[6], **FIVE_POINT)
    pd.testing.assert_frame_equal(frame, before)


def test_out_of_range_values_name_row_and_column():
    frame = pd.DataFrame({"a": [1, 2, 3], "b": [2, 7, 1]}, index=[10, 11, 12])
    with pytest.raises(DataValidationError, match=r"row 11, column 'b': 7 is outside the scale 1–5"):
        build_index(frame, ["a", "b"], **FIVE_POINT)
    text = pd.DataFrame({"a": [1, "x"], "b": [2, 3]})
    with pytest.raises(DataValidationError, match=r"row 1, column 'a'.*not a number"):
        build_index(text, ["a", "b"], **FIVE_POINT)


def test_reverse_needs_the_scale_and_known_items():
    frame = pd.DataFrame({"a": [1, 2], "b": [2, 3]})
    with pytest.raises(ValueError, match="scale_min and scale_max"):
        build_index(frame, ["a", "b"], reverse=["a"])
    with pytest.raises(ValueError, match="among the items"):
        build_index(frame, ["a", "b"], reverse=["c"], **FIVE_POINT)


def test_attitude_index_from_the_questionnaire(instrument):
    """q6_1 ("as effective at home") is worded the other way round from q6_2–q6_4; code 6 is
    "not sure" (missing). Row 1: q6_1 = 1 → 5, then 2, 3 and a missing → mean 10/3."""
    frame = pd.DataFrame({"q6_1": [1, 5, 6], "q6_2": [2, 1, 6], "q6_3": [3, 1, 6], "q6_4": [6, 1, 2]})
    index = index_from_instrument(frame, instrument, ["q6_1", "q6_2", "q6_3", "q6_4"], reverse=["q6_1"], min_items=3)
    assert index.iloc[0] == pytest.approx(10 / 3)
    assert index.iloc[1] == pytest.approx(1.0)
    assert np.isnan(index.iloc[2])


def test_alpha_needs_answers_and_variation():
    few = pd.DataFrame({"a": [1, 2, np.nan], "b": [2, np.nan, 3]})
    with pytest.raises(ComputationError, match="at least three rows"):
        cronbach_alpha(svydesign(few), ["a", "b"])
    flat = pd.DataFrame({"a": [3, 3, 3, 3], "b": [3, 3, 3, 3]})
    with pytest.raises(ComputationError, match="do not vary"):
        cronbach_alpha(svydesign(flat), ["a", "b"])

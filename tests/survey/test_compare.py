"""svyttest and the difference in proportions against R survey 4.1.1
(svyttest, svyby(svymean), svyby(svyvar) in tests/fixtures/r/association.R)."""

from __future__ import annotations


import numpy as np
import pytest

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey.compare import svyprop_diff, svyttest
from fjernarbeid.survey.design import svydesign


def close(actual, expected, rel):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rel)


@pytest.mark.parametrize("i", range(6))
def test_svyttest_matches_r(i, api, designs, reference):
    case = reference["ttest"][i]
    design = api.in_domain(designs[case["design"]], case["domain"])
    result = svyttest(design, case["y"], case["group"])
    close(result.estimate, case["estimate"], 1e-6)
    close(result.se, case["se"], 1e-4)
    close(result.statistic, case["t"], 1e-4)
    assert result.df == case["df"]
    close(result.p_value, case["p"], 1e-4)
    close([result.ci_low, result.ci_high], case["ci"], 1e-4)
    assert [str(g) for g in result.groups] == case["groups"]
    close(result.means, case["means"], 1e-6)
    # standardised difference from R's group variances (svyby(~y, ~g, design, svyvar))
    expected_d = case["estimate"] / np.sqrt(np.mean(case["variances"]))
    close(result.effect_size, expected_d, 1e-6)


@pytest.mark.parametrize("i", [4, 5])
def test_difference_in_proportions_matches_r(i, api, designs, reference):
    """hi_api is 0/1: the proportion difference is R's svyttest estimate with the same SE."""
    case = reference["ttest"][i]
    design = api.in_domain(designs[case["design"]], case["domain"])
    result = svyprop_diff(design, case["y"], case["group"])
    close(result.estimate, case["estimate"], 1e-6)
    close(result.se, case["se"], 1e-4)
    close(result.p_value, case["p"], 1e-4)
    close(result.means, case["means"], 1e-6)
    p1, p2 = case["means"]
    close(result.effect_size, 2 * np.arcsin(np.sqrt(p2)) - 2 * np.arcsin(np.sqrt(p1)), 1e-6)
    assert result.effect_size_name == "Cohen's h"


def test_proportion_of_a_category_equals_the_indicator(designs):
    design = designs["strat"]
    by_value = svyprop_diff(design, "awards", "yr.rnd", value="Yes")
    data = design.data.assign(award01=(design.data["awards"] == "Yes").astype(float))
    by_indicator = svyprop_diff(svydesign(data, "pw", strata="stype", fpc="fpc"), "award01", "yr.rnd")
    close(by_value.estimate, by_indicator.estimate, 1e-12)
    close(by_value.se, by_indicator.se, 1e-12)


def test_a_non_binary_outcome_needs_a_value(designs):
    with pytest.raises(ComputationError, match="must be 0/1"):
        svyprop_diff(designs["strat"], "api00", "yr.rnd")


def test_the_group_must_have_two_levels(designs):
    with pytest.raises(ComputationError, match="exactly two groups.*found 3"):
        svyttest(designs["strat"], "api00", "stype")

"""svyttest and the difference in proportions against R survey 4.1.1
(svyttest, svyby(svymean), svyby(svyvar) in tests/fixtures/r/association.R)."""

from __future__ import annotations


import numpy as np
import pytest

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey.compare import svyprop_diff, svyttest, svyttest_groups
from fjernarbeid.survey.design import svydesign
from fjernarbeid.survey.estimate import svymean


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


@pytest.mark.parametrize("i", range(6))
def test_svyttest_of_two_masks_matches_r_and_gives_each_groups_mean(i, api, designs, reference):
    # the findings' form: the groups as masks; on the post-stratified design (case 2) the test and both
    # means come from one covariance matrix of the two means, elsewhere from svyttest and svymean
    case = reference["ttest"][i]
    design = api.in_domain(designs[case["design"]], case["domain"])
    values = design.data[case["group"]].astype(str).to_numpy()
    masks = tuple(values == g for g in case["groups"])
    diff, means = svyttest_groups(design, case["y"], masks, names=tuple(case["groups"]))
    close(diff.estimate, case["estimate"], 1e-6)
    close(diff.se, case["se"], 1e-4)
    assert diff.df == case["df"]
    close(diff.p_value, case["p"], 1e-4)
    close(diff.means, case["means"], 1e-6)
    close(diff.effect_size, case["estimate"] / np.sqrt(np.mean(case["variances"])), 1e-6)
    for mask, mean in zip(masks, means):
        alone = svymean(design.domain(mask), case["y"])
        close([mean.estimate, mean.se, mean.ci_low, mean.ci_high], [alone.estimate, alone.se, alone.ci_low,
                                                                    alone.ci_high], 1e-10)
        assert (mean.df, mean.n_unweighted) == (alone.df, alone.n_unweighted)


def test_svyttest_of_two_masks_needs_both_groups(designs):
    design = designs["clus1_ps"]
    yes = design.data["yr.rnd"].astype(str).to_numpy() == "Yes"
    with pytest.raises(ComputationError, match="two groups .* found 1: Yes"):
        svyttest_groups(design, "growth", (yes, np.zeros(design.n, dtype=bool)), names=("Yes", "No"))


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


def test_svyttest_of_two_masks_refuses_groups_that_overlap(designs):
    design = designs["clus1_ps"]
    stype = design.data["stype"].astype(str).to_numpy()
    with pytest.raises(ComputationError, match="must not overlap"):
        svyttest_groups(design, "growth", (stype == "E", (stype == "E") | (stype == "H")))

"""Covariances between domains (``svyby(…, covmat=True)``) and contrasts of estimates
(``svycontrast``), against R's survey on NHANES (tests/fixtures/r/parity.R)."""

from __future__ import annotations

import numpy as np
import pytest

from fjernarbeid.survey import as_replicate_design, svyby, svycontrast, svymean, svytotal


@pytest.fixture(scope="module")
def nhanes(parity):
    design = parity.nhanes()
    return design.domain(design.data["HI_CHOL"].notna().to_numpy())  # R: subset(nh, !is.na(HI_CHOL))


@pytest.fixture(scope="module")
def by_race(nhanes):
    return svyby(nhanes, svymean, "race", "HI_CHOL", covmat=True)


def test_domain_covariances_equal_r(by_race, parity_ref):
    ref = parity_ref["nhanes"]["by_race"]
    np.testing.assert_allclose(by_race.estimate, ref["estimate"], rtol=1e-10)
    np.testing.assert_allclose(by_race.vcov, ref["vcov"], rtol=1e-8)


def test_without_covmat_the_domains_are_independent(nhanes, by_race):
    plain = svyby(nhanes, svymean, "race", "HI_CHOL")
    np.testing.assert_allclose(np.diag(plain.vcov), np.diag(by_race.vcov), rtol=1e-12)
    assert np.count_nonzero(plain.vcov - np.diag(np.diag(plain.vcov))) == 0


def test_totals_and_two_by_variables(nhanes, parity_ref):
    ref = parity_ref["nhanes"]
    totals = svyby(nhanes, svytotal, "race", "HI_CHOL", covmat=True)
    np.testing.assert_allclose(totals.vcov, ref["by_race_total"]["vcov"], rtol=1e-8)
    both = svyby(nhanes, svymean, ["agecat", "RIAGENDR"], "HI_CHOL", covmat=True)
    order = [both.names.index(name) for name in ref["by_agecat_sex"]["groups"]]  # R varies the first fastest
    np.testing.assert_allclose(both.estimate[order], ref["by_agecat_sex"]["estimate"], rtol=1e-10)
    np.testing.assert_allclose(both.vcov[np.ix_(order, order)], ref["by_agecat_sex"]["vcov"], rtol=1e-8)


def test_missing_values_left_out_in_each_domain_give_the_same_matrix(parity, by_race):
    whole = svyby(parity.nhanes(), svymean, "race", "HI_CHOL", covmat=True)  # na_rm in every domain
    np.testing.assert_allclose(whole.vcov, by_race.vcov, rtol=1e-12)


def test_a_difference_between_two_domains(by_race, parity_ref):
    ref = parity_ref["nhanes"]["contrast_1_2"]
    (diff,) = svycontrast(by_race, [1, -1, 0, 0])
    assert (diff.estimate, diff.se) == pytest.approx((ref["estimate"], ref["se"]), rel=1e-8)
    named = svycontrast(by_race, {"1": 1, "2": -1}).rows[0]
    assert (named.estimate, named.se) == pytest.approx((diff.estimate, diff.se), rel=1e-14)


def test_several_contrasts_at_once_and_their_covariance(by_race, parity_ref):
    both = svycontrast(by_race, [[1, -1, 0, 0], [1 / 3, 1 / 3, -1, 1 / 3]], names=["1-2", "others-3"])
    ref = parity_ref["nhanes"]["contrast_mean_vs_3"]
    assert both["others-3"].estimate == pytest.approx(ref["estimate"], rel=1e-10)
    assert both["others-3"].se == pytest.approx(ref["se"], rel=1e-8)
    assert both.vcov.shape == (2, 2) and both.vcov[0, 1] != 0


def test_a_nonlinear_contrast_by_the_delta_method(by_race, parity_ref):
    ref = parity_ref["nhanes"]["ratio_1_2"]
    (ratio,) = svycontrast(by_race, lambda t: t[0] / t[1])
    assert ratio.estimate == pytest.approx(ref["estimate"], rel=1e-12)
    assert ratio.se == pytest.approx(ref["se"], rel=1e-8)


def test_replicate_designs_give_covariances_from_the_replicates(nhanes, parity_ref):
    jk = as_replicate_design(nhanes, "JKn")
    by = svyby(jk, svymean, "race", "HI_CHOL", covmat=True)
    np.testing.assert_allclose(by.vcov, parity_ref["nhanes"]["by_race_jkn"]["vcov"], rtol=1e-8)


def test_estimates_are_found_by_label_not_position(by_race):
    assert by_race[1].group == (("race", 1),)
    assert by_race["2"].estimate == by_race.rows[1].estimate
    with pytest.raises(KeyError, match="no estimate"):
        by_race[7]


def test_messages_show_plain_values_not_numpy_reprs(parity):
    from fjernarbeid.errors import ComputationError
    from fjernarbeid.survey import svyglm

    design = parity.nhanes()
    with pytest.raises(ComputationError) as caught:
        svyglm(design, "race ~ RIAGENDR", "binomial")  # race is 1..4, not 0/1
    message = str(caught.value)
    assert "'race' is 2 in row" in message and "np.int64" not in message


def test_contrast_arguments_are_checked(nhanes, by_race):
    from fjernarbeid.survey import svyquantile

    with pytest.raises(ValueError, match="covmat=True needs"):
        svyby(nhanes, svyquantile, "race", "HI_CHOL", covmat=True)
    with pytest.raises(ValueError, match="4 coefficients"):
        svycontrast(by_race, [1, -1])
    with pytest.raises(KeyError, match="no estimates named"):
        svycontrast(by_race, {"9": 1})
    with pytest.raises(ValueError, match="no covariance matrix"):
        svycontrast(svyquantile(nhanes, "HI_CHOL"), [1])

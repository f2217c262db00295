"""Quantiles with Woodruff and Francisco-Fuller intervals, variances, totals of a categorical
variable and every svyciprop interval, against R's survey 4.1 (tests/fixtures/r/parity.R)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from fjernarbeid.survey import svyprop, svytotal
from fjernarbeid.survey.quantile import svyquantile, svyvar


@pytest.fixture(scope="module")
def api(parity):
    return parity.api_designs()


def test_quantiles_and_their_intervals_equal_r_for_every_rule_and_interval(api, parity_ref):
    cases = parity_ref["quantiles"]
    assert len(cases) == 41
    for case in cases:
        got = svyquantile(api[case["design"]], case["variable"], case["quantiles"], interval=case["interval"],
                          qrule=case["qrule"])
        where = f"{case['design']} {case['variable']} {case['interval']} {case['qrule']}"
        assert [r.category for r in got.rows] == case["quantiles"]
        for field in ("estimate", "ci_low", "ci_high", "se"):
            ref = np.array(case[field], dtype=float)  # null (NaN): a limit outside the data, as R
            np.testing.assert_allclose([getattr(r, field) for r in got.rows], ref, rtol=1e-9, err_msg=where)


def test_the_median_of_a_variable_with_missing_values(api, parity_ref):
    case = parity_ref["quantiles"][-1]
    assert case["variable"] == "acs.46"
    got = svyquantile(api["strat"], "acs.46", [0.5, 0.9])
    assert got.rows[0].n_unweighted == int(api["strat"].data["acs.46"].notna().sum())
    np.testing.assert_allclose([r.estimate for r in got.rows], case["estimate"])


def test_quantile_arguments_are_checked(api):
    with pytest.raises(ValueError, match="qrule"):
        svyquantile(api["strat"], "api00", qrule="hf11")
    with pytest.raises(ValueError, match="between 0 and 1"):
        svyquantile(api["strat"], "api00", [50])


def test_variances_equal_r(api, parity_ref):
    for case in parity_ref["variances"]:
        got = svyvar(api[case["design"]], case["variable"])
        assert (got.estimate, got.se) == pytest.approx((case["estimate"], case["se"]), rel=1e-10)


def test_totals_of_a_categorical_variable_equal_r(api, parity_ref):
    for case in parity_ref["factor_totals"]:
        got = svytotal(api[case["design"]], case["variable"])
        np.testing.assert_allclose(got.estimate, case["estimate"], rtol=1e-10)
        np.testing.assert_allclose(got.se, case["se"], rtol=1e-10)
        np.testing.assert_allclose([r.deff for r in got.rows], case["deff"], rtol=1e-10)
        np.testing.assert_allclose(got.vcov, case["vcov"], rtol=1e-9, atol=1e-9 * np.abs(case["vcov"]).max())


def test_a_numeric_code_is_a_category_when_asked(api):
    numbers = svytotal(api["strat"], "api00")
    codes = svytotal(api["strat"], "api00", factor=True)
    assert numbers.statistic == "total" and len(codes) == api["strat"].data["api00"].nunique()
    assert codes.estimate.sum() == pytest.approx(api["strat"].weights.sum(), rel=1e-12)


@pytest.mark.parametrize("method", ["logit", "likelihood", "asin", "beta", "mean", "xlogit"])
def test_every_svyciprop_interval_equals_r(api, parity, parity_ref, method):
    cases = [c for c in parity_ref["ciprop"] if c["method"] == method]
    assert len(cases) == 3
    for case in cases:
        design = api[case["design"]]
        design = replace(design, data=design.data.assign(y=parity.condition(design.data, case["condition"])))
        share = svyprop(design, "y", ci=method)[1]
        # R's likelihood interval starts from its glm fit, converged to about 1e-10 in p̂
        tol = 1e-6 if method == "likelihood" else 1e-9
        assert share.estimate == pytest.approx(case["estimate"], rel=1e-9)
        assert (share.ci_low, share.ci_high) == pytest.approx(case["ci"], rel=tol), case["condition"]

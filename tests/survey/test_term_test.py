"""Design-based tests of model terms (R ``regTermTest``): Wald F and the Rao-Scott working
likelihood-ratio test, against R's survey (tests/fixtures/r/parity.R)."""

from __future__ import annotations

import numpy as np
import pytest

from fjernarbeid.survey.models import regTermTest, svyglm


@pytest.fixture(scope="module")
def designs(parity):
    api = parity.api_designs()
    for name in ("strat", "clus1"):
        d = api[name]
        api[name] = type(d)(**{**d.__dict__, "data": d.data.assign(hi_api=(d.data["api00"] >= 700).astype(float))})
    api["nhanes"] = parity.nhanes()
    return api


def python_formula(case) -> str:
    # R's factor(race) and factor(RIAGENDR) in the design are C(…) here
    return case["formula"].replace("race", "C(race)").replace("RIAGENDR", "C(RIAGENDR)")


@pytest.mark.parametrize("method", ["Wald", "LRT"])
def test_term_tests_equal_r(designs, parity_ref, method):
    cases = [c for c in parity_ref["term_tests"] if c["method"] == method]
    assert len(cases) == 6
    for case in cases:
        model = svyglm(designs[case["design"]], python_formula(case), case["family"])
        test = regTermTest(model, case["term"], method=method)
        where = f"{case['formula']}: {case['term']}"
        assert (test.df, test.ddf) == (case["df"], case["ddf"]), where
        assert test.statistic == pytest.approx(case["statistic"], rel=1e-7), where
        assert test.p_value == pytest.approx(case["p"], rel=1e-5), where
        assert "lambdas" in test.to_dict()  # for a Wald test too (empty), as JSON readers expect
        if method == "LRT":
            np.testing.assert_allclose(test.lambdas, np.atleast_1d(case["lambda"]), rtol=1e-7, err_msg=where)
            # what R's print shows: Working 2logLR = chisq/mean(lambda), scale factors lambda/mean(lambda)
            mean = np.mean(case["lambda"])
            assert test.chisq == test.statistic
            assert test.working_2logLR == pytest.approx(case["statistic"] / mean, rel=1e-7), where
            np.testing.assert_allclose(test.scale_factors, np.atleast_1d(case["lambda"]) / mean, rtol=1e-7)


def test_interaction_terms_match_in_any_order(designs):
    model = svyglm(designs["clus1"], "api00 ~ ell * stype")
    assert regTermTest(model, "stype:ell").statistic == regTermTest(model, "ell:stype").statistic
    with pytest.raises(KeyError, match="no term 'meals'"):
        regTermTest(model, "meals")

"""svyglm families poisson, quasipoisson and Gamma (with their regTermTest) and svyolr links
cloglog and cauchit, against R's survey (tests/fixtures/r/parity.R)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pytest

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey.models import regTermTest, svyglm, svyolr


@pytest.fixture(scope="module")
def api(parity):
    designs = parity.api_designs()
    for name, d in designs.items():
        apicat = np.searchsorted([550, 650, 750], d.data["api00"].to_numpy(), side="right")
        designs[name] = replace(d, data=d.data.assign(apicat=apicat))
    return designs


def test_glm_families_equal_r(api, parity_ref):
    cases = parity_ref["glm_families"]
    assert {c["family"] for c in cases} == {"poisson", "quasipoisson", "Gamma"}
    for case in cases:
        fit = svyglm(api[case["design"]], case["formula"], case["family"])
        where = f"{case['family']}: {case['formula']}"
        assert list(fit.coefficients.index) == case["names"], where
        np.testing.assert_allclose(fit.coefficients, case["coefficients"], rtol=1e-8, err_msg=where)
        np.testing.assert_allclose(fit.se, case["se"], rtol=1e-7, err_msg=where)
        assert fit.df_residual == case["df"]
        assert regTermTest(fit, "stype").statistic == pytest.approx(case["wald"], rel=1e-7), where
        assert regTermTest(fit, "stype", method="LRT").p_value == pytest.approx(case["lrt"], rel=1e-5), where


def test_counts_must_not_be_negative(api):
    design = api["strat"]
    negative = replace(design, data=design.data.assign(change=design.data["api00"] - design.data["api99"]))
    with pytest.raises(ComputationError, match="non-negative outcome"):
        svyglm(negative, "change ~ meals", "poisson")
    with pytest.raises(ComputationError, match="positive outcome"):
        svyglm(negative, "change ~ meals", "Gamma")


@pytest.mark.parametrize("link", ["cloglog", "cauchit"])
def test_olr_links_equal_a_tightly_converged_r_fit(api, parity_ref, link):
    for case in [c for c in parity_ref["olr_links"] if c["link"] == link]:
        assert case["converged"]
        fit = svyolr(api[case["design"]], case["formula"].replace("apicat_f", "apicat"), link=link)
        np.testing.assert_allclose(fit.coefficients, case["coefficients"], rtol=1e-6)
        np.testing.assert_allclose(fit.zeta, case["zeta"], rtol=1e-6)
        # R's SEs come from optim's finite-difference Hessian (step 1e-5): 1e-4
        np.testing.assert_allclose(np.sqrt(np.diag(fit.vcov.to_numpy())), case["se"], rtol=1e-4)


def test_term_test_of_an_ordinal_model(api, parity_ref):
    for case in parity_ref["olr_links"]:
        fit = svyolr(api[case["design"]], case["formula"].replace("apicat_f", "apicat"), link=case["link"])
        test = regTermTest(fit, "ell")
        # R's SEs (hence F) come from optim's finite-difference Hessian: 1e-4
        assert test.statistic == pytest.approx(case["wald_ell"], rel=1e-4)
        assert test.p_value == pytest.approx(case["wald_ell_p"], rel=1e-3)
    with pytest.raises(ValueError, match="implemented for svyglm"):
        regTermTest(fit, "ell", method="LRT")

"""svyglm and svyolr against R survey 4.1.1 (tests/fixtures/r/association.R → association.json)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey.design import svydesign
from fjernarbeid.survey.models import svyglm, svyolr


def close(actual, expected, rel):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rel)


GLM_CASES = range(9)


@pytest.mark.parametrize("i", GLM_CASES)
def test_svyglm_matches_r(i, api, designs, reference):
    case = reference["glm"][i]
    design = api.in_domain(designs[case["design"]], case["domain"])
    fit = svyglm(design, case["formula"], family=case["family"])
    table = fit.table()
    assert list(table.index) == case["terms"]
    assert fit.df_residual == case["df"]
    close(table["estimate"], case["estimate"], 1e-6)
    close(table["se"], case["se"], 1e-4)
    close(table["p"], case["p"], 1e-4)
    close(table["ci_low"], case["ci_low"], 1e-4)
    close(table["ci_high"], case["ci_high"], 1e-4)
    close(fit.vcov.to_numpy(), case["vcov"], 1e-4)


def test_odds_ratios_are_exp_of_the_logistic_coefficients_and_ci(api, designs, reference):
    case = reference["glm"][4]  # hi_api ~ ell + meals + stype, binomial, stratified design
    fit = svyglm(designs["strat"], case["formula"], family="binomial")
    ors = fit.odds_ratios()
    close(ors["odds_ratio"], np.exp(case["estimate"]), 1e-6)
    close(ors["ci_low"], np.exp(case["ci_low"]), 1e-4)
    close(ors["ci_high"], np.exp(case["ci_high"]), 1e-4)
    with pytest.raises(ValueError, match="binomial"):
        svyglm(designs["strat"], "api00 ~ ell").odds_ratios()


def test_columns_form_equals_the_formula_form(designs):
    by_formula = svyglm(designs["clus1"], "api00 ~ ell + stype")
    by_columns = svyglm(designs["clus1"], ("api00", ["ell", "stype"]))
    by_keyword = svyglm(designs["clus1"], "api00", predictors=["ell", "stype"])
    pd.testing.assert_frame_equal(by_formula.table(), by_columns.table())
    pd.testing.assert_frame_equal(by_formula.table(), by_keyword.table())
    olr = svyolr(designs["strat"], "apicat", ["ell", "meals"])
    pd.testing.assert_frame_equal(olr.table(), svyolr(designs["strat"], "apicat ~ ell + meals").table())


def test_rows_with_a_missing_value_are_left_out_but_keep_the_design(designs):
    """Setting a value to missing equals fitting on the domain without that row (R's na.omit)."""
    design = designs["strat"]
    data = design.data.copy()
    data.loc[5, "ell"] = np.nan
    with_na = svyglm(svydesign(data, "pw", strata="stype", fpc="fpc"), "api00 ~ ell")
    keep = np.ones(design.n, dtype=bool)
    keep[5] = False
    domain = svyglm(design.domain(keep), "api00 ~ ell")
    pd.testing.assert_frame_equal(with_na.table(), domain.table())
    assert with_na.n == design.n - 1


def test_collinear_predictors_are_named_in_the_error(designs):
    design = designs["strat"]
    data = design.data.assign(ell2=design.data["ell"] * 2)
    with pytest.raises(ComputationError, match="ell2"):
        svyglm(svydesign(data, "pw", strata="stype", fpc="fpc"), "api00 ~ ell + ell2")


def test_binomial_needs_a_zero_one_outcome(designs):
    with pytest.raises(ComputationError, match="0/1 outcome"):
        svyglm(designs["strat"], "api00 ~ ell", family="binomial")


def test_unknown_column_and_bad_formula_are_clear(designs):
    with pytest.raises(KeyError, match="nosuch"):
        svyglm(designs["strat"], "api00 ~ nosuch")
    with pytest.raises(ValueError, match="outcome"):
        svyglm(designs["strat"], "ell + meals")
    with pytest.raises(ValueError, match="main effect"):
        svyglm(designs["strat"], "api00 ~ ell:meals")


@pytest.mark.parametrize("i", range(4))
def test_svyolr_matches_r(i, api, designs, reference):
    case = reference["olr"][i]
    assert case["converged"]
    design = api.in_domain(designs[case["design"]], case["domain"])
    fit = svyolr(design, case["formula"].replace("apicat_f", "apicat"))
    table = fit.table()
    assert list(table.index) == case["coef_names"]
    assert list(fit.zeta.index) == case["zeta_names"]
    assert fit.df_residual == case["df"]
    close(table["estimate"], case["coefficients"], 1e-6)
    close(fit.zeta, case["zeta"], 1e-6)
    # R's SEs come from optim's finite-difference Hessian (step 1e-5 in the fixture): 1e-4 is ample
    close(table["se"], case["se"], 1e-4)
    close(table["t"], case["t"], 1e-4)
    close(table["p"], case["p"], 1e-4)


def test_svyolr_needs_three_levels(designs):
    with pytest.raises(ComputationError, match="three or more levels"):
        svyolr(designs["strat"], "hi_api ~ ell")


def test_svyolr_probit_is_a_rescaled_logit(designs):
    """Probit slopes are close to logit slopes / 1.7 (Amemiya 1981): a sanity check of the link."""
    logit = svyolr(designs["strat"], "apicat ~ ell + meals")
    probit = svyolr(designs["strat"], "apicat ~ ell + meals", link="probit")
    assert probit.link == "probit"
    ratio = logit.coefficients / probit.coefficients
    assert ratio.between(1.5, 1.9).all()


def test_a_name_in_backticks_is_one_variable_of_the_formula():
    # R's `sch.wide`, `my column`: whatever the name holds (+, :, ~, spaces), it is one variable
    from fjernarbeid.survey.models import _parse_formula

    outcome, terms, intercept = _parse_formula("`my y` ~ `a+b` * C(`c:d`) + `sch.wide`")
    assert outcome == "my y" and intercept
    assert [t.variables for t in terms] == [("a+b",), ("c:d",), ("sch.wide",), ("a+b", "c:d")]
    assert terms[1].forced_factor == {"c:d"}
    with pytest.raises(ValueError, match="backtick without its closing one"):
        _parse_formula("y ~ `x")

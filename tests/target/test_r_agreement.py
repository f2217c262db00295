"""fjernarbeid.target agrees with R's survey package (tests/fixtures/r/target.R, committed JSON):
the models' coefficients and SEs, the term tests, the predictions with their SEs and the potentials
with their linearised SEs."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.refdata import population_targets
from fjernarbeid.survey import poststratify, svydesign
from fjernarbeid.survey.models import svyglm, svyolr
from fjernarbeid.target import potential as P
from fjernarbeid.target.analysis import model_matrix, term_tests

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "r"
COVARIATES = ["age_group", "sex", "education", "centrality_group", "home_office", "fabrikkparadigme"]
FULL = "move_yes ~ C(age_group) + C(sex) + C(education) + C(centrality_group) + C(home_office) + fabrikkparadigme"
AREA = ["sex", "age_group", "centrality_group"]


@pytest.fixture(scope="module")
def r():
    return json.loads((FIXTURES / "target.json").read_text())


@pytest.fixture(scope="module")
def design():
    data = pd.read_csv(FIXTURES / "target_respondents.csv")
    targets = population_targets()[["sex", "age_group", "population"]]
    return poststratify(svydesign(data), ["sex", "age_group"], targets, column="population")


@pytest.fixture(scope="module")
def fits(design):
    contacts = pd.read_csv(FIXTURES / "target_contacts.csv")
    return {
        "full": svyglm(design, FULL, family="binomial"),
        "area": svyglm(design, "move_yes ~ C(sex) + C(age_group) + C(centrality_group)", family="binomial"),
        "eligibility": svyglm(svydesign(contacts), "eligible ~ C(age_group) + C(centrality_group)", family="binomial"),
    }


@pytest.mark.parametrize("model", ["full", "area", "eligibility"])
def test_logistic_models_agree_with_svyglm(fits, r, model):
    fit = fits[model]
    np.testing.assert_allclose(fit.coefficients.to_numpy(), r[model]["coefficients"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.se.to_numpy(), r[model]["se"], rtol=1e-4, atol=0)
    assert fit.df_residual == r[model]["df_residual"]


def test_term_tests_agree_with_regTermTest(fits, r):
    ours = {t["term"]: t for t in term_tests(fits["full"], COVARIATES)}
    for ref in r["term_tests"]:
        got = ours[ref["term"]]
        assert got["df"] == ref["df"] and got["ddf"] == ref["ddf"]
        assert got["F"] == pytest.approx(ref["F"], rel=1e-4)
        assert got["p"] == pytest.approx(ref["p"], rel=1e-4, abs=1e-10)


def test_proportional_odds_model_agrees_with_svyolr(design, r):
    fit = svyolr(design, "move_code ~ " + " + ".join(c if c == "fabrikkparadigme" else f"C({c})" for c in COVARIATES))
    np.testing.assert_allclose(fit.coefficients.to_numpy(), r["olr"]["coefficients"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(fit.zeta.to_numpy(), r["olr"]["zeta"], rtol=0, atol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(fit.vcov.to_numpy())), r["olr"]["se"], rtol=1e-4)


def _cells():
    return pd.read_csv(FIXTURES / "target_cells.csv", dtype={"municipality_code": str})


def test_predictions_and_their_ses_agree_with_predict_vcov(fits, r):
    cells = _cells()
    for model, variables, key in (("area", AREA, "predict_area"),
                                  ("eligibility", ["age_group", "centrality_group"], "predict_eligibility")):
        fit = fits[model]
        x = model_matrix(list(fit.coefficients.index), cells, variables)
        p, v = P.predict_logistic(x, fit.coefficients.to_numpy(), fit.vcov.to_numpy())
        np.testing.assert_allclose(p, r[key]["p"], rtol=0, atol=1e-6)
        np.testing.assert_allclose(np.sqrt(np.diag(v)), r[key]["se"], rtol=1e-4)


def test_municipal_potential_and_linearised_se_agree_with_r(fits, r):
    cells = _cells()
    area, elig = fits["area"], fits["eligibility"]
    x = model_matrix(list(area.coefficients.index), cells, AREA)
    z = model_matrix(list(elig.coefficients.index), cells, ["age_group", "centrality_group"])
    munis = r["potential"]["municipalities"]
    m = (cells["municipality_code"].to_numpy()[None, :] == np.array(munis)[:, None]).astype(float)
    t = P.synthetic_totals(cells["population"].to_numpy(float), m, x, area.coefficients.to_numpy(),
                           area.vcov.to_numpy(), z, elig.coefficients.to_numpy(), elig.vcov.to_numpy())
    np.testing.assert_allclose(t["total"], r["potential"]["total"], rtol=1e-6)
    np.testing.assert_allclose(np.sqrt(np.diag(t["vcov_total"])), r["potential"]["se"], rtol=1e-4)

"""A design whose linear calibration gives some rows a negative weight, against R (tests/fixtures/r/negative_weights.R):
the rows stay in the design and count in every estimate with their negative weight, as R's do (a row is in a design
or domain while its weight is not 0); models refuse them, as R's glm does."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey import (calibrate, svyby, svychisq, svydesign, svyglm, svymean, svymean_groups, svyolr, svyprop,
                                replicate_design, svyquantile, svyratio, svytotal, svyttest, svyvar)
from fjernarbeid.survey.association import NegativeTableError

R_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "r"
R = json.loads((R_DIR / "negative_weights.json").read_text())
TOL = 1e-8


@pytest.fixture(scope="module")
def design():
    api = pd.read_csv(R_DIR / "data" / "calib_apisrs.csv")
    api["yes"] = (api["sch.wide"] == "Yes").astype(float)
    api["grp"] = pd.cut(api["api00"], [0, 600, 700, 1000], labels=False) + 1
    base = svydesign(api, weights="pw", fpc="fpc")
    with pytest.warns(UserWarning, match="24 row.*negative weight.*as in R they count"):
        return calibrate(base, {"stype": {"E": 6194 - 755 - 1018, "H": 755, "M": 1018}, "enroll": 1.5 * 3811472},
                         calfun="linear")


def flat(values) -> np.ndarray:
    """Numbers, however nested (R's jsonlite writes a 1 × 1 SE matrix as [[x]])."""
    values = values if isinstance(values, (list, tuple)) else [values]
    return np.concatenate([np.ravel(np.asarray(v, dtype=float)) for v in values])


def close(ours, r, tol=TOL):
    np.testing.assert_allclose(flat(ours), flat(r), rtol=tol, atol=0)


def test_the_weights_are_rs_and_24_are_negative(design):
    close(design.weights, R["weights"], 1e-10)
    assert int((design.weights < 0).sum()) == R["negative"] == 24
    assert design.in_domain.all()  # every row stays in the design
    assert design.degrees_of_freedom() == R["degf"] == 199


def test_means_and_totals_count_the_negative_weights(design):
    m = svymean(design, "api00")
    close([m.estimate, m.se], [R["mean_api00"]["estimate"], R["mean_api00"]["se"]])
    t = svytotal(design, "enroll")  # a calibration variable: its total is the target, SE 0
    close(t.estimate, R["total_enroll"]["estimate"])
    assert t.se < 1e-6
    shares = svyprop(design, "awards")
    close([e.estimate for e in shares], R["mean_awards"]["estimate"])
    close([e.se for e in shares], R["mean_awards"]["se"])
    counts = svytotal(design, "sch.wide", factor=True)
    close([e.estimate for e in counts], R["total_sch_wide"]["estimate"])
    close([e.se for e in counts], R["total_sch_wide"]["se"])
    v = svyvar(design, "api00")
    close([v.estimate, v.se], [R["var_api00"]["estimate"], R["var_api00"]["se"]])


def test_a_domain_keeps_its_rows_with_negative_weights(design):
    e = design.domain((design.data["stype"] == "E").to_numpy())
    m = svymean(e, "api00")
    close([m.estimate, m.se], [R["domain_e"]["estimate"], R["domain_e"]["se"]])
    assert m.df == e.degrees_of_freedom() == R["domain_e"]["degf"]
    by = svyby(design, svymean, "stype", "api00")
    close([x.estimate for x in by], R["by_stype"]["estimate"])
    close([x.se for x in by], R["by_stype"]["se"])


def test_quantiles_ratio_chisq_and_proportion_intervals(design):
    q = svyquantile(design, "api00", (0.25, 0.5))
    close([x.estimate for x in q], R["quantiles"]["quantile"])
    close([x.ci_low for x in q], R["quantiles"]["low"])
    close([x.ci_high for x in q], R["quantiles"]["high"])
    close([x.se for x in q], R["quantiles"]["se"])
    r = svyratio(design, "api00", "api99")
    close([r.estimate, r.se], [R["ratio"]["estimate"], R["ratio"]["se"]])
    test = svychisq(design, "sch.wide", "stype")
    close([test.statistic, test.ndf, test.ddf, test.p_value], [R["chisq"][k] for k in ("f", "ndf", "ddf", "p")], 1e-7)
    for method in ("mean", "beta"):
        yes = svyprop(design, "yes", ci=method)[1.0]
        close([yes.estimate, yes.ci_low, yes.ci_high], [R[f"ciprop_{method}"]["estimate"], *R[f"ciprop_{method}"]["ci"]])


def test_models_refuse_negative_weights_as_r_does(design):
    assert R["refused"]["svyglm"] == "negative weights not allowed"
    with pytest.raises(ComputationError, match="24 row.*negative weight.*--bounds"):
        svyglm(design, "api00 ~ ell")
    with pytest.raises(ComputationError, match="negative weight"):
        svyolr(design, "grp ~ ell")


def test_a_group_that_weighs_less_than_zero_has_rs_standard_error(design):
    """The 24 rows with a negative weight as a group: its weighted total is negative, and its mean's influence
    coefficient 1/W must not be taken as 0 (SE 0 before; R 36.33)."""
    negative = design.weights < 0
    got = svymean_groups(design, "api00", [~negative, negative])
    close([g.estimate for g in got], R["negative_group"]["estimate"])
    close([g.se for g in got], R["negative_group"]["se"])


def test_what_r_refuses_is_refused(design):
    assert R["refused"]["svyttest"] == "negative weights not allowed"
    with pytest.raises(ComputationError, match="svyttest: 24 row.*negative weight"):
        svyttest(design, "api00", "yes")
    with pytest.raises(ComputationError, match="negative weight"):
        svyprop(design, "yes", ci="likelihood")
    assert "nonnegative" in R["refused"]["svychisq"]
    with pytest.raises(NegativeTableError, match=r"cell\(s\) of the weighted table are negative") as caught:
        svychisq(design.domain((design.data["ell"] < 40).to_numpy()), "sch.wide", "stype")
    assert caught.value.negative >= 1


def test_a_share_below_zero_has_no_wilson_interval(design):
    """A domain where the negative weights outweigh the rest in one category: the share is below 0, and the
    Wilson interval would be (1.03, −2e−7); NaN, as the logit interval."""
    negative = design.weights < 0
    d = design.domain(negative | (design.data["stype"] == "H").to_numpy())
    shares = svyprop(d, "awards", ci="wilson")
    for e in shares:
        if not 0 <= e.estimate <= 1:
            assert np.isnan(e.ci_low) and np.isnan(e.ci_high)
        else:
            assert e.ci_low <= e.estimate <= e.ci_high
    assert any(not 0 <= e.estimate <= 1 for e in shares)


def test_score_interval_where_the_scores_variance_is_zero_is_rs():
    """Francisco–Fuller's score statistic divides by its SE, which is 0 at some trial points: R's division gives
    ±Inf and the roots are found; ours raised ZeroDivisionError."""
    st = pd.read_csv(R_DIR / "data" / "cc_apistrat.csv").dropna(subset=["api00", "ell", "awards"]).reset_index(drop=True)
    d = calibrate(svydesign(st, weights="pw", strata="stype", fpc="fpc"),
                  {"stype": {"E": 6194 - 755 - 1018, "H": 755, "M": 1018}, "enroll": 3811472}, calfun="linear")
    q = svyquantile(d.domain((d.data["ell"] < 40).to_numpy()), "api00", (0.1,), interval="score")[0.1]
    ref = R["score_zero_variance"]
    close([q.estimate, q.ci_low, q.ci_high], [ref["quantile"], ref["low"], ref["high"]])


def test_replicate_degrees_of_freedom_are_rs_qr_rank(design):
    """R's degf of a replicate design is the rank of the analysis weights by qr(tol = 1e-5); ours, by singular
    values at 1e-5 of the largest, was 198 where a weight is small (|w| = 0.023) and R says 199."""
    n = design.n
    jk = np.full((n, n), n / (n - 1))
    np.fill_diagonal(jk, 0.0)
    ref = R["replicate_degf"]
    calibrated = replicate_design(design.data, design.weights, jk, type="JK1")
    assert calibrated.degrees_of_freedom() == ref["calibrated"] == 199
    e = calibrated.domain((design.data["stype"] == "E").to_numpy())
    assert e.degrees_of_freedom() == ref["calibrated_e"]
    small = design.data["pw"].to_numpy(dtype=float).copy()
    small[0] = 0.0232
    assert replicate_design(design.data, small, jk, type="JK1").degrees_of_freedom() == ref["small_weight"]

"""Post-stratification, raking and calibration against R's survey; errors; the study weighting."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from fjernarbeid.errors import ComputationError, DataValidationError
from fjernarbeid.survey import (
    WeightReport,
    calibrate,
    poststratify,
    rake,
    svydesign,
    svymean,
    svyprop,
    svyratio,
    svytotal,
    weight_study,
)

EST, SE = 1e-6, 1e-4


@pytest.fixture(scope="module")
def P(R):
    return R["populations"]


@pytest.fixture(scope="module")
def dstrat(fixtures_dir):
    return svydesign(pd.read_csv(fixtures_dir / "api" / "apistrat.csv"), "pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1(fixtures_dir):
    return svydesign(pd.read_csv(fixtures_dir / "api" / "apiclus1.csv"), "pw", cluster="dnum", fpc="fpc")


def check_calibrated(design, ref):
    """Weights, and estimates with SEs that account for the weighting, against R's ``calibrated()``."""
    np.testing.assert_allclose(design.weights, ref["weights"], rtol=EST)
    for got, want in [(svymean(design, "api00"), ref["mean_api00"]), (svytotal(design, "enroll"), ref["total_enroll"]),
                      (svyratio(design, "api.stu", "enroll"), ref["ratio"])]:
        assert got.estimate == pytest.approx(want["estimate"], rel=EST)
        assert got.se == pytest.approx(want["se"], rel=SE)
        assert (got.ci_low, got.ci_high) == pytest.approx((want["ci_low"], want["ci_high"]), rel=SE)
    assert svymean(design, "api00").deff == pytest.approx(ref["mean_api00"]["deff"], rel=SE)
    assert svytotal(design, "enroll").deff == pytest.approx(ref["total_enroll"]["deff"], rel=SE)
    props = svyprop(design, "awards")
    np.testing.assert_allclose(props.estimate, ref["mean_awards"]["estimate"], rtol=EST)
    # a calibration variable's share has (almost) no variance left: compare on an absolute scale
    np.testing.assert_allclose(props.se, ref["mean_awards"]["se"], rtol=SE, atol=1e-10)
    elementary = design.domain(design.data["stype"].eq("E").to_numpy())
    got = svymean(elementary, "api00")
    assert got.se == pytest.approx(ref["domain_mean"]["se"], rel=SE)
    assert got.deff == pytest.approx(ref["domain_mean"]["deff"], rel=SE)
    for method in ("logit", "beta", "wilson"):
        share = svyprop(design, "comp.imp", ci=method)["Yes"]
        assert share.se == pytest.approx(ref["ciprop"]["se"], rel=SE)
        assert (share.ci_low, share.ci_high) == pytest.approx(ref["ciprop"][method]["ci"], rel=SE)


# -- against R -----------------------------------------------------------------------------------


def test_poststratify_on_one_variable(dstrat, P, R):
    check_calibrated(poststratify(dstrat, "awards", P["awards"]), R["poststrat_awards"])


def test_poststratify_on_a_cross_classification_given_as_a_table(dstrat, P, R):
    table = pd.DataFrame(P["stype_awards"])  # columns stype, awards, Freq (R's data frame)
    check_calibrated(poststratify(dstrat, ["stype", "awards"], table), R["poststrat_stype_awards"])


def test_poststratify_a_cluster_sample(dclus1, P, R):
    check_calibrated(poststratify(dclus1, "stype", P["stype"]), R["clus_poststrat_stype"])


def test_rake_as_r_with_its_defaults(dstrat, dclus1, P, R):
    raked = rake(dstrat, {"sch.wide": P["sch.wide"], "awards": P["awards"]}, epsilon=1, max_iter=10)
    check_calibrated(raked, R["rake_schwide_awards"])
    raked = rake(dclus1, {"stype": P["stype"], "sch.wide": P["sch.wide"]}, epsilon=1, max_iter=10)
    check_calibrated(raked, R["clus_rake_stype_schwide"])


@pytest.fixture(scope="module")
def calibration_targets(P):
    return {"stype": P["stype"], "awards": P["awards"], "api99": P["api99"]}


@pytest.mark.parametrize("key, options", [
    ("cal_linear", {}),
    ("cal_linear_bounded", {"bounds": (0.88, 1.12)}),
    ("cal_raking", {"calfun": "raking"}),
    ("cal_logit", {"calfun": "logit", "bounds": (0.85, 1.15)}),
])
def test_calibrate(key, options, dstrat, calibration_targets, R):
    cal = calibrate(dstrat, calibration_targets, **options)
    check_calibrated(cal, R[key])
    if "bounds" in options:  # the bounds hold: they are part of the calibration, not a later trim
        g = cal.weights / dstrat.weights
        assert g.min() >= options["bounds"][0] - 1e-9 and g.max() <= options["bounds"][1] + 1e-9


def test_calibrate_a_cluster_sample(dclus1, calibration_targets, R):
    check_calibrated(calibrate(dclus1, calibration_targets), R["clus_cal_linear"])


def test_calibration_that_cannot_converge_fails_as_in_r(dstrat, calibration_targets, R):
    assert R["cal_logit_impossible"]["fails"] is True
    with pytest.raises(ComputationError, match=r"failed to converge.*misfit 0.0999.*stype='M'"):
        calibrate(dstrat, calibration_targets, calfun="logit", bounds=(0.9, 1.1))
    kept = calibrate(dstrat, calibration_targets, calfun="logit", bounds=(0.9, 1.1), force=True)
    summary = kept.adjustments[-1].summary
    assert not summary.converged


def test_calibrated_weights_meet_the_targets(dstrat, calibration_targets, P):
    cal = calibrate(dstrat, calibration_targets, calfun="raking")
    w, data = cal.weights, cal.data
    assert w.sum() == pytest.approx(6194, rel=1e-9)
    assert w[data["stype"].eq("H").to_numpy()].sum() == pytest.approx(755, rel=1e-9)
    assert w @ data["api99"] == pytest.approx(P["api99"], rel=1e-9)


# -- targets given in other ways -----------------------------------------------------------------


def test_shares_are_scaled_by_population_size_or_the_weights(dstrat, P):
    counts = poststratify(dstrat, "awards", P["awards"])
    total = sum(P["awards"].values())
    shares = {k: v / total for k, v in P["awards"].items()}
    np.testing.assert_allclose(poststratify(dstrat, "awards", shares, shares=True, population_size=total).weights,
                               counts.weights, rtol=1e-12)
    by_weights = poststratify(dstrat, "awards", shares, shares=True)
    assert by_weights.weights.sum() == pytest.approx(dstrat.weights.sum())
    with pytest.raises(ComputationError, match="shares sum to 100"):
        poststratify(dstrat, "awards", {k: 100 * v for k, v in shares.items()}, shares=True)


def test_labels_match_whatever_their_type():
    frame = pd.DataFrame({"sex": ["1", "2", "2", "1", "2"], "x": [1, 2, 3, 4, 5]})
    d = poststratify(svydesign(frame), "sex", {1: 10.0, 2.0: 30.0})
    assert d.weights == pytest.approx([5, 10, 10, 5, 10])


# -- impossible targets ----------------------------------------------------------------------------


def test_an_empty_cell_is_named_and_collapsing_suggested(dstrat, P):
    table = pd.DataFrame(P["stype_awards"])
    no_high_no_award = dstrat.data.index[(dstrat.data.stype == "H") & (dstrat.data.awards == "No")]
    thin = svydesign(dstrat.data.drop(no_high_no_award), "pw", strata="stype", fpc="fpc")
    with pytest.raises(ComputationError, match=r"no respondents in 1 cell.*stype='H', awards='No'.*[Cc]ollapse"):
        poststratify(thin, ["stype", "awards"], table)
    partial = poststratify(thin, ["stype", "awards"], table, partial=True)  # R's partial=TRUE: cell ignored
    missing_cell = table[(table.stype == "H") & (table.awards == "No")]["Freq"].sum()
    assert partial.weights.sum() == pytest.approx(table["Freq"].sum() - missing_cell)


def test_a_category_without_target_is_named(dstrat, P):
    with pytest.raises(ComputationError, match=r"awards='Yes' occurs in the data .* has no population target"):
        poststratify(dstrat, "awards", {"No": 2027})
    with pytest.raises(ComputationError, match=r"sch.wide='Yes'.*no population target"):
        rake(dstrat, {"awards": P["awards"], "sch.wide": {"No": 1072, "Ja": 5122}})


def test_missing_values_in_a_weighting_variable_name_the_rows():
    frame = pd.DataFrame({"sex": [1, 2, None, 1]})
    with pytest.raises(DataValidationError, match=r"'sex' is missing in rows 3"):
        poststratify(svydesign(frame), "sex", {1: 5, 2: 5})


def test_margins_of_different_population_sizes_cannot_be_raked(dstrat, P):
    with pytest.raises(ComputationError, match="different population sizes"):
        rake(dstrat, {"awards": P["awards"], "sch.wide": {"No": 1072, "Yes": 6000}})


def test_raking_that_does_not_converge_names_the_margin(dstrat, P):
    with pytest.raises(ComputationError, match=r"did not converge in 1 sweeps.*furthest off"):
        rake(dstrat, {"sch.wide": P["sch.wide"], "awards": P["awards"]}, epsilon=1e-9, max_iter=1)
    raked = rake(dstrat, {"sch.wide": P["sch.wide"], "awards": P["awards"]}, epsilon=1e-9, max_iter=1, force=True)
    assert raked.adjustments[-1].summary.converged is False


# -- the weight report -----------------------------------------------------------------------------


def test_weight_report(dstrat, P):
    raked = rake(dstrat, {"sch.wide": P["sch.wide"], "awards": P["awards"]})
    report = WeightReport.from_design(raked)
    w = raked.weights
    assert report.n == 200 and report.sum_weights == pytest.approx(6194)
    assert report.ratio == pytest.approx(w.max() / w.min())
    assert report.kish_deff == pytest.approx(1 + report.cv**2)
    assert report.effective_n == pytest.approx(w.sum() ** 2 / (w**2).sum())
    assert report.method == "rake" and report.converged and report.iterations >= 2
    margins = report.margins.set_index(["variable", "category"])
    assert margins.loc[("awards", "Yes"), "target"] == 4167
    np.testing.assert_allclose(margins["weighted"], margins["target"], atol=1.0)  # epsilon = 1 person
    assert "Kish design effect" in report.to_text()
    json.dumps(report.to_dict())


def test_report_of_unweighted_design(dstrat):
    report = WeightReport.from_design(dstrat)
    assert report.method == "design weights" and report.margins.empty


# -- the study -------------------------------------------------------------------------------------


def _respondents(n=300, seed=1):
    rng = np.random.default_rng(seed)
    return pd.DataFrame({"id": np.arange(1, n + 1), "q202": rng.integers(1964, 2001, n), "q207": rng.integers(1, 3, n)})


def test_study_weights_hit_ssb_sex_by_age(instrument):
    from fjernarbeid.refdata import population_targets

    frame = _respondents()
    result = weight_study(frame, instrument)
    targets = population_targets()
    assert result.weights.index.equals(frame.index) and result.weights.name == "weight"
    weighted = result.design.data.assign(w=result.weights.to_numpy()).groupby(["q207", "age_group"])["w"].sum()
    expected = targets.set_index(["sex", "age_group"])["population"]
    np.testing.assert_allclose(weighted.to_numpy(), expected.loc[weighted.index].to_numpy(), rtol=1e-9)
    assert result.report.sum_weights == pytest.approx(targets["population"].sum())
    assert len(result.report.margins) == 14


def test_study_empty_cell_suggests_collapsing_or_raking(instrument):
    frame = _respondents()
    frame = frame[~((frame.q207 == 2) & (frame.q202 >= 1996))]  # no women aged 25-29
    with pytest.raises(ComputationError, match=r"q207=2, age_group=1.*[Cc]ollapse.*rake"):
        weight_study(frame, instrument)
    raked = weight_study(frame, instrument, method="rake")
    margins = raked.report.margins
    np.testing.assert_allclose(margins["weighted"], margins["target"], atol=1.0)


# -- properties -----------------------------------------------------------------------------------


@st.composite
def calibration_problems(draw):
    n = draw(st.integers(12, 40))
    a = draw(st.lists(st.sampled_from(["x", "y", "z"]), min_size=n, max_size=n).filter(lambda v: len(set(v)) == 3))
    w = draw(st.lists(st.floats(1, 20), min_size=n, max_size=n))
    size = draw(st.floats(100, 1e6))
    shares = draw(st.lists(st.floats(0.1, 1), min_size=3, max_size=3))
    mean = draw(st.floats(0.8, 1.2))
    return pd.DataFrame({"a": a, "w": w, "v": np.linspace(0.5, 1.5, n)}), size, shares, mean


@settings(max_examples=30, deadline=None)
@given(calibration_problems(), st.sampled_from(["linear", "raking"]))
def test_calibrated_weights_reproduce_the_targets(problem, calfun):
    frame, size, shares, mean = problem
    targets = {"a": dict(zip("xyz", np.array(shares) / sum(shares) * size)), "v": mean * size}
    try:
        cal = calibrate(svydesign(frame, "w"), targets, calfun=calfun)
    except ComputationError:  # some raking targets are out of reach (said, not hidden); draw another
        assert calfun == "raking"
        assume(False)
    w = cal.weights
    # R's convergence rule: every constraint within 1e-7 (1 + |target|); the population size is one
    tolerance = 1e-6 * (1 + size)
    for k, v in targets["a"].items():
        assert w[frame["a"].eq(k).to_numpy()].sum() == pytest.approx(v, abs=tolerance)
    assert w @ frame["v"] == pytest.approx(targets["v"], abs=tolerance)


@settings(max_examples=30, deadline=None)
@given(calibration_problems())
def test_poststratified_and_raked_weights_reproduce_the_targets(problem):
    frame, size, shares, _ = problem
    targets = dict(zip("xyz", np.array(shares) / sum(shares) * size))
    d = svydesign(frame, "w")
    for weighted in (poststratify(d, "a", targets), rake(d, {"a": targets})):
        for k, v in targets.items():
            assert weighted.weights[frame["a"].eq(k).to_numpy()].sum() == pytest.approx(v, rel=1e-9)
        assert not math.isnan(svymean(weighted, "v").se)


def test_negative_calibrated_weights_are_said():
    """A linear calibration far from the sample gives negative weights, which the estimators leave out (R keeps
    them): calibrate says so and how to avoid it."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"a": rng.integers(0, 2, 400), "x": rng.normal(10, 3, 400), "w": 1.0})
    design = svydesign(df, "w")
    with pytest.warns(UserWarning, match=r"negative weight.*bounds"):
        calibrate(design, {"a": {0: 50.0, 1: 350.0}, "x": 5000.0}, calfun="linear")

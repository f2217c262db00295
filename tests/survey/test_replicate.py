"""Jackknife and bootstrap replicate weights against R's survey (as.svrepdesign, svrVar)."""

from __future__ import annotations


import numpy as np
import pandas as pd
import pytest

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey import (
    as_replicate_design,
    poststratify,
    replicate_design,
    replicate_variance,
    svydesign,
    svymean,
    svyprop,
    svyratio,
    svytotal,
)

EST, SE = 1e-6, 1e-4


def check_replicates(rep, ref):
    """The replicate design's estimates and SEs against R's ``replicate_stats()``."""
    assert rep.scale == pytest.approx(ref["scale"], rel=1e-12)
    np.testing.assert_allclose(np.sort(rep.rscales), np.sort(ref["rscales"]), rtol=1e-12)
    assert rep.degrees_of_freedom() == ref["degf"]
    for got, want in [(svymean(rep, "api00"), ref["mean_api00"]), (svytotal(rep, "enroll"), ref["total_enroll"]),
                      (svyratio(rep, "api.stu", "enroll"), ref["ratio"])]:
        assert got.estimate == pytest.approx(want["estimate"], rel=EST)
        assert got.se == pytest.approx(want["se"], rel=SE)
        assert got.df == want["df"]
    props = svyprop(rep, "awards")
    np.testing.assert_allclose(props.se, ref["mean_awards"]["se"], rtol=SE)
    elementary = rep.domain(rep.data["stype"].eq("E").to_numpy())
    got = svymean(elementary, "api00")
    assert got.se == pytest.approx(ref["domain_mean"]["se"], rel=SE)
    assert got.df == ref["domain_mean"]["df"]
    for design, key in [(rep, "ciprop"), (elementary, "domain_ciprop")]:
        for method in ("logit", "beta", "wilson"):
            share = svyprop(design, "awards", ci=method)["Yes"]
            assert share.df == ref[key]["df"]
            assert (share.ci_low, share.ci_high) == pytest.approx(ref[key][method]["ci"], rel=SE)


def test_jk1_for_a_cluster_sample(apiclus1, R):
    check_replicates(as_replicate_design(svydesign(apiclus1, "pw", cluster="dnum", fpc="fpc"), "JK1"), R["jk1_clus"])


def test_jkn_for_a_stratified_sample_with_and_without_fpc(apistrat, R):
    check_replicates(as_replicate_design(svydesign(apistrat, "pw", strata="stype", fpc="fpc")), R["jkn_strat"])
    check_replicates(as_replicate_design(svydesign(apistrat, "pw", strata="stype"), "JKn"), R["jkn_strat_nofpc"])


def test_bootstrap_with_replicate_weights_exported_from_r(apistrat, fixtures_dir, R):
    multipliers = pd.read_csv(fixtures_dir / "r" / "estimation.bootweights.csv")
    rep = replicate_design(apistrat, "pw", multipliers, type="bootstrap", scale=R["bootstrap_strat"]["scale"])
    check_replicates(rep, R["bootstrap_strat"])


def test_our_bootstrap_draws_as_r_does(apistrat, fixtures_dir, R):
    design = svydesign(apistrat, "pw", strata="stype", fpc="fpc")
    rep = as_replicate_design(design, "bootstrap", replicates=50, seed=7)
    # same scale as R (harmonic mean of PSUs per stratum), and every stratum redraws its own size
    assert rep.scale == pytest.approx(R["bootstrap_strat"]["scale"], rel=1e-12)
    by_stratum = pd.DataFrame(rep.multipliers).groupby(apistrat["stype"].to_numpy()).sum()
    assert (by_stratum.to_numpy() == apistrat["stype"].value_counts().sort_index().to_numpy()[:, None]).all()
    # R's own draws have the same structure
    r_draws = pd.read_csv(fixtures_dir / "r" / "estimation.bootweights.csv").groupby(apistrat["stype"].to_numpy()).sum()
    assert (r_draws.to_numpy() == by_stratum.to_numpy()[:, :1]).all()
    again = as_replicate_design(design, "bootstrap", replicates=50, seed=7)
    np.testing.assert_array_equal(rep.multipliers, again.multipliers)


def test_many_bootstrap_replicates_approach_the_linearisation_variance(apistrat):
    design = svydesign(apistrat, "pw", strata="stype")
    rep = as_replicate_design(design, "bootstrap", replicates=4000, seed=2025)
    # 4000 replicates estimate a variance to about ±2.2% (1 s.d.); the seed is fixed
    assert svymean(rep, "api00").se == pytest.approx(svymean(design, "api00").se, rel=0.05)


def test_replicate_variance_of_any_statistic_matches_the_estimators(apiclus1):
    rep = as_replicate_design(svydesign(apiclus1, "pw", cluster="dnum", fpc="fpc"), "JK1")
    x = apiclus1["api00"].to_numpy(float)
    estimate, vcov = replicate_variance(rep, lambda w: np.sum(w * x) / np.sum(w))
    mean = svymean(rep, "api00")
    assert estimate[0] == pytest.approx(mean.estimate)
    assert np.sqrt(vcov[0, 0]) == pytest.approx(mean.se, rel=1e-12)
    # a statistic with no estimator of its own: the weighted median
    _, vcov = replicate_variance(rep, lambda w: _weighted_median(x, w))
    assert vcov[0, 0] > 0


def _weighted_median(x, w):
    order = np.argsort(x)
    cum = np.cumsum(w[order])
    return x[order][np.searchsorted(cum, cum[-1] / 2)]


def test_jk1_needs_an_unstratified_design_and_calibrated_designs_are_refused(apistrat):
    design = svydesign(apistrat, "pw", strata="stype", fpc="fpc")
    with pytest.raises(ComputationError, match="JK1 is for unstratified"):
        as_replicate_design(design, "JK1")
    with pytest.raises(ComputationError, match="calibrated design"):
        as_replicate_design(poststratify(design, "awards", {"No": 2027, "Yes": 4167}))


def test_lonely_psus_under_jkn(apistrat):
    one_high_school = pd.concat([apistrat[apistrat.stype != "H"], apistrat[apistrat.stype == "H"].iloc[:1]])
    with pytest.raises(ComputationError, match="only one PSU"):
        as_replicate_design(svydesign(one_high_school, "pw", strata="stype"), "JKn")
    removed = as_replicate_design(svydesign(one_high_school, "pw", strata="stype", lonely_psu="remove"), "JKn")
    assert removed.replicates == len(one_high_school) - 1


def test_multipliers_must_fit_the_data(apistrat):
    with pytest.raises(ValueError, match="n × R"):
        replicate_design(apistrat, "pw", np.ones((10, 5)))

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


# -- replicate designs made from a design: BRR, Fay, JK2, successive differences (R parity) ---------


@pytest.fixture(scope="module")
def nhanes_pairs(parity):
    """NHANES rows with HI_CHOL in the strata of two PSUs (parity.R's pairs_data)."""
    from fjernarbeid.survey import svydesign

    d = parity.frame("nhanes")
    d = d[d["HI_CHOL"].notna() & (d["SDMVSTRA"] != 86)]
    return svydesign(d, "WTMEC2YR", strata="SDMVSTRA", cluster="SDMVPSU", nest=True)


@pytest.mark.parametrize("kind, options", [
    ("BRR", {}), ("BRR", {"hadamard": "brr"}), ("Fay", {"hadamard": "brr", "fay_rho": 0.3}), ("JK2", {}),
    ("SDR", {"hadamard": "sdr"}),
])
def test_replicates_from_a_design_equal_r(nhanes_pairs, parity_ref, kind, options):
    from fjernarbeid.survey import as_replicate_design, svyby, svymean, svytotal

    ref = parity_ref["replicate_designs"]
    if "hadamard" in options:
        options = {**options, "hadamard": ref[f"hadamard_{options['hadamard']}"]}  # R's own matrix
    design = as_replicate_design(nhanes_pairs, kind, **options)
    assert design.replicates == ref[kind]["replicates"]
    assert svymean(design, "HI_CHOL").se == pytest.approx(ref[kind]["mean"]["se"], rel=1e-10)
    assert svytotal(design, "HI_CHOL").se == pytest.approx(ref[kind]["total"]["se"], rel=1e-10)
    np.testing.assert_allclose(svyby(design, svymean, "race", "HI_CHOL").se, ref[kind]["by_race"]["se"], rtol=1e-10)


def test_brr_of_a_total_is_the_linearised_variance_with_any_hadamard_matrix(nhanes_pairs, parity_ref):
    from fjernarbeid.survey import as_replicate_design, svytotal

    brr = as_replicate_design(nhanes_pairs, "BRR")
    assert svytotal(brr, "HI_CHOL").se == pytest.approx(parity_ref["replicate_designs"]["linearised_total"]["se"],
                                                        rel=1e-10)


def test_successive_differences_of_a_total_are_the_circular_differences(nhanes_pairs):
    from fjernarbeid.survey import as_replicate_design, svytotal
    from fjernarbeid.survey.design import group_sums

    sdr = as_replicate_design(nhanes_pairs, "SDR", mse=True)
    s = nhanes_pairs._struct
    z = group_sums(s.psu, nhanes_pairs.weights * nhanes_pairs.data["HI_CHOL"].to_numpy(), s.psu_stratum.size)
    first = np.full(z.size, len(s.psu))
    np.minimum.at(first, s.psu, np.arange(len(s.psu)))
    z = z[np.argsort(first)]  # PSUs in the data's order
    assert svytotal(sdr, "HI_CHOL").se ** 2 == pytest.approx(0.5 * np.sum((z - np.roll(z, 1)) ** 2), rel=1e-10)


@pytest.mark.parametrize("order", [4, 8, 12, 16, 20, 24, 32, 44])
def test_hadamard_matrices_are_orthogonal(order):
    from fjernarbeid.survey.replicate import hadamard

    h = hadamard(order)
    assert h.shape[0] >= order and set(np.unique(h)) == {-1.0, 1.0}
    np.testing.assert_array_equal(h @ h.T, h.shape[0] * np.eye(h.shape[0]))


def test_brr_needs_pairs(parity):
    from fjernarbeid.errors import ComputationError
    from fjernarbeid.survey import as_replicate_design

    with pytest.raises(ComputationError, match="exactly two PSUs"):
        as_replicate_design(parity.nhanes(), "BRR")


def test_a_replicate_share_of_zero_gives_no_logit_interval_and_says_why():
    # replicate 1 drops the only "No": its share is 0, its logit -inf; numpy's own warning is not the message
    import warnings

    import pandas as pd

    from fjernarbeid.survey.estimate import svyprop
    from fjernarbeid.survey.replicate import replicate_design

    data = pd.DataFrame({"y": ["No"] + ["Yes"] * 5, "w": 1.0})
    multipliers = np.ones((6, 3))
    multipliers[0, 0] = 0.0
    multipliers[1, 1] = 0.0
    design = replicate_design(data, "w", multipliers, type="JK1")
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        with np.errstate(all="raise"):  # no invalid arithmetic left to numpy
            props = svyprop(design, "y", ci="logit")
    assert any("logit interval is not given" in str(w.message) for w in caught)
    no = props["No"]
    assert no.estimate == pytest.approx(1 / 6) and np.isnan(no.ci_low) and np.isnan(no.ci_high)


def test_a_category_of_every_row_is_a_share_of_exactly_one_with_korn_graubards_interval():
    # the share's two sums of the same weights, added in different orders, may differ in the last bit:
    # 0.9999999999999998 would escape the rule for 0 and 1 (Korn & Graubard) and get a collapsed interval
    import pandas as pd

    from fjernarbeid.survey.estimate import svyprop
    from fjernarbeid.survey.replicate import replicate_design

    rng = np.random.default_rng(9)  # weights whose two sums differ: 0.9999999999999999 without the rule
    w = rng.uniform(10, 40, 14)
    data = pd.DataFrame({"y": ["Yes"] * 14, "w": w})
    multipliers = rng.uniform(0.5, 1.5, (14, 8))
    design = replicate_design(data, "w", multipliers, type="JK1")
    yes = svyprop(design, "y", categories=["No", "Yes"])["Yes"]
    assert yes.estimate == 1.0 and yes.ci_high == 1.0 and 0 < yes.ci_low < 1

"""The design object: construction rules, degrees of freedom, lonely PSUs (against R's survey)."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.errors import ComputationError, DataValidationError
from fjernarbeid.survey import svydesign, svymean, svytotal
from fjernarbeid.survey.design import group_sums

SE = 1e-4


def test_degrees_of_freedom_are_psus_minus_strata(apistrat, apiclus1, R):
    strat = svydesign(apistrat, "pw", strata="stype", fpc="fpc")
    clus = svydesign(apiclus1, "pw", cluster="dnum", fpc="fpc")
    assert strat.degrees_of_freedom() == R["degf"]["strat"] == 197
    assert clus.degrees_of_freedom() == R["degf"]["clus"] == 14
    # a domain counts only its own PSUs and strata
    assert strat.domain(apistrat["stype"].eq("E").to_numpy()).degrees_of_freedom() == 99


def test_variance_of_a_mean_under_equal_weights_is_s2_over_n():
    x = np.array([3.0, 7.0, 1.0, 9.0, 4.0, 6.0])
    d = svydesign(pd.DataFrame({"x": x}))
    influence = (x - x.mean()) / x.size
    assert d.vcov_total(influence)[0, 0] == pytest.approx(x.var(ddof=1) / x.size, rel=1e-12)


def test_cluster_totals_are_what_varies_in_a_cluster_sample():
    # two clusters per stratum: the variance only depends on the cluster totals
    frame = pd.DataFrame({"psu": [1, 1, 2, 2, 3, 3, 4, 4], "h": [1, 1, 1, 1, 2, 2, 2, 2]})
    d = svydesign(frame, strata="h", cluster="psu")
    x = np.array([1.0, 2, 5, 0, 2, 2, 1, 1])
    z = np.array([3.0, 5, 4, 2])  # PSU totals
    expected = 2 * ((z[0] - 4) ** 2 + (z[1] - 4) ** 2) + 2 * ((z[2] - 3) ** 2 + (z[3] - 3) ** 2)
    assert d.vcov_total(x)[0, 0] == pytest.approx(expected)


@pytest.mark.parametrize("option", ["remove", "adjust", "average", "certainty"])
def test_lonely_psus_as_r_options(option, apistrat, apiclus1, R):
    one_high_school = pd.concat([apistrat[apistrat.stype != "H"], apistrat[apistrat.stype == "H"].iloc[:1]])
    assert len(one_high_school) == R["lonely_strat_rows"]
    ref = R["lonely"][option]
    strat = svydesign(one_high_school, "pw", strata="stype", fpc="fpc", lonely_psu=option)
    assert svymean(strat, "api00").se == pytest.approx(ref["strat_mean"]["se"], rel=SE)
    assert svytotal(strat, "enroll").se == pytest.approx(ref["strat_total"]["se"], rel=SE)
    counties = svydesign(apiclus1, "pw", strata="cname", cluster="dnum", lonely_psu=option)
    assert svymean(counties, "api00").se == pytest.approx(ref["clus_mean"]["se"], rel=SE)
    assert svytotal(counties, "enroll").se == pytest.approx(ref["clus_total"]["se"], rel=SE)
    elementary = counties.domain(apiclus1["stype"].eq("E").to_numpy())
    assert svymean(elementary, "api00").se == pytest.approx(ref["clus_domain_mean"]["se"], rel=SE)


def test_a_lonely_psu_fails_by_default_but_not_outside_the_domain(apistrat, R):
    one_high_school = pd.concat([apistrat[apistrat.stype != "H"], apistrat[apistrat.stype == "H"].iloc[:1]])
    d = svydesign(one_high_school, "pw", strata="stype", fpc="fpc")
    with pytest.raises(ComputationError, match="only one PSU.*lonely_psu"):
        svymean(d, "api00")
    elementary = svymean(d.domain(d.data["stype"].eq("E").to_numpy()), "api00")
    assert elementary.se == pytest.approx(R["lonely_fail_domain"]["se"], rel=SE)


def test_bad_weights_name_the_rows():
    frame = pd.DataFrame({"w": [1.0, 0.0, np.nan, -2.0, 3.0]})
    with pytest.raises(DataValidationError, match=r"weights 'w' .* rows 2, 3, 4"):
        svydesign(frame, "w")


def test_missing_strata_or_clusters_are_refused():
    frame = pd.DataFrame({"h": [1, 1, None, 2], "c": [1, 2, 3, 4]})
    with pytest.raises(DataValidationError, match=r"strata column 'h' is missing in rows 3"):
        svydesign(frame, strata="h")


def test_clusters_must_be_nested_in_strata_unless_nest():
    frame = pd.DataFrame({"h": [1, 1, 2, 2], "c": [1, 2, 1, 2]})
    with pytest.raises(DataValidationError, match="more than one stratum.*nest=True"):
        svydesign(frame, strata="h", cluster="c")
    d = svydesign(frame, strata="h", cluster="c", nest=True)
    assert d.degrees_of_freedom() == 2


def test_fpc_rules_as_r():
    frame = pd.DataFrame({"f": [0.1, 10, 10, 10]})
    with pytest.raises(DataValidationError, match="mixes population sizes"):
        svydesign(frame, fpc="f")
    with pytest.raises(DataValidationError, match="more than 100% sampling"):
        svydesign(pd.DataFrame({"f": [3, 3, 3, 3]}), fpc="f")
    fraction = svydesign(pd.DataFrame({"f": [0.5] * 4}), fpc="f")
    size = svydesign(pd.DataFrame({"f": [8] * 4}), fpc="f")
    assert fraction.fpc == pytest.approx(size.fpc)
    assert size.weights == pytest.approx([2.0] * 4)  # no weights given: N/n, as R


def test_one_psu_is_not_a_design():
    with pytest.raises(ComputationError, match="only one primary sampling unit"):
        svydesign(pd.DataFrame({"c": [1, 1, 1]}), cluster="c")


def test_domains_keep_rows_and_zero_the_weights(apistrat):
    d = svydesign(apistrat, "pw", strata="stype", fpc="fpc")
    sub = d.domain(apistrat["stype"].eq("M").to_numpy())
    assert sub.n == d.n and (sub.weights[apistrat["stype"].ne("M").to_numpy()] == 0).all()
    with pytest.raises(ValueError, match="one value per row"):
        d.domain([True, False])


def test_group_sums_equal_a_plain_loop():
    rng = np.random.default_rng(3)
    codes = rng.integers(0, 5, 50)
    x = rng.normal(size=(50, 3))
    expected = np.zeros((5, 3))
    np.add.at(expected, codes, x)
    np.testing.assert_allclose(group_sums(codes, x, 5), expected)
    np.testing.assert_allclose(group_sums(codes, x[:, 0], 5), expected[:, 0])


def test_unknown_lonely_option_is_refused(apistrat):
    with pytest.raises(ValueError, match="lonely_psu"):
        svydesign(apistrat, "pw", lonely_psu="ignore")


def test_an_all_lonely_average_design_has_no_variance():
    frame = pd.DataFrame({"h": [1, 2, 3], "x": [1.0, 2.0, 3.0]})
    d = svydesign(frame, strata="h", lonely_psu="average")
    assert math.isnan(svymean(d, "x").se)


def test_raking_correction_equals_rs_row_by_row_backfitting(fixtures_dir):
    """The regrouped backfitting of RakingAdjustment is R's svyrecvar loop, done on joint cells."""
    from fjernarbeid.survey import rake

    data = pd.read_csv(fixtures_dir / "api" / "apistrat.csv")
    d = svydesign(data, "pw", strata="stype", fpc="fpc")
    raked = rake(d, {"sch.wide": {"No": 1072, "Yes": 5122}, "awards": {"No": 2027, "Yes": 4167},
                     "yr.rnd": {"No": 5000, "Yes": 1194}})
    adj = raked.adjustments[-1]
    rng = np.random.default_rng(5)
    x = rng.normal(size=(d.n, 3)) * raked.weights[:, None]
    x[:20] = 0.0  # rows outside a domain
    expected = x.copy()
    margins = [pd.factorize(data[c], sort=True)[0] for c in ("sch.wide", "awards", "yr.rnd")]
    for _ in range(10):  # R: x <- x - psw * apply(x/psw, 2, ave, margin)
        for m, cells in enumerate(margins):
            psw = adj.margin_weights(m)
            means = pd.DataFrame(expected / psw[:, None]).groupby(cells).transform("mean").to_numpy()
            expected = expected - psw[:, None] * means
    np.testing.assert_allclose(adj.residualise(x), expected, rtol=1e-10, atol=1e-12)


def test_fpc_must_be_constant_within_a_stratum():
    frame = pd.DataFrame({"h": [1, 1, 2, 2], "f": [10, 11, 5, 5]})
    with pytest.raises(DataValidationError, match=r"differs between rows of stratum '1' \(rows 1, 2\)"):
        svydesign(frame, strata="h", fpc="f")


@pytest.mark.parametrize("calibration", ["poststratify", "rake"])
def test_residuals_in_place_give_the_same_variance_and_leave_a_kept_array_alone(calibration, fixtures_dir):
    """vcov_total(x, overwrite=True) computes the residuals in x's own memory (no n × k copy); the
    default never changes the caller's array. Both give exactly the same numbers."""
    from fjernarbeid.survey import poststratify, rake

    data = pd.read_csv(fixtures_dir / "api" / "apistrat.csv")
    d = svydesign(data, "pw", strata="stype", fpc="fpc")
    if calibration == "poststratify":
        weighted = poststratify(d, ["stype"], pd.DataFrame({"stype": ["E", "H", "M"], "Freq": [4421, 755, 1018]}),
                                column="Freq")
    else:
        weighted = rake(d, {"sch.wide": {"No": 1072, "Yes": 5122}, "awards": {"No": 2027, "Yes": 4167}})
    rng = np.random.default_rng(7)
    x = np.asfortranarray(rng.normal(size=(d.n, 4)) * weighted.weights[:, None])
    kept = x.copy(order="F")

    v = weighted.vcov_total(x)
    assert np.array_equal(x, kept)
    assert np.array_equal(weighted.vcov_total(x, overwrite=True), v)
    assert not np.array_equal(x, kept)  # the residuals were written over it

"""Means, totals, proportions, ratios and domains against R's survey (tests/fixtures/r/estimation.R)."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from fjernarbeid.errors import ComputationError, DataValidationError
from fjernarbeid.survey import (
    Estimates,
    proportion_ci,
    svyby,
    svydesign,
    svymean,
    svyprop,
    svyratio,
    svytotal,
)

EST, SE = 1e-6, 1e-4  # relative tolerances: estimates, standard errors / CIs / deffs


def r_number(v):
    """R's NA/NaN/Inf arrive as strings in the JSON."""
    if isinstance(v, list):
        return [r_number(x) for x in v]
    return {"NA": math.nan, "NaN": math.nan, "Inf": math.inf, "-Inf": -math.inf}.get(v, v) if isinstance(v, str) else v


@pytest.fixture(scope="module")
def dstrat(apistrat):
    return svydesign(apistrat, "pw", strata="stype", fpc="fpc")


@pytest.fixture(scope="module")
def dclus1(apiclus1):
    return svydesign(apiclus1, "pw", cluster="dnum", fpc="fpc")


def check(estimate, ref, deff=True):
    """One Estimate against one R ``stat()`` record."""
    assert estimate.estimate == pytest.approx(ref["estimate"], rel=EST)
    assert estimate.se == pytest.approx(ref["se"], rel=SE)
    assert estimate.df == ref["df"]
    assert estimate.ci_low == pytest.approx(r_number(ref["ci_low"]), rel=SE, nan_ok=True)
    assert estimate.ci_high == pytest.approx(r_number(ref["ci_high"]), rel=SE, nan_ok=True)
    if deff and "deff" in ref:
        assert estimate.deff == pytest.approx(r_number(ref["deff"]), rel=SE, nan_ok=True)


# -- stratified and clustered designs -------------------------------------------------------------


def test_mean_total_ratio_in_a_stratified_sample_with_fpc(dstrat, R):
    check(svymean(dstrat, "api00"), R["strat_mean_api00"])
    check(svytotal(dstrat, "enroll"), R["strat_total_enroll"])
    check(svyratio(dstrat, "api.stu", "enroll"), R["strat_ratio"])


def test_mean_total_ratio_in_a_cluster_sample_with_fpc(dclus1, R):
    check(svymean(dclus1, "api00"), R["clus_mean_api00"])
    check(svytotal(dclus1, "enroll"), R["clus_total_enroll"])
    check(svyratio(dclus1, "api.stu", "enroll"), R["clus_ratio"])


def test_missing_values_are_a_domain_as_na_rm(dclus1, apiclus1, R):
    est = svymean(dclus1, "acs.46")
    check(est, R["clus_mean_acs46"])
    assert est.n_unweighted == apiclus1["acs.46"].notna().sum()
    with pytest.raises(ComputationError, match="acs.46.*missing in rows"):
        svymean(dclus1, "acs.46", na_rm=False)


@pytest.mark.parametrize("design, key", [("dstrat", "strat_mean_awards"), ("dclus1", "clus_mean_awards")])
def test_proportions_of_every_category_with_deff(design, key, request, R):
    props = svyprop(request.getfixturevalue(design), "awards")
    ref = R[key]
    assert [f"awards{e.category}" for e in props] == ref["names"]
    np.testing.assert_allclose(props.estimate, ref["estimate"], rtol=EST)
    np.testing.assert_allclose(props.se, ref["se"], rtol=SE)
    np.testing.assert_allclose([e.deff for e in props], ref["deff"], rtol=SE)
    assert props["Yes"].estimate == pytest.approx(ref["estimate"][1], rel=EST)


def test_totals_of_a_categorical_are_shares_times_the_base(dstrat, R):
    props = svyprop(dstrat, "awards")
    ref = R["strat_total_awards"]
    np.testing.assert_allclose(props.estimate * props.rows[0].weighted_base, ref["estimate"], rtol=EST)


# -- domains ---------------------------------------------------------------------------------------


def test_domain_estimates_keep_the_whole_design(dstrat, dclus1, apistrat, apiclus1, R):
    check(svymean(dstrat.domain(apistrat["comp.imp"].eq("Yes").to_numpy()), "api00"), R["strat_domain_mean"])
    high = dclus1.domain(apiclus1["stype"].eq("H").to_numpy())
    check(svytotal(high, "enroll"), R["clus_domain_total"])
    check(svymean(high, "api00"), R["clus_domain_mean"])


def test_svyby_mean_and_total(dclus1, dstrat, R):
    by = svyby(dclus1, svymean, "stype", "api00")
    ref = R["clus_by_mean"]
    assert [dict(e.group)["stype"] for e in by] == ref["groups"]
    np.testing.assert_allclose(by.estimate, ref["estimate"], rtol=EST)
    np.testing.assert_allclose(by.se, ref["se"], rtol=SE)
    np.testing.assert_allclose([e.deff for e in by], ref["deff"], rtol=SE)
    assert [e.df for e in by] == ref["df"]
    np.testing.assert_allclose(np.diag(by.vcov), by.se**2)

    totals = svyby(dstrat, svytotal, "awards", "enroll")
    ref = R["strat_by_total"]
    np.testing.assert_allclose(totals.estimate, ref["estimate"], rtol=EST)
    np.testing.assert_allclose(totals.se, ref["se"], rtol=SE)
    np.testing.assert_allclose([e.deff for e in totals], ref["deff"], rtol=SE)


def test_svyby_of_proportions_has_a_row_per_group_and_category(dclus1):
    table = svyby(dclus1, svyprop, "stype", "awards").to_frame()
    assert list(table.columns[:3]) == ["stype", "statistic", "variable"]
    assert len(table) == 6
    assert table.groupby("stype")["estimate"].sum().to_numpy() == pytest.approx([1, 1, 1])


def test_a_category_absent_from_the_domain_is_zero_with_zero_se(dstrat, apistrat, R):
    props = svyprop(dstrat.domain(apistrat["cname"].eq("Alameda").to_numpy()), "stype")
    ref = R["absent_category"]
    assert [e.category for e in props] == ["E", "H", "M"]
    np.testing.assert_allclose(props.estimate, ref["estimate"], rtol=EST)
    np.testing.assert_allclose(props.se, ref["se"], rtol=SE)
    assert props["H"].estimate == 0 and props["H"].se == 0 and math.isnan(props["H"].deff)
    assert props["E"].deff == pytest.approx(ref["deff"][0], rel=SE)
    assert props["E"].df == ref["df"] == 4


def test_a_domain_of_one(dstrat, apistrat, R):
    one = dstrat.domain(apistrat["snum"].eq(2077).to_numpy())
    mean, total = svymean(one, "api00"), svytotal(one, "enroll")
    assert (mean.estimate, mean.se, mean.df, mean.n_unweighted) == (840, 0, 0, 1)
    assert math.isnan(mean.ci_low)  # no degrees of freedom, as R
    assert total.estimate == pytest.approx(R["domain_of_one"]["total"]["estimate"], rel=EST)
    assert total.se == pytest.approx(R["domain_of_one"]["total"]["se"], rel=SE)


# -- equal weights: simple random sampling formulas ------------------------------------------------


def test_equal_weights_give_the_textbook_srs_formulas(apistrat, R):
    srs = svydesign(apistrat)
    mean = svymean(srs, "api00")
    x = apistrat["api00"]
    assert mean.se == pytest.approx(x.std(ddof=1) / math.sqrt(len(x)), rel=1e-12)
    check(mean, R["srs_mean_api00"], deff=False)
    # N̂ = n: no finite population to compare with, so SRS with replacement (R's deff="replace")
    assert mean.deff == pytest.approx(1.0, rel=1e-12)
    assert svytotal(srs, "enroll").se == pytest.approx(R["srs_total_enroll"]["se"], rel=SE)


def test_srs_with_fpc_has_weights_from_the_fpc_and_deff_one(apistrat, R):
    srs = svydesign(apistrat.assign(N=6194), fpc="N")
    assert srs.weights[0] == pytest.approx(R["srs_fpc"]["weights"], rel=EST)
    mean = svymean(srs, "api00")
    check(mean, R["srs_fpc"]["mean"])
    assert mean.deff == pytest.approx(1.0, rel=1e-12)
    check(svytotal(srs, "enroll"), R["srs_fpc"]["total"])


# -- confidence intervals for proportions ----------------------------------------------------------


@pytest.mark.parametrize("method", ["logit", "beta", "wilson"])
@pytest.mark.parametrize("key, design, domain, variable, category", [
    ("clus_stype_E", "dclus1", None, "stype", "E"),
    ("strat_awards", "dstrat", None, "awards", "Yes"),
    ("clus_domain", "dclus1", ("stype", "M"), "sch.wide", "Yes"),
])
def test_proportion_intervals(method, key, design, domain, variable, category, request, R):
    d = request.getfixturevalue(design)
    if domain:
        d = d.domain(d.data[domain[0]].eq(domain[1]).to_numpy())
    est = svyprop(d, variable, ci=method)[category]
    ref = R["ciprop"][key]
    assert est.estimate == pytest.approx(ref[method]["estimate"], rel=EST)
    assert est.se == pytest.approx(ref["se"], rel=SE)
    assert est.df == ref["df"]
    assert (est.ci_low, est.ci_high) == pytest.approx(ref[method]["ci"], rel=SE)
    assert est.ci_method == method


def test_a_proportion_of_zero_gets_korn_graubards_interval(dstrat, R):
    """R degenerates here (logit: a point, beta and Wilson: NaN); we use n* = n rows."""
    ref = R["ciprop"]["strat_small"]
    assert ref["beta"]["ci"] == ["NaN", "NaN"]
    d = svydesign(dstrat.data.assign(top=dstrat.data["api00"] > 900), "pw", strata="stype", fpc="fpc")
    for method in ("logit", "beta", "wilson"):
        est = svyprop(d, "top", categories=[False, True], ci=method)[True]
        assert est.estimate == 0 and est.ci_low == 0
        n_star = 200 * (stats.t.ppf(0.025, 199) / stats.t.ppf(0.025, 197)) ** 2
        assert est.ci_high == pytest.approx(1 - 0.025 ** (1 / n_star), rel=1e-9)  # Clopper-Pearson, x = 0


def test_proportion_ci_rejects_unknown_methods():
    with pytest.raises(ValueError, match="method"):
        proportion_ci(0.5, 0.1, 10, method="exact")


# -- input handling -------------------------------------------------------------------------------


def test_not_sure_codes_are_left_out_unless_asked():
    data = pd.DataFrame({"q": [1, 1, 2, 6, 6, None], "w": [1, 2, 1, 1, 1, 1]})
    d = svydesign(data, "w")
    props = svyprop(d, "q", missing=[6])
    assert [e.category for e in props] == [1, 2]
    assert props.estimate == pytest.approx([0.75, 0.25])
    assert props.rows[0].n_unweighted == 3 and props.rows[0].weighted_base == 4
    everything = svyprop(d, "q", missing=[6], include_missing=True)
    assert [e.category for e in everything] == [1, 2, 6, None]
    assert everything.estimate.sum() == pytest.approx(1)


def test_text_in_a_numeric_column_names_the_rows():
    d = svydesign(pd.DataFrame({"x": ["1", "2", "tre", "4", ""]}))
    with pytest.raises(DataValidationError, match=r"'x' must be numeric .*'tre'.* rows 3"):
        svymean(d, "x")


def test_numbers_stored_as_text_are_read():
    d = svydesign(pd.DataFrame({"x": ["1", "2", " 3", "", "6"]}))
    est = svymean(d, "x")
    assert est.estimate == 3 and est.n_unweighted == 4


def test_results_convert_to_frames_and_plain_dicts(dclus1):
    props = svyprop(dclus1, "awards")
    assert isinstance(props, Estimates)
    frame = props.to_frame()
    assert list(frame["category"]) == ["No", "Yes"]
    assert {"estimate", "se", "ci_low", "ci_high", "deff", "n_unweighted", "weighted_base", "df"} <= set(frame)
    d = props.to_dict()
    json.dumps(d)  # plain types only
    assert len(d["vcov"]) == 2
    one = svymean(dclus1, "api00")
    assert one.to_dict()["estimate"] == one.estimate
    assert one.to_frame().shape[0] == 1
    assert one.cv == pytest.approx(one.se / one.estimate)


# -- properties -----------------------------------------------------------------------------------


@st.composite
def samples(draw):
    n = draw(st.integers(6, 40))
    cats = draw(st.lists(st.sampled_from(["a", "b", "c", "d"]), min_size=n, max_size=n))
    w = draw(st.lists(st.floats(0.5, 50), min_size=n, max_size=n))
    strata = draw(st.lists(st.sampled_from([1, 2]), min_size=n, max_size=n))
    return pd.DataFrame({"cat": cats, "w": w, "s": strata})


def _design(frame):
    counts = frame["s"].value_counts()
    return svydesign(frame, "w", strata="s" if (counts >= 2).all() and len(counts) == 2 else None)


@settings(max_examples=40, deadline=None)
@given(samples())
def test_proportions_sum_to_one(frame):
    props = svyprop(_design(frame), "cat")
    assert props.estimate.sum() == pytest.approx(1.0)
    np.testing.assert_allclose(props.vcov.sum(axis=1), 0.0, atol=1e-12)  # shares move together


@settings(max_examples=40, deadline=None)
@given(samples(), st.floats(0.01, 1000))
def test_scaling_all_weights_changes_no_share(frame, factor):
    a = svyprop(_design(frame), "cat")
    b = svyprop(_design(frame.assign(w=frame["w"] * factor)), "cat")
    np.testing.assert_allclose(a.estimate, b.estimate, rtol=1e-12)
    np.testing.assert_allclose(a.se, b.se, rtol=1e-9, atol=1e-15)


def test_given_categories_of_a_number_column_are_its_values_as_for_text(dstrat, apistrat):
    """Number categories of a numeric column are found by comparing values (not by hashing each
    one): the same shares as for the column written as text, a value outside them still an error."""
    data = apistrat.assign(level=apistrat["stype"].map({"E": 1.0, "M": 2.0, "H": 3.0}))
    design = svydesign(data.assign(text=data["level"].map(lambda v: f"{v:g}")), "pw", strata="stype", fpc="fpc")
    numbers = svyprop(design, "level", categories=[3, 1.0, 2])
    text = svyprop(design, "text", categories=[3, 1.0, 2])
    assert [e.category for e in numbers] == [3, 1.0, 2]
    np.testing.assert_allclose(numbers.estimate, text.estimate, rtol=1e-12)
    np.testing.assert_allclose(numbers.se, text.se, rtol=1e-12)
    with pytest.raises(DataValidationError, match="outside the categories"):
        svyprop(design, "level", categories=[1, 2])
    assert svyprop(design, "level", categories=[1, 2], missing=[3])[1].estimate == pytest.approx(
        svyprop(design, "text", categories=[1, 2], missing=["3"])[1].estimate, rel=1e-12)

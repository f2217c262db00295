"""Degrees of freedom, intervals and tests when answers are missing, against R (tests/fixtures/r/missing_df.R).

The data are R's apistrat and apiclus1 with missing answers made on purpose (one district of apiclus1, a
whole PSU, has none). The design df of a share or a mean is that of the design (or domain) it is estimated
in, rows with a missing answer included, as R's ``svyciprop(…, df = degf(design))``; a quantile's and a
model's df count only the rows with answers, as R's ``svyquantile`` and ``svyglm``. Tolerance 1e-8
relative, except the likelihood interval (1e-5: svyciprop's glm stops at glm's default 1e-8 on the deviance,
which moves R's limits by about 1e-6; tests/fixtures/r/crosscheck.R converges it further and agrees to 3e-9).
"""

from __future__ import annotations

import json
from functools import lru_cache
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.survey import (
    poststratify,
    regTermTest,
    svyby,
    svydesign,
    svyglm,
    svymean,
    svyprop,
    svyquantile,
    svyratio,
    svytotal,
    svyttest,
    svyvar,
)

R_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "r"
CASES = json.loads((R_DIR / "missing_df.json").read_text())["cases"]
RTOL = 1e-8
DOMAINS = {"whole": None, "E": lambda f: f.stype == "E", "not_H": lambda f: f.stype != "H"}


@lru_cache(maxsize=None)
def design(design_id: str):
    if design_id == "strat":
        return svydesign(pd.read_csv(R_DIR / "data" / "missing_strat.csv"), "pw", strata="stype", fpc="fpc")
    d = svydesign(pd.read_csv(R_DIR / "data" / "missing_clus1.csv"), "pw", cluster="dnum", fpc="fpc")
    if design_id == "clus1_ps":
        d = poststratify(d, "stype", {"E": 4421, "H": 755, "M": 1018})
    return d


def domain(case: dict):
    d = design(case["design"])
    if case["domain"] == "by":
        return d.domain((d.data.stype == case["group"]).to_numpy())
    condition = DOMAINS[case["domain"]]
    return d if condition is None else d.domain(condition(d.data).to_numpy())


def name(case: dict) -> str:
    return "-".join(str(case.get(k)) for k in ("design", "domain", "group", "what", "method") if case.get(k))


def of(what: str, method: str | None = None) -> list:
    return [pytest.param(c, id=name(c)) for c in CASES if c["what"] == what and c.get("method", method) == method]


@pytest.mark.parametrize("case", [p for m in ("logit", "likelihood", "beta", "mean", "asin", "xlogit")
                                  for p in of("ciprop", m)])
def test_share_interval_uses_the_df_of_the_design_it_is_given(case):
    """R's svyciprop(~I(sw == 1), design, method, na.rm = TRUE): df = degf(design), missing rows included."""
    r = case["r"]
    share = svyprop(domain(case), "sw", ci=case["method"])[1]
    rtol = 1e-5 if case["method"] == "likelihood" else RTOL
    assert share.df == r["df"]
    assert share.estimate == pytest.approx(r["estimate"], rel=RTOL)
    assert share.se == pytest.approx(r["se"], rel=RTOL)
    assert [share.ci_low, share.ci_high] == pytest.approx(r["ci"], rel=rtol)


@pytest.mark.parametrize("case", of("mean") + of("total") + of("ratio") + of("var"))
def test_mean_total_ratio_and_variance_intervals_use_the_df_of_the_design_they_are_given(case):
    """confint(svymean(~x, design, na.rm = TRUE), df = degf(design)), and the same for totals, ratios and
    svyvar."""
    r = case["r"]
    d = domain(case)
    got = {"mean": lambda: svymean(d, "x"), "total": lambda: svytotal(d, "x"),
           "ratio": lambda: svyratio(d, "x", "ell"), "var": lambda: svyvar(d, "x")}[case["what"]]()
    assert got.df == r["df"]
    assert [got.estimate, got.se] == pytest.approx([r["estimate"], r["se"]], rel=RTOL)
    assert [got.ci_low, got.ci_high] == pytest.approx(r["ci"], rel=RTOL)


@pytest.mark.parametrize("case", of("quantile"))
def test_quantile_df_counts_only_the_rows_with_answers(case):
    """R's svyquantile(na.rm = TRUE) takes degf() after dropping the missing rows."""
    r = case["r"]
    got = svyquantile(domain(case), "x", [0.25, 0.5])
    assert [e.df for e in got] == [r["df"]] * 2
    assert list(got.estimate) == pytest.approx(r["estimate"], rel=RTOL)
    assert [e.ci_low for e in got] == pytest.approx(r["ci_low"], rel=RTOL)
    assert [e.ci_high for e in got] == pytest.approx(r["ci_high"], rel=RTOL)
    assert list(got.se) == pytest.approx(r["se"], rel=RTOL)


@pytest.mark.parametrize("case", of("glm"))
def test_model_df_counts_only_the_complete_rows(case):
    """svyglm(x ~ ell + meals): df.residual = degf(complete rows) + 1 − 3; regTermTest's ddf is that."""
    r = case["r"]
    fit = svyglm(domain(case), "x ~ ell + meals")
    test = regTermTest(fit, "meals")
    assert fit.df_residual == r["df_residual"]
    assert list(fit.coefficients) == pytest.approx(r["estimate"], rel=RTOL)
    assert list(fit.se) == pytest.approx(r["se"], rel=RTOL)
    assert (test.ddf, test.statistic, test.p_value) == pytest.approx((r["ddf"], r["F"], r["p"]), rel=RTOL)


@pytest.mark.parametrize("design_id", ["strat", "clus1", "clus1_ps"])
def test_svyby_share_interval_uses_each_groups_df(design_id):
    """svyby(~I(sw == 1), ~stype, design, svyciprop, na.rm = TRUE): each group's df is degf(design[group])."""
    r = next(c["r"] for c in CASES if c["design"] == design_id and c["what"] == "svyby_ciprop")
    shares = [e for e in svyby(design(design_id), svyprop, "stype", "sw") if e.category == 1]
    assert [e.estimate for e in shares] == pytest.approx(r["estimate"], rel=RTOL)
    assert [e.ci_low for e in shares] == pytest.approx(r["ci_low"], rel=RTOL)
    assert [e.ci_high for e in shares] == pytest.approx(r["ci_high"], rel=RTOL)
    for e in shares:
        group = next(c["r"] for c in CASES if c["design"] == design_id and c.get("group") == e.group[0][1]
                     and c["what"] == "ciprop")
        assert e.df == group["df"]


@pytest.mark.parametrize("case", of("ttest"))
def test_two_group_t_test_df_counts_only_the_rows_with_answers(case):
    """svyttest(x ~ group): the df of svyglm's residuals, from the rows where x is known."""
    r = case["r"]
    got = svyttest(domain(case), "x", "stype")
    assert got.df == r["df"]
    assert (got.estimate, got.statistic, got.p_value) == pytest.approx((r["estimate"], r["statistic"], r["p"]),
                                                                       rel=RTOL)
    assert [got.ci_low, got.ci_high] == pytest.approx(r["ci"], rel=RTOL)


def test_the_fixture_has_a_psu_without_any_answer():
    """What makes the two df differ in a cluster design: a district with no answer to x."""
    data = design("clus1").data
    assert data.groupby("dnum")["x"].count().eq(0).sum() == 1
    assert np.isnan(data.x).sum() > data.groupby("dnum")["x"].size().min()

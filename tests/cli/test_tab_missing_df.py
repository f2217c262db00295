"""`tab` and `model` on files with missing answers, against R (tests/fixtures/r/missing_df.R): the degrees of
freedom of a share's or a mean's interval are those of the sample, the --where domain or the --by group,
respondents without an answer included (R's svyciprop(…, df = degf(design))); a quantile's and a model's
count only the rows with answers (svyquantile, svyglm). In-process (run_main)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

R_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "r"
CASES = json.loads((R_DIR / "missing_df.json").read_text())["cases"]
RTOL = 1e-8
DESIGNS = {
    "strat": (R_DIR / "data" / "missing_strat.csv", ["--weight", "pw", "--strata", "stype", "--fpc", "fpc"]),
    "clus1": (R_DIR / "data" / "missing_clus1.csv", ["--weight", "pw", "--cluster", "dnum", "--fpc", "fpc"]),
}
WHERE = {"whole": [], "E": ["--where", "stype == 'E'"], "not_H": ["--where", "stype != 'H'"]}


def r_case(design: str, domain: str, what: str, **match) -> dict:
    return next(c["r"] for c in CASES if c["design"] == design and c["domain"] == domain and c["what"] == what
                and all(c.get(k) == v for k, v in match.items()))


def tab(run_main, design: str, *args) -> dict:
    file, options = DESIGNS[design]
    ran = run_main("tab", file, *args, *options, "--min-n", "0", "--format", "json")
    assert ran.code == 0, ran.stderr
    return json.loads(ran.stdout)


@pytest.mark.parametrize("design", sorted(DESIGNS))
@pytest.mark.parametrize("domain", sorted(WHERE))
@pytest.mark.parametrize("method", ["logit", "beta", "likelihood"])
def test_share_as_r_svyciprop(run_main, design, domain, method):
    r = r_case(design, domain, "ciprop", method=method)
    got = tab(run_main, design, "sw", "--ci", method, *WHERE[domain])
    share = next(e for e in got["estimates"] if str(e["category"]) == "1")
    assert share["df"] == r["df"]
    assert [share["estimate"], share["se"]] == pytest.approx([r["estimate"], r["se"]], rel=RTOL)
    # R's likelihood interval comes from its glm fit, converged to glm's 1e-8 on the deviance: 1e-5
    assert [share["ci_low"], share["ci_high"]] == pytest.approx(r["ci"], rel=1e-5 if method == "likelihood" else RTOL)


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_share_by_group_as_r_svyby_svyciprop(run_main, design):
    got = tab(run_main, design, "sw", "--by", "stype")
    shares = [e for e in got["estimates"] if str(e["category"]) == "1"]
    assert [s["group"]["stype"] for s in shares] == ["E", "H", "M"]
    for share in shares:
        r = r_case(design, "by", "ciprop", group=share["group"]["stype"])
        assert share["df"] == r["df"]
        assert [share["ci_low"], share["ci_high"]] == pytest.approx(r["ci"], rel=RTOL)


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_crosstab_cells_and_test_as_r(run_main, design):
    """Each column's shares as svyby(svyciprop); the Rao-Scott F as svychisq(~sw + stype, design), whose N and
    df count the rows with a missing answer."""
    got = tab(run_main, design, "sw", "--crosstab", "stype")
    for share in (e for e in got["estimates"] if str(e["category"]) == "1"):
        r = r_case(design, "by", "ciprop", group=share["group"]["stype"])
        assert share["df"] == r["df"]
        assert [share["ci_low"], share["ci_high"]] == pytest.approx(r["ci"], rel=RTOL)
    r = r_case(design, "whole", "chisq")
    test = got["test"]
    assert (test["statistic"], test["ndf"], test["ddf"], test["p_value"]) == pytest.approx(
        (r["statistic"], r["ndf"], r["ddf"], r["p"]), rel=RTOL)


@pytest.mark.parametrize("design", sorted(DESIGNS))
@pytest.mark.parametrize("domain", sorted(WHERE))
@pytest.mark.parametrize("option", ["--mean", "--total"])
def test_mean_and_total_interval_on_the_domains_df(run_main, design, domain, option):
    r = r_case(design, domain, option[2:])
    (got,) = tab(run_main, design, "x", option, *WHERE[domain])["estimates"]
    assert got["df"] == r["df"]
    assert [got["estimate"], got["se"], got["ci_low"], got["ci_high"]] == pytest.approx(
        [r["estimate"], r["se"], *r["ci"]], rel=RTOL)


@pytest.mark.parametrize("design", sorted(DESIGNS))
def test_mean_by_group_on_each_groups_df(run_main, design):
    for got in tab(run_main, design, "x", "--mean", "--by", "stype")["estimates"]:
        r = r_case(design, "by", "mean", group=got["group"]["stype"])
        assert got["df"] == r["df"]
        assert [got["ci_low"], got["ci_high"]] == pytest.approx(r["ci"], rel=RTOL)


@pytest.mark.parametrize("design", sorted(DESIGNS))
@pytest.mark.parametrize("domain", sorted(WHERE))
def test_ratio_and_quantiles_as_r(run_main, design, domain):
    r = r_case(design, domain, "ratio")
    (got,) = tab(run_main, design, "x", "--ratio", "ell", *WHERE[domain])["estimates"]
    assert got["df"] == r["df"]
    assert [got["estimate"], got["se"], got["ci_low"], got["ci_high"]] == pytest.approx(
        [r["estimate"], r["se"], *r["ci"]], rel=RTOL)
    r = r_case(design, domain, "quantile")
    got = tab(run_main, design, "x", "--quantile", "0.25,0.5", *WHERE[domain])["estimates"]
    assert [e["df"] for e in got] == [r["df"]] * 2
    assert [e["estimate"] for e in got] == pytest.approx(r["estimate"], rel=RTOL)
    assert [e["ci_low"] for e in got] == pytest.approx(r["ci_low"], rel=RTOL)
    assert [e["ci_high"] for e in got] == pytest.approx(r["ci_high"], rel=RTOL)


@pytest.mark.parametrize("design", sorted(DESIGNS))
@pytest.mark.parametrize("domain", sorted(WHERE))
def test_model_df_and_term_test_as_r(run_main, design, domain):
    file, options = DESIGNS[design]
    ran = run_main("model", file, "x ~ ell + meals", *options, *WHERE[domain], "--format", "json")
    assert ran.code == 0, ran.stderr
    got = json.loads(ran.stdout)
    r = r_case(design, domain, "glm")
    assert got["df_residual"] == r["df_residual"]
    assert [c["estimate"] for c in got["coefficients"]] == pytest.approx(r["estimate"], rel=RTOL)
    assert [c["se"] for c in got["coefficients"]] == pytest.approx(r["se"], rel=RTOL)
    meals = next(t for t in got["tests"] if t["terms"] == ["meals"])
    assert (meals["statistic"], meals["ddf"], meals["p_value"]) == pytest.approx((r["F"], r["ddf"], r["p"]), rel=RTOL)

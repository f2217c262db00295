"""`tab` and `model` on designs other than the study's own, against R (tests/fixtures/r/other_designs.R):
sampling probabilities (--probs, R's probs=) and two-stage designs (--cluster psu,ssu --fpc N1,N2, R's
ids=~psu+ssu, fpc=~N1+N2). In-process (run_main), so the whole file runs in a few seconds."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

R_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "r"
REFERENCE = json.loads((R_DIR / "other_designs.json").read_text())
DATA = {name: R_DIR / "data" / f"other_{name}.csv" for name in ("apistrat", "apiclus1", "apiclus2")}


def r_value(design: str, fn: str, **match) -> dict:
    for case in REFERENCE["cases"]:
        e = case["estimator"]
        if case["design"] == design and e["fn"] == fn and all(e.get(k) == v for k, v in match.items()):
            return case["r"]
    raise KeyError((design, fn, match))


DESIGN_OPTIONS = {
    "strat_probs": ("apistrat", ["--probs", "prob", "--strata", "stype", "--fpc", "fpc"]),
    "clus1_probs": ("apiclus1", ["--probs", "prob", "--cluster", "dnum"]),
    "clus2": ("apiclus2", ["--cluster", "dnum,snum", "--fpc", "fpc1,fpc2"]),
    "clus2_w": ("apiclus2", ["--weight", "pw", "--cluster", "dnum,snum", "--fpc", "fpc1,fpc2"]),
    "clus2_nofpc": ("apiclus2", ["--weight", "pw", "--cluster", "dnum,snum"]),
}


@pytest.mark.parametrize("design", sorted(DESIGN_OPTIONS))
@pytest.mark.parametrize("variable, option", [("api00", "--mean"), ("enroll", "--total"), ("acs_k3", "--mean")])
def test_tab_mean_and_total_as_r(run_main, design, variable, option):
    data, options = DESIGN_OPTIONS[design]
    ran = run_main("tab", DATA[data], variable, option, *options, "--format", "json")
    assert ran.code == 0, ran.stderr
    got = json.loads(ran.stdout)["estimates"][0]
    want = r_value(design, "mean" if option == "--mean" else "total", var=variable)
    assert got["estimate"] == pytest.approx(want["estimate"], rel=1e-8)
    assert got["se"] == pytest.approx(want["se"], rel=1e-8)


@pytest.mark.parametrize("design", ["clus2", "strat_probs"])
def test_model_as_r(run_main, design):
    data, options = DESIGN_OPTIONS[design]
    formula = "api00 ~ ell + meals + stype"
    ran = run_main("model", DATA[data], formula, *options, "--format", "json")
    assert ran.code == 0, ran.stderr
    got = {c["term"]: c for c in json.loads(ran.stdout)["coefficients"]}
    want = r_value(design, "glm", formula=formula)
    for name, estimate, se in zip(want["names"], want["estimate"], want["se"]):
        assert got[name]["estimate"] == pytest.approx(estimate, rel=1e-8), name
        assert got[name]["se"] == pytest.approx(se, rel=1e-8), name


def test_probs_and_weight_together_is_a_usage_error(run_main):
    ran = run_main("tab", DATA["apistrat"], "api00", "--mean", "--probs", "prob", "--weight", "pw")
    assert ran.code == 2
    assert "--probs" in ran.stderr and "--weight" in ran.stderr


def test_probs_outside_0_1_is_named(run_main, tmp_path):
    text = DATA["apistrat"].read_text().splitlines()
    header = text[0].split(",")
    column = header.index('"prob"')
    row = text[3].split(",")
    row[column] = "1.5"
    text[3] = ",".join(row)
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join(text) + "\n")
    ran = run_main("tab", bad, "api00", "--mean", "--probs", "prob")
    assert ran.code != 0
    assert "line 4" in ran.stderr and "prob" in ran.stderr


def test_fpc_for_every_stage_needs_a_cluster_for_every_stage(run_main):
    ran = run_main("tab", DATA["apiclus2"], "api00", "--mean", "--cluster", "dnum", "--fpc", "fpc1,fpc2")
    assert ran.code == 2
    assert "every stage" in ran.stderr


def test_an_unknown_stage_column_is_named(run_main):
    ran = run_main("tab", DATA["apiclus2"], "api00", "--mean", "--cluster", "dnum,school")
    assert ran.code == 2
    assert "'school'" in ran.stderr


STRAT = ["--weight", "pw", "--strata", "stype", "--fpc", "fpc"]


def test_total_of_a_text_column_is_the_total_of_every_category(run_main):
    """R's svytotal(~sch_wide) of a factor: a total per category."""
    ran = run_main("tab", DATA["apistrat"], "sch_wide", "--total", *STRAT, "--format", "json")
    assert ran.code == 0, ran.stderr
    rows = json.loads(ran.stdout)["estimates"]
    want = r_value("strat_fpc", "factor_total", var="sch_wide")
    assert [r["category"] for r in rows] == ["No", "Yes"]
    assert [r["estimate"] for r in rows] == pytest.approx(want["estimate"], rel=1e-8)
    assert [r["se"] for r in rows] == pytest.approx(want["se"], rel=1e-8)


def test_total_of_a_text_column_by_group_is_shown_with_its_categories(run_main):
    ran = run_main("tab", DATA["apistrat"], "sch_wide", "--total", *STRAT, "--by", "stype", "--lang", "en")
    assert ran.code == 0, ran.stderr
    lines = [line for line in ran.stdout.splitlines() if line.strip().startswith(("E ", "H ", "M "))]
    assert len(lines) == 6 and "No" in lines[0] and "Yes" in lines[1]


def test_where_on_a_text_column_is_r_subset(run_main):
    ran = run_main("tab", DATA["apistrat"], "api00", "--mean", *STRAT, "--where", "stype == 'E'", "--format", "json")
    assert ran.code == 0, ran.stderr
    got = json.loads(ran.stdout)
    want = r_value("strat_fpc", "domain_mean", var="api00")
    assert got["where"]["n"] == 100
    assert got["estimates"][0]["estimate"] == pytest.approx(want["estimate"], rel=1e-8)
    assert got["estimates"][0]["se"] == pytest.approx(want["se"], rel=1e-8)


def test_where_on_text_takes_in_and_not_equal(run_main):
    ran = run_main("tab", DATA["apistrat"], "api00", "--mean", *STRAT, "--where", "stype in ('E', 'M') and sch_wide != 'No'",
                   "--format", "json")
    assert ran.code == 0, ran.stderr
    assert json.loads(ran.stdout)["where"]["n"] == 126  # counted in R: sum(stype %in% c("E", "M") & sch_wide != "No")


def test_where_orders_no_text(run_main):
    ran = run_main("tab", DATA["apistrat"], "api00", "--mean", *STRAT, "--where", "stype > 'E'")
    assert ran.code == 2
    assert "==, !=, in or not in" in ran.stderr


def test_model_where_is_r_svyglm_in_a_subset(run_main):
    ran = run_main("model", DATA["apistrat"], "api00 ~ ell + meals", *STRAT, "--where", "stype == 'E'",
                   "--format", "json")
    assert ran.code == 0, ran.stderr
    got = json.loads(ran.stdout)
    want = r_value("strat_fpc", "domain_glm", formula="api00 ~ ell + meals")
    assert got["where"]["n"] == 100
    assert got["df_residual"] == want["df_residual"]
    coefficients = {c["term"]: c for c in got["coefficients"]}
    for name, estimate, se in zip(want["names"], want["estimate"], want["se"]):
        assert coefficients[name]["estimate"] == pytest.approx(estimate, rel=1e-8), name
        assert coefficients[name]["se"] == pytest.approx(se, rel=1e-8), name


def test_model_text_output_names_the_domain(run_main):
    ran = run_main("model", DATA["apistrat"], "api00 ~ ell", *STRAT, "--where", "stype == 'E'", "--lang", "en")
    assert ran.code == 0, ran.stderr
    assert "Within: stype == 'E' (n = 100)" in ran.stdout
    bokmaal = run_main("model", DATA["apistrat"], "api00 ~ ell", *STRAT, "--where", "stype == 'E'")
    assert "Innenfor: stype == 'E' (n = 100)" in bokmaal.stdout


def test_average_for_lonely_second_stage_psus_is_nan_with_a_warning(run_main):
    """R's multistage() averages a lonely stratum within its own district: a district with one
    sampled school of two (fpc2x) has nothing to average, and R's SE is NaN; so is ours, said once."""
    want = r_value("clus2_lonely2_average", "mean", var="api00")
    assert want["se"] is None  # R: NaN
    ran = run_main("tab", DATA["apiclus2"], "api00", "--mean", "--cluster", "dnum,snum", "--fpc", "fpc1,fpc2x",
                   "--lonely-psu", "average", "--format", "json")
    assert ran.code == 0, ran.stderr
    got = json.loads(ran.stdout)["estimates"][0]
    assert got["estimate"] == pytest.approx(want["estimate"], rel=1e-8)
    assert got["se"] is None
    assert ran.stderr.count("warning: lonely_psu='average'") == 1
    other = run_main("tab", DATA["apiclus2"], "api00", "--mean", "--cluster", "dnum,snum", "--fpc", "fpc1,fpc2x",
                     "--lonely-psu", "adjust", "--format", "json")
    assert json.loads(other.stdout)["estimates"][0]["se"] == pytest.approx(
        r_value("clus2_lonely2_adjust", "mean", var="api00")["se"], rel=1e-8)

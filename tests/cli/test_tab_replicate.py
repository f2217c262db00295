"""`tab` and `model` on replicate-weight designs, against R (tests/fixtures/r/replicate_cli.R).

A public-use file often carries replicate weights instead of strata and PSUs (80 successive-difference weights
PWGTP1..PWGTP80 in the US ACS PUMS, jackknife weights in many national surveys). `--repweights` reads them as
R's svrepdesign(repweights =, weights =, type =) does; `--replicates TYPE` makes them from a design as R's
as.svrepdesign. The files are R's own example data with the replicate weights R made, and the reference numbers
R's on the same files. In-process (run_main)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

R_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "r"
R = json.loads((R_DIR / "replicate_cli.json").read_text())
DATA = {name: R_DIR / "data" / f"replicate_{name}.csv" for name in ("apiclus1", "apistrat", "nhanes", "scd", "apisrs")}
EST, SE = 1e-8, 1e-8  # relative; R's numbers are stored with 15 significant digits


def rscales(case: str) -> str:
    return ",".join(repr(x) for x in R[case]["design"]["rscales"])


# Each case of replicate_cli.json and the command line that makes its design.
JK1 = ["--weight", "pw", "--repweights", "repw[0-9]+", "--rep-type", "JK1"]
DESIGNS = {
    # as the file's documentation would say: JK1 with R's default scale (R − 1)/R …
    "jk1": ("apiclus1", JK1),
    # … or with the scale as.svrepdesign used, (1 − f)(n − 1)/n
    "jk1_fpc": ("apiclus1", [*JK1, "--rep-scale", repr(R["jk1_fpc"]["design"]["scale"])]),
    "other": ("apiclus1", ["--weight", "pw", "--repweights", "repw[0-9]+", "--rep-type", "other",
                           "--rep-scale", repr(R["other"]["design"]["scale"]), "--rep-rscales", "1"]),
    "bootstrap": ("apiclus1", ["--weight", "pw", "--repweights", "boot[0-9]+", "--rep-type", "bootstrap"]),
    "jkn": ("apistrat", ["--weight", "pw", "--repweights", "jk[0-9]+", "--rep-type", "JKn",
                         "--rep-rscales", rscales("jkn")]),
    "sdr": ("apisrs", ["--weight", "PWGTP", "--repweights", "PWGTP[0-9]+", "--rep-type", "SDR"]),
    "sdr_mse": ("apisrs", ["--weight", "PWGTP", "--repweights", "PWGTP[0-9]+", "--rep-type",
                           "successive-difference", "--mse"]),
    "acs": ("apisrs", ["--weight", "PWGTP", "--repweights", "PWGTP[0-9]+", "--rep-type", "ACS", "--mse"]),
    # replicates made from the design (R's as.svrepdesign)
    "as_svrep_jk1": ("apiclus1", ["--weight", "pw", "--cluster", "dnum", "--fpc", "fpc", "--replicates", "JK1"]),
    "as_svrep_jkn": ("apistrat", ["--weight", "pw", "--strata", "stype", "--fpc", "fpc", "--replicates", "JKn"]),
}
NHANES = {
    "brr": ["--weight", "WTMEC2YR", "--repweights", "brr[0-9]+", "--rep-type", "BRR"],
    "fay": ["--weight", "WTMEC2YR", "--repweights", "fay[0-9]+", "--rep-type", "Fay", "--fay-rho", "0.3"],
}


def tab(run_main, data: str, *args) -> dict:
    ran = run_main("tab", DATA[data], *args, "--format", "json")
    assert ran.code == 0, ran.stderr
    return json.loads(ran.stdout)


def check(got: dict, want: dict, i: int = 0) -> None:
    """An estimate with its SE, df and t interval on degf (R's confint(…, df = degf(design)))."""
    assert got["estimate"] == pytest.approx(want["estimate"][i] if isinstance(want["estimate"], list)
                                            else want["estimate"], rel=EST)
    assert got["se"] == pytest.approx(want["se"][i] if isinstance(want["se"], list) else want["se"], rel=SE)
    assert got["df"] == want["df"]
    assert [got["ci_low"], got["ci_high"]] == pytest.approx(want["ci"][i], rel=EST)


@pytest.mark.parametrize("case", sorted(DESIGNS))
def test_mean_total_and_shares_as_r(run_main, case):
    data, options = DESIGNS[case]
    want = R[case]
    mean = tab(run_main, data, "api00", "--mean", *options)
    check(mean["estimates"][0], want["mean_api00"])
    check(tab(run_main, data, "enroll", "--total", *options)["estimates"][0], want["total_enroll"])
    shares = {r["category"]: r for r in tab(run_main, data, "awards", *options)["estimates"]}
    for i, category in enumerate(("No", "Yes")):
        assert shares[category]["estimate"] == pytest.approx(want["share_awards"]["estimate"][i], rel=EST)
        assert shares[category]["se"] == pytest.approx(want["share_awards"]["se"][i], rel=SE)
    # the share's logit interval: R's svyciprop(~I(awards == "Yes"), design), on degf(design)
    yes = want["ciprop_awards_yes"]
    assert shares["Yes"]["df"] == yes["df"]
    assert [shares["Yes"]["ci_low"], shares["Yes"]["ci_high"]] == pytest.approx(yes["ci"], rel=1e-6)
    # the design, as R's svrepdesign holds it
    design = mean["design"]["replicate"]
    assert design["type"] == {"successive-difference": "SDR"}.get(want["design"]["type"], want["design"]["type"])
    assert design["replicates"] == want["design"]["replicates"]
    assert design["scale"] == pytest.approx(want["design"]["scale"], rel=1e-14)
    assert design["rscales"] == pytest.approx([want["design"]["rscales"]] * design["replicates"]
                                              if not isinstance(want["design"]["rscales"], list)
                                              else want["design"]["rscales"], rel=1e-14)
    assert design["mse"] is want["design"]["mse"]
    assert design["df"] == want["design"]["degf"]


def test_brr_and_fay_on_pairs_of_psus_as_r(run_main):
    for case, options in NHANES.items():
        want = R[case]
        check(tab(run_main, "nhanes", "HI_CHOL", "--mean", *options)["estimates"][0], want["mean_hi_chol"])
        shares = tab(run_main, "nhanes", "agecat", *options)["estimates"]
        names = [n.removeprefix("factor(agecat)") for n in want["share_agecat"]["names"]]
        assert [r["category"] for r in shares] == names
        assert [r["estimate"] for r in shares] == pytest.approx(want["share_agecat"]["estimate"], rel=EST)
        assert [r["se"] for r in shares] == pytest.approx(want["share_agecat"]["se"], rel=SE)
    check(tab(run_main, "nhanes", "HI_CHOL", "--total", *NHANES["brr"])["estimates"][0], R["brr"]["total_hi_chol"])


def test_r_own_brr_example_with_the_columns_listed_and_r_default_type(run_main):
    """R's svrepdesign example (Levy and Lemeshow's BRR weights of data(scd)); no --rep-type: BRR, as R's."""
    options = ["--weight", "w", "--repweights", "rep1,rep2,rep3,rep4"]
    mean = tab(run_main, "scd", "alive", "--mean", *options)
    check(mean["estimates"][0], R["scd"]["mean_alive"])
    assert mean["design"]["replicate"] | {"rscales": None} == {
        "source": "columns", "type": "BRR", "type_given": False, "replicates": 4, "scale": 0.25, "rscales": None,
        "mse": False, "df": 3, "repweights": "rep1,rep2,rep3,rep4", "columns": ["rep1", "rep2", "rep3", "rep4"]}
    check(tab(run_main, "scd", "arrests", "--total", *options)["estimates"][0], R["scd"]["total_arrests"])


@pytest.mark.parametrize("case, data, options, variable, by", [
    ("jk1", "apiclus1", DESIGNS["jk1"][1], "api00", "stype"),
    ("jkn", "apistrat", DESIGNS["jkn"][1], "api00", "stype"),
    ("brr", "nhanes", NHANES["brr"], "HI_CHOL", "race"),
])
def test_means_by_group_as_r_svyby(run_main, case, data, options, variable, by):
    key = "mean_api00_by_stype" if variable == "api00" else "mean_hi_chol_by_race"
    want = R[case][key]
    rows = {str(r["group"][by]): r for r in tab(run_main, data, variable, "--mean", "--by", by, *options)["estimates"]}
    for i, group in enumerate(want["groups"]):
        assert rows[group]["estimate"] == pytest.approx(want["estimate"][i], rel=EST), group
        assert rows[group]["se"] == pytest.approx(want["se"][i], rel=SE), group
        assert rows[group]["df"] == want["df"][i], group  # degf of the group's rows, as R's subset() recomputes it


def test_shares_by_group_as_r_svyby(run_main):
    want = R["jk1"]["share_awards_by_stype"]
    rows = {(r["group"]["stype"], r["category"]): r
            for r in tab(run_main, "apiclus1", "awards", "--by", "stype", *DESIGNS["jk1"][1])["estimates"]}
    for i, group in enumerate(want["groups"]):
        for j, category in enumerate(("No", "Yes")):
            assert rows[group, category]["estimate"] == pytest.approx(want["estimate"][i][j], rel=EST)
            assert rows[group, category]["se"] == pytest.approx(want["se"][i][j], rel=SE)


def test_median_as_r_svyquantile_on_replicate_weights(run_main):
    """R's svyquantile on a svrepdesign: Woodruff's interval from the replicates' variance of the share below
    the median, on degf(design); its SE is the interval's width over 2 t."""
    got = tab(run_main, "apiclus1", "api00", "--median", *DESIGNS["jk1"][1])["estimates"][0]
    want = R["jk1"]["median_api00"]
    assert got["estimate"] == pytest.approx(want["estimate"], rel=EST)
    assert [got["ci_low"], got["ci_high"]] == pytest.approx(want["ci"], rel=EST)
    assert got["se"] == pytest.approx(want["se"], rel=1e-6)
    assert got["df"] == want["df"]


@pytest.mark.parametrize("case, data, options, formula, family", [
    ("jk1", "apiclus1", DESIGNS["jk1"][1], "api00 ~ ell + meals + stype", "gaussian"),
    ("jk1", "apiclus1", DESIGNS["jk1"][1], "sw ~ ell + meals", "binomial"),
    ("as_svrep_jk1", "apiclus1", DESIGNS["as_svrep_jk1"][1], "api00 ~ ell + meals + stype", "gaussian"),
    ("brr", "nhanes", [*NHANES["brr"], "--where", "agecat != '(0,19]'"], "HI_CHOL ~ agecat + RIAGENDR", "binomial"),
    ("sdr", "apisrs", DESIGNS["sdr"][1], "api00 ~ ell + meals", "gaussian"),
])
def test_model_coefficients_as_r_svyglm_on_replicate_weights(run_main, case, data, options, formula, family):
    """Every replicate refits the model (R's svyglm.svyrep.design); the residual df is degf + 1 − p, and the
    t tests and intervals use it (R's summary and confint of the svyglm)."""
    ran = run_main("model", DATA[data], formula, "--family", family, *options, "--format", "json")
    assert ran.code == 0, ran.stderr
    result = json.loads(ran.stdout)
    want = R[case][f"glm_{family}"]
    assert result["df_residual"] == want["df_residual"]
    got = {c["term"]: c for c in result["coefficients"]}
    for i, name in enumerate(want["names"]):
        assert got[name]["estimate"] == pytest.approx(want["estimate"][i], rel=1e-7, abs=1e-10), name
        assert got[name]["se"] == pytest.approx(want["se"][i], rel=1e-6), name
        assert got[name]["p_value"] == pytest.approx(want["p"][i], rel=1e-6, abs=1e-12), name
        assert [got[name]["ci_low"], got[name]["ci_high"]] == pytest.approx(want["ci"][i], rel=1e-6), name
    assert result["design"]["replicate"]["replicates"] == R[case]["design"]["replicates"]


@pytest.mark.parametrize("lang, words", [
    ("en", ["80 replicate weights PWGTP1 … PWGTP80", "successive difference replication (ACS)",
            "variance scale 0.05", "full-sample estimate (--mse)", "79 degrees of freedom"]),
    ("nb", ["80 replikatvekter PWGTP1 … PWGTP80", "suksessiv differanse-replikering (ACS)", "variansskala 0,05",
            "estimatet i hele utvalget (--mse)", "79 frihetsgrader"]),
    ("nn", ["80 replikatvekter PWGTP1 … PWGTP80", "suksessiv differanse-replikering (ACS)", "variansskala 0,05",
            "estimatet i heile utvalet (--mse)", "79 fridomsgrader"]),
])
def test_the_design_line_says_what_the_replicates_are(run_main, monkeypatch, lang, words):
    monkeypatch.setenv("COLUMNS", "400")  # the line unwrapped
    ran = run_main("tab", DATA["apisrs"], "api00", "--mean", *DESIGNS["acs"][1], "--lang", lang)
    assert ran.code == 0, ran.stderr
    for text in words:
        assert text in ran.stdout


def test_the_design_line_of_replicates_made_from_a_design(run_main, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    ran = run_main("tab", DATA["apistrat"], "api00", "--mean", *DESIGNS["as_svrep_jkn"][1], "--lang", "en")
    assert ran.code == 0, ran.stderr
    assert ("40 replicate weights, stratified jackknife (JKn), made from the design (strata: stype, finite "
            "population correction: fpc): variance scale 1, replicate factors (rscales) 0.8881 to 0.9457") in ran.stdout


def test_without_rep_type_the_line_says_brr_is_r_default(run_main, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    ran = run_main("tab", DATA["scd"], "alive", "--mean", "--weight", "w", "--repweights", "rep1,rep2,rep3,rep4",
                   "--lang", "en")
    assert "BRR (balanced repeated replication), R's svrepdesign default (--rep-type to change)" in ran.stdout


def test_a_bootstrap_made_from_a_design_is_the_same_with_the_same_seed(run_main):
    options = ["--weight", "pw", "--cluster", "dnum", "--replicates", "bootstrap", "--replicates-n", "30"]
    first = tab(run_main, "apiclus1", "api00", "--mean", *options, "--seed", "7")
    again = tab(run_main, "apiclus1", "api00", "--mean", *options, "--seed", "7")
    assert first["estimates"][0]["se"] == again["estimates"][0]["se"]
    assert first["design"]["replicate"]["replicates"] == 30
    assert first["design"]["replicate"]["seed"] == 7
    # 30 draws of 15 PSUs: the SE is near the linearisation SE (R's 26.6 with fpc; without it a little more)
    assert 15 < first["estimates"][0]["se"] < 45


# -- refusals ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("option", [["--strata", "stype"], ["--cluster", "dnum"], ["--fpc", "fpc"],
                                    ["--probs", "pw"]])
def test_repweights_with_a_design_option_is_a_usage_error(run_main, option):
    ran = run_main("tab", DATA["apiclus1"], "api00", "--mean", *JK1, *option)
    assert ran.code == 2
    assert "--repweights" in ran.stderr and option[0] in ran.stderr and "Traceback" not in ran.stderr


def test_model_refuses_it_too(run_main):
    ran = run_main("model", DATA["apiclus1"], "api00 ~ ell", *JK1, "--cluster", "dnum")
    assert ran.code == 2 and "--cluster" in ran.stderr


def write_changed(tmp_path, column: str, rows: dict[int, str]) -> Path:
    """The apiclus1 file with ``column`` changed on some data rows (1 = the first; line = row + 1)."""
    import csv

    with DATA["apiclus1"].open(newline="") as f:
        table = list(csv.reader(f))
    at = table[0].index(column)
    for row, value in rows.items():
        table[row][at] = value
    path = tmp_path / "changed.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(table)
    return path


@pytest.mark.parametrize("value, problem", [("", "missing"), ("NA", "missing"), ("-3.5", "negative")])
def test_a_missing_or_negative_replicate_weight_is_named_by_file_column_and_line(run_main, tmp_path, value, problem):
    bad = write_changed(tmp_path, "repw7", {3: value, 10: value})
    ran = run_main("tab", bad, "api00", "--mean", *JK1)
    assert ran.code == 1
    assert str(bad) in ran.stderr and "'repw7'" in ran.stderr and problem in ran.stderr
    assert "line 4" in ran.stderr and "line 11" in ran.stderr


def test_a_replicate_weight_where_the_full_weight_is_zero_is_named(run_main, tmp_path):
    bad = write_changed(tmp_path, "pw", {5: "0"})
    ran = run_main("tab", bad, "api00", "--mean", *JK1)
    assert ran.code == 1 and "line 6" in ran.stderr and "'pw'" in ran.stderr


def test_a_row_of_weight_zero_in_every_replicate_is_outside_the_design(run_main, tmp_path):
    """0/0 = 0, as R takes the weights: the row counts in no estimate."""
    import csv

    columns = ["pw", *[f"repw{r}" for r in range(1, 16)]]
    with DATA["apiclus1"].open(newline="") as f:
        table = list(csv.reader(f))
    for name in columns:
        table[5][table[0].index(name)] = "0"
    path = tmp_path / "zero.csv"
    with path.open("w", newline="") as f:
        csv.writer(f).writerows(table)
    ran = run_main("tab", path, "api00", "--mean", *JK1, "--format", "json")
    assert ran.code == 0, ran.stderr
    assert json.loads(ran.stdout)["estimates"][0]["n_unweighted"] == 182


def test_a_pattern_no_column_matches_is_named(run_main):
    ran = run_main("tab", DATA["apiclus1"], "api00", "--mean", "--weight", "pw", "--repweights", "rw[0-9]+")
    assert ran.code == 2 and "'rw[0-9]+'" in ran.stderr and "no column name matches" in ran.stderr


def test_a_pattern_r_grep_would_match_in_part_gets_a_hint(run_main):
    ran = run_main("tab", DATA["apiclus1"], "api00", "--mean", "--weight", "pw", "--repweights", "repw")
    assert ran.code == 2 and "repw1 … repw15" in ran.stderr and "repw.*" in ran.stderr


def test_a_pattern_that_takes_in_the_full_sample_weight_is_refused(run_main):
    ran = run_main("tab", DATA["apisrs"], "api00", "--mean", "--weight", "PWGTP", "--repweights", "PWGTP.*",
                   "--rep-type", "SDR")
    assert ran.code == 2 and "PWGTP[0-9]+" in ran.stderr


@pytest.mark.parametrize("options, words", [
    (["--weight", "pw", "--repweights", "jk[0-9]+", "--rep-type", "JKn"], "--rep-rscales"),
    (["--weight", "pw", "--repweights", "jk[0-9]+", "--rep-type", "JKn", "--rep-rscales", "1,2"], "40"),
    (["--weight", "pw", "--repweights", "jk[0-9]+", "--rep-type", "Fay"], "--fay-rho"),
    (["--weight", "pw", "--repweights", "jk[0-9]+", "--rep-scale", "0.5"], "--rep-type other"),
    (["--weight", "pw", "--repweights", "jk[0-9]+", "--replicates", "JKn", "--strata", "stype"], "not both"),
    (["--weight", "pw", "--rep-type", "JK1"], "--repweights"),
    (["--weight", "pw", "--replicates", "JKn"], "--strata"),
    (["--weight", "pw", "--strata", "stype", "--replicates", "JK1"], "JKn"),
    (["--weight", "pw", "--strata", "stype", "--replicates", "JKn", "--seed", "1"], "bootstrap"),
    (["--weight", "pw", "--strata", "stype", "--replicates", "JKn", "--rep-scale", "2"], "--repweights"),
    (["--repweights", "jk[0-9]+", "--rep-type", "other"], "--weight"),
    (["--weight", "pw", "--repweights", "jk[0-9]+", "--rep-type", "other", "--study-weighting"],
     "--study-weighting"),
])
def test_replicate_options_that_do_not_fit_are_usage_errors(run_main, options, words):
    ran = run_main("tab", DATA["apistrat"], "api00", "--mean", *options)
    assert ran.code == 2, ran.stderr
    assert words in ran.stderr and "Traceback" not in ran.stderr


def test_a_quantile_interval_type_is_not_used_with_replicate_weights_as_r(run_main):
    """R's svyquantile on replicate weights ignores interval.type: Woodruff's "mean" interval, with a note."""
    mean = tab(run_main, "apiclus1", "api00", "--median", *JK1)["estimates"][0]
    ran = run_main("tab", DATA["apiclus1"], "api00", "--median", "--quantile-ci", "score", *JK1, "--format", "json")
    assert ran.code == 0 and "--quantile-ci score" in ran.stderr and "interval.type" in ran.stderr
    got = json.loads(ran.stdout)
    assert got["quantile_ci_not_used"] == "score" and got["ci_method"] == "mean"
    assert got["estimates"][0] == mean


@pytest.mark.parametrize("pattern, suggested", [("repw[0-9]", "repw[0-9]+"), (r"repw\d", r"repw\d+")])
def test_a_pattern_that_matches_some_names_whole_and_more_in_part_is_refused(run_main, pattern, suggested):
    """"repw[0-9]" matches repw1 … repw9 whole but R's grep takes repw1 … repw15: 9 replicates with scale 8/9
    would be a wrong SE without a word."""
    ran = run_main("tab", DATA["apiclus1"], "api00", "--mean", "--weight", "pw", "--repweights", pattern,
                   "--rep-type", "JK1")
    assert ran.code == 2, ran.stdout
    assert "repw1 … repw9, 9 columns" in ran.stderr and "repw1 … repw15, 15 columns" in ran.stderr
    assert f'--repweights "{suggested}"' in ran.stderr and "Traceback" not in ran.stderr


def test_a_comma_list_of_some_replicate_columns_is_taken_as_given(run_main):
    ran = run_main("tab", DATA["apiclus1"], "api00", "--mean", "--weight", "pw", "--repweights", "repw1,repw2,repw3",
                   "--rep-type", "JK1", "--format", "json")
    assert ran.code == 0, ran.stderr
    assert json.loads(ran.stdout)["design"]["replicate"]["replicates"] == 3

"""``fjernarbeid tab`` on files written by R (missing values as ``NA`` or blank cells), checked
against R's survey on its own example data (tests/fixtures/r/parity.R)."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_OK

runner = CliRunner()
NHANES_DESIGN = ("--weight", "WTMEC2YR", "--strata", "SDMVSTRA", "--cluster", "SDMVPSU", "--nest")
YRBS_DESIGN = ("--weight", "weight", "--strata", "stratum", "--cluster", "psu", "--nest")


def tab_json(*args) -> dict:
    result = runner.invoke(app, ["tab", *map(str, args), "--format", "json"])
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def R(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "r" / "parity.json").read_text())


@pytest.fixture(scope="module")
def nhanes_files(fixtures_dir, tmp_path_factory) -> dict:
    """NHANES as R's write.csv wrote it (NA), with blank cells instead, and with '.' (SAS, Stata)."""
    na = fixtures_dir / "r" / "data" / "nhanes.csv"
    text = na.read_text()
    folder = tmp_path_factory.mktemp("nhanes")
    blank, dot = folder / "nhanes_blank.csv", folder / "nhanes_dot.csv"
    blank.write_text(text.replace(",NA", ","))
    dot.write_text(text.replace(",NA", ",."))
    return {"NA": na, "blank": blank, "dot": dot}


@pytest.mark.parametrize("kind", ["NA", "blank"])
def test_a_share_leaves_missing_values_out_as_r(nhanes_files, R, kind):
    out = tab_json(nhanes_files[kind], "HI_CHOL", *NHANES_DESIGN)
    one = next(e for e in out["estimates"] if str(e["category"]) == "1")
    assert [str(e["category"]) for e in out["estimates"]] == ["0", "1"]
    assert one["estimate"] == pytest.approx(R["nhanes"]["hi_chol"]["estimate"], rel=1e-8)
    assert one["se"] == pytest.approx(R["nhanes"]["hi_chol"]["se"], rel=1e-6)
    assert out["left_out"]["empty"] == 745  # sum(is.na(nhanes$HI_CHOL))


@pytest.mark.parametrize("kind", ["NA", "blank"])
def test_the_mean_of_a_column_with_missing_values(nhanes_files, R, kind):
    out = tab_json(nhanes_files[kind], "HI_CHOL", "--mean", *NHANES_DESIGN)
    (e,) = out["estimates"]
    assert (e["estimate"], e["se"]) == pytest.approx((R["nhanes"]["hi_chol"]["estimate"],
                                                      R["nhanes"]["hi_chol"]["se"]), rel=1e-6)


@pytest.mark.parametrize("kind", ["NA", "blank"])
def test_the_rao_scott_test_leaves_missing_values_out_as_r(nhanes_files, R, kind):
    out = tab_json(nhanes_files[kind], "HI_CHOL", "--crosstab", "race", *NHANES_DESIGN)
    ref = R["nhanes"]["chisq"]
    assert out["test"]["statistic"] == pytest.approx(ref["statistic"], rel=1e-6)
    assert (out["test"]["ndf"], out["test"]["ddf"]) == pytest.approx((ref["ndf"], ref["ddf"]), rel=1e-6)
    assert out["test"]["p_value"] == pytest.approx(ref["p_value"], rel=1e-6)


def test_other_missing_value_texts_are_chosen_with_na_values(nhanes_files, R):
    out = tab_json(nhanes_files["dot"], "HI_CHOL", *NHANES_DESIGN, "--na-values", ".,NA")
    one = next(e for e in out["estimates"] if str(e["category"]) == "1")
    assert one["estimate"] == pytest.approx(R["nhanes"]["hi_chol"]["estimate"], rel=1e-8)
    # without it, '.' is a category of its own, as a text would be
    out = tab_json(nhanes_files["dot"], "HI_CHOL", *NHANES_DESIGN)
    assert "." in [e["category"] for e in out["estimates"]]


def test_yrbs_question_8_as_r(fixtures_dir, R):
    out = tab_json(fixtures_dir / "r" / "data" / "yrbs.csv", "qn8", *YRBS_DESIGN)
    one = next(e for e in out["estimates"] if str(e["category"]) == "1")
    assert one["estimate"] == pytest.approx(R["yrbs"]["qn8_1"]["estimate"][1], rel=1e-8)
    assert one["se"] == pytest.approx(R["yrbs"]["qn8_1"]["se"][1], rel=1e-6)
    assert out["left_out"] == {"not_sure": 0, "skipped": 0, "empty": 6867}


@pytest.mark.parametrize("statistic", [(), ("--mean",)])
def test_compare_tests_differences_between_groups_with_their_covariance(nhanes_files, R, statistic):
    out = tab_json(nhanes_files["NA"], "HI_CHOL", *statistic, "--by", "race", "--compare", *NHANES_DESIGN)
    pairs = {(str(d["first"]["race"]), str(d["second"]["race"]), str(d["category"])): d for d in out["differences"]}
    category = "1" if not statistic else "None"  # a share of HI_CHOL = 1 is the mean of the 0/1 variable
    two_minus_one = pairs[("1", "2", category)]
    ref = R["nhanes"]["contrast_1_2"]  # race 1 − race 2 in R
    assert two_minus_one["difference"] == pytest.approx(-ref["estimate"], rel=1e-8)
    assert two_minus_one["se"] == pytest.approx(ref["se"], rel=1e-6)
    # R's svyttest(HI_CHOL ~ race == 2) on races 1 and 2: the design df (31 PSUs − 15 strata) − 1
    assert two_minus_one["df"] == 15 and 0.01 < two_minus_one["p_value"] < 0.05
    assert len([d for d in out["differences"] if str(d["category"]) == category]) == 6  # 4 groups: 6 pairs


def test_compare_needs_groups(nhanes_files):
    result = runner.invoke(app, ["tab", str(nhanes_files["NA"]), "HI_CHOL", "--compare", *NHANES_DESIGN])
    assert result.exit_code == 2 and "--by" in result.output


API_STRAT = ("--weight", "pw", "--strata", "stype", "--fpc", "fpc")


def test_quantiles_with_woodruff_and_score_intervals(fixtures_dir, R):
    apistrat = fixtures_dir / "api" / "apistrat.csv"
    out = tab_json(apistrat, "api00", "--quantile", "0.1,0.25,0.5,0.75,0.9", *API_STRAT)
    ref = next(c for c in R["quantiles"] if c["design"] == "strat" and c["interval"] == "mean"
               and c["qrule"] == "math")
    assert out["statistic"] == "quantile" and [e["category"] for e in out["estimates"]] == ref["quantiles"]
    for field in ("estimate", "ci_low", "ci_high", "se"):
        assert [e[field] for e in out["estimates"]] == pytest.approx(ref[field], rel=1e-9)
    score = tab_json(apistrat, "api00", "--quantile", "10%,25%,50%,75%,90%", "--quantile-ci", "score", *API_STRAT)
    ref = next(c for c in R["quantiles"] if c["design"] == "strat" and c["interval"] == "score"
               and c["qrule"] == "math")
    assert [e["ci_low"] for e in score["estimates"]] == pytest.approx(ref["ci_low"], rel=1e-9)


def test_the_median_in_groups(fixtures_dir, R):
    out = tab_json(fixtures_dir / "api" / "apistrat.csv", "api00", "--median", "--by", "stype", *API_STRAT)
    ref = R["by_groups"]["median_by_stype"]
    assert [e["estimate"] for e in out["estimates"]] == pytest.approx(ref["estimate"])
    assert [e["se"] for e in out["estimates"]] == pytest.approx(ref["se"], rel=1e-9)


def test_a_ratio_in_groups_and_the_difference_between_them(fixtures_dir, R):
    out = tab_json(fixtures_dir / "api" / "apistrat.csv", "api00", "--ratio", "api00/api99", "--by", "stype",
                   "--compare", *API_STRAT)
    ref = R["by_groups"]["ratio_by_stype"]
    assert out["statistic"] == "ratio" and out["denominator"] == "api99"
    assert [e["estimate"] for e in out["estimates"]] == pytest.approx(ref["estimate"], rel=1e-10)
    assert [e["se"] for e in out["estimates"]] == pytest.approx(ref["se"], rel=1e-8)
    h_minus_e = next(d for d in out["differences"] if d["first"]["stype"] == "E" and d["second"]["stype"] == "H")
    assert (h_minus_e["difference"], h_minus_e["se"]) == pytest.approx(
        (ref["h_minus_e"]["estimate"], ref["h_minus_e"]["se"]), rel=1e-8)


@pytest.mark.parametrize("args, message", [
    (("--median", "--mean"), "choose one of"),
    (("--quantile", "0.5", "--median"), "choose one of --median and --quantile"),
    (("--quantile", "half"), "not one"),
    (("--quantile", "1.5"), "not between 0 and 1"),
    (("--ratio", "enroll/api99"), "the numerator is VAR"),
    (("--median", "--by", "stype", "--compare"), "quantiles do not have"),
])
def test_quantile_and_ratio_usage_errors(fixtures_dir, args, message):
    result = runner.invoke(app, ["tab", str(fixtures_dir / "api" / "apistrat.csv"), "api00", *args, *API_STRAT])
    assert result.exit_code == 2 and message in result.output, result.output


def test_a_lonely_psu_names_its_stratum_and_only_its_rows(tmp_path):
    path = tmp_path / "lonely.csv"
    path.write_text("s,c,y\n1,1,3\n1,1,4\n2,2,5\n2,3,6\n")
    result = runner.invoke(app, ["tab", str(path), "y", "--mean", "--strata", "s", "--cluster", "c"])
    assert result.exit_code == 5
    assert "stratum '1' of 's' (data rows 1, 2) has only one PSU" in result.output
    assert "--lonely-psu" in result.output


def test_without_weights_an_fpc_gives_the_weights(fixtures_dir, R):
    """R's svydesign(id=~dnum, fpc=~fpc) without weights: N/n (here the file's pw)."""
    help_text = runner.invoke(app, ["tab", "--help"]).output
    assert "PSUs in the population over PSUs sampled in the stratum" in " ".join(help_text.split())
    out = tab_json(fixtures_dir / "api" / "apiclus1.csv", "api00", "--mean", "--cluster", "dnum", "--fpc", "fpc")
    with_pw = tab_json(fixtures_dir / "api" / "apiclus1.csv", "api00", "--mean", "--cluster", "dnum", "--fpc", "fpc",
                       "--weight", "pw")
    assert out["estimates"][0]["se"] == pytest.approx(with_pw["estimates"][0]["se"], rel=1e-9)


@pytest.mark.parametrize("method", ["likelihood", "asin", "mean", "xlogit"])
def test_every_svyciprop_interval_from_the_command_line(fixtures_dir, R, method):
    out = tab_json(fixtures_dir / "api" / "apistrat.csv", "awards", "--ci", method, *API_STRAT)
    yes = next(e for e in out["estimates"] if e["category"] == "Yes")
    ref = next(c for c in R["ciprop"] if c["design"] == "strat" and c["condition"] == "awards == 'Yes'"
               and c["method"] == method)
    assert (yes["ci_low"], yes["ci_high"]) == pytest.approx(ref["ci"], rel=1e-6)

"""``fjernarbeid tab``: estimates from any data file, checked against R's survey fixtures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_IMPOSSIBLE, EXIT_INVALID_DATA, EXIT_OK, EXIT_USAGE

runner = CliRunner()
SE = 1e-4


def tab(*args: str):
    return runner.invoke(app, ["tab", *map(str, args)])


def tab_json(*args: str) -> dict:
    result = tab(*args, "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def R(fixtures_dir):
    return json.loads((fixtures_dir / "r" / "estimation.json").read_text())


@pytest.fixture(scope="module")
def apistrat(fixtures_dir):
    return fixtures_dir / "api" / "apistrat.csv"


@pytest.fixture(scope="module")
def apiclus1(fixtures_dir):
    return fixtures_dir / "api" / "apiclus1.csv"


STRAT = ("--weight", "pw", "--strata", "stype", "--fpc", "fpc")
CLUS = ("--weight", "pw", "--cluster", "dnum", "--fpc", "fpc")


def test_shares_with_logit_and_beta_intervals(apistrat, R):
    for method in ("logit", "beta"):
        out = tab_json(apistrat, "awards", *STRAT, "--ci", method)
        yes = [e for e in out["estimates"] if e["category"] == "Yes"][0]
        ref = R["ciprop"]["strat_awards"]
        assert yes["estimate"] == pytest.approx(ref[method]["estimate"], rel=1e-6)
        assert yes["se"] == pytest.approx(ref["se"], rel=SE)
        assert [yes["ci_low"], yes["ci_high"]] == pytest.approx(ref[method]["ci"], rel=SE)
        assert yes["df"] == 197 and out["ci_method"] == method


def test_mean_by_group_in_a_cluster_sample(apiclus1, R):
    out = tab_json(apiclus1, "api00", "--mean", "--by", "stype", *CLUS)
    ref = R["clus_by_mean"]
    assert [e["group"]["stype"] for e in out["estimates"]] == ref["groups"]
    np.testing.assert_allclose([e["estimate"] for e in out["estimates"]], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose([e["se"] for e in out["estimates"]], ref["se"], rtol=SE)
    np.testing.assert_allclose([e["deff"] for e in out["estimates"]], ref["deff"], rtol=SE)


def test_total_with_t_interval(apistrat, R):
    out = tab_json(apistrat, "enroll", "--total", *STRAT)
    (e,) = out["estimates"]
    ref = R["strat_total_enroll"]
    assert (e["estimate"], e["se"]) == pytest.approx((ref["estimate"], ref["se"]), rel=SE)
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((ref["ci_low"], ref["ci_high"]), rel=SE)


def test_crosstab_with_the_rao_scott_test(apiclus1, fixtures_dir):
    out = tab_json(apiclus1, "comp.imp", "--crosstab", "stype", *CLUS)
    ref = next(c for c in json.loads((fixtures_dir / "r" / "association.json").read_text())["chisq"]
               if c["design"] == "clus1" and c["row"] == "comp.imp" and not c["domain"])
    assert out["test"]["statistic"] == pytest.approx(ref["tests"]["F"]["statistic"], rel=SE)
    assert out["test"]["p_value"] == pytest.approx(ref["tests"]["F"]["p"], rel=SE)
    assert len(out["estimates"]) == 6  # 2 categories × 3 school types
    text = tab(apiclus1, "comp.imp", "--crosstab", "stype", *CLUS)
    assert "Rao-Scott test of independence: F = 3.545" in text.stdout


def test_text_output_is_a_table(apistrat):
    result = tab(apistrat, "awards", *STRAT)
    assert result.exit_code == EXIT_OK
    assert "95% CI (logit)" in result.stdout and "Yes" in result.stdout
    assert "n = 200 respondents" in result.stdout


def test_a_weight_column_is_used_by_default(tmp_path, apistrat):
    frame = pd.read_csv(apistrat).rename(columns={"pw": "weight"})
    frame.to_csv(tmp_path / "w.csv", index=False)
    out = tab_json(tmp_path / "w.csv", "api00", "--mean", "--strata", "stype", "--fpc", "fpc")
    assert out["weights"] == "weight"
    unweighted = tab_json(apistrat, "api00", "--mean")
    assert unweighted["weights"] is None
    assert unweighted["estimates"][0]["estimate"] == pytest.approx(pd.read_csv(apistrat)["api00"].mean())


def test_study_questions_get_labels_and_not_sure_is_left_out(tmp_path):
    frame = pd.DataFrame({"id": range(1, 9), "q13": [1, 1, 2, 3, 4, 4, 2, None], "q207": [1, 2] * 4})
    frame.to_csv(tmp_path / "s.csv", index=False)
    out = tab_json(tmp_path / "s.csv", "q13")
    assert [e["category"] for e in out["estimates"]] == [1, 2, 3]  # 4 = "not sure"
    assert out["left_out"] == {"not_sure": 2, "skipped": 0, "empty": 1}
    assert all(e["label"] for e in out["estimates"])
    kept = tab_json(tmp_path / "s.csv", "q13", "--include-missing")
    assert [e["category"] for e in kept["estimates"]] == [1, 2, 3, 4, None]


# -- errors -----------------------------------------------------------------------------------------


def test_unknown_column_is_a_usage_error_with_a_suggestion(apistrat):
    result = tab(apistrat, "api0", "--mean")
    assert result.exit_code == EXIT_USAGE
    assert "VAR column 'api0' is not in the file; did you mean 'api00'" in result.stderr


def test_text_where_a_number_is_needed_names_the_line(tmp_path):
    pd.DataFrame({"id": [1, 2, 3], "x": ["1", "to", "3"]}).to_csv(tmp_path / "t.csv", index=False)
    result = tab(tmp_path / "t.csv", "x", "--mean")
    assert result.exit_code == EXIT_INVALID_DATA
    assert "column 'x' must be numeric" in result.stderr and "line 3 (id 2)" in result.stderr


@pytest.mark.parametrize("bad", [0, -1, None])
def test_bad_weights_name_the_column_and_line(tmp_path, bad):
    pd.DataFrame({"id": [1, 2, 3], "x": [1, 2, 3], "w": [1, bad, 2]}).to_csv(tmp_path / "w.csv", index=False)
    result = tab(tmp_path / "w.csv", "x", "--mean", "--weight", "w")
    assert result.exit_code == EXIT_INVALID_DATA
    assert "weight column 'w' is missing, zero or negative at line 3 (id 2)" in result.stderr


def test_a_lonely_psu_is_impossible_unless_told_what_to_do(tmp_path, apistrat):
    frame = pd.read_csv(apistrat)
    one_high = pd.concat([frame[frame.stype != "H"], frame[frame.stype == "H"].iloc[:1]])
    one_high.to_csv(tmp_path / "l.csv", index=False)
    result = tab(tmp_path / "l.csv", "api00", "--mean", *STRAT)
    assert result.exit_code == EXIT_IMPOSSIBLE and "only one PSU" in result.stderr
    assert tab(tmp_path / "l.csv", "api00", "--mean", *STRAT, "--lonely-psu", "certainty").exit_code == EXIT_OK


def test_conflicting_options_and_missing_files(apistrat, tmp_path):
    assert tab(apistrat, "api00", "--mean", "--total").exit_code == EXIT_USAGE
    assert tab(apistrat, "awards", "--crosstab", "stype", "--by", "cname").exit_code == EXIT_USAGE
    assert tab(tmp_path / "nothing.csv", "x").exit_code == EXIT_BAD_INPUT


def test_help():
    result = runner.invoke(app, ["tab", "--help"])
    assert result.exit_code == 0 and "--crosstab" in result.stdout and "Rao-Scott" in result.stdout


def test_json_is_strict_and_undefined_numbers_are_null(apistrat, R):
    out = tab_json(apistrat, "stype", "--by", "cname", *STRAT)
    alameda = {e["category"]: e for e in out["estimates"] if e["group"]["cname"] == "Alameda"}
    assert alameda["H"]["estimate"] == 0 and alameda["H"]["deff"] is None  # 0/0, R: NaN
    assert alameda["E"]["estimate"] == pytest.approx(R["absent_category"]["estimate"][0], rel=1e-6)
    assert alameda["E"]["se"] == pytest.approx(R["absent_category"]["se"][0], rel=SE)

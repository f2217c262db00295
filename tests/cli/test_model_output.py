"""What ``fjernarbeid model`` prints and says: the Rao-Scott working LRT as R prints it, the order of a text
outcome of an ordinal model (--levels), and errors that name the file, the column and the rule; and the
message about a lonely unit at stage 2 of a multistage design (`tab`, `model`). Reference values from R's
survey (tests/fixtures/r/model_output.R)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_IMPOSSIBLE, EXIT_OK, EXIT_USAGE

runner = CliRunner()
NHANES = ("HI_CHOL ~ C(race) + agecat", "--family", "binomial", "--weight", "WTMEC2YR", "--strata", "SDMVSTRA",
          "--cluster", "SDMVPSU", "--nest", "--test", "lrt")
STRAT = ("--weight", "pw", "--strata", "stype", "--fpc", "fpc")


@pytest.fixture(scope="module")
def R(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "r" / "model_output.json").read_text())


def run(*args):
    return runner.invoke(app, ["model", *map(str, args)])


# -- the Rao-Scott working LRT --------------------------------------------------------------------


def test_the_lrt_gives_the_working_2loglr_r_prints_beside_its_chisq(fixtures_dir, R):
    """R prints "Working 2logLR = 3.868921 p= 0.28953 (scale factors: 2.3 0.45 0.25)" for race: the
    deviance difference 8.197 (R's $chisq) over the mean of the eigenvalues λ (R's $lambda)."""
    result = run(fixtures_dir / "r" / "data" / "nhanes.csv", *NHANES, "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    tests = {t["terms"][0]: t for t in json.loads(result.stdout)["tests"]}
    for term in ("race", "agecat"):
        got, want, printed = tests[term], R["lrt"]["converged"][term], R["lrt"]["default"][term]
        assert got["method"] == "LRT" and (got["df"], got["ddf"]) == (want["df"], want["ddf"])
        # R's glm stops at a deviance change of 1e-8 (its λ then differ in the 6th digit); against R's
        # fit run to convergence, as fjernarbeid's, to 1e-7
        assert got["working_2logLR"] == pytest.approx(want["working_2logLR"], rel=1e-7)
        assert got["working_2logLR"] == pytest.approx(printed["working_2logLR"], rel=1e-4)
        # "statistic" is R's $chisq, as regTermTest returns it
        assert got["statistic"] == got["chisq"] == pytest.approx(want["chisq"], rel=1e-9)
        np.testing.assert_allclose(got["lambdas"], want["lambda"], rtol=1e-7)
        np.testing.assert_allclose(got["scale_factors"], want["scale_factors"], rtol=1e-7)
        assert got["mean_lambda"] == pytest.approx(np.mean(want["lambda"]), rel=1e-7)
        assert got["p_value"] == pytest.approx(want["p"], rel=1e-5)
    assert "Working 2logLR =  3.868921 p= 0.28953" in R["lrt"]["default"]["race"]["printed"]
    assert tests["race"]["working_2logLR"] == pytest.approx(3.868921, abs=1e-5)


def test_the_text_shows_the_working_2loglr_and_what_it_is_made_of(fixtures_dir):
    result = run(fixtures_dir / "r" / "data" / "nhanes.csv", *NHANES, "--lang", "en")
    assert result.exit_code == EXIT_OK, result.output
    out = " ".join(result.stdout.split())  # the note may wrap
    race = next(line for line in result.stdout.splitlines() if line.strip().startswith("race ") and "LRT" in line)
    assert "3.869" in race and "8.197" not in race
    assert ("race: Working 2logLR (as R prints it) = chisq / mean λ = 8.197 / 2.119 = 3.869; "
            "λ, the eigenvalues (R's lambda): 4.872; 0.945; 0.539; scale factors λ / mean λ: 2.3; 0.45; 0.25") in out
    nb = " ".join(run(fixtures_dir / "r" / "data" / "nhanes.csv", *NHANES).stdout.split())
    assert "= 8,197 / 2,119 = 3,869" in nb and "skalafaktorer λ / gjennomsnittet av λ: 2,3; 0,45; 0,25" in nb


# -- the order of a text outcome of an ordinal model ----------------------------------------------


@pytest.fixture(scope="module")
def graded(fixtures_dir, tmp_path_factory):
    """R's apistrat with grade low (api00 < 550), mid (< 650), high (< 750) or top, as text."""
    data = pd.read_csv(fixtures_dir / "api" / "apistrat.csv")
    data["grade"] = np.array(["low", "mid", "high", "top"])[np.searchsorted([550, 650, 750], data["api00"],
                                                                             side="right")]
    path = tmp_path_factory.mktemp("graded") / "apigrade.csv"
    data.to_csv(path, index=False)
    return path


def test_levels_give_the_order_of_a_text_outcome(graded, R):
    result = run(graded, "grade ~ ell + meals", "--family", "ordinal", "--levels", "low,mid,high,top", *STRAT,
                 "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    assert "character code" not in result.stderr
    out = json.loads(result.stdout)
    want = R["ordinal"]["given"]
    assert [c["term"] for c in out["coefficients"]] == want["names"]  # low|mid, mid|high, high|top
    np.testing.assert_allclose([c["estimate"] for c in out["coefficients"]], want["coefficients"], rtol=1e-6)
    np.testing.assert_allclose([c["se"] for c in out["coefficients"]], want["se"], rtol=1e-5)
    assert (out["outcome_levels"], out["outcome_order"]) == (want["levels"], "--levels")


def test_without_levels_a_text_outcome_is_ordered_by_character_code_with_a_warning(graded, R):
    result = run(graded, "grade ~ ell + meals", "--family", "ordinal", *STRAT, "--format", "json", "--lang", "en")
    assert result.exit_code == EXIT_OK, result.output
    warning = " ".join(result.stderr.split())
    assert warning.startswith("warning: the outcome grade is text") and "by character code" in warning and ": high < low < mid < top." in \
        warning and "--levels" in warning
    out = json.loads(result.stdout)
    want = R["ordinal"]["alphabetical"]  # as R's factor(grade)
    assert [c["term"] for c in out["coefficients"]] == want["names"]
    np.testing.assert_allclose([c["estimate"] for c in out["coefficients"]], want["coefficients"], rtol=1e-6)
    assert (out["outcome_levels"], out["outcome_order"]) == (want["levels"], "alphabetical")
    nn = run(graded, "grade ~ ell + meals", "--family", "ordinal", *STRAT, "--lang", "nn")
    assert " ".join(nn.stderr.split()).startswith("åtvaring: utfallet grade er tekst utan eiga rekkjefølgje, så "
                                                  "kategoriane er ordna etter teiknkode")
    assert ": high < low < mid < top." in " ".join(nn.stderr.split())


def test_numbers_need_no_levels_and_no_warning(fixtures_dir, tmp_path):
    data = pd.read_csv(fixtures_dir / "api" / "apistrat.csv")
    data["apicat"] = np.searchsorted([550, 650, 750], data["api00"], side="right")
    data.to_csv(tmp_path / "apicat.csv", index=False)
    result = run(tmp_path / "apicat.csv", "apicat ~ ell", "--family", "ordinal", *STRAT, "--format", "json")
    assert result.exit_code == EXIT_OK and "alphabetical" not in result.stderr
    assert json.loads(result.stdout)["outcome_levels"] == [0, 1, 2, 3]
    refused = run(tmp_path / "apicat.csv", "apicat ~ ell", "--family", "ordinal", "--levels", "3,2,1,0", *STRAT)
    assert refused.exit_code == EXIT_USAGE and "holds numbers" in refused.output


@pytest.mark.parametrize("levels, message", [
    ("low,mid,high", "does not match the values of the outcome column 'grade': it does not name 'top'"),
    ("low,mid,high,top,great", "it names 'great', which no row of the outcome has"),
    ("low,mid,high,low,top", "names 'low' more than once"),
    ("low,,mid", "none of them empty"),
])
def test_levels_must_be_the_values_of_the_outcome(graded, levels, message):
    result = run(graded, "grade ~ ell + meals", "--family", "ordinal", "--levels", levels, *STRAT)
    assert result.exit_code == EXIT_USAGE and message in " ".join(result.output.split()), result.output
    assert "Traceback" not in result.output


def test_levels_are_for_ordinal_models(graded):
    result = run(graded, "api00 ~ ell", "--levels", "a,b", *STRAT)
    assert result.exit_code == EXIT_USAGE and "--levels applies to --family ordinal" in result.output


# -- errors name the file, the column and the rule -------------------------------------------------


def test_a_text_outcome_of_a_numeric_family_names_the_file_column_values_and_lines(fixtures_dir):
    result = run(fixtures_dir / "api" / "apistrat.csv", "awards ~ ell", *STRAT)
    text = " ".join(result.output.split())
    assert result.exit_code == EXIT_USAGE
    assert ("/apistrat.csv: --family gaussian needs a numeric outcome, but the outcome column 'awards' has text "
            "('No', 'Yes') at line 2, line 3, line 4 … (200 in all)") in text
    binary = " ".join(run(fixtures_dir / "api" / "apistrat.csv", "awards ~ ell", "--family", "binomial",
                          *STRAT).output.split())
    assert "/apistrat.csv: --family binomial needs a 0/1 outcome, but the outcome column 'awards' has other " \
           "values ('No', 'Yes')" in binary and "--event" in binary


@pytest.mark.parametrize("formula, message", [
    ("api00 ~ nosuch", "apistrat.csv: the formula names 'nosuch', which is not a column of the file (columns: cds, "),
    ("nosuch ~ ell", "apistrat.csv: the formula names 'nosuch' as its outcome, which is not a column of the file"),
    ("api00 ~ el", "apistrat.csv: the formula names 'el', which is not a column of the file; did you mean 'ell'?"),
])
def test_a_formula_variable_that_is_not_a_column(fixtures_dir, formula, message):
    result = run(fixtures_dir / "api" / "apistrat.csv", formula, *STRAT)
    assert result.exit_code == EXIT_USAGE and message in " ".join(result.output.split()), result.output
    assert "formula variable" not in result.output


# -- a lonely unit at stage 2 ----------------------------------------------------------------------


@pytest.mark.parametrize("command", ["tab", "model"])
def test_a_lonely_unit_at_stage_two_names_the_stage_the_district_and_the_option(fixtures_dir, tmp_path, R, command):
    """R: "Stratum (1.15) has only one PSU at stage 2" (apiclus2 with 5 schools in district 15, one sampled)."""
    data = pd.read_csv(fixtures_dir / "r" / "data" / "apiclus2.csv")
    data["N2"] = data["fpc2"].where(data["dnum"] != 15, 5)
    data.to_csv(tmp_path / "apiclus2c.csv", index=False)
    what = ["api00", "--mean"] if command == "tab" else ["api00 ~ enroll"]
    result = runner.invoke(app, [command, str(tmp_path / "apiclus2c.csv"), *what, "--cluster", "dnum,snum",
                                 "--fpc", "fpc1,N2"])
    text = " ".join(result.output.split())
    assert result.exit_code == EXIT_IMPOSSIBLE, result.output
    assert "at stage 2 of the design, cluster '15' of 'dnum' (data row 1) has only one stage-2 unit ('snum')" in text
    assert "--lonely-psu" in text and "in sorted order" not in text
    assert "stage 2" in R["stage2_error"]

"""``fjernarbeid model``: design-based regression from the command line, with a test of every term,
checked against R's survey (tests/fixtures/r/parity.R)."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_OK, EXIT_USAGE

runner = CliRunner()
NHANES_DESIGN = ("--weight", "WTMEC2YR", "--strata", "SDMVSTRA", "--cluster", "SDMVPSU", "--nest")
STRAT = ("--weight", "pw", "--strata", "stype", "--fpc", "fpc")


def model_json(*args) -> dict:
    result = runner.invoke(app, ["model", *map(str, args), "--format", "json"])
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def R(fixtures_dir) -> dict:
    return json.loads((fixtures_dir / "r" / "parity.json").read_text())


@pytest.mark.parametrize("test", ["wald", "lrt"])
def test_a_logistic_model_with_a_test_of_every_term(fixtures_dir, R, test):
    out = model_json(fixtures_dir / "r" / "data" / "nhanes.csv", "HI_CHOL ~ C(race) + agecat + C(RIAGENDR)",
                     "--family", "binomial", "--test", test, *NHANES_DESIGN)
    assert out["n"] == 7846 and out["left_out"] == 745 and out["df_residual"] == 9
    method = "Wald" if test == "wald" else "LRT"
    for term in ("race", "agecat"):
        ref = next(c for c in R["term_tests"] if c["design"] == "nhanes" and c["term"] == term
                   and c["method"] == method)
        got = next(t for t in out["tests"] if t["terms"] == [term])
        assert got["statistic"] == pytest.approx(ref["statistic"], rel=1e-7)
        assert got["p_value"] == pytest.approx(ref["p"], rel=1e-5)
    race2 = next(c for c in out["coefficients"] if c["term"] == "race2")
    assert race2["exp"]["estimate"] == pytest.approx(np.exp(race2["estimate"]))


def test_a_poisson_model_of_counts(fixtures_dir, R):
    ref = next(c for c in R["glm_families"] if c["family"] == "poisson" and c["design"] == "strat")
    out = model_json(fixtures_dir / "api" / "apistrat.csv", ref["formula"], "--family", "poisson", *STRAT)
    assert [c["term"] for c in out["coefficients"]] == ref["names"]
    np.testing.assert_allclose([c["estimate"] for c in out["coefficients"]], ref["coefficients"], rtol=1e-8)
    np.testing.assert_allclose([c["se"] for c in out["coefficients"]], ref["se"], rtol=1e-7)
    assert out["exp_name"] == "rate ratio"


def test_an_ordinal_model_and_a_binary_outcome_from_an_event(fixtures_dir, R, tmp_path):
    data = pd.read_csv(fixtures_dir / "api" / "apistrat.csv")
    data["apicat"] = np.searchsorted([550, 650, 750], data["api00"], side="right")
    path = tmp_path / "apistrat.csv"
    data.to_csv(path, index=False)
    ref = next(c for c in R["olr_links"] if c["design"] == "strat" and c["link"] == "cloglog")
    out = model_json(path, "apicat ~ ell + meals", "--family", "ordinal", "--link", "cloglog", *STRAT)
    slopes = [c for c in out["coefficients"] if not c["threshold"]]
    np.testing.assert_allclose([c["estimate"] for c in slopes], ref["coefficients"], rtol=1e-6)
    assert [c["term"] for c in out["coefficients"] if c["threshold"]] == ["0|1", "1|2", "2|3"]
    # --event: the outcome equal to a value is 1 (here the same as awards == "Yes")
    yes = model_json(fixtures_dir / "api" / "apistrat.csv", "awards ~ ell", "--family", "binomial", "--event", "Yes",
                     *STRAT)
    data["won"] = (data["awards"] == "Yes").astype(int)
    data.to_csv(path, index=False)
    won = model_json(path, "won ~ ell", "--family", "binomial", *STRAT)
    assert [c["estimate"] for c in yes["coefficients"]] == pytest.approx([c["estimate"] for c in won["coefficients"]])


def test_the_text_output_names_the_terms_and_tests(fixtures_dir):
    result = runner.invoke(app, ["model", str(fixtures_dir / "api" / "apiclus1.csv"), "api00 ~ ell + stype",
                                 "--weight", "pw", "--cluster", "dnum", "--fpc", "fpc", "--lang", "en"])
    assert result.exit_code == EXIT_OK, result.output
    # a column without labels keeps R's coefficient names
    for text in ("stypeH", "Wald F", "Test of each term", "residual df 11", "771.870", "1; 11"):
        assert text in result.output


@pytest.mark.parametrize("lang, words", [
    ("nb", ("lineær regresjon", "Koeffisient", "Konstantledd", "Std.feil", "Test av hvert ledd",
            "frihetsgrader for residualene 11", "Vekter fra kolonnen pw", "771,870", "-5,142 til -3,143")),
    ("nn", ("lineær regresjon", "Koeffisient", "Test av kvart ledd", "fridomsgrader for residualane 11",
            "771,870", "Testobservator")),
])
def test_the_text_output_is_in_the_language_asked_for(fixtures_dir, lang, words):
    result = runner.invoke(app, ["model", str(fixtures_dir / "api" / "apiclus1.csv"), "api00 ~ ell + stype",
                                 "--weight", "pw", "--cluster", "dnum", "--fpc", "fpc", "--lang", lang])
    assert result.exit_code == EXIT_OK, result.output
    for text in words:
        assert text in result.output
    for english in ("coefficient", "estimate", "Test of each term", "residual df", "rows used", "(Intercept)",
                    "771.870", "weights"):
        assert english not in result.output


@pytest.fixture
def labelled(tmp_path):
    """A questionnaire with labels in bokmål and English and answers to it."""
    (tmp_path / "q.yaml").write_text("""
id: t
questions:
  - {name: kjonn, number: "1", type: single, text: {nb: Kjønn, en: Sex},
     codes: [{code: 1, nb: Mann, en: Man}, {code: 2, nb: Kvinne, en: Woman}]}
  - name: bosted
    number: "2"
    type: single
    text: {nb: "Hvor bor du nå, i en by, et tettsted eller spredt i en distriktskommune?",
           en: "Where do you live now, in a town, a village or scattered in a rural municipality?"}
    codes: [{code: 1, nb: By, en: Town}, {code: 2, nb: Tettsted, en: Village}, {code: 3, nb: Spredt, en: Scattered}]
  - {name: alder, number: "3", type: integer, text: {nb: Alder, en: Age}}
  - {name: trivsel, number: "4", type: decimal, text: {nb: Trivsel, en: Well-being}}
""", "utf-8")
    rng = np.random.default_rng(5)
    n = 300
    kjonn, bosted, alder = rng.integers(1, 3, n), rng.integers(1, 4, n), rng.integers(20, 67, n)
    trivsel = 5 + 0.5 * (kjonn == 2) - 0.3 * bosted + 0.01 * alder + rng.normal(0, 1, n)
    pd.DataFrame({"id": range(1, n + 1), "kjonn": kjonn, "bosted": bosted, "alder": alder,
                  "trivsel": trivsel.round(2)}).to_csv(tmp_path / "d.csv", index=False)
    return tmp_path


def test_coefficients_are_named_by_the_questionnaires_labels(labelled):
    args = ["model", str(labelled / "d.csv"), "trivsel ~ kjonn * bosted + alder", "--instrument", str(labelled / "q.yaml")]
    nb = runner.invoke(app, [*args, "--lang", "nb"])
    assert nb.exit_code == EXIT_OK, nb.output
    # a short question text names the variable, a long one its number, with the text under the tables
    for text in ("Kjønn: Kvinne", "spm. 2: Tettsted", "Kjønn: Kvinne × spm. 2: Spredt", "Alder",
                 "spm. 2: Hvor bor du nå"):
        assert text in nb.output
    assert "kjonn2" not in nb.output and "bosted3" not in nb.output
    en = runner.invoke(app, [*args, "--lang", "en"])
    assert "Sex: Woman" in en.output and "Q2: Village" in en.output and "Kvinne" not in en.output
    # JSON keeps R's names as keys and adds the labels
    out = json.loads(runner.invoke(app, [*args, "--lang", "nb", "--format", "json"]).stdout)
    named = {c["term"]: c["label"] for c in out["coefficients"]}
    assert named["kjonn2"] == "Kjønn: Kvinne" and named["kjonn2:bosted3"] == "Kjønn: Kvinne × spm. 2: Spredt"
    assert named["(Intercept)"] == "Konstantledd" and named["alder"] == "Alder"
    assert [t["terms"] for t in out["tests"]] == [["kjonn"], ["bosted"], ["alder"], ["kjonn:bosted"]]
    assert [t["labels"] for t in out["tests"]][-1] == ["Kjønn × spm. 2"]


def test_thresholds_of_an_ordinal_outcome_are_named_by_its_categories(labelled):
    out = json.loads(runner.invoke(app, ["model", str(labelled / "d.csv"), "bosted ~ kjonn", "--family", "ordinal",
                                         "--instrument", str(labelled / "q.yaml"), "--lang", "nb",
                                         "--format", "json"]).stdout)
    thresholds = [c["label"] for c in out["coefficients"] if c["threshold"]]
    assert thresholds == ["By | Tettsted (terskel)", "Tettsted | Spredt (terskel)"]


@pytest.mark.parametrize("args, message", [
    (("api00 ell",), "needs an outcome"),
    (("api00 ~ nosuch",), "nosuch"),
    (("awards ~ ell", "--family", "binomial"), "--event"),
    (("api00 ~ ell", "--event", "1"), "--event applies to --family binomial"),
    (("api00 ~ ell", "--family", "ordinal", "--test", "lrt"), "not available for ordinal"),
    (("api00 ~ ell +",), "empty term"),  # R: a syntax error, not a model of api00 on ell
    (("api00 ~ ",), "empty term"),
    (("api00 ~ ell + log(meals)",), "functions and parentheses other than C(name) are not supported"),
    (("api00 ~ (ell",), "parentheses"),
])
def test_usage_errors(fixtures_dir, args, message):
    result = runner.invoke(app, ["model", str(fixtures_dir / "api" / "apistrat.csv"), *args, *STRAT])
    assert result.exit_code == EXIT_USAGE and message in result.output, result.output


def test_a_leading_plus_is_read_as_r_reads_it(fixtures_dir):
    plain = model_json(fixtures_dir / "api" / "apistrat.csv", "api00 ~ ell + stype", *STRAT)
    plus = model_json(fixtures_dir / "api" / "apistrat.csv", "api00 ~ + ell + stype", *STRAT)
    assert {k: v for k, v in plus.items() if k != "formula"} == {k: v for k, v in plain.items() if k != "formula"}


def test_the_study_file_with_its_weighting_and_coded_predictors(study_csv):
    out = model_json(study_csv, "q22 ~ age_group + q4", "--family", "binomial", "--event", "5", "--study-weighting",
                     "--test", "lrt")
    assert out["design"]["calibrated"] and out["weights"].startswith("study weighting")
    # age_group and q4 are coded categories: one coefficient per category but the first
    terms = [c["term"] for c in out["coefficients"]]
    assert any(t.startswith("age_group") and t != "age_group" for t in terms) and "q4" not in terms
    assert [t["terms"] for t in out["tests"]] == [["age_group"], ["q4"]]
    assert all(t["method"] == "LRT" and 0 <= t["p_value"] <= 1 for t in out["tests"])


def test_p_values_in_the_text_output_have_the_same_four_decimals_in_every_row():
    from fjernarbeid.cli.model import _fmt, _p, _stat

    assert [_p(0.119, "en"), _p(0.09114, "en"), _p(0.00005, "en")] == ["0.1190", "0.0911", "< 0.0001"]
    assert [_p(0.119, "nb"), _p(0.00005, "nn")] == ["0,1190", "< 0,0001"]
    assert [_stat(-0.008, "en"), _stat(-7.04, "en")] == ["-0.01", "-7.04"]
    assert _stat(-0.004, "nb") == "0,00"
    assert [_fmt(1234.5678, "nb"), _fmt(0.000123, "nb"), _fmt(1234.5678, "en")] == ["1\xa0234,568", "0,000123",
                                                                                    "1,234.568"]


def test_event_may_be_a_choice_name_or_label_and_one_no_answer_equals_is_an_error(tmp_path):
    """An XLSForm's choice names are read as codes (ja = 1): `--event ja` is code 1, as `--event 1` and
    `--event Ja` are; `--event kanskje` matched nothing and used to fit an outcome of zeros."""
    (tmp_path / "q.yaml").write_text("""
id: t
questions:
  - {name: studere, type: single, codes: [{code: 1, nb: Ja, name: ja}, {code: 2, nb: Nei, name: nei}]}
  - {name: alder, type: integer}
""", "utf-8")
    rng = np.random.default_rng(3)
    alder = rng.integers(16, 20, 200)
    studere = np.where(rng.random(200) < 0.3 + 0.1 * (alder - 16), 1, 2)
    pd.DataFrame({"id": range(1, 201), "studere": studere, "alder": alder}).to_csv(tmp_path / "d.csv", index=False)
    common = (tmp_path / "d.csv", "studere ~ alder", "--family", "binomial", "--instrument", tmp_path / "q.yaml")
    fits = [model_json(*common, "--event", event)["coefficients"] for event in ("1", "ja", "Ja")]
    assert fits[0] == fits[1] == fits[2]
    result = runner.invoke(app, ["model", *map(str, common), "--event", "kanskje"])
    assert result.exit_code == EXIT_USAGE and "no answer to studere equals it" in result.output


def test_where_takes_dotted_names_and_repeated_means_all_of_them(fixtures_dir):
    """tests/fixtures/r/where.R: svyglm(api00 ~ meals, subset(subset(dstrat, api.stu > 500), stype != "H"))."""
    ref = json.loads((fixtures_dir / "r" / "where.json").read_text())["model_nested"]
    first, second = ref["expressions"]
    out = model_json(fixtures_dir / "api" / "apistrat.csv", ref["formula"], *STRAT, "--where", first,
                     "--where", second)
    assert out["where"]["expression"] == f"({first}) and ({second})"
    np.testing.assert_allclose([c["estimate"] for c in out["coefficients"]], ref["fit"]["estimate"], rtol=1e-8)
    np.testing.assert_allclose([c["se"] for c in out["coefficients"]], ref["fit"]["se"], rtol=1e-7)

"""What `tab` (and `model`) say about their figures, in every language: where the weights come from (the
finite population correction when no weights are given: R's svydesign makes them N/n), the design's --nest
and --lonely-psu, the rows without a value of --by or --crosstab (counted), a missing interval end (one
mark, and a note why), the missing answers of --include-missing by name, and the df of --compare.
Numbers against R (tests/fixtures/r/tab_notes.R). In-process (run_main); the terminal is 200 columns wide."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pandas as pd
import pytest

R_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "r"
R = json.loads((R_DIR / "tab_notes.json").read_text())
APISTRAT = R_DIR / "data" / "other_apistrat.csv"
APICLUS2 = R_DIR / "data" / "other_apiclus2.csv"
NHANES = R_DIR / "data" / "nhanes.csv"
STRAT = ["--strata", "stype", "--fpc", "fpc"]
CLUS2 = ["--cluster", "dnum,snum", "--fpc", "fpc1,fpc2"]


def tab(run_main, *args) -> dict:
    ran = run_main("tab", *args, "--format", "json")
    assert ran.code == 0, ran.stderr
    return json.loads(ran.stdout)


def text(run_main, *args, lang: str = "en") -> str:
    ran = run_main("tab", *args, "--lang", lang)
    assert ran.code == 0, ran.stderr
    return ran.stdout


def said(out: str) -> str:
    """The output with its lines joined: a sentence wrapped at the terminal's width reads whole."""
    return out.replace("\n", " ")


@pytest.fixture
def apiclus2b(tmp_path) -> Path:
    """R's apiclus2 with big = "big" where acs_k3 > 20, else "small", NA where acs_k3 is (44 of 126 rows)."""
    d = pd.read_csv(APICLUS2)
    d["big"] = d["acs_k3"].gt(20).map({True: "big", False: "small"}).where(d["acs_k3"].notna())
    path = tmp_path / "apiclus2b.csv"
    d.to_csv(path, index=False, na_rep="NA")
    return path


# -- 1. the weights and the design -------------------------------------------------------------------------


@pytest.mark.parametrize("lang, words", [
    ("en", "Weights from the finite population correction (fpc): N/n per stratum"),
    ("nb", "Vekter fra korreksjonen for endelig populasjon (fpc): N/n per stratum"),
    ("nn", "Vekter frå korreksjonen for endeleg populasjon (fpc): N/n per stratum"),
])
def test_weights_made_from_the_fpc_are_said_to_be(run_main, lang, words):
    out = said(text(run_main, APISTRAT, "sch_wide", "--crosstab", "stype", *STRAT, lang=lang))
    assert words in out
    assert not any(w in out for w in ("Unweighted", "Uvektet", "Uvekta"))


def test_the_fpc_weights_are_r_s_n_over_n_per_stratum(run_main):
    got = tab(run_main, APISTRAT, "api00", "--mean", "--by", "stype", *STRAT, "--lang", "en")
    assert got["weights"] is None and got["weights_from"] == "fpc"
    assert got["weights_text"].startswith("Weights from the finite population correction (fpc): N/n per stratum")
    for row in got["estimates"]:  # every school of stratum h weighs N_h/n_h: 44.21, 15.10, 20.36
        w = R["strat_fpc"]["weights"][row["group"]["stype"]]
        assert row["weighted_base"] == pytest.approx(w * row["n_unweighted"], rel=1e-12)


def test_two_stage_fpc_weights_are_the_product_of_the_stages(run_main):
    got = tab(run_main, APICLUS2, "api00", "--mean", *CLUS2, "--lang", "nn")
    assert got["weights_from"] == "fpc"
    assert got["weights_text"].startswith("Vekter frå korreksjonane for endeleg populasjon (fpc1,fpc2): N1/n1 × N2/n2")
    assert got["estimates"][0]["weighted_base"] == pytest.approx(R["clus2_fpc"]["sum_weights"], rel=1e-12)


def test_a_weight_column_and_sampling_probabilities_are_named(run_main):
    assert tab(run_main, APISTRAT, "api00", "--mean", "--weight", "pw", *STRAT)["weights_from"] == "column"
    got = tab(run_main, APISTRAT, "api00", "--mean", "--probs", "prob", *STRAT, "--lang", "en")
    assert got["weights_from"] == "probs"
    assert got["weights_text"] == "Weights 1/p from the sampling probabilities in the column prob."
    assert tab(run_main, APISTRAT, "api00", "--mean", "--strata", "stype")["weights_from"] == "equal"


def test_model_says_where_its_weights_come_from(run_main):
    ran = run_main("model", APISTRAT, "api00 ~ ell", *STRAT, "--lang", "nb")
    assert ran.code == 0, ran.stderr
    assert "Vekter fra korreksjonen for endelig populasjon (fpc): N/n per stratum" in ran.stdout
    assert "Uvektet" not in ran.stdout
    ran = run_main("model", APISTRAT, "api00 ~ ell", *STRAT, "--format", "json")
    assert json.loads(ran.stdout)["weights_from"] == "fpc"


@pytest.mark.parametrize("lang, nest, lonely", [
    ("en", "cluster labels unique within strata (--nest)",
     "strata with one PSU: centred at the mean of the whole sample, not their stratum's (--lonely-psu adjust)"),
    ("nb", "klyngenavn unike innen strata (--nest)",
     "strata med én PSU: sentrert om gjennomsnittet for hele utvalget, ikke stratumets (--lonely-psu adjust)"),
    ("nn", "klyngenamn unike innanfor strata (--nest)",
     "strata med éin PSU: sentrerte om gjennomsnittet for heile utvalet, ikkje stratumet sitt (--lonely-psu adjust)"),
])
def test_the_design_line_names_nest_and_the_lonely_psu_choice(run_main, lang, nest, lonely):
    out = said(text(run_main, NHANES, "HI_CHOL", "--strata", "SDMVSTRA", "--cluster", "SDMVPSU", "--weight", "WTMEC2YR",
                    "--nest", "--lonely-psu", "adjust", lang=lang))
    assert nest in out and lonely in out
    plain = said(text(run_main, NHANES, "HI_CHOL", "--strata", "SDMVSTRA", "--cluster", "SDMVPSU", "--weight", "WTMEC2YR",
                      "--nest", lang=lang))
    assert "--lonely-psu" not in plain  # the default (fail) had nothing to do


# -- 2. rows in no group -----------------------------------------------------------------------------------


def test_rows_without_a_group_are_counted_and_the_estimates_stay_r_s_svyby(run_main, apiclus2b):
    got = tab(run_main, apiclus2b, "api00", "--mean", "--by", "big", *CLUS2)
    r = R["clus2_by_big"]
    assert got["left_out"]["no_group"] == r["no_group"] == 44
    assert [e["group"]["big"] for e in got["estimates"]] == r["group"]
    assert [e["estimate"] for e in got["estimates"]] == pytest.approx(r["estimate"], rel=1e-10)
    assert [e["se"] for e in got["estimates"]] == pytest.approx(r["se"], rel=1e-8)
    out = said(text(run_main, apiclus2b, "api00", "--mean", "--by", "big", *CLUS2))
    assert "Left out: 44 respondent(s) without a value of big (--by), in no group" in out
    nb = said(text(run_main, apiclus2b, "api00", "--mean", "--by", "big", *CLUS2, lang="nb"))
    assert "Utelatt: 44 respondent(er) uten verdi på big (--by), i ingen gruppe" in nb


def test_rows_without_a_column_of_a_crosstab_are_counted(run_main, apiclus2b):
    got = tab(run_main, apiclus2b, "awards", "--crosstab", "big", *CLUS2, "--min-n", "0")
    assert got["left_out"]["no_group"] == 44
    assert sum(e["n_cell"] for e in got["totals"]) == 126 - 44
    out = said(text(run_main, apiclus2b, "awards", "--crosstab", "big", *CLUS2, "--min-n", "0", lang="nn"))
    assert "Utelate: 44 respondent(ar) utan verdi på big (--crosstab), i ingen kolonne" in out
    # with --include-missing the total column has them (every row), the columns do not
    kept = said(text(run_main, apiclus2b, "awards", "--crosstab", "big", *CLUS2, "--min-n", "0", "--include-missing"))
    assert "44 respondent(s) without a value of big (--crosstab) are in no column, only in «Total»" in kept


def test_no_count_without_rows_outside_the_groups(run_main):
    got = tab(run_main, APICLUS2, "api00", "--mean", "--by", "stype", *CLUS2)
    assert "no_group" not in got["left_out"]


# -- 3. a missing interval end -----------------------------------------------------------------------------


def test_a_quantile_limit_beyond_the_data_is_one_mark_with_r_s_reason(run_main):
    got = tab(run_main, APICLUS2, "enroll", "--quantile", "0.5,0.9", *CLUS2)
    r = R["clus2_quantile_enroll"]
    assert r["ci_high"][1] == "NaN" and r["se"][1] == "NaN"  # R's svyquantile
    high = got["estimates"][1]
    assert high["ci_low"] == pytest.approx(r["ci_low"][1]) and high["ci_high"] is None and high["se"] is None
    out = said(text(run_main, APICLUS2, "enroll", "--quantile", "0.5,0.9", *CLUS2))
    assert "840.000 to –" in out and "––" not in out
    assert "R's svyquantile gives no limit (NaN)" in out
    nb = said(text(run_main, APICLUS2, "enroll", "--quantile", "0.5,0.9", *CLUS2, lang="nb"))
    assert "840,000 til –" in nb and "Rs svyquantile gir ingen grense (NaN)" in nb


def test_a_group_of_one_psu_has_no_interval_and_says_why(run_main):
    where = ["--where", "api00 > 750", "--min-n", "0"]
    got = tab(run_main, APICLUS2, "sch_wide", "--crosstab", "stype", *CLUS2, *where)
    h = {e["category"]: e for e in got["estimates"] if e["group"]["stype"] == "H"}
    assert h["No"]["df"] == 0 and h["No"]["ci_high"] is None and h["Yes"]["ci_low"] is None
    out = said(text(run_main, APICLUS2, "sch_wide", "--crosstab", "stype", *CLUS2, *where))
    assert "0.0 (0.0 to –)" in out and "100.0 (– to 100.0)" in out and "––" not in out
    assert "–: no design degrees of freedom (a single PSU), so no t interval." in out
    mean = text(run_main, APICLUS2, "api00", "--mean", "--by", "stype", *CLUS2, *where, lang="nn")
    h_row = next(line for line in mean.splitlines() if line.lstrip().startswith("H "))
    assert "–––" not in h_row and h_row.split("│")[3].strip() == "–"  # the interval: one mark
    assert "ingen fridomsgrader i designet" in said(mean)


@pytest.mark.parametrize("low, high, lang, want", [
    (840.0, math.nan, "en", "840.000 to –"),
    (None, 100.0, "nb", "– til 100,000"),
    (math.nan, math.nan, "en", "–"),
    (-0.5, 0.25, "en", "-0.500 to 0.250"),
    (0.5, 0.75, "nn", "0,500–0,750"),
])
def test_an_interval_with_a_missing_end_keeps_its_separator(low, high, lang, want):
    from fjernarbeid.cli.tab_render import ci_text

    assert ci_text(low, high, lang, 1, 3) == want


# -- 4. the missing answers of --include-missing -----------------------------------------------------------


@pytest.mark.parametrize("lang, label", [("en", "(missing)"), ("nb", "(mangler)"), ("nn", "(manglar)")])
def test_the_missing_category_is_named_in_the_output_language(run_main, lang, label):
    design = ["--strata", "SDMVSTRA", "--cluster", "SDMVPSU", "--weight", "WTMEC2YR", "--nest", "--include-missing"]
    out = text(run_main, NHANES, "HI_CHOL", *design, lang=lang)
    assert label in out and "None" not in out
    got = tab(run_main, NHANES, "HI_CHOL", *design, "--lang", lang)
    missing = next(e for e in got["estimates"] if e["category"] is None)
    assert missing["label"] == label and missing["n_cell"] == 745


# -- 5. --compare ------------------------------------------------------------------------------------------


def test_compare_prints_the_df_of_every_test(run_main):
    options = [APISTRAT, "api00", "--mean", "--by", "stype", *STRAT, "--compare"]
    differences = tab(run_main, *options)["differences"]
    out = text(run_main, *options)
    table = out[out.index("Differences"):].splitlines()
    header = [c.strip() for c in table[1].split("┃")]
    assert header[-3:] == ["t", "df", "p"]
    rows = [[c.strip() for c in line.split("│")] for line in table[3:3 + len(differences)]]
    assert [int(r[-2]) for r in rows] == [d["df"] for d in differences]

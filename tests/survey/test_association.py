"""svychisq, svycor, svytrend and svyranktest against R survey 4.1.1
(tests/fixtures/r/association.R → association.json)."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest
from scipy import stats

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey import models
from fjernarbeid.survey.association import (
    _pfsum_imhof,
    _pfsum_saddlepoint,
    _ridits,
    _spearman_and_trend,
    coded_column,
    svychisq,
    svycor,
    svyranktest,
    svytrend,
)
from fjernarbeid.survey.design import svydesign
from fjernarbeid.survey.weighting import poststratify


def close(actual, expected, rel):
    np.testing.assert_allclose(np.asarray(actual, dtype=float), np.asarray(expected, dtype=float), rtol=rel)


def label(value) -> str:
    """A level as R prints it: 0 for the float 0.0."""
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


CHISQ_CASES = range(9)  # stratified, clustered, post-stratified, domains of each kind, missing values


@pytest.mark.parametrize("statistic", ["F", "Chisq", "Wald", "adjWald", "saddlepoint"])
@pytest.mark.parametrize("i", CHISQ_CASES)
def test_svychisq_matches_r(i, statistic, api, designs, reference):
    case = reference["chisq"][i]
    expected = case["tests"][statistic]
    design = api.in_domain(designs[case["design"]], case["domain"])
    result = svychisq(design, case["row"], case["col"], statistic=statistic)
    close(result.statistic, expected["statistic"], 1e-6)
    # R's saddlepoint root is found to uniroot's tolerance 1e-8, ours tighter: still far inside 1e-4
    close(result.p_value, expected["p"], 1e-4)
    if expected["ndf"] is not None:
        close(result.ndf, expected["ndf"], 1e-6)
    if expected["ddf"] is not None:
        close(result.ddf, expected["ddf"], 1e-6)
    close(result.pearson, case["pearson"], 1e-6)


@pytest.mark.parametrize("i", CHISQ_CASES)
def test_svychisq_returns_r_weighted_table(i, api, designs, reference):
    case = reference["chisq"][i]
    design = api.in_domain(designs[case["design"]], case["domain"])
    table = svychisq(design, case["row"], case["col"]).table
    assert [label(v) for v in table.index] == case["table"]["rows"]
    assert [label(v) for v in table.columns] == case["table"]["cols"]
    close(table.to_numpy(), case["table"]["values"], 1e-9)


def test_second_order_correction_uses_the_design_effects(designs):
    """F = X²/Σδ with d = (Σδ)²/Σδ² numerator df: the δ's returned are the ones used."""
    result = svychisq(designs["strat"], "stype", "apicat")
    deltas = result.design_effects
    assert len(deltas) == 2 * 3
    close(result.statistic, result.pearson / deltas.sum(), 1e-10)
    close(result.ndf, deltas.sum() ** 2 / (deltas**2).sum(), 1e-8)


def test_unused_category_levels_are_dropped_as_r_factor_does(api, designs, reference):
    """A categorical with a level nobody has gives R's answer without it (R's factor() drops it)."""
    design = designs["strat"]
    data = design.data.assign(stype=pd.Categorical(design.data["stype"], categories=["E", "H", "M", "X"]))
    result = svychisq(svydesign(data, "pw", strata="stype", fpc="fpc"), "sch.wide", "stype")
    close(result.statistic, reference["chisq"][0]["tests"]["F"]["statistic"], 1e-6)
    assert list(result.table.columns) == ["E", "H", "M"]


def test_a_variable_with_one_category_in_the_domain_is_a_clear_error(designs):
    elementary = designs["strat"].domain(designs["strat"].data["stype"].to_numpy() == "E")
    with pytest.raises(ComputationError, match="at least two categories.*'stype' has 1"):
        svychisq(elementary, "sch.wide", "stype")


def test_unknown_statistic_and_column(designs):
    with pytest.raises(ValueError, match="statistic"):
        svychisq(designs["strat"], "sch.wide", "stype", statistic="G2")
    with pytest.raises(KeyError, match="nosuch"):
        svychisq(designs["strat"], "nosuch", "stype")


def test_lincom_integrates_the_exact_distribution():
    """With equal δ's, Σ δχ²_1 / (χ²_ν/ν) is δ·m·F(m, ν): Imhof's integral must give that exactly.
    (R computes "lincom" with package CompQuadForm, absent here, so R cannot be the reference.)"""
    for m, nu, delta, x in [(2, 30.0, 1.7, 9.0), (6, 150.5, 0.8, 4.0), (1, 14.0, 2.5, 12.0)]:
        exact = stats.f.sf(x / (delta * m), m, nu)
        close(_pfsum_imhof(x, np.full(m, delta), nu), exact, 1e-6)


def test_lincom_agrees_roughly_with_the_saddlepoint(designs):
    result = svychisq(designs["strat"], "stype", "apicat", statistic="lincom")
    saddle = svychisq(designs["strat"], "stype", "apicat", statistic="saddlepoint")
    assert result.p_value == pytest.approx(saddle.p_value, rel=0.05)
    assert result.ndf is None and result.method.endswith("exact distribution")


def test_saddlepoint_falls_back_to_satterthwaite_near_the_centre():
    """R returns the Satterthwaite F when the saddlepoint is within 1e-4 of zero."""
    a = np.array([1.0, 1.0])
    x = 2.0 * (1 - 1 / 50)  # near the mean of Σχ²_1/(χ²_ν/ν): the saddlepoint is ≈ 0
    p = _pfsum_saddlepoint(x, a, 50.0)
    assert 0.05 < p < 0.95


@pytest.mark.parametrize("i", range(7))
def test_svycor_matches_r_linearisation(i, api, designs, reference):
    case = reference["cor"][i]
    design = api.in_domain(designs[case["design"]], case["domain"])
    result = svycor(design, case["x"], case["y"], method=case["method"])
    close(result.estimate, case["estimate"], 1e-6)
    close(result.se, case["se"], 1e-4)
    assert result.df == case["df"]
    # t test and Fisher-z CI from R's SE of r and of atanh(r)
    close(result.p_value, 2 * stats.t.sf(abs(case["estimate"] / case["se"]), case["df"]), 1e-4)
    q = stats.t.ppf(0.975, case["df"])
    close([result.ci_low, result.ci_high],
          np.tanh([case["z"] - q * case["se_z"], case["z"] + q * case["se_z"]]), 1e-4)


def test_unweighted_pearson_and_spearman_equal_the_textbook_values(designs):
    """With equal weights the point estimates are the ordinary Pearson r and Spearman ρ."""
    data = designs["strat"].data
    srs = svydesign(data)
    close(svycor(srs, "ell", "api00").estimate, stats.pearsonr(data["ell"], data["api00"])[0], 1e-10)
    close(svycor(srs, "ell", "api00", "spearman").estimate, stats.spearmanr(data["ell"], data["api00"])[0], 1e-10)


def test_svycor_ignores_rows_with_a_missing_value(designs):
    data = designs["strat"].data.copy()
    data.loc[[3, 7], "api00"] = np.nan
    with_na = svycor(svydesign(data, "pw", strata="stype", fpc="fpc"), "ell", "api00")
    keep = ~data["api00"].isna().to_numpy()
    domain = svycor(designs["strat"].domain(keep), "ell", "api00")
    close(with_na.estimate, domain.estimate, 1e-12)
    assert with_na.n == 198


@pytest.mark.parametrize("i", range(3))
def test_svytrend_matches_r_svyglm_on_scores(i, api, designs, reference):
    case = reference["trend"][i]
    design = api.in_domain(designs[case["design"]], case["domain"])
    result = svytrend(design, case["outcome"], case["group"], family=case["family"])
    close(result.slope, case["slope"], 1e-6)
    close(result.se, case["se"], 1e-4)
    close(result.p_value, case["p"], 1e-4)
    assert result.df == case["df"]


def test_svytrend_scores_for_text_categories(designs):
    """Text groups get 1..K in order; explicit scores change the slope's scale, not the test."""
    design = designs["strat"]
    labels = {0: "low", 1: "mid", 2: "high"}
    data = design.data.assign(meal_label=design.data["mealcat"].map(labels))
    d2 = svydesign(data, "pw", strata="stype", fpc="fpc")
    by_number = svytrend(design, "growth", "mealcat")
    doubled = svytrend(d2, "growth", "meal_label", scores={"low": 0, "mid": 2, "high": 4})
    close(doubled.slope * 2, by_number.slope, 1e-10)
    close(doubled.p_value, by_number.p_value, 1e-10)
    with pytest.raises(ValueError, match="no value"):
        svytrend(d2, "growth", "meal_label", scores={"low": 0, "mid": 1})


@pytest.mark.parametrize("i", range(10))
def test_svyranktest_matches_r(i, api, designs, reference):
    case = reference["ranktest"][i]
    design = api.in_domain(designs[case["design"]], case["domain"])
    result = svyranktest(design, case["y"], case["group"], test=case["test"])
    if case["k"] == 2:
        close(result.statistic, case["t"], 1e-6)
        close(result.estimate, case["estimate"], 1e-6)
        assert result.ddf == case["df"]
    else:
        close(result.chisq, case["chisq"], 1e-6)
        assert (result.ndf, result.ddf) == (case["ndf"], case["ddf"])
    close(result.p_value, case["p"], 1e-4)


def test_svyranktest_needs_two_groups(designs):
    elementary = designs["strat"].domain(designs["strat"].data["stype"].to_numpy() == "E")
    with pytest.raises(ComputationError, match="fewer than two groups"):
        svyranktest(elementary, "ell", "stype")


# -- the pass-saving paths against the direct computation ------------------------------------------
def _answers(n: int = 3000, seed: int = 5) -> pd.DataFrame:
    """Answers on scales (few distinct pairs: the correlation and trend go by cells) with gaps."""
    rng = np.random.default_rng(seed)
    x = rng.integers(1, 6, n).astype(float)
    y = np.clip(x + rng.integers(-2, 3, n), 1, 5).astype(float)
    x[rng.random(n) < 0.05] = np.nan
    y[rng.random(n) < 0.05] = np.nan
    return pd.DataFrame({"x": x, "y": y, "x_int": pd.array(np.where(np.isnan(x), None, x), dtype="Int64"),
                         "stratum": rng.integers(0, 4, n), "sex": rng.integers(1, 3, n),
                         "w": rng.uniform(1, 5, n)})


def _answer_designs() -> dict:
    data = _answers()
    plain = svydesign(data, "w", strata="stratum")
    calibrated = poststratify(plain, "sex", {1: 6000.0, 2: 5000.0})
    keep = (data["stratum"] != 2).to_numpy()
    return {"plain": plain, "calibrated": calibrated, "plain domain": plain.domain(keep),
            "calibrated domain": calibrated.domain(keep)}


def _mid_ranks(values: np.ndarray, w: np.ndarray, rows: np.ndarray) -> np.ndarray:
    """R's svyranktest ridits the direct way: weighted mid-ranks in stable order of the value among
    ``rows``, averaged within ties (unweighted), over N; NaN outside ``rows``."""
    idx = np.flatnonzero(rows)
    order = idx[np.argsort(values[idx], kind="stable")]
    mid = np.cumsum(w[order]) - w[order] / 2
    tied = pd.Series(mid).groupby(values[order]).transform("mean").to_numpy()
    out = np.full(len(values), np.nan)
    out[order] = tied / w[idx].sum()
    return out


@pytest.mark.parametrize("name", ["plain", "calibrated", "plain domain", "calibrated domain"])
def test_ridits_are_the_mid_ranks_of_the_rows_kept(name):
    design = _answer_designs()[name]
    values = design.data["x"].to_numpy()
    rows = ~np.isnan(values) & ~design.data["y"].isna().to_numpy()
    w = design.weights * rows
    close(_ridits(values, w, rows), _mid_ranks(values, w, rows), 1e-13)
    fractions = values / 3  # not whole numbers: factorised, not counted
    close(_ridits(fractions, w, rows), _mid_ranks(fractions, w, rows), 1e-13)


@pytest.mark.parametrize("name", ["plain", "calibrated", "plain domain", "calibrated domain"])
def test_spearman_on_cells_equals_spearman_on_rows(name, monkeypatch):
    design = _answer_designs()[name]
    on_cells = svycor(design, "x", "y", "spearman")
    monkeypatch.setattr(models, "_CELLS_FROM_ROWS", 10**9)  # every sum over the rows
    on_rows = svycor(design, "x", "y", "spearman")
    for field in ("estimate", "se", "statistic", "p_value", "ci_low", "ci_high"):
        close(getattr(on_cells, field), getattr(on_rows, field), 1e-12)
    assert (on_cells.df, on_cells.n) == (on_rows.df, on_rows.n)


@pytest.mark.parametrize("name", ["plain", "calibrated", "plain domain", "calibrated domain"])
@pytest.mark.parametrize("x", ["x", "x_int"])
def test_spearman_and_trend_together_equal_svycor_and_svytrend(name, x):
    design = _answer_designs()[name]
    rho, trend = _spearman_and_trend(design, x, "y")
    alone = svycor(design, x, "y", "spearman")
    for field in ("estimate", "se", "statistic", "p_value", "ci_low", "ci_high"):
        close(getattr(rho, field), getattr(alone, field), 1e-13)
    by_rows = svytrend(design, "y", x)  # the slope from the rows
    for field in ("slope", "se", "statistic", "p_value"):
        close(getattr(trend, field), getattr(by_rows, field), 1e-12)
    assert trend.df == by_rows.df and trend.scores == by_rows.scores
    # the codes of x given by the caller, and a domain with both answers in every row
    both = design.domain(~design.data[[x, "y"]].isna().any(axis=1).to_numpy() & design.in_domain)
    rho2, trend2 = _spearman_and_trend(both, x, "y", coded_x=coded_column(design, x), complete=True)
    assert (rho2.estimate, rho2.se, trend2.slope, trend2.se) == (rho.estimate, rho.se, trend.slope, trend.se)


def test_svychisq_codes_answers_of_any_numeric_type_as_their_labels():
    """Floats, nullable integers (counted by their codes) and text (factorised) give one test."""
    design = _answer_designs()["calibrated domain"]
    text = design.data["x"].map(lambda v: None if np.isnan(v) else f"c{int(v)}")
    d2 = replace(design, data=design.data.assign(x_text=text))
    by_float, by_int, by_text = (svychisq(d2, c, "sex") for c in ("x", "x_int", "x_text"))
    for other in (by_int, by_text):
        close(other.statistic, by_float.statistic, 1e-12)
        close(other.table.to_numpy(), by_float.table.to_numpy(), 1e-13)
    assert list(by_int.table.index) == [1, 2, 3, 4, 5] and isinstance(by_int.table.index[0], (int, np.integer))
    assert list(by_float.table.index) == [1.0, 2.0, 3.0, 4.0, 5.0]


def _structural_zeros(n: int = 3000) -> pd.DataFrame:
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"w": rng.uniform(1, 5, n), "q3": rng.integers(1, 6, n).astype(float)})
    df["q4"] = np.clip(df["q3"] + rng.integers(-1, 2, n), 0, 9).astype(float)
    return df


def test_a_table_with_structural_zeros_has_no_rao_scott_test_as_in_r():
    """q4 is q3 − 1, q3 or q3 + 1: 20 of the 35 cells are empty, the Rao–Scott matrix is singular and R's svychisq
    stops ('system is computationally singular: reciprocal condition number = 1.33e-18',
    tests/fixtures/r/singular_chisq.R); before, the test gave noise (F = 313.6 on 3.5 df)."""
    from fjernarbeid.survey.association import SingularTableError

    design = svydesign(_structural_zeros(), "w")
    with pytest.raises(SingularTableError, match=r"20 empty cell.*singular") as caught:
        svychisq(design, "q3", "q4")
    assert caught.value.empty == 20
    ok = svychisq(design.domain(design.data["q4"].between(1, 5).to_numpy() & (design.data["q3"] > 1).to_numpy()
                                & (design.data["q3"] < 5).to_numpy()), "q3", "q4")  # a table without a singular matrix
    assert ok.p_value is not None

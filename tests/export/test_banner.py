"""Banner tables: column percentages, bases and significance letters, checked against R survey
(tests/export/fixtures/banner.R) and against svyprop_diff."""

from __future__ import annotations

import json
from dataclasses import replace
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from statsmodels.stats.multitest import multipletests

from fjernarbeid.study import load_study

from fjernarbeid.export.banner import (
    BannerColumn,
    Breakdown,
    banner_table,
    column_letters,
    holm,
    study_banner,
)
from fjernarbeid.instrument import Code, Question
from fjernarbeid.survey.compare import svyprop_diff
from fjernarbeid.survey.design import svydesign
from fjernarbeid.survey.weighting import poststratify

FIXTURES = Path(__file__).resolve().parent / "fixtures"


# -- against R: a calibrated cluster sample ------------------------------------------------------


@pytest.fixture(scope="module")
def r_reference():
    return json.loads((FIXTURES / "banner.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def r_banner(fixtures_dir, r_reference):
    """apiclus1 post-stratified on school type, as in banner.R, and the banner of acscat."""
    api = pd.read_csv(fixtures_dir / "api" / "apiclus1.csv")
    # R's findInterval(x, breaks): the number of breaks ≤ x; missing stays missing
    api["acscat"] = np.where(api["acs.46"].isna(), np.nan, np.searchsorted([28, 31], api["acs.46"], side="right"))
    api["mealcat"] = np.searchsorted([33, 66], api["meals"], side="right")
    design = svydesign(api, "pw", cluster="dnum", fpc="fpc")
    design = poststratify(design, "stype", {"E": 4421, "H": 755, "M": 1018})
    question = Question(name="acscat", number="acs", type="single", text={"en": "class size, grades 4-6"},
                        codes=tuple(Code(c, {"en": str(c)}) for c in r_reference["categories"]))
    breakdowns = [Breakdown(name, {"en": name}, tuple(BannerColumn({"en": str(level)}, name, (level,))
                                                     for level in levels))
                  for name, levels in r_reference["breakdowns"].items()]
    return banner_table(design, question, breakdowns, min_cell=r_reference["min_cell"])


def test_column_shares_and_counts_match_r(r_banner, r_reference):
    assert len(r_banner.columns) == len(r_reference["columns"])
    for g, ref in enumerate(r_reference["columns"]):
        assert r_banner.base[g] == ref["n"]
        assert list(r_banner.count[:, g]) == ref["counts"]
        expected = np.array([np.nan if s is None else s for s in ref["shares"]], dtype=float)
        np.testing.assert_allclose(r_banner.percent[:, g], expected, rtol=1e-6)


def test_an_empty_column_is_suppressed_not_an_error(r_banner):
    h = next(g for g, c in enumerate(r_banner.columns) if c.codes == ("H",))
    assert r_banner.base[h] == 0 and r_banner.effective_base[h] == 0
    assert r_banner.suppressed[:, h].all() and not any(h in (t.first, t.second) for t in r_banner.tests)


def test_pairwise_tests_and_holm_match_r_svyglm(r_banner, r_reference):
    by_key = {}
    for t in r_banner.tests:
        first, second = r_banner.columns[t.first].codes[0], r_banner.columns[t.second].codes[0]
        by_key[(t.category, t.breakdown, str(first), str(second))] = t
    expected_keys = {(p["category"], p["breakdown"], str(p["first"]), str(p["second"])) for p in r_reference["pairs"]}
    assert set(by_key) == expected_keys  # the same pairs tested (both cells ≥ min_cell), no more
    for p in r_reference["pairs"]:
        t = by_key[(p["category"], p["breakdown"], str(p["first"]), str(p["second"]))]
        assert t.difference == pytest.approx(p["estimate"], rel=1e-6)
        assert t.se == pytest.approx(p["se"], rel=1e-4)
        assert t.t == pytest.approx(p["t"], rel=1e-4)
        assert t.df == p["df"]
        assert t.p == pytest.approx(p["p"], rel=1e-4)
        assert t.p_holm == pytest.approx(p["p_holm"], rel=1e-4)


# -- against svyprop_diff on the study's own weighting ------------------------------------------


def test_equals_svyprop_diff_on_the_post_stratified_demo(export_weighted, instrument):
    design = export_weighted.design
    table = banner_table(design, instrument["q23"], study_banner(instrument, design.data))
    assert len(table.tests) > 100
    for t in table.tests[::25]:
        first, second = table.columns[t.first], table.columns[t.second]
        group = np.where(first.mask(design.data), 0.0, np.where(second.mask(design.data), 1.0, np.nan))
        q23 = design.data["q23"].where(design.data["q23"] != 6)  # "not sure" is not an answer here
        d = replace(design, data=design.data.assign(group=group, q23=q23))
        ref = svyprop_diff(d, "q23", "group", value=t.category)
        assert t.difference == pytest.approx(ref.estimate, rel=1e-9, abs=1e-12)
        assert t.se == pytest.approx(ref.se, rel=1e-9)
        assert t.df == ref.df
        assert t.p == pytest.approx(ref.p_value, rel=1e-9)


def test_nets_of_a_scale_equal_svyprop_diff_of_the_recoded_answer(export_weighted, instrument):
    """Top-2 / bottom-2 of q23 are tested as the share answering either code, exactly as svyprop_diff
    of the answer recoded to 1 (in the net) / 0 (another answer)."""
    design = export_weighted.design
    table = banner_table(design, instrument["q23"], study_banner(instrument, design.data))
    assert table.nets == ((1, 2), (4, 5)) and len(table.net_tests) > 20
    assert table.net_percent[0, 0] == pytest.approx(table.percent[0, 0] + table.percent[1, 0], rel=1e-12)
    for t in table.net_tests[::10]:
        first, second = table.columns[t.first], table.columns[t.second]
        group = np.where(first.mask(design.data), 0.0, np.where(second.mask(design.data), 1.0, np.nan))
        raw = design.data["q23"]
        net = np.where(raw.isin(t.category), 1.0, np.where(raw.isin([1, 2, 3, 4, 5]), 0.0, np.nan))
        d = replace(design, data=design.data.assign(group=group, net=net))
        ref = svyprop_diff(d, "net", "group", value=1.0)
        assert t.difference == pytest.approx(ref.estimate, rel=1e-9, abs=1e-12)
        assert t.se == pytest.approx(ref.se, rel=1e-9)
        assert t.p == pytest.approx(ref.p_value, rel=1e-9)
    weights = design.weights
    answered = design.data["q23"].isin([1, 2, 3, 4, 5]).to_numpy()
    expected = (design.data["q23"].to_numpy()[answered] * weights[answered]).sum() / weights[answered].sum()
    assert table.mean[0] == pytest.approx(expected, rel=1e-12)  # the Total's mean code


# -- letters, suppression, bases on constructed data ------------------------------------------------


def two_groups(yes_men: int, yes_women: int, n: int = 100) -> pd.DataFrame:
    """n men and n women answering q11 (1 = yes, 2 = no) with the given numbers of yes."""
    sex = np.repeat([1, 2], n)
    q11 = np.concatenate([np.where(np.arange(n) < yes_men, 1, 2), np.where(np.arange(n) < yes_women, 1, 2)])
    return pd.DataFrame({"q207": sex, "q11": q11})


@pytest.mark.parametrize(("yes_men", "yes_women", "letter"), [(80, 20, "B"), (60, 45, "b"), (52, 48, "")])
def test_a_clearly_higher_column_carries_the_letter_of_the_lower_one(instrument, yes_men, yes_women, letter):
    frame = two_groups(yes_men, yes_women)
    design = svydesign(frame)
    table = banner_table(design, instrument["q11"], study_banner(instrument, frame))
    assert table.letters == ("", "A", "B")  # Total, Mann, Kvinne
    yes, no = table.categories.index(1), table.categories.index(2)
    assert table.higher_than[yes, 1] == letter  # men say yes more often than women
    assert table.higher_than[no, 2] == letter.replace("B", "A").replace("b", "a")
    assert table.higher_than[yes, 2] == table.higher_than[no, 1] == ""
    assert table.higher_than[:, 0].tolist() == ["", ""]  # the Total is not compared


def test_cells_with_fewer_than_min_cell_respondents_are_suppressed_and_not_tested(instrument):
    frame = two_groups(97, 20)  # only 3 men say no
    table = banner_table(svydesign(frame), instrument["q11"], study_banner(instrument, frame), min_cell=5)
    no = table.categories.index(2)
    assert table.count[no, 1] == 3 and table.suppressed[no, 1]
    # secondary suppression: women's "no" too (Total − women = men in the row), and men's "yes" (the men's
    # column adds up to 100 %), then women's "yes" (its row); the Total column stays
    assert table.suppressed[no, 2] and table.suppressed[:, 1:].all() and not table.suppressed[:, 0].any()
    assert table.higher_than[no, 2] == ""  # women's "no" is not compared with a suppressed cell
    assert {t.category for t in table.tests} == {1}


def test_bases_count_answers_and_effective_base_is_kish(instrument):
    frame = two_groups(60, 40)
    frame.loc[[0, 150], "q11"] = np.nan  # no answer
    weights = np.where(frame["q207"] == 1, 1.0, 3.0) * (1 + (np.arange(200) % 4))
    table = banner_table(svydesign(frame, weights), instrument["q11"], study_banner(instrument, frame))
    assert table.base.tolist() == [198, 99, 99]
    answered = frame["q11"].notna().to_numpy()
    for g, sex in ((0, None), (1, 1), (2, 2)):
        in_col = answered & ((frame["q207"] == sex).to_numpy() if sex else True)
        w = weights[in_col]
        assert table.effective_base[g] == pytest.approx(w.sum() ** 2 / (w**2).sum(), rel=1e-12)
        yes = in_col & (frame["q11"] == 1).to_numpy()
        assert table.percent[0, g] == pytest.approx(weights[yes].sum() / w.sum(), rel=1e-12)


def test_routing_and_not_sure_codes_are_kept_out_of_the_base(export_frame, instrument):
    design = svydesign(export_frame)
    table = banner_table(design, instrument["q13"], [])
    q12, q13 = export_frame["q12"], export_frame["q13"]
    assert table.categories == (1, 2, 3)
    assert table.base[0] == ((q12 < 6) & q13.isin([1, 2, 3])).sum()
    assert table.not_sure == ((q12 < 6) & (q13 == 4)).sum()
    assert table.no_answer == (q12 == 6).sum()


# -- the banner's definition and helpers -------------------------------------------------------------


def test_study_banner_has_the_declared_breakdowns_and_home_office_groups_partition_q12(export_frame, instrument):
    banner = study_banner(instrument, export_frame)
    assert [b.variable for b in banner] == ["q207", "age_group", "q4", "q12", "centrality"]
    home = next(b for b in banner if b.variable == "q12")
    codes = [c for column in home.columns for c in column.codes]
    assert sorted(codes) == sorted(instrument["q12"].substantive_codes)
    declared = next(b for b in load_study().banner if b.variable == "q12")  # the study file's groups
    assert [column.codes for column in home.columns] == [codes for codes, _ in declared.groups]
    assert "centrality" not in [b.variable for b in study_banner(instrument, export_frame.drop(columns="centrality"))]


def test_holm_agrees_with_statsmodels_and_ignores_missing():
    p = np.array([0.01, 0.04, 0.03, 0.005, np.nan, 0.5, 0.0004])
    ok = ~np.isnan(p)
    expected = multipletests(p[ok], method="holm")[1]
    np.testing.assert_allclose(holm(p)[ok], expected, rtol=1e-12)
    assert np.isnan(holm(p)[4]) and np.isnan(holm(np.array([np.nan]))).all()


def test_column_letters_run_across_the_banner_and_restart_past_26():
    assert column_letters((-1, 0, 0, 1, 1, 1)) == ("", "A", "B", "C", "D", "E")
    wide = (-1,) + (0,) * 20 + (1,) * 10
    letters = column_letters(wide)
    assert letters[1] == "A" and letters[21] == "A" and letters[30] == "J"


# -- a select-multiple question down the side ---------------------------------------------------------


def test_a_select_multiple_question_has_a_row_per_choice_with_the_share_choosing_it():
    """Each row is the column's share of respondents choosing the choice (several per respondent): the
    same domain proportion as a one-choice question's, here checked against svyprop_diff and counted by
    hand; "don't know" alone is out of the base."""
    from fjernarbeid.instrument import instrument_from_dict
    from fjernarbeid.survey.compare import svyprop_diff

    inst = instrument_from_dict({"id": "m", "questions": [
        {"name": "sex", "codes": [{"code": 1, "en": "Man"}, {"code": 2, "en": "Woman"}]},
        {"name": "places", "type": "multiple", "exclusive": [9],
         "codes": [{"code": 1, "en": "Home"}, {"code": 2, "en": "Cabin"}, {"code": 9, "en": "Don't know",
                                                                           "missing": True}]}]})
    rng = np.random.default_rng(7)
    n = 400
    sex = rng.integers(1, 3, n)
    home = rng.random(n) < np.where(sex == 1, 0.5, 0.8)
    cabin = rng.random(n) < 0.3
    places = [" ".join(c for c, on in (("1", h), ("2", k)) if on) or "9" for h, k in zip(home, cabin)]
    frame = pd.DataFrame({"sex": sex, "places": places, "w": rng.uniform(0.5, 2.0, n)})
    design = svydesign(frame, "w")
    breakdown = Breakdown("sex", {"en": "Sex"}, (BannerColumn({"en": "Man"}, "sex", (1,)),
                                                 BannerColumn({"en": "Woman"}, "sex", (2,))))
    table = banner_table(design, inst["places"], [breakdown])
    assert table.categories == (1, 2)
    answered = np.array([p != "9" for p in places])
    assert table.base[0] == answered.sum() and table.not_sure == (~answered).sum()
    w = frame["w"].to_numpy()
    for c, chosen in enumerate((home, cabin)):
        for g, in_col in enumerate((np.ones(n, bool), sex == 1, sex == 2)):
            base = answered & in_col
            assert table.percent[c, g] == pytest.approx(w[base & chosen].sum() / w[base].sum(), rel=1e-12)
    test = next(t for t in table.tests if t.category == 1)
    frame["home"] = np.where(answered, home.astype(float), np.nan)
    reference = svyprop_diff(svydesign(frame, "w").domain(answered), "home", "sex")
    assert test.difference == pytest.approx(reference.estimate, rel=1e-9)
    assert test.se == pytest.approx(reference.se, rel=1e-9)


def test_no_margin_of_a_banner_has_a_single_hidden_cell(export_weighted, instrument):
    """Secondary suppression along columns (shares add up to 100 %) and along each breakdown's groups in a
    row (they add up to the Total): a single hidden cell in either would be recovered by subtraction."""
    design = export_weighted.design
    hidden_somewhere = 0
    for name in ("q23", "q12", "q4", "q21"):
        table = banner_table(design, instrument[name], study_banner(instrument, design.data), min_cell=5)
        s = table.suppressed
        hidden_somewhere += int(s.sum())
        assert ((s.sum(axis=0) != 1)).all(), name
        for b in set(table.breakdown_of) - {-1}:
            columns = [g for g, x in enumerate(table.breakdown_of) if x == b]
            assert (s[:, columns].sum(axis=1) != 1).all(), (name, b)
    assert hidden_somewhere > 0  # the 300-respondent demo has small cells: the check is not empty


def test_a_column_with_hidden_cells_shows_no_mean_that_would_give_them_away(export_weighted, instrument):
    """Two hidden cells of a column are two unknowns; its shares add up to 100 % and its mean code is a second
    equation, so a printed mean would solve them (Sentralitet 6: codes 4 and 5 hidden, mean 2,13 shown).
    A column with a hidden cell has no mean; a column without one keeps it."""
    design = export_weighted.design
    table = banner_table(design, instrument["q23"], study_banner(instrument, design.data), min_cell=5)
    hidden = table.suppressed.any(axis=0)
    assert hidden.any() and (~hidden).any()
    assert np.isnan(table.mean[hidden]).all()
    assert np.isfinite(table.mean[~hidden]).all()

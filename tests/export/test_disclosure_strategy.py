"""Disclosure control with a choice: entropy loss in bits, the study's alternatives (coarser bands,
rounded weights), the strategy that picks the cheapest, and where suppression fell."""

from __future__ import annotations

import math
from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.export.disclosure import GEOGRAPHY, Msg, protect, rules_for, round_weights
from fjernarbeid.export.disclosure_strategy import (
    applicable, combinations, entropy_loss, protect_with_strategy, strategy_markdown, suppression_by_category,
)
from fjernarbeid.study import load_study

# -- entropy loss ------------------------------------------------------------------------------------


def test_a_value_published_as_it_was_loses_nothing():
    x = pd.Series([1, 2, 2, 3, None])
    assert entropy_loss(x, pd.DataFrame({"x": x})) == 0.0


def test_merging_categories_loses_the_bits_that_told_them_apart():
    # 1 and 2 merged, 2 records each: one bit per record of the merged category; 3 untouched
    x = pd.Series([1, 1, 2, 2, 3, 3, 3, 3])
    y = pd.DataFrame({"x": [1, 1, 1, 1, 3, 3, 3, 3]})
    assert entropy_loss(x, y) == pytest.approx(4.0)
    # 1 (one record) and 2 (three records) merged: 1·log2(4/1) + 3·log2(4/3)
    x = pd.Series([1, 2, 2, 2])
    assert entropy_loss(x, pd.DataFrame({"x": [1, 1, 1, 1]})) == pytest.approx(2 + 3 * math.log2(4 / 3))


def test_a_suppressed_value_loses_its_whole_information_and_is_not_confused_with_not_asked():
    # p(1) = 1/2, p(2) = 1/4, p(3) = 1/4; suppressing the first record of category 2 alone: Y = "suppressed"
    # holds only it, so it loses nothing in the empirical measure (a group of one tells its value) …
    x = pd.Series([1, 1, 2, 3, None, None])
    published = pd.DataFrame({"x": [1, 1, None, 3, None, None]})
    alone = np.array([False, False, True, False, False, False])
    assert entropy_loss(x, published, alone) == 0.0
    # … but without the mark it would be grouped with the two not asked: −log2(1/3) + 2·(−log2(2/3))
    assert entropy_loss(x, published) == pytest.approx(math.log2(3) + 2 * math.log2(3 / 2))
    # suppressing one record of every category: each loses −log2 p(x | suppressed) = log2(3)
    x = pd.Series([1, 1, 2, 2, 3, 3])
    mask = np.array([True, False, True, False, True, False])
    published = pd.DataFrame({"x": x.where(~mask)})
    assert entropy_loss(x, published, mask) == pytest.approx(3 * math.log2(3))


def test_several_published_columns_are_one_condition():
    # the municipality given (county, centrality): the two municipalities of county 46 cannot be told apart
    municipality = pd.Series(["0301", "4601", "4602", "4601"])
    published = pd.DataFrame({"county": ["03", "46", "46", "46"], "centrality": [1, 2, 2, 2]})
    assert entropy_loss(municipality, published) == pytest.approx(3 * (-(2 / 3) * math.log2(2 / 3)
                                                                          - (1 / 3) * math.log2(1 / 3)))


# -- the choice ----------------------------------------------------------------------------------------


def test_each_strategy_tries_its_combinations():
    assert combinations("suppress", ("centrality", "weight")) == [()]
    assert combinations("coarsen", ("centrality", "weight")) == [("centrality", "weight")]
    assert combinations("auto", ("centrality", "weight")) == [(), ("centrality",), ("weight",),
                                                              ("centrality", "weight")]
    assert combinations("auto", ()) == combinations("coarsen", ()) == [()]
    many = tuple("abcdef")
    assert combinations("auto", many) == [(), *((a,) for a in many), many]
    with pytest.raises(ValueError, match="unknown disclosure strategy"):
        combinations("random", ())


def test_the_2025_study_declares_centrality_bands_and_rounded_weights(instrument):
    rules = rules_for(instrument, load_study())
    band = next(b for b in rules.bands if b.variable == "centrality")
    assert [m.codes for m in band.merges] == [(1, 2), (3, 4), (5, 6)]
    assert band.to_text("nb").startswith("sentralitet i tre grupper") and band.to_text("en").startswith("centrality")
    assert rules.weight_round_to == 1000 and rules.alternatives == ("centrality", "weight")


def test_a_round_to_that_is_not_a_positive_number_is_refused(instrument):
    study = load_study()
    bad = replace(study, disclosure={**study.disclosure, "alternatives": {"weights": {"round_to": 0}}})
    with pytest.raises(ValueError, match="round_to must be a positive number"):
        rules_for(instrument, bad)


def test_rounded_weights_change_little_and_never_vanish():
    w = pd.Series([4237.7, 4045.5, 9963.5, 120.0, None])
    r = round_weights(w, 1000)
    assert r["weights"].tolist()[:4] == [4000.0, 4000.0, 10000.0, 1000.0] and np.isnan(r["weights"].iloc[4])
    assert r["distinct_before"] == 4 and r["distinct_after"] == 3
    assert r["max_change_pct"] == pytest.approx(100 * 880 / 120)  # the small weight went up to one multiple
    assert r["sum_after"] == 19000.0


@pytest.fixture(scope="module")
def weighted_frame(export_frame, export_weighted):
    """The 300 demo answers with geography and the study's post-stratified weight, as export protects them."""
    return export_frame.assign(weight=export_weighted.weights.to_numpy())


def test_an_alternative_the_study_does_not_declare_is_refused(weighted_frame, instrument):
    with pytest.raises(ValueError, match="no such disclosure alternative: q4"):
        protect(weighted_frame, instrument, k=5, seed=1, alternatives=["q4"])


def test_the_centrality_band_publishes_three_classes_and_no_finer_geography(weighted_frame, instrument):
    out, report = protect(weighted_frame, instrument, k=5, seed=1, alternatives=["centrality"])
    assert report.holds and report.geography == "centrality"
    assert set(out["centrality"].dropna().astype(int)) <= {1, 3, 5}
    assert not {"municipality", "county", "county_name"} & set(out.columns)
    band = report.steps[0]
    assert band.band and band.variable == GEOGRAPHY and band.status == "applied"
    # the chain's own geography steps are not taken: the band is coarser already
    assert [s.status for s in report.steps[1:3]] == ["not needed", "not needed"]
    assert report.recoded["centrality"].mapping == {1: 1, 2: 1, 3: 3, 4: 3, 5: 5, 6: 5}


def test_rounded_weights_are_published_rounded_and_said_so(weighted_frame, instrument):
    out, report = protect(weighted_frame, instrument, k=5, seed=1, alternatives=["weight"])
    assert (out["weight"] % 1000 == 0).all() and report.weight_rounding["round_to"] == 1000
    assert report.weight_rounding["distinct_after"] < report.weight_rounding["distinct_before"]
    action = next(a for a in report.actions if a.action == "rounded")
    assert "rounded to the nearest 1,000" in str(action.reason)
    assert "avrundet til nærmeste 1\u00a0000" in action.reason.text("nb")


def test_auto_keeps_the_combination_that_loses_fewest_bits(weighted_frame, instrument):
    out, report = protect_with_strategy(weighted_frame, instrument, strategy="auto", k=5, seed=1)
    choice = report.strategy
    assert [c.alternatives for c in choice.candidates] == [(), ("centrality",), ("weight",), ("centrality", "weight")]
    assert all(c.holds for c in choice.candidates)
    cheapest = min(c.bits for c in choice.candidates)
    assert choice.chosen_candidate.bits == cheapest == pytest.approx(report.entropy_loss_total, abs=1e-6)
    assert report.alternatives == choice.chosen
    # each candidate is what protect gives with those alternatives
    for c in choice.candidates:
        _, alone = protect(weighted_frame, instrument, k=5, seed=1, alternatives=c.alternatives)
        assert alone.entropy_loss_total == pytest.approx(c.bits, abs=1e-6)
        assert int(sum(alone.suppressed.values())) == c.suppressed


def test_suppress_is_the_plain_protection_and_coarsen_applies_every_alternative(weighted_frame, instrument):
    out, report = protect_with_strategy(weighted_frame, instrument, strategy="suppress", k=5, seed=1)
    plain_out, plain = protect(weighted_frame, instrument, k=5, seed=1)
    pd.testing.assert_frame_equal(out, plain_out)
    assert report.strategy.chosen == () and report.suppressed == plain.suppressed
    out, report = protect_with_strategy(weighted_frame, instrument, strategy="coarsen", k=5, seed=1)
    assert report.strategy.chosen == ("centrality", "weight") and (out["weight"] % 1000 == 0).all()


def test_without_geography_the_band_is_not_offered(weighted_frame, instrument):
    rules = rules_for(instrument, load_study())
    assert applicable(rules, weighted_frame) == ("centrality", "weight")
    assert applicable(rules, weighted_frame.assign(centrality=pd.NA)) == ("weight",)


# -- where suppression fell ----------------------------------------------------------------------------


def test_suppression_concentrated_in_one_category_is_warned_of(instrument):
    # centrality class 6: 9 of 10 suppressed; the others 10 of 40: class 6 keeps 10 % against 75 %
    centrality = pd.Series([1] * 20 + [2] * 20 + [6] * 10)
    mask = np.zeros(50, dtype=bool)
    mask[:5] = mask[20:25] = True
    mask[40:49] = True
    result = suppression_by_category(pd.DataFrame({"centrality": centrality}), {GEOGRAPHY: mask}, {},
                                     {"centrality": "centrality"}, instrument, k=5)[GEOGRAPHY]
    assert (result["n"], result["suppressed"]) == (50, 19)
    assert [(c["code"], c["n"], c["suppressed"]) for c in result["categories"]] == [(1, 20, 5), (2, 20, 5),
                                                                                      (6, 10, 9)]
    [warning] = result["warnings"]
    assert warning.key == "concentrated" and warning.params["suppressed"] == 9 and warning.params["n"] == 10
    assert "Sentralitet 6 (minst sentral)" in warning.text("nb") and "9 av 10 poster" in warning.text("nb")
    assert "9 av 10 postar" in warning.text("nn") and "9 of 10 records" in warning.text("en")


def test_even_suppression_gives_no_warning_and_small_categories_give_no_counts(instrument):
    centrality = pd.Series([1] * 20 + [2] * 20 + [6] * 3)
    mask = np.zeros(43, dtype=bool)
    mask[:10] = mask[20:30] = True
    mask[40] = True
    result = suppression_by_category(pd.DataFrame({"centrality": centrality}), {GEOGRAPHY: mask}, {},
                                     {"centrality": "centrality"}, instrument, k=5)[GEOGRAPHY]
    assert result["warnings"] == []
    assert result["categories"][2] == {"code": 6, "label": result["categories"][2]["label"], "n": None,
                                       "suppressed": None, "share": None}


def test_a_variable_suppressed_everywhere_is_warned_of(instrument):
    q4 = pd.Series([1, 2, 3, 4] * 5)
    result = suppression_by_category(pd.DataFrame({"q4": q4}), {"q4": np.ones(20, dtype=bool)}, {"q4": "q4"}, {},
                                     instrument, k=5)["q4"]
    assert [w.key for w in result["warnings"]] == ["all_suppressed"]
    assert "alle de 20 postene" in result["warnings"][0].text("nb")


def test_the_statement_section_is_in_the_language_asked(weighted_frame, instrument):
    _, report = protect_with_strategy(weighted_frame, instrument, strategy="auto", k=5, seed=1)
    nb = "\n".join(strategy_markdown(report, "nb"))
    nn = "\n".join(strategy_markdown(report, "nn"))
    en = "\n".join(strategy_markdown(report, "en"))
    assert "## Valg av metode" in nb and "| ingen (bare undertrykking) | ja |" in nb
    assert "## Val av metode" in nn and "ingen (berre undertrykking)" in nn
    assert "## Choice of method" in en and "none (suppression only)" in en
    assert "de Waal & Willenborg 1998" in nb and "Hundepool" in nb
    chosen = report.strategy.chosen_candidate
    assert f"| {round(chosen.bits):,} |".replace(",", "\u00a0") in nb


def test_msg_renders_numbers_as_the_language_writes_them():
    m = Msg("strategy_saving", suppress_bits=4871, bits=4646, saved=225)
    assert m.text("nb") == "Uten alternativer ville 4\u00a0871 bit gått tapt; valget taper 4\u00a0646 bit (225 færre)."
    assert str(m) == "Without alternatives 4,871 bits would have been lost; the choice loses 4,646 bits (225 fewer)."


# -- another study's own alternatives ----------------------------------------------------------------


def test_a_study_declares_its_own_bands_and_rounding(tmp_path):
    """The Hardanger fixture study: education in two levels and weights rounded to tens — read from its
    study file, not from general code."""
    from pathlib import Path

    from fjernarbeid.export.microdata import prepare_microdata
    from fjernarbeid.study.synthetic import synthesise

    folder = Path(__file__).resolve().parents[1] / "fixtures" / "studies" / "hardanger_remote"
    study = load_study(folder)
    rules = rules_for(study.instrument, study)
    assert rules.alternatives == ("utdanning", "weight") and rules.weight_round_to == 10
    path = tmp_path / "svar.csv"
    synthesise(study, n=300, seed=3).to_csv(path, index=False)
    export = prepare_microdata(path, study=study, instrument=study.instrument, k=5, seed=1, strategy="coarsen",
                               lang="nn")
    report = export.disclosure
    assert report.strategy.chosen == ("utdanning", "weight")
    assert set(export.data["utdanning"].dropna().astype(int)) <= {1, 3, 9}
    assert (export.data["weight"] % 10 == 0).all()
    assert export.value_labels["utdanning"][3] == "Universitet/høgskule"
    auto = prepare_microdata(path, study=study, instrument=study.instrument, k=5, seed=1, strategy="auto")
    bits = {c.alternatives: c.bits for c in auto.disclosure.strategy.candidates}
    assert len(bits) == 4 and auto.disclosure.strategy.chosen_candidate.bits == min(bits.values())


def test_the_top_code_is_labelled_as_such_where_suppression_fell(weighted_frame, instrument):
    _, report = protect(weighted_frame, instrument, k=5, seed=1)
    household = report.suppression_by_category["q3"]
    top = next(c for c in household["categories"] if c["code"] == 6)
    assert top["label"]["nb"] == "6 eller flere" and top["label"]["en"] == "6 or more"
    assert max(c["code"] for c in household["categories"]) == 6  # counted after top-coding


def test_shares_suppressed_are_written_with_one_decimal_throughout(weighted_frame, instrument):
    """The 'share suppressed' column and the warnings read '72,0 %' and '100,0 %' beside '62,5 %', never
    a column mixing '72 %' with '62,5 %'."""
    import re

    _, report = protect_with_strategy(weighted_frame, instrument, strategy="auto", k=5, seed=1)
    text = "\n".join(strategy_markdown(report, "nb"))
    shares = re.findall(r"\| ([\d\u00a0,]+) % \|$", text, flags=re.M)
    assert shares and all(re.fullmatch(r"[\d\u00a0]+,\d", s) for s in shares), shares
    warned = re.findall(r"\(([\d\u00a0,]+) %\) mot ([\d\u00a0,]+) %", text)
    assert all(re.fullmatch(r"[\d\u00a0]+,\d", s) for pair in warned for s in pair), warned

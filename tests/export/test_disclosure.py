"""Disclosure control: direct identifiers, global recoding, local suppression, the weight as a key, --keep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dataclasses import replace

from fjernarbeid.study import load_study
from fjernarbeid.export.disclosure import (
    GEOGRAPHY, GLOBAL_RECODES, TOP_CODES, _Dimension, k_anonymity, keepable, local_suppression, protect,
)

KEYS_OF_THE_STUDY = ["q207", "age_group", "q4"]  # as three_keys() declares them


def three_keys():
    """The 2025 study with sex, age group and education as its only key variables (household size,
    sector and staff responsibility not declared): the tests of the mechanics below use it."""
    study = load_study()
    disclosure = {**study.disclosure, "recodes": [r for r in study.disclosure["recodes"] if r["variable"] != "q3"],
                  "suppression_order": ["geography", "q4", "age_group"]}
    roles = {k: v for k, v in study.instrument.roles.items() if k != "household_size"}
    return replace(study, quasi_identifiers=(), disclosure=disclosure,
                   instrument=replace(study.instrument, roles=roles))


def protect_three_keys(*args, **kw):
    return protect(*args, study=three_keys(), **kw)


def group_sizes(frame: pd.DataFrame, keys) -> pd.Series:
    """Records per combination of ``keys``, a missing value a category of its own (plain pandas,
    independent of the module's own counting)."""
    return frame.groupby(list(keys), dropna=False).size()


def test_k_anonymity_finds_the_smallest_group_and_counts_records_in_small_groups():
    frame = pd.DataFrame({
        "sex": [1] * 5 + [1] * 3 + [2] + [2, 2],
        "area": ["a"] * 5 + ["b"] * 3 + ["a"] + [None, None],  # a missing value is a value of its own
    })
    result = k_anonymity(frame, ["sex", "area"], k=3)
    assert (result.groups, result.smallest) == (4, 1)
    assert (result.groups_below_k, result.records_below_k) == (2, 3)
    assert not result.holds
    assert k_anonymity(frame, ["sex", "area"], k=1).holds
    assert k_anonymity(frame, ["sex"], k=5).smallest == 3


def people(n_by_municipality: dict[str, int], centrality: dict[str, int], **columns) -> pd.DataFrame:
    """Respondents alike in sex, age group and education, living in the given municipalities (a
    municipality None: a postal code the register does not know). Every weight differs, as design
    weights do, so the weight tells nothing about the keys."""
    municipality = np.repeat(list(n_by_municipality), list(n_by_municipality.values()))
    n = municipality.size
    counties = {"03": "Oslo", "46": "Vestland", "11": "Rogaland"}
    frame = pd.DataFrame({
        "id": [f"R{1000 + i}" for i in range(n)],
        "q201": "5600", "q202": 1980, "q3": (np.arange(n) % 9) + 1, "q4": 3, "q5": 3, "q5_text": "Odda",
        "q207": 1, "age": 45, "age_group": 5,
        "municipality": pd.array([m or None for m in municipality], dtype="str"),
        "county": pd.array([m[:2] if m else None for m in municipality], dtype="str"),
        "county_name": pd.array([counties[m[:2]] if m else None for m in municipality], dtype="str"),
        "centrality": pd.array([centrality[m] if m else None for m in municipality], dtype="Int64"),
        "weight": 1.0 + np.arange(n) / n,
    })
    frame = frame.assign(**columns)
    return frame.assign(higher_education=frame["q4"].isin([3, 4]).astype("Int64"))


def statuses(report) -> list[tuple[str, str]]:
    return [(s.variable, s.status) for s in report.steps]


# -- the recoding table ----------------------------------------------------------------------------


@pytest.mark.parametrize("recode", [r for r in GLOBAL_RECODES if r.merges], ids=lambda r: r.variable)
def test_each_recode_merges_every_code_of_its_variable_exactly_once(recode, instrument):
    top = TOP_CODES.get(recode.variable)  # a number (household size): its values up to the top code
    codes = list(range(1, top + 1)) if top else sorted(instrument.value_labels()[recode.variable])
    assert sorted(c for m in recode.merges for c in m.codes) == codes
    labels = recode.value_labels(instrument.value_labels("en").get(recode.variable, {}), "en")
    assert sorted(labels) == sorted(set(recode.mapping.values()))


def test_recoded_codes_keep_the_meaning_of_the_questionnaires_conditions(instrument):
    """The lowest code of a group stands for it, so `higher_education = q4 in (3, 4)` and age limits
    at band edges read the same on recoded data."""
    education = next(r for r in GLOBAL_RECODES if r.variable == "q4").mapping
    higher = instrument.derived_variable("higher_education").expr
    for code, new in education.items():
        before = higher.evaluate(pd.DataFrame({"q4": pd.array([code], dtype="Int64")}))[0]
        after = higher.evaluate(pd.DataFrame({"q4": pd.array([new], dtype="Int64")}))[0]
        assert before == after, code
    age = next(r for r in GLOBAL_RECODES if r.variable == "age_group")
    assert age.value_labels(instrument.value_labels("en")["age_group"], "en") == {
        1: "25-34 years", 3: "35-44 years", 5: "45-54 years", 7: "55-60 years"}
    assert all((old >= 5) == (new >= 5) for old, new in age.mapping.items())


# -- global recoding --------------------------------------------------------------------------------


def test_small_municipalities_are_blanked_and_nothing_more_is_done_when_k_holds(instrument):
    # 1103 and 1106 are small (3 and 2 respondents) but share centrality class 2: blanked, they make a
    # group of 5, so k = 5 holds at the municipality level
    frame = people({"0301": 20, "4601": 20, "1103": 3, "1106": 2}, {"0301": 1, "4601": 2, "1103": 2, "1106": 2})
    out, report = protect_three_keys(frame, instrument, k=5, seed=1)
    assert report.holds and report.geography == "municipality" and report.start.holds
    assert {status for _, status in statuses(report)} == {"not needed"}
    assert out["municipality"].isna().sum() == 5 and set(out["municipality"].dropna()) == {"0301", "4601"}
    assert out["county"].isna().sum() == 5  # the county goes with the municipality it would reveal
    assert out["county_name"].isna().sum() == 5 and out["centrality"].notna().all()
    assert report.result.smallest == report.k_achieved == 5
    assert sum(report.suppressed.values()) == 0
    assert report.information_loss[GEOGRAPHY] == {"recoded": 5, "suppressed": 0}
    assert {a.variable: a for a in report.actions}["municipality"].action == "blanked"


def test_geography_is_coarsened_until_k_holds(instrument):
    # 1103 alone is small and alone in its county: the county level does not help, the centrality level does
    frame = people({"0301": 20, "4601": 20, "1103": 3}, {"0301": 1, "4601": 2, "1103": 2})
    out, report = protect_three_keys(frame, instrument, k=5, seed=1)
    assert statuses(report) == [(GEOGRAPHY, "applied"), (GEOGRAPHY, "applied"), ("age_group", "not needed"),
                                ("q4", "not needed")]
    assert [s.result.records_below_k for s in report.steps[:2]] == [3, 0]
    assert report.geography == "centrality" and report.holds
    for gone in ("municipality", "county", "county_name"):
        assert gone not in out.columns
    assert out["centrality"].value_counts().to_dict() == {2: 23, 1: 20}
    assert report.conclusion.startswith("k-anonymity holds for k = 5")
    assert report.information_loss_share == pytest.approx(43 / (43 * 4))  # every geography is coarser


def test_recoding_alone_can_reach_k_without_suppression(instrument):
    ages = np.r_[np.full(27, 5), np.full(3, 6)]  # three respondents aged 50-54 among 45-49-year-olds
    education = np.r_[np.full(26, 2), np.full(4, 5)]  # four with "other" education among upper secondary
    frame = people({"0301": 30}, {"0301": 1}, age_group=ages, q4=education)
    out, report = protect_three_keys(frame, instrument, k=5, seed=1)
    # age and education together make k hold (either alone does not); the geography steps, tried
    # first, protected nobody and are undone
    assert statuses(report) == [(GEOGRAPHY, "undone"), (GEOGRAPHY, "undone"), ("age_group", "applied"),
                                ("q4", "applied")]
    assert report.geography == "municipality" and "municipality" in out.columns
    assert report.holds and sum(report.suppressed.values()) == 0
    assert set(out["age_group"]) == {5} and set(out["q4"]) == {1}
    assert set(report.recoded) == {"age_group", "q4"}
    assert report.information_loss["age_group"] == {"recoded": 30, "suppressed": 0}
    assert report.information_loss["q4"] == {"recoded": 30, "suppressed": 0}
    assert out["higher_education"].eq(0).all()  # derived from q4, and still right on the recoded codes


# -- local suppression ------------------------------------------------------------------------------


def test_local_suppression_of_a_known_single_value(instrument):
    # one respondent with a bachelor's degree in Oslo among 20 with a master's; four more with a
    # bachelor's whose postal code the register does not know. Suppressing that one person's
    # geography joins them: one value; suppressing education would need five.
    frame = people({"0301": 21, "4601": 20, None: 4}, {"0301": 1, "4601": 2})
    frame["q4"] = np.r_[3, np.full(40, 4), np.full(4, 3)]
    out, report = protect_three_keys(frame, instrument, k=5, seed=1)
    assert [status for _, status in statuses(report)] == ["undone"] * 4  # no recode helps
    assert report.holds and report.suppressed == {GEOGRAPHY: 1, "q4": 0, "age_group": 0, "q207": 0}
    assert report.suppressed_with[GEOGRAPHY] == ("municipality", "county", "county_name", "centrality")
    bachelors = out[out["q4"] == 3]
    assert len(bachelors) == 5 and bachelors[["municipality", "centrality"]].isna().all().all()
    assert out["municipality"].notna().sum() == 40
    assert group_sizes(out, [*KEYS_OF_THE_STUDY, "municipality", "county", "county_name", "centrality"]).min() == 5
    assert report.information_loss[GEOGRAPHY] == {"recoded": 0, "suppressed": 1}


def test_local_suppression_takes_donors_from_groups_that_can_spare_them():
    # five alike and one different in the first variable, k = 3: the odd one's value is suppressed
    # and two of the five give theirs up, so that three records share the missing value
    codes = np.array([[0, 0]] * 5 + [[1, 0]])
    dims = [_Dimension("x", (0,), True), _Dimension("sex", (1,), True, last_resort=True)]
    suppressed = local_suppression(codes, dims, k=3)
    assert suppressed[:, 1].sum() == 0 and suppressed[5, 0]
    assert suppressed[:, 0].sum() == 3


def test_sex_is_suppressed_only_when_nothing_else_reaches_k():
    codes = np.array([[0, 0]] * 3 + [[0, 1]])  # x alike; one of the other sex
    dims = [_Dimension("x", (0,), True), _Dimension("sex", (1,), True, last_resort=True)]
    suppressed = local_suppression(codes, dims, k=2)
    assert suppressed.sum(axis=0).tolist() == [0, 2]  # the odd one's sex and one donor's
    assert local_suppression(codes, [dims[0], _Dimension("sex", (1,), False)], k=2).sum() == 0  # no way: left


@settings(max_examples=60, deadline=None)
@given(st.integers(0, 2**32 - 1), st.integers(2, 5), st.integers(8, 60))
def test_local_suppression_reaches_k_for_every_record_that_can_be_protected(seed, k, n):
    rng = np.random.default_rng(seed)
    codes = np.column_stack([rng.integers(-1, 3, n), rng.integers(0, 4, n), rng.integers(0, 2, n),
                             rng.integers(0, 2, n)])  # geography-like (with missing), two more, a fixed one
    dims = [_Dimension("a", (0,), True), _Dimension("b", (1,), True), _Dimension("sex", (2,), True, True),
            _Dimension("weight", (3,), False)]
    suppressed = local_suppression(codes, dims, k)
    assert not suppressed[:, 3].any()
    after = codes.copy()
    after[:, :3][suppressed[:, :3]] = -1
    rows = pd.Series([tuple(r) for r in after])
    sizes = rows.map(rows.value_counts())
    fixed = pd.Series(codes[:, 3]).map(pd.Series(codes[:, 3]).value_counts())
    # every record is in a group of at least k, unless its value of the fixed variable is rarer than k
    assert ((sizes >= k) | (fixed < k)).all()
    assert not suppressed[(fixed < k).to_numpy()].any()  # nothing is suppressed in vain


def test_the_weight_is_a_key_when_it_reveals_the_key_values(instrument):
    # post-stratification gives every record of a sex × age group cell the same weight: coarsening
    # the age group then hides nothing, so it is not applied and suppression does the work
    ages = np.r_[np.full(27, 5), np.full(3, 6)]
    by_cell = people({"0301": 30}, {"0301": 1}, age_group=ages, weight=np.where(ages == 5, 1.2, 0.7))
    out, report = protect_three_keys(by_cell, instrument, k=5, seed=1)
    assert report.weight_is_key and "weight" in report.keys
    assert ("age_group", "undone") in statuses(report) and "age_group" not in report.recoded
    assert "the weight still reveals" in next(s.reason for s in report.steps if s.variable == "age_group")
    assert not report.holds  # three records carry the 50-54 weight: nothing but the weight can tell them
    assert report.blocking.keys == ("weight",) and report.blocking.records_below_k == 3
    assert "WEIGHT CAN BE NEITHER RECODED NOR SUPPRESSED" in report.conclusion
    _, design_weighted = protect_three_keys(by_cell.assign(weight=1.0 + np.arange(30) / 30), instrument, k=5, seed=1)
    assert not design_weighted.weight_is_key and design_weighted.holds and "age_group" in design_weighted.recoded


# -- the study's demo -------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def protected_demo(demo_frame, instrument):
    from fjernarbeid.survey.weighting import weight_study

    weighted = demo_frame.assign(weight=weight_study(demo_frame, instrument).weights.to_numpy())
    out, report = protect_three_keys(weighted, instrument, k=5, seed=4)
    return weighted, out, report


def test_the_demo_reaches_k_5_by_recoding_and_suppression(protected_demo):
    before, out, report = protected_demo
    assert len(out) == len(before) == 500
    assert report.holds and report.weight_is_key
    assert group_sizes(out, report.keys).min() >= 5  # counted again, by pandas
    assert not report.start.holds and not report.after_recoding.holds  # recoding alone was not enough
    assert sum(report.suppressed.values()) > 0
    # every suppressed value is a missing value the input did not have, and nothing else went missing
    assert out["q4"].isna().sum() - before["q4"].isna().sum() == report.suppressed["q4"]
    # the centrality class is published at every level and never blanked: only suppression empties it
    assert out["centrality"].isna().sum() - before["centrality"].isna().sum() == report.suppressed[GEOGRAPHY]
    assert out["higher_education"].isna().sum() == out["q4"].isna().sum()
    assert out["q207"].notna().all() and out["age_group"].notna().all()
    loss = report.information_loss
    assert report.information_loss_share == pytest.approx(
        sum(v["recoded"] + v["suppressed"] for v in loss.values()) / (500 * 4))
    assert report.to_dict()["local_suppression"]["q4"]["values"] == report.suppressed["q4"]


def test_protection_is_deterministic_whatever_the_record_order(protected_demo, instrument):
    before, out, report = protected_demo
    again, report_again = protect_three_keys(before.iloc[::-1], instrument, k=5, seed=99)
    assert report_again.suppressed == report.suppressed
    columns = [c for c in out.columns if c != "id"]
    pd.testing.assert_frame_equal(out[columns].sort_values(columns, ignore_index=True),
                                  again[columns].sort_values(columns, ignore_index=True))


def test_weighted_estimates_of_a_variable_that_is_not_a_key_are_unchanged(protected_demo):
    from fjernarbeid.survey import svydesign
    from fjernarbeid.survey.estimate import svyprop

    before, out, _ = protected_demo
    original = svyprop(svydesign(before, weights="weight"), "q12")
    protected = svyprop(svydesign(out, weights="weight"), "q12")
    np.testing.assert_allclose(protected.estimate, original.estimate, rtol=1e-12)
    np.testing.assert_allclose(protected.se, original.se, rtol=1e-12)


# -- identifiers, top codes, --keep ------------------------------------------------------------------


def test_direct_identifiers_and_quasi_identifiers_are_removed_or_coarsened(instrument):
    frame = people({"0301": 30}, {"0301": 1}, phone="99887766")
    out, report = protect_three_keys(frame, instrument, k=5, seed=7)
    for gone in ("q5_text", "phone", "q202", "age", "q201"):
        assert gone not in out.columns, gone
    assert sorted(out["id"]) == list(range(1, 31)) and out["id"].tolist() == list(range(1, 31))
    assert not set(frame["id"]) & set(out["id"].astype(str))
    assert out["q3"].max() == 6 and (out["q3"] == 6).sum() == (frame["q3"] >= 6).sum()
    # the records are the same, in another order
    pd.testing.assert_series_equal(out["weight"].sort_values(ignore_index=True),
                                   frame["weight"].sort_values(ignore_index=True))
    assert not np.array_equal(out["weight"].to_numpy(), frame["weight"].to_numpy())
    assert list(out.columns)[0] == "id" and list(out.columns)[-1] == "weight"
    assert {a.variable: a.action for a in report.actions}["q3"] == "top-coded"


def test_top_coding_leaves_missing_values_missing(instrument):
    frame = people({"0301": 10}, {"0301": 1})
    frame["q3"] = pd.array([1, 7, None, 12, 6, 2, 3, None, 4, 5], dtype="Int64")
    out, _ = protect_three_keys(frame, instrument, k=5, seed=1)
    assert out["q3"].isna().sum() == 2
    assert sorted(out["q3"].dropna().tolist()) == [1, 2, 3, 4, 5, 6, 6, 6]


def test_keep_overrides_a_rule_and_the_report_says_so_in_capitals(instrument):
    frame = people({"0301": 20, "1103": 3}, {"0301": 1, "1103": 2})
    out, report = protect_three_keys(frame, instrument, k=5, keep=["q202", "municipality", "q3"], seed=1)
    assert "q202" in out.columns and "q202" in report.keys  # a kept birth year is a key variable
    assert set(out["municipality"]) == {"0301", "1103"}  # not blanked, not coarsened, not suppressed
    assert out["q3"].max() == 9
    overrides = report.to_dict()["overrides"]
    assert "Q202 KEPT AS IN THE DATA (--keep q202): THE RULE FOR IT WAS NOT APPLIED" in overrides
    assert len(overrides) == 3 and all(o.split(" (")[0] == o.split(" (")[0].upper() for o in overrides)
    assert statuses(report)[:2] == [(GEOGRAPHY, "kept"), (GEOGRAPHY, "kept")]
    assert "MUNICIPALITY IS KEPT BY --keep" in report.steps[0].reason
    assert not report.holds and set(report.kept_keys) == {"q202", "municipality"}
    assert "KEPT BY --keep" in report.conclusion


def test_a_kept_key_variable_is_neither_recoded_nor_suppressed(instrument):
    frame = people({"0301": 20, "4601": 20}, {"0301": 1, "4601": 2})
    frame.loc[0, "q4"] = 1  # the only one with compulsory school
    out, report = protect_three_keys(frame, instrument, k=5, keep=["q4"], seed=1)
    assert ("q4", "kept") in statuses(report) and "q4" not in report.recoded
    assert report.suppressed.get("q4", 0) == 0 and (out["q4"] == 1).sum() == 1
    assert not report.holds and report.kept_keys == ("q4",)
    assert report.conclusion.startswith("k-ANONYMITY IS NOT REACHED for k = 5")
    assert "Q4 CAN BE NEITHER RECODED NOR SUPPRESSED (KEPT BY --keep)" in report.conclusion
    # without --keep the same person is protected: the education of five is suppressed
    # (the odd one's and four donors'), as suppressing geography would not hide it
    out, report = protect_three_keys(frame, instrument, k=5, seed=1)
    assert report.holds and report.suppressed["q4"] == 5 and report.suppressed[GEOGRAPHY] == 0
    assert out["q4"].isna().sum() == 5 and out["higher_education"].isna().sum() == 5


def test_keep_of_a_variable_no_rule_applies_to_is_refused(instrument):
    frame = people({"0301": 20}, {"0301": 1})
    with pytest.raises(ValueError, match="--keep q12: no disclosure rule applies"):
        protect_three_keys(frame.assign(q12=1), instrument, keep=["q12"])
    assert {"q202", "q4", "age_group", "q207", "centrality"} <= set(keepable(instrument, frame))
    assert "q12" not in keepable(instrument, frame)


def test_without_the_register_the_postal_code_is_dropped_and_no_geography_published(instrument):
    frame = people({"0301": 20}, {"0301": 1}).drop(columns=["municipality", "county", "county_name", "centrality"])
    out, report = protect_three_keys(frame, instrument, k=5, seed=1)
    assert "q201" not in out.columns and report.geography is None
    assert any("postal-code register" in note for note in report.notes)
    assert report.holds  # 20 identical respondents on sex, age group and education
    assert GEOGRAPHY not in report.information_loss and [s.variable for s in report.steps] == ["age_group", "q4"]


def test_household_size_sector_and_staff_responsibility_are_keys_of_the_2025_study(demo_frame, instrument):
    """Declared in the study file (roles and quasi_identifiers), none of them is published unchanged
    while k-anonymity is claimed: every key combination holds at least k records."""
    from fjernarbeid.survey import weight_study

    weighted = demo_frame.assign(weight=weight_study(demo_frame, instrument).weights.to_numpy())
    out, report = protect(weighted, instrument, k=5, seed=4)
    assert {"q3", "q1", "q11"} <= set(report.keys)
    assert report.holds and group_sizes(out, report.keys).min() >= 5
    assert out["q3"].dropna().max() <= 6  # top-coded, and recoded or suppressed where needed


def test_an_undeclared_study_counts_every_key_role_and_may_suppress_it(instrument):
    """Without a study file's rules every declared key role is a key variable, suppressible."""
    from fjernarbeid.export.disclosure import rules_for
    from fjernarbeid.study import study_for_instrument

    bare = replace(instrument, id="another-study")
    rules = rules_for(bare, study_for_instrument(bare))
    assert rules.key_variables == ("role:sex", "age_group", "q4", "q3")
    assert rules.top_codes == {"q3": 6} and set(rules.suppression_order) >= {"geography", "q3", "q4", "age_group"}


def test_an_age_asked_as_a_question_is_a_key_variable():
    """An age in years asked directly (the role `age`, as a pupils' survey asks it) tells an outsider as
    much as a birth year: it is a key variable, and the one 21-year-old girl is not published as such."""
    from fjernarbeid.export.disclosure import rules_for
    from fjernarbeid.instrument import instrument_from_dict
    from fjernarbeid.study import study_for_instrument

    inst = instrument_from_dict({"id": "elevar", "roles": {"sex": "kjonn", "age": "alder"}, "questions": [
        {"name": "kjonn", "type": "single", "codes": [{"code": 1, "nb": "Jente"}, {"code": 2, "nb": "Gutt"}]},
        {"name": "alder", "type": "integer"}]})
    study = study_for_instrument(inst)
    assert "alder" in rules_for(inst, study).key_variables
    frame = pd.DataFrame({"id": range(1, 42), "kjonn": [1, 2] * 20 + [1], "alder": [16] * 20 + [17] * 20 + [21],
                          "weight": 1.0})
    out, report = protect(frame, inst, k=5, seed=1, study=study)
    assert "alder" in report.keys and report.holds
    assert group_sizes(out, ["kjonn", "alder"]).min() >= 5
    # the weight is a key here too; the statement does not say it reveals an age group the study lacks
    from fjernarbeid.export.disclosure import text_of

    notes = " ".join(text_of(n, lang) for n in report.notes for lang in ("en", "nb", "nn"))
    assert report.weight_is_key and "age group" not in notes and "aldersgruppe" not in notes


def test_an_exact_date_is_not_published():
    """A date question (a moving day, a birthday) can identify a person: dropped like free text."""
    from fjernarbeid.instrument import instrument_from_dict
    from fjernarbeid.study import study_for_instrument

    inst = instrument_from_dict({"id": "elevar", "roles": {"sex": "kjonn"}, "questions": [
        {"name": "kjonn", "type": "single", "codes": [{"code": 1, "nb": "Jente"}, {"code": 2, "nb": "Gutt"}]},
        {"name": "flyttedato", "type": "date"}]})
    frame = pd.DataFrame({"id": range(1, 11), "kjonn": [1, 2] * 5, "flyttedato": ["2026-08-15"] * 10, "weight": 1.0})
    out, report = protect(frame, inst, k=5, seed=1, study=study_for_instrument(inst))
    assert "flyttedato" not in out.columns
    assert [a.action for a in report.actions if a.variable == "flyttedato"] == ["dropped"]

"""Disclosure control: direct identifiers, coarsening, the k-anonymity ladder and --keep."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.export.disclosure import k_anonymity, keepable, protect


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
    """Respondents alike in sex, age group and education, living in the given municipalities."""
    municipality = np.repeat(list(n_by_municipality), list(n_by_municipality.values()))
    n = municipality.size
    frame = pd.DataFrame({
        "id": [f"R{1000 + i}" for i in range(n)],
        "q201": "5600", "q202": 1980, "q3": (np.arange(n) % 9) + 1, "q4": 3, "q5": 3, "q5_text": "Odda",
        "q207": 1, "age": 45, "age_group": 5,
        "municipality": municipality,
        "county": [m[:2] for m in municipality],
        "county_name": [{"03": "Oslo", "46": "Vestland", "11": "Rogaland"}[m[:2]] for m in municipality],
        "centrality": [centrality[m] for m in municipality],
        "weight": 1.0 + np.arange(n) / n,
    })
    return frame.assign(**columns)


def test_small_municipalities_are_blanked_and_the_ladder_stops_when_k_holds(instrument):
    # 1103 and 1106 are small (3 and 2 respondents) but share centrality class 2: blanked, they make a
    # group of 5, so k = 5 holds at the municipality level
    frame = people({"0301": 20, "4601": 20, "1103": 3, "1106": 2}, {"0301": 1, "4601": 2, "1103": 2, "1106": 2})
    out, report = protect(frame, instrument, k=5, seed=1)
    assert report.holds and report.geography == "municipality" and len(report.steps) == 1
    assert out["municipality"].isna().sum() == 5 and set(out["municipality"].dropna()) == {"0301", "4601"}
    assert out["county"].isna().sum() == 5  # the county goes with the municipality it would reveal
    assert out["county_name"].isna().sum() == 5 and out["centrality"].notna().all()
    assert report.result.smallest == 5
    actions = {a.variable: a for a in report.actions}
    assert actions["municipality"].action == "blanked"


def test_the_ladder_coarsens_geography_until_k_holds(instrument):
    # 1103 alone is small and alone in its centrality class: only the centrality level makes k = 5 hold
    frame = people({"0301": 20, "4601": 20, "1103": 3}, {"0301": 1, "4601": 2, "1103": 2})
    out, report = protect(frame, instrument, k=5, seed=1)
    assert [level for level, _ in report.steps] == ["municipality", "county", "centrality"]
    assert [s.holds for _, s in report.steps] == [False, False, True]
    assert report.geography == "centrality" and report.holds
    for gone in ("municipality", "county", "county_name"):
        assert gone not in out.columns
    assert out["centrality"].value_counts().to_dict() == {2: 23, 1: 20}
    assert report.conclusion.startswith("k-anonymity holds for k = 5")


def test_when_k_cannot_be_reached_it_says_so_plainly(instrument):
    frame = people({"0301": 20, "4601": 20}, {"0301": 1, "4601": 2})
    frame.loc[0, "q4"] = 1  # one person with another education: unique whatever the geography
    out, report = protect(frame, instrument, k=5, seed=1)
    assert not report.holds and report.geography == "centrality"
    assert report.result.smallest == 1 and report.result.records_below_k == 1
    assert report.conclusion.startswith("k-ANONYMITY DOES NOT HOLD for k = 5")
    assert report.without["q4"].holds  # without education it would hold: the guide to what to do
    assert report.to_dict()["holds"] is False


def test_direct_identifiers_and_quasi_identifiers_are_removed_or_coarsened(instrument):
    frame = people({"0301": 30}, {"0301": 1}, phone="99887766")
    out, report = protect(frame, instrument, k=5, seed=7)
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
    out, _ = protect(frame, instrument, k=5, seed=1)
    assert out["q3"].isna().sum() == 2
    assert sorted(out["q3"].dropna().tolist()) == [1, 2, 3, 4, 5, 6, 6, 6]


def test_keep_overrides_a_rule_and_the_report_says_so_in_capitals(instrument):
    frame = people({"0301": 20, "1103": 3}, {"0301": 1, "1103": 2})
    out, report = protect(frame, instrument, k=5, keep=["q202", "municipality", "q3"], seed=1)
    assert "q202" in out.columns and "q202" in report.keys  # a kept birth year is a key variable
    assert set(out["municipality"]) == {"0301", "1103"}  # not blanked, not coarsened
    assert out["q3"].max() == 9
    overrides = report.to_dict()["overrides"]
    assert "Q202 KEPT AS IN THE DATA (--keep q202): THE RULE FOR IT WAS NOT APPLIED" in overrides
    assert len(overrides) == 3 and all(o.split(" (")[0] == o.split(" (")[0].upper() for o in overrides)
    assert [level for level, _ in report.steps] == ["municipality"]
    assert any("MUNICIPALITY IS KEPT BY --keep" in note for note in report.notes)


def test_keep_of_a_variable_no_rule_applies_to_is_refused(instrument):
    frame = people({"0301": 20}, {"0301": 1})
    with pytest.raises(ValueError, match="--keep q12: no disclosure rule applies"):
        protect(frame.assign(q12=1), instrument, keep=["q12"])
    assert "q202" in keepable(instrument, frame) and "q12" not in keepable(instrument, frame)


def test_without_the_register_the_postal_code_is_dropped_and_no_geography_published(instrument):
    frame = people({"0301": 20}, {"0301": 1}).drop(columns=["municipality", "county", "county_name", "centrality"])
    out, report = protect(frame, instrument, k=5, seed=1)
    assert "q201" not in out.columns and report.geography is None
    assert any("postal-code register" in note for note in report.notes)
    assert report.holds  # 20 identical respondents on sex, age group and education

"""Disposition codes and counts: the report's fieldwork at n = 500, scaled for other n."""

from __future__ import annotations

import pytest

from fjernarbeid.studies.norce2025.demo.dispositions import BY_CODE, DISPOSITIONS, disposition_counts, scale_count
from fjernarbeid.fieldwork import aapor_category, outcome_rates


def test_at_500_interviews_the_screening_is_the_reports():
    counts = disposition_counts(500)
    assert counts["1.1"] == 500
    assert counts["4.71"] == 182  # screened out at S1
    assert counts["4.72"] == 392  # screened out at S2
    assert sum(k for code, k in counts.items() if BY_CODE[code].screened) == 1074


def test_codes_are_aapor_final_dispositions_in_the_right_families():
    families = {d.code: aapor_category(d.code) for d in DISPOSITIONS}
    assert families == {"1.1": "I", "3.211": "UO", "3.212": "UO", "3.91": "UO", "3.13": "UH", "3.14": "UH",
                        "4.31": "NE", "4.71": "NE", "4.72": "NE"}


def test_outcome_rates_are_those_the_module_documents():
    counts = disposition_counts(500)
    reached = sum(k for code, k in counts.items() if code in ("1.1", "4.71", "4.72", "3.211", "3.212", "3.91"))
    assert 1074 / reached == pytest.approx(0.45, abs=0.005)
    by_category = {}
    for code, k in counts.items():
        by_category[aapor_category(code)] = by_category.get(aapor_category(code), 0) + k
    assert outcome_rates(by_category).rates["RR3"] == pytest.approx(0.23, abs=0.005)


def test_codes_survive_a_round_trip_through_a_number():
    # a spreadsheet may read "4.71" as a number; no code may lose a trailing zero that way
    for d in DISPOSITIONS:
        assert str(float(d.code)) == d.code


def test_labels_are_plain_csv_fields():
    for d in DISPOSITIONS:
        assert not any(ch in d.label + d.label_nb for ch in ',"\n'), d.code


@pytest.mark.parametrize("n", [1000, 2500, 1_000_000])
def test_counts_scale_with_n(n):
    at_500, scaled = disposition_counts(500), disposition_counts(n)
    assert scaled["1.1"] == n
    for code, k in at_500.items():
        assert scaled[code] == k * n // 500  # exact multiples of 500 scale exactly


def test_other_n_round_half_up():
    counts = disposition_counts(250)
    assert counts["4.71"] == 91 and counts["4.72"] == 196
    assert counts["4.31"] == 48  # 95 / 2 = 47.5 → 48
    assert disposition_counts(1) == {d.code: (1 if d.code == "1.1" else scale_count(d.per_500, 1)) for d in DISPOSITIONS}
    assert disposition_counts(1)["4.71"] == 0 and disposition_counts(2)["4.71"] == 1  # 0.364 → 0, 0.728 → 1


def test_n_must_be_positive():
    with pytest.raises(ValueError, match="at least one interview"):
        disposition_counts(0)

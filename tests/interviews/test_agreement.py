"""Coder agreement against values computed by hand (and Krippendorff's own worked example)."""

from __future__ import annotations

import math

import pandas as pd
import pytest

from fjernarbeid.errors import DataValidationError
from fjernarbeid.interviews.agreement import agreement_by_code, cohen_kappa, krippendorff_alpha_nominal
from fjernarbeid.interviews.codebook import load_codebook

A = [1, 1, 0, 0, 1, 0, 1, 0, 0, 0]
B = [1, 0, 0, 0, 1, 0, 1, 1, 0, 0]


def test_cohen_kappa_by_hand():
    # Agree on 8 of 10 units: p_o = 0.8. Each coder says 1 four times: p_e = 0.4·0.4 + 0.6·0.6 = 0.52.
    # κ = (0.8 − 0.52) / (1 − 0.52) = 0.28 / 0.48 = 7/12.
    assert cohen_kappa(A, B) == pytest.approx(7 / 12, abs=1e-12)
    # Three categories: p_o = 4/6; p_e = (2/6·2/6) + (2/6·3/6) + (2/6·1/6) = 12/36 = 1/3; κ = (2/3 − 1/3)/(2/3) = 1/2.
    assert cohen_kappa(list("aabbcc"), list("abbbca")) == pytest.approx(0.5, abs=1e-12)
    assert math.isnan(cohen_kappa([0, 0, 0], [0, 0, 0]))


def test_krippendorff_alpha_by_hand():
    # Two coders, 10 units, no missing: n = 20 values, n₁ = 8 ones, n₀ = 12 zeros, 2 disagreements.
    # α = 1 − (n − 1)·d / (n₀·n₁) = 1 − 19·2 / 96 = 29/48.
    assert krippendorff_alpha_nominal([A, B]) == pytest.approx(29 / 48, abs=1e-12)
    assert math.isnan(krippendorff_alpha_nominal([[1, 1], [1, 1]]))


def test_krippendorff_alpha_published_example():
    # Krippendorff (2011), "Computing Krippendorff's Alpha-Reliability": 4 coders, 12 units, missing values;
    # nominal α = 0.743.
    data = [[1, 2, 3, 3, 2, 1, 4, 1, 2, None, None, None],
            [1, 2, 3, 3, 2, 2, 4, 1, 2, 5, None, 3],
            [None, 3, 3, 3, 2, 3, 4, 2, 2, 5, 1, None],
            [1, 2, 3, 3, 2, 4, 4, 1, 2, 5, 1, None]]
    assert krippendorff_alpha_nominal(data) == pytest.approx(0.743, abs=5e-4)


def test_agreement_by_code_over_turns(make_interview):
    book = load_codebook()
    # Two interviews of 10 turns each (5 informant turns); coders agree as A and B above on 'tillit' over the
    # interviews' 20 turns, and never use another code except one 'ny_jobb' by coder X only.
    ivs = [make_interview("I1", "Informant 1", ["x"] * 5), make_interview("I2", "Informant 2", ["x"] * 5)]
    units = [(iv, t) for iv in ("I1", "I2") for t in range(1, 11)]
    a = [1, 1, 0, 0, 1, 0, 1, 0, 0, 0] * 2
    b = [1, 0, 0, 0, 1, 0, 1, 1, 0, 0] * 2
    rows = [(iv, t, "tillit", "X") for (iv, t), v in zip(units, a) if v]
    rows += [(iv, t, "tillit", "Y") for (iv, t), v in zip(units, b) if v]
    rows += [("I1", 3, "ny_jobb", "X")]
    codings = pd.DataFrame(rows, columns=["interview", "turn", "code", "coder"])
    table = agreement_by_code(ivs, codings, book, "X", "Y")
    t = table.loc["tillit"]
    assert (t["units"], t["both"], t["only_a"], t["only_b"], t["neither"]) == (20, 6, 2, 2, 10)
    assert t["percent_agreement"] == pytest.approx(80.0)
    assert t["kappa"] == pytest.approx(cohen_kappa(a, b)) == pytest.approx(7 / 12)
    assert t["alpha"] == pytest.approx(krippendorff_alpha_nominal([a, b]))
    # α with n = 40 values: 1 − 39·4 / (24·16) = 1 − 156/384.
    assert t["alpha"] == pytest.approx(1 - 156 / 384)
    n = table.loc["ny_jobb"]
    assert (n["only_a"], n["kappa"]) == (1, pytest.approx(0.0))
    assert math.isnan(table.loc["hjemmekontor", "kappa"]) and math.isnan(table.loc["hjemmekontor", "alpha"])
    with pytest.raises(DataValidationError, match="coder 'Z' has no codings"):
        agreement_by_code(ivs, codings, book, "X", "Z")

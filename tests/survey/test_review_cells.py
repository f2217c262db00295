"""Review of the variance from cell sums (design._vcov_from_cells) and the estimators moved onto it:
cases where the new path does not give the numbers the dense path (and R) gives, or costs far more.

Each test fails on the reviewed main (d9fe8d7); see the docstrings for the values seen."""

from __future__ import annotations

import gc
import tracemalloc
import weakref
from unittest import mock

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.survey import (calibrate, poststratify, rake, svycor, svydesign, svymean, svymean_groups,
                                svyprop, svytotal)
from fjernarbeid.survey import association
from fjernarbeid.survey import design as design_module


def _frame(n: int = 2000, seed: int = 1) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    df = pd.DataFrame({"st": rng.integers(0, 5, n), "a": rng.integers(0, 3, n), "b": rng.integers(0, 4, n),
                       "x": 1e8 + rng.normal(size=n), "w": 2.0})
    df["const"] = 1e8
    return df


def _designs(df: pd.DataFrame) -> dict:
    cells = df.groupby(["a", "b"]).size().rename("Freq").reset_index()
    cells["Freq"] *= 9
    margins = {"a": (df.groupby("a").size() * 9).to_dict(), "b": (df.groupby("b").size() * 9).to_dict()}
    srs, strata = svydesign(df, "w"), svydesign(df, "w", strata="st")
    return {"srs": srs, "strata": strata, "poststratified": poststratify(srs, ["a", "b"], cells, column="Freq"),
            "raked": rake(strata, margins)}


@pytest.mark.parametrize("name", ["srs", "strata", "poststratified", "raked"])
def test_total_of_values_far_from_zero_has_the_dense_variance(name):
    """svytotal hands one column of one scale (w·x, not centred) to vcov_total; before, that went dense
    (centred PSU totals: exact); now the variance is Σz² − (Σz)²/n from sums of products, which cancels
    for values far from 0. Seen on main: SRS, x = 1e8 + N(0, 1), w = 2: SE 128.0 (R and the dense path:
    90.055); stratified 221.7 vs 90.08; a constant 1e8: SE 128 instead of 0; post-stratified/raked
    totals of 1e8 + x: −16 % / −34 % vs R."""
    d = _designs(_frame())[name]
    for column in ("x", "const"):
        got = svytotal(d, column).se
        dense = float(np.sqrt(d.vcov_total((d.weights * d.data[column].to_numpy())[:, None])[0, 0]))
        total = float(d.weights @ d.data[column].to_numpy())
        assert got == pytest.approx(dense, rel=1e-6, abs=1e-12 * total), (column, got, dense)


def test_correlation_on_cells_equals_the_rows_with_negative_weights():
    """Linear calibration gives negative weights. When this test was written such rows were outside the
    domain (in_domain was w > 0; now w ≠ 0, as R, test_negative_weights.py), but _correlation_from_cells took
    scale = w/Σw for every row and put the rows outside the cells in cell 0: the negative-weight rows got
    cell 0's influence values. Before the change (26c2beb) the cells path equalled the rows path (SE 0.0049729
    both); on main the cells path gives 0.0050346 (+1.2 %), Spearman 0.005308 vs 0.005108 (+3.9 %)."""
    rng = np.random.default_rng(4)
    n = 2000
    df = pd.DataFrame({"a": rng.integers(1, 4, n), "w": rng.uniform(1, 5, n), "z": rng.normal(size=n),
                       "q3": rng.integers(1, 6, n).astype(float)})
    df["q4"] = np.clip(df["q3"] + rng.integers(-1, 2, n), 0, 9).astype(float)
    d = calibrate(svydesign(df, "w"), {"a": (df.groupby("a").size() * 9).to_dict(), "z": 9 * n * 0.8},
                  calfun="linear")
    assert (d.weights < 0).sum() > 100
    cells = svycor(d, "q3", "q4", "pearson")
    with mock.patch.object(association, "_cells", lambda *a, **k: None):
        rows = svycor(d, "q3", "q4", "pearson")
    assert cells.estimate == pytest.approx(rows.estimate, rel=1e-12)
    assert cells.se == pytest.approx(rows.se, rel=1e-9)


def test_means_of_groups_far_apart_equal_each_group_alone():
    """group_means centres the values at the overall mean c and takes the spread as Σw(x − c)² −
    W_g(m_g − c)²: for groups whose means are far apart (relative to their spread) both the variance
    (moments of w(x − c)) and the spread cancel. Seen on main (groups at 0 and 1e8, sd 1): SE 0.03285
    vs 0.02308 alone, deff 0.40 vs 1.22 and inf vs 1.22. (26c2beb got the first group right and the
    second wrong: SE 0.) Centring each group at its own mean (the scale w(x − m_g)) is exact."""
    rng = np.random.default_rng(2)
    n = 4000
    df = pd.DataFrame({"a": rng.integers(0, 3, n), "w": rng.uniform(1, 3, n), "g": rng.integers(0, 2, n)})
    df["x"] = np.where(df.g == 1, 1e8, 0.0) + rng.normal(size=n)
    cells = df.groupby("a").size().rename("Freq").reset_index()
    cells["Freq"] *= 9
    d = poststratify(svydesign(df, "w"), ["a"], cells, column="Freq")
    groups = [df.g.to_numpy() == 0, df.g.to_numpy() == 1]
    for mask, got in zip(groups, svymean_groups(d, "x", groups)):
        alone = svymean(d.domain(mask), "x")
        assert got.se == pytest.approx(alone.se, rel=1e-6)
        assert got.deff == pytest.approx(alone.deff, rel=1e-6)


def test_variance_from_cells_needs_no_more_memory_than_the_dense_values():
    """The cell grid is every (group, calibration cell, stratum), used or not, and its coefficient arrays
    are size × T × k (three of them): for k groups that is k² · cells · strata numbers. 100 groups of a
    post-stratified (12 cells), 15-stratum design of 20,000 rows: 90.8 MB traced at the peak on main,
    6.5 MB on 26c2beb; the dense n × k values would be 16 MB. (k = 200, 150 strata, 100,000 rows:
    16.2 s and 3.6 GB on main vs 0.96 s and 0.19 GB before.)"""
    n, strata, k = 20000, 15, 100
    rng = np.random.default_rng(9)
    df = pd.DataFrame({"st": rng.integers(0, strata, n), "a": rng.integers(0, 3, n), "b": rng.integers(0, 4, n),
                       "w": rng.uniform(1, 3, n), "x": rng.normal(size=n), "g": rng.integers(0, k, n)})
    cells = df.groupby(["a", "b"]).size().rename("Freq").reset_index()
    cells["Freq"] *= 9
    d = poststratify(svydesign(df, "w", strata="st"), ["a", "b"], cells, column="Freq")
    groups = [df.g.to_numpy() == j for j in range(k)]
    svymean_groups(d, "x", groups)  # the design's shared products made once
    tracemalloc.start()
    try:
        svymean_groups(d, "x", groups)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    assert peak <= n * k * 8, f"{peak / 1e6:.1f} MB"


def test_the_shared_store_lets_go_of_weights_no_design_uses():
    """Every design made from one svydesign by with_weights/replace shares its ``_shared`` dict, and
    _product keeps (a, b, a·b) there for the weights of each: re-weighting a design (a calibration per
    scenario, say) and estimating keeps every old weight vector and its products alive for as long as
    the base design lives — on main 90 entries after 40 post-stratifications of 20,000 rows (26 MB)."""
    df = _frame(n=5000)
    base = svydesign(df, "w", strata="st")
    cells = df.groupby(["a", "b"]).size().rename("Freq").reset_index()
    refs = []
    for i in range(5):
        d = poststratify(base, ["a", "b"], cells.assign(Freq=cells.Freq * (9 + i)), column="Freq")
        svymean(d, "x")
        refs.append(weakref.ref(d.weights))
        del d
    gc.collect()
    alive = sum(r() is not None for r in refs)
    assert alive == 0, f"{alive} dropped designs' weights still held ({len(base._shared)} entries)"


def test_a_domain_keeps_its_cell_codes_in_32_bits_with_the_same_variance():
    """A domain keeps the codes of its rows' (domain, cell, stratum) for every estimate on it, and the
    report keeps a domain per question (its base): at 64 bits that was 4.6 MB per domain of 300,000 rows,
    96 MB for the demo's 21 bases — fresh pages the kernel zeroes (BENCHMARKS.md §15). 32 bits hold
    them; the estimates multiply them into 64-bit codes as before, and the shares and their covariance
    are those of the variance primitive on the rows."""
    df = _frame(n=3000, seed=5)
    cells = df.groupby(["a", "b"]).size().rename("Freq").reset_index()
    cells["Freq"] *= 9
    d = poststratify(svydesign(df, "w", strata="st"), ["a", "b"], cells, column="Freq")
    dom = d.domain(df["b"].to_numpy() != 2)
    got = svyprop(dom, "a")
    kept = [a for codes in dom.__dict__["_local"].values() for a in codes]
    assert kept and all(a.dtype == np.int32 for a in kept)
    with mock.patch.object(design_module, "_vcov_from_cells", lambda *a, **k: None):
        rows = svyprop(d.domain(df["b"].to_numpy() != 2), "a")
    np.testing.assert_allclose(got.vcov, rows.vcov, rtol=1e-9, atol=1e-15)
    assert [e.se for e in got] == pytest.approx([e.se for e in rows], rel=1e-9)

"""The analyses' own shortcuts give what the general estimators give."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.findings import analyses as A
from fjernarbeid.survey import poststratify, svydesign


@pytest.fixture
def ctx(instrument):
    from fjernarbeid.findings.run import _labeller

    return A.Context(instrument=instrument, catalogue=None, lang_labels=_labeller(instrument), min_cell=5)


def test_column_percentages_are_each_groups_distribution(instrument, ctx):
    """The crosstab's column percentages from one weighted count per (group, code) equal the
    distribution (svyprop) of the row variable in each group's domain, suppression included."""
    rng = np.random.default_rng(5)
    n = 3000
    frame = pd.DataFrame({"q12": rng.integers(1, 7, n).astype(float), "q207": rng.integers(1, 3, n).astype(float),
                          "q13": rng.integers(1, 4, n).astype(float), "w": rng.uniform(0.5, 2, n)})
    frame.loc[rng.random(n) < 0.1, "q12"] = np.nan
    frame.loc[(frame["q207"] == 2) & (frame["q12"] == 6), "q12"] = 5.0
    frame.loc[frame.index[:3], ["q207", "q12"]] = [2.0, 6.0]  # 3 answers of code 6 in group 2: hidden
    cells = frame.groupby("q13").size().rename("Freq").reset_index()
    design = poststratify(svydesign(frame, "w"), ["q13"], cells.assign(Freq=cells["Freq"] * 10), column="Freq")
    d = design.domain(frame["q12"].notna().to_numpy() & frame["q207"].notna().to_numpy())

    fast = A._column_shares(d, "q12", "q207", ctx)

    slow = []
    for g in (1.0, 2.0):
        dg = d.domain((frame["q207"] == g).to_numpy() & d.in_domain)
        for r in A.distribution_rows(dg, "q12", ctx):
            slow.append([ctx.lang_labels("q207", int(g))[ctx.lang], int(r.name[3:]), r.label,
                         None if r.suppressed else r.estimate, r.n_unweighted, r.suppressed])
    assert [row[:3] + row[4:] for row in fast] == [row[:3] + row[4:] for row in slow]
    assert any(row[5] for row in fast)  # a hidden cell
    for a, b in zip(fast, slow):
        assert (a[3] is None and b[3] is None) or a[3] == pytest.approx(b[3], rel=1e-12)


@pytest.mark.parametrize("targets", [[3.0, 1.0, 2.0, 5.0], [0.0, 7.0], [2.5, 1.5, -1.0], [70000.0, 1.0]])
def test_index_in_is_the_position_among_the_targets(targets):
    """Answer codes by a table of their values, other numbers by a search: the same positions."""
    targets = np.asarray(targets)
    values = np.random.default_rng(0).choice(targets, 50)
    assert np.array_equal(A._index_in(values, targets), [list(targets).index(v) for v in values])


@pytest.mark.parametrize("values", [
    [4618.0, np.nan, 4619.0, 4618.0, 4622.0, 4620.0],  # answer codes: counted
    [1.5, np.nan, 2.5, 1.5, 7.25, 3.0],  # numbers with fractions: sorted
])
def test_groups_present_are_the_domains_distinct_values(values):
    values = np.array(values)
    in_domain = np.array([True, True, True, True, True, False])  # the last value is outside the domain
    found, index = A._groups_present(values, in_domain)
    want = np.unique(values[in_domain & ~np.isnan(values)])
    np.testing.assert_array_equal(found, want)
    expect = [int(np.flatnonzero(want == v)[0]) if v in want else -1 for v in values]
    assert index.tolist() == expect


def test_a_base_distribution_is_kept_but_not_its_domain(instrument, ctx):
    """Each question's distribution is computed once per run; its base domain (weights and codes of every
    row) is not kept with it once the findings that use it are done, and is made again, the same, when
    needed."""
    import gc
    import weakref

    rng = np.random.default_rng(8)
    n = 2000
    frame = pd.DataFrame({"q12": rng.integers(1, 7, n).astype(float), "w": rng.uniform(0.5, 2, n)})
    frame.loc[rng.random(n) < 0.2, "q12"] = np.nan
    design = svydesign(frame, "w")
    d, rows = A.base_distribution(design, "q12", ctx)
    weights = d.weights.copy()
    held = weakref.ref(d)
    del d
    gc.collect()
    assert held() is None  # the run's cache does not hold the domain
    again, rows_again = A.base_distribution(design, "q12", ctx)
    assert rows_again is rows  # the distribution is not computed again
    np.testing.assert_array_equal(again.weights, weights)
    assert again.in_domain.sum() == frame["q12"].notna().sum()
    assert A.base_distribution(design, "q12", ctx)[0] is again  # while one is in use, it is the one

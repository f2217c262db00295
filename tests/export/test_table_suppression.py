"""Complementary suppression of a whole cross-table (``tab --min-n``): after it, no margin — a column beside
its printed base, the total column, a row beside its printed total — has exactly one hidden cell, so no
hidden cell can be worked out by subtraction; and nothing is hidden that need not be."""

from __future__ import annotations

from hypothesis import given, settings, strategies as st

from fjernarbeid.export.cell_suppression import table_suppression

counts_tables = st.integers(1, 5).flatmap(lambda cols: st.lists(
    st.lists(st.integers(0, 30), min_size=cols, max_size=cols), min_size=2, max_size=6))  # a category alone is its base


def _hidden_per_margin(hidden, hidden_total):
    rows, cols = len(hidden), len(hidden[0])
    columns = [sum(hidden[r][c] for r in range(rows)) for c in range(cols)]
    by_row = [sum(hidden[r]) + hidden_total[r] for r in range(rows)]
    return columns, by_row, sum(hidden_total)


@settings(max_examples=300, deadline=None)
@given(counts_tables, st.integers(1, 8))
def test_no_margin_has_a_single_hidden_cell(counts, min_n):
    totals = [sum(row) for row in counts]
    hidden, hidden_total = table_suppression(counts, min_n, totals)
    columns, by_row, in_total = _hidden_per_margin(hidden, hidden_total)
    assert 1 not in columns and 1 not in by_row and in_total != 1
    for r, row in enumerate(counts):  # every small cell with someone in it is hidden
        for c, n in enumerate(row):
            if 0 < n < min_n:
                assert hidden[r][c]


def test_a_table_without_small_cells_hides_nothing():
    hidden, hidden_total = table_suppression([[10, 20], [30, 40]], 5, [30, 70])
    assert not any(map(any, hidden)) and not any(hidden_total)


def test_a_small_total_is_hidden_with_a_partner_in_the_total_column():
    hidden, hidden_total = table_suppression([[40, 30], [2, 1], [12, 25]], 5, [70, 3, 37])
    assert hidden_total == [False, True, True]  # 3 < 5, and 37 so that 3 is not 110 − 70 − 37
    assert hidden[1] == [True, True]


def test_without_a_total_column_only_the_columns_are_margins():
    hidden, hidden_total = table_suppression([[40, 30], [3, 20], [12, 25]], 5)
    assert hidden == [[False, False], [True, False], [True, False]] and hidden_total == []

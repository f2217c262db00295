"""Secondary suppression: no hidden cell of a published table can be recovered from its margin."""

import numpy as np
import pytest

from fjernarbeid.export.cell_suppression import complementary_suppression, net_hidden


def test_one_hidden_cell_takes_the_smallest_other_with_it():
    # "Annet", n = 3, hidden: without a second hidden cell it is 60 − 40 − 12 − 5 = 3
    assert complementary_suppression([40, 3, 12, 5], [False, True, False, False]) == [False, True, False, True]


def test_two_hidden_cells_need_no_more():
    assert complementary_suppression([40, 3, 2, 5], [False, True, True, False]) == [False, True, True, False]


def test_an_empty_cell_does_not_protect():
    assert complementary_suppression([40, 3, 0, 9], [False, True, False, False]) == [False, True, False, True]


def test_nothing_hidden_stays_so():
    assert complementary_suppression([40, 30], [False, False]) == [False, False]


def test_a_net_with_a_hidden_cell_is_hidden():
    assert net_hidden([False, True]) and not net_hidden([False, False])


@pytest.mark.parametrize("seed", range(20))
def test_no_margin_of_a_random_table_has_a_single_hidden_cell(seed):
    rng = np.random.default_rng(seed)
    counts = rng.integers(0, 30, size=6)
    hidden = complementary_suppression(counts.tolist(), (counts < 5).tolist())
    assert sum(hidden) != 1
    assert all(h for h, c in zip(hidden, counts) if c < 5)  # every small cell stays hidden

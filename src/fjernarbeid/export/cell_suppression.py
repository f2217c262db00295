"""Secondary (complementary) suppression for published tables.

A table that hides its small cells but prints the base of a margin — a column of a banner whose
percentages add up to 100, a block of the respondents table whose counts add up to the sample — gives
a single hidden cell away by subtraction. When exactly one cell of a margin is hidden, the smallest
other cell of that margin is hidden too, so that the two can only be known together (Hundepool et al.
2012, *Statistical Disclosure Control*, Wiley, §5.4.1: "a primary suppressed cell ... needs at least
one secondary suppression in each of the marginals it contributes to").

>>> complementary_suppression([40, 3, 12, 45], [False, True, False, False])
[False, True, True, False]
"""

from __future__ import annotations

from typing import Sequence


def complementary_suppression(counts: Sequence[int], hidden: Sequence[bool]) -> list[bool]:
    """The cells to hide in one margin: the primary ones (``hidden``) and, when there is exactly one, the
    smallest other cell with respondents in it (a cell of 0 hides nothing; when every other cell is empty,
    the smallest other cell)."""
    out = [bool(h) for h in hidden]
    if sum(out) != 1 or len(out) < 2:
        return out
    others = [i for i, h in enumerate(out) if not h]
    with_people = [i for i in others if (counts[i] or 0) > 0]
    pick = min(with_people or others, key=lambda i: (counts[i] or 0, i))
    out[pick] = True
    return out


def banner_suppression(counts, hidden, margins_of_row: Sequence[Sequence[int]]):
    """The cells to hide in a table whose cells add up along both its columns and its rows: a column's
    categories add up to its base (shares to 100 %), and in a row the groups of one breakdown (the columns
    in each list of ``margins_of_row``) add up to the total column. Complementary suppression in every
    column and in every row margin, repeated until no margin has a single hidden cell — a cell hidden to
    protect a column can leave its row with one hidden cell, and the other way round (Hundepool et al.
    2012, §5.4.1). ``counts`` and ``hidden`` are categories × columns; returns the hidden matrix.

    >>> import numpy as np
    >>> counts = np.array([[40, 30, 10], [3, 20, 25], [12, 9, 8]])
    >>> banner_suppression(counts, np.array([[0, 0, 0], [1, 0, 0], [0, 0, 0]], bool), [[0, 1, 2]]).astype(int)
    array([[0, 1, 1],
           [1, 1, 0],
           [1, 1, 1]])
    """
    import numpy as np

    out = np.array(hidden, dtype=bool).copy()
    counts = np.asarray(counts)
    while True:
        before = out.copy()
        for g in range(out.shape[1]):
            out[:, g] = complementary_suppression(counts[:, g], out[:, g])
        for r in range(out.shape[0]):
            for columns in margins_of_row:
                columns = list(columns)
                out[r, columns] = complementary_suppression(counts[r, columns], out[r, columns])
        if (out == before).all():
            return out


def net_hidden(member_hidden: Sequence[bool]) -> bool:
    """A net (top-2, bottom-2) of cells is hidden when any of its cells is: net − the shown cell = the hidden one."""
    return any(member_hidden)


def table_suppression(counts, min_n: int, totals=None) -> tuple[list[list[bool]], list[bool]]:
    """The cells to hide in a table of unweighted counts (rows = categories, columns = groups) whose
    columns are margins (their shares add up to 100 % and their bases are printed) and, when ``totals``
    (one count per row: a total column) is given, whose rows are margins too (a row's cells add up to
    its total). A cell with 1 to ``min_n`` − 1 respondents is hidden (primary), then
    :func:`complementary_suppression` is applied to every column, the total column and every row until
    no margin has a single hidden cell. Returns (hidden cells by row and column, hidden totals).

    >>> table_suppression([[40, 30], [3, 20], [12, 25]], 5, totals=[70, 23, 37])
    ([[False, False], [True, True], [True, True]], [False, False, False])
    """
    rows = len(counts)
    cols = len(counts[0]) if rows else 0
    hidden = [[0 < (counts[r][c] or 0) < min_n for c in range(cols)] for r in range(rows)]
    hidden_total = [0 < (t or 0) < min_n for t in totals] if totals is not None else []
    changed = True
    while changed:
        before = [row[:] for row in hidden], hidden_total[:]
        for c in range(cols):
            column = complementary_suppression([counts[r][c] for r in range(rows)], [hidden[r][c] for r in range(rows)])
            for r in range(rows):
                hidden[r][c] = column[r]
        if totals is not None:
            hidden_total = complementary_suppression(list(totals), hidden_total)
            for r in range(rows):  # the row's cells and its total: one linear margin
                margin = complementary_suppression(list(counts[r]) + [totals[r]], hidden[r] + [hidden_total[r]])
                hidden[r], hidden_total[r] = margin[:cols], margin[cols]
        changed = (hidden, hidden_total) != before
    return hidden, hidden_total

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


def net_hidden(member_hidden: Sequence[bool]) -> bool:
    """A net (top-2, bottom-2) of cells is hidden when any of its cells is: net − the shown cell = the hidden one."""
    return any(member_hidden)

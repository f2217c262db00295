"""Replication verdicts: does this data agree with what the report published?

Rules, one per kind of published figure (the report rounds, so a share "≈ 62 %" stands for
61.5-62.5 %):

* ``approx`` share: the published value ± half a percentage point overlaps our 95 % CI;
* ``gt`` / ``lt`` / ``ge``: our estimate lies on the published side of the value;
* ``range`` / ``approx_count`` (projections): our interval overlaps the published range / contains
  the published number;
* association ``{expect, significant}``: the same sign (when one is published) and the same
  conclusion at the 5 % level (significant or not).

A finding agrees when all its checks agree; a finding that could not be computed is
``not_computed``, never a pass.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass

ALPHA = 0.05
ROUNDING_PP = 0.5  # the report's shares are rounded to whole percentages

AGREES = "agrees"
DIFFERS = "differs"
NOT_COMPUTED = "not_computed"
# A finding of a study that has no published figure for it: shown, never judged (nor counted as agreeing).
NOT_PUBLISHED = "not_published"


@dataclass(frozen=True)
class Check:
    what: str
    rule: str
    published: object
    ours: object
    ok: bool | None  # None: could not be checked

    def to_dict(self) -> dict:
        return asdict(self)


def check_share(what: str, published: dict, estimate: float | None, ci: tuple[float, float] | None) -> Check:
    """``published`` in percent ({comparator, value}); ``estimate``/``ci`` as proportions 0-1."""
    comp = published.get("comparator", "approx")
    value = published.get("value")
    shown = {"comparator": comp, "value": value, "unit": "%"}
    if estimate is None:
        return Check(what, comp, shown, None, None)
    pct, lo, hi = 100 * estimate, 100 * ci[0], 100 * ci[1]
    ours = [round(pct, 2), round(lo, 2), round(hi, 2)]  # estimate and 95 % CI, in percent
    if comp == "approx":
        ok = (value + ROUNDING_PP) >= lo and (value - ROUNDING_PP) <= hi
        return Check(what, f"published ≈{value} % (±{ROUNDING_PP}) overlaps our 95 % CI", shown, ours, ok)
    if comp == "gt":
        return Check(what, f"our estimate above {value} %", shown, ours, pct > value)
    if comp == "lt":
        return Check(what, f"our estimate below {value} %", shown, ours, pct < value)
    raise ValueError(f"unknown comparator {comp!r} for {what}")


def check_value(what: str, published: dict, value: float | None) -> Check:
    """A plain number (e.g. Cronbach's alpha) against ``{comparator: ge|gt|lt, value}``."""
    comp = published.get("comparator", "ge")
    target = published.get("value")
    if value is None:
        return Check(what, comp, target, None, None)
    words = {"ge": "at least", "gt": "above", "lt": "below"}
    if comp not in words:
        raise ValueError(f"unknown comparator {comp!r} for {what}")
    ok = {"ge": value >= target, "gt": value > target, "lt": value < target}[comp]
    return Check(what, f"{words[comp]} {target}", {"comparator": comp, "value": target}, value, ok)


def check_interval(what: str, published: dict, low: float | None, high: float | None, central: float | None = None) -> Check:
    comp = published.get("comparator")
    if low is None or high is None:
        return Check(what, comp, published, None, None)
    if comp == "range":
        ok = low <= published["high"] and high >= published["low"]
        return Check(what, "our interval overlaps the published range", [published["low"], published["high"]],
                     [round(low), round(high)], ok)
    if comp == "approx_count":
        ok = low <= published["value"] <= high
        return Check(what, "the published number lies in our interval", published["value"],
                     [round(low), round(high)], ok)
    raise ValueError(f"unknown comparator {comp!r} for {what}")


def check_exact(what: str, published: int, ours: int | None) -> Check:
    return Check(what, "equal", published, ours, None if ours is None else int(ours) == int(published))


def check_association(what: str, published: dict, effect: float | None, p: float | None) -> Check:
    """``published``: {expect: positive|negative (optional), significant: bool}."""
    if effect is None or p is None:
        return Check(what, "association", published, None, None)
    ok = True
    parts = []
    expect = published.get("expect")
    if expect:
        sign_ok = (effect > 0) if expect == "positive" else (effect < 0)
        ok &= sign_ok
        parts.append(f"{expect} sign")
    if "significant" in published:
        sig = p < ALPHA
        ok &= sig == bool(published["significant"])
        parts.append("significant at 5 %" if published["significant"] else "not significant at 5 %")
    return Check(what, " and ".join(parts), published, {"effect": effect, "p": p}, bool(ok))


def overall(checks: list[Check]) -> str:
    if not checks or any(c.ok is None for c in checks):
        return NOT_COMPUTED
    return AGREES if all(c.ok for c in checks) else DIFFERS

"""Use against the council's targets, month by month (report 4.1: goals for use, criteria of success)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from fjernarbeid.portal.models import Goal


@dataclass(frozen=True)
class MonthResult:
    month: dt.date
    metric: str
    actual: float | None
    target: float | None

    @property
    def met(self) -> bool | None:
        if self.actual is None or self.target is None:
            return None
        return self.actual >= self.target


def monthly_actuals(records) -> dict[dt.date, dict[str, float]]:
    """Network figures per month from use records (rows with month, users, guest_days, events, occupancy)."""
    months: dict[dt.date, list] = {}
    for r in records:
        months.setdefault(r["month"], []).append(r)
    out = {}
    for month, rows in months.items():
        out[month] = {
            Goal.USERS: sum(r["users"] for r in rows) / len(rows),
            Goal.GUEST_DAYS: float(sum(r["guest_days"] for r in rows)),
            Goal.EVENTS: float(sum(r["events"] for r in rows)),
            Goal.OCCUPANCY: sum(r["occupancy_percent"] for r in rows) / len(rows),
        }
    return out


def target_for(goals: list[Goal], metric: str, month: dt.date) -> float | None:
    """The target in force in a month: the latest set from that month or earlier."""
    valid = [g for g in goals if g.metric == metric and g.valid_from <= month]
    return max(valid, key=lambda g: g.valid_from).target if valid else None


def compare(records, goals: list[Goal]) -> list[MonthResult]:
    actuals = monthly_actuals(records)
    return [MonthResult(month, metric, values.get(metric), target_for(goals, metric, month))
            for month, values in sorted(actuals.items()) for metric, _label in Goal.METRICS]

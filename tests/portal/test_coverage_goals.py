"""Pure functions of the portal: distances and coverage, the goals in force, the region's shipped facts."""

from __future__ import annotations

import datetime as dt
import math
from types import SimpleNamespace

import pytest

from fjernarbeid.portal.coverage import EARTH_RADIUS_KM, coverage, haversine_km, place_shares, served_share
from fjernarbeid.portal.goals import compare, target_for
from fjernarbeid.portal.models import Goal
from fjernarbeid.portal.region import municipalities, places, working_age_population


def test_haversine_matches_arc_lengths_on_the_sphere():
    assert haversine_km(60, 6, 61, 6) == pytest.approx(2 * math.pi * EARTH_RADIUS_KM / 360)  # one degree north
    assert haversine_km(0, 0, 0, 90) == pytest.approx(math.pi * EARTH_RADIUS_KM / 2)
    assert haversine_km(60.4, 6.6, 60.4, 6.6) == 0


def test_place_shares_add_up_to_each_municipality_and_unknown_sizes_count_500():
    shares = place_shares(places(), working_age_population())
    for code in municipalities():
        in_municipality = [p for p in places() if p.municipality == code]
        assert sum(shares[p.geonameid] for p in in_municipality) == pytest.approx(working_age_population()[code])
    jondal = next(p for p in places() if p.name == "Jondal")
    assert jondal.geonames_population == 0 and shares[jondal.geonameid] > 0


def test_coverage_uses_travel_times_where_loaded():
    spaces = [SimpleNamespace(pk=1, name="Near by line", latitude=60.30, longitude=6.25),
              SimpleNamespace(pk=2, name="Near by ferry", latitude=60.37, longitude=6.15)]
    jondal = next(p for p in places() if p.name == "Jondal")
    by_line = coverage([jondal], spaces, working_age_population())[0]
    assert by_line.nearest_space == "Near by line" and by_line.minutes is None
    by_time = coverage([jondal], spaces, working_age_population(), {(jondal.geonameid, 2): 35.0,
                                                                    (jondal.geonameid, 1): 80.0})[0]
    assert by_time.nearest_space == "Near by ferry" and by_time.minutes == 35.0


def test_served_share_counts_only_places_within_the_radius():
    rows = coverage(places(), [SimpleNamespace(pk=1, name="Odda", latitude=60.06912, longitude=6.54565)],
                    working_age_population())
    served15, total = served_share(rows, 15)
    served200, _ = served_share(rows, 200)
    assert total == pytest.approx(sum(working_age_population().values()))
    assert 0 < served15 < served200 == pytest.approx(total)


def test_shipped_population_is_the_ssb_figure(refdata_dir):
    """The summary equals a fresh sum over SSB 07459 (ages 20-66, 1 January 2025)."""
    import csv

    totals = {}
    with open(refdata_dir / "ssb07459_population_by_municipality_sex_age_2024_2026.csv", encoding="utf-8") as f:
        for row in csv.DictReader(f):
            if row["year_jan1"] == "2025" and row["kommune_code"] in municipalities() and 20 <= int(row["age"]) <= 66:
                totals[row["kommune_code"]] = totals.get(row["kommune_code"], 0) + int(row["population"])
    assert totals == working_age_population()


def test_the_target_in_force_is_the_latest_set_before_the_month():
    goals = [Goal(metric=Goal.USERS, target=8, valid_from=dt.date(2025, 1, 1)),
             Goal(metric=Goal.USERS, target=12, valid_from=dt.date(2025, 7, 1))]
    assert target_for(goals, Goal.USERS, dt.date(2024, 12, 1)) is None
    assert target_for(goals, Goal.USERS, dt.date(2025, 6, 1)) == 8
    assert target_for(goals, Goal.USERS, dt.date(2025, 9, 1)) == 12
    records = [{"month": dt.date(2025, 9, 1), "users": u, "guest_days": 2, "events": 1, "occupancy_percent": 40}
               for u in (10, 16)]
    users = next(r for r in compare(records, goals) if r.metric == Goal.USERS)
    assert users.actual == 13 and users.target == 12 and users.met is True

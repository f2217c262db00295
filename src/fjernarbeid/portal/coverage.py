"""Where the region lacks offices: distance from each populated place to the nearest space, and the
working-age population within given radii.

Distances are great-circle distances on a sphere of radius 6371.0088 km (the IUGG mean Earth radius), by
the haversine formula (Sinnott, "Virtues of the Haversine", Sky and Telescope 68(2), 1984). Straight lines
ignore fjords, mountains and ferries; a travel-time table, where loaded, is used instead.

Population: SSB gives the working-age population by municipality only; it is shared among the
municipality's listed places in proportion to GeoNames' population of each place (a place GeoNames lists
with 0, i.e. unknown, counts as 500, the list's threshold). This is an approximation, stated on the page.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

EARTH_RADIUS_KM = 6371.0088
UNKNOWN_PLACE_POPULATION = 500


def haversine_km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    phi1, phi2 = math.radians(lat1), math.radians(lat2)
    dphi, dlmb = phi2 - phi1, math.radians(lon2 - lon1)
    a = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
    return 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(a)))


@dataclass(frozen=True)
class PlaceCoverage:
    name: str
    municipality: str
    working_age: float          # the place's estimated share of the municipality's population aged 20-66
    nearest_space: str | None
    distance_km: float | None   # straight line
    minutes: float | None       # from the travel-time table, where loaded


def place_shares(places, working_age_by_municipality: dict[str, int]) -> dict[int, float]:
    """Each place's share of its municipality's working-age population (see the module's note)."""
    weights = {p.geonameid: (p.geonames_population or UNKNOWN_PLACE_POPULATION) for p in places}
    totals: dict[str, float] = {}
    for p in places:
        totals[p.municipality] = totals.get(p.municipality, 0) + weights[p.geonameid]
    return {p.geonameid: working_age_by_municipality.get(p.municipality, 0) * weights[p.geonameid] / totals[p.municipality]
            for p in places}


def coverage(places, spaces, working_age_by_municipality: dict[str, int],
             travel_minutes: dict[tuple[int, int], float] | None = None) -> list[PlaceCoverage]:
    """For every place: the nearest space (by travel time where the table has the place, else by distance)."""
    shares = place_shares(places, working_age_by_municipality)
    travel_minutes = travel_minutes or {}
    result = []
    for place in places:
        best_name, best_km, best_min = None, None, None
        timed = [(travel_minutes[(place.geonameid, s.pk)], s) for s in spaces if (place.geonameid, s.pk) in travel_minutes]
        if timed:
            best_min, space = min(timed, key=lambda item: item[0])
            best_name = space.name
            best_km = haversine_km(place.latitude, place.longitude, space.latitude, space.longitude)
        elif spaces:
            best_km, space = min(((haversine_km(place.latitude, place.longitude, s.latitude, s.longitude), s)
                                  for s in spaces), key=lambda item: item[0])
            best_name = space.name
        result.append(PlaceCoverage(place.name, place.municipality, shares[place.geonameid], best_name, best_km, best_min))
    return result


def served_share(rows: list[PlaceCoverage], radius_km: float) -> tuple[float, float]:
    """(working-age people within the radius of a space, all working-age people of the listed places)."""
    total = sum(r.working_age for r in rows)
    served = sum(r.working_age for r in rows if r.distance_km is not None and r.distance_km <= radius_km)
    return served, total

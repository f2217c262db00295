"""Derive the shipped summary of the population aged 25-60 by municipality, sex and age group.

``fjernarbeid target`` multiplies model-based shares by the number of people in each municipality,
sex and age group. The program must work offline, so a small summary is shipped as package data
(``src/fjernarbeid/refdata/summary/population_2025_25_60_by_municipality.csv``), beside a list of
the municipalities with their name, county and centrality class (``municipalities_2024.csv``). This script makes it from three reference
files (never copied into the repository):

* SSB StatBank table 07459 at 2024 municipality borders (population on 1 January by municipality,
  sex and single year of age), as ``ssb07459_population_by_municipality_sex_age_2024_2026.csv``;
* SSB KLASS 131 municipalities with their county (``kommuner_2024.csv``);
* SSB KLASS 128 centrality classes (``sentralitet_2024_by_kommune.csv``).

Age groups are the questionnaire's: 25-29, 30-34, …, 50-54 and 55-60 (codes 1-7); sex uses the
questionnaire's codes (1 man, 2 woman). The year is 1 January 2025.

Usage (from the repository root; the reference files default to ../shared/refdata)::

    .venv/bin/python scripts/derive_municipality_population.py [--refdata DIR]

Deterministic: rerunning on the same files gives the same bytes.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import pandas as pd

from fjernarbeid._io import write_text_atomic

REPO = Path(__file__).resolve().parents[1]
DEFAULT_REFDATA = REPO.parent / "shared" / "refdata"
SUMMARY = REPO / "src" / "fjernarbeid" / "refdata" / "summary"
OUT = SUMMARY / "population_2025_25_60_by_municipality.csv"
MUNICIPALITIES_OUT = SUMMARY / "municipalities_2024.csv"
POPULATION_FILE = "ssb07459_population_by_municipality_sex_age_2024_2026.csv"
YEAR = 2025
AGE_GROUPS = ((1, 25, 29), (2, 30, 34), (3, 35, 39), (4, 40, 44), (5, 45, 49), (6, 50, 54), (7, 55, 60))
SEX_CODES = {"male": 1, "female": 2}


def summarise(population: pd.DataFrame, municipalities: pd.DataFrame, centrality: pd.DataFrame,
              year: int = YEAR) -> pd.DataFrame:
    """One row per municipality × sex × age group with the population and the municipality's facts."""
    pop = population[(population["year_jan1"] == year) & population["age"].between(25, 60)].copy()
    if pop.empty:
        raise SystemExit(f"no population for 1 January {year} aged 25-60")
    pop["kommune_code"] = pop["kommune_code"].astype(str).str.zfill(4)
    pop["sex"] = pop["sex"].map(SEX_CODES)
    pop["age_group"] = 0
    for code, lo, hi in AGE_GROUPS:
        pop.loc[pop["age"].between(lo, hi), "age_group"] = code
    table = pop.groupby(["kommune_code", "sex", "age_group"], as_index=False)["population"].sum()
    facts = (municipalities.rename(columns={"kommunenummer": "kommune_code", "kommunenavn": "municipality_name",
                                            "fylkesnummer": "county_code", "fylkesnavn": "county_name"})
             .merge(centrality[["kommune_code", "sentralitet"]], on="kommune_code", how="left"))
    out = table.merge(facts, on="kommune_code", how="left", validate="many_to_one")
    unknown = out["municipality_name"].isna() | out["sentralitet"].isna()
    if unknown.any():
        raise SystemExit(f"municipalities without name or centrality: {sorted(out.loc[unknown, 'kommune_code'].unique())}")
    out = out.rename(columns={"kommune_code": "municipality_code", "sentralitet": "centrality"})
    out["centrality"] = out["centrality"].astype(int)
    return out[["municipality_code", "municipality_name", "county_code", "county_name", "centrality",
                "sex", "age_group", "population"]].sort_values(["municipality_code", "sex", "age_group"])


def municipality_header(n: int) -> str:
    return (
        "# Norway's municipalities at 2024 borders with county and centrality class.\n"
        "# Source: Statistics Norway (SSB), KLASS 131 municipalities and 104 counties (2024), KLASS 128 centrality\n"
        "# (2024): 1 (most central) to 6. Made by scripts/derive_municipality_population.py; do not edit.\n"
        f"# {n} municipalities (those with a population in SSB table 07459 at 2024 borders).\n"
    )


def header(total: int, n_municipalities: int) -> str:
    return (
        "# Population of Norway aged 25-60 on 1 January 2025 by municipality (2024 borders), sex and age group.\n"
        "# Source: Statistics Norway (SSB), StatBank table 07459 \"Befolkning, etter region, kjønn, alder\" (NLOD 2.0),\n"
        "# at 2024 municipality borders as packaged in the R data package csdata (Norwegian Institute of Public\n"
        "# Health); municipality names and counties: SSB KLASS 131/104 (2024); centrality: SSB KLASS 128 (2024).\n"
        "# Summed over single years of age by scripts/derive_municipality_population.py; do not edit.\n"
        "# sex: 1 = man, 2 = woman (the questionnaire's codes); age_group: 1 = 25-29, 2 = 30-34, 3 = 35-39,\n"
        "# 4 = 40-44, 5 = 45-49, 6 = 50-54, 7 = 55-60. Municipality names, counties and centrality classes are in\n"
        "# municipalities_2024.csv beside this file.\n"
        f"# {n_municipalities} municipalities, {total:,} people.\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refdata", type=Path, default=DEFAULT_REFDATA, help=f"reference files (default {DEFAULT_REFDATA})")
    parser.add_argument("--out", type=Path, default=OUT, help=f"output CSV (default {OUT})")
    args = parser.parse_args(argv)
    population = pd.read_csv(args.refdata / POPULATION_FILE, dtype={"kommune_code": str})
    municipalities = pd.read_csv(args.refdata / "kommuner_2024.csv", dtype=str)
    centrality = pd.read_csv(args.refdata / "sentralitet_2024_by_kommune.csv", dtype={"kommune_code": str})
    table = summarise(population, municipalities, centrality)
    facts = table[["municipality_code", "municipality_name", "county_code", "county_name", "centrality"]]
    facts = facts.drop_duplicates("municipality_code")
    counts = table[["municipality_code", "sex", "age_group", "population"]]
    text = header(int(counts["population"].sum()), len(facts)) + counts.to_csv(index=False, lineterminator="\n")
    write_text_atomic(args.out, text)
    write_text_atomic(args.out.parent / MUNICIPALITIES_OUT.name,
                      municipality_header(len(facts)) + facts.to_csv(index=False, lineterminator="\n"))
    print(f"{args.out}: {len(table)} rows, {table['population'].sum():,} people")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""The region's facts (municipalities, network rules, places, population), read from the files in data/."""

from __future__ import annotations

import csv
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from fjernarbeid._yaml import load_yaml

DATA = Path(__file__).resolve().parent / "data"


@dataclass(frozen=True)
class Place:
    geonameid: int
    name: str
    municipality: str
    latitude: float
    longitude: float
    geonames_population: int


@lru_cache(maxsize=1)
def region() -> dict:
    return load_yaml((DATA / "region.yaml").read_bytes(), "region.yaml")


def municipalities() -> dict[str, str]:
    """Municipality number -> name, in the order of the file."""
    return {str(code): name for code, name in region()["municipalities"].items()}


def municipality_choices() -> list[tuple[str, str]]:
    return sorted(municipalities().items(), key=lambda item: item[1])


def sources(language: str | None = None) -> list[str]:
    """The sources of the shipped figures in a language (the active one by default), English if it has none."""
    from django.utils.translation import get_language

    language = (language or get_language() or "en").split("-")[0]
    return [texts.get(language) or texts["en"] for texts in region()["sources"].values()]


def free_guest_days_per_month() -> int:
    return int(region()["network"]["free_guest_days_per_month"])


@lru_cache(maxsize=1)
def places() -> tuple[Place, ...]:
    with open(DATA / "places.csv", newline="", encoding="utf-8") as handle:
        return tuple(
            Place(int(r["geonameid"]), r["name"], r["municipality"], float(r["latitude"]), float(r["longitude"]),
                  int(r["geonames_population"]))
            for r in csv.DictReader(handle)
        )


@lru_cache(maxsize=1)
def working_age_population() -> dict[str, int]:
    """Municipality number -> population aged 20-66 on 1 January (SSB 07459)."""
    with open(DATA / "population.csv", newline="", encoding="utf-8") as handle:
        return {r["municipality"]: int(r["population_20_66"]) for r in csv.DictReader(handle)}


def population_year() -> str:
    with open(DATA / "population.csv", newline="", encoding="utf-8") as handle:
        return next(csv.DictReader(handle))["year_jan1"]

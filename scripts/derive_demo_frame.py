"""Derive the demo's sampling frame (src/fjernarbeid/studies/norce2025/demo/sampling_frame.csv) from the registers.

The synthetic demo (``fjernarbeid demo``) places its respondents in real postal codes so that the
postal-code look-ups (municipality, county, centrality) work on it exactly as on real fieldwork.
The installed program must not need the registers, so this script condenses them once into a
small table shipped with the package:

* **postal codes** — a few real ones per municipality, from Posten/Bring's *Postnummerregister*:
  only codes of category G (street addresses) or B (street addresses and post boxes), i.e. codes
  where people live, not P (post boxes only) or S (special). A municipality with ``n`` such codes
  keeps ``min(n, 1 + floor(log2 n))`` of them, evenly spread over its sorted codes (Oslo 9,
  Eidfjord 2), so that large municipalities show some variety without copying the register;
* **municipality number, name and county** (number and name) — SSB KLASS classification 131
  (municipalities) with its county correspondence (KLASS 104);
* **centrality class** — SSB KLASS classification 128 (sentralitetsindeks), classes 1-6;
* **place, category and Bring's spelling of the municipality** of each kept postal code, from the
  postal register, so that ``fjernarbeid demo`` can write a reference-data subset for exactly
  these codes (in the registers' own formats) and the demo can be validated and reported on
  without the full registers;
* **municipality_size** — a measure of size for drawing respondents. The registers carry no
  population by municipality, so it is a proxy: the number of street-address postal codes of the
  municipality beyond the first three, at least 1. Rural municipalities have several codes for
  few people (one per village), so subtracting a baseline of three brings the shares close to
  where Norwegians live: about 42 % of the size lies in centrality classes 1-2, 21 % in class 3
  and 37 % in classes 4-6, and since remote-capable workers live more centrally, about half of
  the demo's respondents end up in classes 1-2. It is a modelling device, not a statistic.

Svalbard (2100) and Jan Mayen (2211) have no county or centrality and are left out. The registers'
vintages (from their file names) are recorded in a ``# vintage`` line of the header.

Usage (from the repository root, with a reference-data directory as ``fjernarbeid refdata`` uses)::

    .venv/bin/python scripts/derive_demo_frame.py --refdata ../shared/refdata

The output is deterministic: rerunning on the same registers gives the same bytes.
"""

from __future__ import annotations

import argparse
import io
import re
import sys
from pathlib import Path

import numpy as np
import pandas as pd

from fjernarbeid._io import write_text_atomic
from fjernarbeid.refdata import RefData

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "src" / "fjernarbeid" / "studies" / "norce2025" / "demo" / "sampling_frame.csv"

RESIDENTIAL_CATEGORIES = ("G", "B")  # Bring: G = street addresses, B = both street addresses and boxes
SIZE_BASELINE = 3  # codes per municipality that serve few people (see the module docstring)
COLUMNS = ["postal_code", "municipality_code", "municipality_name", "county_code", "centrality",
           "municipality_size", "place", "category", "postal_municipality_name", "county_name"]
REGISTERS = ("postal_codes", "municipalities", "centrality")


def codes_to_keep(n_codes: int) -> int:
    """How many postal codes a municipality with ``n_codes`` residential codes keeps: 1 + log2(n)."""
    return min(n_codes, 1 + int(np.floor(np.log2(n_codes))))


def derive_frame(refdata: RefData) -> pd.DataFrame:
    """The sampling frame: one row per kept postal code, municipalities in number order."""
    postal = refdata.postal_codes()
    municipalities = refdata.municipalities(register_names=True)  # the frame copies the register
    centrality = refdata.centrality()

    residential = postal[postal["category"].isin(RESIDENTIAL_CATEGORIES)]
    residential = residential.sort_values(["municipality_code", "postal_code"])
    munis = municipalities.merge(centrality, on="municipality_code", how="inner", validate="one_to_one")

    rows = []
    for muni in munis.sort_values("municipality_code").itertuples(index=False):
        in_muni = residential[residential["municipality_code"] == muni.municipality_code]
        if len(in_muni) == 0:
            raise SystemExit(f"municipality {muni.municipality_code} {muni.municipality_name} has no "
                             "street-address postal code in the register")
        keep = codes_to_keep(len(in_muni))
        picks = np.unique(np.round(np.linspace(0, len(in_muni) - 1, keep)).astype(int))
        size = max(len(in_muni) - SIZE_BASELINE, 1)
        for code in in_muni.iloc[picks].itertuples(index=False):
            rows.append((code.postal_code, muni.municipality_code, muni.municipality_name, muni.county_code,
                         int(muni.centrality), size, code.place, code.category, code.municipality_name,
                         muni.county_name))
    return pd.DataFrame(rows, columns=COLUMNS)


def vintage(path: Path) -> str:
    """The vintage in a register's file name: a date (2026-01-22) or a year (2024)."""
    found = re.search(r"\d{4}-\d{2}-\d{2}|(?<!\d)\d{4}(?!\d)", path.name)
    if not found:
        raise SystemExit(f"{path}: no date or year in the file name, so the register's vintage is unknown; "
                         "rename it as its publisher or `fjernarbeid refdata update` does")
    return found.group(0)


def header(refdata: RefData) -> str:
    sources = {name: refdata.path(name).name for name in REGISTERS}
    vintages = " ".join(f"{name}={vintage(refdata.path(name))}" for name in REGISTERS)
    return (
        "# Sampling frame of the synthetic demo survey (fjernarbeid demo). Derived, not a copy of the registers:\n"
        "# a few real postal codes per municipality (Bring categories G/B, evenly spread), with municipality,\n"
        "# county and SSB centrality class. Made by scripts/derive_demo_frame.py from\n"
        f"#   Posten/Bring Postnummerregister ({sources['postal_codes']}),\n"
        f"#   SSB KLASS 131 municipalities ({sources['municipalities']}),\n"
        f"#   SSB KLASS 128 centrality ({sources['centrality']}).\n"
        "# municipality_size: a population proxy for drawing respondents (the registers carry no population):\n"
        f"#   street-address postal codes of the municipality beyond the first {SIZE_BASELINE}, at least 1.\n"
        "# place, category, postal_municipality_name: the postal register's place name, category and spelling\n"
        "#   of the municipality; county_name: SSB's (KLASS 131/104). For the demo's reference-data subset.\n"
        f"# vintage {vintages}\n"
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--refdata", help="reference-data directory (default: as fjernarbeid finds it)")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    refdata = RefData.locate(args.refdata)
    frame = derive_frame(refdata)
    buffer = io.StringIO()
    frame.to_csv(buffer, index=False, lineterminator="\n")
    write_text_atomic(args.out, header(refdata) + buffer.getvalue())
    by_class = frame.drop_duplicates("municipality_code").groupby("centrality")["municipality_size"].sum()
    shares = ", ".join(f"{c}: {s:.1%}" for c, s in (by_class / by_class.sum()).items())
    print(f"{args.out}: {len(frame)} postal codes in {frame['municipality_code'].nunique()} municipalities; "
          f"size by centrality class {shares}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

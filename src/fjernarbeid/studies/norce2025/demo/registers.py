"""A reference-data subset for the demo: the registers' entries for exactly the demo's postal codes.

Validation (postal codes known to Bring), and the derived municipality, county and centrality class
of every respondent, need Norway's reference registers, which the installed program does not ship.
The demo's respondents only live in the postal codes of its sampling frame (:mod:`.frame`), and the
frame keeps what the registers say about those codes, so ``fjernarbeid demo`` writes a ``refdata/``
folder beside the data, in the formats :class:`fjernarbeid.refdata.RefData` reads:

``postnummerregister_demo.tsv``
    Posten/Bring's *Postnummerregister* layout: tab-separated, no header; postal code, place,
    municipality number, municipality name (Bring's spelling), category.
``kommuner_demo.csv``
    SSB KLASS 131 municipalities with their county (KLASS 104): kommunenummer, kommunenavn,
    fylkesnummer, fylkesnavn.
``sentralitet_demo.csv``
    SSB KLASS 128 centrality class by municipality: kommune_code, kommune, sentralitet.

plus ``SOURCES.json`` and a README saying that these are derived demo subsets (with the registers'
vintages) and not for real data: a real respondent's postal code outside the demo frame is not in
them. ``fjernarbeid refdata update`` downloads the full registers.
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import pandas as pd

from fjernarbeid._io import write_bytes_atomic, write_text_atomic
from fjernarbeid.studies.norce2025.demo.frame import frame_vintages, load_frame
from fjernarbeid.refdata import DESCRIPTIONS

REFDATA_DIR = "refdata"
POSTAL_FILE = "postnummerregister_demo.tsv"
MUNICIPALITIES_FILE = "kommuner_demo.csv"
CENTRALITY_FILE = "sentralitet_demo.csv"
SOURCES_FILE = "SOURCES.json"
README_FILE = "README.txt"

STATEMENT = (
    "DERIVED DEMO SUBSET, NOT FOR REAL DATA. These files hold the reference registers' entries for only the "
    "postal codes of the synthetic demo's sampling frame (fjernarbeid demo), in the registers' own formats, so "
    "that the demo files can be validated and reported on without the full registers. A real respondent's "
    "postal code outside that frame is missing here; for real fieldwork use the full registers "
    "(`fjernarbeid refdata update`)."
)

# Where each register comes from (the publishers' downloads that `fjernarbeid refdata update` uses).
ORIGINS = {
    "postal_codes": {"publisher": "Posten Norge AS (Bring)", "register": "Postnummerregister",
                     "url": "https://www.bring.no/postnummerregister-ansi.txt"},
    "municipalities": {"publisher": "Statistics Norway (SSB)",
                       "register": "KLASS 131 Standard for kommuneinndeling (counties: KLASS 104)",
                       "url": "https://data.ssb.no/api/klass/v1/classifications/131"},
    "centrality": {"publisher": "Statistics Norway (SSB)", "register": "KLASS 128 Sentralitetsindeks",
                   "url": "https://data.ssb.no/api/klass/v1/classifications/128"},
}
FILES = {"postal_codes": POSTAL_FILE, "municipalities": MUNICIPALITIES_FILE, "centrality": CENTRALITY_FILE}


def register_tables() -> dict[str, pd.DataFrame]:
    """The three register subsets as tables, in their files' column order, sorted by code."""
    frame = load_frame().sort_values("postal_code")
    municipalities = frame.drop_duplicates("municipality_code").sort_values("municipality_code")
    return {
        "postal_codes": frame[["postal_code", "place", "municipality_code", "postal_municipality_name", "category"]],
        "municipalities": pd.DataFrame({
            "kommunenummer": municipalities["municipality_code"], "kommunenavn": municipalities["municipality_name"],
            "fylkesnummer": municipalities["county_code"], "fylkesnavn": municipalities["county_name"],
        }),
        "centrality": pd.DataFrame({
            "kommune_code": municipalities["municipality_code"], "kommune": municipalities["municipality_name"],
            "sentralitet": municipalities["centrality"],
        }),
    }


def _csv_bytes(table: pd.DataFrame, *, sep: str = ",", header: bool = True) -> bytes:
    buffer = io.StringIO()
    table.to_csv(buffer, sep=sep, header=header, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


REGISTER_FILES = (POSTAL_FILE, MUNICIPALITIES_FILE, CENTRALITY_FILE, SOURCES_FILE, README_FILE)


def write_registers(out_dir: str | Path) -> Path:
    """Write the subset into ``out_dir``/refdata (created if needed); returns that directory.

    Every file is written atomically and the same bytes every time (no clock time in any file).
    """
    directory = Path(out_dir) / REFDATA_DIR
    tables = register_tables()
    content = {
        "postal_codes": _csv_bytes(tables["postal_codes"], sep="\t", header=False),
        "municipalities": _csv_bytes(tables["municipalities"]),
        "centrality": _csv_bytes(tables["centrality"]),
    }
    vintages = frame_vintages()
    for register, data in content.items():
        write_bytes_atomic(directory / FILES[register], data)
    sources = {
        "demo_subset": True,
        "statement": STATEMENT,
        "postal_codes": int(len(tables["postal_codes"])),
        "files": {
            register: {
                "file": FILES[register], "description": DESCRIPTIONS[register], "rows": int(len(tables[register])),
                "sha256": hashlib.sha256(data).hexdigest(),
                "sources": [ORIGINS[register] | {"vintage": vintages[register]}],
                "derived": "the entries for the postal codes (municipalities) of the demo's sampling frame, "
                           "from fjernarbeid/studies/norce2025/demo/sampling_frame.csv",
            }
            for register, data in content.items()
        },
    }
    write_text_atomic(directory / SOURCES_FILE, json.dumps(sources, ensure_ascii=False, indent=2) + "\n")
    write_text_atomic(directory / README_FILE, readme_text(tables, vintages))
    return directory


def readme_text(tables: dict[str, pd.DataFrame], vintages: dict[str, str]) -> str:
    from fjernarbeid.studies.norce2025.demo.write import _wrap

    def origin(register: str) -> str:
        o = ORIGINS[register]
        return f"{o['publisher']}, {o['register']}, vintage {vintages[register]}."

    return f"""\
DERIVED DEMO SUBSET OF NORWAY'S REFERENCE REGISTERS - NOT FOR REAL DATA
=======================================================================

{_wrap(STATEMENT)}

Files ({len(tables['postal_codes']):,} postal codes in {len(tables['municipalities']):,} municipalities)
  {POSTAL_FILE}
      {origin('postal_codes')}
      Tab-separated, no header: postal code, place, municipality number, municipality name,
      category (G street addresses, B street addresses and post boxes).
  {MUNICIPALITIES_FILE}
      {origin('municipalities')}
  {CENTRALITY_FILE}
      {origin('centrality')}
  {SOURCES_FILE}
      Where each file comes from, its vintage, rows and SHA-256.

Use with the demo files, e.g.
  fjernarbeid validate demo_survey.csv --refdata refdata
  fjernarbeid report demo_survey.csv --dispositions demo_dispositions.csv --refdata refdata --out report
"""

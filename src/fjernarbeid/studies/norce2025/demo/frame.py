"""The demo's sampling frame: real postal codes with municipality, county, centrality and a size.

Shipped as package data (``sampling_frame.csv``), derived once from Posten/Bring's postal-code
register and SSB's municipality and centrality classifications by
``scripts/derive_demo_frame.py`` (which documents the choices). The program never needs the
registers themselves to make a demo: the frame also keeps each code's place name and category and
the county names, from which :mod:`.refdata` writes a reference-data subset next to the demo.
"""

from __future__ import annotations

import functools
import io
from importlib import resources

import numpy as np
import pandas as pd

FRAME_FILE = "sampling_frame.csv"
TEXT_COLUMNS = ("postal_code", "municipality_code", "municipality_name", "county_code", "place", "category",
                "postal_municipality_name", "county_name")


def _frame_text() -> str:
    return resources.files("fjernarbeid.studies.norce2025.demo").joinpath(FRAME_FILE).read_text("utf-8")


@functools.lru_cache(maxsize=1)
def load_frame() -> pd.DataFrame:
    """The frame, one row per postal code; ``draw_weight`` is the chance of drawing that code.

    A municipality is drawn with probability proportional to ``municipality_size`` and one of its
    postal codes uniformly, so ``draw_weight`` = size / codes in the municipality, normalised.
    """
    # names are text as written (a place called "NA" is not missing)
    frame = pd.read_csv(io.StringIO(_frame_text()), comment="#", dtype={c: str for c in TEXT_COLUMNS},
                        keep_default_na=False)
    codes_per_municipality = frame.groupby("municipality_code")["postal_code"].transform("size")
    weight = frame["municipality_size"] / codes_per_municipality
    frame["draw_weight"] = weight / weight.sum()
    return frame


@functools.lru_cache(maxsize=1)
def frame_vintages() -> dict[str, str]:
    """The vintage of each register the frame was derived from (its ``# vintage`` header line).

    Keys are :class:`fjernarbeid.refdata.RefData` register names: ``postal_codes``,
    ``municipalities``, ``centrality``.
    """
    for line in _frame_text().splitlines():
        if not line.startswith("#"):
            break
        if line.startswith("# vintage "):
            return dict(item.split("=", 1) for item in line.removeprefix("# vintage ").split())
    raise RuntimeError(f"{FRAME_FILE} has no '# vintage' header line; rerun scripts/derive_demo_frame.py")


def draw_addresses(rng: np.random.Generator, size: int) -> np.ndarray:
    """Row numbers of the frame for ``size`` people, drawn with replacement by ``draw_weight``."""
    frame = load_frame()
    return rng.choice(len(frame), size=size, p=frame["draw_weight"].to_numpy())

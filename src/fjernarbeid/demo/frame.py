"""The demo's sampling frame: real postal codes with municipality, county, centrality and a size.

Shipped as package data (``sampling_frame.csv``), derived once from Posten/Bring's postal-code
register and SSB's municipality and centrality classifications by
``scripts/derive_demo_frame.py`` (which documents the choices). The program never needs the
registers themselves to make a demo.
"""

from __future__ import annotations

import functools
import io
from importlib import resources

import numpy as np
import pandas as pd

FRAME_FILE = "sampling_frame.csv"


@functools.lru_cache(maxsize=1)
def load_frame() -> pd.DataFrame:
    """The frame, one row per postal code; ``draw_weight`` is the chance of drawing that code.

    A municipality is drawn with probability proportional to ``municipality_size`` and one of its
    postal codes uniformly, so ``draw_weight`` = size / codes in the municipality, normalised.
    """
    text = resources.files("fjernarbeid.demo").joinpath(FRAME_FILE).read_text("utf-8")
    frame = pd.read_csv(
        io.StringIO(text), comment="#",
        dtype={"postal_code": str, "municipality_code": str, "county_code": str, "municipality_name": str},
    )
    codes_per_municipality = frame.groupby("municipality_code")["postal_code"].transform("size")
    weight = frame["municipality_size"] / codes_per_municipality
    frame["draw_weight"] = weight / weight.sum()
    return frame


def draw_addresses(rng: np.random.Generator, size: int) -> np.ndarray:
    """Row numbers of the frame for ``size`` people, drawn with replacement by ``draw_weight``."""
    frame = load_frame()
    return rng.choice(len(frame), size=size, p=frame["draw_weight"].to_numpy())

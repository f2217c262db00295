"""A synthetic demo fieldwork, so that everything can be tried without data of one's own.

>>> from fjernarbeid.studies.norce2025.demo import generate_demo, write_demo
>>> demo = generate_demo(n=500, seed=2025)     # the report's fieldwork: 1,074 screened, 500 interviews
>>> paths = write_demo(demo, "demo-output")    # CSV, SPSS, metadata, README (marked synthetic), refdata/

How the data are made: :mod:`.model` (latent traits, screening, answers, read against fixed
population cut points), :mod:`.calibration` (how those cut points were derived), :mod:`.frame`
(the shipped sampling frame of real postal codes), :mod:`.dispositions` (AAPOR codes and counts),
:mod:`.registers` (the reference-data subset for the frame's postal codes).
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

# The defaults are here, not in .generate, so that the command line can show them in its --help
# without importing numpy and pandas (the rest is loaded on first use, PEP 562).
DEFAULT_N = 500  # completed interviews, as in the report
DEFAULT_SEED = 2025

_LAZY = {"DISPOSITIONS": "dispositions", "disposition_counts": "dispositions", "DemoFieldwork": "generate",
         "generate_demo": "generate", "summary_tables": "summary", "write_demo": "write"}

if TYPE_CHECKING:
    from fjernarbeid.studies.norce2025.demo.dispositions import DISPOSITIONS, disposition_counts
    from fjernarbeid.studies.norce2025.demo.generate import DemoFieldwork, generate_demo
    from fjernarbeid.studies.norce2025.demo.summary import summary_tables
    from fjernarbeid.studies.norce2025.demo.write import write_demo

__all__ = [
    "DEFAULT_N", "DEFAULT_SEED", "DISPOSITIONS", "DemoFieldwork", "disposition_counts", "generate_demo",
    "summary_tables", "write_demo",
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

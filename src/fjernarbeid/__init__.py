"""fjernarbeid — the NORCE/Hardanger 2025 remote-work study as rerunnable software.

The public API a notebook user needs is re-exported here; everything else is internal.

>>> import fjernarbeid as fj
>>> inst = fj.load_instrument()          # Vedlegg 1 as data
>>> inst.question_for_role("sex").label("en")
'Sex?'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING

from fjernarbeid.errors import FjernarbeidError

__version__ = "0.1.0"

__all__ = ["FjernarbeidError", "Instrument", "SurveyData", "load_instrument", "read_survey", "__version__"]

# The re-exports are loaded on first use (PEP 562): importing the package loads neither pandas nor
# numpy, so that the command line can choose numpy's BLAS threads first (fjernarbeid.cli._threads).
_LAZY = {"SurveyData": "fjernarbeid.data", "read_survey": "fjernarbeid.data",
         "Instrument": "fjernarbeid.instrument", "load_instrument": "fjernarbeid.instrument"}

if TYPE_CHECKING:
    from fjernarbeid.data import SurveyData, read_survey
    from fjernarbeid.instrument import Instrument, load_instrument


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(_LAZY[name]), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'fjernarbeid' has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

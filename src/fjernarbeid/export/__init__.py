"""Handing the results on: Excel banner tables and weighted microdata with disclosure control.

>>> from fjernarbeid.export import write_workbook, prepare_microdata, write_microdata
>>> write_workbook("report.xlsx", results, design, instrument)               # doctest: +SKIP
>>> export = prepare_microdata("fieldwork.csv", refdata="refdata/", k=5)     # doctest: +SKIP
>>> write_microdata(export, "survey.sav")                                     # doctest: +SKIP

The names are imported on first use (PEP 562): a light module of the package (``export.nets``,
which ``fjernarbeid tab`` uses to parse ``--net``) is imported without the banner tables' scipy,
openpyxl and pandas, so that ``fjernarbeid --help`` stays quick (tests/cli/test_startup.py).
"""

from __future__ import annotations

import importlib

_LAZY = {
    "BannerTable": "banner", "Breakdown": "banner", "banner_table": "banner", "banner_tables": "banner",
    "study_banner": "banner",
    "DisclosureReport": "disclosure", "KAnonymity": "disclosure", "k_anonymity": "disclosure", "protect": "disclosure",
    "MicrodataExport": "microdata", "prepare_microdata": "microdata", "write_microdata": "microdata",
    "write_workbook": "xlsx",
}

__all__ = [
    "BannerTable", "Breakdown", "DisclosureReport", "KAnonymity", "MicrodataExport", "banner_table", "banner_tables",
    "k_anonymity", "prepare_microdata", "protect", "study_banner", "write_microdata", "write_workbook",
]


def __getattr__(name: str):
    if name in _LAZY:
        value = getattr(importlib.import_module(f"{__name__}.{_LAZY[name]}"), name)
        globals()[name] = value
        return value
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def __dir__() -> list[str]:
    return sorted(set(globals()) | set(_LAZY))

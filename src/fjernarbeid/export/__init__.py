"""Handing the results on: Excel banner tables and weighted microdata with disclosure control.

>>> from fjernarbeid.export import write_workbook, prepare_microdata, write_microdata
>>> write_workbook("report.xlsx", results, design, instrument)               # doctest: +SKIP
>>> export = prepare_microdata("fieldwork.csv", refdata="refdata/", k=5)     # doctest: +SKIP
>>> write_microdata(export, "survey.sav")                                     # doctest: +SKIP
"""

from fjernarbeid.export.banner import BannerTable, Breakdown, banner_table, banner_tables, study_banner
from fjernarbeid.export.disclosure import DisclosureReport, KAnonymity, k_anonymity, protect
from fjernarbeid.export.microdata import MicrodataExport, prepare_microdata, write_microdata
from fjernarbeid.export.xlsx import write_workbook

__all__ = [
    "BannerTable", "Breakdown", "DisclosureReport", "KAnonymity", "MicrodataExport", "banner_table", "banner_tables",
    "k_anonymity", "prepare_microdata", "protect", "study_banner", "write_microdata", "write_workbook",
]

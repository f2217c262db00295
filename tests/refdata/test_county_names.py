"""County names as the reports write them: SSB's Norwegian–Sámi/Kven double forms ('Oslo-Oslove') become the
Norwegian name; a municipality's hyphenated name ('Aurskog-Høland') is one name and stays."""

from __future__ import annotations

import pandas as pd
import pytest

from fjernarbeid.refdata import RefData, municipality_facts, norwegian_county_name


@pytest.mark.parametrize("ssb, shown", [
    ("Oslo-Oslove", "Oslo"), ("Troms-Romssa", "Troms"), ("Finnmark-Finnmárkku", "Finnmark"),
    ("Trøndelag - Trööndelage", "Trøndelag"), ("Nordland-Nordlándda", "Nordland"),
    ("Troms og Finnmark - Romsa ja Finnmárku - Tromssa ja Finmarkku", "Troms og Finnmark"),
    ("Møre og Romsdal", "Møre og Romsdal"), ("Vestland", "Vestland"),
])
def test_a_double_form_becomes_the_norwegian_name(ssb, shown):
    assert norwegian_county_name(ssb) == shown


def test_a_missing_name_stays_missing():
    assert norwegian_county_name(None) is None and pd.isna(norwegian_county_name(float("nan")))


def test_every_county_of_the_registers_has_its_norwegian_name(refdata_dir):
    shipped = set(municipality_facts()["county_name"])
    municipalities = RefData(refdata_dir).municipalities()
    assert set(municipalities["county_name"]) == shipped
    assert {"Oslo", "Troms", "Finnmark", "Trøndelag", "Nordland", "Innlandet"} <= shipped and len(shipped) == 15
    assert not any("-" in name for name in shipped)
    # municipalities keep their names, hyphen and all
    assert "Aurskog-Høland" in set(municipalities["municipality_name"])

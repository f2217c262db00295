"""The demo's reference-data subset: the registers' own entries for the demo's postal codes, readable
by RefData, enough to validate and report on the demo, and saying what it is."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.studies.norce2025.demo.frame import load_frame
from fjernarbeid.studies.norce2025.demo.registers import (
    CENTRALITY_FILE, MUNICIPALITIES_FILE, POSTAL_FILE, README_FILE, SOURCES_FILE, write_registers,
)
from fjernarbeid.refdata import RefData


@pytest.fixture(scope="module")
def subset(tmp_path_factory):
    return write_registers(tmp_path_factory.mktemp("demo"))


def test_refdata_finds_each_register_in_the_folder(subset):
    ref = RefData(subset)
    assert ref.path("postal_codes").name == POSTAL_FILE
    assert ref.path("municipalities").name == MUNICIPALITIES_FILE
    assert ref.path("centrality").name == CENTRALITY_FILE


def test_every_demo_postal_code_resolves_as_in_the_full_registers(subset, refdata):
    codes = load_frame()["postal_code"]
    ours = RefData(subset).postal_lookup()
    full = refdata.postal_lookup().loc[codes]
    assert sorted(ours.index) == sorted(codes)
    columns = ["place", "municipality_code", "municipality_name", "county_code", "county_name", "centrality"]
    pd.testing.assert_frame_equal(ours.loc[codes, columns], full[columns])


def test_postal_lines_are_the_registers_own_lines(subset, refdata):
    ours = (subset / POSTAL_FILE).read_text("utf-8").splitlines()
    register = set(refdata.path("postal_codes").read_text("utf-8").splitlines())
    assert len(ours) == len(load_frame()) and set(ours) <= register


def test_municipalities_and_centrality_are_the_registers_rows(subset, refdata):
    kommuner = pd.read_csv(subset / MUNICIPALITIES_FILE, dtype=str)
    assert list(kommuner.columns) == ["kommunenummer", "kommunenavn", "fylkesnummer", "fylkesnavn"]
    full = pd.read_csv(refdata.path("municipalities"), dtype=str).set_index("kommunenummer")
    pd.testing.assert_frame_equal(kommuner.set_index("kommunenummer"), full.loc[kommuner["kommunenummer"]])
    centrality = pd.read_csv(subset / CENTRALITY_FILE, dtype={"kommune_code": str})
    assert list(centrality.columns[:3]) == ["kommune_code", "kommune", "sentralitet"]
    expected = refdata.centrality().set_index("municipality_code")["centrality"]
    assert centrality.set_index("kommune_code")["sentralitet"].to_dict() == expected.loc[centrality["kommune_code"]].to_dict()


def test_sources_and_readme_say_it_is_a_derived_demo_subset_with_vintages(subset):
    sources = json.loads((subset / SOURCES_FILE).read_text("utf-8"))
    assert sources["demo_subset"] is True and "NOT FOR REAL DATA" in sources["statement"]
    vintages = {register: entry["sources"][0]["vintage"] for register, entry in sources["files"].items()}
    assert vintages == {"postal_codes": "2026-01-22", "municipalities": "2024", "centrality": "2024"}
    for entry in sources["files"].values():
        assert hashlib.sha256((subset / entry["file"]).read_bytes()).hexdigest() == entry["sha256"]
    assert sources["files"]["postal_codes"]["sources"][0]["publisher"].startswith("Posten Norge AS (Bring)")
    readme = (subset / README_FILE).read_text("utf-8")
    assert readme.startswith("DERIVED DEMO SUBSET") and "NOT FOR REAL DATA" in readme
    assert "vintage 2026-01-22" in readme and "KLASS 128" in readme


def test_rewriting_gives_the_same_bytes(subset, tmp_path):
    again = write_registers(tmp_path)
    for name in (POSTAL_FILE, MUNICIPALITIES_FILE, CENTRALITY_FILE, SOURCES_FILE, README_FILE):
        assert (again / name).read_bytes() == (subset / name).read_bytes(), name


def test_validate_accepts_the_demo_with_its_own_refdata(tmp_path, monkeypatch):
    monkeypatch.delenv("FJERNARBEID_REFDATA", raising=False)
    runner = CliRunner()
    assert runner.invoke(app, ["demo", "--out", str(tmp_path), "--no-sav"]).exit_code == 0
    result = runner.invoke(app, ["validate", str(tmp_path / "demo_survey.csv"), "--refdata", str(tmp_path / "refdata")])
    assert result.exit_code == 0, result.output
    assert "no errors" in result.output and "not against the postal-code register" not in result.output

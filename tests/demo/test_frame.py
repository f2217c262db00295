"""The shipped sampling frame agrees with the registers it was derived from, and is reproducible."""

from __future__ import annotations

import importlib.util
import io
from pathlib import Path

import numpy as np
import pytest

from fjernarbeid.studies.norce2025.demo.frame import FRAME_FILE, draw_addresses, frame_vintages, load_frame

SCRIPT = Path(__file__).resolve().parents[2] / "scripts" / "derive_demo_frame.py"


@pytest.fixture(scope="module")
def frame():
    return load_frame()


def test_every_postal_code_is_a_residential_code_of_the_register(frame, refdata):
    register = refdata.postal_codes().set_index("postal_code")
    assert frame["postal_code"].is_unique
    assert frame["postal_code"].str.fullmatch(r"\d{4}").all()
    unknown = set(frame["postal_code"]) - set(register.index)
    assert not unknown, f"postal codes not in Bring's register: {sorted(unknown)[:10]}"
    assert set(register.loc[frame["postal_code"], "category"]) <= {"G", "B"}


def test_municipality_county_and_centrality_agree_with_the_registers(frame, refdata):
    lookup = refdata.postal_lookup().loc[frame["postal_code"]]
    assert (lookup["municipality_code"].to_numpy() == frame["municipality_code"].to_numpy()).all()
    assert (lookup["municipality_name"].to_numpy() == frame["municipality_name"].to_numpy()).all()
    assert (lookup["county_code"].to_numpy() == frame["county_code"].to_numpy()).all()
    assert (lookup["centrality"].astype(int).to_numpy() == frame["centrality"].to_numpy()).all()


def test_place_category_and_names_are_the_registers(frame, refdata):
    register = refdata.postal_codes().set_index("postal_code").loc[frame["postal_code"]]
    assert (register["place"].to_numpy() == frame["place"].to_numpy()).all()
    assert (register["category"].to_numpy() == frame["category"].to_numpy()).all()
    assert (register["municipality_name"].to_numpy() == frame["postal_municipality_name"].to_numpy()).all()
    counties = refdata.municipalities(register_names=True).set_index("municipality_code").loc[frame["municipality_code"]]
    assert (counties["county_name"].to_numpy() == frame["county_name"].to_numpy()).all()


def test_the_registers_vintages_are_recorded(refdata):
    assert frame_vintages() == {"postal_codes": "2026-01-22", "municipalities": "2024", "centrality": "2024"}
    assert frame_vintages()["postal_codes"] in refdata.path("postal_codes").name


def test_every_municipality_is_in_the_frame(frame, refdata):
    assert set(frame["municipality_code"]) == set(refdata.centrality()["municipality_code"])


def test_the_shipped_frame_is_what_the_script_makes_from_the_registers(refdata):
    spec = importlib.util.spec_from_file_location("derive_demo_frame", SCRIPT)
    script = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(script)
    buffer = io.StringIO()
    script.derive_frame(refdata).to_csv(buffer, index=False, lineterminator="\n")
    shipped = (Path(__file__).resolve().parents[2] / "src" / "fjernarbeid" / "studies" / "norce2025" / "demo" / FRAME_FILE).read_text("utf-8")
    assert shipped == script.header(refdata) + buffer.getvalue()


def test_size_puts_about_half_of_the_weight_in_the_two_most_central_classes(frame):
    by_class = frame.groupby("centrality")["draw_weight"].sum()
    assert by_class.sum() == pytest.approx(1.0)
    assert 0.38 < by_class[[1, 2]].sum() < 0.50  # before screening; remote workers live more centrally


def test_draws_follow_the_weights(frame):
    rows = draw_addresses(np.random.default_rng(0), 200_000)
    drawn = np.bincount(frame["centrality"].to_numpy()[rows], minlength=7)[1:] / len(rows)
    expected = frame.groupby("centrality")["draw_weight"].sum().to_numpy()
    assert drawn == pytest.approx(expected, abs=0.005)

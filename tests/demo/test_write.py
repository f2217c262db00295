"""The demo's files: byte-identical for a seed, readable back, labelled, and saying they are synthetic."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pyreadstat
import pytest

from fjernarbeid.studies.norce2025.demo import write_demo
from fjernarbeid.studies.norce2025.demo.write import SAV_FILE_LABEL

FILES = ["README.txt", "demo_dispositions.csv", "demo_metadata.json", "demo_survey.csv", "demo_survey.sav", "refdata"]
REFDATA_FILES = ["README.txt", "SOURCES.json", "kommuner_demo.csv", "postnummerregister_demo.tsv", "sentralitet_demo.csv"]


@pytest.fixture(scope="module")
def written(make_demo, tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    write_demo(make_demo(), out)
    return out


def test_writes_the_five_files_and_the_refdata_folder(written):
    assert sorted(p.name for p in written.iterdir()) == FILES
    assert sorted(p.name for p in (written / "refdata").iterdir()) == REFDATA_FILES


def test_same_seed_gives_byte_identical_files(make_demo, written, tmp_path):
    write_demo(make_demo(), tmp_path)
    for name in [f for f in FILES if f != "refdata"] + [f"refdata/{f}" for f in REFDATA_FILES]:
        assert (tmp_path / name).read_bytes() == (written / name).read_bytes(), name


def test_survey_csv_reads_back_as_generated(make_demo, written):
    survey = make_demo().survey
    text = (written / "demo_survey.csv").read_text("utf-8")
    assert text.splitlines()[0] == ",".join(survey.columns)
    back = pd.read_csv(written / "demo_survey.csv", dtype={"q201": str, "q5_text": str}, keep_default_na=False,
                       na_values=[""])
    assert back["q201"].tolist() == survey["q201"].tolist()  # leading zeros kept
    for column in survey.columns.drop(["q201", "q5_text"]):
        assert back[column].astype("Float64").equals(survey[column].astype("Float64")), column
    assert back["q5_text"].fillna("").tolist() == survey["q5_text"].fillna("").tolist()


def test_dispositions_csv_reads_back_as_generated(make_demo, written):
    log = make_demo().dispositions
    back = pd.read_csv(written / "demo_dispositions.csv", dtype={"disposition": str, "q201": str})
    assert back["disposition"].tolist() == log["disposition"].astype(str).tolist()
    assert back["disposition_label"].tolist() == log["disposition_label"].astype(str).tolist()
    assert back["final_date"].tolist() == log["final_date"].astype(str).tolist()
    assert back["q201"].fillna("").tolist() == log["q201"].astype(object).fillna("").tolist()
    for column in ("contact_id", "attempts", "q202", "q1", "q2", "id"):
        assert back[column].astype("Float64").equals(log[column].astype("Float64")), column


def test_sav_carries_the_instruments_labels_and_missing_codes(make_demo, written, instrument):
    data, meta = pyreadstat.read_sav(written / "demo_survey.sav", user_missing=True)
    survey = make_demo().survey
    assert meta.column_names == list(survey.columns)
    labels = instrument.variable_labels()
    assert meta.column_names_to_labels == {name: labels[name] for name in survey.columns}
    for name, codes in instrument.value_labels().items():
        if name in survey.columns:
            assert meta.variable_value_labels[name] == {float(k): v for k, v in codes.items()}, name
    for q in instrument:
        if q.missing_codes:
            ranges = [(r["lo"], r["hi"]) for r in meta.missing_ranges[q.name]]
            assert ranges == [(float(c), float(c)) for c in q.missing_codes], q.name
        else:
            assert q.name not in meta.missing_ranges
    assert meta.variable_measure["q6_1"] == "ordinal" and meta.variable_measure["q207"] == "nominal"
    # the values themselves, with "not sure" kept as a code when read with user_missing=True
    for column in survey.columns.drop(["q201", "q5_text"]):
        expected = survey[column].astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        assert np.array_equal(data[column].to_numpy(dtype=float), expected, equal_nan=True), column
    assert data["q201"].tolist() == survey["q201"].tolist()


def test_sav_read_as_an_analyst_would_treats_not_sure_as_missing(written, make_demo):
    data, _ = pyreadstat.read_sav(written / "demo_survey.sav")
    survey = make_demo().survey
    assert data["q6_1"].isna().sum() == survey["q6_1"].eq(6).sum() > 0


def test_every_file_says_synthetic(make_demo, written):
    _, meta = pyreadstat.read_sav(written / "demo_survey.sav", metadataonly=True)
    assert meta.file_label == SAV_FILE_LABEL and "SYNTHETIC" in meta.file_label
    assert any("SYNTHETIC DATA" in note for note in meta.notes)
    assert meta.creation_time == pd.Timestamp(make_demo().generated).to_pydatetime()  # from the seed, not the clock
    metadata = json.loads((written / "demo_metadata.json").read_text("utf-8"))
    assert metadata["synthetic"] is True and "SYNTHETIC" in metadata["statement"]
    assert (metadata["seed"], metadata["n"], metadata["generated"]) == (2025, 500, "2025-12-02")
    assert metadata["fieldwork"]["contacts_screened"] == 1074
    assert sorted(metadata["files"].values()) == FILES
    assert metadata["reference_data"]["demo_subset"] is True
    assert metadata["reference_data"]["vintages"]["postal_codes"] == "2026-01-22"
    assert metadata["model_version"] == "2"
    readme = (written / "README.txt").read_text("utf-8")
    assert readme.startswith("SYNTHETIC DEMO DATA") and "SYNTETISKE DATA" in readme
    assert "fjernarbeid demo --seed 2025 --n 500" in readme
    assert "--refdata refdata" in readme and "not for real data" in readme


def test_without_sav(make_demo, tmp_path):
    paths = write_demo(make_demo(), tmp_path, sav=False)
    assert "survey_sav" not in paths and not (tmp_path / "demo_survey.sav").exists()
    assert "demo_survey.sav" not in (tmp_path / "README.txt").read_text("utf-8")

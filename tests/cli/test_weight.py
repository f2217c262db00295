"""``fjernarbeid weight``: weighting a fieldwork file to SSB's population by sex and age group."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_IMPOSSIBLE, EXIT_INVALID_DATA, EXIT_OK, EXIT_USAGE
from fjernarbeid.refdata import population_targets

runner = CliRunner()


def weight(*args):
    return runner.invoke(app, ["weight", *map(str, args)])


@pytest.fixture
def fieldwork(tmp_path):
    rng = np.random.default_rng(11)
    n = 250
    frame = pd.DataFrame({"id": np.arange(1001, 1001 + n), "q202": rng.integers(1964, 2001, n),
                          "q207": rng.integers(1, 3, n), "q12": rng.integers(1, 7, n)})
    path = tmp_path / "fieldwork.csv"
    frame.to_csv(path, index=False)
    return path


def test_writes_the_data_with_weights_that_hit_the_targets(fieldwork, tmp_path):
    before = fieldwork.read_bytes()
    out = tmp_path / "weighted.csv"
    result = weight(fieldwork, "--out", out)
    assert result.exit_code == EXIT_OK, result.output
    assert fieldwork.read_bytes() == before  # the input is never touched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["fieldwork.csv", "weighted.csv"]  # no temporary left
    data = pd.read_csv(out)
    assert {"id", "q202", "q207", "q12", "age", "age_group", "weight"} <= set(data.columns)
    weighted = data.groupby(["q207", "age_group"])["weight"].sum()
    targets = population_targets().set_index(["sex", "age_group"])["population"]
    np.testing.assert_allclose(weighted.to_numpy(), targets.loc[weighted.index].to_numpy(), rtol=1e-9)
    assert "Kish design effect" in result.stdout and "Kvinne, 25-29 år" in result.stdout


def test_json_report_and_raking(fieldwork, tmp_path):
    result = weight(fieldwork, "--out", tmp_path / "w.parquet", "--weighting", "rake", "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    report = json.loads(result.stdout)
    assert report["method"] == "rake" and report["converged"] and report["n"] == 250
    assert report["kish_deff"] == pytest.approx(1 + report["cv"] ** 2)
    margins = pd.DataFrame(report["margins"])
    assert set(margins["variable"]) == {"q207", "age_group"}
    np.testing.assert_allclose(margins["weighted"], margins["target"], atol=1.0)
    assert pd.read_parquet(tmp_path / "w.parquet")["weight"].sum() == pytest.approx(population_targets()["population"].sum())


def test_an_empty_cell_is_impossible_and_raking_is_suggested(fieldwork, tmp_path):
    frame = pd.read_csv(fieldwork)
    frame = frame[~((frame.q207 == 1) & (frame.q202 <= 1970))]  # no men aged 55-60 (born 1964-1970)
    frame.to_csv(fieldwork, index=False)
    result = weight(fieldwork, "--out", tmp_path / "w.csv")
    assert result.exit_code == EXIT_IMPOSSIBLE
    assert "q207=1, age_group=7" in result.stderr and "method='rake'" in result.stderr
    assert "`--weighting rake`" in result.stderr and "--method" not in result.stderr  # the option of this command
    assert not (tmp_path / "w.csv").exists()
    assert weight(fieldwork, "--out", tmp_path / "w.csv", "--weighting", "rake").exit_code == EXIT_OK


def test_method_is_still_accepted_as_the_earlier_name_of_weighting(fieldwork, tmp_path):
    result = weight(fieldwork, "--out", tmp_path / "w.csv", "--method", "rake", "--format", "json")
    assert result.exit_code == EXIT_OK and json.loads(result.stdout)["method"] == "rake"
    assert weight(fieldwork, "--out", tmp_path / "w.csv", "--weighting", "nonsense").exit_code == EXIT_USAGE


def test_a_study_file_that_breaks_the_rules_is_weighted_with_a_warning(study_csv, tmp_path):
    frame = pd.read_csv(study_csv, dtype=str, keep_default_na=False)
    frame.loc[4, "q23"] = "8"  # not a code of q23
    frame.to_csv(tmp_path / "bad.csv", index=False)
    result = weight(tmp_path / "bad.csv", "--out", tmp_path / "w.csv")
    assert result.exit_code == EXIT_OK
    warning = " ".join(result.stderr.split())
    assert "has 1 validation error(s)" in warning and "fjernarbeid validate" in warning
    assert "warning" not in weight(study_csv, "--out", tmp_path / "w2.csv").stderr


def test_respondents_without_sex_or_birth_year_are_named(fieldwork, tmp_path):
    frame = pd.read_csv(fieldwork).astype({"q207": "Int64"})
    frame.loc[4, "q207"] = pd.NA
    frame.to_csv(fieldwork, index=False)
    result = weight(fieldwork, "--out", tmp_path / "w.csv")
    assert result.exit_code == EXIT_INVALID_DATA
    assert "q207 is missing at line 6 (id 1005)" in result.stderr


def test_refuses_to_overwrite_the_input_and_odd_outputs(fieldwork, tmp_path):
    assert weight(fieldwork, "--out", fieldwork).exit_code == EXIT_BAD_INPUT
    assert weight(fieldwork, "--out", tmp_path / "w.txt").exit_code == EXIT_USAGE


def test_help():
    result = runner.invoke(app, ["weight", "--help"])
    assert result.exit_code == 0 and "--weighting" in result.stdout and "SSB" in result.stdout
    assert "--method" not in result.stdout  # the earlier name still works, but is not advertised

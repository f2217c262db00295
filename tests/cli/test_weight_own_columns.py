"""`fjernarbeid weight FILE --targets totals.csv` on a file that is not the study's survey: the file's own
columns calibrated as R's postStratify and rake, the weights written beside the data."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_OK, EXIT_USAGE

runner = CliRunner()


def test_post_stratified_weights_are_the_population_over_the_sample_in_each_cell(fixtures_dir, tmp_path):
    # R: postStratify(svydesign(id=~1, data=apisrs), ~stype, pop): equal weights become N_h / n_h
    data = fixtures_dir / "r" / "data" / "calib_apisrs.csv"
    targets = fixtures_dir / "r" / "data" / "calib_targets_stype.csv"
    out = tmp_path / "weighted.csv"
    ran = runner.invoke(app, ["weight", str(data), "--targets", str(targets), "--out", str(out), "--format", "json"])
    assert ran.exit_code == EXIT_OK, ran.output
    weighted = pd.read_csv(out)
    population = pd.read_csv(targets).set_index("category")["target"]
    n_h = weighted["stype"].map(weighted["stype"].value_counts())
    np.testing.assert_allclose(weighted["weight"], weighted["stype"].map(population) / n_h, rtol=1e-12)
    original = pd.read_csv(data)
    assert list(weighted.columns) == [*original.columns, "weight"] and len(weighted) == len(original)
    account = json.loads(ran.stdout)
    assert account["method"] == "poststratify" and account["base_weights"] == "equal"


def test_raked_weights_meet_every_margin_from_the_given_weights(fixtures_dir, tmp_path):
    data = fixtures_dir / "r" / "data" / "calib_apisrs.csv"
    targets = fixtures_dir / "r" / "data" / "calib_targets_margins.csv"
    out = tmp_path / "raked.csv"
    ran = runner.invoke(app, ["weight", str(data), "--targets", str(targets), "--weight", "pw", "--out", str(out)])
    assert ran.exit_code == EXIT_OK, ran.output
    assert "rake" in " ".join(ran.output.split())
    weighted = pd.read_csv(out)
    for row in pd.read_csv(targets).itertuples():
        got = weighted.loc[weighted[row.variable].astype(str) == str(row.category), "weight"].sum()
        assert abs(got - row.target) <= 1.0  # R's rake stops within epsilon = 1 of every margin


def test_weight_of_a_column_is_for_a_files_own_targets_only(tmp_path, fixtures_dir):
    data = fixtures_dir / "r" / "data" / "calib_apisrs.csv"
    ran = runner.invoke(app, ["weight", str(data), "--weight", "pw", "--out", str(tmp_path / "w.csv")])
    assert ran.exit_code == EXIT_USAGE
    assert "--weight gives the weights before calibrating" in " ".join(ran.output.split())
    assert not (tmp_path / "w.csv").exists()

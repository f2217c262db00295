"""The targeting specification: the 2025 study's file, and clear errors for a wrong one."""

from __future__ import annotations

import pytest
import yaml

from fjernarbeid.errors import InstrumentError
from fjernarbeid.target.spec import load_spec, parse_spec


def test_the_study_specification_names_its_outcomes_covariates_and_screening():
    spec = load_spec()
    move = spec.outcome("move")
    assert move.yes == (1, 2) and move.ordinal and move.potential and move.projection == "P18"
    assert spec.area_covariates == ("sex", "age_group", "centrality_group")
    assert set(spec.screening.covariates) <= set(spec.area_covariates)
    assert spec.variables["centrality_group"].recode() == {1: 1, 2: 1, 3: 2, 4: 3, 5: 4, 6: 4}
    assert spec.region_name == "Hardanger"


def _raw() -> dict:
    from importlib import resources

    return yaml.safe_load(resources.files("fjernarbeid.studies.norce2025").joinpath("targeting.yaml").read_text("utf-8"))


def test_a_covariate_that_is_not_defined_is_named():
    raw = _raw()
    raw["covariates"] = raw["covariates"] + ["income"]
    with pytest.raises(InstrumentError, match=r"covariates name variables not defined under 'variables': \['income'\]"):
        parse_spec(raw, "mine.yaml")


def test_an_old_code_in_two_groups_is_refused():
    raw = _raw()
    raw["variables"]["centrality_group"]["groups"] = {1: [1, 2], 2: [2, 3]}
    with pytest.raises(InstrumentError, match="centrality_group: an old code is in two groups"):
        parse_spec(raw, "mine.yaml")


def test_screening_covariates_must_be_known_for_the_population():
    raw = _raw()
    raw["screening"]["covariates"] = ["education"]
    with pytest.raises(InstrumentError, match="screening covariates must be area covariates too"):
        parse_spec(raw, "mine.yaml")


def test_an_outcome_without_yes_codes_is_refused():
    raw = _raw()
    del raw["outcomes"][0]["yes_codes"]
    with pytest.raises(InstrumentError, match="outcome move: the targeting specification needs 'yes_codes'"):
        parse_spec(raw, "mine.yaml")

"""Reference data shared by the survey tests: R's api data and the values R survey computed from it
(tests/fixtures/r/*.R)."""

from __future__ import annotations

import json
from importlib.util import module_from_spec, spec_from_file_location
from pathlib import Path

import pandas as pd
import pytest

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"


@pytest.fixture(scope="session")
def api():
    """tests/fixtures/r/association.py: the association fixtures' designs rebuilt in Python."""
    spec = spec_from_file_location("association_reference", FIXTURES / "r" / "association.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def designs(api):
    return api.designs()


@pytest.fixture(scope="session")
def reference(api):
    return api.reference()


@pytest.fixture(scope="session")
def R():
    """Reference values of tests/fixtures/r/estimation.R."""
    return json.loads((FIXTURES / "r" / "estimation.json").read_text())


@pytest.fixture(scope="session")
def apistrat():
    return pd.read_csv(FIXTURES / "api" / "apistrat.csv")


@pytest.fixture(scope="session")
def apiclus1():
    return pd.read_csv(FIXTURES / "api" / "apiclus1.csv")


@pytest.fixture(scope="session")
def parity():
    """tests/fixtures/r/parity.py: R's example data sets (nhanes, yrbs, mu284, election) and the
    values parity.R computed from them."""
    spec = spec_from_file_location("parity_reference", FIXTURES / "r" / "parity.py")
    module = module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def parity_ref(parity):
    return parity.reference()

"""Shared fixtures. Tests may read the read-only reference data in ../shared/refdata; the installed
program never needs it."""

from __future__ import annotations

from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present (it holds the report and reference data)")
    return SHARED


@pytest.fixture(scope="session")
def refdata_dir(shared_dir: Path) -> Path:
    return shared_dir / "refdata"


@pytest.fixture(scope="session")
def refdata(refdata_dir: Path):
    from fjernarbeid.refdata import RefData

    return RefData(refdata_dir)


@pytest.fixture(scope="session")
def instrument():
    from fjernarbeid.instrument import load_instrument

    return load_instrument()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES

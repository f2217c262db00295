"""Shared fixtures of the export tests: a small weighted demo survey and its files on disk."""

from __future__ import annotations

import pytest

DEMO_N, DEMO_SEED = 300, 11


@pytest.fixture(scope="session")
def export_demo():
    from fjernarbeid.studies.norce2025.demo.generate import generate_demo

    return generate_demo(DEMO_N, DEMO_SEED)


@pytest.fixture(scope="session")
def export_frame(export_demo, instrument, refdata):
    """The demo answers with every derived variable (municipality, centrality … from the registers)."""
    from fjernarbeid.data.derive import derive

    return derive(export_demo.survey, instrument, refdata)


@pytest.fixture(scope="session")
def export_weighted(export_frame, instrument):
    from fjernarbeid.survey.weighting import weight_study

    return weight_study(export_frame, instrument)


@pytest.fixture(scope="session")
def demo_csv(export_demo, tmp_path_factory):
    """The demo written as the demo command writes it (CSV and the metadata saying it is synthetic)."""
    from fjernarbeid.studies.norce2025.demo.write import write_demo

    paths = write_demo(export_demo, tmp_path_factory.mktemp("demo"), sav=False)
    return paths["survey_csv"]

"""Fixtures of the command-line tests: the study's survey as a file (the console entry point run
in-process, ``run_main``, is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest


@pytest.fixture(scope="session")
def study_csv(tmp_path_factory, demo) -> Path:
    """The synthetic demo's interviews as `fjernarbeid demo` writes them (demo_survey.csv)."""
    from fjernarbeid.studies.norce2025.demo.write import write_csv

    return write_csv(demo.survey, tmp_path_factory.mktemp("study") / "demo_survey.csv")



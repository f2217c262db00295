"""Fixtures: the demo's files as `fjernarbeid demo` writes them, and the target analysis run on them once."""

from __future__ import annotations

from pathlib import Path

import pytest

HARDANGER = ["4618", "4619", "4620", "4622"]


@pytest.fixture(scope="session")
def demo_files(tmp_path_factory, demo) -> Path:
    from fjernarbeid.studies.norce2025.demo.write import write_demo

    out = tmp_path_factory.mktemp("target-demo")
    write_demo(demo, out, sav=False)
    return out


@pytest.fixture(scope="session")
def target_result(demo_files):
    from fjernarbeid.target.pipeline import target_from_files

    return target_from_files(demo_files / "demo_survey.csv", demo_files / "demo_dispositions.csv",
                             refdata_dir=demo_files / "refdata", region=HARDANGER, region_name="Hardanger")


@pytest.fixture(scope="session")
def target_doc(target_result) -> dict:
    return target_result.to_dict()

"""Is a fieldwork file the synthetic demo? The demo's own files say so; other files do not."""

from __future__ import annotations

import shutil

import pytest

from fjernarbeid.data.synthetic import is_synthetic


@pytest.fixture(scope="module")
def demo_files(tmp_path_factory):
    from fjernarbeid.studies.norce2025.demo.generate import generate_demo
    from fjernarbeid.studies.norce2025.demo.write import write_demo

    return write_demo(generate_demo(40, 5), tmp_path_factory.mktemp("demo"))


def test_the_demos_files_are_synthetic(demo_files):
    assert is_synthetic(demo_files["survey_csv"]) and is_synthetic(demo_files["survey_sav"])


def test_the_demos_spss_file_says_so_by_itself(demo_files, tmp_path):
    alone = tmp_path / "copied.sav"
    shutil.copy(demo_files["survey_sav"], alone)  # without demo_metadata.json beside it
    assert is_synthetic(alone)
    csv = tmp_path / "copied.csv"
    shutil.copy(demo_files["survey_csv"], csv)  # a CSV has no label: without the metadata it is not known
    assert not is_synthetic(csv)


@pytest.mark.parametrize("metadata", ['{"synthetic": false}', "not json", "[1, 2]"])
def test_metadata_that_does_not_say_synthetic_means_not_synthetic(tmp_path, metadata):
    (tmp_path / "demo_metadata.json").write_text(metadata, "utf-8")
    (tmp_path / "survey.csv").write_text("id\n1\n", "utf-8")
    assert not is_synthetic(tmp_path / "survey.csv")


def test_an_unreadable_spss_file_is_not_called_synthetic(tmp_path):
    broken = tmp_path / "broken.sav"
    broken.write_bytes(b"not an SPSS file")
    assert not is_synthetic(broken)

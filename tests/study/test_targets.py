"""A targets file as a Norwegian user saves it from Excel: read like every other text input."""

from __future__ import annotations

import pytest

from fjernarbeid.errors import InputFileError
from fjernarbeid.study.targets import read_targets_csv


def test_a_targets_file_saved_by_norwegian_excel_is_read_with_its_cross_and_decimal_commas(tmp_path):
    """Excel's "CSV (semikolonseparert)": ';', Windows-1252 (the '×' of a cross is byte D7) and 210,5."""
    path = tmp_path / "targets.csv"
    path.write_bytes("variable;category;target\nskole×kjonn;kvam_vgs|jente;210,5\nskole×kjonn;kvam_vgs|gutt;230\n"
                     .encode("cp1252"))
    rows = read_targets_csv(path)
    assert [(r.variables, r.categories, r.target) for r in rows] == [
        (("skole", "kjonn"), ("kvam_vgs", "jente"), 210.5), (("skole", "kjonn"), ("kvam_vgs", "gutt"), 230.0)]


def test_a_comma_in_a_comma_separated_file_is_no_decimal_comma(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text('variable,category,target\nkjonn,Mann,"1,850"\n', "utf-8")
    with pytest.raises(InputFileError, match=r"line 2, column target: '1,850' is not a number"):
        read_targets_csv(path)


def test_a_targets_file_in_decomposed_unicode_is_read_composed(tmp_path):
    """'Åsnes' saved as A + combining ring (Unicode NFD, as macOS may write it) is the data's composed 'Åsnes'."""
    path = tmp_path / "targets.csv"
    path.write_text("variable,category,target\nkommune,A\u030asnes,1550\nkommune,Ha\u030a,1544\n", "utf-8")
    assert [r.categories for r in read_targets_csv(path)] == [("\u00c5snes",), ("H\u00e5",)]


def test_the_study_weighting_matches_a_decomposed_label():
    from fjernarbeid.study.weighting import _norm

    assert _norm("A\u030asnes") == _norm("\u00c5snes")


def test_a_target_without_a_category_says_targets_are_counts_per_category(tmp_path):
    path = tmp_path / "targets.csv"
    path.write_text("variable,category,target\nstype,E,4421\nenroll,,3811472\n", "utf-8")
    with pytest.raises(InputFileError, match=r"line 3: enroll has a target but no category; targets are population "
                                             r"counts per category .* is not supported"):
        read_targets_csv(path)

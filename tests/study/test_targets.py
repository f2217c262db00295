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

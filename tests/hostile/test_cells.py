"""Spreadsheet formula injection: text cells neutralised in every CSV and workbook (fjernarbeid._cells)."""

from __future__ import annotations

import pandas as pd
import pytest
from openpyxl import Workbook, load_workbook

from fjernarbeid._cells import is_formula_like, make_workbook_inert, neutralise, neutralise_frame, restore


@pytest.mark.parametrize("text", ['=HYPERLINK("http://x","klikk")', "+cmd|' /C calc'!A0", "@SUM(A1)", "=1+1",
                                  "\t=1+1", "\r=1+1", " =1+1", "-2+3", "-x", "\tplain", "+47 912 34 567"])
def test_formula_like_text_gets_an_apostrophe_and_comes_back_unchanged(text):
    assert is_formula_like(text)
    assert neutralise(text) == "'" + text
    assert restore(neutralise(text)) == text


@pytest.mark.parametrize("value", ["Bergen", "", "-3", "+47", "-1.5e3", "3,5", "50%", " hei", 7, -3.5, None])
def test_plain_text_and_numbers_are_left_alone(value):
    assert not is_formula_like(value) if isinstance(value, str) else True
    assert neutralise(value) == value


def test_a_frame_keeps_its_numbers_and_types():
    frame = pd.DataFrame({"n": [-1, 2], "x": [-1.5, 2.0], "text": ["=1+1", "ok"], "=col": ["a", "b"],
                          "cat": pd.Categorical(["@x", "y"])})
    out = neutralise_frame(frame)
    assert out["n"].tolist() == [-1, 2] and out["x"].tolist() == [-1.5, 2.0]
    assert out["text"].tolist() == ["'=1+1", "ok"]
    assert list(out.columns) == ["n", "x", "text", "'=col", "cat"]
    assert out["cat"].tolist() == ["'@x", "y"]
    assert frame["text"].tolist() == ["=1+1", "ok"]  # the caller's frame is not changed


def test_a_workbook_holds_no_formula_and_shows_the_text_unchanged(tmp_path):
    workbook = Workbook()
    sheet = workbook.active
    sheet.append(["=1+1", "@SUM(A1)", "ok", 5])
    make_workbook_inert(workbook)
    workbook.save(tmp_path / "w.xlsx")

    cells = next(load_workbook(tmp_path / "w.xlsx").active.iter_rows())
    assert [c.value for c in cells] == ["=1+1", "@SUM(A1)", "ok", 5]
    assert [c.data_type for c in cells] == ["s", "s", "s", "n"]
    assert [c.quotePrefix for c in cells] == [True, True, False, False]

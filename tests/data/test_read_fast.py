"""The fast CSV reading (Arrow's reader, blank cells and whole numbers judged on Arrow's buffers)
gives exactly what the text path gives: the same table, frame, types, unparsed cells, notes and row
numbers; files it cannot read the same way go to pandas' reader."""

from __future__ import annotations

import io

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.data import read as R
from fjernarbeid.data.read import read_survey
from fjernarbeid.data.validate import validate
from fjernarbeid.errors import InputFileError

# cells of every kind that blank-detection and the whole-number check must judge as Python does
ODD_CELLS = ["", " ", "  ", "\t", "\u00a0", "\u3000", "\u2003", "\x1c", "\x85", "\u200b", "x", " 2", "2 ",
             "-1", "+3", "0x10", "3.0", "1e0", "n/a", "NA", ".", "007", "-0", "\u0663", "\uff13", "T\u00f8nsberg",
             "1234567890123456", "9999999999999999999", "\u00e6", "~", "\x7f", "\u2028x"]


def _pandas_table(text: str, sep: str) -> pd.DataFrame:
    return pd.read_csv(io.StringIO(text), sep=sep, header=None, dtype=str, keep_default_na=False,
                       na_filter=False, skip_blank_lines=False, quotechar='"', engine="c")


def test_the_blank_characters_are_those_python_strips():
    assert R.SPACE_CODEPOINTS == tuple(c for c in range(0x110000) if chr(c).isspace())


@pytest.mark.parametrize("sep", [",", ";", "\t", "|"])
def test_arrow_gives_the_table_pandas_gives_and_the_same_blank_cells(sep):
    cells = [c for c in ODD_CELLS if sep not in c and c != "\t"] if sep == "\t" else ODD_CELLS
    rows = [sep.join(["a", "b", "c"])]
    rows += [sep.join([cells[i % len(cells)], cells[(i * 7 + 3) % len(cells)], str(i)]) for i in range(3 * len(cells))]
    rows += ["", sep * 2, sep.join(["", "", ""])]
    text = "\n".join(rows) + "\n"

    table = R._parse_plain(text, sep)

    assert table is not None
    expected = _pandas_table(text, sep)
    pd.testing.assert_frame_equal(table, expected, check_column_type=False)
    by_cell = np.asarray(R._blank_cells(expected.to_numpy(dtype=object)), dtype=bool).reshape(expected.shape)
    assert (np.column_stack(R._empty_cells(table)) == by_cell).all()  # a column at a time
    assert R._empty_cells(table)[0].sum() == sum(1 for r in rows[1:] if not r.split(sep)[0].strip())


@pytest.mark.parametrize("text", ['a,b\n"1",2\n', "a,b\n1,2,3\n", "a,b\n1\n", "a,b\n1,\x002\n", "a,b\r\n1,2\r\n"])
def test_text_arrow_might_read_differently_is_left_to_pandas(text):
    assert R._parse_plain(text, ",") is None


@pytest.mark.parametrize("cells", [["1", "", "23", "007"], ["1", " 2", ""], ["-1", "2"], ["0x10"], ["1e0", "2"],
                                   ["1234567890123456"], ["123456789012345"], ["n/a", "1"], ["\uff13"], ["", ""]])
def test_whole_numbers_from_arrow_buffers_as_from_text(cells):
    arrow_col = _pandas_table("\n".join(["h"] + cells) + "\n", ",")[0].iloc[1:].reset_index(drop=True)
    object_col = pd.Series(cells, dtype=object)

    values, bad = R._integers(arrow_col)
    expected_values, expected_bad = R._integers(object_col)

    assert str(values.dtype) == "Int64"
    assert values.astype(object).where(values.notna(), None).tolist() == \
        expected_values.astype(object).where(expected_values.notna(), None).tolist()
    assert bad.tolist() == expected_bad.tolist()


def _quirky_file(path, valid_frame):
    lines = valid_frame.to_csv(index=False, na_rep="").splitlines()
    header, rows = lines[0], lines[1:]
    names = header.split(",")

    def cell(row: str, column: str, value: str) -> str:
        c = row.split(",")
        c[names.index(column)] = value
        return ",".join(c)

    rows[0] = cell(rows[0], "q1", " 2")
    rows[1] = cell(rows[1], "q3", "0x10")
    rows[2] = cell(rows[2], "q202", "1e3")
    rows[3] = cell(rows[3], "q4", "\u3000")
    rows[4] = cell(rows[4], "q201", "150")
    title = "Title of the export" + "," * len(names)  # a title row above the header, as wide as the table
    text = "\n".join([title] + [header + ",extra"] + [r + ",\u00a0" for r in rows[:3]] + [""]
                     + [r + ",x" for r in rows[3:]]) + "\n\n"
    path.write_text(text, encoding="utf-8")
    return path


def test_a_file_read_through_arrow_is_the_file_read_as_text(tmp_path, valid_frame, instrument, monkeypatch):
    path = _quirky_file(tmp_path / "quirky.csv", valid_frame)
    fast = read_survey(path, instrument)
    fast_report = validate(fast).to_dict()
    monkeypatch.setattr(R, "_parse_plain", lambda text, sep, data=None: None)
    monkeypatch.setattr(R, "_arrow_strings", lambda col: None)
    slow = read_survey(path, instrument)

    pd.testing.assert_frame_equal(fast.frame, slow.frame)
    assert fast.row_numbers.tolist() == slow.row_numbers.tolist() == [3, 4, 5, 7, 8, 9]
    assert fast.notes == slow.notes and {"rows_before_header", "empty_rows"} <= {n.rule for n in fast.notes}
    assert {k: v.to_dict() for k, v in fast.unparsed.items()} == {k: v.to_dict() for k, v in slow.unparsed.items()}
    assert set(fast.unparsed) == {"q3"} and fast.frame.loc[0, "q1"] == 2 and fast.frame.loc[2, "q202"] == 1000
    assert fast_report == validate(slow).to_dict() and fast_report["errors"]


def test_a_ragged_file_still_gets_pandas_message(tmp_path):
    path = tmp_path / "ragged.csv"
    path.write_text("id,q1,q2\n1,1,1\n2,1,1,9\n", encoding="utf-8")
    with pytest.raises(InputFileError, match="Expected 3 fields in line 3, saw 4"):
        read_survey(path)


def test_a_file_of_many_unknown_columns_gets_one_warning_each_in_file_order(tmp_path, valid_frame):
    extra = pd.DataFrame({f"x{j}": [j % 7] * len(valid_frame) for j in range(300)}, index=valid_frame.index)
    wide = pd.concat([valid_frame.drop(columns=["q23"]), extra], axis=1)
    path = tmp_path / "wide.csv"
    wide.to_csv(path, index=False, na_rep="")

    report = validate(read_survey(path))

    unknown = report.table[report.table["rule"] == "unknown_column"]
    assert unknown["column"].tolist() == [f"x{j}" for j in range(300)]
    assert unknown["row"].isna().all() and unknown["value"].isna().all()
    missing = [p for p in report.to_dict()["errors"] if p["rule"] == "missing_column"]
    assert [p["column"] for p in missing] == ["q23"] and missing[0]["row"] is None

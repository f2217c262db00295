"""The call log's columns read by Arrow give the summary pandas' reading gives; files Arrow cannot
read as they are go to pandas, whose messages the report shows."""

from __future__ import annotations

import pandas as pd
import pytest

from fjernarbeid.cli.report import _read_dispositions
from fjernarbeid.errors import InputFileError
from fjernarbeid.fieldwork import summarise_fieldwork
from fjernarbeid.fieldwork.log import read_log_columns

HEADER = "contact_id,disposition,disposition_label,attempts,q1,q2,id"
ROWS = (["{i},1.1,Complete,2,1,1,{i}"] * 50 + ["{i},4.7,\"Screened out, S1\",3,3,,"] * 18
        + ["{i},4.7,Screened out S2,1, 2 ,2.0,"] * 39 + ["{i},2.11,Refusal,5,,,"] * 4 + ["{i},2.21,Away,1,NA,None,"] * 6)


def _write(path, rows, header=HEADER, newline="\n"):
    path.write_text(newline.join([header] + [r.format(i=i) for i, r in enumerate(rows)]) + newline, encoding="utf-8")
    return path


def _by_pandas(path, wanted):
    return pd.read_csv(path, dtype={"disposition": str}, usecols=lambda c: c in wanted)


@pytest.mark.parametrize("newline", ["\n", "\r\n"])
def test_arrow_reading_gives_pandas_summary(tmp_path, instrument, newline):
    path = _write(tmp_path / "log.csv", ROWS, newline=newline)
    wanted = {"disposition", "q1", "q2"}

    log = read_log_columns(path, wanted)

    assert log is not None and list(log.columns) == ["disposition", "q1", "q2"]
    expected = _by_pandas(path, wanted)
    # the answers as the numbers pandas reads (" 2 " too), NaN where missing
    assert str(log["q1"].dtype) == str(expected["q1"].dtype) == "float64" and str(log["q2"].dtype) == "float64"
    assert log["disposition"].tolist() == expected["disposition"].tolist()
    for q in ("q1", "q2"):
        assert (pd.to_numeric(log[q], errors="coerce").fillna(-1) == expected[q].fillna(-1)).all()
    ours, theirs = summarise_fieldwork(log, instrument), summarise_fieldwork(expected, instrument)
    assert ours == theirs and ours.screened_out == {"S1": 18, "S2": 39}


def test_a_missing_code_is_named_by_its_line_as_before(tmp_path, instrument):
    rows = list(ROWS)
    rows[7] = "{i},NA,Unknown,1,,,"
    path = _write(tmp_path / "log.csv", rows)
    log = _read_dispositions(path, instrument)
    assert read_log_columns(path, {"disposition"}) is not None
    with pytest.raises(InputFileError, match=r"line 9, column disposition: nan is not"):
        summarise_fieldwork(log, instrument, source=str(path))


@pytest.mark.parametrize("header, rows", [
    (HEADER, ROWS[:3] + ["1,1.1"] + ROWS[3:]),  # a short row: pandas fills it with missing cells
    (HEADER, ROWS[:3] + ["1,1.1,x,1,1,1,1,extra"] + ROWS[3:]),  # a long row: pandas names the line
    (HEADER + ",disposition", [r + ",1.1" for r in ROWS]),  # a repeated name: pandas renames it
])
def test_files_arrow_would_read_differently_go_to_pandas(tmp_path, instrument, header, rows):
    path = _write(tmp_path / "log.csv", rows, header=header)
    assert read_log_columns(path, {"disposition", "q1", "q2"}) is None
    try:
        expected = _by_pandas(path, {"disposition", "q1", "q2"})
    except pd.errors.ParserError:
        with pytest.raises(InputFileError, match="not a readable CSV disposition log"):
            _read_dispositions(path, instrument)
        return
    pd.testing.assert_frame_equal(_read_dispositions(path, instrument), expected)


def test_a_log_without_the_column_gets_the_message_it_got(tmp_path, instrument):
    path = _write(tmp_path / "log.csv", ROWS, header=HEADER.replace("disposition,", "dispo,"))
    with pytest.raises(InputFileError, match="has no 'disposition' column"):
        _read_dispositions(path, instrument)


def test_a_log_with_quoted_line_breaks_and_text_answers_is_read_as_pandas_reads_it(tmp_path, instrument):
    """A quote anywhere: fields are split respecting quotes (a note with a line break stays one
    field); an answer column with text stays text."""
    rows = list(ROWS) + ['{i},2.11,"Refusal,\nsaid no",5,x,,']
    path = _write(tmp_path / "log.csv", rows)
    log = read_log_columns(path, {"disposition", "q1", "q2"})
    expected = _by_pandas(path, {"disposition", "q1", "q2"})
    assert log is not None and len(log) == len(expected) == len(rows)
    assert str(log["q1"].dtype) == "str" and log["q1"].iloc[-1] == "x"
    assert log["disposition"].tolist() == expected["disposition"].tolist()


def test_a_log_without_quotes_is_read_without_looking_for_them(tmp_path, instrument):
    rows = [r.replace('"Screened out, S1"', "Screened out S1") for r in ROWS]
    path = _write(tmp_path / "log.csv", rows)
    log = read_log_columns(path, {"disposition", "q1", "q2"})
    expected = _by_pandas(path, {"disposition", "q1", "q2"})
    assert log["disposition"].tolist() == expected["disposition"].tolist()
    assert summarise_fieldwork(log, instrument) == summarise_fieldwork(expected, instrument)


def test_the_missing_tokens_are_pandas_own():
    # written out in fieldwork/log.py so that the log is read before pandas is imported
    from pandas._libs.parsers import STR_NA_VALUES

    from fjernarbeid.fieldwork.log import PANDAS_MISSING

    assert PANDAS_MISSING == set(STR_NA_VALUES)


@pytest.mark.parametrize("rows", [ROWS, ROWS[:100] + ["{i},4.7,Screened out,1,x,2,"] + ROWS[100:]])  # text in q1 too
def test_the_arrow_table_is_summarised_as_the_frame(tmp_path, instrument, rows):
    """The command line summarises the Arrow table it reads (no pandas frame of millions of rows): the same
    summary as from the frame, also where a screening column has text."""
    from fjernarbeid.fieldwork.log import log_frame, read_log_table

    path = _write(tmp_path / "log.csv", rows)
    table = read_log_table(path, {"disposition", "q1", "q2"})
    assert table is not None
    assert summarise_fieldwork(table, instrument) == summarise_fieldwork(log_frame(table), instrument) \
        == summarise_fieldwork(_by_pandas(path, {"disposition", "q1", "q2"}), instrument)


@pytest.mark.parametrize("rows", [[r for r in ROWS if '"' not in r], ROWS], ids=["no quotes", "quotes"])
def test_the_log_is_read_from_its_mapping_and_let_go(tmp_path, rows):
    """The file is mapped once (the quote scan and Arrow's parse share the pages); the columns read
    are copies, so the mapping and the file are let go when the reading returns, and the file can be
    replaced at once (Windows refuses to replace a file that is still mapped)."""
    import os
    import sys

    path = _write(tmp_path / "log.csv", rows)
    log = read_log_columns(path, {"disposition", "q1", "q2"})
    expected = _by_pandas(path, {"disposition", "q1", "q2"})
    assert log["disposition"].tolist() == expected["disposition"].tolist()
    if sys.platform.startswith("linux"):
        with open("/proc/self/maps") as maps:
            assert str(path) not in maps.read()
        assert not any(os.path.realpath(f"/proc/self/fd/{fd}") == str(path) for fd in os.listdir("/proc/self/fd")
                       if os.path.exists(f"/proc/self/fd/{fd}"))
    os.replace(_write(tmp_path / "other.csv", rows[:3]), path)
    assert len(read_log_columns(path, {"disposition"})) == 3


def test_an_empty_log_cannot_be_mapped_and_goes_to_pandas(tmp_path, instrument):
    path = tmp_path / "log.csv"
    path.write_bytes(b"")
    assert read_log_columns(path, {"disposition"}) is None
    with pytest.raises(InputFileError, match="empty"):
        _read_dispositions(path, instrument)

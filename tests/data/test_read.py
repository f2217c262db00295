"""Reading fieldwork files: every format, encodings, delimiters, Kobo/ODK exports, column mappings,
row numbers as the user sees them, and clear errors for files that cannot be read."""

from __future__ import annotations

import os
import zipfile

import numpy as np
import pandas as pd
import pytest

from fjernarbeid import SurveyData, read_survey
from fjernarbeid.errors import InputFileError


def rules(data: SurveyData) -> list[str]:
    return [n.rule for n in data.notes]


# -- every format gives the same canonical, typed frame -----------------------------------------


@pytest.mark.parametrize(
    "name, sep",
    [("comma.csv", ","), ("semicolon.csv", ";"), ("tab.tsv", "\t"), ("pipe.txt", "|"),
     ("book.xlsx", None), ("spss.sav", None), ("stata.dta", None), ("table.parquet", None)],
)
def test_every_format_reads_to_the_same_canonical_typed_frame(tmp_path, write, valid_frame, instrument, name, sep):
    path = write(valid_frame, tmp_path / name, **({"sep": sep} if sep else {}))

    data = read_survey(path, instrument)

    frame = data.frame
    assert list(frame.columns) == ["id", *instrument.names]
    assert frame["id"].tolist() == ["1", "2", "3", "4", "5", "6"]
    assert frame["q201"].tolist() == valid_frame["q201"].tolist()
    assert frame.loc[4, "q201"] == "0150"  # leading zero kept
    for q in instrument:
        if q.type in ("single", "integer"):
            assert str(frame[q.name].dtype) == "Int64", q.name
            assert frame[q.name].tolist() == valid_frame[q.name].tolist(), q.name
    assert frame["q13"].isna().tolist() == [False, True, False, False, True, False]
    assert frame["q5_text"].tolist()[2] == "Odda"
    assert data.notes == ()
    assert data.unparsed == {}
    if sep:
        assert data.delimiter == sep


def test_csv_rows_are_file_line_numbers_counting_the_header(tmp_path, write, valid_frame):
    path = write(valid_frame, tmp_path / "f.csv")
    assert read_survey(path).row_numbers.tolist() == [2, 3, 4, 5, 6, 7]
    assert read_survey(path).row_kind == "line"


def test_empty_lines_are_skipped_and_reported_and_line_numbers_stay_exact(tmp_path, write, valid_frame):
    lines = write(valid_frame, tmp_path / "f.csv").read_text().splitlines()
    # an empty line and a line of bare delimiters between records, blank lines at the end
    text = "\n".join(lines[:3] + [""] + lines[3:5] + [",,,"] + lines[5:]) + "\n\n\n"
    path = tmp_path / "gaps.csv"
    path.write_text(text)

    data = read_survey(path)

    assert data.row_numbers.tolist() == [2, 3, 5, 6, 8, 9]
    assert data.frame["id"].tolist() == ["1", "2", "3", "4", "5", "6"]
    (note,) = data.notes
    assert note.rule == "empty_rows" and "line 4, 7" in note.message


def test_quoted_line_breaks_keep_line_numbers_exact(tmp_path, write, valid_frame):
    frame = valid_frame.copy()
    frame.loc[2, "q5_text"] = "Odda,\nHardanger"  # an open answer over two lines
    path = write(frame, tmp_path / "f.csv")

    data = read_survey(path)

    assert data.frame.loc[2, "q5_text"] == "Odda,\nHardanger"
    assert data.row_numbers.tolist() == [2, 3, 4, 6, 7, 8]


def test_excel_rows_are_the_row_numbers_excel_shows(tmp_path, valid_frame):
    import openpyxl

    path = tmp_path / "f.xlsx"
    with pd.ExcelWriter(path) as xl:  # a title, a blank row, then the table from row 3
        valid_frame.to_excel(xl, index=False, startrow=2, sheet_name="Data")
        pd.DataFrame({"x": [1]}).to_excel(xl, index=False, sheet_name="Notes")
    wb = openpyxl.load_workbook(path)
    wb["Data"]["A1"] = "Undersøkelse blant yrkesaktive"
    wb.save(path)

    data = read_survey(path)

    assert data.row_kind == "row" and data.sheet == "Data"
    assert data.row_numbers.tolist() == [4, 5, 6, 7, 8, 9]
    assert data.frame["q201"].tolist()[4] == "0150"
    assert rules(data) == ["rows_before_header", "other_sheets"]
    assert read_survey(path, sheet="Notes").frame.columns.tolist() == ["x"]


def test_a_missing_sheet_is_named(tmp_path, write, valid_frame):
    path = write(valid_frame, tmp_path / "f.xlsx")
    with pytest.raises(InputFileError, match=r"f\.xlsx: has no sheet 'Ark2'; its sheets are 'Sheet1'"):
        read_survey(path, sheet="Ark2")


def test_binary_formats_count_records_from_one(tmp_path, write, valid_frame):
    for name in ("f.sav", "f.dta", "f.parquet"):
        data = read_survey(write(valid_frame, tmp_path / name))
        assert data.row_kind == "record"
        assert data.row_numbers.tolist() == [1, 2, 3, 4, 5, 6]


# -- encodings ----------------------------------------------------------------------------------


def test_windows_1252_csv_from_norwegian_excel(tmp_path, write, valid_frame):
    frame = valid_frame.copy()
    frame.loc[2, "q5_text"] = "Bodø"
    path = write(frame, tmp_path / "cp.csv", sep=";", encoding="cp1252")
    assert "Bodø".encode("cp1252") in path.read_bytes()

    data = read_survey(path)

    assert data.encoding == "cp1252"
    assert data.frame.loc[2, "q5_text"] == "Bodø"
    assert data.description == "CSV, ';'-delimited, Windows-1252"


def test_utf8_with_byte_order_mark(tmp_path, write, valid_frame):
    path = write(valid_frame, tmp_path / "bom.csv", encoding="utf-8-sig")
    data = read_survey(path)
    assert data.encoding == "utf-8-sig"
    assert data.frame.columns[0] == "id"  # not "\ufeffid"


# -- values -------------------------------------------------------------------------------------


def test_values_that_are_not_whole_numbers_are_kept_for_the_validator(tmp_path, write, valid_frame):
    frame = valid_frame.astype({"q3": "string", "q4": "string", "q12": "string"})
    frame.loc[0, "q3"] = "2,5"   # decimal comma
    frame.loc[1, "q4"] = "Grunnskole"  # a label instead of a code
    frame.loc[2, "q12"] = "n/a"  # Kobo's "not relevant": missing, not a problem of its own
    frame.loc[3, "q3"] = " 4 "
    path = write(frame, tmp_path / "f.csv")

    data = read_survey(path)

    assert pd.isna(data.frame.loc[0, "q3"]) and data.frame.loc[3, "q3"] == 4
    assert pd.isna(data.frame.loc[1, "q4"]) and pd.isna(data.frame.loc[2, "q12"])
    assert data.unparsed["q3"].to_dict() == {0: "2,5"}
    assert data.unparsed["q4"].to_dict() == {1: "Grunnskole"}
    assert "q12" not in data.unparsed


def test_postal_codes_lose_no_leading_zero_even_from_numeric_columns(tmp_path, write, valid_frame):
    frame = valid_frame.copy()
    frame["q201"] = frame["q201"].astype(int)  # as a spreadsheet or SPSS would store it: 150
    for name in ("f.parquet", "f.sav", "f.xlsx", "f.csv"):
        data = read_survey(write(frame, tmp_path / name))
        assert data.frame["q201"].tolist() == valid_frame["q201"].tolist(), name


def test_spss_value_and_variable_labels_round_trip(tmp_path, write, valid_frame, instrument):
    labels = {k: v for k, v in instrument.value_labels().items() if k in valid_frame.columns}
    variable_labels = [instrument.variable_labels()[c] for c in valid_frame.columns]
    path = write(valid_frame, tmp_path / "f.sav", value_labels=labels, variable_labels=variable_labels)

    data = read_survey(path)

    assert data.value_labels["q12"] == instrument["q12"].code_labels("nb")
    assert data.value_labels["q13"][4] == "Ikke sikker, ubesvart (IKKE LES)"
    assert data.variable_labels["q12"] == "12. Hvor ofte benytter du normalt hjemmekontor eller fjernarbeid?"


def test_spss_user_missing_not_sure_codes_stay_answers(tmp_path, write, valid_frame):
    import pyreadstat

    plain = valid_frame.drop(columns=["q5_text"]).astype({c: "float64" for c in valid_frame.columns
                                                           if str(valid_frame[c].dtype) == "Int64"})
    plain["id"], plain["q201"] = plain["id"].astype(str), plain["q201"].astype(str)
    path = tmp_path / "f.sav"
    pyreadstat.write_sav(plain, str(path), missing_ranges={"q13": [4], "q14": [6]})

    data = read_survey(path)

    assert data.frame.loc[3, "q13"] == 4 and data.frame.loc[3, "q14"] == 6


def test_stata_value_labels_are_read(tmp_path, write, valid_frame):
    path = write(valid_frame, tmp_path / "f.dta", value_labels={"q207": {1: "Mann", 2: "Kvinne"}})
    assert read_survey(path).value_labels["q207"] == {1: "Mann", 2: "Kvinne"}


# -- column names -------------------------------------------------------------------------------


def test_fieldwork_firm_names_are_normalised_and_reported(tmp_path, write, valid_frame):
    firm = {"id": "ID", "q201": "Q201", "q6_1": "spm6_1", "q6_2": "V6.2", "q16_5": "Q16-5"}
    path = write(valid_frame.rename(columns=firm), tmp_path / "f.csv", sep=";")

    data = read_survey(path)

    assert list(data.frame.columns) == list(valid_frame.columns)
    assert {s: data.columns[s] for s in firm.values()} == {v: k for k, v in firm.items()}
    renamed = sorted(n.column for n in data.notes if n.rule == "column_renamed")
    assert renamed == sorted(firm.values())
    assert all(n.rule == "column_renamed" for n in data.notes)


@pytest.mark.parametrize("mapping_name", ["map.yaml", "map.csv"])
def test_a_mapping_file_names_what_normalisation_cannot_guess(tmp_path, write, valid_frame, mapping_name):
    frame = valid_frame.rename(columns={"q201": "Postnr", "q207": "Kjonn", "q202": "Fodt"})
    frame["Intervjuer"] = "AB"
    path = write(frame, tmp_path / "f.csv")
    mapping = tmp_path / mapping_name
    if mapping_name.endswith(".yaml"):  # an empty target drops a column; Vekt is not in the file
        mapping.write_text("Postnr: q201\nKjonn: q207\nFodt: q202\nIntervjuer:\nVekt: q3\n")
    else:
        mapping.write_text("source;target\nPostnr;q201\nKjonn;q207\nFodt;q202\nIntervjuer;\nVekt;q3\n")

    data = read_survey(path, mapping=mapping)

    assert list(data.frame.columns) == list(valid_frame.columns)
    assert data.columns["Postnr"] == "q201" and data.columns["Kjonn"] == "q207"
    assert data.frame["q201"].tolist()[4] == "0150"
    assert data.ignored_columns == ("Intervjuer",)
    (note,) = data.notes
    assert note.rule == "mapping_unused" and "'Vekt'" in note.message


def test_a_mapping_to_an_unknown_variable_is_an_input_error(tmp_path, write, valid_frame):
    path = write(valid_frame, tmp_path / "f.csv")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("q201: postnummer\n")
    with pytest.raises(InputFileError, match=r"mapping file .*m\.yaml: target 'postnummer' \(for 'q201'\)"):
        read_survey(path, mapping=mapping)


def test_ambiguous_names_are_not_guessed(tmp_path, write, valid_frame):
    frame = valid_frame.rename(columns={"q6_1": "Q6_1"})
    frame["spm6_1"] = frame["Q6_1"]
    data = read_survey(write(frame, tmp_path / "f.csv"))

    assert "q6_1" not in data.frame.columns
    assert {"Q6_1", "spm6_1"} <= set(data.frame.columns)
    assert sorted(n.column for n in data.notes if n.rule == "ambiguous_column") == ["Q6_1", "spm6_1"]


def test_an_exact_name_wins_over_a_normalised_one(tmp_path, write, valid_frame):
    frame = valid_frame.copy()
    frame["V6_1"] = 1
    data = read_survey(write(frame, tmp_path / "f.csv"))
    assert data.columns["q6_1"] == "q6_1" and "V6_1" not in data.columns
    assert [n.rule for n in data.notes] == ["ambiguous_column"]


def test_a_leftover_column_never_hides_a_variable(tmp_path, write, valid_frame):
    frame = valid_frame.rename(columns={"q201": "Postnr"})
    frame["q201"] = "x"  # the firm's own (wrong) column, which the mapping replaces by Postnr
    data = read_survey(write(frame, tmp_path / "f.csv"), mapping={"Postnr": "q201"})
    assert data.frame["q201"].tolist() == valid_frame["q201"].tolist()
    assert data.frame["q201 (column 29)"].tolist() == ["x"] * 6
    assert [n.rule for n in data.notes] == ["ambiguous_column"]


def test_repeated_header_names_are_reported(tmp_path, write, valid_frame):
    text = write(valid_frame, tmp_path / "f.csv").read_text().splitlines()
    path = tmp_path / "dup.csv"
    path.write_text("\n".join([text[0] + ",q3"] + [line + ",99" for line in text[1:]]) + "\n")

    data = read_survey(path)

    assert data.frame["q3"].tolist() == valid_frame["q3"].tolist()  # the first one
    (note,) = data.notes
    assert note.rule == "duplicate_column" and note.column == "q3"


# -- KoboToolbox and ODK Central exports --------------------------------------------------------


def _kobo(frame: pd.DataFrame, sep: str) -> pd.DataFrame:
    """The frame as KoboToolbox exports it: grouped names, 'n/a' for skipped questions, metadata."""
    out = pd.DataFrame({"start": "2025-04-24T10:00:00.000+02:00", "end": "2025-04-24T10:07:00.000+02:00",
                        "deviceid": "enketo.org:abc"}, index=frame.index)
    for c in frame.columns:
        name = c if c == "id" else f"grp_{'bakgrunn' if c in ('q201', 'q202') else 'arbeid'}{sep}{c}"
        out[name] = frame[c].astype("string").fillna("n/a" if c in ("q13", "q14") else "")
    return out


def test_kobo_export_with_group_paths_and_metadata(tmp_path, write, valid_frame):
    export = _kobo(valid_frame, "/")
    export["meta/instanceID"] = "uuid:" + export["id"]
    export["_id"] = range(1001, 1007)
    export["_uuid"] = "u" + export["id"]
    export["_submission_time"] = "2025-04-24T08:07:00"
    export["_index"] = range(1, 7)
    path = write(export, tmp_path / "kobo.csv", sep=";")

    data = read_survey(path)

    assert data.is_export and "KoboToolbox" in data.description
    assert list(data.frame.columns) == list(valid_frame.columns)
    assert data.frame["q13"].isna().tolist() == valid_frame["q13"].isna().tolist()
    assert data.frame["q6_1"].tolist() == valid_frame["q6_1"].tolist()
    assert set(data.ignored_columns) == {"start", "end", "deviceid", "meta/instanceID", "_id", "_uuid",
                                         "_submission_time", "_index"}
    assert data.notes == ()  # group paths are how Kobo writes names: nothing to warn about


def test_odk_central_export_without_an_id_uses_the_submission_key(tmp_path, write, valid_frame):
    export = _kobo(valid_frame.drop(columns=["id"]), "-")
    export.insert(0, "SubmissionDate", "2025-04-24T08:07:00.000Z")
    export["meta-instanceID"] = ["uuid:" + str(i) for i in range(6)]
    export["KEY"] = export["meta-instanceID"]
    path = write(export, tmp_path / "odk.csv")

    data = read_survey(path)

    assert data.frame["id"].tolist() == [f"uuid:{i}" for i in range(6)]
    assert list(data.frame.columns) == list(valid_frame.columns)
    (note,) = data.notes
    assert note.rule == "id_from_metadata" and note.column == "KEY"


# -- files that cannot be read -------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("empty.csv", b"", "the file is empty"),
        ("blank.csv", b"\n \n\n", "the file is empty"),
        ("nul.csv", b"id,q1\x00\x00\x01", "not a text"),
        ("junk.xlsx", b"this is not a workbook", "does not look like an Excel workbook"),
        ("broken.xlsx", b"PK\x03\x04broken zip", "cannot be read as an Excel workbook"),
        ("broken.sav", b"$FL2 truncated", "cannot be read as an SPSS file"),
        ("broken.parquet", b"PAR1 truncated", "cannot be read as a Parquet file"),
        ("report.pdf", b"%PDF-1.7", "unknown file type '.pdf'"),
        ("old.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1", "old binary Office file"),
        ("latin.csv", b"id,q5_text\n1,\x81\x8d\n", "neither UTF-8 nor Windows-1252"),
        ("ragged.csv", b"id,q1\n1,1\n2,1,3\n", "Expected 2 fields in line 3, saw 3"),
    ],
)
def test_unreadable_files_raise_an_input_error_naming_the_file(tmp_path, name, content, message):
    path = tmp_path / name
    path.write_bytes(content)
    with pytest.raises(InputFileError, match=str(path).replace(".", r"\.")) as exc:
        read_survey(path)
    assert message in str(exc.value)
    assert exc.value.exit_code == 3


def test_missing_files_and_directories(tmp_path):
    with pytest.raises(InputFileError, match="nothing.csv: file not found"):
        read_survey(tmp_path / "nothing.csv")
    with pytest.raises(InputFileError, match="is a directory"):
        read_survey(tmp_path)


def test_a_workbook_saved_with_a_csv_name_is_read_as_excel(tmp_path, write, valid_frame):
    path = write(valid_frame, tmp_path / "f.xlsx")
    renamed = tmp_path / "f.csv"
    path.rename(renamed)
    data = read_survey(renamed)
    assert data.format == "xlsx" and rules(data) == ["format_mismatch"]


def test_header_only_file_reads_as_zero_rows(tmp_path):
    path = tmp_path / "f.csv"
    path.write_text("id,q1,q2\n")
    data = read_survey(path)
    assert len(data) == 0 and list(data.frame.columns)[:3] == ["id", "q1", "q2"]


# -- the input is never touched ----------------------------------------------------------------


@pytest.mark.parametrize("name", ["f.csv", "f.xlsx", "f.sav", "f.dta", "f.parquet"])
def test_reading_and_validating_leave_the_input_unchanged(tmp_path, write, valid_frame, name):
    from fjernarbeid.data import validate
    from fjernarbeid.refdata import RefData

    path = write(valid_frame, tmp_path / name)
    old = 1_600_000_000
    os.utime(path, (old, old))
    before = path.read_bytes()

    validate(read_survey(path), refdata=RefData(None))

    assert path.read_bytes() == before
    assert path.stat().st_mtime == old
    assert sorted(p.name for p in tmp_path.iterdir()) == [name]  # nothing written next to it
    if name.endswith(".xlsx"):
        assert zipfile.is_zipfile(path)


def test_frame_positions_and_row_numbers_line_up(tmp_path, write, valid_frame):
    frame = pd.concat([valid_frame] * 500, ignore_index=True)
    frame["id"] = [str(i) for i in range(1, 3001)]
    data = read_survey(write(frame, tmp_path / "f.csv"))
    assert len(data) == 3000
    assert np.array_equal(data.row_numbers, np.arange(2, 3002))
    assert data.frame["id"].iloc[-1] == "3000"


def test_a_quote_never_closed_is_named_with_its_line(tmp_path):
    """`"jente` opens a quote that the next `"` closes 3 lines on: the records between are read as text of
    that cell (as any CSV reader does), and a warning says where."""
    header = "id;kjonn;alder;kommune;kommentar"
    rows = ["1;jente;16;kvam;", '2;"gutt;17;ulvik;', "3;jente;18;kvam;", "4;gutt;16;eidfjord;", '5;jente";17;kvam;',
            '6;gutt;18;ulvik;"Fint\nmed to linjer"']  # a comment over two lines is no warning
    path = tmp_path / "f.csv"
    path.write_text("\n".join([header, *rows]) + "\n", "utf-8")
    data = read_survey(path)
    (note,) = [n for n in data.notes if n.rule == "quote_not_closed"]
    assert note.message.startswith("line 3: a quoted cell (column 2) runs over 4 lines")


def test_a_formula_with_no_computed_value_is_named_not_silently_empty(tmp_path):
    """A workbook written by a script stores `=10+7` without its value (Excel stores both): the cell reads as
    empty, and a warning names it — not just "no answer"."""
    import openpyxl

    wb = openpyxl.Workbook()
    ws = wb.active
    for row in [("id", "q207"), (1, "=1+1"), (2, 2)]:
        ws.append(row)
    wb.save(tmp_path / "f.xlsx")
    data = read_survey(tmp_path / "f.xlsx")
    (note,) = [n for n in data.notes if n.rule == "formula_without_value"]
    assert "1 cell(s) hold a formula with no computed value (B2 '=1+1')" in note.message
    ws["B2"] = 2
    wb.save(tmp_path / "plain.xlsx")
    assert not any(n.rule == "formula_without_value" for n in read_survey(tmp_path / "plain.xlsx").notes)


def test_postal_codes_with_few_distinct_values_are_normalised_and_noted_as_row_by_row():
    """Each distinct postal code is normalised once; the rows and the note are those of the whole column."""
    import numpy as np
    import pandas as pd

    from fjernarbeid.data.derive import _normalised, normalise_postal_code
    from fjernarbeid.data.read import _zeros_restored

    cells = pd.Series(["5600", "150", None, "5600.0", " 812 ", "abc", "0150"] * 40, dtype="string")
    after = normalise_postal_code(cells)
    pd.testing.assert_series_equal(after, _normalised(cells), check_names=False)
    note = _zeros_restored(cells, after, np.arange(2, len(cells) + 2), "line", "postnr")
    assert note is not None and note.message.startswith("80 postal code(s)")  # '150' and ' 812 ', not '5600.0'
    assert "line 3: '150' → '0150'" in note.message and "line 6: ' 812 ' → '0812'" in note.message


@pytest.mark.parametrize("large", [False, True])
def test_whole_numbers_are_read_from_arrows_buffers_cell_for_cell(large):
    # chunks of cells of one width (side by side in the buffer) and of mixed widths, empty and null
    # cells, sliced arrays: each cell's number, emptiness and length as Python reads the text
    import pyarrow as pa

    from fjernarbeid.data.read import _plain_whole_numbers

    kind = pa.large_string() if large else pa.string()
    rng = np.random.default_rng(3)
    mixed = [str(x) if x >= 0 else ("" if x == -1 else None) for x in rng.integers(-2, 10**6, 3000)]
    chunks = [["1", "2", "3"], ["12", "", None], [], ["", ""], ["007", "123", "999", "42"], ["1", None, "3"],
              ["123456789012345", "1"], ["04"] * 50, mixed]
    arrays = [pa.array(c, kind) for c in chunks]
    arrays[4] = arrays[4].slice(1, 2)
    values = pa.chunked_array(arrays, kind)
    cells = [c for a in arrays for c in a.to_pylist()]
    numbers, empty, lengths = _plain_whole_numbers(values, lengths=True)
    assert numbers.tolist() == [int(c) if c else 0 for c in cells]
    assert empty.tolist() == [not c for c in cells]
    assert lengths.tolist() == [len(c or "") for c in cells]
    assert [len(a) for a in _plain_whole_numbers(values)] == [len(cells)] * 2
    for bad in (["1", "1234567890123456"], ["12", "1a"], [" 1"], ["-1"]):
        assert _plain_whole_numbers(pa.chunked_array([pa.array(bad, kind)])) is None

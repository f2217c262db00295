"""Column names: what a fieldwork firm or a data server writes, and which variable it is."""

from __future__ import annotations

import pytest

from fjernarbeid.data.mapping import load_mapping, normalise_name, resolve_columns
from fjernarbeid.errors import InputFileError


@pytest.mark.parametrize(
    "name, key",
    [("q6_1", "6_1"), ("Q6_1", "6_1"), ("spm6_1", "6_1"), ("SPM_6_1", "6_1"), ("V6.1", "6_1"),
     ("q16-5", "16_5"), (" Q201 ", "201"), ("id", "id"), ("ID", "id"), ("vekt", "vekt"), ("q5_text", "5_text")],
)
def test_normalised_names(name, key):
    assert normalise_name(name) == key


def test_resolution_of_a_typical_firm_header(instrument):
    header = ["RespID", "ID", "Q201", "q202", "spm1", "V2", "q3", "Kjonn", "age"]

    r = resolve_columns(header, instrument)

    assert r.mapping == {"ID": "id", "Q201": "q201", "q202": "q202", "spm1": "q1", "V2": "q2", "q3": "q3"}
    assert r.unknown == ("RespID", "Kjonn", "age")
    assert [(n.rule, n.column) for n in r.notes] == [
        ("column_renamed", "ID"), ("column_renamed", "Q201"), ("column_renamed", "spm1"), ("column_renamed", "V2"),
        ("unknown_column", "RespID"), ("unknown_column", "Kjonn"), ("derived_column", "age")]


def test_metadata_is_ignored_only_in_exports(instrument):
    plain = resolve_columns(["id", "start", "end"], instrument)
    assert not plain.is_export and plain.unknown == ("start", "end")

    kobo = resolve_columns(["id", "start", "end", "_uuid", "formhub/uuid", "g/q1"], instrument)
    assert kobo.is_export and kobo.unknown == ()
    assert kobo.ignored == ("start", "end", "_uuid", "formhub/uuid")
    assert kobo.mapping == {"id": "id", "g/q1": "q1"}


def test_odk_central_dash_paths_are_stripped_only_in_exports(instrument):
    r = resolve_columns(["KEY", "SubmissionDate", "grp-a-q12", "meta-instanceID"], instrument)
    assert r.mapping == {"grp-a-q12": "q12", "KEY": "id"}
    assert r.ignored == ("SubmissionDate", "meta-instanceID")
    assert [n.rule for n in r.notes] == ["id_from_metadata"]


def test_explicit_mapping_wins_and_can_drop_columns(instrument):
    mapping = load_mapping({"Postnr": "q201", "Intervjuer": None, "q201": "q202"})
    r = resolve_columns(["Postnr", "q201", "Intervjuer"], instrument, mapping)
    assert r.mapping == {"Postnr": "q201", "q201": "q202"}
    assert r.ignored == ("Intervjuer",) and r.notes == ()


def test_yaml_mapping_forms(tmp_path):
    expected = {"Postnr": "q201", "Kjonn": "q207", "Intervjuer": None}
    for i, text in enumerate([
        "Postnr: q201\nKjonn: q207\nIntervjuer:\n",
        "columns:\n  Postnr: q201\n  Kjonn: q207\n  Intervjuer: ''\n",
        "- {source: Postnr, target: q201}\n- {source: Kjonn, target: q207}\n- {source: Intervjuer}\n",
    ]):
        path = tmp_path / f"m{i}.yml"
        path.write_text(text)
        assert load_mapping(path).pairs == expected


@pytest.mark.parametrize(
    "name, text, message",
    [
        ("m.yaml", "Postnr: q201\nPostnummer: q201\n", "'Postnr' and 'Postnummer' are both mapped to 'q201'"),
        ("m.yaml", "- q201\n", "expected 'source: target' pairs"),
        ("m.yaml", "a: [b\n", "not valid YAML"),
        ("m.yaml", "", "the file is empty"),
        ("m.csv", "from,to\nPostnr,q201\n", "line 1: expected a header with columns 'source' and 'target'"),
        ("m.csv", "source,target\nPostnr,q201\n,q207\n", "line 3: no source column name"),
        ("m.csv", "source,target\nPostnr,q201\nPostnr,q202\n", "source column 'Postnr' is mapped twice"),
        ("m.json", "{}", "unknown mapping file type '.json'"),
    ],
)
def test_bad_mapping_files_name_the_file_and_the_problem(tmp_path, name, text, message):
    path = tmp_path / name
    path.write_text(text)
    with pytest.raises(InputFileError, match="mapping file") as exc:
        load_mapping(path)
    assert str(path) in str(exc.value) and message in str(exc.value)


def test_a_missing_mapping_file(tmp_path):
    with pytest.raises(InputFileError, match="m.yaml: not found"):
        load_mapping(tmp_path / "m.yaml")


def test_a_group_path_of_names_is_no_labels_export_when_a_label_is_its_questions_name():
    """`bruk/kommune` in an export with XML values and headers: the question `kommune` is labelled
    "Kommune", but the header is its group path, not a "Labels" export (whose cells would be read as labels)."""
    from fjernarbeid.instrument import instrument_from_dict

    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "kommune", "type": "single", "text": {"nn": "Kommune"},
         "codes": [{"code": 4618, "nn": "Ullensvang"}, {"code": 4622, "nn": "Kvam"}]},
        {"name": "grunn", "type": "multiple", "text": {"nn": "Grunn"},
         "codes": [{"code": 1, "nn": "Ro", "name": "ro"}]}]})
    resolution = resolve_columns(["bruk/kommune", "bruk/grunn", "bruk/grunn/ro", "_id", "_uuid"], inst)
    assert not resolution.labels
    assert "label_headers" not in {n.rule for n in resolution.notes}
    assert resolution.targets[0] == "kommune"


def test_the_labels_note_names_the_columns_it_read_as_labels():
    from fjernarbeid.instrument import instrument_from_dict

    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "kommune", "type": "single", "text": {"nb": "Hvilken kommune bor du i?"},
         "codes": [{"code": 1, "nb": "Kvam"}]}]})
    resolution = resolve_columns(["Hvilken kommune bor du i?", "_id", "_uuid"], inst)
    (note,) = [n for n in resolution.notes if n.rule == "label_headers"]
    assert note.message.endswith("choice labels as codes: 'Hvilken kommune bor du i?' → kommune")


def test_an_exports_column_of_a_calculate_of_the_form_is_named_as_such(tmp_path):
    """KoboToolbox exports a form's calculate fields: 'hoved/reise_uke' was 'not a variable of the instrument'
    (as if the export were of another form), though the form reads it and leaves it out on purpose."""
    import openpyxl

    from fjernarbeid.instrument import load_instrument

    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in (("type", "name", "label", "calculation"), ("begin_group", "hoved", "Hoved", ""),
                ("integer", "reisetid", "Reisetid?", ""), ("calculate", "reise_uke", "", "${reisetid} * 10"),
                ("end_group", "", "", "")):
        ws.append(row)
    wb.create_sheet("choices").append(("list_name", "name", "label"))
    wb.save(tmp_path / "form.xlsx")
    form = load_instrument(tmp_path / "form.xlsx")
    assert form.unread == {"reise_uke": "calculate"}
    r = resolve_columns(["hoved/reisetid", "hoved/reise_uke", "hoved-annet", "_id", "_uuid"], form)
    notes = {n.column: n for n in r.notes if n.rule == "unknown_column"}
    assert set(notes) == {"hoved/reise_uke", "hoved-annet"}
    assert notes["hoved/reise_uke"].message == ("column 'hoved/reise_uke' is the form's calculate reise_uke, which the "
                                                "analysis does not read; it is kept as an extra column")
    assert "is not a variable of the instrument" in notes["hoved-annet"].message

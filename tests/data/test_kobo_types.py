"""A KoboToolbox form with times, date-times, locations, attachments and the device's start, end and
today: read, each value checked in its format (row and column named), carried through, never analysed,
and a location never published (export drops it unless --keep says otherwise)."""

from __future__ import annotations

import json

import openpyxl
import pytest

from fjernarbeid.data import read_survey
from fjernarbeid.data.validate import validate
from fjernarbeid.errors import EXIT_INVALID_DATA, EXIT_OK, EXIT_USAGE
from fjernarbeid.instrument import load_instrument

SURVEY = [
    ("type", "name", "label::Norsk bokmål (nb)", "required"),
    ("start", "start", "", ""),
    ("end", "end", "", ""),
    ("today", "today", "", ""),
    ("deviceid", "deviceid", "", ""),
    ("select_one kjonn", "kjonn", "Kjønn", "yes"),
    ("integer", "alder", "Alder", "yes"),
    ("time", "vakna", "Når sto du opp i dag?", ""),
    ("datetime", "sist", "Når var du sist på kontoret?", ""),
    ("geopoint", "sted", "Hvor er du nå?", ""),
    ("geotrace", "rute", "Veien til jobb", ""),
    ("geoshape", "omraade", "Området du bor i", ""),
    ("image", "bilde", "Ta et bilde av arbeidsplassen", ""),
    ("audio", "lyd", "Si noe om dagen din", ""),
]
CHOICES = [("list_name", "name", "label::Norsk bokmål (nb)"), ("kjonn", "1", "Mann"), ("kjonn", "2", "Kvinne")]

HEADER = ("start,end,today,deviceid,kjonn,alder,vakna,sist,sted,_sted_latitude,_sted_longitude,_sted_altitude,"
          "_sted_precision,rute,omraade,bilde,lyd,_id,_uuid,_submission_time,_index")
POINT = "60.391263 5.322054 12.5 4.8"
TRACE = "60.39 5.32 0 0;60.40 5.33 0 0"
SHAPE = "60.0 5.0 0 0;60.1 5.0 0 0;60.1 5.1 0 0;60.0 5.0 0 0"


def good_row(i: int) -> str:
    return (f"2026-05-01T09:{i % 60:02d}:00.000+02:00,2026-05-01T09:30:00.000+02:00,2026-05-01,dev{i},"
            f"{1 + i % 2},{20 + i % 40},07:15:00.000+02:00,2026-04-30T16:00:00.000+02:00,{POINT},"
            f"60.391263,5.322054,12.5,4.8,{TRACE},{SHAPE},foto{i}.jpg,lyd{i}.m4a,{i},u{i},2026-05-01T07:11:00,{i}")


@pytest.fixture(scope="module")
def kobo(tmp_path_factory):
    folder = tmp_path_factory.mktemp("kobo")
    wb = openpyxl.Workbook()
    ws = wb.active
    ws.title = "survey"
    for row in SURVEY:
        ws.append(row)
    ch = wb.create_sheet("choices")
    for row in CHOICES:
        ch.append(row)
    wb.save(folder / "form.xlsx")
    (folder / "good.csv").write_text("\n".join([HEADER] + [good_row(i) for i in range(1, 41)]) + "\n", "utf-8")
    return folder


def test_the_form_is_read_with_its_times_locations_and_attachments(kobo):
    inst = load_instrument(kobo / "form.xlsx")
    types = {q.name: q.type for q in inst}
    assert types == {"start": "datetime", "end": "datetime", "today": "date", "kjonn": "single", "alder": "integer",
                     "vakna": "time", "sist": "datetime", "sted": "geopoint", "rute": "geotrace",
                     "omraade": "geoshape", "bilde": "image", "lyd": "audio"}
    # the device's records are not questions a respondent is asked: not numbered, not required
    assert [(q.number, q.required) for q in inst if q.metadata] == [("start", False), ("end", False), ("today", False)]
    assert [q.number for q in inst if not q.metadata] == [str(i) for i in range(1, 10)]
    assert not any(q.is_analysed for q in inst if q.name not in ("kjonn", "alder"))


def test_every_value_is_carried_as_the_device_wrote_it(kobo):
    inst = load_instrument(kobo / "form.xlsx")
    data = read_survey(kobo / "good.csv", inst)
    first = data.frame.iloc[0]
    assert (first["start"], first["vakna"], first["sted"], first["rute"], first["bilde"]) == (
        "2026-05-01T09:01:00.000+02:00", "07:15:00.000+02:00", POINT, TRACE, "foto1.jpg")
    # the geopoint's split columns are read with it, not as columns of their own; deviceid is ignored
    assert not [c for c in data.frame.columns if "latitude" in c] and "deviceid" not in data.frame.columns
    assert validate(data, inst).ok


BAD = {  # column → (a value that breaks its format, the rule, words of the message)
    "start": ("not a time", "not_a_datetime", "start = 'not a time' is not a date and time"),
    "today": ("03.05.2026", "not_a_date", "today = '03.05.2026' is not a date (YYYY-MM-DD)"),
    "vakna": ("25:15", "not_a_time", "vakna = '25:15' is not a time of day"),
    "sist": ("2026-02-30T16:00:00", "not_a_datetime", "sist = '2026-02-30T16:00:00' is not a date and time"),
    "sted": ("95.0 5.32 12 5", "not_a_location", "latitude 95.0 is outside -90 to 90"),
    "rute": ("60.39 5.32", "not_a_location", "a line needs two points or more"),
    "omraade": ("60.0 5.0;60.1 5.0;60.1 5.1;60.2 5.0", "not_a_location", "the last the same as the first"),
    "_sted_longitude": ("200", "not_a_location", "_sted_longitude = '200' is not a longitude of sted"),
}


@pytest.mark.parametrize("column", list(BAD))
def test_a_value_out_of_its_format_is_an_error_naming_its_line_and_column(kobo, tmp_path, column):
    value, rule, words = BAD[column]
    cells = good_row(2).split(",")
    cells[HEADER.split(",").index(column)] = value
    (tmp_path / "bad.csv").write_text("\n".join([HEADER, good_row(1), ",".join(cells)]) + "\n", "utf-8")
    inst = load_instrument(kobo / "form.xlsx")
    report = validate(read_survey(tmp_path / "bad.csv", inst), inst)
    (problem,) = [p for p in report.errors if p.rule == rule]
    assert (problem.row, problem.column) == (3, column) and words in problem.message


def test_a_geopoint_given_only_in_its_split_columns_is_put_together(kobo, tmp_path):
    header = HEADER.split(",")
    keep = [i for i, name in enumerate(header) if name != "sted"]
    lines = [",".join(header[i] for i in keep)] + [",".join(good_row(n).split(",")[i] for i in keep) for n in (1, 2)]
    (tmp_path / "split.csv").write_text("\n".join(lines) + "\n", "utf-8")
    inst = load_instrument(kobo / "form.xlsx")
    data = read_survey(tmp_path / "split.csv", inst)
    assert data.frame["sted"].tolist() == [POINT, POINT]


def test_tab_and_model_refuse_them_and_the_report_shows_no_table_of_them(kobo, run_main, tmp_path):
    form, good = kobo / "form.xlsx", kobo / "good.csv"
    for args in (("tab", good, "sted"), ("tab", good, "kjonn", "--by", "start"), ("model", good, "alder ~ vakna")):
        ran = run_main(*args, "--instrument", form)
        assert ran.code == EXIT_USAGE and "never analysed as categories or numbers" in ran.stderr, ran.stderr
    ran = run_main("report", good, "--instrument", form, "--weighting", "none", "--out", tmp_path / "rep",
                   "--format", "html,json,xlsx")
    assert ran.code == EXIT_OK, ran.stderr
    results = json.loads((tmp_path / "rep" / "results.json").read_text("utf-8"))
    assert [f["id"] for f in results["findings"]] == ["kjonn", "alder"]
    assert set(results["distributions"]) == {"kjonn"}
    html = (tmp_path / "rep" / "report.html").read_text("utf-8")
    assert "60.391263" not in html and "60.391263" not in json.dumps(results)
    book = openpyxl.load_workbook(tmp_path / "rep" / "report.xlsx")
    assert not any("60.391263" in str(c.value) for ws in book for row in ws.iter_rows() for c in row)


def test_export_leaves_locations_and_the_rest_out_and_says_why(kobo, run_main, tmp_path):
    form, good = kobo / "form.xlsx", kobo / "good.csv"
    ran = run_main("export", good, "--instrument", form, "--weighting", "none", "--to", tmp_path / "x.csv")
    assert ran.code == EXIT_OK, ran.stderr
    header = (tmp_path / "x.csv").read_text("utf-8").splitlines()[0].split(",")
    assert header == ["id", "kjonn", "alder", "weight", "weight_analysis"]
    statement = json.loads((tmp_path / "x.csv.disclosure.json").read_text("utf-8"))
    reasons = {a["variable"]: a["reason"] for a in statement["actions"] if a["action"] == "dropped"}
    assert {"start", "end", "today", "vakna", "sist", "sted", "rute", "omraade", "bilde", "lyd"} <= set(reasons)
    assert "a direct identifier" in reasons["sted"] and reasons["bilde"].startswith("attachment")
    assert "| `sted` | fjernet | posisjon (GPS-koordinater" in (tmp_path / "x.csv.disclosure.md").read_text("utf-8")
    codebook = (tmp_path / "x.csv.codebook.md").read_text("utf-8")
    assert "Posisjoner (GPS) er direkte identifikatorer og er ikke med i filen: sted, rute, omraade." in codebook
    # declared: --keep keeps a location, and the statement says so in capitals
    kept = run_main("export", good, "--instrument", form, "--weighting", "none", "--to", tmp_path / "k.csv",
                    "--keep", "sted")
    assert kept.code == EXIT_OK and "sted" in (tmp_path / "k.csv").read_text("utf-8").splitlines()[0].split(",")
    assert "STED BEHOLDT" in (tmp_path / "k.csv.disclosure.md").read_text("utf-8")


def test_a_file_with_a_bad_location_is_not_exported(kobo, run_main, tmp_path):
    cells = good_row(2).split(",")
    cells[HEADER.split(",").index("sted")] = "north of the church"
    (tmp_path / "bad.csv").write_text("\n".join([HEADER, good_row(1), ",".join(cells)]) + "\n", "utf-8")
    ran = run_main("export", tmp_path / "bad.csv", "--instrument", kobo / "form.xlsx", "--weighting", "none",
                   "--to", tmp_path / "x.csv")
    assert ran.code == EXIT_INVALID_DATA and "not_a_location" in ran.stdout + ran.stderr
    assert not (tmp_path / "x.csv").exists()


def test_the_form_goes_round_as_an_xlsform_and_synthetic_answers_keep_every_format(kobo, tmp_path):
    from fjernarbeid.instrument.xlsform import read_xlsform, write_xlsform
    from fjernarbeid.study.model import study_for_instrument
    from fjernarbeid.study.synthetic import synthesise

    inst = load_instrument(kobo / "form.xlsx")
    assert read_xlsform(write_xlsform(inst, tmp_path / "again.xlsx")).questions == inst.questions
    synthesise(study_for_instrument(inst), n=60, seed=3).to_csv(tmp_path / "made.csv", index=False)
    report = validate(read_survey(tmp_path / "made.csv", inst), inst)
    assert report.ok, [p.message for p in report.errors][:3]

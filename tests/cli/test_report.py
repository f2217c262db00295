"""`fjernarbeid report` as a user runs it: demo in, report.html + results.json out; bad data, nothing out.

One run is a new interpreter, as from a shell (test_report_on_the_demo); the others call the console entry point
in-process (``run_main``: the same arguments, messages and exit codes, without an interpreter's start-up each)."""

import hashlib
import json
import subprocess
import sys
from pathlib import Path

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "fjernarbeid", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory, demo):
    """The files `fjernarbeid demo --no-sav` writes (that command itself is tested in tests/demo/test_cli.py)."""
    from fjernarbeid.studies.norce2025.demo.write import write_demo

    out = tmp_path_factory.mktemp("demo")
    write_demo(demo, out, sav=False)
    return out


def with_an_invalid_q12(survey: Path, bad: Path) -> Path:
    """A copy of the survey at ``bad`` whose first respondent answers q12 = 9 (not a code of q12)."""
    lines = survey.read_text("utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("q12")] = "9"
    bad.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    return bad


def test_report_on_the_demo(demo_dir, tmp_path, refdata_dir):
    survey = demo_dir / "demo_survey.csv"
    before = hashlib.sha256(survey.read_bytes()).hexdigest()
    res = run("report", survey, "--dispositions", demo_dir / "demo_dispositions.csv", "--refdata", refdata_dir,
              "--out", tmp_path / "rep", "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert "30 agree with the report, 0 differ, 0 not computed" in res.stderr
    doc = json.loads((tmp_path / "rep" / "results.json").read_text("utf-8"))
    assert doc["settings"]["lang"] == "en" and doc["fieldwork"]["contacts"] == 1074
    assert '<html lang="en">' in (tmp_path / "rep" / "report.html").read_text("utf-8")
    assert hashlib.sha256(survey.read_bytes()).hexdigest() == before  # the input is never modified


def test_report_refuses_invalid_data_and_writes_nothing(demo_dir, tmp_path, run_main):
    bad = with_an_invalid_q12(demo_dir / "demo_survey.csv", tmp_path / "bad.csv")
    ran = run_main("report", bad, "--out", tmp_path / "out")
    assert ran.code == 1
    assert "validation error" in ran.stderr and "q12" in ran.stderr
    assert not (tmp_path / "out").exists()


def test_report_json_only(demo_dir, tmp_path, refdata_dir, run_main):
    # (an unknown --format is test_an_unknown_choice_is_a_usage_error_that_lists_the_choices[--format-pptx])
    ran = run_main("report", demo_dir / "demo_survey.csv", "--refdata", refdata_dir, "--out", tmp_path / "j",
                   "--format", "json")
    assert ran.code == 0, ran.stderr
    assert sorted(p.name for p in (tmp_path / "j").iterdir()) == ["results.json"]
    doc = json.loads((tmp_path / "j" / "results.json").read_text("utf-8"))
    p01 = next(f for f in doc["findings"] if f["id"] == "P01")
    assert p01["status"] == "not_computed" and "disposition log" in p01["reason"]


def test_missing_file_exits_3(tmp_path, run_main):
    ran = run_main("report", tmp_path / "nope.csv")
    assert ran.code == 3
    assert "nope.csv" in ran.stderr


# -- usage and side files (in-process: the console entry point, as a shell runs it) --------------------


@pytest.mark.parametrize("option, value", [("--weighting", "nonsense"), ("--lang", "de"), ("--format", "pptx")])
def test_an_unknown_choice_is_a_usage_error_that_lists_the_choices(option, value, run_main, study_csv, tmp_path):
    ran = run_main("report", study_csv, "--out", tmp_path / "rep", option, value)
    assert ran.code == 2
    choices = {"--weighting": ("poststratify", "rake"), "--lang": ("nb", "en"), "--format": ("html", "xlsx")}
    assert all(c in ran.stderr for c in choices[option]) and "Traceback" not in ran.stderr
    assert not (tmp_path / "rep").exists()


def test_the_weighting_option_is_named_alike_everywhere():
    from typer.testing import CliRunner

    from fjernarbeid.cli import app

    for command in (["report"], ["weight"], ["export"], ["tab"]):
        assert "--weighting" in CliRunner().invoke(app, [*command, "--help"]).stdout, command


@pytest.fixture
def side_files(tmp_path, study_csv):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    return {"empty dispositions": (["-d", empty], empty, "the disposition log is empty"),
            "dispositions without the column": (["-d", study_csv], study_csv, "no 'disposition' column"),
            "catalogue that is not one": (["--catalogue", study_csv], study_csv, "not a findings catalogue"),
            "Word template that is not one": (["-f", "docx", "--docx-template", study_csv], study_csv,
                                              "not a Word document or template")}


@pytest.mark.parametrize("case", ["empty dispositions", "dispositions without the column",
                                  "catalogue that is not one", "Word template that is not one"])
def test_a_side_file_that_is_not_what_it_should_be_is_exit_3_naming_it(case, side_files, run_main, study_csv,
                                                                        tmp_path):
    options, culprit, words = side_files[case]
    ran = run_main("report", study_csv, "--out", tmp_path / "rep", *options)
    assert ran.code == 3, ran.stderr
    message = " ".join(ran.stderr.split())
    assert f"error: {culprit}: " in message and words in message and "Traceback" not in message
    assert not (tmp_path / "rep").exists()


def test_validation_errors_name_only_the_places_they_have(run_main, study_csv, tmp_path):
    import pandas as pd

    frame = pd.read_csv(study_csv, dtype=str, keep_default_na=False).drop(columns=["q23"])
    frame.loc[0, "q12"] = "9"
    frame.to_csv(tmp_path / "bad.csv", index=False)
    ran = run_main("report", tmp_path / "bad.csv", "--out", tmp_path / "rep")
    assert ran.code == 1
    lines = [" ".join(line.split()) for line in ran.stderr.splitlines()]
    assert "None" not in ran.stderr
    assert any(line.startswith("column q23: the file has no column for q23") for line in lines)
    assert any(line.startswith(f"line 2 (id {frame.loc[0, 'id']}), column q12: q12 = 9") for line in lines)


def test_an_out_that_is_a_file_is_refused_before_the_work(run_main, study_csv, tmp_path):
    taken = tmp_path / "notes.txt"
    taken.write_text("someone's notes\n")
    ran = run_main("report", study_csv, "--out", taken)
    assert ran.code == 3 and f"error: {taken}: cannot write the report into it" in " ".join(ran.stderr.split())
    assert taken.read_text() == "someone's notes\n"


def test_report_in_every_document_format_at_once_with_its_progress(demo_dir, tmp_path, refdata_dir, run_main,
                                                                    monkeypatch):
    """`--format pdf,docx,html`: one view and one drawing of each chart serve the three documents; the PDF
    (printed by a worker while the Word document is written) comes last whatever the order asked; all three
    have chapter 4.5, its counties by their Norwegian names.

    The progress bar on the same run: it sat at 'finding P29' while chapter 4.5 was computed and at 'writing
    report.docx 33/38' while the Word charts were drawn — half the run. Chapter 4.5 is a step of its own and
    every Word chart one step."""
    from types import SimpleNamespace

    from docx import Document
    from pypdf import PdfReader

    import fjernarbeid.cli.report as report_cli

    seen: list[tuple[str, float, float]] = []

    class Recorder:
        def __init__(self, *columns, **kw):
            self.tasks = []

        def __enter__(self):
            return self

        def __exit__(self, *exc):
            return False

        def add_task(self, description, total):
            self.tasks.append(SimpleNamespace(description=description, total=total, completed=0))
            return 0

        def update(self, task, advance=0, description=None, total=None):
            t = self.tasks[task]
            t.completed += advance
            t.description = description or t.description
            t.total = total if total is not None else t.total
            seen.append((t.description, t.completed, t.total))

        def stop(self):
            pass

    monkeypatch.setattr(report_cli, "Progress", Recorder)
    ran = run_main("report", demo_dir / "demo_survey.csv", "--dispositions", demo_dir / "demo_dispositions.csv",
                   "--refdata", refdata_dir, "--out", tmp_path / "rep", "--format", "pdf,docx,html")
    assert ran.code == 0, ran.stderr
    assert ran.stdout.split() == [str(tmp_path / "rep" / name) for name in ("report.pdf", "report.docx", "report.html")]
    html = (tmp_path / "rep" / "report.html").read_text("utf-8")
    doc = Document(str(tmp_path / "rep" / "report.docx"))
    pdf = PdfReader(tmp_path / "rep" / "report.pdf")
    n_charts = html.count('<figure class="chart-figure"')
    assert n_charts >= 12 and len(doc.inline_shapes) == n_charts
    assert 'id="malgrupper"' in html and any(p.text.startswith("4.5 ") and p.style.name == "Heading 1"
                                               for p in doc.paragraphs)
    pdf_text = "".join(page.extract_text() for page in pdf.pages)
    assert "4.5 Målgrupper" in pdf_text
    docx_text = " ".join(c.text for t in doc.tables for row in t.rows for c in row.cells)
    for text in (html, pdf_text, docx_text):  # the counties' Sámi/Kven forms (municipalities keep their names)
        assert not any(form in text for form in ("Romssa", "Finnmárkku", "Nordlándda", "Trööndelage", "Sisdajven"))
    assert ">Oslo</td>" in html and ">Troms</td>" in html

    assert any(d == "chapter 4.5" for d, _, _ in seen)
    in_word = [c for d, c, _ in seen if d == "writing report.docx"]
    assert max(in_word) - min(in_word) >= 15  # the demo's 19 charts, drawn for Word
    assert seen[-1][1] == seen[-1][2], " ".join(f"{d}:{c}" for d, c, _ in seen)  # the bar ends full


def test_invalid_data_are_reported_as_such_when_deriving_fails_on_them_first(demo_dir, tmp_path, monkeypatch):
    """The checks run beside the derived variables and the weights: when those fail on data that
    the checks reject, the user sees the checks' errors and the invalid-data exit code, nothing else."""
    from typer.testing import CliRunner

    import fjernarbeid.data.derive
    from fjernarbeid.cli import app

    bad = with_an_invalid_q12(demo_dir / "demo_survey.csv", tmp_path / "bad.csv")

    def broken(*args, **kwargs):
        raise ValueError("deriving met the invalid answer first")

    monkeypatch.setattr(fjernarbeid.data.derive, "derive", broken)
    res = CliRunner().invoke(app, ["report", str(bad), "--out", str(tmp_path / "out"), "--format", "json"])
    assert res.exit_code == 1, res.output
    assert "validation error" in res.output and "q12" in res.output and "deriving met" not in res.output
    assert not (tmp_path / "out").exists()

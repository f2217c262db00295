"""`fjernarbeid report` as a user runs it: demo in, report.html + results.json out; bad data, nothing out.

One run is a new interpreter, as from a shell (test_report_on_the_demo); the others call the console entry point
in-process (``run_main``, ``call_main``: the same arguments, messages and exit codes, without an interpreter's
start-up each)."""

import hashlib
import json
import re
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


def progress_recorder(seen: list):
    """A stand-in for rich's Progress that appends (description, completed, total) to ``seen`` at each update."""
    from types import SimpleNamespace

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

    return Recorder


@pytest.fixture(scope="module")
def every_format(demo_dir, tmp_path_factory, refdata_dir, call_main):
    """The demo's report as `--format pdf,docx,html` writes it (with chapter 4.5), in-process with its progress
    bar recorded: the run, its folder and each state of the bar."""
    import fjernarbeid.cli.report as report_cli

    out = tmp_path_factory.mktemp("every-format") / "rep"
    seen: list[tuple[str, float, float]] = []
    with pytest.MonkeyPatch.context() as monkeypatch:
        monkeypatch.setattr(report_cli, "Progress", progress_recorder(seen))
        ran = call_main(monkeypatch, "report", demo_dir / "demo_survey.csv", "--dispositions",
                        demo_dir / "demo_dispositions.csv", "--refdata", refdata_dir, "--out", out,
                        "--format", "pdf,docx,html")
    return ran, out, seen


def test_report_in_every_document_format_at_once(every_format):
    """`--format pdf,docx,html`: one view and one drawing of each chart serve the three documents; the PDF
    (printed by a worker while the Word document is written) comes last whatever the order asked; all three
    have chapter 4.5, its counties by their Norwegian names."""
    from docx import Document
    from pypdf import PdfReader

    ran, rep, _ = every_format
    assert ran.code == 0, ran.stderr
    assert ran.stdout.split() == [str(rep / name) for name in ("report.pdf", "report.docx", "report.html")]
    html = (rep / "report.html").read_text("utf-8")
    doc = Document(str(rep / "report.docx"))
    pdf = PdfReader(rep / "report.pdf")
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


def test_chapter_45_numbers_its_figures_and_tables_on_from_chapter_3(every_format):
    """Chapter 4.5's charts had no caption: each is now 'Figur N. …' numbered on from the last figure of chapter 3,
    with its source line, and its tables 'Tabell N. …' on from chapter 3's (the methods' tables after them)."""
    import lxml.html

    ran, rep, _ = every_format
    assert ran.code == 0, ran.stderr
    page = lxml.html.fromstring((rep / "report.html").read_text("utf-8"))

    def numbers(elements, word):
        labels = [" ".join(e.xpath('string(.//span[@class="label"])').split()) for e in elements]
        assert all(re.fullmatch(rf"{word} \d+\.", label) for label in labels), labels
        return [int(re.search(r"\d+", label).group()) for label in labels]

    figures = numbers(page.xpath("//figcaption"), "Figur")
    tables = numbers(page.xpath("//table/caption"), "Tabell")
    assert figures == list(range(1, len(figures) + 1)) and tables == list(range(1, len(tables) + 1))
    chapter = page.get_element_by_id("malgrupper")
    own = numbers(chapter.xpath(".//figcaption"), "Figur")
    before = [n for n in figures if n not in own]
    assert len(own) >= 4 and own[0] == max(before) + 1, (before, own)
    own_tables = numbers(chapter.xpath(".//table/caption"), "Tabell")
    methods = numbers(page.get_element_by_id("methods").xpath(".//table/caption"), "Tabell")
    assert own_tables and methods[0] == own_tables[-1] + 1
    for figure in chapter.xpath(".//figure"):
        assert figure.get("id") == f"figure-{numbers(figure.xpath('./figcaption'), 'Figur')[0]}"
        source = " ".join(figure.xpath('string(./p[@class="source"])').split())
        assert re.fullmatch(r"Kilde: demo_survey\.csv\. n = \d+ \(uvektet\)\.", source), source


def test_the_word_report_has_chapter_45s_charts_with_their_captions(every_format):
    """Chapter 4.5 of the Word report had no chart: each figure of the HTML is there, in its place (after its
    heading, before the methods), as chapter 3's are: a numbered caption (SEQ field), the chart, its source."""
    import lxml.html
    from docx import Document

    ran, rep, _ = every_format
    assert ran.code == 0, ran.stderr
    chapter = lxml.html.fromstring((rep / "report.html").read_text("utf-8")).get_element_by_id("malgrupper")
    wanted = [" ".join(c.text_content().split()) for c in chapter.xpath(".//figcaption")]
    doc = Document(str(rep / "report.docx"))
    paragraphs = doc.paragraphs
    start = next(i for i, p in enumerate(paragraphs) if p.style.name == "Heading 1" and p.text.startswith("4.5 "))
    end = next(i for i, p in enumerate(paragraphs) if i > start and p.style.name == "Heading 1")
    inside = paragraphs[start:end]
    pictures = [i for i, p in enumerate(inside) if p._p.xpath(".//pic:pic")]
    captions = [p for p in inside if p.style.name == "Caption" and p.text.startswith("Figur ")]
    assert [p.text for p in captions] == wanted and len(pictures) == len(wanted) >= 4
    assert all("SEQ Figure" in "".join(p._p.xpath(".//w:instrText/text()")) for p in captions)
    for i in pictures:  # each chart between its caption and its source line
        assert inside[i - 1].text.startswith("Figur ") and inside[i + 1].text.startswith("Kilde: demo_survey.csv.")
    alts = [shape._inline.docPr.get("descr") for shape in doc.inline_shapes]
    assert alts[-len(wanted):] == [w.split(". ", 1)[1] for w in wanted]  # the caption is the chart's alt text
    tables = [p.text for p in inside if p.style.name == "Caption" and p.text.startswith("Tabell ")]
    assert len(tables) == len(chapter.xpath(".//table/caption"))


def test_the_progress_bar_moves_through_chapter_45_and_the_word_charts(every_format):
    """The bar sat at 'finding P29' while chapter 4.5 was computed and at 'writing report.docx 33/38' while the
    Word charts were drawn — half the run. Chapter 4.5 is a step of its own and every Word chart one step (on the
    run of every_format, which writes Word beside HTML and PDF)."""
    ran, _, seen = every_format
    assert ran.code == 0, ran.stderr
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


@pytest.fixture(scope="module")
def coworking_report(coworking_study, tmp_path_factory, call_main):
    out = tmp_path_factory.mktemp("coworking_report") / "r"
    with pytest.MonkeyPatch.context() as monkeypatch:
        ran = call_main(monkeypatch, "report", coworking_study.export, "--study", coworking_study.study,
                        "--out", out, "--format", "html,json")
    assert ran.code == 0, ran.stderr
    return out


def test_a_cell_of_a_cross_with_an_age_range_is_a_list_in_json_and_words_in_the_report(coworking_report):
    """Post-stratified to municipality × age ranges: results.json gave each cell as Python's text of a list,
    "[1, '18-39']", and the methods appendix printed it "Sunnfjord, '18-39'"."""
    results = json.loads((coworking_report / "results.json").read_text("utf-8"))
    margins = results["weighting"]["margins"]
    categories = [row[margins["columns"].index("category")] for row in margins["rows"]]
    assert categories[0] == [1, "18-39"] and all(isinstance(c, list) for c in categories), categories
    html = (coworking_report / "report.html").read_text("utf-8")
    assert "Sunnfjord, 18-39" in html and "&#39;18-39&#39;" not in html and "'18-39'" not in html


def test_a_charts_caption_numbers_the_question_as_its_table_and_heading_do(coworking_report):
    """'Figur 1. 1 Kjønn.' beside 'Tabell 2. 1. Kjønn: estimater': the chart's caption lost the question number's
    full stop."""
    html = (coworking_report / "report.html").read_text("utf-8")
    assert '<span class="label">Figur 1.</span> 1. Kjønn. Vektet andel' in html
    assert "1. Kjønn: estimater" in html

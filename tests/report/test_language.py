"""A Norwegian report is Norwegian in every format: no English word of the project's own texts, no internal
key and no variable name in what a reader sees (HTML, PDF, Word, Excel; bokmål and nynorsk).

The list of English words is made from the message catalogue itself: every word of an English text that no
Norwegian text of the catalogue uses. Internal keys are the catalogue's keys and any snake_case word;
variable names are the questionnaire's question and derived-variable names."""

from __future__ import annotations

import re
import shutil
import subprocess

import lxml.html
import pytest
from docx import Document
from openpyxl import load_workbook

from fjernarbeid.i18n import catalogue

WORD = re.compile(r"[A-Za-zÆØÅæøåÉéÜü']+")
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
FILE_NAME = re.compile(r"\S+\.(csv|sav|dta|xlsx|parquet|docx|pdf|json)\b")


PLACEHOLDER = re.compile(r"\{[^{}]*\}")


def _words(text: str) -> set[str]:
    """The words of a text; a catalogue text's {placeholders} are names, not words of its language."""
    return {w.strip("'").lower() for w in WORD.findall(PLACEHOLDER.sub(" ", text)) if len(w.strip("'")) >= 3}


@pytest.fixture(scope="module")
def english_words() -> set[str]:
    """Words of the English catalogue that the Norwegian catalogues never use ('agree', 'weighted', 'rate' …)."""
    english = set().union(*(_words(text) for text in catalogue("en").values()))
    norwegian = set().union(*(_words(text) for lang in ("nb", "nn") for text in catalogue(lang).values()))
    words = english - norwegian
    assert {"weighted", "share", "respondents", "significant"} <= words  # the list is a real one
    return words


@pytest.fixture(scope="module")
def internal_names(instrument) -> set[str]:
    keys = {key for (_context, key) in catalogue("nb") if "_" in key}
    variables = {q.name for q in instrument.questions} | {d.name for d in instrument.derived}
    return keys | variables


def _offences(text: str, english_words: set[str], internal_names: set[str]) -> dict[str, list[str]]:
    text = FILE_NAME.sub(" ", text)
    words = re.findall(r"[A-Za-z0-9_ÆØÅæøå']+", text)
    found = {
        "english": sorted({w for w in words if w.strip("'").lower() in english_words}),
        "internal key": sorted(set(SNAKE.findall(text))),
        "variable name": sorted({w for w in words if w in internal_names}),
    }
    return {k: v for k, v in found.items() if v}


def _html_text(html: str) -> str:
    root = lxml.html.fromstring(html)
    for node in root.xpath("//style|//*[local-name()='svg']|//script"):
        node.drop_tree()
    return " ".join(t.strip() for t in root.itertext() if t.strip())


def _docx_text(path) -> str:
    doc = Document(str(path))
    parts = [p.text for p in doc.paragraphs]
    parts += [cell.text for table in doc.tables for row in table.rows for cell in row.cells]
    parts += [s._inline.docPr.get("descr", "") for s in doc.inline_shapes]
    return "\n".join(parts)


def _xlsx_text(path) -> str:
    wb = load_workbook(path, read_only=True)
    parts = [ws.title for ws in wb.worksheets]
    for ws in wb.worksheets:
        for row in ws.iter_rows(values_only=True):
            parts += [v for v in row if isinstance(v, str)]
    return "\n".join(parts)


@pytest.fixture(scope="module", params=["nb", "nn"])
def outputs(request, demo, instrument, demo_frame, tmp_path_factory):
    """Every format of the demo's report in one Norwegian language, as text a reader sees: the findings are
    run in that language, as `fjernarbeid report --lang` runs them (labels of code sets are chosen then), and,
    as the command does, one view of them is laid out in each document."""
    from fjernarbeid.export.xlsx import write_workbook
    from fjernarbeid.fieldwork import summarise_fieldwork
    from fjernarbeid.findings.run import run_findings
    from fjernarbeid.report.docx import write_docx
    from fjernarbeid.report.html import render_view
    from fjernarbeid.report.pdf import write_pdf
    from fjernarbeid.report.view import build_view
    from fjernarbeid.survey.weighting import weight_study

    lang, out = request.param, tmp_path_factory.mktemp(f"lang-{request.param}")
    design = weight_study(demo_frame, instrument).design
    results = run_findings(demo_frame, design=design, instrument=instrument, source="demo", synthetic=True,
                           fieldwork=summarise_fieldwork(demo.dispositions, instrument), lang=lang)
    view = build_view(results, instrument, lang=lang)
    texts = {"html": _html_text(render_view(view))}
    texts["docx"] = _docx_text(write_docx(None, None, out / "report.docx", view=view))
    texts["xlsx"] = _xlsx_text(write_workbook(out / "report.xlsx", results, design, instrument, lang=lang))
    pdf = write_pdf(None, None, out / "report.pdf", view=view)
    if shutil.which("pdftotext"):
        texts["pdf"] = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, text=True,
                                      check=True).stdout
    return lang, texts


@pytest.mark.parametrize("fmt", ["html", "docx", "pdf", "xlsx"])
def test_a_norwegian_report_has_no_english_word_internal_key_or_variable_name(outputs, fmt, english_words,
                                                                               internal_names):
    lang, texts = outputs
    if fmt not in texts:
        pytest.skip("pdftotext (Debian poppler-utils) is not installed; the PDF's text is not read")
    assert len(texts[fmt]) > 5000
    assert _offences(texts[fmt], english_words, internal_names) == {}, f"{lang} {fmt}"


def test_the_check_finds_what_it_looks_for(english_words, internal_names):
    offences = _offences("Kunne ikke beregnes: the data have no column q12; screened_s1 weighted share",
                         english_words, internal_names)
    assert offences["internal key"] == ["screened_s1"] and "q12" in offences["variable name"]
    assert {"weighted", "share"} <= set(offences["english"])


def test_every_language_has_every_message():
    keys = {lang: set(catalogue(lang)) for lang in ("nb", "nn", "en")}
    assert keys["nb"] == keys["en"] == keys["nn"], keys["nb"] ^ (keys["en"] & keys["nn"])

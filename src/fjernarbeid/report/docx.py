"""The report as a Word document (python-docx), with the same content as the HTML report.

Everything is set with *named styles* — Title, Subtitle, Heading 1-3, Normal, Caption, Quote
(findings' sentences), List Bullet (questionnaire codes) and the table style "Table Grid" — so an
organisation can give the document its own look by passing its template (``template=``, a .docx
or .dotx whose styles of the same names are then used) or by restyling in Word.
"""

from __future__ import annotations

import io
from pathlib import Path

from docx import Document
from docx.enum.table import WD_TABLE_ALIGNMENT
from docx.enum.text import WD_ALIGN_PARAGRAPH
from docx.shared import Cm, Pt

from fjernarbeid._io import atomic_path
from fjernarbeid.findings.results import Results
from fjernarbeid.instrument import Instrument
from fjernarbeid.report.view import ReportView, TextTable, build_view

TABLE_STYLE = "Table Grid"


def _table(doc, tb: TextTable) -> None:
    if tb.caption:
        doc.add_paragraph(tb.caption, style="Caption")
    table = doc.add_table(rows=1, cols=len(tb.headers))
    try:
        table.style = doc.styles[TABLE_STYLE]
    except KeyError:  # a user template without it: keep Word's default
        pass
    table.alignment = WD_TABLE_ALIGNMENT.LEFT
    for i, h in enumerate(tb.headers):
        cell = table.rows[0].cells[i]
        cell.text = h
        for run in cell.paragraphs[0].runs:
            run.bold = True
    for r, row in enumerate(tb.rows):
        cells = table.add_row().cells
        if r in tb.group_rows:
            merged = cells[0].merge(cells[-1])
            merged.text = row[0]
            merged.paragraphs[0].runs[0].bold = True
            continue
        for i, value in enumerate(row):
            cells[i].text = value
            if tb.numeric[i]:
                cells[i].paragraphs[0].alignment = WD_ALIGN_PARAGRAPH.RIGHT
    for row in table.rows:
        for cell in row.cells:
            for p in cell.paragraphs:
                for run in p.runs:
                    run.font.size = Pt(8.5)


def build_docx(view: ReportView, template: str | Path | None = None):
    doc = Document(str(template)) if template else Document()
    section = doc.sections[0]
    section.left_margin = section.right_margin = Cm(2.2)
    doc.core_properties.title = view.title
    doc.core_properties.subject = view.subtitle
    doc.core_properties.comments = view.generated
    doc.add_paragraph(view.title, style="Title")
    doc.add_paragraph(view.subtitle, style="Subtitle")
    doc.add_paragraph(view.generated)
    if view.synthetic:
        p = doc.add_paragraph()
        p.add_run(view.t("synthetic")).bold = True

    doc.add_heading(view.t("summary"), level=1)
    doc.add_paragraph(view.summary_intro)
    _table(doc, view.replication)
    doc.add_paragraph(view.counts)

    for s in view.sections:
        doc.add_heading(s.title, level=1)
        if s.intro:
            doc.add_paragraph(s.intro)
        for tb in s.tables:
            _table(doc, tb)
        for f in s.findings:
            doc.add_heading(f"{f.id} {f.title}" + (f" · {view.t(f.verdict)}" if view.judged else ""), level=2)
            text = f.sentence if f.status == "ok" else view.t("not_computed_reason", reason=f.reason)
            doc.add_paragraph(text, style="Quote")
            for chart in f.charts:
                doc.add_picture(io.BytesIO(chart.png()), width=Cm(15.5))
                doc.add_paragraph(chart.caption, style="Caption")
            for tb in f.tables:
                _table(doc, tb)
            if f.published:
                p = doc.add_paragraph()
                p.add_run(view.t("published_label") + ": ").bold = True
                p.add_run(f.published + " — ")
                p.add_run(view.t("ours_label") + ": ").bold = True
                p.add_run(f.ours)

    doc.add_heading(view.t("methods"), level=1)
    doc.add_heading(view.t("weighting"), level=2)
    doc.add_paragraph(view.methods_text)
    for tb in view.methods_tables:
        _table(doc, tb)
    doc.add_paragraph(view.suppression_note)

    doc.add_heading(view.t("questionnaire"), level=1)
    doc.add_paragraph(view.instrument_title)
    for q in view.questions:
        if q.preamble:
            doc.add_paragraph(q.preamble).runs[0].italic = True
        p = doc.add_paragraph()
        p.add_run(f"{q.number}. ").bold = True
        p.add_run(q.text)
        if q.routing:
            doc.add_paragraph(f"{view.t('routing')}: {q.routing}")
        for c in q.codes:
            label = f"{c['code']}: {c['label']}"
            if c["screen_out"]:
                label += f" ⇒ {view.t('screen_out')}"
            if c["missing"]:
                label += f" ({view.t('not_read')})"
            doc.add_paragraph(label, style="List Bullet")
    return doc


def write_docx(results: Results, instrument: Instrument, path: str | Path, lang: str = "nb", min_cell: int = 5,
               template: str | Path | None = None) -> Path:
    doc = build_docx(build_view(results, instrument, lang=lang, min_cell=min_cell), template)
    with atomic_path(path) as tmp:
        doc.save(str(tmp))
    return Path(path)

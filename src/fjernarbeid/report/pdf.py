"""The report as PDF (fpdf2: pure Python, installs from PyPI, works offline), with the same content as
the HTML report. Text uses the DejaVu fonts that matplotlib ships (so Norwegian letters and symbols
such as ≈ and − print without any system font); charts are embedded as PNG."""

from __future__ import annotations

import io
from pathlib import Path

import matplotlib
from fpdf import FPDF
from fpdf.fonts import FontFace

from fjernarbeid._io import atomic_path
from fjernarbeid.findings.results import Results
from fjernarbeid.instrument import Instrument
from fjernarbeid.report.view import ReportView, TextTable, build_view

FONT_DIR = Path(matplotlib.get_data_path()) / "fonts" / "ttf"
ACCENT = (27, 108, 168)
VERDICT_COLOURS = {"agrees": (30, 123, 52), "differs": (179, 38, 30), "not_computed": (138, 109, 0)}


class _Pdf(FPDF):
    def __init__(self, title: str):
        super().__init__(format="A4")
        self.report_title = title
        self.add_font("DejaVu", "", str(FONT_DIR / "DejaVuSans.ttf"))
        self.add_font("DejaVu", "B", str(FONT_DIR / "DejaVuSans-Bold.ttf"))
        self.add_font("DejaVu", "I", str(FONT_DIR / "DejaVuSans-Oblique.ttf"))
        self.set_auto_page_break(True, margin=18)
        self.set_margins(18, 16, 18)

    def footer(self):
        self.set_y(-12)
        self.set_font("DejaVu", "", 7)
        self.set_text_color(110)
        self.cell(0, 5, f"{self.report_title} — {self.page_no()}", align="C")
        self.set_text_color(0)


def _heading(pdf: _Pdf, text: str, level: int) -> None:
    size = {0: 17, 1: 13.5, 2: 10.5}[level]
    if level == 1 and pdf.get_y() > 200:
        pdf.add_page()
    pdf.ln(4 if level else 0)
    pdf.set_font("DejaVu", "B", size)
    if level == 1:
        pdf.set_text_color(*ACCENT)
    pdf.multi_cell(0, size * 0.5, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(1.5)


def _para(pdf: _Pdf, text: str, size: float = 9.5, style: str = "", colour=None) -> None:
    pdf.set_font("DejaVu", style, size)
    if colour:
        pdf.set_text_color(*colour)
    pdf.multi_cell(0, size * 0.48, text, align="L", new_x="LMARGIN", new_y="NEXT")
    pdf.set_text_color(0)
    pdf.ln(1.2)


def _table(pdf: _Pdf, tb: TextTable) -> None:
    if tb.caption:
        _para(pdf, tb.caption, 8.5, "B")
    pdf.set_font("DejaVu", "", 7.2)
    n = len(tb.headers)
    text_cols = [i for i in range(n) if not tb.numeric[i]]
    # text columns share what the numeric columns leave
    width = pdf.epw
    numeric_w = 18 if n > 2 else 30
    text_w = (width - numeric_w * (n - len(text_cols))) / max(len(text_cols), 1)
    widths = [numeric_w if tb.numeric[i] else text_w for i in range(n)]
    align = ["RIGHT" if tb.numeric[i] else "LEFT" for i in range(n)]
    with pdf.table(col_widths=widths, text_align=align, line_height=3.6, first_row_as_headings=True,
                   headings_style=FontFace(emphasis="BOLD", fill_color=(240, 242, 245)),
                   borders_layout="HORIZONTAL_LINES") as table:
        table.row(tb.headers)
        for r, row in enumerate(tb.rows):
            if r in tb.group_rows:
                cells = table.row()
                cells.cell(row[0], colspan=n, style=FontFace(emphasis="BOLD", fill_color=(232, 238, 245)))
            else:
                table.row(row)
    pdf.ln(2)


def build_pdf(view: ReportView) -> bytes:
    pdf = _Pdf(view.title)
    pdf.set_title(view.title)
    pdf.set_creator(f"fjernarbeid {view.version}")
    pdf.set_lang(view.lang)
    pdf.add_page()
    _heading(pdf, view.title, 0)
    _para(pdf, view.subtitle, 10, "I")
    _para(pdf, view.generated, 8.5)
    if view.synthetic:
        _para(pdf, view.t("synthetic"), 9.5, "B", (150, 100, 0))

    _heading(pdf, view.t("summary"), 1)
    _para(pdf, view.summary_intro, 8.5)
    _table(pdf, view.replication)
    _para(pdf, view.counts, 8.5)

    for s in view.sections:
        pdf.add_page()
        _heading(pdf, s.title, 1)
        if s.intro:
            _para(pdf, s.intro)
        for tb in s.tables:
            _table(pdf, tb)
        for f in s.findings:
            _heading(pdf, f"{f.id} {f.title}" + (f" · {view.t(f.verdict)}" if view.judged else ""), 2)
            text = f.sentence if f.status == "ok" else view.t("not_computed_reason", reason=f.reason)
            _para(pdf, text, 9.5)
            for chart in f.charts:
                png = chart.png()
                if pdf.get_y() > 190:
                    pdf.add_page()
                pdf.image(io.BytesIO(png), w=pdf.epw * 0.92)
                _para(pdf, chart.caption, 7.5, "I", (100, 100, 100))
            for tb in f.tables:
                _table(pdf, tb)
            if f.published:
                _para(pdf, f"{view.t('published_label')}: {f.published} — {view.t('ours_label')}: {f.ours}", 7.5,
                      colour=(90, 90, 90))

    pdf.add_page()
    _heading(pdf, view.t("methods"), 1)
    _heading(pdf, view.t("weighting"), 2)
    _para(pdf, view.methods_text)
    for tb in view.methods_tables:
        _table(pdf, tb)
    _para(pdf, view.suppression_note, 8.5)

    pdf.add_page()
    _heading(pdf, view.t("questionnaire"), 1)
    _para(pdf, view.instrument_title, 8.5, "I")
    for q in view.questions:
        if q.preamble:
            _para(pdf, q.preamble, 8.5, "I")
        _para(pdf, f"{q.number}. {q.text}", 9, "B")
        if q.routing:
            _para(pdf, f"{view.t('routing')}: {q.routing}", 8, colour=ACCENT)
        for c in q.codes:
            label = f"   {c['code']}: {c['label']}"
            if c["screen_out"]:
                label += f" ⇒ {view.t('screen_out')}"
            if c["missing"]:
                label += f" ({view.t('not_read')})"
            _para(pdf, label, 8.5)
    return bytes(pdf.output())


def write_pdf(results: Results, instrument: Instrument, path: str | Path, lang: str = "nb", min_cell: int = 5) -> Path:
    data = build_pdf(build_view(results, instrument, lang=lang, min_cell=min_cell))
    with atomic_path(path) as tmp:
        tmp.write_bytes(data)
    return Path(path)

"""The Excel workbook: the findings with published figures beside ours, and banner tables.

:func:`write_workbook` writes one ``.xlsx`` file (openpyxl) that needs no tidying by hand:

* a contents sheet (title, data, weighting, the synthetic-data warning, a linked list of sheets);
* a findings overview and one sheet per finding: its estimates, tests, the published figure
  against ours with the rule used, the verdict, and its tables;
* one banner table per coded question (:mod:`fjernarbeid.export.banner`): weighted column %,
  unweighted and effective bases, significance letters, suppressed small cells, and notes saying
  how all of it was computed;
* the respondents' composition (table 3.2.1) and the weighting (targets against weighted sums).

Every sheet has a title, frozen panes, number formats and column widths.
"""

from __future__ import annotations

import math
from dataclasses import asdict
from pathlib import Path
from typing import Any, Iterable

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.hyperlink import Hyperlink
from openpyxl.worksheet.worksheet import Worksheet

from fjernarbeid import __version__
from fjernarbeid._cells import make_workbook_inert
from fjernarbeid._io import atomic_path
from fjernarbeid.i18n import LANGUAGES, SUPPRESSED, has_message, message
from fjernarbeid.report.i18n import term
from fjernarbeid.export._text import method_name, variable_label, weighting_variables
from fjernarbeid.export.banner import ALPHA_LOWER, ALPHA_UPPER, BannerTable, Breakdown, banner_tables, study_banner
from fjernarbeid.findings.results import FindingResult, Results, Table
from fjernarbeid.instrument import Instrument, Question
from fjernarbeid.survey.design import SurveyDesign
from fjernarbeid.survey.weighting import WeightReport

# Findings whose estimates are shares (0-1) and are shown as percentages.
SHARE_ANALYSES = frozenset({"distribution", "shares"})

# The workbook's words are in the message catalogue (fjernarbeid.i18n, contexts "workbook" and
# "workbook_heading"); nynorsk falls back to bokmål where a text is not yet translated.

# Number formats (Excel codes); a percentage format multiplies by 100.
PERCENT = {"nb": "0 %", "nn": "0 %", "en": "0%"}
PERCENT_1 = {"nb": "0.0 %", "nn": "0.0 %", "en": "0.0%"}
P_VALUE = {"nb": '[<0.001]"<0,001";0.000', "nn": '[<0.001]"<0,001";0.000', "en": '[<0.001]"<0.001";0.000'}
INTEGER = "0"
THOUSANDS = "#,##0"
DECIMAL_1 = "0.0"
DECIMAL_2 = "0.00"
DECIMAL_3 = "0.000"

_BOLD = Font(bold=True)
_TITLE = Font(bold=True, size=14)
_WARNING = Font(bold=True, color="C00000")
_NOTE = Font(italic=True, size=9, color="404040")
_LETTERS = Font(size=8, color="1F4E9A")
_LINK = Font(color="0563C1", underline="single")
_HEADER_FILL = PatternFill("solid", fgColor="E8EEF7")
_THIN = Side(style="thin", color="808080")
_CENTRE = Alignment(horizontal="center", vertical="center", wrap_text=True)
_WRAP = Alignment(wrap_text=True, vertical="top")


def _t(key: str, lang: str, **kw) -> str:
    return message("workbook", key, lang, **kw)


def _heading(col: str, lang: str) -> str:
    return message("workbook_heading", col, lang) if has_message("workbook_heading", col) else col.replace("_", " ")


def _number(value: float, lang: str, decimals: int) -> str:
    text = f"{value:,.{decimals}f}"
    return text.replace(",", "\u202f").replace(".", ",") if lang in ("nb", "nn") else text


# -- the public writer -----------------------------------------------------------------------


def write_workbook(
    path: str | Path,
    results: Results | None,
    design: SurveyDesign,
    instrument: Instrument,
    *,
    lang: str = "nb",
    min_cell: int = 5,
    breakdowns: list[Breakdown] | None = None,
) -> Path:
    """Write the Excel workbook to ``path`` (atomically) and return the path.

    ``design`` is the weighted design the findings were computed from (its data with the derived
    variables); ``results`` the findings (``None``: banner tables only). ``breakdowns`` defaults
    to the study's banner (:func:`fjernarbeid.export.banner.study_banner`).
    """
    if lang not in LANGUAGES:
        # the workbook's own texts are in the catalogue's languages; `fjernarbeid report` gives it
        # English for a report in any other language
        raise ValueError(f"lang must be one of {', '.join(LANGUAGES)}, not {lang!r}")
    if min_cell < 1:
        raise ValueError("min_cell must be at least 1")
    path = Path(path)
    synthetic = bool(results is not None and results.data.get("synthetic"))
    breakdowns = breakdowns if breakdowns is not None else study_banner(instrument, design.data,
                                                                          getattr(results, "study", None))
    weights = WeightReport.from_design(design)

    questions = [q for q in instrument if q.type in ("single", "multiple")]
    missing = [q.name for q in questions if q.name not in design.data.columns]
    shown = [q for q in questions
             if q.name not in missing and len([c for c in q.substantive_codes if c not in q.screen_out]) >= 2]
    # the weighting fixed these variables' margins: their banners get no significance letters
    fixed = {v.strip() for name in weights.margins["variable"] for v in str(name).split("×")}
    tables = banner_tables(design, shown, breakdowns, min_cell=min_cell, untested=fixed)

    wb = Workbook()
    contents = wb.active
    contents.title = _t("contents", lang)
    entries: list[tuple[str, str, str]] = []  # (group, sheet name, description)

    if results is not None:
        overview = wb.create_sheet(_t("findings", lang))
        entries.append((_t("finding_sheets", lang), overview.title, _t("overview", lang)))
        sheets: dict[str, str] = {}  # finding → its sheet, for the overview's links
        for f in results.findings:
            ws = wb.create_sheet(_sheet_name(f.id, wb.sheetnames))
            sheets[f.id] = ws.title
            _finding_sheet(ws, f, lang, synthetic, instrument)
            entries.append((_t("finding_sheets", lang), ws.title, f"{f.id} – {f.title.get(lang, f.title.get('nb', ''))}"))
        _overview_sheet(overview, results.findings, lang, synthetic, sheets)

    common_notes = _common_notes(weights, instrument, lang, min_cell, synthetic)
    for table in tables:
        q = instrument[table.question]
        ws = wb.create_sheet(_sheet_name(_t("question_sheet", lang, number=q.number), wb.sheetnames))
        _banner_sheet(ws, table, q, lang, common_notes, instrument)
        entries.append((_t("banner_sheets", lang), ws.title, f"{q.number}. {q.label(lang)}"))

    if results is not None and results.respondents:
        ws = wb.create_sheet(_t("respondents", lang))
        _respondents_sheet(ws, results.respondents[0], lang, min_cell, synthetic)
        entries.append(("", ws.title, _t("respondents", lang)))
    ws = wb.create_sheet(_t("weighting", lang))
    _weighting_sheet(ws, weights, instrument, lang, synthetic)
    entries.append(("", ws.title, _t("weighting", lang)))

    _contents_sheet(contents, entries, results, design, instrument, weights, lang, synthetic, missing)
    make_workbook_inert(wb)  # no text of the data becomes a live formula
    with atomic_path(path) as tmp:
        wb.save(tmp)
    return path


# -- sheets ------------------------------------------------------------------------------------


def _link(cell, sheet: str) -> None:
    """An internal link to cell A1 of ``sheet`` (a location, not an external target)."""
    cell.hyperlink = Hyperlink(ref=cell.coordinate, location=f"'{sheet}'!A1")
    cell.font = _LINK


def _sheet_name(name: str, taken: Iterable[str] = ()) -> str:
    """Excel sheet names: at most 31 characters, none of []:*?/\\, and unique among ``taken`` without
    regard to case, as Excel compares them: two long names alike in their first 31 characters (KoboToolbox
    names made from labels) give ``…~2`` for the second, still 31 characters."""
    for ch in "[]:*?/\\":
        name = name.replace(ch, "-")
    base = name = name[:31]
    used = {t.casefold() for t in taken}
    k = 2
    while name.casefold() in used:
        suffix = f"~{k}"
        name = base[: 31 - len(suffix)] + suffix
        k += 1
    return name


def _title(ws: Worksheet, text: str, subtitle: str | None, synthetic: bool, lang: str) -> int:
    """Title (and subtitle, synthetic warning) at the top; returns the next free row."""
    ws.cell(1, 1, text).font = _TITLE
    row = 2
    if subtitle:
        ws.cell(row, 1, subtitle).font = Font(italic=True)
        row += 1
    if synthetic:
        ws.cell(row, 1, _t("synthetic", lang)).font = _WARNING
        row += 1
    return row + 1


def _code_label(instrument: Instrument, name: str, code: Any) -> Any:
    labels = instrument.value_labels().get(name, {})
    try:
        return labels.get(int(code), code)
    except (TypeError, ValueError):
        return code


def _method(weights: WeightReport, lang: str) -> str:
    return method_name(weights.method, lang)


def _common_notes(weights: WeightReport, instrument: Instrument, lang: str, min_cell: int, synthetic: bool) -> list[str]:
    variables = weighting_variables(weights.margins["variable"], instrument, lang)
    notes = [
        _t("note_weighting", lang, method=_method(weights, lang), variables=variables or "–",
           deff=_number(weights.kish_deff, lang, 2),
           neff=_number(weights.effective_n, lang, 0), n=_number(weights.n, lang, 0)),
        _t("note_effective", lang),
        _t("note_letters", lang, lo=_number(ALPHA_LOWER, lang, 2), hi=_number(ALPHA_UPPER, lang, 3)),
        _t("note_suppressed", lang, k=min_cell, symbol=SUPPRESSED),
    ]
    if synthetic:
        notes.append(_t("synthetic", lang))
    return notes


def _banner_sheet(ws: Worksheet, table: BannerTable, q: Question, lang: str, common_notes: list[str],
                  instrument: Instrument | None = None) -> None:
    n_cols = len(table.columns)
    last_col = 1 + n_cols
    ws.cell(1, 1, _t("question_title", lang, number=q.number, text=q.label(lang))).font = _TITLE
    ws.cell(2, 1, _t("banner_subtitle", lang)).font = Font(italic=True)

    # header: breakdown titles (merged), column labels, column letters
    head, labels_row, letters_row, base_row, eff_row, first_data = 4, 5, 6, 7, 8, 9
    for r in (head, labels_row, letters_row):
        for c in range(1, last_col + 1):
            ws.cell(r, c).fill = _HEADER_FILL
    ws.cell(labels_row, 2, _t("total", lang))
    starts = []
    for b, breakdown in enumerate(table.breakdowns):
        cols = [g for g, bo in enumerate(table.breakdown_of) if bo == b]
        first, last = 2 + cols[0], 2 + cols[-1]
        starts.append(first)
        ws.cell(head, first, breakdown.label(lang))
        if last > first:
            ws.merge_cells(start_row=head, start_column=first, end_row=head, end_column=last)
        ws.cell(head, first).alignment = _CENTRE
        ws.cell(head, first).font = _BOLD
    for g, column in enumerate(table.columns):
        c = 2 + g
        if g > 0:
            ws.cell(labels_row, c, column.label(lang))
        ws.cell(labels_row, c).alignment = _CENTRE
        ws.cell(labels_row, c).font = _BOLD
        if table.letters[g]:
            ws.cell(letters_row, c, f"({table.letters[g]})").alignment = _CENTRE
            ws.cell(letters_row, c).font = _LETTERS
    ws.cell(letters_row, 1, _t("letters", lang)).font = _LETTERS

    # bases
    ws.cell(base_row, 1, _t("base", lang)).font = _BOLD
    ws.cell(eff_row, 1, _t("effective_base", lang)).font = _BOLD
    for g in range(n_cols):
        cell = ws.cell(base_row, 2 + g, int(table.base[g]))
        cell.number_format = INTEGER
        cell = ws.cell(eff_row, 2 + g, round(float(table.effective_base[g]), 1))
        cell.number_format = DECIMAL_1

    # one row per category: the percentage with its letters in the same cell, after it ("51 % BD"), as
    # SPSS Custom Tables prints them; the cell keeps its number (the letters are part of its format)
    labels = q.code_labels(lang)
    percent_format = PERCENT[lang]
    row = first_data

    def percent_row(label: str, shares, suppressed, higher, bold: bool = False) -> None:
        nonlocal row
        ws.cell(row, 1, label).font = _BOLD if bold else Font()
        for g in range(n_cols):
            cell = ws.cell(row, 2 + g)
            if suppressed[g]:
                cell.value = SUPPRESSED
            elif not math.isfinite(shares[g]):
                cell.value = "–"
            else:
                cell.value = float(shares[g])
                cell.number_format = percent_format + (f'" {higher[g]}"' if higher[g] else "")
            cell.alignment = Alignment(horizontal="center")
            if bold:
                cell.font = _BOLD
        row += 1

    for c, code in enumerate(table.categories):
        percent_row(labels.get(code, str(code)), table.percent[c], table.suppressed[c], table.higher_than[c])
    for i, codes in enumerate(table.nets):
        names = " + ".join(labels.get(code, str(code)) for code in codes)
        percent_row(_t("net", lang, labels=names), table.net_percent[i], table.net_suppressed[i],
                    table.net_higher_than[i], bold=True)
    if table.mean is not None:
        first, last = table.categories[0], table.categories[-1]
        label = ws.cell(row, 1, _t("mean_row", lang, low=first, low_label=labels.get(first, ""), high=last,
                                   high_label=labels.get(last, "")))
        label.font, label.alignment = _BOLD, _WRAP
        for g in range(n_cols):
            cell = ws.cell(row, 2 + g)
            if table.base[g] < table.min_cell:
                cell.value = SUPPRESSED
            elif not math.isfinite(table.mean[g]):
                cell.value = "–"
            else:
                cell.value = round(float(table.mean[g]), 2)
                cell.number_format = DECIMAL_2
            cell.alignment = Alignment(horizontal="center")
        row += 1

    # borders: a line under the header and before every breakdown
    for c in range(1, last_col + 1):
        ws.cell(letters_row, c).border = Border(bottom=_THIN)
        ws.cell(eff_row, c).border = Border(bottom=_THIN)
    for first in [2] + starts:
        for r in range(head, row):
            cell = ws.cell(r, first)
            cell.border = Border(left=_THIN, bottom=cell.border.bottom)

    # notes
    notes = [_t("note_base", lang)] + ([_t("note_multiple", lang)] if q.is_multiple else [])
    if not table.tested:
        notes.append(_t("note_untested", lang, question=q.label(lang).rstrip("?")))
    if q.ask_if is not None:
        from fjernarbeid.report.view import routing_text

        condition = q.condition_text.get(lang) or q.condition_text.get("nb") or (
            routing_text(q.ask_if, instrument, lang) if instrument is not None else str(q.ask_if))
        notes.append(_t("note_routing", lang, condition=condition))
    for code in q.missing_codes:
        n = table.not_sure
        shown = _number(n, lang, 0) if n == 0 or n >= table.min_cell else _t("fewer_than", lang, k=table.min_cell)
        notes.append(_t("note_not_sure", lang, label=q.code(code).label(lang), n=shown))
    notes += common_notes
    row += 1
    for text in notes:
        _note(ws, row, text, last_col, warning=text == common_notes[-1] and text == _t("synthetic", lang))
        row += 1

    ws.column_dimensions["A"].width = 44
    for g in range(n_cols):
        ws.column_dimensions[get_column_letter(2 + g)].width = 11
    longest = max((len(c.label(lang)) for c in table.columns), default=10)
    ws.row_dimensions[labels_row].height = 15 * min(6, max(2, math.ceil(longest / 10)))
    ws.freeze_panes = ws.cell(first_data, 2)
    _print_setup(ws, f"{head}:{eff_row}")


def _print_setup(ws: Worksheet, title_rows: str) -> None:
    """Landscape A4, all columns on one page's width, the header rows and the label column on every page."""
    ws.page_setup.orientation = "landscape"
    ws.page_setup.paperSize = ws.PAPERSIZE_A4
    ws.page_setup.fitToWidth = 1
    ws.page_setup.fitToHeight = 0
    ws.sheet_properties.pageSetUpPr.fitToPage = True
    ws.print_title_rows = title_rows
    ws.print_title_cols = "A:A"


def _note(ws: Worksheet, row: int, text: str, last_col: int, warning: bool = False) -> None:
    cell = ws.cell(row, 1, text)
    cell.font = _WARNING if warning else _NOTE
    cell.alignment = _WRAP
    ws.merge_cells(start_row=row, start_column=1, end_row=row, end_column=max(last_col, 8))
    width = 44 + 11 * max(last_col - 1, 7)  # characters across the merged cells
    ws.row_dimensions[row].height = 12 * max(1, math.ceil(len(text) * 1.1 / width))


def _write_table(ws: Worksheet, row: int, columns: list[str], rows: Iterable[list[Any]], lang: str,
                 formats: dict[str, str] | None = None, headings: list[str] | None = None) -> int:
    """A header row and data rows from ``row``; returns the next free row."""
    formats = formats or {}
    for j, col in enumerate(columns):
        cell = ws.cell(row, 1 + j, headings[j] if headings else _heading(col, lang))
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(wrap_text=True, vertical="bottom")
    row += 1
    hidden_at = columns.index("suppressed") if "suppressed" in columns else None
    for values in rows:
        hidden = hidden_at is not None and values[hidden_at] is True
        for j, (col, value) in enumerate(zip(columns, values)):
            cell = ws.cell(row, 1 + j, SUPPRESSED if hidden and value is None else _cell_value(value, lang))
            fmt = formats.get(col)
            if fmt and isinstance(cell.value, (int, float)) and not isinstance(cell.value, bool):
                cell.number_format = fmt
        row += 1
    return row + 1


def _cell_value(value: Any, lang: str) -> Any:
    """A value Excel can hold: numbers stay numbers, NaN/None are empty, structures become text."""
    if isinstance(value, np.generic):
        value = value.item()
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, bool):
        return _t("ok" if value else "not_ok", lang)
    if isinstance(value, (int, float, str)):
        return value
    return _describe(value)


# how the findings catalogue's comparators read in a cell (as in the report's replication table)
COMPARATOR_SIGNS = {"approx": "≈", "gt": ">", "lt": "<", "ge": "≥"}


def _describe(value: Any) -> str:
    """A published or computed figure as text: [est, low, high] → 'est (low–high)', [a, b] → 'a–b',
    {comparator, value, unit} → '≈ 62 %', another dict → 'key: value, …'."""
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float):
        return f"{value:.4g}"
    if isinstance(value, (list, tuple)):
        parts = [_describe(v) for v in value]
        numeric = all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in value)
        if numeric and len(parts) == 3:
            return f"{parts[0]} ({parts[1]}–{parts[2]})"
        if numeric and len(parts) == 2:
            return f"{parts[0]}–{parts[1]}"
        return ", ".join(parts)
    if isinstance(value, dict) and "comparator" in value:  # a published figure: '≈ 62 %', '> 50 %'
        sign = COMPARATOR_SIGNS.get(value["comparator"], value["comparator"])
        return f"{sign} {_describe(value.get('value'))}{' %' if value.get('unit') == '%' else ''}"
    if isinstance(value, dict):
        return ", ".join(f"{k}: {_describe(v)}" for k, v in value.items())
    return str(value)


def _split_pairs(columns: list[str], rows: list[list[Any]]) -> tuple[list[str], list[list[Any]]]:
    """Columns holding (low, high) pairs, such as a CI, become two columns ``<name>_low``/``_high``
    (``ci`` → ``ci_low``/``ci_high``), so that both are numbers Excel can format."""
    pairs = [j for j in range(len(columns))
             if any(r[j] is not None for r in rows)
             and all(r[j] is None or (isinstance(r[j], (list, tuple)) and len(r[j]) == 2) for r in rows)]
    if not pairs:
        return columns, rows
    new_cols: list[str] = []
    for j, c in enumerate(columns):
        new_cols += [f"{c}_low", f"{c}_high"] if j in pairs else [c]
    new_rows = []
    for r in rows:
        out: list[Any] = []
        for j, v in enumerate(r):
            out += (list(v) if v is not None else [None, None]) if j in pairs else [v]
        new_rows.append(out)
    return new_cols, new_rows


def _table_formats(columns: list[str], lang: str) -> dict[str, str]:
    """Formats of a finding's table by column name: shares (and their CI/SE) as %, counts as whole
    numbers, p-values with '<0.001', the rest with two or three decimals."""
    share_table = any(c.startswith("share") for c in columns)
    out = {}
    for c in columns:
        if c.startswith("share") or (share_table and c in ("ci_low", "ci_high", "se")):
            out[c] = PERCENT_1[lang]
        elif c in ("n_unweighted", "n", "code"):
            out[c] = INTEGER
        elif c in ("weighted_base", "target", "weighted", "central", "low", "high", "difference"):
            out[c] = THOUSANDS
        elif c == "p":
            out[c] = P_VALUE[lang]
        else:
            out[c] = DECIMAL_3
    return out


def _finding_sheet(ws: Worksheet, f: FindingResult, lang: str, synthetic: bool, instrument: Instrument) -> None:
    """One finding as the report shows it, with numbers Excel can compute with: the sentence, the
    published figure against ours, the estimates, tests, projections and tables. Every name in it —
    variables, estimates, the analyses' English terms — is put in words of ``lang`` (as in the report)."""
    from fjernarbeid.report.view import Words, _ours, _short, _what

    words = Words(instrument, lang)
    labels = {e.name: e.label for e in f.estimates if e.label}

    def named(name) -> str:
        """An estimate's, a test's or a set's name in words: the catalogue's word for it, else its label, else
        the name put in words."""
        if name is None:
            return ""
        return message("subject", name, lang) if has_message("subject", name) else words(labels.get(name, name))

    title = f.title.get(lang) or f.title.get("nb", "")
    verdict = _t(f.verdict, lang) if has_message("workbook", f.verdict) else f.verdict
    row = _title(ws, _t("finding_title", lang, id=f.id, title=title),
                 f"{_t('section', lang)} {f.section or '–'} · {_t('verdict', lang)}: {verdict}", synthetic, lang)
    ws.freeze_panes = ws.cell(row - 1, 1)
    sentence = f.sentence.get(lang) or f.sentence.get("nb")
    if sentence:
        _note(ws, row, words.in_text(sentence), 10)
        ws.cell(row, 1).font = Font(size=11)
        row += 1
    if f.status != "ok":
        reason = term(f.reason or "", lang, words.variable)
        ws.cell(row, 1, _t("reason", lang, reason=reason)).font = _WARNING
        row += 1
    if f.base.get("n_unweighted") is not None:
        ws.cell(row, 1, _t("base_line", lang, variable=words.variable(f.base.get("variable", "")),
                           n=f.base["n_unweighted"]))
        row += 1
    row += 1

    if f.checks:  # the published figure against ours, as the report's summary says them
        ws.cell(row, 1, _t("checks", lang)).font = _BOLD
        rows = [[_what(f, c["what"], instrument, lang), _short(c.get("published"), lang), _ours(f, c, lang),
                 _t("ok" if c.get("ok") else "not_ok", lang)] for c in f.checks]
        row = _write_table(ws, row + 1, ["what", "published", "ours", "ok"], rows, lang)
    if f.estimates:
        share = f.analysis in SHARE_ANALYSES
        cols = ["label", "estimate", "se", "ci_low", "ci_high", "n_unweighted", "weighted_base", "deff"]
        rows = []
        for e in f.estimates:
            d = asdict(e)
            d["label"] = named(e.name)
            if e.suppressed:
                d.update(estimate=SUPPRESSED, se=SUPPRESSED, ci_low=SUPPRESSED, ci_high=SUPPRESSED,
                         weighted_base=SUPPRESSED, deff=SUPPRESSED)
            rows.append([d[c] for c in cols])
        number = PERCENT_1[lang] if share else DECIMAL_3
        formats = {c: number for c in ("estimate", "se", "ci_low", "ci_high")}
        formats.update(n_unweighted=INTEGER, weighted_base=THOUSANDS, deff=DECIMAL_2)
        if not share and any(e.estimate is not None and abs(e.estimate) >= 1000 for e in f.estimates):
            formats.update(estimate=THOUSANDS, ci_low=THOUSANDS, ci_high=THOUSANDS, se=THOUSANDS)
        ws.cell(row, 1, _t("estimates", lang)).font = _BOLD
        row = _write_table(ws, row + 1, cols, rows, lang, formats)
    if f.tests:
        cols = ["name", "method", "statistic", "df", "p", "effect_name", "effect", "effect_ci_low", "effect_ci_high"]
        rows = [[named(x.name), term(x.method, lang, words.variable), x.statistic, _df_text(x.df, lang), x.p,
                 term(x.effect_name, lang, words.variable) if x.effect_name else None, x.effect, x.effect_ci_low,
                 x.effect_ci_high] for x in f.tests]
        formats = {"statistic": DECIMAL_3, "p": P_VALUE[lang], "effect": DECIMAL_3, "effect_ci_low": DECIMAL_3,
                   "effect_ci_high": DECIMAL_3}
        ws.cell(row, 1, _t("tests", lang)).font = _BOLD
        row = _write_table(ws, row + 1, cols, rows, lang, formats)
    if f.projections:
        cols = ["of", "group", "share", "share_ci_low", "share_ci_high", "central", "low", "high", "n_unweighted",
                "note"]
        rows = []
        for p in f.projections:
            group = p.get("group")
            ci = p.get("share_ci") or (None, None)
            note = (message("findings", "small_group_projection", lang, n=p["n_unweighted"])
                    if p.get("warning") and p.get("n_unweighted") is not None else None)
            rows.append([named(p.get("of")), group.get("label") if isinstance(group, dict) else group, p.get("share"),
                         ci[0], ci[1], p.get("central"), p.get("low"), p.get("high"), p.get("n_unweighted"), note])
        if all(r[1] is None for r in rows):  # one projection for everybody: no group column
            cols, rows = cols[:1] + cols[2:], [r[:1] + r[2:] for r in rows]
        ws.cell(row, 1, _t("projections", lang)).font = _BOLD
        formats = {k: (PERCENT_1[lang] if k.startswith("share") else THOUSANDS) for k in cols}
        formats["n_unweighted"] = INTEGER
        row = _write_table(ws, row + 1, cols, rows, lang, formats)
    for table in f.tables:
        if table.name in ("estimates", "tests"):  # the estimates and tests above, with every number
            continue
        ws.cell(row, 1, _table_caption(table, instrument, lang, words)).font = _BOLD
        columns, rows = _shown_table(table, words)
        columns, rows = _split_pairs(columns, rows)
        row = _write_table(ws, row + 1, columns, rows, lang, _table_formats(columns, lang))
    _widths(ws, {1: 24, 2: 40}, default=14)


def _table_caption(table: Table, instrument: Instrument, lang: str, words) -> str:
    """A finding's table named in words: 'Fordeling: 12 Hvor ofte …', 'Gjennomsnitt per gruppe' …"""
    from fjernarbeid.report.view import _caption

    caption = _caption(table, instrument, lang)
    if caption:
        return caption
    kind, _, variable = table.name.partition(":")
    if variable in instrument:
        question = f"{instrument[variable].number} {instrument[variable].label(lang)}"
    else:
        question = words.variable(variable)
    key = f"table_{kind}"
    return _t(key, lang, question=question) if has_message("workbook", key) else _t("table_other", lang)


# columns of a finding's table that hold names to put in words, and columns left out (shown otherwise)
_WORD_COLUMNS = ("label", "group", "name", "what", "outcome", "item", "effect", "test")
_LEFT_OUT = ("suppressed",)


def _shown_table(table: Table, words) -> tuple[list[str], list[list[Any]]]:
    """A finding's table with names in words, a hidden cell's numbers as ':' and, in a distribution (whose
    shares add up to 100 %), a second cell hidden with a lone hidden one so that neither can be recovered."""
    from fjernarbeid.export.cell_suppression import complementary_suppression

    columns = list(table.columns)
    idx = {c: i for i, c in enumerate(columns)}
    hidden = [bool(r[idx["suppressed"]]) if "suppressed" in idx else False for r in table.rows]
    if "suppressed" in idx and "n_unweighted" in idx and table.name.startswith(("distribution:", "multiple:")):
        hidden = complementary_suppression([r[idx["n_unweighted"]] for r in table.rows], hidden)
    kept = [c for c in columns if c not in _LEFT_OUT]
    rows = []
    for r, hide in zip(table.rows, hidden):
        out = []
        for c in kept:
            value = r[idx[c]]
            if hide and c not in ("code", "label", "group", "outcome", "n_unweighted", "note"):
                value = SUPPRESSED
            elif c in _WORD_COLUMNS and isinstance(value, str):
                value = words(value)
            elif c == "df" and isinstance(value, (list, tuple)):
                value = _df_text(value, words.lang)
            out.append(value)
        rows.append(out)
    return kept, rows


def _df_text(df, lang: str = "en") -> Any:
    if df is None:
        return None
    if len(df) == 1:
        return df[0]
    return " / ".join(_number(float(d), lang, 2) for d in df)


def _widths(ws: Worksheet, fixed: dict[int, float], default: float, upto: int | None = None) -> None:
    last = upto or max(ws.max_column, max(fixed))
    for c in range(1, last + 1):
        ws.column_dimensions[get_column_letter(c)].width = fixed.get(c, default)


def _overview_sheet(ws: Worksheet, findings: list[FindingResult], lang: str, synthetic: bool,
                    sheets: dict[str, str]) -> None:
    row = _title(ws, _t("findings", lang), None, synthetic, lang)
    cols = ["id", "section", "title", "status", "verdict"]
    ws.freeze_panes = ws.cell(row + 1, 1)
    rows = [[f.id, f.section, f.title.get(lang) or f.title.get("nb", ""),
             _t("computed" if f.status == "ok" else "not_computed", lang),
             _t(f.verdict, lang) if has_message("workbook", f.verdict) else f.verdict] for f in findings]
    end = _write_table(ws, row, cols, rows, lang, headings=[_heading("id", lang), _heading("section", lang),
                                                            _heading("title", lang), _t("status", lang),
                                                            _heading("verdict", lang)])
    for i, f in enumerate(findings):
        cell = ws.cell(row + 1 + i, 1)
        _link(cell, sheets[f.id])
    _widths(ws, {1: 8, 2: 10, 3: 60, 4: 14, 5: 16}, default=12)
    del end


def _respondents_sheet(ws: Worksheet, table: Table, lang: str, min_cell: int, synthetic: bool) -> None:
    row = _title(ws, _t("respondents", lang), None, synthetic, lang)
    ws.freeze_panes = ws.cell(row + 1, 1)
    idx = {c: i for i, c in enumerate(table.columns)}
    cols = ["variable", "category", "n_unweighted", "share_unweighted", "share_weighted"]
    rows = []
    from fjernarbeid.report.view import hidden_respondent_rows

    # as the report hides them: a lone hidden count would be the sample minus the others
    hide = hidden_respondent_rows(table) if "suppressed" in idx else [False] * len(table.rows)
    for r, hidden in zip(table.rows, hide):
        rows.append([r[idx["variable"]], r[idx["label"]], SUPPRESSED if hidden else r[idx["n_unweighted"]],
                     SUPPRESSED if hidden else r[idx["share_unweighted"]],
                     SUPPRESSED if hidden else r[idx["share_weighted"]]])
    end = _write_table(ws, row, cols, rows, lang, {"n_unweighted": INTEGER, "share_unweighted": PERCENT_1[lang],
                                                   "share_weighted": PERCENT_1[lang]})
    _note(ws, end, _t("note_suppressed", lang, k=min_cell, symbol=SUPPRESSED), 5)
    _widths(ws, {1: 30, 2: 44}, default=14)


def _weighting_sheet(ws: Worksheet, weights: WeightReport, instrument: Instrument, lang: str, synthetic: bool) -> None:
    row = _title(ws, _t("weighting", lang), _method(weights, lang), synthetic, lang)
    ws.freeze_panes = ws.cell(row, 1)
    ws.cell(row, 1, _t("weights_line", lang, n=_number(weights.n, lang, 0), min=_number(weights.min, lang, 1),
                       max=_number(weights.max, lang, 1), ratio=_number(weights.ratio, lang, 2),
                       cv=_number(weights.cv, lang, 3), deff=_number(weights.kish_deff, lang, 3),
                       neff=_number(weights.effective_n, lang, 1)))
    row += 2
    if len(weights.margins):
        cols = ["variable", "category", "target", "weighted", "n", "difference", "relative_difference"]
        rows = []
        for m in weights.margins.to_dict("records"):
            names = str(m["variable"]).split(" × ")
            codes = m["category"] if isinstance(m["category"], tuple) else (m["category"],)
            m["variable"] = " × ".join(variable_label(instrument, v, lang) for v in names)
            m["category"] = " × ".join(str(_code_label(instrument, v, c)) for v, c in zip(names, codes))
            rows.append([m.get(c) for c in cols])
        _write_table(ws, row, cols, rows, lang, {"target": THOUSANDS, "weighted": THOUSANDS, "n": INTEGER,
                                                 "difference": DECIMAL_3, "relative_difference": "0.0E+00"})
    _widths(ws, {1: 26, 2: 26}, default=16)


def _contents_sheet(ws: Worksheet, entries, results: Results | None, design: SurveyDesign, instrument: Instrument,
                    weights: WeightReport, lang: str, synthetic: bool, missing: list[str]) -> None:
    source = (results.data.get("source") if results is not None else "") or "–"
    row = _title(ws, instrument.label(lang), _t("data", lang, source=source, n=int(design.in_domain.sum()),
                                                 instrument=f"{instrument.id} {instrument.version}"), synthetic, lang)
    ws.cell(row - 1, 1, _t("made_with", lang, version=__version__)).font = _NOTE
    ws.cell(row, 1, _t("weights_line", lang, n=_number(weights.n, lang, 0), min=_number(weights.min, lang, 1),
                       max=_number(weights.max, lang, 1), ratio=_number(weights.ratio, lang, 2),
                       cv=_number(weights.cv, lang, 3), deff=_number(weights.kish_deff, lang, 3),
                       neff=_number(weights.effective_n, lang, 1))).font = _NOTE
    row += 1
    if missing:
        ws.cell(row, 1, _t("not_in_data", lang, names=", ".join(missing))).font = _WARNING
        row += 1
    row += 1
    ws.freeze_panes = ws.cell(row + 1, 1)
    for j, head in enumerate((_t("sheet", lang), _t("description", lang))):
        cell = ws.cell(row, 1 + j, head)
        cell.font = _BOLD
        cell.fill = _HEADER_FILL
    row += 1
    group = None
    for g, sheet, description in entries:
        if g and g != group:
            ws.cell(row, 1, g).font = _BOLD
            row += 1
            group = g
        cell = ws.cell(row, 1, sheet)
        _link(cell, sheet)
        ws.cell(row, 2, description)
        row += 1
    _widths(ws, {1: 22, 2: 100}, default=12)


__all__ = ["SHARE_ANALYSES", "write_workbook"]

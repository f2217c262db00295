"""The Excel workbook, read back with openpyxl: sheets, frozen panes, formats, letters, suppression."""

from __future__ import annotations

import numpy as np
import openpyxl
import pandas as pd
import pytest

from fjernarbeid.export.xlsx import write_workbook
from fjernarbeid.survey.design import svydesign


@pytest.fixture(scope="module")
def demo_results(export_frame, export_weighted, instrument):
    from fjernarbeid.findings.run import run_findings

    return run_findings(export_frame, design=export_weighted.design, instrument=instrument, source="demo",
                        synthetic=True)


@pytest.fixture(scope="module")
def demo_book(tmp_path_factory, demo_results, export_weighted, instrument):
    path = tmp_path_factory.mktemp("xlsx") / "report.xlsx"
    assert write_workbook(path, demo_results, export_weighted.design, instrument, lang="nb") == path
    return openpyxl.load_workbook(path)


def find(ws, value):
    for row in ws.iter_rows():
        for cell in row:
            if cell.value == value:
                return cell
    raise AssertionError(f"{value!r} not on sheet {ws.title}")


def test_a_sheet_per_finding_and_per_coded_question_after_the_contents(demo_book, demo_results, instrument):
    names = demo_book.sheetnames
    assert names[0] == "Innhold" and names[1] == "Funn"
    assert [f.id for f in demo_results.findings] == names[2:2 + len(demo_results.findings)]
    banner = [f"Spm {q.number}" for q in instrument if q.type == "single" and q.name != "q2"]  # q2: one answer left
    assert [n for n in names if n.startswith("Spm ")] == banner
    assert names[-2:] == ["Respondenter", "Vekting"]


def test_every_sheet_has_frozen_panes_and_a_title(demo_book):
    for ws in demo_book.worksheets:
        assert ws.freeze_panes is not None, ws.title
        assert isinstance(ws["A1"].value, str) and ws["A1"].font.bold, ws.title


def test_contents_links_every_sheet_and_warns_that_the_data_are_synthetic(demo_book):
    ws = demo_book["Innhold"]
    links = {c.value: c.hyperlink.location for row in ws.iter_rows() for c in row if c.hyperlink}
    assert set(links) == set(demo_book.sheetnames[1:])
    assert all(loc == f"'{name}'!A1" for name, loc in links.items())
    assert any(str(c.value).startswith("SYNTETISKE DATA") for row in ws.iter_rows() for c in row)


def test_banner_sheet_layout_formats_and_notes(demo_book, export_weighted):
    ws = demo_book["Spm 12"]
    assert ws.freeze_panes == "B9"
    assert [ws.cell(4, c).value for c in (3, 5)] == ["Kjønn", "Alder"]
    assert ws.cell(5, 2).value == "Totalt" and ws.cell(6, 3).value == "(A)"
    assert ws.cell(7, 1).value == "Uvektet base (n)" and ws.cell(7, 2).value == 300
    assert ws.cell(8, 2).value == pytest.approx(export_weighted.report.effective_n, abs=0.05)
    assert ws.cell(8, 2).number_format == "0.0"
    share = ws.cell(9, 2)
    assert ws.cell(9, 1).value == "Hver dag" and share.number_format == "0 %" and 0 < share.value < 1
    w = export_weighted.weights.to_numpy()
    q12 = export_weighted.design.data["q12"].to_numpy()
    assert share.value == pytest.approx(w[q12 == 1].sum() / w.sum(), rel=1e-12)
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any("Holm" in n for n in notes) and any("færre enn 5" in n for n in notes)
    assert any(n.startswith("SYNTETISKE DATA") for n in notes)


def test_routed_question_notes_its_condition_and_the_excluded_not_sure_answers(demo_book):
    notes = [c.value for c in demo_book["Spm 13"]["A"] if isinstance(c.value, str)]
    assert "Stilles hvis: HVIS BENYTTER HJEMMEKONTOR (SPM 12 < 6)." in notes
    assert any(n.startswith("«Ikke sikker, ubesvart (IKKE LES)» er holdt utenfor") for n in notes)


def test_finding_sheet_shows_estimates_published_against_ours_and_verdict(demo_book, demo_results):
    f = demo_results["P06"]
    ws = demo_book["P06"]
    assert ws["A1"].value == f"P06 – {f.title['nb']}"
    assert "Vurdering: " in ws["A2"].value
    head = find(ws, "Estimat")
    value = ws.cell(head.row + 1, head.column)
    assert value.value == pytest.approx(f.estimate("agree").estimate) and value.number_format == "0.0 %"
    published = find(ws, "Publisert")
    shown = f.checks[0]["published"]
    assert shown["comparator"] == "approx"  # the catalogue's published share, shown as people read it
    assert ws.cell(published.row + 1, published.column).value == f"≈\u00a0{shown['value']}\u00a0%"  # one line
    find(ws, "Publisert mot denne kjøringen")


def constructed_design() -> tuple[pd.DataFrame, object]:
    """100 men of whom 80 have personnel responsibility, 100 women of whom 20; and 3 people in the
    youngest age group, so that its cells are too small to show."""
    sex = np.repeat([1, 2], 100)
    q11 = np.concatenate([np.where(np.arange(100) < 80, 1, 2), np.where(np.arange(100) < 20, 1, 2)])
    age_group = np.where(np.arange(200) < 3, 1, 2 + np.arange(200) % 6)
    frame = pd.DataFrame({"id": np.arange(1, 201), "q207": sex, "q11": q11, "age_group": age_group})
    return frame, svydesign(frame)


def test_constructed_case_letter_and_suppressed_cell(tmp_path, instrument):
    frame, design = constructed_design()
    path = write_workbook(tmp_path / "t.xlsx", None, design, instrument, lang="en", min_cell=5)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]  # no temporary file left behind
    wb = openpyxl.load_workbook(path)
    assert wb.sheetnames == ["Contents", "Q11", "Q207", "Weighting"]
    ws = wb["Q11"]
    header = {ws.cell(5, c).value: c for c in range(2, ws.max_column + 1)}
    letters = {ws.cell(6, c).value: c for c in range(2, ws.max_column + 1) if ws.cell(6, c).value}
    assert letters["(A)"] == header["Man"] and letters["(B)"] == header["Woman"]
    yes_row = find(ws, "Yes").row
    # the letters stand in the percentage's own cell, after it ("80% B"), the cell keeping its number
    assert ws.cell(yes_row, header["Man"]).value == pytest.approx(0.8)
    assert ws.cell(yes_row, header["Man"]).number_format == '0%" B"'  # men higher than women, p < 0.001
    assert ws.cell(yes_row, header["Woman"]).number_format == "0%"
    no_row = find(ws, "No").row
    assert no_row == yes_row + 1  # no row of letters between the categories
    assert ws.cell(no_row, header["Woman"]).number_format == '0%" A"'
    young = header["25-29 years"]
    assert ws.cell(7, young).value == 3  # the base is shown …
    # … its cells are not: Statistics Norway's symbol for a figure withheld, explained in the notes
    assert ws.cell(yes_row, young).value == ":" and ws.cell(no_row, young).value == ":"
    notes = [c.value for c in ws["A"] if isinstance(c.value, str)]
    assert any(v.startswith(": Not shown for confidentiality: fewer than 5") for v in notes)
    # printed landscape, one page wide, with the header rows and the labels on every page
    assert ws.page_setup.orientation == "landscape" and ws.page_setup.fitToWidth == 1
    assert ws.print_title_rows == "$4:$8" and ws.print_title_cols == "$A:$A"
    # sex was not fixed by this (unweighted) design, so it is tested; a weighted study's sex is not (below)
    contents = [c.value for c in wb["Contents"]["A"] if isinstance(c.value, str)]
    assert any(v.startswith("Not in the data:") and "q12" in v for v in contents)
    assert not any("SYNTHETIC" in v for v in contents)


def test_rejects_what_is_no_language_code(tmp_path, instrument):
    """A language code the catalogue lacks (a questionnaire's own, e.g. de) gets English; anything else is refused."""
    _, design = constructed_design()
    with pytest.raises(ValueError, match="lang"):
        write_workbook(tmp_path / "t.xlsx", None, design, instrument, lang="../de")
    assert not list(tmp_path.iterdir())


def test_no_letters_for_a_variable_the_weighting_fixed_and_nets_and_means_for_scales(tmp_path, instrument, demo_frame):
    """After post-stratification by sex × age the weighted sex shares equal the population's in every age
    group: a test of them tests the weighting, so the sex banner has no letters and says why. A scale (q23)
    gets top-2 / bottom-2 rows and a mean row."""
    from fjernarbeid.survey.weighting import weight_study

    design = weight_study(demo_frame, instrument).design
    path = write_workbook(tmp_path / "w.xlsx", None, design, instrument, lang="nb")
    wb = openpyxl.load_workbook(path)
    sex = wb["Spm 207"]
    formats = [c.number_format for row in sex.iter_rows(min_row=9, max_row=10) for c in row[1:]]
    assert formats and not any('"' in f for f in formats)
    notes = [c.value for c in sex["A"] if isinstance(c.value, str)]
    assert any(n.startswith("Ingen signifikanstester for «Kjønn»") for n in notes)
    q23 = wb["Spm 23"]
    labels = [c.value for c in q23["A"] if isinstance(c.value, str)]
    assert "Sum: Svært attraktivt + Ganske attraktivt" in labels
    assert "Sum: Ganske lite attraktivt + Svært lite attraktivt" in labels
    mean_row = find(q23, "Gjennomsnitt (1 = Svært attraktivt … 5 = Svært lite attraktivt)").row
    assert 1 < q23.cell(mean_row, 2).value < 5
    assert any('"' in c.number_format for row in q23.iter_rows(min_row=9, max_row=mean_row) for c in row[1:])


def test_a_nynorsk_workbook_has_no_bokmaal_fixed_texts(tmp_path, export_weighted, instrument):
    path = write_workbook(tmp_path / "nn.xlsx", None, export_weighted.design, instrument, lang="nn")
    book = openpyxl.load_workbook(path)
    texts = " ".join(str(c.value) for ws in book for row in ws.iter_rows() for c in row if isinstance(c.value, str))
    assert book.sheetnames[0] == "Innhald"
    for nynorsk in ("Laga med", "respondentar", "Vekta kolonneprosentar", "Signifikant høgare", "Totalt"):
        assert nynorsk in texts
    for bokmaal in ("Laget med", "respondenter", "Vektede", "Signifikant høyere", "Innhold"):
        assert bokmaal not in texts


def test_a_finding_sheet_names_things_in_words_and_keeps_its_numbers(demo_book, demo_results):
    """The finding sheets show what the report shows: question numbers and labels instead of variable names,
    the analyses' terms in the workbook's language, and numbers that stay numbers."""
    ws = demo_book["P13"]
    texts = [c.value for row in ws.iter_rows() for c in row if isinstance(c.value, str)]
    assert not any("Analyse:" in t for t in texts)  # no internal analysis key in the subtitle
    assert not any(t in ("q6_1", "group_means", "tests") or "svyttest" in t and "designbasert" not in t
                   for t in texts)
    head = find(ws, "Metode")
    first = demo_results["P13"].tests[0]
    assert ws.cell(head.row + 1, 1).value == "spm. 6_1"
    assert ws.cell(head.row + 1, head.column).value.startswith("designbasert t-test")
    statistic = ws.cell(head.row + 1, head.column + 1)
    assert statistic.value == pytest.approx(first.statistic) and statistic.number_format == "0.000"
    find(ws, "Gjennomsnitt per gruppe")
    overview = demo_book["Funn"]
    assert {overview.cell(r, 4).value for r in range(5, 5 + len(demo_results.findings))} <= {"Beregnet",
                                                                                            "Ikke beregnet"}


def test_findings_alike_in_their_first_31_characters_get_sheets_and_links_of_their_own(
        tmp_path, demo_results, export_weighted, instrument):
    """KoboToolbox names made from labels (hvor_fornoyd_er_du_med_tilbudet_om_…): Excel's 31 characters would
    make two sheets one name (openpyxl then wrote a 32-character one, and both links went to the first)."""
    from dataclasses import replace

    stem = "hvor_fornoyd_er_du_med_tilbudet_om_"
    findings = list(demo_results.findings)
    findings[0], findings[1] = replace(findings[0], id=stem + "kollektivtransport"), replace(findings[1], id=stem + "barnehage")
    path = write_workbook(tmp_path / "r.xlsx", replace(demo_results, findings=findings), export_weighted.design,
                          instrument, lang="nb")
    book = openpyxl.load_workbook(path)
    assert all(len(name) <= 31 for name in book.sheetnames)
    assert {"hvor_fornoyd_er_du_med_tilbudet", "hvor_fornoyd_er_du_med_tilbud~2"} <= set(book.sheetnames)
    links = {c.value: c.hyperlink.location for row in book.worksheets[1].iter_rows() for c in row if c.hyperlink}
    assert links[stem + "barnehage"] == "'hvor_fornoyd_er_du_med_tilbud~2'!A1"


def test_the_respondents_sheet_hides_as_the_report_does(demo_results, export_weighted, instrument, tmp_path):
    """A category of too few respondents shows ':' (not 'færre enn 5' and '–'), and so does a second one of the
    same background variable: the counts add up to the sample, so one hidden count would be found by
    subtraction (the report hid the second one; the workbook did not)."""
    import copy

    results = copy.deepcopy(demo_results)
    table = results.respondents[0]
    idx = {c: i for i, c in enumerate(table.columns)}
    first = table.rows[0]
    block = [r for r in table.rows if r[idx["variable"]] == first[idx["variable"]]]
    first[idx["n_unweighted"]], first[idx["suppressed"]] = 3, True
    path = write_workbook(tmp_path / "r.xlsx", results, export_weighted.design, instrument, lang="nb")
    ws = openpyxl.load_workbook(path)["Respondenter"]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    shown = [r for r in rows if r[1] in {b[idx["label"]] for b in block}]
    hidden = [r for r in shown if r[2:5] == [":", ":", ":"]]
    assert len(block) > 1 and len(hidden) == 2
    assert not any(v in ("–", "færre enn 5") for r in rows for v in r)
    assert any(isinstance(r[0], str) and r[0].startswith(": Vises ikke av personvernhensyn") for r in rows)


def test_a_kobo_forms_routing_is_noted_in_words_under_its_banner(coworking_study, run_main, tmp_path):
    """A form's `count-selected(${fasiliteter}) > 1` has no printed text: the note under the banner showed the
    expression itself ('Stilles hvis: count_selected(fasiliteter) > 1')."""
    from openpyxl import load_workbook

    ran = run_main("report", coworking_study.export, "--study", coworking_study.study, "--out", tmp_path / "r",
                   "--format", "xlsx")
    assert ran.code == 0, ran.stderr
    book = load_workbook(tmp_path / "r" / "report.xlsx")
    texts = [v for ws in book for row in ws.iter_rows(values_only=True) for v in row if isinstance(v, str)]
    assert any("antall valgte svar i spm. 5 > 1" in v for v in texts), [v for v in texts if "spm. 5" in v]
    assert not any("count_selected" in v or "fasiliteter)" in v for v in texts)

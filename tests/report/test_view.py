"""The report's view: what every medium prints, in words and numbers as the language writes them."""

import re

from fjernarbeid.report.view import published_and_ours


def test_a_number_is_never_parted_from_its_per_cent_sign_or_comparator(demo_results, instrument):
    """'≈ 57 %' and '53,8 % (48,8–58,6)' in the summary are joined by non-breaking spaces, so a narrow column
    (Word, PDF) never puts '%' or the number on a line of its own."""
    for f in demo_results.findings:
        for text in published_and_ours(f, "nb", instrument):
            assert not re.search(r"\d %(?! (KI|CI))", text), (f.id, text)
            assert not re.search(r"(?<!p )[≈<>≥≤] \d", text), (f.id, text)


def test_a_margin_of_the_age_computed_from_the_birth_year_is_named_in_words():
    """The methods appendix's target table: "Alder 20-39", not the internal column name "age"."""
    from fjernarbeid.instrument import instrument_from_dict
    from fjernarbeid.report.view import _margin_label

    inst = instrument_from_dict({"id": "kontor", "roles": {"sex": "kjonn", "birth_year": "fodd"}, "questions": [
        {"name": "kjonn", "type": "single", "text": {"nn": "Kjønn"}, "codes": [{"code": 1, "nn": "Kvinne"}]},
        {"name": "fodd", "type": "integer"}]})
    assert _margin_label("age", "20-39", inst, "nn") == ("Alder", "20-39")
    assert _margin_label("age", "20-39", inst, "en") == ("Age", "20-39")
    assert _margin_label("kjonn", 1, inst, "nn") == ("Kjønn", "Kvinne")

def test_the_summary_names_every_effect_it_prints(demo_results, instrument):
    """'spm. 12: 1,158' tells a reader nothing; the summary says what the number is, as the findings' tables do
    ('forskjell i gjennomsnitt … 1,16', 'Cramérs V (vektet) 0,10', 'Spearmans rho 0,35')."""
    findings = {f.id: f for f in demo_results.findings}
    expected = {"P02b": "forskjell i gjennomsnitt", "P24": "Cramérs V", "P12": "Spearmans rho",
                "P19": "oddsforhold"}
    for fid, name in expected.items():
        _published, ours = published_and_ours(findings[fid], "nb", instrument)
        assert name in ours, (fid, ours)
    _published, ours = published_and_ours(findings["P02b"], "nb", instrument)
    assert "1,158" not in ours and "1,16" in ours


def test_the_aapor_table_heads_its_figures_in_norwegian(demo_results, instrument):
    from fjernarbeid.report.view import build_view

    for lang, header in (("nb", "Prosent"), ("nn", "Prosent"), ("en", "Rate")):
        view = build_view(demo_results, instrument, lang=lang)
        (aapor,) = [tb for tb in view.methods_tables if tb.name == "aapor"]
        assert aapor.headers[-1] == header and "RR1" in aapor.rows[0][0]


def test_a_chart_by_group_names_the_grouping_variable(demo_results, instrument):
    """P22's bars were labelled only 'Nei' and 'Ja': the axis and the chart's table of figures say what the
    groups are (home office three days a week or more); P24's say 'Aldersgruppe'."""
    from fjernarbeid.report.view import build_view

    view = build_view(demo_results, instrument, lang="nb")
    charts = {c.finding: c for s in view.sections for f in s.findings for c in f.charts if c.function == "stacked_100"}
    p22, p24 = charts["P22"], charts["P24"]
    assert p22.data.headers[0] == "Hjemmekontor 3 dager i uken eller mer" and p22.args[-1] == p22.data.headers[0]
    assert [row[0] for row in p22.data.rows] == ["Nei", "Ja"]
    assert p24.data.headers[0] == "Aldersgruppe"
    svg = p22.draw("svg")
    assert "Hjemmekontor 3 dager i" in svg and "uken eller mer" in svg  # on the axis, wrapped


def test_a_variable_in_running_text_keeps_its_acronyms():
    """'…for bostedskommunen (ssb, 1 = mest sentral)' lowercased SSB with the label's first letter."""
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.report.view import Words

    words = Words(load_instrument(), "nb")
    assert words.variable("centrality") == "sentralitetsklasse for bostedskommunen (SSB, 1 = mest sentral)"
    assert words.variable("home_office_3plus") == "hjemmekontor 3 dager i uken eller mer"


def test_a_hidden_cell_is_never_shown_as_zero_in_a_charts_table_of_figures(demo, demo_frame, instrument):
    """With --min-cell 20 the small cells of the Likert and cross-table charts are hidden; their table of figures
    showed them as '0,0 %' (a true zero to any reader). A hidden cell shows the mark for hidden, ':'."""
    from fjernarbeid.fieldwork import summarise_fieldwork
    from fjernarbeid.findings.run import run_findings
    from fjernarbeid.report.view import build_view
    from fjernarbeid.survey.weighting import weight_study

    design = weight_study(demo_frame, instrument).design
    results = run_findings(demo_frame, design=design, instrument=instrument, source="demo", synthetic=True,
                           fieldwork=summarise_fieldwork(demo.dispositions, instrument), min_cell=20)
    view = build_view(results, instrument, lang="nb", min_cell=20)
    charts = [c for s in view.sections for f in s.findings for c in f.charts
              if c.function in ("likert_chart", "stacked_100")]
    cells = [cell for c in charts for row in c.data.rows for cell in row[1:]]
    assert ":" in cells  # cells are hidden at this threshold: Statistics Norway's symbol
    assert "–" not in cells  # SSB's 'nothing to report' is not a hidden figure
    assert not any(cell.startswith("0,0") for cell in cells), cells
    # the finding tables too: a projection for a group too small shows ':' where its figures were
    tables = [tb for s in view.sections for f in s.findings for tb in f.tables if tb.name.startswith("estimates")]
    hidden = [row for tb in tables for row in tb.rows if ":" in row]
    assert hidden and not any("–" in row for row in hidden)
    assert all("suppressed" not in " ".join(tb.headers).lower() for tb in tables)  # the flag is no column
    assert ": Vises ikke av personvernhensyn" in view.suppression_note


def test_the_summary_does_not_name_a_statistic_twice(demo_results, instrument):
    """P05's subject is already 'Spearmans rho, spm. 10_1–spm. 10_2': its figure is not named again."""
    findings = {f.id: f for f in demo_results.findings}
    _published, ours = published_and_ours(findings["P05"], "nb", instrument)
    assert ours.count("Spearmans rho") == 1 and "-0,32" in ours, ours


def test_a_likert_charts_caption_names_the_not_sure_code_by_its_own_label(demo_results, instrument):
    """Not a fixed «ikke sikker»: the questionnaire's label for the code that was left out."""
    from fjernarbeid.report.view import build_view

    for lang in ("nb", "nn", "en"):
        view = build_view(demo_results, instrument, lang=lang)
        likert = [c for s in view.sections for f in s.findings for c in f.charts if c.function == "likert_chart"]
        assert likert
        for chart in likert:
            label = instrument["q10_1"].code(6).label(lang)
            quoted = f"‘{label}’" if lang == "en" else f"«{label}»"
            assert quoted in chart.caption, chart.caption


def _coworking_instrument():
    """A form whose choice labels hold the name of a question ('Privat arbeidsgiver', question arbeidsgiver)."""
    from fjernarbeid.instrument import instrument_from_dict

    return instrument_from_dict({"id": "kontor", "questions": [
        {"name": "arbeidsgiver", "number": "1", "type": "single", "text": {"nb": "Hvem arbeider du for?"},
         "codes": [{"code": 1, "nb": "Privat arbeidsgiver"}, {"code": 2, "nb": "Offentlig arbeidsgiver"}]},
        {"name": "fasiliteter", "number": "2", "type": "multiple", "text": {"nb": "Hvilke fasiliteter bruker du?"},
         "codes": [{"code": 1, "nb": "Møterom"}, {"code": 2, "nb": "Kantine"}, {"code": 3, "nb": "Parkering"}]},
        {"name": "kostnad", "number": "3", "type": "decimal", "required": False, "text": {"nb": "Hva betaler du?"}},
        {"name": "moter", "number": "4", "type": "integer", "text": {"nb": "Antall møter"}},
        {"name": "kommentar", "number": "5", "type": "text", "required": False, "text": {"nb": "Kommentar"}}]})


def test_a_label_holding_a_question_name_is_left_as_written_in_running_text():
    """'Vanligste svar: Privat arbeidsgiver (46 %)' became 'Privat spm. 1 (46 %)': the label of the answer
    quoted in the sentence held the name of the question (arbeidsgiver), which was put in words."""
    from fjernarbeid.report.view import Words

    words = Words(_coworking_instrument(), "nb")
    assert words.in_text("Vanligste svar: Privat arbeidsgiver (46 %).") == "Vanligste svar: Privat arbeidsgiver (46 %)."
    # a name written in the catalogue's own words is still a question number
    assert words.in_text("Blant dem som svarte på arbeidsgiver, oftest Offentlig arbeidsgiver") == \
        "Blant dem som svarte på spm. 1, oftest Offentlig arbeidsgiver"


def test_routing_of_every_kind_a_form_writes_is_put_in_words():
    """The questionnaire appendix printed "Stilles hvis: Selected(variable='fasiliteter', code=1)" for
    `selected(${fasiliteter}, 'moterom')`; `${kostnad} != ''` and `count-selected(…) > 1` broke or misread."""
    from fjernarbeid.instrument.expr import Condition
    from fjernarbeid.report.view import routing_text

    inst = _coworking_instrument()

    def words(source, lang="nb"):
        return routing_text(Condition.parse(source), inst, lang)

    assert words("selected(fasiliteter, 1)") == "spm. 2 omfatter «Møterom»"
    assert words("selected(fasiliteter, 1)", "nn") == "spm. 2 omfattar «Møterom»"
    assert words("selected(fasiliteter, 1)", "en") == "Q2 includes ‘Møterom’"  # the form's only labels
    assert words("not(selected(fasiliteter, 1))") == "ikke (spm. 2 omfatter «Møterom»)"
    assert words("count_selected(fasiliteter) > 1") == "antall valgte svar i spm. 2 > 1"
    assert words("kostnad != ''") == "spm. 3 er besvart"
    assert words("kostnad == ''") == "spm. 3 er ikke besvart"
    assert words("moter > 2") == "spm. 4 > 2"
    assert words("moter <= kostnad") == "spm. 4 ≤ spm. 3"
    assert words("arbeidsgiver == 1 and moter >= 1") == "spm. 1 er «Privat arbeidsgiver» og spm. 4 ≥ 1"
    text = words("regex(kommentar, '^[0-9]+$')")
    assert "Regex(" not in text and "spm. 5" in text
    for source in ("selected(fasiliteter, 1)", "count_selected(fasiliteter) > 1", "kostnad != ''",
                   "regex(kommentar, '^[0-9]+$')", "moter <= kostnad"):
        for lang in ("nb", "nn", "en"):
            text = words(source, lang)
            assert "(variable=" not in text and "fasiliteter" not in text and "kostnad" not in text, text


def test_a_share_and_its_interval_are_written_with_the_same_decimals():
    """'Sunnfjord 54,8 %' beside '55–55 %': the table's shares took one decimal (a share under 10 % in it) and
    each interval chose its own, so a share the weighting fixed showed an interval that did not hold it."""
    from fjernarbeid.findings.results import Table
    from fjernarbeid.report.view import text_table

    table = Table("estimates", ["label", "share", "ci"],
                  [["Sunnfjord", 0.548, (0.548, 0.548)], ["Askvoll", 0.061, (0.061, 0.061)],
                   ["Kinn", 0.391, (0.35, 0.43)]])
    rows = text_table(table, "nb").rows
    assert rows[0][1:] == ["54,8\u00a0%", "54,8–54,8\u00a0%"] and rows[2][1:] == ["39,1\u00a0%", "35,0–43,0\u00a0%"]
    # without a small share or end, whole per cents in both columns
    table = Table("estimates", ["label", "share", "ci"], [["Mann", 0.51, (0.45, 0.56)], ["Kvinne", 0.49, (0.44, 0.55)]])
    assert text_table(table, "nb").rows[0][1:] == ["51\u00a0%", "45–56\u00a0%"]
    # an end under 10 % gives the shares a decimal too
    table = Table("estimates", ["label", "share", "ci"], [["Ja", 0.12, (0.08, 0.17)], ["Nei", 0.88, (0.83, 0.92)]])
    assert text_table(table, "nb").rows[0][1:] == ["12,0\u00a0%", "8,0–17,0\u00a0%"]

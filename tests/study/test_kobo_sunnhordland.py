"""A residents' survey of five Sunnhordland municipalities, built as an ordinary KoboToolbox form by a council
analyst (tests/fixtures/studies/sunnhordland_kobo: groups, relevant with ${}, or_other, choice_filter, "vet ikke"
choices, integer questions) and its exports, run through the command line alone: validate, weight, tab --where,
report, export."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from fjernarbeid.errors import EXIT_OK
from fjernarbeid.instrument import load_instrument
from fjernarbeid.instrument.expr import Condition

from .conftest import STUDIES

STUDY = STUDIES / "sunnhordland_kobo"
FORM = STUDY / "innbyggerform.xlsx"
EXPORT = STUDY / "kobo_export.csv"


@pytest.fixture(scope="module")
def form():
    return load_instrument(FORM)


@pytest.fixture(scope="module")
def raw():
    """The export as the analyst sees it: choice names, group paths."""
    frame = pd.read_csv(EXPORT, sep=";", dtype=str, keep_default_na=False)
    frame = frame[frame["samtykke"] == "ja"]
    return frame.rename(columns=lambda c: c.split("/")[-1] if not c.startswith(("_", "meta/")) else c)


def tab_json(run_main, *args):
    ran = run_main("tab", EXPORT, *args, "--study", STUDY, "--completes-only", "--format", "json")
    assert ran.code == EXIT_OK, ran.stderr
    return json.loads(ran.stdout)


# -- or_other ----------------------------------------------------------------------------------------


def test_or_other_adds_the_choice_other_and_its_text_question(form):
    work = form["hovedaktivitet"]
    assert work.codes_by_name()["other"] == 6 and work.code(6).label("nb") == "Annet"
    assert work.code(6).label("en") == "Other"
    text = form["hovedaktivitet_other"]
    assert text.type == "text" and not text.required
    assert str(text.ask_if) == "hovedaktivitet == 6"
    services = form["brukt"]
    assert services.codes_by_name()["other"] == 7 and services.exclusive == frozenset({6})
    assert str(form["brukt_other"].ask_if) == "selected(brukt, 7)"
    assert any("'or_other' adds the choice other=6" in note for note in form.notes)


def test_the_export_validates_with_its_other_answers(run_main):
    ran = run_main("validate", EXPORT, "--instrument", FORM, "--completes-only", "--format", "json")
    assert ran.code == EXIT_OK, ran.stdout + ran.stderr
    report = json.loads(ran.stdout)
    assert report["errors"] == []
    assert {p["rule"] for p in report["warnings"]} == {"id_from_metadata", "screened_out_dropped"}


def test_tab_counts_the_other_answers_as_their_own_category(run_main, raw):
    result = tab_json(run_main, "hovedaktivitet")
    other = next(e for e in result["estimates"] if e["category"] in ("6", 6))
    assert other["label"] == "Annet" and other["n_unweighted"] == len(raw)
    assert other["estimate"] * len(raw) == pytest.approx(int((raw["hovedaktivitet"] == "other").sum()))
    assert other["estimate"] > 0


# -- weighting ---------------------------------------------------------------------------------------


def test_targets_name_choices_by_their_xlsform_names_and_ages_by_ranges(run_main, tmp_path, raw):
    out = tmp_path / "weighted.csv"
    ran = run_main("weight", EXPORT, "--study", STUDY, "--completes-only", "--out", out)
    assert ran.code == EXIT_OK, ran.stderr
    weighted = pd.read_csv(out, dtype={"_id": str})
    targets = pd.read_csv(STUDY / "targets.csv")
    assert weighted["weight"].sum() == pytest.approx(targets[targets.variable == "kjonn"].target.sum())
    by_place = weighted.groupby("bostedskommune")["weight"].sum()
    assert by_place[2] == pytest.approx(14720, rel=1e-4)  # stord
    old = weighted[weighted["alder"] >= 67]["weight"].sum()
    assert old == pytest.approx(8940, rel=1e-4)
    # those who would not give their sex are left out of the weighting (unknown: exclude)
    assert len(weighted.dropna(subset=["weight"])) == int((raw["kjonn"] != "vil_ikke_svare").sum())


# -- conditions as the analyst writes them -----------------------------------------------------------


@pytest.mark.parametrize("written, canonical", [
    ("bostedskommune == 'stord'", "bostedskommune == 2"),
    ("${bostedskommune} = 'stord'", "bostedskommune == 2"),
    ("hoved/bakgrunn/bostedskommune == 'stord'", "bostedskommune == 2"),
    ("${hoved/bakgrunn/bostedskommune} = 'stord'", "bostedskommune == 2"),
    ("kjonn == 'Kvinne'", "kjonn == 2"),
    ("kjonn == 'kvinne'", "kjonn == 2"),
    ("selected(${brukt}, 'kollektiv')", "selected(brukt, 3)"),
    ("count-selected(${brukt}) >= 2", "count_selected(brukt) >= 2"),
    ("not(selected(${brukt}, 'ingen'))", "not (selected(brukt, 6))"),
    ("${hovedaktivitet} = 'ansatt' or ${hovedaktivitet} = 'selvstendig'", "hovedaktivitet == 1 or hovedaktivitet == 2"),
    ("samordnet == 'Vet ikke'", "samordnet == 3"),
])
def test_where_reads_choice_names_labels_group_paths_and_kobo_syntax(form, written, canonical):
    assert str(Condition.read(written, form)) == canonical


def test_a_division_is_not_taken_for_a_group_path(form):
    from fjernarbeid.errors import InstrumentError

    with pytest.raises(InstrumentError):
        Condition.read("alder/husstand > 2", form)


def test_an_unknown_choice_name_is_an_error_naming_the_choices(form):
    from fjernarbeid.errors import InstrumentError

    with pytest.raises(InstrumentError, match="not a code or choice name of bostedskommune"):
        Condition.read("bostedskommune == 'bergen'", form)


def test_dont_know_never_satisfies_an_ordering_comparison(form):
    frame = pd.DataFrame({"fornoyd_generelt": [1, 4, 5, 6, None]})  # 6 = vet_ikke
    at_least = Condition.read("fornoyd_generelt >= 4", form).evaluate(frame)
    assert at_least.tolist()[:3] == [False, True, True]
    assert at_least.isna().tolist() == [False, False, False, True, True]
    below = Condition.read("not(${fornoyd_generelt} >= 4)", form).evaluate(frame)
    assert below.isna().tolist()[3]  # "vet ikke" is not "below 4" either
    assert Condition.read("fornoyd_generelt == 'vet_ikke'", form).evaluate(frame).tolist()[3] is True
    # without the questionnaire the code is a number like any other
    assert Condition.parse("fornoyd_generelt >= 4").evaluate(frame).tolist()[3] is True


def test_tab_where_with_kobo_syntax_is_the_domain_of_the_choice_names(run_main, raw):
    plain = tab_json(run_main, "bli_boende", "--where", "bostedskommune == 2")
    kobo = tab_json(run_main, "bli_boende", "--where", "${hoved/bakgrunn/bostedskommune} = 'stord'")
    assert kobo["where"]["n"] == plain["where"]["n"] == int((raw["bostedskommune"] == "stord").sum())
    assert [e["estimate"] for e in kobo["estimates"]] == [e["estimate"] for e in plain["estimates"]]


def test_tab_where_on_a_scale_leaves_out_dont_know(run_main, raw):
    result = tab_json(run_main, "bli_boende", "--where", "${fornoyd_generelt} >= 4")
    assert result["where"]["n"] == int(raw["fornoyd_generelt"].isin(["4", "5"]).sum())
    assert result["where"]["n"] < int(raw["fornoyd_generelt"].isin(["4", "5", "vet_ikke"]).sum())


# -- the report without a findings catalogue ---------------------------------------------------------


@pytest.fixture(scope="module")
def report(tmp_path_factory):
    """The report as the analyst runs it, once for the module (the console entry point in a subprocess-free
    way: fjernarbeid.cli.main with its arguments)."""
    import os
    import subprocess
    import sys

    out = tmp_path_factory.mktemp("report")
    ran = subprocess.run([sys.executable, "-m", "fjernarbeid", "report", str(EXPORT), "--study", str(STUDY),
                          "--completes-only", "--out", str(out), "--format", "html,json"],
                         capture_output=True, text=True, env={**os.environ, "COLUMNS": "200"})
    assert ran.returncode == EXIT_OK, ran.stderr
    return out


def test_integer_questions_get_their_weighted_mean_with_its_own_base(report, run_main):
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    travel = next(f for f in results["findings"] if f["id"] == "reisetid")
    assert travel["analysis"] == "numeric"
    mean = next(e for e in travel["estimates"] if e["name"] == "mean")
    # the same estimate as tab --mean with the study's weighting (tested against R's svymean)
    tab = tab_json(run_main, "reisetid", "--mean", "--study-weighting")["estimates"][0]
    assert mean["estimate"] == pytest.approx(tab["estimate"], rel=1e-9)
    assert mean["se"] == pytest.approx(tab["se"], rel=1e-6)
    assert travel["base"]["n_unweighted"] == tab["n_unweighted"] < results["data"]["n"]
    assert "Gjennomsnitt" in travel["sentence"]["nb"] and "Mean" in travel["sentence"]["en"]
    # the household size has a role (described with the respondents), so it is no finding of its own
    assert "husstand" not in {f["id"] for f in results["findings"]}


def test_the_report_drops_empty_chapters_and_numbers_the_questions(report):
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "Hvem svarte" in html  # the chapter with the respondents table
    assert "Arbeid og reise" not in html  # a chapter of the study no finding falls in
    assert "5. Hvor gammel er du?" in html  # an XLSForm question numbered as a reader counts
    assert "n = 218 (uvektet)" in html  # the travel time's own base, not the sample's 406


def test_synthetic_refuses_to_write_over_an_existing_file(run_main, tmp_path):
    existing = tmp_path / "data.csv"
    existing.write_text("id\n1\n", encoding="utf-8")
    ran = run_main("synthetic", "--study", STUDY, "--out", existing, "--n", 20)
    assert ran.code == 3 and "exists" in ran.stderr
    assert existing.read_text(encoding="utf-8") == "id\n1\n"
    fresh = tmp_path / "new.csv"
    assert run_main("synthetic", "--study", STUDY, "--out", fresh, "--n", 20).code == EXIT_OK
    assert len(pd.read_csv(fresh)) == 20


def test_the_respondents_table_groups_age_by_the_targets_ranges_and_labels(report):
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    rows = [r for r in results["respondents"][0]["rows"] if r[0] == "Hvor gammel er du?"]
    assert [r[1] for r in rows] == ["18–34 år", "35–49 år", "50–66 år", "67 år og eldre"]
    assert sum(r[2] for r in rows) == results["data"]["n"]
    targets = pd.read_csv(STUDY / "targets.csv")
    ages = targets[targets.variable == "alder"].target
    # raked to the age targets: each range's weighted share is its share of the targets
    assert [r[4] for r in rows] == pytest.approx(list(ages / ages.sum()), abs=1e-4)


# -- choice_filter (a cascading select) --------------------------------------------------------------


def test_choice_filter_is_read_as_the_towns_each_municipality_offers(form):
    parent, allowed = form["tettsted"].choice_filter
    names = form["tettsted"].codes_by_name()
    assert parent == "bostedskommune"
    assert allowed[form["bostedskommune"].codes_by_name()["stord"]] == {names["leirvik"], names["sagvag"]}
    assert allowed[form["bostedskommune"].codes_by_name()["fitjar"]] == {names["fitjar_sentrum"]}


def test_a_town_the_filter_does_not_offer_is_an_error_naming_both_answers(run_main, tmp_path):
    frame = pd.read_csv(EXPORT, sep=";", dtype=str, keep_default_na=False)
    first_stord = frame.index[frame["hoved/bakgrunn/bostedskommune"] == "stord"][0]
    frame.loc[first_stord, "hoved/bakgrunn/tettsted"] = "rosendal"  # a town of Kvinnherad
    broken = tmp_path / "export.csv"
    frame.to_csv(broken, sep=";", index=False)
    ran = run_main("validate", broken, "--instrument", FORM, "--completes-only", "--format", "json")
    assert ran.code == 1
    errors = json.loads(ran.stdout)["errors"]
    assert [(e["rule"], e["column"], e["id"]) for e in errors] == [
        ("choice_not_offered", "tettsted", frame.loc[first_stord, "_id"])]
    assert "Rosendal is not offered when bostedskommune = Stord (its choices there: Leirvik, Sagvåg)" \
        in errors[0]["message"]


# -- KoboToolbox's "Labels" export -------------------------------------------------------------------

LABELS = STUDY / "kobo_export_labels.csv"


def test_a_labels_export_is_read_as_the_same_answers_as_the_xml_export(form):
    from fjernarbeid.data.read import drop_screened_out, read_survey

    xml = drop_screened_out(read_survey(EXPORT, form))
    labels = drop_screened_out(read_survey(LABELS, form))
    questions = [q.name for q in form]
    pd.testing.assert_frame_equal(labels.frame[questions], xml.frame[questions])
    assert any(note.rule == "label_headers" for note in labels.notes)


def test_a_labels_export_validates_weights_and_tabulates_as_the_xml_export(run_main, tmp_path):
    ran = run_main("validate", LABELS, "--instrument", FORM, "--completes-only", "--format", "json")
    assert ran.code == EXIT_OK, ran.stdout
    assert {w["rule"] for w in json.loads(ran.stdout)["warnings"]} == {
        "label_headers", "id_from_metadata", "screened_out_dropped"}
    for export in (EXPORT, LABELS):
        assert run_main("weight", export, "--study", STUDY, "--completes-only",
                        "--out", tmp_path / f"{export.stem}.csv").code == EXIT_OK
    a, b = (pd.read_csv(tmp_path / f"{e.stem}.csv", dtype=str) for e in (EXPORT, LABELS))
    assert a["weight"].tolist() == b["weight"].tolist()
    ran = run_main("tab", LABELS, "brukt", "--study", STUDY, "--completes-only", "--study-weighting",
                   "--where", "${fornoyd_generelt} >= 4", "--format", "json")
    assert ran.code == EXIT_OK, ran.stderr
    assert json.loads(ran.stdout)["estimates"] == tab_json(run_main, "brukt", "--study-weighting", "--where",
                                                           "${fornoyd_generelt} >= 4")["estimates"]


@pytest.mark.parametrize("variable", ["alder", "reisetid", "hjemmedager"])
def test_the_numeric_findings_agree_with_r_survey(report, variable):
    """R's survey::rake to the same targets and svymean among those who answered
    (tests/fixtures/r/kobo_numeric.R writes the reference values)."""
    r = json.loads((STUDY.parents[1] / "r" / "kobo_numeric.json").read_text(encoding="utf-8"))
    results = json.loads((report / "results.json").read_text(encoding="utf-8"))
    assert results["data"]["n"] == r["n"]
    ours = next(e for f in results["findings"] if f["id"] == variable for e in f["estimates"] if e["name"] == "mean")
    want = r[variable]
    assert ours["n_unweighted"] == want["n"]
    assert ours["estimate"] == pytest.approx(want["estimate"], rel=1e-6)
    assert ours["se"] == pytest.approx(want["se"], rel=1e-4)
    assert [ours["ci_low"], ours["ci_high"]] == pytest.approx([want["ci_low"], want["ci_high"]], rel=1e-6)


def test_headings_and_the_summary_show_question_numbers_not_variable_names(report):
    html = (report / "report.html").read_text(encoding="utf-8")
    assert "<h3>9. Hvor mange minutter bruker du på reisen til jobb, én vei?" in html
    assert '<td><a href="#reisetid">9</a></td>' in html  # the summary's number links to the finding
    assert ">reisetid<" not in html and "<h3>reisetid" not in html


def test_a_sex_role_also_listed_as_a_quasi_identifier_is_one_key_variable(run_main, tmp_path):
    import shutil

    study = tmp_path / "study"
    shutil.copytree(STUDY, study)
    text = (study / "study.yaml").read_text(encoding="utf-8")
    (study / "study.yaml").write_text(text.replace("quasi_identifiers: [tettsted, alder]",
                                                   "quasi_identifiers: [kjonn, tettsted, alder]"), encoding="utf-8")
    ran = run_main("export", study / "kobo_export.csv", "--study", study, "--completes-only",
                   "--to", tmp_path / "out" / "data.csv")
    assert ran.code in (EXIT_OK, 5), ran.stderr  # 5: written, but k-anonymity does not hold
    statement = json.loads(next((tmp_path / "out").glob("*disclosure.json")).read_text(encoding="utf-8"))
    assert statement["key_variables"].count("kjonn") == 1
    assert {"kjonn", "tettsted", "alder", "bostedskommune"} <= set(statement["key_variables"])


def test_a_chart_hides_the_complementary_cell_as_its_table_does(form):
    """One category under --min-cell would be 100 % minus the others in a chart of shares: the smallest other
    category is hidden with it, in the chart and in the table alike."""
    from types import SimpleNamespace

    from fjernarbeid.findings.results import Table
    from fjernarbeid.report.view import _distribution, _shares

    columns = ["code", "label", "share", "ci_low", "ci_high", "se", "n_unweighted", "suppressed"]
    rows = [[1, "Hjemme", None, None, None, None, 233, True],
            [2, "I kommunen jeg bor i", 0.58, 0.51, 0.64, 0.03, 233, False],
            [3, "I en annen Sunnhordland-kommune", 0.16, 0.11, 0.21, 0.02, 233, False],
            [4, "Bergen", 0.07, 0.045, 0.12, 0.02, 233, False],
            [5, "Offshore", 0.13, 0.09, 0.19, 0.02, 233, False]]
    table = Table("distribution:arbeidssted", columns, rows)
    chart = _distribution(SimpleNamespace(distributions={"arbeidssted": table}), "arbeidssted", form, "nb")
    shown = [row[0] for row in chart.data.rows]
    assert shown == ["I kommunen jeg bor i", "I en annen Sunnhordland-kommune", "Offshore"]
    assert [r[1] is None for r in _shares(table).rows] == [True, False, False, True, False]
    # two small categories hide each other: nothing more is hidden
    rows[3][2:6], rows[3][7] = [None] * 4, True
    chart = _distribution(SimpleNamespace(distributions={"arbeidssted": table}), "arbeidssted", form, "nb")
    assert [row[0] for row in chart.data.rows] == ["I kommunen jeg bor i", "I en annen Sunnhordland-kommune",
                                                   "Offshore"]

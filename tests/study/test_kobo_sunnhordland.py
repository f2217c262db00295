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

"""Shared fixtures. Tests may read the read-only reference data in ../shared/refdata; the installed
program never needs it."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import NamedTuple

import pytest
from hypothesis import settings

# In CI (a fresh clone, CI=true) the property tests draw the same examples on every run, so a red
# build always means a change, never the luck of the draw; locally they explore new examples.
settings.register_profile("ci", derandomize=True, database=None)
if os.environ.get("CI"):
    settings.load_profile("ci")

REPO = Path(__file__).resolve().parents[1]
SHARED = REPO.parent / "shared"
FIXTURES = Path(__file__).resolve().parent / "fixtures"


@pytest.fixture(scope="session")
def shared_dir() -> Path:
    if not SHARED.is_dir():
        pytest.skip(f"{SHARED} is not present (it holds the report and reference data)")
    return SHARED


@pytest.fixture(scope="session")
def refdata_dir(shared_dir: Path) -> Path:
    return shared_dir / "refdata"


@pytest.fixture(scope="session")
def refdata(refdata_dir: Path):
    from fjernarbeid.refdata import RefData

    return RefData(refdata_dir)


@pytest.fixture(scope="session")
def instrument():
    from fjernarbeid.instrument import load_instrument

    return load_instrument()


@pytest.fixture(scope="session")
def fixtures_dir() -> Path:
    return FIXTURES


@pytest.fixture(scope="session")
def demo():
    from fjernarbeid.studies.norce2025.demo.generate import generate_demo

    return generate_demo()


@pytest.fixture(scope="session")
def demo_frame(demo, instrument, refdata):
    from fjernarbeid.data.derive import derive

    return derive(demo.survey, instrument, refdata)


@pytest.fixture(scope="session")
def demo_results(demo_frame, demo, instrument):
    from fjernarbeid.fieldwork import summarise_fieldwork
    from fjernarbeid.findings.run import run_findings
    from fjernarbeid.survey.weighting import weight_study

    weighted = weight_study(demo_frame, instrument)
    fieldwork = summarise_fieldwork(demo.dispositions, instrument)
    return run_findings(demo_frame, design=weighted.design, instrument=instrument, fieldwork=fieldwork,
                        source="demo", synthetic=True)


@pytest.fixture(autouse=True)
def _a_wide_terminal(monkeypatch):
    """No test may depend on the terminal it runs in: every test sees the same 200-column width
    (rich reads COLUMNS), so tables never wrap or cut differently in a narrow CI log."""
    monkeypatch.setenv("COLUMNS", "200")
    monkeypatch.delenv("LINES", raising=False)


class Ran(NamedTuple):
    """What a command run in-process gave: exit code, standard output, standard error."""

    code: int
    stdout: str
    stderr: str


@pytest.fixture
def run_main(monkeypatch, capsys):
    """``run_main("weight", file, "--out", out)``: ``fjernarbeid.cli.main`` with these arguments, run
    in-process as a user's shell runs it (errors become a message and an exit code)."""
    from rich.console import Console

    from fjernarbeid.cli import main

    # main() installs its broken-pipe handler on rich's Console; give the class back afterwards
    monkeypatch.setattr(Console, "on_broken_pipe", Console.on_broken_pipe)

    def run(*args) -> Ran:
        monkeypatch.setattr(sys, "argv", ["fjernarbeid", *map(str, args)])
        with pytest.raises(SystemExit) as stopped:
            main()
        out = capsys.readouterr()
        return Ran(stopped.value.code or 0, out.out, out.err)

    return run


def _call_main(monkeypatch, *args) -> Ran:
    """``fjernarbeid.cli.main`` as ``run_main`` runs it, its output read here rather than by capsys (which only a
    test's own fixtures have)."""
    import contextlib
    import io

    from rich.console import Console

    from fjernarbeid.cli import main

    monkeypatch.setattr(Console, "on_broken_pipe", Console.on_broken_pipe)
    monkeypatch.setenv("COLUMNS", "200")  # as _a_wide_terminal gives each test
    monkeypatch.delenv("LINES", raising=False)
    monkeypatch.setattr(sys, "argv", ["fjernarbeid", *map(str, args)])
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err), pytest.raises(SystemExit) as stopped:
        main()
    return Ran(stopped.value.code or 0, out.getvalue(), err.getvalue())


@pytest.fixture(scope="session")
def call_main():
    """``call_main(monkeypatch, "report", file, ...)``: ``run_main`` for a module- or session-scoped fixture
    (one run that several tests read), with the ``pytest.MonkeyPatch`` whose undoing ends the run's changes."""
    return _call_main



class KoboStudy(NamedTuple):
    folder: Path
    form: Path
    export: Path
    study: Path


def write_coworking_study(folder: Path, n: int = 240, seed: int = 5) -> KoboStudy:
    """A small follow-up survey of coworking-space users written as KoboToolbox writes it: an XLSForm with
    groups, text choice names, a label holding a question's name ('Privat arbeidsgiver' beside the question
    ``arbeidsgiver``), a select_multiple with a question routed on ``selected()``, and its ';'-separated export
    with group paths; post-stratified to municipality × age ranges (``kommune×alder,kinn|18-34``)."""
    import csv
    import random

    from openpyxl import Workbook

    folder.mkdir(parents=True, exist_ok=True)
    nb, en = "label::Norsk bokmål (nb)", "label::English (en)"
    wb = Workbook()
    ws = wb.active
    ws.title = "survey"
    ws.append(["type", "name", nb, en, "required", "relevant", "constraint"])
    for row in (["begin_group", "om_deg", "Om deg", "About you", "", "", ""],
                ["select_one kjonn", "kjonn", "Kjønn", "Sex", "yes", "", ""],
                ["integer", "alder", "Hvor gammel er du?", "How old are you?", "yes", "", ". >= 18 and . <= 80"],
                ["select_one kommune", "kommune", "Hvilken kommune bor du i?", "Municipality", "yes", "", ""],
                ["end_group", "", "", "", "", "", ""],
                ["begin_group", "bruk", "Bruk", "Use", "", "", ""],
                ["select_one arbeidsgiver", "arbeidsgiver", "Hvem arbeider du for?", "Employer", "yes", "", ""],
                ["select_multiple fasilitet", "fasiliteter", "Hvilke fasiliteter bruker du?", "Facilities", "yes",
                 "", ""],
                ["integer", "antall_moter", "Hvor mange møter hadde du?", "Meetings", "yes",
                 "selected(${fasiliteter}, 'moterom')", ". >= 0 and . <= 60"],
                ["select_one janei", "anbefale", "Vil du anbefale det?", "Would you recommend it?", "yes",
                 "count-selected(${fasiliteter}) > 1", ""],
                ["end_group", "", "", "", "", "", ""]):
        ws.append(row)
    wc = wb.create_sheet("choices")
    wc.append(["list_name", "name", nb, en])
    for row in (("kjonn", "mann", "Mann", "Man"), ("kjonn", "kvinne", "Kvinne", "Woman"),
                ("kommune", "sunnfjord", "Sunnfjord", "Sunnfjord"), ("kommune", "kinn", "Kinn", "Kinn"),
                ("arbeidsgiver", "privat", "Privat arbeidsgiver", "Private employer"),
                ("arbeidsgiver", "offentlig", "Offentlig arbeidsgiver", "Public employer"),
                ("fasilitet", "moterom", "Møterom", "Meeting room"), ("fasilitet", "kantine", "Kantine", "Canteen"),
                ("janei", "ja", "Ja", "Yes"), ("janei", "nei", "Nei", "No")):
        wc.append(list(row))
    st = wb.create_sheet("settings")
    st.append(["form_title", "form_id", "default_language"])
    st.append(["Kontorfellesskap", "kontor_test", "Norsk bokmål (nb)"])
    form = folder / "form.xlsx"
    wb.save(form)

    rng = random.Random(seed)
    g1, g2 = "om_deg/", "bruk/"
    header = ["start", g1 + "kjonn", g1 + "alder", g1 + "kommune", g2 + "arbeidsgiver", g2 + "fasiliteter",
              g2 + "fasiliteter/moterom", g2 + "fasiliteter/kantine", g2 + "antall_moter", g2 + "anbefale", "_id", "_uuid",
              "_submission_time", "_index"]
    rows = []
    for i in range(n):
        chosen = [f for f in ("moterom", "kantine") if rng.random() < 0.6] or ["kantine"]
        rows.append(["2026-02-02T08:00:00.000+01:00", rng.choice(["mann", "kvinne"]), str(rng.randint(18, 80)),
                     rng.choice(["sunnfjord", "kinn"]), rng.choice(["privat", "privat", "offentlig"]),
                     " ".join(chosen), str(int("moterom" in chosen)), str(int("kantine" in chosen)),
                     str(rng.randint(0, 9)) if "moterom" in chosen else "",
                     rng.choice(["ja", "ja", "nei"]) if len(chosen) > 1 else "", str(500 + i),
                     f"00000000-0000-4000-8000-{i:012d}", "2026-02-02T08:10:00", str(i + 1)])
    export = folder / "export.csv"
    with open(export, "w", encoding="utf-8", newline="") as fh:
        csv.writer(fh, delimiter=";", lineterminator="\n").writerows([header, *rows])
    with open(folder / "targets.csv", "w", encoding="utf-8") as fh:
        fh.write("variable,category,target,label\n")
        for kommune, sizes in (("sunnfjord", (5600, 5200, 4100)), ("kinn", (3300, 3100, 2700))):
            for ages, size in zip(("18-39", "40-59", "60+"), sizes):
                fh.write(f"kommune×alder,{kommune}|{ages},{size},\n")
    study = folder / "study.yaml"
    study.write_text(
        "id: kontor-test\ntitle: {nb: Kontorfellesskap, en: Coworking}\nmode: CAWI\nlanguages: [nb, nn, en]\n"
        "questionnaire: form.xlsx\nroles: {sex: kjonn, municipality: kommune}\n"
        "weighting: {method: poststratify, variables: [kommune, alder], targets: targets.csv, unknown: error}\n"
        "quasi_identifiers: [alder]\n"
        "chapters:\n  - {id: bakgrunn, title: {nb: Hvem svarte, en: Who answered}, respondents: true}\n"
        "respondents: [kommune, kjonn, alder]\nbanner: [{variable: kommune}]\n", encoding="utf-8")
    return KoboStudy(folder, form, export, study)


@pytest.fixture(scope="session")
def coworking_study(tmp_path_factory) -> KoboStudy:
    return write_coworking_study(tmp_path_factory.mktemp("coworking"))

"""``fjernarbeid instrument show`` and ``export``."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_USAGE
from fjernarbeid.instrument.xlsform import read_xlsform

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["instrument", *args])


@pytest.mark.parametrize("args", [[], ["show"], ["export"]])
def test_every_command_has_help(args):
    result = run(*args, "--help")
    assert result.exit_code == 0
    assert "Usage:" in result.output


def test_show_prints_the_questionnaire_with_routing_screening_and_not_sure_codes(instrument):
    result = run("show")
    assert result.exit_code == 0, result.output
    out = result.output
    assert "NORCE – Undersøkelse blant yrkesaktive, april/mai 2025" in out
    assert "Hva slags arbeidsplass har du når du jobber hjemmefra?" in out
    assert "HVIS BENYTTER HJEMMEKONTOR (SPM 12 < 6)" in out
    assert out.count("spørres hvis q12 < 6") == 2
    assert "3: Nei, ikke yrkesaktiv i minst 50% stilling  => AVSLUTT" in out
    assert "silingsspørsmål S1" in out and "silingsspørsmål S2" in out
    n_not_sure = sum(len(q.missing_codes) for q in instrument)
    assert out.count("(ikke sikker: mangler i analysen)") == n_not_sure == 16
    assert "heltall 1964-2000" in out and "REGISTRER ANTALL PERSONER" in out


def test_show_in_english():
    out = run("show", "--lang", "en").output
    assert "How often do you normally use a home office or remote work?" in out
    assert "asked if q12 < 6" in out and "=> END OF INTERVIEW" in out
    assert "(not sure: missing in analysis)" in out


def test_show_as_json_is_the_questionnaire_as_data(instrument):
    result = run("show", "--format", "json", "--lang", "en")
    assert result.exit_code == 0
    data = json.loads(result.output)
    assert data["id"] == instrument.id and data["language"] == "en"
    assert [q["name"] for q in data["questions"]] == instrument.names
    q13 = next(q for q in data["questions"] if q["name"] == "q13")
    assert q13["ask_if"] == "q12 < 6"
    assert q13["codes"][-1] == {"code": 4, "label": "Not sure, no answer (not read aloud)", "missing": True,
                                "screen_out": False}
    q202 = next(q for q in data["questions"] if q["name"] == "q202")
    assert q202["range"] == [1964, 2000]
    assert next(q for q in data["questions"] if q["name"] == "q1")["screen_out"] == [3]


def test_export_writes_an_xlsform_that_reads_back_and_can_be_shown(tmp_path, instrument):
    out = tmp_path / "form.xlsx"
    result = run("export", "--xlsform", str(out))
    assert result.exit_code == 0, result.output
    assert f"wrote {out}" in result.output
    assert read_xlsform(out) == instrument
    assert run("show", "--instrument", str(out), "--format", "json").output == run("show", "--format", "json").output
    # Exporting again is refused unless asked; with --overwrite it replaces the earlier export (and
    # leaves no temporary file behind).
    before = out.read_bytes()
    again = run("export", "--xlsform", str(out), "--mode", "self")
    assert again.exit_code == EXIT_BAD_INPUT and f"{out}: exists already" in again.stderr and "--overwrite" in again.stderr
    assert out.read_bytes() == before
    assert run("export", "--xlsform", str(out), "--mode", "self", "--overwrite").exit_code == 0
    assert out.read_bytes() != before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["form.xlsx"]


def test_export_refuses_to_overwrite_its_input(tmp_path):
    form = tmp_path / "form.xlsx"
    run("export", "--xlsform", str(form))
    before = form.read_bytes()
    result = run("export", "--xlsform", str(form), "--instrument", str(form))
    assert result.exit_code == EXIT_BAD_INPUT
    assert "refusing to write over the input file" in result.stderr
    assert form.read_bytes() == before


def test_errors_have_a_message_and_an_exit_code(tmp_path):
    result = run("show", "--instrument", str(tmp_path / "missing.yaml"))
    assert result.exit_code == EXIT_BAD_INPUT
    assert "missing.yaml: instrument file not found" in result.stderr
    result = run("export", "--xlsform", str(tmp_path / "form.xls"))
    assert result.exit_code == EXIT_BAD_INPUT and "written as an .xlsx" in result.stderr
    assert run("show", "--lang", "de").exit_code == EXIT_USAGE


def test_show_takes_the_questionnaire_s_own_language_nynorsk_by_default():
    from pathlib import Path

    form = Path(__file__).resolve().parents[1] / "fixtures" / "studies" / "elev_kobo_nn" / "elevform.xlsx"
    for args in (["--lang", "nn"], []):  # the form's labels are nynorsk first
        result = run("show", "--instrument", str(form), *args)
        assert result.exit_code == 0, result.output
        assert "Kva kommune bur du i?" in result.output and "silingsspørsmål" in result.output
    result = run("show", "--instrument", str(form), "--lang", "en", "--format", "json")
    assert json.loads(result.output)["language"] == "en"


def test_a_decimal_range_is_shown_as_the_language_writes_it(tmp_path):
    (tmp_path / "q.yaml").write_text("""
id: t
questions:
  - {name: reisetid, type: decimal, range: {min: 0, max: 2.5}, text: {nb: Reisetid, en: Travel time}}
""", "utf-8")
    from typer.testing import CliRunner

    from fjernarbeid.cli import app

    nb = CliRunner().invoke(app, ["instrument", "show", "--instrument", str(tmp_path / "q.yaml")])
    en = CliRunner().invoke(app, ["instrument", "show", "--instrument", str(tmp_path / "q.yaml"), "--lang", "en"])
    assert "desimaltall 0-2,5" in nb.stdout and "decimal number 0-2.5" in en.stdout

"""``fjernarbeid interviews …`` from the command line: every step, their help and their exit codes."""

from __future__ import annotations

import shutil

import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_INVALID_DATA

runner = CliRunner()


def run(*args):
    return runner.invoke(app, ["interviews", *map(str, args)])


@pytest.mark.parametrize("command", [[], ["import"], ["pseudonymise"], ["code"], ["report"], ["export"],
                                     ["agreement"], ["demo"]])
def test_every_command_has_help(command):
    result = run(*command, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_demo_prints_the_matrix(tmp_path):
    result = run("demo", "--out", tmp_path / "demo")
    assert result.exit_code == 0, result.output
    assert "SYNTHETIC interview demo" in result.output and "Kode × informant" in result.output
    assert "Tok med seg jobben" in result.output and "(checked: valid)" in result.output


def test_the_matrix_names_codes_by_their_names_and_says_what_each_column_counts(tmp_path):
    """The cells count coded utterances per informant; the last column counts informants — said so, and codes
    by the codebook's names ('Digitale møter'), not its ids ('moter_digitale')."""
    result = run("demo", "--out", tmp_path / "demo")
    assert "Digitale møter" in result.output and "moter_digitale" not in result.output
    assert "Informanter med koden" in result.output
    assert "antall kodede ytringer per informant" in result.output


def test_the_chain_step_by_step(demo_run, tmp_path):
    sources = demo_run.out / "1_transkripsjoner"
    mapping = tmp_path / "secret" / "mapping.yaml"
    mapping.parent.mkdir()
    shutil.copy(demo_run.files["mapping"], mapping)
    raw, pseudo, results = tmp_path / "raw", tmp_path / "pseudo", tmp_path / "results"

    r = run("import", *sorted(sources.iterdir()), "--out", raw, "--mapping", mapping)
    assert r.exit_code == 0, r.output
    assert "Anne Kristin Dahl (interviewer)" in r.output and len(list(raw.glob("*.json"))) == 7

    r = run("report", raw, "--out", results)
    assert r.exit_code == EXIT_INVALID_DATA and "not pseudonymised" in r.output

    r = run("pseudonymise", raw, "--mapping", mapping, "--out", pseudo)
    assert r.exit_code == 0, r.output
    assert "13 item(s) to review" in r.output and (tmp_path / "secret" / "mapping-erstatninger.csv").exists()

    suggestions = tmp_path / "forslag.csv"
    r = run("code", pseudo, "--suggestions", suggestions)
    assert r.exit_code == 0 and "0 accepted" in r.output
    table = pd.read_csv(suggestions)
    table.loc[table["code"].isin(["tillit", "jobbreiser"]), "status"] = "accepted"
    table.loc[table["code"] == "kontorfellesskap", "status"] = "rejected"
    table.to_csv(suggestions, index=False)
    r = run("code", pseudo, "--suggestions", suggestions)  # rerun keeps the decisions
    assert r.exit_code == 0 and f"{(table['status'] == 'accepted').sum()} accepted" in r.output

    codings = tmp_path / "hand.csv"
    r = run("code", pseudo, "--add", "Informant_2:4:hjemmekontor", "--add", "Informant_2:6:hjemmekontor",
            "--codings", codings, "--coder", "AB")
    assert r.exit_code == 0 and "2 coding(s) added" in r.output
    r = run("code", pseudo, "--add", "Informant_2:99:hjemmekontor", "--codings", codings, "--coder", "AB")
    assert r.exit_code == EXIT_INVALID_DATA and "column turn: '99' is not a turn of Informant_2" in r.output
    assert len(pd.read_csv(codings)) == 2  # the file is left as it was

    cases = demo_run.files["cases"]
    r = run("report", pseudo, "--out", results, "--suggestions", suggestions, "--codings", codings,
            "--cases", cases, "--typology", "flytting", "--typology", "arbeidssted")
    assert r.exit_code == 0, r.output
    assert (results / "temarapport.html").exists() and (results / "typologi.csv").exists()
    matrix = pd.read_csv(results / "kode_x_informant.csv", index_col="code")
    informants = "Informanter med koden"  # the CSV's last column counts informants, and says so
    assert matrix.loc["tillit", informants] == 7 and matrix.loc["kontorfellesskap", informants] == 0
    assert matrix.loc["hjemmekontor", "Informant 2"] == 2

    qdpx = tmp_path / "p.qdpx"
    r = run("export", pseudo, "--qdpx", qdpx, "--suggestions", suggestions, "--codings", codings,
            "--cases", cases, "--qdc", tmp_path / "k.qdc")
    assert r.exit_code == 0, r.output
    back = tmp_path / "back"
    r = run("import", qdpx, "--out", back)
    assert r.exit_code == 0 and "7 interviews" in r.output
    assert len(pd.read_csv(back / "kodinger.csv")) == len(pd.read_csv(codings)) + (table["status"] == "accepted").sum()

    second = tmp_path / "second.csv"
    run("code", pseudo, "--add", "Informant_2:4:hjemmekontor", "--codings", second, "--coder", "CD")
    r = run("agreement", pseudo, "--codings", codings, "--codings", second, "--coder", "AB", "--coder", "CD",
            "--out", tmp_path / "agree.csv")
    assert r.exit_code == 0, r.output
    agree = pd.read_csv(tmp_path / "agree.csv", index_col="code")
    assert (agree.loc["hjemmekontor", "both"], agree.loc["hjemmekontor", "only_a"]) == (1, 1)


def test_errors_exit_with_the_documented_codes(tmp_path):
    bad = tmp_path / "bad.vtt"
    bad.write_text("not a transcript\n", encoding="utf-8")
    r = run("import", bad, "--out", tmp_path / "out")
    assert r.exit_code == EXIT_BAD_INPUT and "bad.vtt, line 1: expected the 'WEBVTT' header" in r.output
    good = tmp_path / "t.txt"
    good.write_text("Kari: hei\nOla: hei\n", encoding="utf-8")
    run("import", good, "--out", tmp_path / "raw")
    mapping = tmp_path / "m.yaml"
    mapping.write_text("informants:\n  Kari: Informant 1\n", encoding="utf-8")
    r = run("pseudonymise", tmp_path / "raw", "--mapping", mapping, "--out", tmp_path / "p")
    assert r.exit_code == EXIT_INVALID_DATA and "'Ola' have no pseudonym" in r.output
    assert not (tmp_path / "p").exists()


# -- outputs never replace inputs or each other ------------------------------------------------------------

def _transcript(path, informant="Kari Nordmann", text="Eg bur her."):
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(f"Intervjuar: Kvifor flytta du hit?\n{informant}: {text}\n", encoding="utf-8")
    return path


def _mapping(path):
    path.write_text("informants:\n  Kari Nordmann: Informant 1\n  Ola Nordmann: Informant 2\n"
                    "interviewers:\n  Intervjuar: Intervjuar 1\n", encoding="utf-8")
    return path


def test_two_transcripts_of_one_file_name_are_refused_before_any_is_written(tmp_path):
    """Before, 'a/intervju.txt' and 'b/intervju.txt' both became out/intervju.json: Ola's replaced Kari's."""
    kari = _transcript(tmp_path / "a" / "intervju.txt")
    ola = _transcript(tmp_path / "b" / "intervju.txt", "Ola Nordmann")
    r = run("import", kari, ola, "--out", tmp_path / "raw", "--interviewer", "Intervjuar")
    assert r.exit_code == EXIT_BAD_INPUT
    assert f"{ola}: its interview file {tmp_path / 'raw' / 'intervju.json'} would replace the one of {kari}" in r.output
    assert not (tmp_path / "raw").exists() or list((tmp_path / "raw").iterdir()) == []


def test_the_message_names_the_file_the_interview_is_written_to(tmp_path):
    source = _transcript(tmp_path / "Intervju Kari 12.05.txt")
    r = run("import", source, "--out", tmp_path / "raw", "--interviewer", "Intervjuar")
    assert r.exit_code == 0, r.output
    assert f"→ {tmp_path / 'raw' / 'Intervju_Kari_12.05.json'}:" in " ".join(r.output.split())
    assert [p.name for p in (tmp_path / "raw").iterdir()] == ["Intervju_Kari_12.05.json"]


def test_two_interviews_of_one_informant_keep_a_file_each(tmp_path):
    """A follow-up interview: both became Informant_1.json, the second silently replacing the first."""
    _transcript(tmp_path / "t" / "kari_mai.txt", text="Første intervju.")
    _transcript(tmp_path / "t" / "kari_juni.txt", text="Andre intervju.")
    mapping = _mapping(tmp_path / "m.yaml")
    assert run("import", *sorted((tmp_path / "t").iterdir()), "--out", tmp_path / "raw", "--mapping", mapping
               ).exit_code == 0
    r = run("pseudonymise", tmp_path / "raw", "--mapping", mapping, "--out", tmp_path / "p")
    assert r.exit_code == 0, r.output
    texts = {p.name: p.read_text(encoding="utf-8") for p in (tmp_path / "p").iterdir()}
    assert sorted(texts) == ["Informant_1-2.json", "Informant_1.json"]
    assert "Andre intervju" in texts["Informant_1.json"] and "Første intervju" in texts["Informant_1-2.json"]
    report = pd.read_csv(tmp_path / "m-erstatninger.csv")
    assert set(zip(report["original_id"], report["pseudonymised_id"])) == {("kari_juni", "Informant_1"),
                                                                           ("kari_mai", "Informant_1-2")}


def test_pseudonymise_never_writes_over_its_inputs_nor_puts_the_report_among_the_transcripts(tmp_path):
    mapping = _mapping(tmp_path / "m.yaml")
    _transcript(tmp_path / "t" / "Informant_1.txt")  # files named by the pseudonym, as many projects do
    raw = tmp_path / "raw"
    assert run("import", tmp_path / "t" / "Informant_1.txt", "--out", raw, "--mapping", mapping).exit_code == 0
    original, key = (raw / "Informant_1.json").read_bytes(), mapping.read_bytes()

    r = run("pseudonymise", raw, "--mapping", mapping, "--out", raw)  # in place: the original was replaced
    assert r.exit_code == EXIT_BAD_INPUT and "refusing to write into the input directory" in r.output
    r = run("pseudonymise", raw, "--mapping", mapping, "--out", tmp_path / "p", "--report", mapping)
    assert r.exit_code == EXIT_BAD_INPUT and "refusing to write over the input file" in r.output
    r = run("pseudonymise", raw / "Informant_1.json", "--mapping", mapping, "--out", tmp_path / "p",
            "--report", raw / "Informant_1.json")
    assert r.exit_code == EXIT_BAD_INPUT and "refusing to write over the input file" in r.output
    r = run("pseudonymise", raw, "--mapping", mapping, "--out", tmp_path / "p", "--report", tmp_path / "p" / "x" / "r.csv")
    assert r.exit_code == EXIT_BAD_INPUT and "holds the real names" in r.output

    assert (raw / "Informant_1.json").read_bytes() == original and mapping.read_bytes() == key
    assert not (tmp_path / "p").exists()


def test_agreement_and_export_never_write_over_a_coders_codings_or_the_codebook(tmp_path):
    mapping = _mapping(tmp_path / "m.yaml")
    _transcript(tmp_path / "t" / "kari.txt", text="Eg jobbar heimanfrå på heimekontor.")
    run("import", tmp_path / "t" / "kari.txt", "--out", tmp_path / "raw", "--mapping", mapping)
    run("pseudonymise", tmp_path / "raw", "--mapping", mapping, "--out", tmp_path / "p")
    a, b = tmp_path / "a.csv", tmp_path / "b.csv"
    for coder, path in (("A", a), ("B", b)):
        assert run("code", tmp_path / "p", "--add", "Informant_1:2:hjemmekontor", "--codings", path,
                   "--coder", coder).exit_code == 0
    before = b.read_bytes()
    r = run("agreement", tmp_path / "p", "--codings", a, "--codings", b, "--coder", "A", "--coder", "B", "--out", b)
    assert r.exit_code == EXIT_BAD_INPUT and "refusing to write over the input file" in r.output
    assert b.read_bytes() == before  # coder B's codings were replaced by the agreement table

    codebook = tmp_path / "k.qdc"
    assert run("export", tmp_path / "p", "--codings", a, "--qdpx", tmp_path / "x.qdpx", "--qdc", codebook
               ).exit_code == 0
    written = codebook.read_bytes()
    r = run("export", tmp_path / "p", "--codings", a, "--qdpx", tmp_path / "y.qdpx", "--codebook", codebook,
            "--qdc", codebook)
    assert r.exit_code == EXIT_BAD_INPUT and "refusing to write over the input file" in r.output
    assert codebook.read_bytes() == written and not (tmp_path / "y.qdpx").exists()


def test_two_interviews_of_one_informant_are_one_informant_in_the_report_and_the_project(tmp_path):
    """With a follow-up interview the code × informant matrix had two columns 'Informant 1' and
    'interviews report' ended in a traceback (AttributeError in the CSV writer); the project had two
    cases of that name, and 'n av N' counted the interviews."""
    _transcript(tmp_path / "t" / "kari_mai.txt", text="Eg har heimekontor.")
    _transcript(tmp_path / "t" / "kari_juni.txt", text="Framleis heimekontor.")
    _transcript(tmp_path / "t" / "ola.txt", "Ola Nordmann", "Eg har kontor i byen.")
    mapping = _mapping(tmp_path / "m.yaml")
    run("import", *sorted((tmp_path / "t").iterdir()), "--out", tmp_path / "raw", "--mapping", mapping)
    run("pseudonymise", tmp_path / "raw", "--mapping", mapping, "--out", tmp_path / "p")
    codings = tmp_path / "c.csv"
    assert run("code", tmp_path / "p", "--add", "Informant_1:2:hjemmekontor", "--add", "Informant_1-2:2:hjemmekontor",
               "--add", "Informant_2:2:kontorfellesskap", "--codings", codings, "--coder", "AB").exit_code == 0
    cases = tmp_path / "cases.csv"
    cases.write_text("interview,kommune\nInformant_1,Kvam\nInformant_1-2,Kvam\nInformant_2,Ulvik\n", encoding="utf-8")

    r = run("report", tmp_path / "p", "--codings", codings, "--cases", cases, "--out", tmp_path / "r")
    assert r.exit_code == 0, r.output
    matrix = pd.read_csv(tmp_path / "r" / "kode_x_informant.csv", index_col="code")
    assert list(matrix.columns) == ["Informant 1", "Informant 2", "Informanter med koden"]
    assert matrix.loc["hjemmekontor", "Informant 1"] == 2 and matrix.loc["hjemmekontor", "Informanter med koden"] == 1
    by_attribute = pd.read_csv(tmp_path / "r" / "koder_etter_egenskap.csv")
    kvam = by_attribute[(by_attribute["code"] == "hjemmekontor") & (by_attribute["value"] == "Kvam")]
    assert kvam["label"].tolist() == ["1 av 1"]

    assert run("export", tmp_path / "p", "--codings", codings, "--qdpx", tmp_path / "p.qdpx").exit_code == 0
    import zipfile

    project = zipfile.ZipFile(tmp_path / "p.qdpx").read("project.qde").decode("utf-8")
    assert project.count('name="Informant 1"') == 1 and project.count("<SourceRef") == 3


def test_a_suggestions_file_saved_again_by_excel_is_read(tmp_path):
    """Excel in Norway saves a CSV in Windows-1252 with semicolons: the reviewed suggestions were refused
    with a bare codec message ('utf-8' codec can't decode byte 0xf8 …)."""
    mapping = _mapping(tmp_path / "m.yaml")
    _transcript(tmp_path / "t" / "kari.txt", text="Eg jobbar på heimekontor, og sjefen stolar på meg.")
    run("import", tmp_path / "t" / "kari.txt", "--out", tmp_path / "raw", "--mapping", mapping)
    run("pseudonymise", tmp_path / "raw", "--mapping", mapping, "--out", tmp_path / "p")
    suggestions = tmp_path / "forslag.csv"
    assert run("code", tmp_path / "p", "--suggestions", suggestions).exit_code == 0
    table = pd.read_csv(suggestions)
    assert len(table) > 0
    table["status"] = "accepted"
    table["keywords"] = table["keywords"] + " – nøkkelord"
    suggestions.write_bytes(table.to_csv(sep=";", index=False).encode("cp1252"))
    r = run("report", tmp_path / "p", "--suggestions", suggestions, "--out", tmp_path / "r")
    assert r.exit_code == 0, r.output
    assert len(pd.read_csv(tmp_path / "r" / "sitater.csv")) == len(table)

"""Every command that writes files leaves an existing file alone unless asked (``--overwrite``): it
stops before any work, names the file, exits 3 and writes nothing — a file of the user's that
happens to have the output's name is never replaced (fjernarbeid._io.refuse_existing_outputs)."""

from __future__ import annotations

from pathlib import Path

import pytest

from fjernarbeid.errors import EXIT_BAD_INPUT

CORPUS = Path(__file__).resolve().parents[1] / "interviews" / "corpus"
THEIRS = "a file of the user's, not ours\n"


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory, demo) -> Path:
    """The demo's files as `fjernarbeid demo` writes them: interviews, call log, refdata/."""
    from fjernarbeid.studies.norce2025.demo.write import write_demo

    out = tmp_path_factory.mktemp("demo")
    write_demo(demo, out, sav=False)
    return out


# command → (its arguments for an output folder ``o``, the output file that is there already)
COMMANDS = {
    "weight": (lambda d, o: ["weight", d / "demo_survey.csv", "--out", o / "weighted.csv"], "weighted.csv"),
    "export": (lambda d, o: ["export", d / "demo_survey.csv", "--to", o / "x.sav"], "x.sav.codebook.md"),
    "report": (lambda d, o: ["report", d / "demo_survey.csv", "--out", o, "--format", "html,json"], "results.json"),
    "target": (lambda d, o: ["target", d / "demo_survey.csv", "--dispositions", d / "demo_dispositions.csv",
                             "--refdata", d / "refdata", "--out", o], "target.xlsx"),
    "instrument export": (lambda d, o: ["instrument", "export", "--xlsform", o / "form.xlsx"], "form.xlsx"),
    "synthetic": (lambda d, o: ["synthetic", "--out", o / "data.csv", "--n", "20"], "data.csv"),
    "init": (lambda d, o: ["init", o, "--n", "20"], "README.md"),
    "demo": (lambda d, o: ["demo", "--out", o, "--n", "50", "--no-sav"], "refdata/README.txt"),
    "interviews import": (lambda d, o: ["interviews", "import", CORPUS / "intervju_fatima.vtt", "--out", o],
                          "intervju_fatima.json"),
    "interviews demo": (lambda d, o: ["interviews", "demo", "--out", o], "LESMEG.txt"),
}


def _files(folder: Path) -> list[str]:
    return sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())


@pytest.mark.parametrize("command", list(COMMANDS))
def test_an_existing_output_is_not_replaced_unasked(command, run_main, demo_dir, tmp_path):
    arguments, existing = COMMANDS[command]
    out = tmp_path / "out"
    theirs = out / existing
    theirs.parent.mkdir(parents=True)
    theirs.write_text(THEIRS)
    ran = run_main(*arguments(demo_dir, out))
    assert ran.code == EXIT_BAD_INPUT, ran.stderr
    assert f"{theirs}: exists already and was not overwritten" in ran.stderr and "--overwrite" in ran.stderr
    assert "Traceback" not in ran.stderr
    assert theirs.read_text() == THEIRS
    assert _files(out) == [existing]  # nothing else written either, no temporary file left


@pytest.mark.parametrize("command", ["weight", "instrument export", "synthetic", "init", "interviews import"])
def test_with_overwrite_the_output_is_replaced(command, run_main, demo_dir, tmp_path):
    arguments, existing = COMMANDS[command]
    out = tmp_path / "out"
    theirs = out / existing
    theirs.parent.mkdir(parents=True)
    theirs.write_text(THEIRS)
    ran = run_main(*arguments(demo_dir, out), "--overwrite")
    assert ran.code == 0, ran.stderr
    assert theirs.read_bytes() != THEIRS.encode()
    assert not [name for name in _files(out) if Path(name).name.startswith(".")]  # no temporary file


def test_other_files_in_an_output_folder_are_left_alone(run_main, tmp_path):
    out = tmp_path / "study"
    out.mkdir()
    (out / "notes.txt").write_text(THEIRS)
    ran = run_main("init", out, "--n", "20")
    assert ran.code == 0, ran.stderr
    assert (out / "notes.txt").read_text() == THEIRS
    assert {"study.yaml", "questionnaire.yaml", "targets.csv", "data.csv", "notes.txt"} <= set(_files(out))

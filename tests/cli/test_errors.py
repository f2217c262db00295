"""What every command does with a place it cannot write, an input it cannot read, a --refdata that
is not there and a reader that stops reading: one message naming the path, the documented exit
code, no traceback."""

from __future__ import annotations

import subprocess
import sys
import tempfile

import pytest

from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_BROKEN_PIPE, EXIT_MISSING_REFDATA, EXIT_OK


@pytest.fixture
def a_file(tmp_path):
    """An ordinary file: a path under it can be neither a directory nor a file."""
    path = tmp_path / "plain.txt"
    path.write_text("not a directory\n")
    return path


# -- outputs that cannot be written ------------------------------------------------------------------

UNDER_A_FILE = {
    "weight": lambda data, blocked: ["weight", data, "--out", blocked / "w.csv"],
    "export": lambda data, blocked: ["export", data, "--to", blocked / "x.sav"],
    "report": lambda data, blocked: ["report", data, "--out", blocked / "rep", "--format", "json"],
    "instrument export": lambda data, blocked: ["instrument", "export", "--xlsform", blocked / "f.xlsx"],
    "demo": lambda data, blocked: ["demo", "--out", blocked / "d", "--n", "50", "--no-sav"],
    "interviews demo": lambda data, blocked: ["interviews", "demo", "--out", blocked / "iv"],
}


@pytest.mark.parametrize("command", list(UNDER_A_FILE))
def test_an_output_under_a_file_is_exit_3_naming_the_path(command, run_main, study_csv, a_file):
    ran = run_main(*UNDER_A_FILE[command](study_csv, a_file))
    assert ran.code == EXIT_BAD_INPUT, ran.stderr
    assert f"\nerror: {a_file}/" in "\n" + ran.stderr  # a line of its own, naming the path asked for
    assert "cannot write" in ran.stderr and f"{a_file} exists and is not a directory" in ran.stderr
    assert "Traceback" not in ran.stderr and ".tmp" not in ran.stderr  # never the temporary file's name


@pytest.mark.parametrize("steps, options", [
    (["tempfile.mkstemp"], []),
    (["os.link", "os.rename"], []),  # putting a new file in place (never over an existing one)
    (["os.replace"], ["--overwrite"]),  # replacing, when asked to
])
def test_permission_denied_when_writing_is_exit_3(steps, options, run_main, monkeypatch, study_csv, tmp_path):
    def denied(*args, **kwargs):
        raise PermissionError(13, "Permission denied", str(tmp_path))

    for step in steps:
        module, name = step.split(".")
        monkeypatch.setattr(f"fjernarbeid._io.{module}.{name}", denied)
    ran = run_main("weight", study_csv, "--out", tmp_path / "w.csv", *options)
    assert ran.code == EXIT_BAD_INPUT
    assert f"error: {tmp_path / 'w.csv'}: cannot write the file: Permission denied" in ran.stderr
    assert not list(tmp_path.iterdir())  # nothing half-written left behind


def test_a_report_over_its_input_is_refused(run_main, study_csv):
    before = study_csv.read_bytes()
    ran = run_main("report", study_csv, "--out", study_csv)
    assert ran.code == EXIT_BAD_INPUT
    assert f"{study_csv}: refusing to write over the input file" in ran.stderr
    assert study_csv.read_bytes() == before


# -- inputs that cannot be read -----------------------------------------------------------------------


READING = {
    "validate": lambda data, out: ["validate", data],
    "weight": lambda data, out: ["weight", data, "--out", out / "w.csv"],
    "tab": lambda data, out: ["tab", data, "q12"],
    "export": lambda data, out: ["export", data, "--to", out / "x.csv"],
    "report": lambda data, out: ["report", data, "--out", out / "rep"],
}


@pytest.mark.parametrize("command", list(READING))
def test_an_unreadable_input_is_exit_3_like_a_missing_one(command, run_main, monkeypatch, study_csv, tmp_path):
    from pathlib import Path

    real_open = Path.open

    def locked(self, *args, **kwargs):  # as `chmod 000` by another user (the tests may run as root)
        if self == study_csv:
            raise PermissionError(13, "Permission denied", str(self))
        return real_open(self, *args, **kwargs)

    monkeypatch.setattr(Path, "open", locked)
    ran = run_main(*READING[command](study_csv, tmp_path))
    assert ran.code == EXIT_BAD_INPUT, ran.stderr
    assert f"{study_csv}" in ran.stderr and "Permission denied" in ran.stderr
    assert list(tmp_path.iterdir()) == []


def test_an_input_the_program_did_not_expect_to_fail_still_gets_a_message(run_main, study_csv, tmp_path):
    # a directory given as the questionnaire: the operating system's error, named, exit 3
    ran = run_main("validate", study_csv, "--instrument", tmp_path)
    assert ran.code == EXIT_BAD_INPUT
    assert ran.stderr.startswith(f"error: {tmp_path}: ") and "Traceback" not in ran.stderr


# -- reference data -----------------------------------------------------------------------------------


@pytest.mark.parametrize("command", list(READING))
def test_a_refdata_directory_that_does_not_exist_is_exit_4_everywhere(command, run_main, study_csv, tmp_path):
    missing = tmp_path / "nosuchdir"
    ran = run_main(*READING[command](study_csv, tmp_path), "--refdata", missing)
    assert ran.code == EXIT_MISSING_REFDATA
    assert ran.stderr.strip() == f"error: reference-data directory {missing} does not exist"
    assert list(tmp_path.iterdir()) == []  # nothing written


def test_a_refdata_that_is_a_file_is_exit_4(run_main, study_csv, a_file):
    ran = run_main("validate", study_csv, "--refdata", a_file)
    assert ran.code == EXIT_MISSING_REFDATA
    assert f"reference-data directory {a_file} is not a directory" in ran.stderr


def test_a_missing_directory_from_the_environment_is_named_as_such(run_main, monkeypatch, study_csv, tmp_path):
    missing = tmp_path / "gone"
    monkeypatch.setenv("FJERNARBEID_REFDATA", str(missing))
    ran = run_main("validate", study_csv, "--format", "json")
    assert ran.code == EXIT_OK
    assert f"the reference-data directory {missing} does not exist" in ran.stdout
    assert "was found" not in ran.stdout


# -- a reader that stops reading ----------------------------------------------------------------------


@pytest.mark.parametrize("output", [[], ["--format", "json"]])
def test_a_closed_standard_output_ends_quietly_with_141(output, study_csv, tmp_path):
    # `fjernarbeid weight … | head -0`: the reading end is closed before anything is written
    with tempfile.TemporaryFile() as stderr:
        proc = subprocess.Popen([sys.executable, "-m", "fjernarbeid", "weight", study_csv, "--out",
                                 tmp_path / "w.csv", *output], stdout=subprocess.PIPE, stderr=stderr)
        proc.stdout.close()
        assert proc.wait(timeout=120) == EXIT_BROKEN_PIPE
        stderr.seek(0)
        assert stderr.read() == b""
    assert (tmp_path / "w.csv").stat().st_size > 0  # the file itself was written completely

"""``fjernarbeid validate``: text and JSON output, exit codes 0/1/2/3."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.data import read_survey, validate
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_INVALID_DATA, EXIT_OK, EXIT_USAGE
from fjernarbeid.refdata import RefData

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["validate", *map(str, args)], env={"COLUMNS": "200"})


@pytest.fixture
def good_file(tmp_path, write, valid_frame):
    return write(valid_frame, tmp_path / "good.csv", sep=";")


@pytest.fixture
def bad_file(tmp_path, write, valid_frame):
    frame = valid_frame.copy()
    frame.loc[0, "q12"] = 9
    frame.loc[[1, 2, 3], "q3"] = 0
    frame["vekt"] = 1
    return write(frame, tmp_path / "bad.csv")


def test_help():
    result = run("--help")
    assert result.exit_code == EXIT_OK
    for option in ("--instrument", "--mapping", "--refdata", "--format", "--max-show", "--sheet"):
        assert option in result.output


def test_a_valid_file_exits_0(good_file, refdata_dir):
    result = run(good_file, "--refdata", refdata_dir)
    assert result.exit_code == EXIT_OK, result.output
    assert "6 data rows (CSV, ';'-delimited, UTF-8)" in result.output
    assert "✓ no errors, 0 warning(s)" in result.output


def test_warnings_only_still_exit_0(good_file, tmp_path):
    empty = tmp_path / "refdata"
    empty.mkdir()
    result = run(good_file, "--refdata", empty)
    assert result.exit_code == EXIT_OK
    assert "postal_code_not_checked" in result.output


def test_errors_exit_1_with_a_summary_and_a_table(bad_file, refdata_dir):
    result = run(bad_file, "--refdata", refdata_dir, "--max-show", "2")
    assert result.exit_code == EXIT_INVALID_DATA
    out = result.output
    assert "✗ 4 error(s), 1 warning(s)" in out
    assert "household_size_range │     3" in out and "code_not_in_list     │     1" in out
    assert "q12 = 9 is not one of its codes (1-6)" in out
    assert "… and 3 more not shown" in out
    assert "'line' is the line number in the text file (the header is line 1)." in out


def test_json_lists_every_problem_exactly_as_the_library_does(bad_file, refdata_dir):
    result = run(bad_file, "--refdata", refdata_dir, "--format", "json", "--max-show", "1")
    assert result.exit_code == EXIT_INVALID_DATA
    printed = json.loads(result.stdout)
    expected = validate(read_survey(bad_file), refdata=RefData(refdata_dir)).to_dict()
    assert printed == expected
    assert len(printed["errors"]) == 4 and printed["errors"][0]["row"] == 2


def test_unreadable_input_exits_3_naming_the_file(tmp_path):
    empty = tmp_path / "empty.csv"
    empty.write_bytes(b"")
    for path in (empty, tmp_path / "missing.csv"):
        result = run(path)
        assert result.exit_code == EXIT_BAD_INPUT
        assert str(path) in result.output and "error:" in result.output


def test_a_bad_mapping_file_exits_3(good_file, tmp_path):
    mapping = tmp_path / "m.yaml"
    mapping.write_text("id: respondent\n")
    result = run(good_file, "--mapping", mapping)
    assert result.exit_code == EXIT_BAD_INPUT and "m.yaml" in result.output


# (a --refdata directory that does not exist is missing reference data, exit 4: tests/cli/test_errors.py)
@pytest.mark.parametrize("args", [["--format", "xml"], ["--max-show", "-1"], []])
def test_usage_errors_exit_2(good_file, args):
    result = run(*([good_file] if args else []), *args)
    assert result.exit_code == EXIT_USAGE

"""``fjernarbeid interviews``: messages that name what the user typed, and outputs of the right kind."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_INVALID_DATA, EXIT_USAGE

runner = CliRunner()


@pytest.fixture(scope="module")
def pseudonymised(tmp_path_factory):
    out = tmp_path_factory.mktemp("interviews")
    assert runner.invoke(app, ["interviews", "demo", "--out", str(out)]).exit_code == 0
    return out / "3_pseudonymisert"


def test_a_wrong_add_is_named_as_typed(pseudonymised, tmp_path):
    codings = tmp_path / "h.csv"
    result = runner.invoke(app, ["interviews", "code", str(pseudonymised), "--add", "X:999:tillit",
                                 "--add", "Informant_1:999:tillit", "--codings", str(codings), "--coder", "me"])
    assert result.exit_code == EXIT_INVALID_DATA
    assert "2 problem(s) in --add" in result.stderr
    assert "--add 'X:999:tillit': column interview: 'X' is not one of the interviews" in result.stderr
    assert "--add 'Informant_1:999:tillit': column turn: '999' is not a turn of Informant_1" in result.stderr
    assert "check.csv" not in result.stderr and "add.csv" not in result.stderr
    assert list(tmp_path.iterdir()) == []  # the codings file is not touched, and no scratch file is left


@pytest.mark.parametrize("files, suffix", [({"--qdpx": "project.txt"}, ".qdpx"),
                                           ({"--qdpx": "p.qdpx", "--qdc": "codebook.xml"}, ".qdc")])
def test_export_refuses_a_file_name_of_another_kind(files, suffix, pseudonymised, tmp_path):
    options = [item for option, name in files.items() for item in (option, str(tmp_path / name))]
    result = runner.invoke(app, ["interviews", "export", str(pseudonymised), *options])
    assert result.exit_code == EXIT_USAGE and f"must end in {suffix}" in result.output
    assert list(tmp_path.iterdir()) == []  # nothing written

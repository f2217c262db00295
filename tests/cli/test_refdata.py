"""``fjernarbeid refdata update`` and ``status`` (publishers replaced by recorded responses)."""

from __future__ import annotations

import json
import urllib.error

import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_MISSING_REFDATA, EXIT_USAGE
from fjernarbeid.refdata import update as upd

runner = CliRunner()


def run(*args: str):
    return runner.invoke(app, ["refdata", *args])


@pytest.fixture
def publishers(monkeypatch, fixtures_dir):
    """Answer each official URL with its recorded body (see tests/fixtures/refdata_http/README.md)."""
    folder = fixtures_dir / "refdata_http"
    bodies = [
        (upd.BRING_URL, "bring_postnummerregister-ansi.txt"),
        (f"{upd.KLASS_URL}/131/codesAt", "klass_131_codesAt.json"),
        (f"{upd.KLASS_URL}/128/codesAt", "klass_128_codesAt.json"),
        (f"{upd.KLASS_URL}/131/corresponds?targetClassificationId=104", "klass_131_corresponds_104.json"),
        (f"{upd.KLASS_URL}/131/corresponds?targetClassificationId=128", "klass_131_corresponds_128.json"),
        (f"{upd.STATBANK_URL}/07459/", "ssb_07459_jsonstat2.json"),
    ]
    failing: set[str] = set()

    def http(url, *, data=None, headers=None):
        for prefix, name in bodies:
            if url.startswith(prefix):
                if prefix in failing:
                    raise urllib.error.URLError("connection refused")
                return (folder / name).read_bytes()
        raise AssertionError(url)

    monkeypatch.setattr(upd, "_http", http)
    return failing


@pytest.mark.parametrize("args", [[], ["update"], ["status"]])
def test_every_command_has_help(args):
    result = run(*args, "--help")
    assert result.exit_code == 0 and "Usage:" in result.output


def test_update_then_status(publishers, tmp_path):
    result = run("update", "--dir", str(tmp_path), "--date", "2025-05-01")
    assert result.exit_code == 0, result.output
    assert "kommuner_2025-05-01.csv" in result.output and "SOURCES.json" in result.output
    assert json.loads((tmp_path / "SOURCES.json").read_text("utf-8"))["date"] == "2025-05-01"
    status = run("status", "--refdata", str(tmp_path))
    assert status.exit_code == 0, status.output
    assert "→ --refdata" in status.output
    assert "✓ postal_codes" in status.output and "postnummerregister_2025-05-01.txt" in status.output
    assert "retrieved" in status.output


def test_a_failed_download_exits_4_and_writes_nothing(publishers, tmp_path):
    publishers.add(f"{upd.STATBANK_URL}/07459/")
    result = run("update", "--dir", str(tmp_path / "new"))
    assert result.exit_code == EXIT_MISSING_REFDATA
    assert "could not download SSB StatBank table 07459" in result.stderr and "connection refused" in result.stderr
    assert not (tmp_path / "new").exists()


def test_bad_usage(tmp_path):
    assert run("update", "--date", "1 May").exit_code == EXIT_USAGE
    (tmp_path / "file").write_text("x")
    assert run("update", "--dir", str(tmp_path / "file")).exit_code == EXIT_USAGE


def test_status_of_a_directory_without_registers_exits_4(tmp_path):
    result = run("status", "--refdata", str(tmp_path))
    assert result.exit_code == EXIT_MISSING_REFDATA
    assert "✗ postal_codes" in result.output and "fjernarbeid refdata update" in result.output


def test_status_of_the_shared_reference_data(refdata_dir):
    result = run("status", "--refdata", str(refdata_dir))
    assert result.exit_code == 0
    assert "kommuner_2024.csv" in result.output and "ssb_employed_2024q4.csv" in result.output


def test_status_of_the_demo_reference_data_is_complete(tmp_path):
    """The demo writes the registers it needs; the population by sex and age comes from the shipped
    summary, so status says so and exits 0 rather than calling it missing."""
    made = runner.invoke(app, ["demo", "--out", str(tmp_path / "demo"), "--n", "20"])
    assert made.exit_code == 0, made.output
    result = run("status", "--refdata", str(tmp_path / "demo" / "refdata"))
    assert result.exit_code == 0, result.output
    assert "population      not downloaded; the shipped summary is used" in result.output
    assert "missing" not in result.output


def test_update_takes_refdata_like_status(publishers, tmp_path):
    result = run("update", "--refdata", str(tmp_path), "--date", "2025-05-01")
    assert result.exit_code == 0, result.output
    assert run("status", "--refdata", str(tmp_path)).exit_code == 0
    assert "--refdata" in run("update", "--help").stdout


def test_status_help_says_a_register_with_a_shipped_summary_is_not_missing():
    """On the demo's directory the population registers are not downloaded and status exits 0 (the shipped
    summary is used); the help says which registers make it exit 4."""
    text = " ".join(run("status", "--help").output.split())
    assert "shipped summary" in text and "4 a register without one is missing" in text

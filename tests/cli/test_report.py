"""`fjernarbeid report` as a user runs it: demo in, report.html + results.json out; bad data, nothing out."""

import hashlib
import json
import subprocess
import sys

import pytest


def run(*args, cwd=None):
    return subprocess.run([sys.executable, "-m", "fjernarbeid", *map(str, args)], capture_output=True, text=True,
                          cwd=cwd, timeout=300)


@pytest.fixture(scope="module")
def demo_dir(tmp_path_factory):
    out = tmp_path_factory.mktemp("demo")
    assert run("demo", "--out", out).returncode == 0
    return out


def test_report_on_the_demo(demo_dir, tmp_path, refdata_dir):
    survey = demo_dir / "demo_survey.csv"
    before = hashlib.sha256(survey.read_bytes()).hexdigest()
    res = run("report", survey, "--dispositions", demo_dir / "demo_dispositions.csv", "--refdata", refdata_dir,
              "--out", tmp_path / "rep", "--lang", "en")
    assert res.returncode == 0, res.stderr
    assert "30 agree with the report, 0 differ, 0 not computed" in res.stderr
    doc = json.loads((tmp_path / "rep" / "results.json").read_text("utf-8"))
    assert doc["settings"]["lang"] == "en" and doc["fieldwork"]["contacts"] == 1074
    assert '<html lang="en">' in (tmp_path / "rep" / "report.html").read_text("utf-8")
    assert hashlib.sha256(survey.read_bytes()).hexdigest() == before  # the input is never modified


def test_report_refuses_invalid_data_and_writes_nothing(demo_dir, tmp_path):
    lines = (demo_dir / "demo_survey.csv").read_text("utf-8").splitlines()
    header = lines[0].split(",")
    row = lines[1].split(",")
    row[header.index("q12")] = "9"  # not a code of q12
    bad = tmp_path / "bad.csv"
    bad.write_text("\n".join([lines[0], ",".join(row), *lines[2:]]) + "\n", encoding="utf-8")
    res = run("report", bad, "--out", tmp_path / "out")
    assert res.returncode == 1
    assert "validation error" in res.stderr and "q12" in res.stderr
    assert not (tmp_path / "out").exists()


def test_report_json_only_and_unknown_format(demo_dir, tmp_path, refdata_dir):
    res = run("report", demo_dir / "demo_survey.csv", "--refdata", refdata_dir, "--out", tmp_path / "j", "--format", "json")
    assert res.returncode == 0, res.stderr
    assert sorted(p.name for p in (tmp_path / "j").iterdir()) == ["results.json"]
    doc = json.loads((tmp_path / "j" / "results.json").read_text("utf-8"))
    p01 = next(f for f in doc["findings"] if f["id"] == "P01")
    assert p01["status"] == "not_computed" and "disposition log" in p01["reason"]
    res = run("report", demo_dir / "demo_survey.csv", "--format", "pptx")
    assert res.returncode == 2 and "choose from" in res.stderr


def test_missing_file_exits_3(tmp_path):
    res = run("report", tmp_path / "nope.csv")
    assert res.returncode == 3
    assert "nope.csv" in res.stderr

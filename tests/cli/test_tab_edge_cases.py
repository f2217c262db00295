"""tab on the edges a reviewer found: what JSON readers rely on, nets of text that looks like numbers, nets
within --where, keyword column names, and messages that name the option once."""

from __future__ import annotations

import json

from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_OK, EXIT_USAGE

runner = CliRunner()


def tab(*args):
    return runner.invoke(app, ["tab", *map(str, args)])


def test_a_mean_has_no_category_and_no_label(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("g,x\nA,1\nA,2\nB,3\nB,5\n", encoding="utf-8")
    out = tab(path, "x", "--mean", "--by", "g", "--format", "json")
    assert out.exit_code == EXIT_OK, out.output
    rows = json.loads(out.stdout)["estimates"]
    assert [(r["category"], r["label"]) for r in rows] == [(None, None), (None, None)]


def test_a_net_of_text_categories_that_look_like_numbers_keeps_them_as_written(tmp_path):
    path = tmp_path / "lead.csv"
    path.write_text("k\n" + "01\n" * 6 + "02\n" * 6 + "X\n" * 8, encoding="utf-8")
    out = tab(path, "k", "--net", "A=01,02", "--format", "json")
    assert out.exit_code == EXIT_OK, out.output
    net = next(r for r in json.loads(out.stdout)["nets"] if r["label"] == "A")
    assert net["estimate"] == 12 / 20


def test_a_net_within_where_may_name_a_category_absent_from_the_domain(tmp_path):
    # R's svyciprop(~I(k %in% c("E","H")), subset(des, k != "H")) counts H as 0, it does not fail
    path = tmp_path / "d.csv"
    path.write_text("k\n" + "E\n" * 6 + "H\n" * 6 + "M\n" * 8, encoding="utf-8")
    out = tab(path, "k", "--net", "EH=E,H", "--where", "k != 'H'", "--format", "json")
    assert out.exit_code == EXIT_OK, out.output
    net = next(r for r in json.loads(out.stdout)["nets"] if r["label"] == "EH")
    assert net["estimate"] == 6 / 14


def test_a_column_named_like_a_keyword_is_written_in_backticks_and_the_error_says_so(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("class,x\n1,2\n2,3\n1,5\n", encoding="utf-8")
    bad = tab(path, "x", "--mean", "--where", "class == 1")
    assert bad.exit_code == EXIT_USAGE and "`class`" in " ".join(bad.output.split())
    good = tab(path, "x", "--mean", "--where", "`class` == 1", "--min-n", "1", "--format", "json")
    assert good.exit_code == EXIT_OK, good.output
    assert json.loads(good.stdout)["estimates"][0]["estimate"] == 3.5


def test_a_backticked_name_followed_by_a_dot_is_one_name(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("y.z,x\n1,2\n3,4\n", encoding="utf-8")
    out = tab(path, "x", "--mean", "--where", "`y`.z > 2", "--min-n", "1", "--format", "json")
    assert out.exit_code == EXIT_OK, out.output
    assert json.loads(out.stdout)["estimates"][0]["estimate"] == 4


def test_an_empty_by_asks_for_a_column_name(tmp_path):
    path = tmp_path / "d.csv"
    path.write_text("g,x\nA,1\nB,2\n", encoding="utf-8")
    out = tab(path, "x", "--mean", "--by", "")
    assert out.exit_code == EXIT_USAGE and "--by needs a column name" in " ".join(out.output.split())


def test_a_comparison_split_to_a_narrow_terminal_names_both_groups_in_every_part(tmp_path):
    # each part of the table repeats the pair, so that its t, df and p can be matched to it
    import numpy as np

    rng = np.random.default_rng(3)
    path = tmp_path / "d.csv"
    rows = [f"{g},{rng.normal(10 * i, 3):.3f}" for i, g in enumerate("ABC") for _ in range(20)]
    path.write_text("g,x\n" + "\n".join(rows) + "\n", encoding="utf-8")
    out = runner.invoke(app, ["tab", str(path), "x", "--mean", "--by", "g", "--compare", "--lang", "en"],
                        env={"COLUMNS": "50"})
    assert out.exit_code == EXIT_OK, out.output
    parts = out.output.split("Differences between")[1].split("Part ")[1:]
    assert len(parts) > 1
    for part in parts:
        header = next(line for line in part.splitlines() if "┃" in line and "Second" in line)
        assert "Second" in header and "First" in header

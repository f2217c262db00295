"""``fjernarbeid tab`` as researchers use it: several variables per run, the "I alt" column and row, nets,
small-cell suppression that cannot be undone by subtraction, labels and one language, and tables that
split into parts in an 80-column terminal instead of cutting numbers.

Every run sets the terminal's width itself (COLUMNS), so no test depends on the terminal it runs in.
"""

from __future__ import annotations

import json
import re

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_OK, EXIT_USAGE

runner = CliRunner()


def tab(*args, columns: int = 200):
    return runner.invoke(app, ["tab", *map(str, args)], env={"COLUMNS": str(columns)})


def tab_json(*args):
    result = tab(*args, "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def demo_csv(study_csv):
    return study_csv


# -- several variables -------------------------------------------------------------------------------------


def test_several_variables_give_one_table_each_and_a_json_list(demo_csv):
    out = tab_json(demo_csv, "q23", "q12", "q13")
    assert isinstance(out, list) and [r["variable"] for r in out] == ["q23", "q12", "q13"]
    single = tab_json(demo_csv, "q12")
    assert isinstance(single, dict)
    assert out[1]["estimates"] == single["estimates"]  # the same numbers as a run of its own
    text = tab(demo_csv, "q23", "q12").stdout
    assert "(q23)" in text and "(q12)" in text
    assert text.index("(q23)") < text.index("(q12)")


def test_a_variable_named_twice_is_estimated_once(demo_csv):
    assert isinstance(tab_json(demo_csv, "q12", "q12"), dict)


# -- the total column, total row and base row ---------------------------------------------------------------


def test_the_crosstab_has_a_total_column_that_is_the_whole_table_s_distribution(demo_csv):
    out = tab_json(demo_csv, "q23", "--crosstab", "q207", "--min-n", "0")
    totals = {r["category"]: r for r in out["totals"]}
    assert sum(r["estimate"] for r in totals.values()) == pytest.approx(1.0)
    # unweighted: the total share is the count in the category over all who answered both questions
    for code, row in totals.items():
        cells = [e["n_cell"] for e in out["estimates"] if e["category"] == code]
        assert row["n_cell"] == sum(cells)
        assert row["estimate"] == pytest.approx(row["n_cell"] / row["n_unweighted"])
    bases = {e["group"]["q207"]: e["n_unweighted"] for e in out["estimates"]}
    assert next(iter(totals.values()))["n_unweighted"] == sum(bases.values())


def test_the_text_table_has_i_alt_and_a_base_row_with_the_column_bases(demo_csv):
    out = tab_json(demo_csv, "q23", "--crosstab", "q207")
    text = tab(demo_csv, "q23", "--crosstab", "q207").stdout
    lines = text.splitlines()
    header = next(line for line in lines if "Mann" in line)
    assert header.rstrip().endswith("I alt")
    total_row = next(line for line in lines if line.lstrip().startswith("I alt"))
    assert total_row.count("100,0") == 3  # Mann, Kvinne, I alt
    base_row = next(line for line in lines if line.lstrip().startswith("Grunnlag (n)"))
    bases = [int(x.replace("\xa0", "")) for x in re.findall(r"\d[\d\xa0]*", base_row)]
    by_sex = list(dict.fromkeys(e["n_unweighted"] for e in out["estimates"]))
    assert bases == by_sex + [sum(by_sex)]


def test_a_share_table_ends_with_its_total_and_base(demo_csv):
    lines = tab(demo_csv, "q12").stdout.splitlines()
    total = next(line for line in lines if line.lstrip().startswith("I alt"))
    assert "100,0" in total


# -- nets ---------------------------------------------------------------------------------------------------


def test_an_answer_scale_gets_its_top_2_and_bottom_2(demo_csv, demo_frame):
    out = tab_json(demo_csv, "q23")
    nets = {n["label"]: n for n in out["nets"]}
    assert set(nets) == {"Topp 2 (1–2)", "Bunn 2 (4–5)"}
    shares = {e["category"]: e["estimate"] for e in out["estimates"]}
    assert nets["Topp 2 (1–2)"]["estimate"] == pytest.approx(shares[1] + shares[2], rel=1e-12)
    assert nets["Bunn 2 (4–5)"]["estimate"] == pytest.approx(shares[4] + shares[5], rel=1e-12)
    q23 = pd.to_numeric(demo_frame["q23"], errors="coerce")
    assert nets["Topp 2 (1–2)"]["n_cell"] == int(q23.isin([1, 2]).sum())
    assert "nets" not in tab_json(demo_csv, "q23", "--no-auto-nets")
    assert "nets" not in tab_json(demo_csv, "q207")  # a nominal question has no top-2


def test_own_nets_are_labelled_and_in_every_column(demo_csv):
    out = tab_json(demo_csv, "q23", "--crosstab", "q207", "--net", "Attraktivt=1,2,3", "--net", "4-5",
                   "--no-auto-nets")
    labels = list(dict.fromkeys(n["label"] for n in out["nets"]))
    assert labels == ["Attraktivt", "4–5"]
    for net in out["nets"]:
        members = [e for e in out["estimates"] if e["category"] in net["codes"] and e["group"] == net["group"]] \
            if net["group"] else [t for t in out["totals"] if t["category"] in net["codes"]]
        assert net["estimate"] == pytest.approx(sum(m["estimate"] for m in members), rel=1e-12)
    text = tab(demo_csv, "q23", "--crosstab", "q207", "--net", "Attraktivt=1,2,3").stdout
    assert "Attraktivt" in text and "Topp 2 (1–2)" in text


@pytest.mark.parametrize("net, problem", [
    ("Enig=1,9", "no answer code 9"),
    ("Enig=", "no codes"),
    ("Enig=a,b", "is not a code"),
    ("Enig=5-4", "runs backwards"),
])
def test_a_bad_net_is_a_usage_error_that_says_why(demo_csv, net, problem):
    result = tab(demo_csv, "q23", "--net", net)
    assert result.exit_code == EXIT_USAGE
    assert problem in " ".join(result.stderr.split())


def test_a_net_of_a_text_column_s_categories(fixtures_dir):
    """--net "EM=E,M" on a text column (R: svyciprop(~I(stype %in% c("E", "M")), design)); its share is the sum
    of the two categories' shares, in every group of --by too."""
    apistrat = fixtures_dir / "api" / "apistrat.csv"
    design = ("--strata", "stype", "--fpc", "fpc", "--min-n", "0")
    out = tab_json(apistrat, "stype", "--net", "EM=E,M", *design)
    shares = {e["category"]: e["estimate"] for e in out["estimates"]}
    (net,) = out["nets"]
    assert (net["label"], net["codes"], net["n_cell"]) == ("EM", ["E", "M"], 150)
    assert net["estimate"] == pytest.approx(shares["E"] + shares["M"], rel=1e-12)
    by = tab_json(apistrat, "awards", "--net", "Yes", "--by", "stype", *design)
    assert [n["group"]["stype"] for n in by["nets"]] == ["E", "H", "M"]
    yes = {e["group"]["stype"]: e["estimate"] for e in by["estimates"] if e["category"] == "Yes"}
    assert [n["estimate"] for n in by["nets"]] == pytest.approx([yes["E"], yes["H"], yes["M"]], rel=1e-12)


@pytest.mark.parametrize("variable, net, problem", [
    ("stype", "EX=E,X", "stype of {file} has no category 'X' (its categories: E, H, M)"),
    ("api00", "EM=E,M", "'E' is not a code of api00 of {file}, which holds numbers"),
])
def test_a_net_of_a_category_the_column_lacks_names_the_column_and_its_categories(fixtures_dir, variable, net,
                                                                                   problem):
    apistrat = fixtures_dir / "api" / "apistrat.csv"
    result = tab(apistrat, variable, "--net", net, "--strata", "stype", "--fpc", "fpc")
    assert result.exit_code == EXIT_USAGE
    assert problem.format(file=apistrat) in " ".join(result.stderr.split())


def test_a_net_of_a_mean_is_refused(demo_csv):
    assert tab(demo_csv, "q23", "--mean", "--net", "Enig=1,2").exit_code == EXIT_USAGE


def test_nets_agree_with_r_svyciprop(fixtures_dir):
    """tests/fixtures/r/nets.R: svyciprop(~I(x %in% codes)) on R's api data, stratified and clustered."""
    ref = json.loads((fixtures_dir / "r" / "nets.json").read_text())
    api = fixtures_dir / "r" / "data"

    def listed(x):
        return x if isinstance(x, list) else [x]

    assert len(ref["cases"]) == 5  # the last: a net of a text column's categories, stype E or M
    for case in ref["cases"]:
        args = [api / case["file"], case["variable"], "--weight", "pw", "--fpc", "fpc", "--min-n", "0",
                "--net", f"N={','.join(map(str, case['codes']))}", "--ci", case["method"]]
        args += ["--strata", case["strata"]] if case.get("strata") else []
        args += ["--cluster", case["cluster"]] if case.get("cluster") else []
        args += ["--by", case["by"]] if case.get("by") else []
        out = tab_json(*args)
        nets = [n for n in out["nets"] if n["label"] == "N"]
        if case.get("by"):
            assert [n["group"][case["by"]] for n in nets] == case["groups"]
        assert [n["estimate"] for n in nets] == pytest.approx(listed(case["estimate"]), rel=1e-8), case["name"]
        assert [n["se"] for n in nets] == pytest.approx(listed(case["se"]), rel=1e-6), case["name"]
        assert [n["ci_low"] for n in nets] == pytest.approx(listed(case["ci_low"]), rel=1e-5), case["name"]
        assert [n["ci_high"] for n in nets] == pytest.approx(listed(case["ci_high"]), rel=1e-5), case["name"]


# -- small cells ----------------------------------------------------------------------------------------------


@pytest.fixture
def small_cells(tmp_path):
    """120 respondents: a category 'Annet' of 3 in one group, so the small cell and its complement hide."""
    rows = ([("A", 1)] * 40 + [("A", 2)] * 17 + [("A", 3)] * 3
            + [("B", 1)] * 30 + [("B", 2)] * 22 + [("B", 3)] * 8)
    frame = pd.DataFrame(rows, columns=["group", "answer"])
    frame["id"] = np.arange(1, len(frame) + 1)
    path = tmp_path / "small.csv"
    frame.to_csv(path, index=False)
    return path


def test_a_small_cell_is_hidden_with_a_complement_in_its_column_and_row(small_cells):
    out = tab_json(small_cells, "answer", "--crosstab", "group")
    hidden = {(e["group"]["group"], int(e["category"])) for e in out["estimates"] if e["suppressed"]}
    # A/3 has 3 (< 5): hidden; its column then hides its smallest other cell (A/2, 17); the rows of 3 and 2
    # add up to their printed totals, so one more cell in each (B/3, B/2) — no cell is alone in any margin
    assert hidden == {("A", 3), ("A", 2), ("B", 3), ("B", 2)}
    for e in out["estimates"]:
        if e["suppressed"]:
            assert e["estimate"] is None and e["se"] is None and e["n_cell"] is None
    assert not any(t["suppressed"] for t in out["totals"])
    assert out["suppressed_cells"] == 4


def test_no_hidden_cell_can_be_worked_out_from_the_printed_margins(small_cells):
    """Every column and row of counts that has a hidden cell has at least two."""
    out = tab_json(small_cells, "answer", "--crosstab", "group")
    hidden = [(e["group"]["group"], e["category"]) for e in out["estimates"] if e["suppressed"]]
    for g in {g for g, _ in hidden}:
        assert sum(1 for h in hidden if h[0] == g) != 1
    for c in {c for _, c in hidden}:
        assert sum(1 for h in hidden if h[1] == c) + any(t["suppressed"] for t in out["totals"]
                                                        if t["category"] == c) != 1


def test_min_n_zero_hides_nothing_and_a_lower_threshold_hides_less(small_cells):
    assert tab_json(small_cells, "answer", "--crosstab", "group", "--min-n", "0")["suppressed_cells"] == 0
    assert tab_json(small_cells, "answer", "--crosstab", "group", "--min-n", "3")["suppressed_cells"] == 0


def test_the_text_shows_hidden_cells_as_a_colon_and_says_why(small_cells):
    text = tab(small_cells, "answer", "--crosstab", "group").stdout
    rows = [line for line in text.splitlines() if line.lstrip().startswith(("2 ", "3 "))]
    assert len(rows) == 2 and all(line.count(" : ") >= 2 for line in rows)
    assert "Skjult: færre enn 5 svar" in " ".join(text.split())
    assert "(2,1–" not in text  # no interval of a hidden cell


def test_a_table_by_group_hides_the_small_cell_and_the_next_smallest_in_its_group(small_cells):
    out = tab_json(small_cells, "answer", "--by", "group")
    hidden = {(e["group"]["group"], int(e["category"])) for e in out["estimates"] if e["suppressed"]}
    assert hidden == {("A", 3), ("A", 2)}  # group B's smallest cell has 8


def test_a_mean_of_a_small_group_is_hidden(small_cells, tmp_path):
    frame = pd.read_csv(small_cells)
    frame["group"] = np.where(frame["id"] <= 4, "C", frame["group"])
    frame.to_csv(tmp_path / "g.csv", index=False)
    out = tab_json(tmp_path / "g.csv", "answer", "--mean", "--by", "group")
    small = [e for e in out["estimates"] if e["group"]["group"] == "C"][0]
    assert small["suppressed"] and small["estimate"] is None and small["n_unweighted"] == 4


def test_report_and_tab_share_the_threshold():
    from fjernarbeid.cli._options import MIN_CELL

    assert MIN_CELL == 5
    for command in ("tab", "report"):
        help_text = " ".join(runner.invoke(app, [command, "--help"], env={"COLUMNS": "200"}).stdout.split())
        assert "[default: 5]" in help_text


# -- one language, labels, p-values --------------------------------------------------------------------------


@pytest.mark.parametrize("lang, words", [
    ("nb", ["Svar", "I alt", "Grunnlag (n)", "Topp 2 (1–2)", "Rao–Scotts test av uavhengighet", "Utelatt"]),
    ("nn", ["Svar", "I alt", "Grunnlag (n)", "Botn 2 (4–5)", "Rao–Scott-testen av uavhengnad", "Utelate"]),
    ("en", ["Answer", "Total", "Base (n)", "Bottom 2 (4–5)", "Rao–Scott test of independence", "Left out"]),
])
def test_the_whole_output_is_in_one_language(demo_csv, lang, words):
    text = " ".join(tab(demo_csv, "q23", "--crosstab", "q207", "--lang", lang).stdout.split())
    for word in words:
        assert word in text, word
    english = ["within each", "respondents", "left out", "weighted base", "test of independence", "Total"]
    if lang != "en":
        assert not [w for w in english if w in text]


def test_questions_and_categories_are_shown_by_their_labels(demo_csv, instrument):
    text = tab(demo_csv, "q23", "--crosstab", "q207").stdout
    assert instrument["q23"].label("nb") in " ".join(text.split())
    for label in instrument["q207"].code_labels("nb").values():
        assert label in text
    assert "q207" not in text.replace("(q207)", "")  # the column variable only as its label


def test_p_values_are_never_in_e_notation(fixtures_dir):
    apistrat = fixtures_dir / "api" / "apistrat.csv"
    text = tab(apistrat, "awards", "--crosstab", "stype", "--weight", "pw", "--strata", "stype", "--fpc", "fpc")
    assert "p < 0,001" in text.stdout and not re.search(r"\de-\d", text.stdout)


# -- an 80-column terminal ----------------------------------------------------------------------------------


def _numbers(text: str) -> list[str]:
    """Every number of the output, but the parts' own 'Del 1 av 2' lines."""
    text = "\n".join(line for line in text.splitlines() if not re.fullmatch(r"Del \d+ av \d+", line.strip()))
    return re.findall(r"\d+(?:[\xa0]\d{3})*(?:,\d+)?", text)


@pytest.mark.parametrize("args", [
    ("q23", "--crosstab", "q1"),
    ("q5", "--crosstab", "q207"),
    ("q23", "--crosstab", "age_group"),
    ("q23", "--by", "q207"),
    ("q12", "q13"),
])
def test_an_80_column_terminal_gets_every_number_whole(demo_csv, args):
    narrow = tab(demo_csv, *args, columns=80)
    wide = tab(demo_csv, *args, columns=250)
    assert narrow.exit_code == EXIT_OK
    assert max(len(line) for line in narrow.stdout.splitlines()) <= 80
    assert "…" not in narrow.stdout
    # the same numbers, whole, whatever the width (a table in parts, a label wrapped)
    # (a label with a number in it, "Topp 2 (1–2)", is repeated in every part: integers compared as a set)
    decimals = [x for x in _numbers(wide.stdout) if "," in x]
    assert len(decimals) > 10
    assert sorted(x for x in _numbers(narrow.stdout) if "," in x) == sorted(decimals)
    assert set(_numbers(narrow.stdout)) == set(_numbers(wide.stdout))


def test_a_wide_crosstab_is_printed_in_parts_that_repeat_the_labels(demo_csv):
    text = tab(demo_csv, "q23", "--crosstab", "age_group", columns=80).stdout
    parts = re.findall(r"Del (\d) av (\d)", text)
    assert len(parts) >= 2 and parts[0] == ("1", parts[0][1]) and len(parts) == int(parts[0][1])
    assert text.count("Svært attraktivt") == len(parts)  # the labels again in every part
    assert max(len(line) for line in text.splitlines()) <= 80


# -- multiple choice ------------------------------------------------------------------------------------------


def test_multiple_choice_hides_rare_choices_and_refuses_a_net(fixtures_dir):
    study = fixtures_dir / "studies" / "hardanger_remote"
    common = (study / "kobo_export.csv", "utfordringar", "--instrument", study / "kobo_form.xlsx", "--completes-only")
    shown = tab_json(*common, "--min-n", "0")["estimates"]
    hidden = tab_json(*common, "--min-n", "20")["estimates"]
    rare = [e["category"] for e in shown if 0 < e["n_chosen"] < 20]
    assert rare and [e["category"] for e in hidden if e["suppressed"]] == rare
    assert all(e["estimate"] is None for e in hidden if e["suppressed"])
    refused = tab(*common, "--net", "A=1,2")
    assert refused.exit_code == EXIT_USAGE and "multiple-choice" in " ".join(refused.stderr.split())


def test_a_weighted_base_in_the_thousands_has_no_decimals(demo_csv):
    """'vektet grunnlag 1 333 762,3' claims a precision no weighted count has; a base of thousands is whole."""
    text = " ".join(tab(demo_csv, "q23", "--by", "q207", "--study-weighting").stdout.split())
    bases = re.findall(r"vektet grunnlag ([\d\u00a0 ,]+),", text)
    assert bases and all("," not in b for b in bases), bases

"""``fjernarbeid tab``: estimates from any data file, checked against R's survey fixtures."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.errors import EXIT_BAD_INPUT, EXIT_IMPOSSIBLE, EXIT_INVALID_DATA, EXIT_OK, EXIT_USAGE

runner = CliRunner()
SE = 1e-4


def tab(*args: str):
    return runner.invoke(app, ["tab", *map(str, args)])


def tab_json(*args: str) -> dict:
    result = tab(*args, "--format", "json")
    assert result.exit_code == EXIT_OK, result.output
    return json.loads(result.stdout)


@pytest.fixture(scope="module")
def R(fixtures_dir):
    return json.loads((fixtures_dir / "r" / "estimation.json").read_text())


@pytest.fixture(scope="module")
def apistrat(fixtures_dir):
    return fixtures_dir / "api" / "apistrat.csv"


@pytest.fixture(scope="module")
def apiclus1(fixtures_dir):
    return fixtures_dir / "api" / "apiclus1.csv"


STRAT = ("--weight", "pw", "--strata", "stype", "--fpc", "fpc")
CLUS = ("--weight", "pw", "--cluster", "dnum", "--fpc", "fpc")


def test_shares_with_logit_and_beta_intervals(apistrat, R):
    for method in ("logit", "beta"):
        out = tab_json(apistrat, "awards", *STRAT, "--ci", method)
        yes = [e for e in out["estimates"] if e["category"] == "Yes"][0]
        ref = R["ciprop"]["strat_awards"]
        assert yes["estimate"] == pytest.approx(ref[method]["estimate"], rel=1e-6)
        assert yes["se"] == pytest.approx(ref["se"], rel=SE)
        assert [yes["ci_low"], yes["ci_high"]] == pytest.approx(ref[method]["ci"], rel=SE)
        assert yes["df"] == 197 and out["ci_method"] == method


def test_mean_by_group_in_a_cluster_sample(apiclus1, R):
    out = tab_json(apiclus1, "api00", "--mean", "--by", "stype", *CLUS)
    ref = R["clus_by_mean"]
    assert [e["group"]["stype"] for e in out["estimates"]] == ref["groups"]
    np.testing.assert_allclose([e["estimate"] for e in out["estimates"]], ref["estimate"], rtol=1e-6)
    np.testing.assert_allclose([e["se"] for e in out["estimates"]], ref["se"], rtol=SE)
    np.testing.assert_allclose([e["deff"] for e in out["estimates"]], ref["deff"], rtol=SE)


def test_total_with_t_interval(apistrat, R):
    out = tab_json(apistrat, "enroll", "--total", *STRAT)
    (e,) = out["estimates"]
    ref = R["strat_total_enroll"]
    assert (e["estimate"], e["se"]) == pytest.approx((ref["estimate"], ref["se"]), rel=SE)
    assert (e["ci_low"], e["ci_high"]) == pytest.approx((ref["ci_low"], ref["ci_high"]), rel=SE)


def test_crosstab_with_the_rao_scott_test(apiclus1, fixtures_dir):
    out = tab_json(apiclus1, "comp.imp", "--crosstab", "stype", *CLUS)
    ref = next(c for c in json.loads((fixtures_dir / "r" / "association.json").read_text())["chisq"]
               if c["design"] == "clus1" and c["row"] == "comp.imp" and not c["domain"])
    assert out["test"]["statistic"] == pytest.approx(ref["tests"]["F"]["statistic"], rel=SE)
    assert out["test"]["p_value"] == pytest.approx(ref["tests"]["F"]["p"], rel=SE)
    assert len(out["estimates"]) == 6  # 2 categories × 3 school types
    text = tab(apiclus1, "comp.imp", "--crosstab", "stype", *CLUS)
    assert "Rao–Scotts test av uavhengighet: F = 3,545" in text.stdout  # bokmål by default
    english = tab(apiclus1, "comp.imp", "--crosstab", "stype", *CLUS, "--lang", "en")
    assert "Rao–Scott test of independence: F = 3.545" in english.stdout


def test_text_output_is_a_table(apistrat):
    result = tab(apistrat, "awards", *STRAT, "--lang", "en")
    assert result.exit_code == EXIT_OK
    assert "95% CI (logit)" in result.stdout and "Yes" in result.stdout
    assert "n = 200 respondents" in result.stdout
    bokmaal = tab(apistrat, "awards", *STRAT)
    assert "95 % KI (logit)" in bokmaal.stdout and "n = 200 respondenter" in bokmaal.stdout


def test_a_weight_column_is_used_by_default(tmp_path, apistrat):
    frame = pd.read_csv(apistrat).rename(columns={"pw": "weight"})
    frame.to_csv(tmp_path / "w.csv", index=False)
    out = tab_json(tmp_path / "w.csv", "api00", "--mean", "--strata", "stype", "--fpc", "fpc")
    assert out["weights"] == "weight"
    unweighted = tab_json(apistrat, "api00", "--mean")
    assert unweighted["weights"] is None
    assert unweighted["estimates"][0]["estimate"] == pytest.approx(pd.read_csv(apistrat)["api00"].mean())


def test_study_questions_get_labels_and_not_sure_is_left_out(tmp_path):
    frame = pd.DataFrame({"id": range(1, 9), "q13": [1, 1, 2, 3, 4, 4, 2, None], "q207": [1, 2] * 4})
    frame.to_csv(tmp_path / "s.csv", index=False)
    out = tab_json(tmp_path / "s.csv", "q13")
    assert [e["category"] for e in out["estimates"]] == [1, 2, 3]  # 4 = "not sure"
    assert out["left_out"] == {"not_sure": 2, "skipped": 0, "empty": 1}
    assert all(e["label"] for e in out["estimates"])
    kept = tab_json(tmp_path / "s.csv", "q13", "--include-missing")
    assert [e["category"] for e in kept["estimates"]] == [1, 2, 3, 4, None]


# -- errors -----------------------------------------------------------------------------------------


def test_unknown_column_is_a_usage_error_with_a_suggestion(apistrat):
    result = tab(apistrat, "api0", "--mean")
    assert result.exit_code == EXIT_USAGE
    assert "VAR column 'api0' is not in the file; did you mean 'api00'" in result.stderr


def test_text_where_a_number_is_needed_names_the_line(tmp_path):
    pd.DataFrame({"id": [1, 2, 3], "x": ["1", "to", "3"]}).to_csv(tmp_path / "t.csv", index=False)
    result = tab(tmp_path / "t.csv", "x", "--mean")
    assert result.exit_code == EXIT_INVALID_DATA
    assert "column 'x' must be numeric" in result.stderr and "line 3 (id 2)" in result.stderr


@pytest.mark.parametrize("bad", [0, -1, None])
def test_bad_weights_name_the_column_and_line(tmp_path, bad):
    pd.DataFrame({"id": [1, 2, 3], "x": [1, 2, 3], "w": [1, bad, 2]}).to_csv(tmp_path / "w.csv", index=False)
    result = tab(tmp_path / "w.csv", "x", "--mean", "--weight", "w")
    assert result.exit_code == EXIT_INVALID_DATA
    assert "weight column 'w' is missing, zero or negative at line 3 (id 2)" in result.stderr


def test_a_lonely_psu_is_impossible_unless_told_what_to_do(tmp_path, apistrat):
    frame = pd.read_csv(apistrat)
    one_high = pd.concat([frame[frame.stype != "H"], frame[frame.stype == "H"].iloc[:1]])
    one_high.to_csv(tmp_path / "l.csv", index=False)
    result = tab(tmp_path / "l.csv", "api00", "--mean", *STRAT)
    assert result.exit_code == EXIT_IMPOSSIBLE and "only one PSU" in result.stderr
    assert tab(tmp_path / "l.csv", "api00", "--mean", *STRAT, "--lonely-psu", "certainty").exit_code == EXIT_OK


def test_conflicting_options_and_missing_files(apistrat, tmp_path):
    assert tab(apistrat, "api00", "--mean", "--total").exit_code == EXIT_USAGE
    assert tab(apistrat, "awards", "--crosstab", "stype", "--by", "cname").exit_code == EXIT_USAGE
    assert tab(tmp_path / "nothing.csv", "x").exit_code == EXIT_BAD_INPUT


def test_help():
    result = runner.invoke(app, ["tab", "--help"])
    assert result.exit_code == 0 and "--crosstab" in result.stdout and "Rao-Scott" in result.stdout


def test_json_is_strict_and_undefined_numbers_are_null(apistrat, R):
    out = tab_json(apistrat, "stype", "--by", "cname", *STRAT, "--min-n", "0")  # small cells shown, to compare
    alameda = {e["category"]: e for e in out["estimates"] if e["group"]["cname"] == "Alameda"}
    assert alameda["H"]["estimate"] == 0 and alameda["H"]["deff"] is None  # 0/0, R: NaN
    assert alameda["E"]["estimate"] == pytest.approx(R["absent_category"]["estimate"][0], rel=1e-6)
    assert alameda["E"]["se"] == pytest.approx(R["absent_category"]["se"][0], rel=SE)


# -- the study's questions: "not sure" and skipped answers are no answers -----------------------------

# q14 is asked if q12 < 6, and its code 6 is "not sure"
ROUTED = pd.DataFrame({
    "id": range(1, 10),
    "q12": [1, 2, 3, 6, 6, 5, 4, 1, 2],
    "q14": [2, 6, 3, 4, None, 5, 1, 2, 6],  # line 5: answered although skipped; line 6: skipped and empty
    "q207": [1, 2, 1, 2, 1, 2, 1, 2, 1],
    "w": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0, 7.0, 8.0, 9.0],
})
ANSWERED = ROUTED["q12"].lt(6) & ROUTED["q14"].notna() & ROUTED["q14"].ne(6)


def test_groups_of_two_by_columns_leave_out_a_not_sure_or_skipped_answer_to_either(tmp_path):
    ROUTED.to_csv(tmp_path / "r.csv", index=False)
    out = tab_json(tmp_path / "r.csv", "q12", "--by", "q14", "--by", "q207", "--lang", "en", "--min-n", "0")
    kept = ROUTED[ANSWERED]
    assert out["by"] == "q14+q207" and out["by_columns"] == ["q14", "q207"]
    assert {e["group"]["q14+q207"] for e in out["estimates"]} == {
        f"{int(a)}.{b}" for a, b in zip(kept["q14"], kept["q207"])} == {"1.1", "2.1", "2.2", "3.1", "5.2"}
    # labelled from both questions' labels
    assert out["labels"]["q14+q207"]["2.2"] == "Fairly likely, Woman"
    assert out["variable_labels"]["q14+q207"].endswith(" × 207. Sex?")


def test_means_and_totals_leave_out_not_sure_and_skipped_answers(tmp_path):
    ROUTED.to_csv(tmp_path / "r.csv", index=False)
    kept = ROUTED[ANSWERED]
    mean = tab_json(tmp_path / "r.csv", "q14", "--mean", "--weight", "w")
    (e,) = mean["estimates"]
    assert e["estimate"] == pytest.approx(np.average(kept["q14"], weights=kept["w"]), rel=1e-12)
    assert e["n_unweighted"] == len(kept) == 5
    # line 6 is empty because the routing did not ask q14: counted apart from empty answers
    assert mean["left_out"] == {"not_sure": 2, "skipped": 1, "empty": 0, "not_asked": 1}
    total = tab_json(tmp_path / "r.csv", "q14", "--total", "--weight", "w")
    assert total["estimates"][0]["estimate"] == pytest.approx((kept["q14"] * kept["w"]).sum(), rel=1e-12)
    raw = ROUTED.dropna(subset=["q14"])
    everything = tab_json(tmp_path / "r.csv", "q14", "--mean", "--weight", "w", "--include-missing")
    assert everything["estimates"][0]["estimate"] == pytest.approx(np.average(raw["q14"], weights=raw["w"]))
    assert everything["left_out"] == {"not_sure": 0, "skipped": 0, "empty": 0}
    text = tab(tmp_path / "r.csv", "q14", "--mean", "--weight", "w", "--lang", "en")
    # the notes name the question as a reader does ('spm. 14', 'Q14'), not by its variable name
    # the "not sure" code by the questionnaire's own label for it
    assert ("Left out: 2 ‘Not sure, no answer (not read aloud)’, 1 answers to a question the routing skipped and 0 "
            "empty answers of Q14" in " ".join(text.stdout.split()))
    assert "Left out: 1 respondent(s) the routing did not ask Q14" in " ".join(text.stdout.split())
    bokmaal = " ".join(tab(tmp_path / "r.csv", "q14", "--mean", "--weight", "w").stdout.split())
    assert ("Utelatt: 2 «Ikke sikker, ubesvart (IKKE LES)», 1 svar på et spørsmål rutingen hoppet over og 0 tomme "
            "svar på spm. 14" in bokmaal)
    assert "som rutingen ikke stilte spm. 14" in bokmaal


def test_groups_and_crosstabs_leave_out_not_sure_and_skipped_answers(tmp_path):
    ROUTED.to_csv(tmp_path / "r.csv", index=False)
    by = tab_json(tmp_path / "r.csv", "q207", "--by", "q14")  # a "not sure" or skipped q14 is in no group
    groups = {e["group"]["q14"] for e in by["estimates"]}
    assert groups == set(ROUTED.loc[ANSWERED, "q14"])
    table = tab_json(tmp_path / "r.csv", "q14", "--crosstab", "q207")
    n = {e["group"]["q207"]: e["n_unweighted"] for e in table["estimates"]}
    assert n == ROUTED[ANSWERED].groupby("q207").size().to_dict()
    assert {e["category"] for e in table["estimates"]} == set(ROUTED.loc[ANSWERED, "q14"])


def test_mean_of_the_demo_leaves_out_not_sure(study_csv):
    frame = pd.read_csv(study_csv)
    out = tab_json(study_csv, "q23", "--mean")
    answered = frame["q23"][frame["q23"] != 6]  # 6: "not sure"
    assert out["estimates"][0]["estimate"] == pytest.approx(answered.mean(), rel=1e-12)
    assert out["estimates"][0]["n_unweighted"] == len(answered)
    assert out["left_out"]["not_sure"] == int((frame["q23"] == 6).sum())


# -- design effects without weights ---------------------------------------------------------------


def test_design_effects_of_unscaled_weights_are_those_of_R_deff_replace(apistrat, fixtures_dir, tmp_path):
    R = json.loads((fixtures_dir / "r" / "deff_replace.json").read_text())
    mean = tab_json(apistrat, "api00", "--mean")["estimates"][0]
    assert mean["deff"] == pytest.approx(R["equal"]["mean_api00"]["deff"], rel=SE)  # 1, not inf
    total = tab_json(apistrat, "enroll", "--total")["estimates"][0]
    assert total["deff"] == pytest.approx(R["equal"]["total_enroll"]["deff"], rel=SE)
    shares = tab_json(apistrat, "stype")["estimates"]
    assert [e["deff"] for e in shares] == pytest.approx(R["equal"]["prop_stype"]["deff"], rel=SE)
    by = tab_json(apistrat, "api00", "--mean", "--by", "awards")["estimates"]
    assert [e["group"]["awards"] for e in by] == R["equal"]["by_mean"]["groups"]
    assert [e["deff"] for e in by] == pytest.approx(R["equal"]["by_mean"]["deff"], rel=SE)
    # weights adding up to half the sample
    frame = pd.read_csv(apistrat)
    frame["w_half"] = frame["pw"] / frame["pw"].sum() * len(frame) / 2
    frame.to_csv(tmp_path / "half.csv", index=False)
    half = tab_json(tmp_path / "half.csv", "api00", "--mean", "--weight", "w_half", "--strata", "stype")
    ref = R["half"]["mean_api00"]
    assert (half["estimates"][0]["estimate"], half["estimates"][0]["se"]) == pytest.approx(
        (ref["estimate"], ref["se"]), rel=SE)
    assert half["estimates"][0]["deff"] == pytest.approx(ref["deff"], rel=SE)
    awards = tab_json(tmp_path / "half.csv", "awards", "--weight", "w_half", "--strata", "stype")["estimates"]
    assert [e["deff"] for e in awards] == pytest.approx(R["half"]["prop_awards"]["deff"], rel=SE)


def test_text_shows_a_design_effect_of_one_without_weights(apistrat):
    result = tab(apistrat, "api00", "--mean")
    assert "inf" not in result.stdout and "│ 1,00 │" in result.stdout


# -- the study's weighting -------------------------------------------------------------------------


def test_study_weighting_gives_the_report_s_shares_and_intervals(study_csv, demo_results, tmp_path):
    report = json.loads(demo_results.write_json(tmp_path / "results.json").read_text("utf-8"))
    p02 = {e["name"]: e for e in next(f for f in report["findings"] if f["id"] == "P02")["estimates"]}
    out = tab_json(study_csv, "q12", "--study-weighting")
    shares = {e["category"]: e for e in out["estimates"]}
    assert sorted(shares) == [1, 2, 3, 4, 5, 6]
    for code, ours in shares.items():
        theirs = p02[f"cat{code}"]
        for key in ("estimate", "se", "ci_low", "ci_high"):
            assert ours[key] == pytest.approx(theirs[key], rel=1e-9), (code, key)
    assert out["design"]["calibrated"] and out["weighting"]["method"] == "poststratify"
    # a weight column (as `fjernarbeid weight` writes) is ignored: the calibration is what counts
    frame = pd.read_csv(study_csv).assign(weight=1.0)
    frame.to_csv(tmp_path / "weighted.csv", index=False)
    again = tab_json(tmp_path / "weighted.csv", "q12", "--study-weighting")
    assert [e["se"] for e in again["estimates"]] == pytest.approx([e["se"] for e in out["estimates"]], rel=1e-12)


def test_study_weighting_makes_its_own_design(study_csv, apistrat):
    result = tab(study_csv, "q12", "--study-weighting", "--weight", "q207")
    assert result.exit_code == EXIT_USAGE and "cannot be combined with --weight" in result.stderr
    raking = tab_json(study_csv, "q12", "--weighting", "rake")
    assert raking["weighting"]["method"] == "rake" and raking["design"]["calibrated"]
    assert "--study-weighting" in runner.invoke(app, ["tab", "--help"]).stdout
    assert tab(apistrat, "stype", "--study-weighting").exit_code == EXIT_INVALID_DATA  # no sex or birth year


# -- files that look like the study's survey --------------------------------------------------------


def test_a_study_file_that_breaks_the_rules_is_used_with_a_warning(study_csv, tmp_path, apistrat):
    frame = pd.read_csv(study_csv, dtype=str, keep_default_na=False)
    frame.loc[0, "q12"] = "9"  # not a code of q12
    frame.loc[2, "id"] = frame.loc[1, "id"]  # a duplicate id
    frame.to_csv(tmp_path / "bad.csv", index=False)
    checked = runner.invoke(app, ["validate", str(tmp_path / "bad.csv"), "--format", "json"])
    errors = len(json.loads(checked.stdout)["errors"])
    result = tab(tmp_path / "bad.csv", "q13")
    assert result.exit_code == EXIT_OK
    warning = " ".join(result.stderr.split())
    assert f"advarsel: {tmp_path / 'bad.csv'} har {errors} valideringsfeil" in warning  # bokmål by default
    assert f"Kjør `fjernarbeid validate {tmp_path / 'bad.csv'}`" in warning
    english = " ".join(tab(tmp_path / "bad.csv", "q13", "--lang", "en").stderr.split())
    assert f"warning: {tmp_path / 'bad.csv'} has {errors} validation error(s)" in english
    assert f"Run `fjernarbeid validate {tmp_path / 'bad.csv'}`" in english
    assert "advarsel" not in tab(study_csv, "q13").stderr  # a valid file: no word
    assert "advarsel" not in tab(apistrat, "stype").stderr  # not the study's data: tab is generic


def test_clusters_repeated_across_strata_point_at_nest(tmp_path):
    frame = pd.DataFrame({"x": [1, 2, 3, 4, 5, 6, 7, 8], "s": [1, 1, 1, 1, 2, 2, 2, 2],
                          "c": [1, 1, 2, 2, 1, 1, 2, 2]})
    frame.to_csv(tmp_path / "n.csv", index=False)
    result = tab(tmp_path / "n.csv", "x", "--mean", "--strata", "s", "--cluster", "c")
    assert result.exit_code == EXIT_INVALID_DATA and "`--nest`" in result.stderr
    assert tab(tmp_path / "n.csv", "x", "--mean", "--strata", "s", "--cluster", "c", "--nest").exit_code == EXIT_OK


# -- --where: a subgroup as a domain of the full design ------------------------------------------------

WHERE = "meals >= 50 and enroll > 300"
STRAT = ("--weight", "pw", "--strata", "stype", "--fpc", "fpc")


@pytest.fixture(scope="module")
def R_where(fixtures_dir):
    return json.loads((fixtures_dir / "r" / "where.json").read_text())


def test_where_estimates_in_a_domain_as_r_subset(apistrat, R_where):
    assert R_where["expression"] == WHERE
    mean = tab_json(apistrat, "api00", "--mean", *STRAT, "--where", WHERE)
    (e,) = mean["estimates"]
    assert e["estimate"] == pytest.approx(R_where["mean_api00"]["estimate"], rel=1e-6)
    assert e["se"] == pytest.approx(R_where["mean_api00"]["se"], rel=SE)
    assert mean["where"]["expression"] == WHERE and mean["where"]["n"] == R_where["domain_n"]
    assert mean["design"]["rows"] == 200  # every row stays in the design
    total = tab_json(apistrat, "enroll", "--total", *STRAT, "--where", WHERE)["estimates"][0]
    assert (total["estimate"], total["se"]) == pytest.approx((R_where["total_enroll"]["estimate"],
                                                              R_where["total_enroll"]["se"]), rel=SE)
    shares = {e["category"]: e for e in tab_json(apistrat, "awards", *STRAT, "--where", WHERE)["estimates"]}
    for i, name in enumerate(("No", "Yes")):
        assert shares[name]["estimate"] == pytest.approx(R_where["share_awards"]["estimate"][i], rel=1e-6)
        assert shares[name]["se"] == pytest.approx(R_where["share_awards"]["se"][i], rel=SE)
    for option, key in ((("--median",), "median_api00"), (("--ratio", "enroll"), "ratio_api00_enroll")):
        (e,) = tab_json(apistrat, "api00", *option, *STRAT, "--where", WHERE)["estimates"]
        assert e["estimate"] == pytest.approx(R_where[key]["estimate"], rel=1e-6), key
        assert e["se"] == pytest.approx(R_where[key]["se"], rel=SE), key
    by = tab_json(apistrat, "api00", "--mean", *STRAT, "--by", "stype", "--where", WHERE)["estimates"]
    assert [r["group"]["stype"] for r in by] == R_where["mean_api00_by_stype"]["groups"]
    assert [r["estimate"] for r in by] == pytest.approx(R_where["mean_api00_by_stype"]["estimate"], rel=1e-6)
    assert [r["se"] for r in by] == pytest.approx(R_where["mean_api00_by_stype"]["se"], rel=SE)


def test_where_takes_column_names_with_dots_as_r_s_subset(apistrat, R_where):
    """R's data sets name columns api.stu, sch.wide: written as they are, or in backticks as R writes them."""
    ref = R_where["dotted"]
    assert ref["expression"] == "api.stu > 500 and sch.wide == 'Yes'"
    for expression in (ref["expression"], "`api.stu` > 500 and `sch.wide` == 'Yes'"):
        out = tab_json(apistrat, "api00", "--mean", *STRAT, "--where", expression)
        (e,) = out["estimates"]
        assert out["where"]["expression"] == ref["expression"]  # the canonical text: no backticks needed
        assert out["where"]["n"] == ref["domain_n"]
        assert (e["estimate"], e["se"]) == pytest.approx((ref["mean_api00"]["estimate"], ref["mean_api00"]["se"]),
                                                         rel=1e-9)
    result = tab(apistrat, "api00", "--mean", *STRAT, "--where", "api.stud > 500")
    assert result.exit_code == EXIT_USAGE and "no column 'api.stud'" in " ".join(result.stderr.split())


def test_where_given_twice_means_both_as_a_subset_of_a_subset(apistrat, R_where):
    ref = R_where["nested"]
    first, second = ref["expressions"]
    out = tab_json(apistrat, "api00", "--mean", *STRAT, "--where", first, "--where", second)
    (e,) = out["estimates"]
    assert out["where"]["expression"] == f"({first}) and ({second})"
    assert out["where"]["n"] == ref["domain_n"] == 46
    assert (e["estimate"], e["se"]) == pytest.approx((ref["mean_api00"]["estimate"], ref["mean_api00"]["se"]),
                                                     rel=1e-9)
    # the same as one condition joined with 'and'; the second alone is another domain
    assert tab_json(apistrat, "api00", "--mean", *STRAT, "--where", f"{first} and {second}")["estimates"][0][
        "estimate"] == pytest.approx(e["estimate"], rel=1e-12)
    assert tab_json(apistrat, "api00", "--mean", *STRAT, "--where", second)["where"]["n"] > 46
    assert "Repeated, every EXPR must hold" in " ".join(tab("--help").stdout.split())


@pytest.fixture(scope="module")
def R_by_two(fixtures_dir):
    return json.loads((fixtures_dir / "r" / "by_two.json").read_text())


def _by_group(rows, name="stype+sch.wide"):
    return {r["group"][name]: r for r in rows}


@pytest.mark.parametrize("by", [("--by", "stype", "--by", "sch.wide"), ("--by", "stype,sch.wide")])
def test_two_by_columns_give_every_combination_as_r_svyby(apistrat, apiclus1, R_by_two, by):
    """tests/fixtures/r/by_two.R: svyby(~api00, ~stype + sch.wide, design, svymean); the groups named as R names
    them (E.No), every combination that occurs."""
    for path, design, key in ((apistrat, STRAT, "strat_mean_api00"), (apiclus1, CLUS, "clus1_mean_api00")):
        out = tab_json(path, "api00", "--mean", *by, *design, "--min-n", "0")  # H.No of apiclus1: 3 schools
        assert out["by"] == "stype+sch.wide" and out["by_columns"] == ["stype", "sch.wide"]
        ours = _by_group(out["estimates"])
        ref = R_by_two[key]
        assert sorted(ours) == sorted(ref["groups"])
        for group, estimate, se in zip(ref["groups"], ref["estimate"], ref["se"]):
            assert (ours[group]["estimate"], ours[group]["se"]) == pytest.approx((estimate, se), rel=1e-9), group
    shares = [e for e in tab_json(apistrat, "awards", *by, *STRAT, "--min-n", "0")["estimates"]
              if e["category"] == "Yes"]
    ref = R_by_two["strat_share_awards_yes"]
    ours = _by_group(shares)
    for group, estimate, se in zip(ref["groups"], ref["estimate"], ref["se"]):
        assert (ours[group]["estimate"], ours[group]["se"]) == pytest.approx((estimate, se), rel=1e-9, abs=1e-12)
    within = _by_group(tab_json(apistrat, "api00", "--mean", *by, *STRAT, "--where", "api.stu > 500",
                                "--min-n", "0")["estimates"])
    ref = R_by_two["strat_mean_api00_where"]
    assert [within[g]["estimate"] for g in ref["groups"]] == pytest.approx(ref["estimate"], rel=1e-9)
    assert [within[g]["se"] for g in ref["groups"]] == pytest.approx(ref["se"], rel=1e-9)


def test_two_by_columns_in_text_and_with_compare(apistrat):
    result = runner.invoke(app, ["tab", str(apistrat), "api00", "--mean", "--by", "stype", "--by", "sch.wide",
                                 *STRAT, "--lang", "en"], env={"COLUMNS": "200"})
    assert result.exit_code == EXIT_OK
    assert "stype+sch.wide" in result.stdout and "E.No" in result.stdout and "M.Yes" in result.stdout
    compared = tab_json(apistrat, "api00", "--mean", "--by", "stype,sch.wide", "--compare", *STRAT)
    assert len(compared["differences"]) == 15  # every two of the six groups
    # a column named twice is one column; an empty name is a usage error naming --by
    assert tab_json(apistrat, "api00", "--mean", "--by", "stype", "--by", "stype", *STRAT)["by"] == "stype"
    for bad, problem in ((("--by", "stype,"), "--by 'stype,': an empty column name"),
                         (("--by", "stype", "--by", "nothing"), "--by")):
        result = tab(apistrat, "api00", "--mean", *bad, *STRAT)
        assert result.exit_code == EXIT_USAGE and problem in " ".join(result.stderr.split())


def test_where_is_said_in_the_text_output(apistrat):
    result = runner.invoke(app, ["tab", str(apistrat), "api00", "--mean", *STRAT, "--where", WHERE],
                           env={"COLUMNS": "200"})
    assert result.exit_code == EXIT_OK
    assert f"Innenfor: {WHERE} (n = 69)" in result.stdout


@pytest.mark.parametrize("expression, problem", [
    ("meals >= ", "not a valid expression"),
    ("nothing == 1", "no column 'nothing'"),
    ("meals > 1000", "no respondent"),
])
def test_a_bad_where_is_a_usage_error_naming_the_problem(apistrat, expression, problem):
    result = tab(apistrat, "api00", "--mean", *STRAT, "--where", expression)
    assert result.exit_code == EXIT_USAGE
    assert problem in " ".join(result.stderr.split())


def test_where_with_study_weighting_weights_the_whole_sample_then_takes_the_domain(study_csv, demo_frame,
                                                                                  instrument):
    from fjernarbeid.instrument.expr import Condition, is_true
    from fjernarbeid.survey import svyprop
    from fjernarbeid.survey.weighting import weight_study

    design = weight_study(demo_frame, instrument).design
    inside = is_true(Condition.parse("q207 == 2").evaluate(design.data))
    expected = {row["category"]: row for row in svyprop(design.domain(inside), "q12").to_dict()["estimates"]}
    out = tab_json(study_csv, "q12", "--study-weighting", "--where", "q207 == 2")
    assert out["where"]["n"] == int(inside.sum()) < design.n
    ours = {e["category"]: e for e in out["estimates"]}
    assert sorted(ours) == sorted(expected)
    for code, e in ours.items():
        assert (e["estimate"], e["se"]) == pytest.approx((expected[code]["estimate"], expected[code]["se"]),
                                                         rel=1e-9), code


# -- p-values as a reader writes them ------------------------------------------------------------------


@pytest.mark.parametrize("p, lang, bare, text", [
    (9.447e-17, "nb", True, "< 0,001"), (0.0234, "nn", True, "0,023"), (0.0234, "nb", False, "p = 0,023"),
    (9.447e-17, "en", False, "p < 0.001"), (0.0234, "en", True, "0.023"), (float("nan"), "nb", True, "–"),
])
def test_p_values_have_three_decimals_and_the_language_s_decimal_sign(p, lang, bare, text):
    from fjernarbeid.cli.tab import p_text

    assert p_text(p, lang, bare=bare) == text


def test_norwegian_text_output_writes_p_with_a_decimal_comma(apistrat):
    def wide(*args):  # a wide terminal whatever the one running the tests, so no column is cut
        return runner.invoke(app, ["tab", *map(str, args)], env={"COLUMNS": "200"})

    nb = wide(apistrat, "awards", "--crosstab", "stype", *STRAT, "--lang", "nb")
    assert nb.exit_code == EXIT_OK and "p < 0,001" in nb.stdout and "e-" not in nb.stdout
    compared = wide(apistrat, "api00", "--mean", "--by", "stype", "--compare", *STRAT, "--lang", "nn")
    assert compared.exit_code == EXIT_OK and "0,013" in compared.stdout
    english = wide(apistrat, "api00", "--mean", "--by", "stype", "--compare", *STRAT, "--lang", "en")
    assert "0.013" in english.stdout and "0,013" not in english.stdout


def test_where_on_a_multiple_choice_question_gives_the_shares_of_the_subgroup(fixtures_dir, tmp_path):
    """Unweighted, a domain's shares are the subgroup's own shares (its standard errors are the domain's).
    Codes are listed: "tilfreds >= 3" would also take in the "not sure" code, as in routing."""
    study = fixtures_dir / "studies" / "hardanger_remote"
    form, export = study / "kobo_form.xlsx", study / "kobo_export.csv"
    common = ("utfordringar", "--instrument", form, "--completes-only")
    within = tab_json(export, *common, "--where", "tilfreds in (3, 4, 5)")
    frame = pd.read_csv(export, sep=";", dtype=str, keep_default_na=False)
    satisfied = frame["om_deg/tilfreds"].isin(["3", "4", "5"])  # "veit_ikkje" is not satisfied
    frame[satisfied].to_csv(tmp_path / "satisfied.csv", sep=";", index=False)
    alone = tab_json(tmp_path / "satisfied.csv", *common)
    assert within["where"] == {"expression": "tilfreds in (3, 4, 5)", "n": int(satisfied.sum()),
                               "weighted_n": float(satisfied.sum())}
    assert [e["estimate"] for e in within["estimates"]] == pytest.approx([e["estimate"] for e in alone["estimates"]],
                                                                        rel=1e-12)


def test_a_not_sure_answer_to_a_filter_question_routes_as_the_form_did(tmp_path):
    """`grunn` is asked if `flytte != 5`; "vet ikke" (6) is not 5, so the form asked and its answers count."""
    (tmp_path / "q.yaml").write_text("""
id: t
questions:
  - {name: flytte, type: single, codes: [{code: 1, nb: Ja}, {code: 5, nb: Nei}, {code: 6, nb: Vet ikke, missing: true}]}
  - {name: grunn, type: single, ask_if: "flytte != 5", codes: [{code: 1, nb: Jobb}, {code: 2, nb: Familie}]}
""", "utf-8")
    pd.DataFrame({"id": range(1, 7), "flytte": [1, 6, 6, 5, 1, 6], "grunn": [1, 2, 2, 1, 1, 1]}).to_csv(
        tmp_path / "d.csv", index=False)
    out = tab_json(tmp_path / "d.csv", "grunn", "--instrument", tmp_path / "q.yaml", "--min-n", "0")
    assert out["left_out"]["skipped"] == 1  # line 5 only (flytte = 5)
    shares = {e["category"]: e["estimate"] for e in out["estimates"] if e["category"] is not None}
    assert shares == pytest.approx({1: 3 / 5, 2: 2 / 5})  # lines 1, 6, 7 and 2, 3 (unweighted)


def test_a_decimal_question_is_tabulated_by_its_mean(tmp_path):
    """Travel time in hours has no categories: without --mean, --median … tab gives its mean, not a share
    for every distinct value."""
    (tmp_path / "q.yaml").write_text("""
id: t
questions:
  - {name: reisetid, type: decimal, range: {min: 0, max: 5}}
""", "utf-8")
    pd.DataFrame({"id": range(1, 7), "reisetid": [0.5, 1.25, 0.75, 2.0, 1.5, 0.25]}).to_csv(
        tmp_path / "d.csv", index=False)
    out = tab_json(tmp_path / "d.csv", "reisetid", "--instrument", tmp_path / "q.yaml")
    (e,) = out["estimates"]
    assert e["estimate"] == pytest.approx(1.0416666666666667)
    median = tab_json(tmp_path / "d.csv", "reisetid", "--instrument", tmp_path / "q.yaml", "--median")
    assert median["estimates"][0]["estimate"] == pytest.approx(0.75)


def test_the_suggested_validate_command_checks_the_same_study_and_rows(tmp_path):
    """A study of one's own, an export with screened-out submissions: the warning's `validate` command
    carries --study and --completes-only (without them it checks the program's default study)."""
    study = tmp_path / "studie"
    assert runner.invoke(app, ["init", str(study)]).exit_code == EXIT_OK
    frame = pd.read_csv(study / "data.csv", dtype=str, keep_default_na=False)
    frame.loc[0, "kjonn"] = "7"  # not a code
    frame.to_csv(tmp_path / "bad.csv", index=False)
    result = tab(tmp_path / "bad.csv", "kjonn", "--study", study, "--completes-only", "--lang", "en")
    warning = " ".join(result.stderr.split())
    assert f"Run `fjernarbeid validate {tmp_path / 'bad.csv'} --study {study} --completes-only`" in warning


def test_the_notes_name_a_not_sure_code_by_the_questionnaires_own_label(tmp_path):
    """Not a fixed «vet ikke»: the code's label, in the language asked for; several such codes are
    each named."""
    (tmp_path / "q.yaml").write_text("""
id: t
questions:
  - name: flytte
    number: "1"
    type: single
    text: {nb: Vil du flytte?, nn: Vil du flytte?, en: Will you move?}
    codes:
      - {code: 1, nb: Ja, nn: Ja, en: "Yes"}
      - {code: 2, nb: Nei, nn: Nei, en: "No"}
      - {code: 8, nb: Ikke sikker, nn: Ikkje sikker, en: Not sure, missing: true}
  - name: trives
    number: "2"
    type: single
    text: {nb: Trives du?, en: Do you thrive?}
    codes:
      - {code: 1, nb: Ja, en: "Yes"}
      - {code: 2, nb: Nei, en: "No"}
      - {code: 8, nb: Ikke sikker, en: Not sure, missing: true}
      - {code: 9, nb: Vil ikke svare, en: Prefer not to say, missing: true}
""", "utf-8")
    pd.DataFrame({"id": range(1, 9), "flytte": [1, 2, 8, 8, 1, 2, 1, 8],
                  "trives": [1, 2, 8, 9, 1, 2, 1, 1]}).to_csv(tmp_path / "d.csv", index=False)

    def notes(variable, lang):
        ran = tab(tmp_path / "d.csv", variable, "--instrument", tmp_path / "q.yaml", "--lang", lang, "--min-n", "0")
        assert ran.exit_code == 0, ran.output
        return " ".join(ran.stdout.split())

    assert "Utelatt: 3 «Ikke sikker» og 0 tomme svar på spm. 1" in notes("flytte", "nb")
    assert "Utelate: 3 «Ikkje sikker»" in notes("flytte", "nn")
    assert "Left out: 3 ‘Not sure’" in notes("flytte", "en")
    assert "Utelatt: 2 «Ikke sikker» eller «Vil ikke svare» og 0 tomme svar" in notes("trives", "nb")
    assert all("vet ikke" not in notes(v, "nb").lower() and "veit ikkje" not in notes(v, "nn").lower()
               for v in ("flytte", "trives"))


@pytest.mark.parametrize("lang, words", [
    ("nb", "kolonne kommune: 1 celle(r) er ikke blant svaralternativene (sunnfjord, kinn) og leses som manglende"),
    ("nn", "kolonne kommune: 1 celle(r) er ikkje blant svaralternativa (sunnfjord, kinn) og vert lesne som manglande"),
    ("en", "column kommune: 1 cell(s) are not among its choices (sunnfjord, kinn) and are read as missing"),
])
def test_a_word_that_is_no_choice_name_is_warned_about_as_such(coworking_study, run_main, tmp_path, lang, words):
    """'bergen' in a column of choice names (sunnfjord, kinn) was 'not a whole number' to tab's warning."""
    text = coworking_study.export.read_text("utf-8").splitlines()
    fields = text[2].split(";")
    fields[3] = "bergen"
    text[2] = ";".join(fields)
    path = tmp_path / "export.csv"
    path.write_text("\n".join(text) + "\n", encoding="utf-8")
    ran = run_main("tab", path, "kjonn", "--study", coworking_study.study, "--lang", lang)
    assert ran.code == 0, ran.stderr
    said = " ".join(ran.stderr.split())
    assert words in said and "line 3: 'bergen'" in said.replace("linje", "line"), said


def test_a_crosstab_with_structural_zeros_is_shown_and_its_test_said_not_computable(tmp_path):
    """The table of a crosstab whose Rao–Scott matrix is singular (empty cells; R's svychisq stops) is printed,
    with a note instead of the test; the JSON says why."""
    rng = np.random.default_rng(3)
    df = pd.DataFrame({"w": rng.uniform(1, 5, 3000), "q3": rng.integers(1, 6, 3000).astype(float)})
    df["q4"] = np.clip(df["q3"] + rng.integers(-1, 2, 3000), 0, 9).astype(float)
    path = tmp_path / "zeros.csv"
    df.to_csv(path, index=False)
    shown = tab(path, "q3", "--crosstab", "q4", "--weight", "w", "--lang", "en")
    assert shown.exit_code == EXIT_OK, shown.output
    assert "Total" in shown.stdout and "cannot be computed: the table has 20 empty cell(s)" in " ".join(shown.stdout.split())
    out = tab_json(path, "q3", "--crosstab", "q4", "--weight", "w")
    assert out["test"]["p_value"] is None and out["test"]["empty_cells"] == 20 and "singular" in out["test"]["not_computed"]

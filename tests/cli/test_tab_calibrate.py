"""`tab` and `model` with --targets on an ordinary data file (not the study's questionnaire data): the design of
the other options calibrated to population totals of the file's own columns, against R's postStratify, rake and
calibrate (tests/fixtures/r/calibrate_cli.R writes the data, the targets files and calibrate_cli.json).

Was: `fjernarbeid tab apisrs.csv api00 --mean --targets tg_stype.csv --weighting poststratify` exited 3 with
"weighting variable 'stype' is neither a question, a derived variable nor a role of the questionnaire" — --targets
only knew the study's weighting."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

R_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "r"
API = Path(__file__).resolve().parents[1] / "fixtures" / "api"
R = json.loads((R_DIR / "calibrate_cli.json").read_text())
APISRS = R_DIR / "data" / "calib_apisrs.csv"
STYPE = R_DIR / "data" / "calib_targets_stype.csv"
MARGINS = R_DIR / "data" / "calib_targets_margins.csv"
CROSS = R_DIR / "data" / "calib_targets_cross.csv"
CLUS1 = ["--weight", "pw", "--cluster", "dnum", "--fpc", "fpc"]

# R's design and calibration (calibrate_cli.R) → the same on the command line
CASES = {
    "srs_ps_equal": (APISRS, ["--targets", STYPE]),
    "srs_ps_fpc": (APISRS, ["--weight", "pw", "--fpc", "fpc", "--targets", STYPE, "--weighting", "poststratify"]),
    "strat_cross": (API / "apistrat.csv", ["--weight", "pw", "--strata", "stype", "--fpc", "fpc", "--targets", CROSS]),
    "clus1_rake": (API / "apiclus1.csv", [*CLUS1, "--targets", MARGINS]),
    "clus1_linear": (API / "apiclus1.csv", [*CLUS1, "--targets", MARGINS, "--weighting", "linear"]),
    "clus1_logit": (API / "apiclus1.csv", [*CLUS1, "--targets", MARGINS, "--weighting", "logit", "--bounds", "0.5,2"]),
}
METHOD = {"srs_ps_equal": "poststratify", "srs_ps_fpc": "poststratify", "strat_cross": "poststratify",
          "clus1_rake": "rake", "clus1_linear": "linear", "clus1_logit": "logit"}


def tab_json(run_main, *args) -> dict:
    ran = run_main("tab", *args, "--format", "json")
    assert ran.code == 0, ran.stderr
    return json.loads(ran.stdout)


def test_the_testers_command_post_stratifies_the_files_own_column(run_main):
    """The defect as reported: apisrs.csv (R's write.csv) post-stratified on stype, equal weights."""
    ran = run_main("tab", APISRS, "api00", "--mean", "--targets", STYPE, "--weighting", "poststratify",
                   "--lang", "en")
    assert ran.code == 0, ran.stderr
    text = " ".join(ran.stdout.split())
    assert "Equal weights, post-stratified by stype to the population totals in calib_targets_stype.csv (3 cells" \
           in text, text
    assert "weights 30.20 to 31.13" in text and "post-stratified on stype (the standard errors account for it)" in text
    got = tab_json(run_main, APISRS, "api00", "--mean", "--targets", STYPE)["estimates"][0]
    assert got["estimate"] == pytest.approx(R["srs_ps_equal"]["mean_api00"]["estimate"], rel=1e-10)
    assert got["se"] == pytest.approx(R["srs_ps_equal"]["mean_api00"]["se"], rel=1e-10)


@pytest.mark.parametrize("case", sorted(CASES))
def test_mean_total_and_shares_as_r(run_main, case):
    """svymean(~api00), svytotal(~enroll), svymean(~awards) with svyciprop's logit interval, on R's calibrated
    design: post-stratified (one variable; the cells of a cross), raked on two margins, calibrated (linear,
    logit with bounds)."""
    data, options = CASES[case]
    want = R[case]
    mean = tab_json(run_main, data, "api00", "--mean", *options)
    total = tab_json(run_main, data, "enroll", "--total", *options)["estimates"][0]
    shares = {r["category"]: r for r in tab_json(run_main, data, "awards", *options)["estimates"]}
    got = mean["estimates"][0]
    assert got["estimate"] == pytest.approx(want["mean_api00"]["estimate"], rel=1e-8)
    assert got["se"] == pytest.approx(want["mean_api00"]["se"], rel=1e-8)
    assert got["df"] == want["degf"]
    assert total["estimate"] == pytest.approx(want["total_enroll"]["estimate"], rel=1e-8)
    assert total["se"] == pytest.approx(want["total_enroll"]["se"], rel=1e-8)
    for category, estimate, se in zip(want["awards"]["categories"], want["awards"]["estimate"], want["awards"]["se"]):
        assert shares[category]["estimate"] == pytest.approx(estimate, rel=1e-8)
        assert shares[category]["se"] == pytest.approx(se, rel=1e-8)
    assert [shares["Yes"]["ci_low"], shares["Yes"]["ci_high"]] == pytest.approx(want["awards"]["yes_ci"], rel=1e-8)
    account = mean["weighting"]
    assert mean["weights_from"] == "calibrated" and account["method"] == METHOD[case]
    assert [account["min"], account["max"]] == pytest.approx(want["weights"], rel=1e-8)
    assert account["sum_weights"] == pytest.approx(want["sum_weights"], rel=1e-10)
    assert mean["design"]["calibrated"] and mean["design"]["calibration"]["method"] == METHOD[case]


def test_the_json_says_what_was_done(run_main):
    result = tab_json(run_main, API / "apiclus1.csv", "api00", "--mean", *CLUS1, "--targets", MARGINS)
    account = result["weighting"]
    assert account["kind"] == "calibration" and account["method"] == "rake"
    assert account["margins"] == ["stype", "sch.wide"] and account["targets_file"] == str(MARGINS)
    assert account["base_weights"] == "column" and account["base_weight_column"] == "pw"
    assert account["epsilon"] == 1 and account["max_iter"] == 10 and account["converged"]
    targets = {(t["variable"], t["category"]): t for t in account["targets"]}
    assert targets["sch.wide", "Yes"]["target"] == 5122 and targets["sch.wide", "Yes"]["weighted"] == \
        pytest.approx(5122, abs=1)
    assert result["design"] == {**result["design"], "cluster": "dnum", "fpc": "fpc",
                                "calibration": {"method": "rake", "margins": ["stype", "sch.wide"]}}
    assert "raked to the margins of stype and sch.wide in calib_targets_margins.csv" in \
           tab_json(run_main, API / "apiclus1.csv", "api00", "--mean", *CLUS1, "--targets", MARGINS, "--lang",
                    "en")["weights_text"]


@pytest.mark.parametrize("lang, words", [
    ("nb", ["Vektene i kolonnen pw, poststratifisert etter stype × sch.wide til populasjonstallene i "
            "calib_targets_cross.csv (6 celler", "Kish' designeffekt", "strata: stype",
            "poststratifisert etter stype × sch.wide (standardfeilene tar hensyn til det)"]),
    ("nn", ["Vektene i kolonnen pw, poststratifiserte etter stype × sch.wide til populasjonstala i "
            "calib_targets_cross.csv (6 celler", "designeffekten til Kish",
            "poststratifisert etter stype × sch.wide (standardfeila tek omsyn til det)"]),
    ("en", ["The weights of the column pw, post-stratified by stype × sch.wide to the population totals in "
            "calib_targets_cross.csv (6 cells", "weights 13.92 to 52.44",
            "post-stratified on stype × sch.wide (the standard errors account for it)"]),
])
def test_the_data_and_design_lines_say_it_in_every_language(run_main, lang, words):
    data, options = CASES["strat_cross"]
    ran = run_main("tab", data, "api00", "--mean", *options, "--lang", lang)
    assert ran.code == 0, ran.stderr
    text = " ".join(ran.stdout.split())
    for w in words:
        assert w in text, (w, text)


def test_groups_of_a_post_stratified_design_as_r(run_main):
    data, options = CASES["srs_ps_fpc"]
    got = tab_json(run_main, data, "api00", "--mean", "--by", "sch.wide", *options)["estimates"]
    want = R["srs_ps_fpc"]["by_sch_wide_mean_api00"]
    assert [r["group"]["sch.wide"] for r in got] == want["groups"]
    assert [r["estimate"] for r in got] == pytest.approx(want["estimate"], rel=1e-8)
    assert [r["se"] for r in got] == pytest.approx(want["se"], rel=1e-8)


def test_model_on_a_post_stratified_design_as_r(run_main):
    """svyglm(api00 ~ ell + meals + stype, postStratify(svydesign(weights = ~pw, fpc = ~fpc), ~stype, pop))."""
    data, options = CASES["srs_ps_fpc"]
    want = R["srs_ps_fpc"]["model"]
    ran = run_main("model", data, want["formula"], *options, "--format", "json")
    assert ran.code == 0, ran.stderr
    result = json.loads(ran.stdout)
    got = {c["term"]: c for c in result["coefficients"]}
    for term, estimate, se in zip(want["terms"], want["estimate"], want["se"]):
        assert got[term]["estimate"] == pytest.approx(estimate, rel=1e-8), term
        assert got[term]["se"] == pytest.approx(se, rel=1e-8), term
    assert result["df_residual"] == want["df_residual"]
    tests = {t["terms"][0] if len(t["terms"]) == 1 else t["term"]: t for t in result["tests"]}
    for r_test in want["tests"]:
        test = next(t for t in result["tests"] if r_test["term"] in (t.get("term"), *t.get("terms", [])))
        assert test["statistic"] == pytest.approx(r_test["statistic"], rel=1e-8)
        assert test["p_value"] == pytest.approx(r_test["p"], rel=1e-6)
    assert tests and result["weights_from"] == "calibrated" and result["weighting"]["method"] == "poststratify"
    text = run_main("model", data, want["formula"], *options, "--lang", "en").stdout
    assert "post-stratified by stype to the population totals in calib_targets_stype.csv" in " ".join(text.split())


def test_raking_that_does_not_converge_warns_and_keeps_rs_last_weights(run_main):
    """R's rake stops after maxit = 10 sweeps with a warning and keeps the last weights; so does tab."""
    data, targets = R_DIR / "data" / "calib_rake_slow.csv", R_DIR / "data" / "calib_targets_slow.csv"
    ran = run_main("tab", data, "y", "--mean", "--targets", targets, "--format", "json", "--lang", "en")
    assert ran.code == 0, ran.stderr
    assert "warning: raking on a and b did not converge in 10 sweeps (R's rake warns too); a weighted margin is " \
           "off its target by up to 50,000.64" in " ".join(ran.stderr.split()), ran.stderr
    nn = run_main("tab", data, "y", "--mean", "--targets", targets, "--lang", "nn").stderr
    assert "rakinga etter a og b konvergerte ikkje på 10 rundar" in " ".join(nn.split()), nn
    assert R["slow_rake"]["warning"].startswith("Raking did not converge after 10 iterations")
    result = json.loads(ran.stdout)
    assert result["weighting"]["converged"] is False and result["weighting"]["iterations"] == 10
    got = result["estimates"][0]
    assert got["estimate"] == pytest.approx(R["slow_rake"]["mean_y"]["estimate"], rel=1e-8)
    assert got["se"] == pytest.approx(R["slow_rake"]["mean_y"]["se"], rel=1e-8)
    assert [result["weighting"]["min"], result["weighting"]["max"]] == pytest.approx(R["slow_rake"]["weights"],
                                                                                     rel=1e-8)


def test_categories_match_numbers_as_numbers(run_main, tmp_path):
    """A target category "1" is the value 1 and 1.0 of a column of numbers (and "2.0" is 2); post-stratified,
    the mean is Σ N_c · mean_c / N."""
    data = tmp_path / "numbers.csv"
    data.write_text("g,y\n1,10\n1.0,20\n2,30\n2,50\n2,70\n", encoding="utf-8")
    targets = tmp_path / "targets.csv"
    targets.write_text("variable,category,target\ng,1,300\ng,2.0,100\n", encoding="utf-8")
    got = tab_json(run_main, data, "y", "--mean", "--targets", targets)
    assert got["estimates"][0]["estimate"] == pytest.approx((300 * 15 + 100 * 50) / 400, rel=1e-12)
    assert [t["category"] for t in got["weighting"]["targets"]] == ["1", "2"]


@pytest.mark.parametrize("data_form, targets_form", [("NFC", "NFD"), ("NFD", "NFC")])
def test_categories_match_in_either_unicode_form(run_main, tmp_path, data_form, targets_form):
    """Was: a targets file saved with 'Åsnes' as A + combining ring (NFD) did not match the data's 'Åsnes'
    (NFC), and the error listed a name that looked the same."""
    import unicodedata

    def form(kind, text):
        return unicodedata.normalize(kind, text)

    data = tmp_path / "k.csv"
    data.write_text(form(data_form, "k,y\n" + "Åsnes,10\nÅsnes,20\nHå,30\nHå,50\n" * 3), encoding="utf-8")
    targets = tmp_path / "targets.csv"
    targets.write_text(form(targets_form, "variable,category,target\nk,Åsnes,300\nk,Hå,100\n"), encoding="utf-8")
    got = tab_json(run_main, data, "y", "--mean", "--targets", targets)
    assert got["estimates"][0]["estimate"] == pytest.approx((300 * 15 + 100 * 40) / 400, rel=1e-12)


# -- what R refuses, refused with the files, the variable, the category and the rows ---------------------------


def _with_missing_stype(tmp_path) -> Path:
    lines = APISRS.read_text(encoding="utf-8").splitlines()
    for i in (3, 7):  # data rows 3 and 7: lines 4 and 8 of the file
        cells = lines[i].split(",")
        cells[1] = "NA" if i == 3 else ""
        lines[i] = ",".join(cells)
    path = tmp_path / "apisrs_na.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


@pytest.mark.parametrize("command", ["tab", "model"])
def test_a_row_without_a_calibration_value_is_refused_naming_its_lines(run_main, tmp_path, command):
    assert R["refused"]["missing_stype"] == "missing values in object"  # R's postStratify fails too
    data = _with_missing_stype(tmp_path)
    args = ("api00", "--mean") if command == "tab" else ("api00 ~ ell",)
    ran = run_main(command, data, *args, "--targets", STYPE)
    assert ran.code == 1, ran.stdout + ran.stderr
    message = " ".join(ran.stderr.split())
    assert str(data) in message and "'stype'" in message and "line 4" in message and "line 8" in message, message
    assert "Traceback" not in ran.stderr


def test_a_category_of_the_data_without_a_target_is_refused(run_main, tmp_path):
    assert R["refused"]["category_without_target"].startswith("Strata in sample absent from population")
    targets = tmp_path / "no_m.csv"
    targets.write_text("variable,category,target\nstype,E,4421\nstype,H,755\n", encoding="utf-8")
    ran = run_main("tab", APISRS, "api00", "--mean", "--targets", targets)
    assert ran.code == 5, ran.stderr
    message = " ".join(ran.stderr.split())
    assert str(targets) in message and str(APISRS) in message and "stype = 'M'" in message, message
    assert "33 row(s)" in message and "the targets of stype are E, H" in message


def test_a_target_without_data_is_refused(run_main, tmp_path):
    assert R["refused"]["target_without_data"].startswith("Some strata absent from sample")
    targets = tmp_path / "extra.csv"
    targets.write_text(STYPE.read_text(encoding="utf-8") + "stype,X,10\n", encoding="utf-8")
    ran = run_main("tab", APISRS, "api00", "--mean", "--targets", targets)
    assert ran.code == 5, ran.stderr
    message = " ".join(ran.stderr.split())
    assert f"{targets}, line 5: stype = 'X' has a target (10)" in message and "its values: E, H, M" in message, message


@pytest.mark.parametrize("options, words", [
    (["--targets", MARGINS, "--weighting", "poststratify"], "needs the targets of one variable"),
    (["--targets", MARGINS, "--weighting", "logit"], "--weighting logit needs --bounds"),
    (["--targets", MARGINS, "--weighting", "rake", "--bounds", "0.5,2"], "--bounds limits the g-weights"),
    (["--targets", STYPE, "--weighting", "none"], "--weighting none calibrates nothing"),
    (["--targets", STYPE, "--study-weighting"], "leave out --study-weighting"),
    (["--targets", STYPE, "--bounds", "2,1", "--weighting", "linear"], "the lower limit must be below"),
])
def test_wrong_use_is_a_usage_error(run_main, options, words):
    ran = run_main("tab", APISRS, "api00", "--mean", *options)
    assert ran.code == 2, ran.stdout + ran.stderr
    assert words in " ".join(ran.stderr.split())


def test_a_target_variable_the_file_lacks_is_named(run_main, tmp_path):
    targets = tmp_path / "typo.csv"
    targets.write_text("variable,category,target\nstyp,E,4421\n", encoding="utf-8")
    ran = run_main("tab", APISRS, "api00", "--mean", "--targets", targets)
    assert ran.code == 2
    message = " ".join(ran.stderr.split())
    assert str(targets) in message and "'styp'" in message and "did you mean 'stype'" in message, message


def test_a_cross_written_with_a_star_is_the_cross(run_main, tmp_path):
    """stype*sch.wide is stype×sch.wide (the README's second way of writing a cross)."""
    star = tmp_path / "star.csv"
    star.write_text(CROSS.read_text(encoding="utf-8").replace("×", "*"), encoding="utf-8")
    args = (API / "apistrat.csv", "api00", "--mean", "--weight", "pw", "--strata", "stype", "--fpc", "fpc")
    assert tab_json(run_main, *args, "--targets", star)["estimates"] == \
        tab_json(run_main, *args, "--targets", CROSS)["estimates"]


@pytest.mark.parametrize("written", ["stype:sch.wide", "stype+sch.wide", "stype x sch.wide", "stypeXsch.wide"])
def test_a_cross_written_another_way_is_told_how_to_write_it(run_main, tmp_path, written):
    """Was: "did you mean 'sch.wide'?" for stype:sch.wide (R's interaction), stype+sch.wide and stype x sch.wide."""
    targets = tmp_path / "cross.csv"
    targets.write_text(f"variable,category,target\n{written},E|No,472\n{written},E|Yes,3949\n", encoding="utf-8")
    ran = run_main("tab", API / "apistrat.csv", "api00", "--mean", "--weight", "pw", "--targets", targets)
    assert ran.code == 2, ran.stdout + ran.stderr
    message = " ".join(ran.stderr.split())
    assert f"line 2: {written!r} is not a column" in message, message
    assert "is written stype×sch.wide or stype*sch.wide, its categories joined by '|' (E|No)" in message, message
    assert "did you mean" not in message


@pytest.mark.parametrize("category", ["", "total"])
def test_a_total_of_a_numeric_variable_is_said_to_be_unsupported(run_main, tmp_path, category):
    """Was: 'enroll,,3811472' gave "a target needs a variable and a category", and 'enroll,total,3811472' was taken
    as a category of enroll without data. R's calibrate(~stype + enroll) calibrates to the total of enroll; here
    targets are population counts per category."""
    targets = tmp_path / "numeric_total.csv"
    targets.write_text(f"variable,category,target\nstype,E,4421\nstype,H,755\nstype,M,1018\nenroll,{category},3811472\n",
                       encoding="utf-8")
    ran = run_main("tab", APISRS, "api00", "--mean", "--targets", targets)
    assert ran.code == 3, ran.stdout + ran.stderr
    message = " ".join(ran.stderr.split())
    assert f"{targets}, line 5: enroll" in message, message
    assert ("targets are population counts per category (variable,category,target); calibration to the total of a "
            "numeric variable (R's calibrate(~stype + enroll)) is not supported") in message, message


@pytest.mark.parametrize("lang, words", [
    ("en", "warning: the targets in shares.csv add up to 1: population totals are counts; shares give weights that "
           "sum to 1 for 200 rows — scale them by the population size"),
    ("nb", "advarsel: målene i shares.csv summerer seg til 1: populasjonstotaler er antall"),
    ("nn", "åtvaring: måla i shares.csv summerer seg til 1: populasjonstotalar er tal på personar"),
])
def test_shares_given_as_totals_are_warned_of(run_main, tmp_path, lang, words):
    """Was: targets that add up to 1 were used silently (weights of 0.003 summing to 1)."""
    shares = tmp_path / "shares.csv"
    shares.write_text("variable,category,target\nstype,E,0.7137\nstype,H,0.1219\nstype,M,0.1644\n", encoding="utf-8")
    for command in (("tab", APISRS, "api00", "--mean"), ("model", APISRS, "api00 ~ ell")):
        ran = run_main(*command, "--targets", shares, "--lang", lang)
        assert ran.code == 0, ran.stderr
        assert words in " ".join(ran.stderr.split()), ran.stderr


def test_percentages_are_warned_of_and_counts_are_not(run_main, tmp_path):
    percent = tmp_path / "percent.csv"
    percent.write_text("variable,category,target\nstype,E,71.37\nstype,H,12.19\nstype,M,16.44\n", encoding="utf-8")
    ran = run_main("tab", APISRS, "api00", "--mean", "--targets", percent, "--lang", "en")
    assert ran.code == 0 and "add up to 100: population totals are counts" in " ".join(ran.stderr.split())
    ran = run_main("tab", APISRS, "api00", "--mean", "--targets", STYPE, "--lang", "en")
    assert ran.code == 0 and "add up to" not in ran.stderr

"""`tab --replicates BRR|Fay --hadamard FILE`: replicates from R's own Hadamard matrix, against R
(tests/fixtures/r/replicate_hadamard.R).

R's as.svrepdesign(type = "BRR") takes hadamard(n) for n strata; tab's own matrix (Sylvester's for a power of two,
else Paley's) is another for most numbers of strata. A total's variance is the same with every Hadamard matrix, a
mean's or a share's is not: with R's matrix written by write.csv(hadamard(16), row.names = FALSE) the numbers are
R's; without it the design line says which matrix was used and that only totals are sure to be R's."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

R_DIR = Path(__file__).resolve().parents[1] / "fixtures" / "r"
R = json.loads((R_DIR / "replicate_hadamard.json").read_text())
DATA = R_DIR / "data" / "replicate_brr16.csv"
H16 = R_DIR / "data" / "hadamard16.csv"
DESIGN = ["--weight", "wt", "--strata", "cnum", "--cluster", "dnum"]
TYPES = {"brr": ["--replicates", "BRR"], "fay": ["--replicates", "Fay", "--fay-rho", "0.3"]}


def tab(run_main, *args, path=DATA) -> dict:
    ran = run_main("tab", path, *args, "--format", "json")
    assert ran.code == 0, ran.stderr
    return json.loads(ran.stdout)


@pytest.mark.parametrize("case", sorted(TYPES))
def test_with_r_hadamard_matrix_mean_total_and_shares_are_r(run_main, case):
    options = [*DESIGN, *TYPES[case], "--hadamard", str(H16)]
    got = tab(run_main, "api00", "--mean", *options)
    row, want = got["estimates"][0], R[case]["mean_api00"]
    assert row["estimate"] == pytest.approx(want["estimate"], rel=1e-10)
    assert row["se"] == pytest.approx(want["se"], rel=1e-9)
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(want["ci"], rel=1e-9)
    assert row["df"] == want["df"]
    assert got["design"]["replicate"]["hadamard"] == {"order": 20, "construction": "given", "file": str(H16),
                                                      "totals_only": False}
    assert got["design"]["replicate"]["scale"] == pytest.approx(R[case]["scale"], rel=1e-12)
    total = tab(run_main, "enroll", "--total", *options)["estimates"][0]
    assert total["se"] == pytest.approx(R[case]["total_enroll"]["se"], rel=1e-9)
    shares = tab(run_main, "stype", *options)["estimates"]
    assert [r["estimate"] for r in shares] == pytest.approx(R[case]["share_stype"]["estimate"], rel=1e-10)
    assert [r["se"] for r in shares] == pytest.approx(R[case]["share_stype"]["se"], rel=1e-9)


def test_a_matrix_of_plus_and_minus_one_without_header_is_the_same(run_main, tmp_path):
    rows = H16.read_text().splitlines()[1:]
    plain = tmp_path / "h.csv"
    plain.write_text("\n".join(",".join("-1" if v == "0" else "1" for v in r.split(",")) for r in rows) + "\n")
    got = tab(run_main, "api00", "--mean", *DESIGN, *TYPES["brr"], "--hadamard", str(plain))
    assert got["estimates"][0]["se"] == pytest.approx(R["brr"]["mean_api00"]["se"], rel=1e-9)


def test_without_hadamard_a_total_is_r_and_the_line_names_the_matrix(run_main, monkeypatch):
    """Paley's matrix of order 20 differs from R's: the total's SE is still R's, the mean's is not (18.768 here,
    R 17.783), and the design line and JSON say so."""
    got = tab(run_main, "enroll", "--total", *DESIGN, *TYPES["brr"])
    assert got["estimates"][0]["se"] == pytest.approx(R["brr"]["total_enroll"]["se"], rel=1e-9)
    assert got["design"]["replicate"]["hadamard"] == {"order": 20, "construction": "Paley", "file": None,
                                                      "totals_only": True}
    monkeypatch.setenv("COLUMNS", "400")
    for lang, words in (("en", "the Paley Hadamard matrix of order 20"),
                        ("nb", "Hadamard-matrisen av orden 20 (Paley)"),
                        ("nn", "Hadamard-matrisa av orden 20 (Paley)")):
        ran = run_main("tab", DATA, "api00", "--mean", *DESIGN, *TYPES["brr"], "--lang", lang)
        assert ran.code == 0 and words in ran.stdout, ran.stdout


def test_model_takes_it_too(run_main):
    ran = run_main("model", DATA, "api00 ~ enroll", *DESIGN, *TYPES["brr"], "--hadamard", str(H16), "--format",
                   "json")
    assert ran.code == 0, ran.stderr


@pytest.mark.parametrize("options, code, words", [
    ([*DESIGN, "--replicates", "JKn", "--hadamard", str(H16)], 2, "--replicates BRR, Fay or SDR"),
    ([*DESIGN, "--hadamard", str(H16)], 2, "--hadamard"),
    ([*DESIGN, *TYPES["brr"], "--hadamard", "nowhere.csv"], 3, "nowhere.csv"),
])
def test_hadamard_that_does_not_fit_is_refused(run_main, options, code, words):
    ran = run_main("tab", DATA, "api00", "--mean", *options)
    assert ran.code == code and words in ran.stderr and "Traceback" not in ran.stderr


def test_a_matrix_too_small_or_not_hadamard_names_the_file(run_main, tmp_path):
    small = tmp_path / "h8.csv"
    small.write_text("\n".join(H16.read_text().splitlines()[:9]) + "\n")
    ran = run_main("tab", DATA, "api00", "--mean", *DESIGN, *TYPES["brr"], "--hadamard", str(small))
    assert ran.code == 3 and "h8.csv" in ran.stderr and "Traceback" not in ran.stderr
    bad = tmp_path / "bad.csv"
    bad.write_text("1,1\n1,1\n")
    ran = run_main("tab", DATA, "api00", "--mean", *DESIGN, *TYPES["brr"], "--hadamard", str(bad))
    assert ran.code == 3 and "bad.csv" in ran.stderr


@pytest.mark.parametrize("lang, words", [
    ("en", "Finite population correction dropped in conversion: --replicates Fay does not use --fpc fpcx"),
    ("nb", "Endelighetskorreksjonen er droppet i konverteringen: --replicates Fay bruker ikke --fpc fpcx"),
    ("nn", "Endelegheitskorreksjonen er droppa i konverteringa: --replicates Fay brukar ikkje --fpc fpcx"),
])
def test_brr_and_fay_drop_the_fpc_with_r_warning(run_main, tmp_path, monkeypatch, lang, words):
    """R's as.svrepdesign(type = "Fay") warns "Finite population correction dropped in conversion"; the design
    line no longer names an fpc the replicates do not use, and the numbers are those without it (R's)."""
    path = tmp_path / "fpc.csv"
    path.write_text("".join(line + (",fpcx\n" if i == 0 else ",60\n")
                            for i, line in enumerate(DATA.read_text().splitlines())))
    monkeypatch.setenv("COLUMNS", "400")
    options = [*DESIGN, "--fpc", "fpcx", *TYPES["fay"], "--hadamard", str(H16)]
    ran = run_main("tab", path, "api00", "--mean", *options, "--lang", lang)
    assert ran.code == 0 and words in ran.stderr, ran.stderr
    assert "fpcx" not in ran.stdout
    got = tab(run_main, "api00", "--mean", *options, path=path)
    assert got["estimates"][0]["se"] == pytest.approx(R["fay"]["mean_api00"]["se"], rel=1e-9)
    assert got["design"]["replicate"]["fpc_used"] is None


def test_jk1_of_a_multistage_design_drops_the_later_fpc_with_r_warning(run_main, monkeypatch):
    monkeypatch.setenv("COLUMNS", "400")
    ran = run_main("tab", R_DIR / "data" / "mu284.csv", "y1", "--mean", "--cluster", "id1,id2", "--fpc", "n1,n2",
                   "--replicates", "JK1", "--lang", "en")
    assert ran.code == 0, ran.stderr
    assert ("Finite population corrections after first stage have been dropped: --replicates JK1 uses --fpc n1 "
            "only") in ran.stderr
    assert "finite population correction: n1)" in ran.stdout


def test_a_used_fpc_gives_no_warning(run_main):
    ran = run_main("tab", Path(__file__).resolve().parents[1] / "fixtures" / "r" / "data" / "replicate_apistrat.csv",
                   "api00", "--mean", "--weight", "pw", "--strata", "stype", "--fpc", "fpc", "--replicates", "JKn")
    assert ran.code == 0 and "dropped" not in ran.stderr


@pytest.mark.parametrize("case", sorted(TYPES))
def test_a_median_with_quantile_ci_beta_is_r_woodruff_interval(run_main, case):
    """R's svyquantile(…, interval.type = "beta") on replicate weights: 722–784, SE 14.623 (BRR), the "mean"
    interval; was 719–785, SE 15.567 (a beta interval R does not compute there)."""
    ran = run_main("tab", DATA, "api00", "--median", *DESIGN, *TYPES[case], "--hadamard", str(H16),
                   "--quantile-ci", "beta", "--format", "json")
    assert ran.code == 0 and "--quantile-ci beta" in ran.stderr
    row, want = json.loads(ran.stdout)["estimates"][0], R[case]["median_api00_beta"]
    assert row["estimate"] == want["estimate"]
    assert [row["ci_low"], row["ci_high"]] == pytest.approx(want["ci"], rel=1e-12)
    assert row["se"] == pytest.approx(want["se"], rel=1e-9)

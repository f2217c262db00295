"""Studies other than the 2025 one, from the command line alone: validate, weight, tab, report in
every format and export, with correct weights (the sum is the targets' total, every margin met) and
no text of the 2025 study in what they write."""

from __future__ import annotations

import json
import zipfile

import pandas as pd
import pytest

from fjernarbeid.errors import EXIT_OK

from .conftest import STUDIES

HARDANGER = STUDIES / "hardanger_remote"
PUPILS = STUDIES / "elevar_nn"
NORCE_WORDS = ("NORCE", "Norce", "IKKE LES", "leses ikke", "Respons", "SSB 2025", "25–60", "q207", "3.2.2")


def targets(path) -> pd.DataFrame:
    return pd.read_csv(path, comment="#")


def no_2025_text(folder) -> None:
    for path in folder.iterdir():
        if path.suffix in (".docx", ".xlsx"):
            with zipfile.ZipFile(path) as z:
                text = " ".join(z.read(n).decode("utf-8", "replace") for n in z.namelist() if n.endswith(".xml"))
        elif path.suffix == ".pdf":
            import shutil
            import subprocess

            if not shutil.which("pdftotext"):
                continue  # the PDF's text cannot be read here (poppler-utils); the other formats say the same
            text = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout
        else:
            text = path.read_text("utf-8")
        found = [w for w in NORCE_WORDS if w in text]
        assert not found, f"{path.name} says {found}"


@pytest.fixture(scope="module")
def hardanger_data(tmp_path_factory):
    from fjernarbeid.study import load_study
    from fjernarbeid.study.synthetic import synthesise

    path = tmp_path_factory.mktemp("hardanger") / "svar.csv"
    synthesise(load_study(HARDANGER), n=300, seed=3).to_csv(path, index=False)
    return path


def test_the_hardanger_survey_is_validated_weighted_tabulated_reported_and_exported(run_main, hardanger_data, tmp_path):
    ran = run_main("validate", hardanger_data, "--instrument", HARDANGER / "questionnaire.yaml")
    assert ran.code == EXIT_OK and "no errors" in ran.stdout

    ran = run_main("weight", hardanger_data, "--study", HARDANGER, "--out", tmp_path / "w.csv")
    assert ran.code == EXIT_OK, ran.stderr
    weighted = pd.read_csv(tmp_path / "w.csv")
    goal = targets(HARDANGER / "targets.csv")
    assert weighted["weight"].sum() == pytest.approx(goal["target"].sum())  # 11,921 people aged 20-66
    names = {4619: "Eidfjord", 4622: "Kvam", 4618: "Ullensvang", 4620: "Ulvik"}
    for row in goal.itertuples():  # every municipality × age cell met
        municipality, ages = row.category.split("|")
        lo, hi = map(int, ages.split("-"))
        cell = weighted["kommune"].map(names).eq(municipality) & weighted["alder"].between(lo, hi)
        assert weighted.loc[cell, "weight"].sum() == pytest.approx(row.target)

    ran = run_main("tab", hardanger_data, "tilfreds", "--study", HARDANGER, "--study-weighting", "--by", "kommune",
                   "--format", "json")
    assert ran.code == EXIT_OK, ran.stderr
    result = json.loads(ran.stdout)
    assert result["design"]["calibrated"] and "targets.csv" in result["weighting"]["text"]

    out = tmp_path / "rapport"
    ran = run_main("report", hardanger_data, "--study", HARDANGER, "--out", out, "--format", "html,json,xlsx,docx,pdf")
    assert ran.code == EXIT_OK, ran.stderr
    assert {p.name for p in out.iterdir()} == {"report.html", "results.json", "report.xlsx", "report.docx",
                                              "report.pdf"}
    results = json.loads((out / "results.json").read_text("utf-8"))
    assert results["weighting"]["sum_weights"] == pytest.approx(goal["target"].sum())
    # no catalogue: every question described, none judged against a published figure
    assert {f["verdict"] for f in results["findings"]} == {"not_published"}
    # integer questions (days at home) get their mean
    assert {f["analysis"] for f in results["findings"]} == {"distribution", "multiple_response", "numeric"}
    html = (out / "report.html").read_text("utf-8")
    assert "<h1>Fjernarbeidarar i Hardanger 2026</h1>" in html and 'lang="nn"' in html
    assert "poststratifiserte etter" in html and "måla i fila targets.csv (12 celler)" in html
    assert "Stemmer" not in html and "Vurdering" not in html
    no_2025_text(out)

    ran = run_main("export", hardanger_data, "--study", HARDANGER, "--to", tmp_path / "eksport" / "data.csv")
    assert ran.code in (EXIT_OK, 5), ran.stderr
    statement = json.loads(next((tmp_path / "eksport").glob("*disclosure*.json")).read_text("utf-8"))
    assert {"kommune", "arbeidsgjevar_stad", "kjonn", "utdanning"} <= set(statement["key_variables"])
    assert "fodselsar" not in pd.read_csv(tmp_path / "eksport" / "data.csv").columns


def test_the_kobotoolbox_version_is_weighted_by_age_from_the_birth_year(run_main, tmp_path):
    export = HARDANGER / "kobo_export.csv"
    ran = run_main("weight", export, "--study", HARDANGER / "study_kobo.yaml", "--completes-only",
                   "--out", tmp_path / "w.csv")
    assert ran.code == EXIT_OK, ran.stderr
    weighted = pd.read_csv(tmp_path / "w.csv")
    assert weighted["weight"].sum() == pytest.approx(targets(HARDANGER / "targets_kobo.csv")["target"].sum())

    out = tmp_path / "rapport"
    ran = run_main("report", export, "--study", HARDANGER / "study_kobo.yaml", "--completes-only", "--out", out,
                   "--format", "html,json")
    assert ran.code == EXIT_OK, ran.stderr
    results = json.loads((out / "results.json").read_text("utf-8"))
    assert all(f["status"] == "ok" for f in results["findings"]), [f["reason"] for f in results["findings"]]
    assert {f["verdict"] for f in results["findings"]} == {"not_published"}
    no_2025_text(out)


def test_a_target_table_that_does_not_cover_the_sample_is_an_error(run_main, hardanger_data, tmp_path):
    narrow = tmp_path / "smale.csv"
    narrow.write_text("variable,category,target\nalder,25-49,5000\nalder,50-66,5000\n", encoding="utf-8")
    ran = run_main("weight", hardanger_data, "--study", HARDANGER, "--targets", narrow, "--out", tmp_path / "w.csv")
    assert ran.code == 5 and "the target table must cover the sample" in ran.stderr
    assert not (tmp_path / "w.csv").exists()


def test_weighting_none_on_the_command_line_says_so_in_the_report(run_main, hardanger_data, tmp_path):
    ran = run_main("report", hardanger_data, "--study", HARDANGER, "--weighting", "none", "--out", tmp_path / "r",
                   "--format", "html")
    assert ran.code == EXIT_OK, ran.stderr
    assert "Dataa er ikkje vekta" in (tmp_path / "r" / "report.html").read_text("utf-8")


def test_the_pupils_survey_in_nynorsk_is_raked_with_its_own_category_for_other(run_main, tmp_path):
    data = tmp_path / "elevar.csv"
    assert run_main("synthetic", "--study", PUPILS, "--n", 400, "--out", data).code == EXIT_OK
    ran = run_main("validate", data, "--instrument", PUPILS / "questionnaire.yaml")
    assert ran.code == EXIT_OK

    ran = run_main("weight", data, "--study", PUPILS, "--out", tmp_path / "w.csv", "--format", "json")
    assert ran.code == EXIT_OK, ran.stderr
    report = json.loads(ran.stdout)
    goal = targets(PUPILS / "targets.csv")
    total = goal.loc[goal["variable"] == "trinn", "target"].sum()
    assert report["sum_weights"] == pytest.approx(total)
    margins = {(m["variable"], str(m["category"])): m for m in report["margins"]}
    for level, code in (("Vg1", "1"), ("Vg2", "2"), ("Vg3", "3")):
        want = goal.loc[goal["category"] == level, "target"].item()
        assert margins[("trinn", code)]["weighted"] == pytest.approx(want, rel=1e-4)
    weighted = pd.read_csv(tmp_path / "w.csv")
    other = weighted["kjonn"] == 3  # "Anna / vil ikkje svare": its own category, keeping its share
    assert weighted.loc[other, "weight"].sum() == pytest.approx(total * other.mean(), rel=1e-4)

    out = tmp_path / "rapport"
    ran = run_main("report", data, "--study", PUPILS, "--out", out, "--format", "html,json,docx")
    assert ran.code == EXIT_OK, ran.stderr
    html = (out / "report.html").read_text("utf-8")
    for heading in ("Kven svarte", "Valet av skule", "Framtida", "tillegg", "Vedlegg B: Spørjeskjema"):
        assert f"<h2>{heading}</h2>" in html  # a finding's section without a chapter still gets one
    assert "eigen kategori som held på sin del av utvalet" in html and "df = 3,0 og" in html
    no_2025_text(out)


def test_init_writes_a_study_that_runs_at_once(run_main, tmp_path):
    folder = tmp_path / "ny"
    ran = run_main("init", folder, "--n", 200)
    assert ran.code == EXIT_OK, ran.stderr
    assert {p.name for p in folder.iterdir()} == {"study.yaml", "questionnaire.yaml", "catalogue.yaml", "README.md",
                                                 "targets.csv", "data.csv"}
    assert run_main("validate", folder / "data.csv", "--instrument", folder / "questionnaire.yaml").code == EXIT_OK
    ran = run_main("report", folder / "data.csv", "--study", folder, "--out", folder / "rapport", "--format", "json")
    assert ran.code == EXIT_OK, ran.stderr
    results = json.loads((folder / "rapport" / "results.json").read_text("utf-8"))
    assert [f["status"] for f in results["findings"]] == ["ok"] * 9
    assert len({f["analysis"] for f in results["findings"]}) == 9  # one example of each analysis
    assert run_main("init", folder).code == 3  # never over an existing study


def test_no_question_of_the_2025_study_is_named_in_general_code():
    """A study's facts live in its files: the 2025 question names appear only under studies/ (and in
    the 2025 demo's synthetic-data model)."""
    import re
    from pathlib import Path

    import fjernarbeid
    from fjernarbeid.study import load_study

    names = sorted(load_study().instrument.names, key=len, reverse=True)
    pattern = re.compile(r"\b(" + "|".join(map(re.escape, names)) + r")\b")
    root = Path(fjernarbeid.__file__).parent
    found = []
    for path in root.rglob("*"):
        parts = path.relative_to(root).parts
        if path.is_dir() or parts[0] in ("studies", "demo") or path.suffix not in (".py", ".yaml", ".csv", ".j2"):
            continue
        for number, line in enumerate(path.read_text("utf-8").splitlines(), 1):
            if pattern.search(line):
                found.append(f"{path.relative_to(root)}:{number}: {line.strip()}")
    assert not found, "\n".join(found)

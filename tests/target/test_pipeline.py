"""The target analysis on the demo: what a council would read, and the promises the outputs make."""

from __future__ import annotations

import json
import re
from pathlib import Path

import pytest

SRC = Path(__file__).resolve().parents[2] / "src" / "fjernarbeid" / "target"


def _move(doc):
    return next(o for o in doc["outcomes"] if o["name"] == "move")


def test_municipalities_add_up_to_the_nation_within_rounding(target_doc):
    rec = _move(target_doc)["reconciliation"]
    assert rec["sum_of_municipalities"] == pytest.approx(rec["national"], rel=1e-12)
    assert abs(rec["sum_of_rounded_municipalities"] - rec["national"]) <= rec["rounding_tolerance"]


def test_benchmarked_municipalities_add_up_to_the_national_projection_of_the_findings(target_doc):
    for name, finding in (("move", "P18"), ("take_job_along", "P04")):
        rec = next(o for o in target_doc["outcomes"] if o["name"] == name)["reconciliation"]
        projection = rec["findings_projection"]
        assert projection["finding"] == finding
        assert rec["sum_of_benchmarked_municipalities"] == pytest.approx(projection["central"], rel=1e-12)
        assert abs(rec["sum_of_rounded_benchmarked_municipalities"] - projection["central"]) <= rec["rounding_tolerance"]


def test_counties_add_up_to_the_nation(target_doc):
    pot = _move(target_doc)["potential"]
    assert sum(c["potential"] for c in pot["counties"]) == pytest.approx(pot["national"]["potential"], rel=1e-12)


def test_region_is_the_sum_of_its_municipalities(target_doc):
    pot = _move(target_doc)["potential"]
    assert {r["municipality_code"] for r in pot["region_municipalities"]} == {"4618", "4619", "4620", "4622"}
    assert sum(r["potential"] for r in pot["region_municipalities"]) == pytest.approx(pot["region"]["potential"])
    assert target_doc["region"]["name"] == "Hardanger"


def test_every_interval_contains_its_estimate_and_the_variance_carries_both_models(target_doc):
    for row in _move(target_doc)["potential"]["municipalities"]:
        assert row["ci_low"] < row["potential"] < row["ci_high"]
        assert row["se_from_propensity_model"] > 0 and row["se_from_eligibility_model"] > 0
        assert row["se"] ** 2 == pytest.approx(row["se_from_propensity_model"] ** 2 + row["se_from_eligibility_model"] ** 2)


def test_no_printed_count_has_more_digits_than_its_interval_supports(target_doc):
    for row in _move(target_doc)["potential"]["municipalities"]:
        unit = row["rounding_unit"]
        half = (row["ci_high"] - row["ci_low"]) / 2
        assert unit <= max(half / 10, 1) and (unit == 1 or unit * 100 > half)
        for value in row["rounded"].values():
            assert value % unit == 0


def test_weak_municipalities_are_flagged_by_the_respondents_of_their_centrality_group(target_doc):
    spec = target_doc["variables"]  # the specification's groups travel with the results
    assert "centrality_group" in spec
    rows = _move(target_doc)["potential"]["municipalities"]
    statuses = {r["status"] for r in rows}
    assert statuses <= {"ok", "weak", "suppressed"}
    for r in rows:
        if r["respondents_in_group"] < 20:
            assert r["status"] == "suppressed"
        elif r["respondents_in_group"] < 50 or r["cv"] > 0.3:
            assert r["status"] in ("weak", "suppressed")


def test_segments_are_ranked_by_size_and_by_propensity(target_doc):
    segs = _move(target_doc)["segments"]
    assert [s["rank_size"] for s in segs] == list(range(1, len(segs) + 1))
    assert sorted(s["rank_propensity"] for s in segs) == list(range(1, len(segs) + 1))
    by_p = sorted(segs, key=lambda s: s["rank_propensity"])
    assert all(a["propensity"] >= b["propensity"] for a, b in zip(by_p, by_p[1:]))
    assert sum(s["potential"] for s in segs) == pytest.approx(_move(target_doc)["potential"]["national"]["potential"])


def test_every_output_states_the_synthetic_estimator_caveat(target_result, tmp_path):
    from markupsafe import escape

    from fjernarbeid.target.analysis import CAVEAT
    from fjernarbeid.target.outputs import write_outputs

    for lang in ("nb", "nn", "en"):
        written = write_outputs(target_result, tmp_path / lang, lang)
        for path in written:
            if path.suffix == ".csv":
                assert path.read_text("utf-8").splitlines()[0] == f"# {CAVEAT[lang]}"
            elif path.suffix == ".html":
                assert str(escape(CAVEAT[lang])) in path.read_text("utf-8")
            elif path.suffix == ".json":
                assert json.loads(path.read_text("utf-8"))["synthetic_estimator_caveat"][lang] == CAVEAT[lang]
            elif path.suffix == ".xlsx":
                from openpyxl import load_workbook

                wb = load_workbook(path)
                assert all(wb[name]["A1"].value == CAVEAT[lang] for name in wb.sheetnames if name != "about")


def test_the_results_json_says_which_variance_method_was_used(target_doc):
    assert target_doc["schema"] == "fjernarbeid.target/1"
    assert target_doc["variance_method"]["name"] == "linearisation"


def test_the_general_code_names_no_question_of_the_study():
    questions = re.compile(r"\bq\d{1,3}(_\d+)?\b")
    for path in SRC.rglob("*"):
        if path.suffix in (".py", ".j2"):
            found = questions.findall(path.read_text("utf-8"))
            assert not found, f"{path.name} names questions of the study: {found}"


def test_the_report_gets_chapter_4_5_when_the_data_allow(demo_files, demo, instrument):
    from fjernarbeid.data.derive import derive
    from fjernarbeid.refdata import RefData
    from fjernarbeid.survey.weighting import weight_study
    from fjernarbeid.target.report_hook import report_section

    ref = RefData(demo_files / "refdata")
    frame = derive(demo.survey, instrument, ref)
    design = weight_study(frame, instrument).design
    section = report_section(frame, design, demo_files / "demo_dispositions.csv", instrument, ref, "en")
    assert section.reason is None and "4.5 Target groups" in section.html
    assert "P18" in section.html  # the national projection of the findings beside ours
    assert "Hardanger" in section.html  # the study's own region (targeting.yaml)
    broken = demo_files / "no_screening.csv"
    broken.write_text("disposition\n1.1\n", encoding="utf-8")
    note = report_section(frame, design, broken, instrument, ref, "en")
    assert note.doc is None and "was not computed" in note.html and "q201" in note.html


def test_a_register_by_municipality_in_the_refdata_directory_replaces_the_shipped_summary(refdata_dir, tmp_path):
    from fjernarbeid.refdata import RefData, population_by_municipality
    from fjernarbeid.target.analysis import population_for

    shared = RefData(refdata_dir)
    if not shared.has("population_municipality"):
        pytest.skip("no SSB 07459 by municipality in ../shared/refdata")
    pop = population_for(shared)
    assert "07459" in pop.source and "ssb07459_population_by_municipality" in pop.source
    shipped = population_by_municipality().set_index(["municipality_code", "sex", "age_group"])["population"]
    ours = pop.cells.set_index(["municipality_code", "sex", "age_group"])["population"]
    assert ours.sort_index().equals(shipped.sort_index())  # the summary is exactly the register, summed
    assert population_for(RefData(tmp_path)).source.startswith("SSB StatBank table 07459, population aged 25-60")


def test_a_region_given_as_a_county_is_named_by_the_county_and_a_repeated_code_counts_once():
    import pandas as pd

    from fjernarbeid.target.analysis import region_label

    munis = pd.DataFrame({"municipality_code": ["4618", "4619", "0301"], "municipality_name": ["Ullensvang", "Eidfjord", "Oslo"],
                          "county_code": ["46", "46", "03"], "county_name": ["Vestland", "Vestland", "Oslo"]})
    assert region_label(["46"], munis) == "Vestland"
    assert region_label(["46", "0301"], munis) == "Vestland, Oslo"
    assert region_label(["4618", "4619"], munis) == "Ullensvang, Eidfjord"


def test_a_repeated_region_code_is_one_area(demo_files):
    from fjernarbeid.target.analysis import _region_info, population_for
    from fjernarbeid.refdata import RefData

    info = _region_info(["4618", "4618", "46"], population_for(RefData.locate(demo_files / "refdata")), None)
    assert info["codes"] == ["4618", "46"]
    assert info["name"] == "Ullensvang, Vestland"
    assert len(info["municipalities"]) == len(set(info["municipalities"]))


def test_importance_items_carry_every_report_language(target_doc):
    # a questionnaire with nynorsk texts shows them in the nynorsk chapter (without, nn falls back to bokmål)
    items = target_doc["data"]["items"]
    assert items and all(set(labels) == {"nb", "nn", "en"} and all(labels.values()) for labels in items.values())

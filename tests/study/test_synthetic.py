"""Synthetic answers for a study of one's own: they pass the study's own validation."""

from __future__ import annotations

import openpyxl

from fjernarbeid.data import read_survey, validate
from fjernarbeid.refdata import RefData
from fjernarbeid.study import load_study
from fjernarbeid.study.synthetic import synthesise


def test_a_cascading_select_draws_only_the_choices_its_filter_offers(tmp_path):
    """A village is drawn among the villages of the municipality drawn before it (choice_filter
    kommune=${kommune}); the answers validate without `choice_not_offered`."""
    wb = openpyxl.Workbook()
    survey = wb.active
    survey.title = "survey"
    for row in [("type", "name", "label", "choice_filter"), ("select_one kommune", "kommune", "Kommune", ""),
                ("select_one bygd", "bygd", "Bygd", "kommune=${kommune}")]:
        survey.append(row)
    choices = wb.create_sheet("choices")
    for row in [("list_name", "name", "label", "kommune"), ("kommune", "kvam", "Kvam", ""),
                ("kommune", "ulvik", "Ulvik", ""), ("bygd", "oystese", "Øystese", "kvam"),
                ("bygd", "norheimsund", "Norheimsund", "kvam"), ("bygd", "ulvik_sentrum", "Ulvik sentrum", "ulvik")]:
        choices.append(row)
    wb.save(tmp_path / "form.xlsx")
    (tmp_path / "study.yaml").write_text("id: bygder\ntitle: {nb: Bygder}\nquestionnaire: form.xlsx\n"
                                         "weighting: {method: none}\n", "utf-8")
    study = load_study(tmp_path)
    frame = synthesise(study, n=200, seed=4)
    frame.to_csv(tmp_path / "answers.csv", index=False)
    inst = study.instrument
    report = validate(read_survey(tmp_path / "answers.csv", inst), inst, RefData(None))
    assert "choice_not_offered" not in {p.rule for p in report.errors}
    ulvik = frame["kommune"] == inst["kommune"].codes_by_name()["ulvik"]
    assert set(frame.loc[ulvik, "bygd"].dropna()) == {inst["bygd"].codes_by_name()["ulvik_sentrum"]}

"""The generated fieldwork: deterministic, routed exactly as the questionnaire, internally consistent."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.studies.norce2025.demo import disposition_counts, generate_demo
from fjernarbeid.studies.norce2025.demo.frame import load_frame
from fjernarbeid.fieldwork import summarise_fieldwork


def test_same_seed_same_data_other_seed_other_data(make_demo):
    first, again = make_demo(500, 2025), generate_demo(500, 2025)
    pd.testing.assert_frame_equal(first.survey, again.survey)
    pd.testing.assert_frame_equal(first.dispositions, again.dispositions)
    assert first.generated == again.generated
    other = make_demo(500, 1)
    assert not first.survey.drop(columns="id").equals(other.survey.drop(columns="id"))


def test_columns_are_the_instruments_canonical_names_in_order(make_demo, instrument):
    survey = make_demo().survey
    assert list(survey.columns) == [instrument.id_variable] + instrument.names
    assert survey["id"].tolist() == list(range(1, 501))


def test_routing_is_exact(make_demo, instrument):
    survey = make_demo(2000, 3).survey
    for name, asked in instrument.asked_mask(survey).items():
        asked = asked.fillna(False).to_numpy(dtype=bool)
        present = survey[name].notna().to_numpy(dtype=bool)
        assert (present == asked).all(), f"{name}: answered where not asked or missing where asked"
    assert (survey["q13"].notna() == (survey["q12"] < 6)).all()
    assert (survey["q5_text"].notna() == (survey["q5"] == 3)).all()
    # everyone else answered everything
    unrouted = [q.name for q in instrument if q.ask_if is None]
    assert survey[unrouted].notna().all().all()


def test_every_answer_is_a_valid_code(make_demo, instrument):
    survey = make_demo(2000, 3).survey
    for q in instrument:
        x = survey[q.name].dropna()
        if q.codes:
            assert x.isin(q.valid_codes).all(), q.name
        if q.type == "integer":
            lo, hi = instrument.range_of(q)
            assert x.between(lo, hi).all(), q.name
    assert survey["q202"].min() >= 1964 and survey["q202"].max() <= 2000
    assert survey["q3"].between(1, 20).all()
    assert survey["q201"].str.fullmatch(r"\d{4}").all()
    assert set(survey["q201"]) <= set(load_frame()["postal_code"])


def test_nobody_screened_out_is_interviewed(make_demo, instrument):
    survey = make_demo(2000, 3).survey
    for q in instrument.screening_questions:
        assert not survey[q.name].isin(sorted(q.screen_out)).any(), q.name
    assert survey["q2"].eq(1).all()


def test_another_municipality_is_another_one(make_demo):
    survey = make_demo(2000, 3).survey
    frame = load_frame().set_index("postal_code")
    home = frame.loc[survey["q201"], "municipality_name"].to_numpy()
    other = survey["q5_text"].to_numpy(dtype=object)
    named = survey["q5"].eq(3).to_numpy()
    assert (other[named] != home[named]).all()
    assert set(other[named]) <= set(frame["municipality_name"])


def test_not_sure_is_rare_but_present(make_demo, instrument):
    survey = make_demo(5000, 3).survey
    for q in instrument:
        if q.missing_codes:
            asked = survey[q.name].dropna()
            rate = asked.isin(q.missing_codes).mean()
            assert 0.005 < rate < 0.05, f"{q.name}: 'not sure' in {rate:.1%}"


def test_the_log_has_the_reports_fieldwork(make_demo, instrument):
    log = make_demo().dispositions
    summary = summarise_fieldwork(log, instrument)
    assert (summary.contacts, summary.completes) == (1074, 500)
    assert summary.screened_out == {"S1": 182, "S2": 392}
    assert log["contact_id"].is_unique
    counts = log["disposition"].astype(str).value_counts().to_dict()
    assert counts == {k: v for k, v in disposition_counts(500).items() if v}


def test_log_and_interviews_agree_on_each_respondent(make_demo):
    demo = make_demo()
    completes = demo.dispositions[demo.dispositions["disposition"] == "1.1"].set_index("id").sort_index()
    survey = demo.survey.set_index("id")
    assert completes.index.tolist() == survey.index.tolist()
    for column in ("q201", "q202", "q1", "q2"):
        assert completes[column].astype(str).tolist() == survey[column].astype(str).tolist(), column


def test_screening_answers_in_the_log_match_each_outcome(make_demo):
    log = make_demo().dispositions
    code = log["disposition"].astype(str)
    assert log.loc[code == "4.71", "q1"].eq(3).all() and log.loc[code == "4.71", "q2"].isna().all()
    assert log.loc[code == "4.72", "q1"].isin([1, 2]).all() and log.loc[code == "4.72", "q2"].eq(2).all()
    not_screened = ~code.isin(["1.1", "4.71", "4.72"])
    assert log.loc[not_screened, ["q1", "q2"]].isna().all().all()
    assert log.loc[code == "3.212", "q201"].notna().all()  # broke off after giving the postal code
    assert log.loc[~code.isin(["1.1", "4.71", "4.72", "3.212"]), ["q201", "q202"]].isna().all().all()
    assert log.loc[code != "1.1", "id"].isna().all()


def test_call_attempts_and_dates_lie_in_the_fieldwork(make_demo, instrument):
    log = make_demo().dispositions
    dates = pd.to_datetime(log["final_date"].astype(str))
    assert dates.min() >= pd.Timestamp(instrument.fieldwork_start)
    assert dates.max() <= pd.Timestamp(instrument.fieldwork_end)
    assert log["attempts"].between(1, 6).all()
    assert log.loc[log["disposition"].astype(str).isin(["3.13", "3.14"]), "attempts"].eq(6).all()


@pytest.mark.parametrize("n", [1, 37, 1250])
def test_other_sizes_scale_the_log(n, instrument):
    demo = generate_demo(n=n, seed=5)
    assert len(demo.survey) == n
    counts = demo.dispositions["disposition"].astype(str).value_counts()
    for code, k in disposition_counts(n).items():
        assert counts.get(code, 0) == k, code
    summary = summarise_fieldwork(demo.dispositions, instrument)
    expected = disposition_counts(n)
    assert summary.screened_out == {"S1": expected["4.71"], "S2": expected["4.72"]}


def test_bad_arguments_are_refused():
    with pytest.raises(ValueError, match="at least one interview"):
        generate_demo(n=0)
    with pytest.raises(ValueError, match="non-negative"):
        generate_demo(seed=-1)


def test_generation_date_comes_from_the_seed_not_the_clock(make_demo, instrument):
    assert make_demo(500, 1).generated != make_demo(500, 2).generated
    assert make_demo(500, 1).generated > instrument.fieldwork_end
    assert np.datetime64(make_demo(500, 2025).generated) == np.datetime64("2025-12-02")

"""The findings catalogue run on the calibrated demo survey, and on data where findings cannot be computed."""

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.findings.catalogue import load_catalogue
from fjernarbeid.findings.run import analysis_frame, render_sentence, run_findings
from fjernarbeid.survey.weighting import weight_study


def test_every_published_finding_replicates_on_the_demo(demo_results):
    ids = [f.id for f in demo_results.findings]
    assert [f"P{i:02d}" for i in range(1, 30)] == [i for i in ids if len(i) == 3]
    verdicts = {f.id: (f.verdict, f.reason) for f in demo_results.findings}
    assert all(v == "agrees" for v, _ in verdicts.values()), verdicts


def test_shares_exclude_not_sure_and_match_a_weighted_count(demo_results, demo_frame, instrument):
    # P06: weighted share agreeing (1-2) with q10_2 among those who gave a substantive answer (1-5)
    w = weight_study(demo_frame, instrument).weights.to_numpy()
    q = demo_frame["q10_2"].to_numpy(dtype=float)
    substantive = np.isin(q, [1, 2, 3, 4, 5])
    expected = w[substantive & np.isin(q, [1, 2])].sum() / w[substantive].sum()
    est = demo_results["P06"].estimate("agree")
    assert est.estimate == pytest.approx(expected, rel=1e-12)
    assert est.n_unweighted == substantive.sum()
    assert est.ci_low < est.estimate < est.ci_high


def test_routed_questions_use_only_those_asked(demo_results, demo_frame):
    asked = (demo_frame["q12"] < 6) & demo_frame["q13"].isin([1, 2, 3])
    assert demo_results["P03"].base["n_unweighted"] == asked.sum()


def test_associations_carry_a_test_and_an_effect_size(demo_results):
    for fid in ("P05", "P12", "P13", "P17", "P21", "P22", "P25", "P26", "P27", "P28"):
        tests = demo_results[fid].tests
        assert tests and all(t.p is None or 0 <= t.p <= 1 for t in tests), fid
        assert any(t.effect is not None for t in tests), fid
    alpha = demo_results["P14"].estimate("alpha")
    assert 0.7 <= alpha.estimate < 1 and alpha.ci_low < alpha.estimate < alpha.ci_high


def test_projection_interval_carries_both_uncertainties(demo_results):
    proj = demo_results["P18"].projections[0]
    share = demo_results["P18"].estimate("relevant")
    assert proj["low"] == pytest.approx(share.ci_low * 0.40 * 2_863_316)
    assert proj["high"] == pytest.approx(share.ci_high * 0.50 * 2_863_316)


def test_a_missing_question_or_empty_group_is_reported_not_invented(demo_frame, instrument):
    frame = demo_frame.drop(columns=["q13"])
    frame["q21"] = 1  # everyone accepts only 30 minutes: P21 has one group
    weighted = weight_study(frame, instrument)
    res = run_findings(frame, design=weighted.design, instrument=instrument)
    for fid in ("P03", "P13", "P27"):
        assert res[fid].status == "not_computed" and "q13" in res[fid].reason
        assert res[fid].verdict == "not_computed" and not res[fid].estimates
    assert res["P21"].status == "not_computed" and "two groups" in res["P21"].reason
    assert res["P01"].status == "not_computed" and "disposition log" in res["P01"].reason
    assert res["P06"].verdict == "agrees"  # the others still run


def test_analysis_frame_blanks_not_sure_and_skipped(instrument):
    frame = pd.DataFrame({"q12": [6, 3, 3], "q13": [1, 4, 2], "q6_1": [6, 1, 5]})
    out = analysis_frame(frame, instrument)
    assert out["q13"].isna().tolist() == [True, True, False]  # skipped, not sure, answered
    assert out["q6_1"].isna().tolist() == [True, False, False]


def test_sentences_in_both_languages(demo_results):
    nb, en = demo_results["P06"].sentence["nb"], demo_results["P06"].sentence["en"]
    assert "95 % KI" in nb and "95 % CI" in en and "%" in nb
    assert render_sentence("{x} og {missing}", {"x": 3}, "nb") == "3 og –"


def test_catalogue_is_editable_data(tmp_path, instrument):
    text = """
schema_version: 1
code_sets: {agree: {codes: [1, 2], nb: enig, en: agree}}
findings:
  - id: X1
    section: "3.2.3"
    analysis: shares
    variable: q6_1
    sets: [agree]
    title: {nb: Test, en: Test}
    sentence: {nb: "{agree}", en: "{agree}"}
    published: {agree: {comparator: gt, value: 10}}
"""
    path = tmp_path / "c.yaml"
    path.write_text(text)
    cat = load_catalogue(path, instrument=instrument)
    frame = pd.DataFrame({"q6_1": [1, 2, 3, 4, 5, 1] * 5, "q207": [1, 2] * 15})
    res = run_findings(frame, None, instrument=instrument, catalogue=cat)
    assert res["X1"].estimate("agree").estimate == pytest.approx(0.5)
    assert res["X1"].verdict == "agrees"
    bad = tmp_path / "bad.yaml"
    bad.write_text(text.replace("q6_1", "q99"))
    with pytest.raises(Exception, match="X1 uses q99"):
        load_catalogue(bad, instrument=instrument)


def test_projection_by_centrality_and_county_warns_for_small_groups(demo_results):
    by_group = [p for p in demo_results["P18"].projections if p.get("group")]
    assert {p["group"]["variable"] for p in by_group} == {"centrality", "county"}
    national = next(p for p in demo_results["P18"].projections if not p.get("group"))
    central = [p for p in by_group if p["group"]["variable"] == "centrality"]
    # the groups' central estimates add up to the national one (joint shares of one base)
    assert sum(p["central"] for p in central) == pytest.approx(national["central"], rel=1e-9)
    small = [p for p in by_group if p["n_unweighted"] < 50]
    assert small and all("too wide" in p["warning"] for p in small)
    table = next(t for t in demo_results["P18"].tables if t.name == "estimates_projection:county")
    note, flag = table.columns.index("note"), table.columns.index("suppressed")
    assert any(row[note] == "skjult" and row[flag] is True and row[2] is None for row in table.rows)  # too few to show


def test_findings_in_two_threads_are_the_findings_in_one(demo_frame, demo, instrument, demo_results, monkeypatch):
    # large data run the findings in two threads; the results must not depend on it
    import json

    from fjernarbeid.fieldwork import summarise_fieldwork
    from fjernarbeid.findings import run

    monkeypatch.setattr(run, "PARALLEL_FROM_ROWS", 0)
    monkeypatch.setattr(run.os, "cpu_count", lambda: 2)
    weighted = weight_study(demo_frame, instrument)
    threaded = run_findings(demo_frame, design=weighted.design, instrument=instrument,
                            fieldwork=summarise_fieldwork(demo.dispositions, instrument), source="demo",
                            synthetic=True)
    assert json.dumps(threaded.to_dict(), default=str) == json.dumps(demo_results.to_dict(), default=str)


def test_a_not_sure_answer_to_a_filter_question_is_an_answer_to_the_routing():
    """`flytte != 5` is true for "vet ikke" (6), as the form evaluated it and validation checks it: those
    respondents were asked `grunn` and their answers count; only the skipped answer of row 3 is dropped."""
    from fjernarbeid.instrument import instrument_from_dict

    scale = [{"code": c, "nb": str(c)} for c in range(1, 6)] + [{"code": 6, "nb": "Vet ikke", "missing": True}]
    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "flytte", "type": "single", "codes": scale},
        {"name": "grunn", "type": "single", "ask_if": "flytte != 5", "codes": [{"code": 1, "nb": "Jobb"},
                                                                                 {"code": 2, "nb": "Familie"}]},
        {"name": "mer", "type": "single", "ask_if": "grunn == 1", "codes": [{"code": 1, "nb": "Ja"}]},
    ]})
    frame = pd.DataFrame({"flytte": [1, 6, 5, 6], "grunn": [1, 2, 1, 1], "mer": [1, None, 1, 1]})
    out = analysis_frame(frame, inst)
    assert out["flytte"].isna().tolist() == [False, True, False, True]  # "not sure" is no estimate …
    assert out["grunn"].tolist()[:2] == [1, 2] and np.isnan(out["grunn"][2])  # … but it was asked the next one
    assert out["mer"].isna().tolist() == [False, True, True, False]  # row 3: its filter answer was skipped


def test_a_sentence_names_the_effects_it_cites(demo_results):
    """'(spm. 23: -0,45, p < 0,001)' left the reader guessing; the sentence says which statistic it is."""
    findings = {f.id: f for f in demo_results.findings}
    assert "Spearmans rho 0,35, p < 0,001" in findings["P12"].sentence["nb"]
    assert "Spearman's rho 0.35, p < 0.001" in findings["P12"].sentence["en"]
    assert "Spearmans rho -0,45" in findings["P25"].sentence["nb"]


def test_a_sentence_value_is_written_in_the_sentences_language():
    """A nynorsk sentence (a study may write them) got the English 'difference' for a difference in means."""
    diff = {"diff": 0.5, "d": 0.31, "p": 0.012}
    assert render_sentence("({x})", {"x": diff}, "nn") == "(skilnad 0,50, d = 0,31, p = 0,012)"
    assert render_sentence("({x})", {"x": diff}, "nb") == "(differanse 0,50, d = 0,31, p = 0,012)"
    assert render_sentence("({x})", {"x": diff}, "en") == "(difference 0.50, d = 0.31, p = 0.012)"
    test = {"F": 12.63, "ndf": 3.0, "ddf": 1491.0, "p": 0.0001}
    assert render_sentence("{x}", {"x": test}, "nn").endswith("df = 3,0 og 1\u00a0491, p < 0,001")
    assert render_sentence("{x}", {"x": test}, "en").endswith("df = 3.0 and 1,491, p < 0.001")


def test_the_respondents_table_groups_an_age_by_the_ranges_of_a_cross_it_is_weighted_by(coworking_study, run_main,
                                                                                       tmp_path):
    """Post-stratified to municipality × age ranges (``kommune×alder,kinn|18-39``), the respondents table listed
    every single year of age (63 rows, most hidden as ':'); a margin of the targets already did this."""
    import json

    ran = run_main("report", coworking_study.export, "--study", coworking_study.study, "--out", tmp_path / "r",
                   "--format", "json")
    assert ran.code == 0, ran.stderr
    results = json.loads((tmp_path / "r" / "results.json").read_text("utf-8"))
    rows = [r for r in results["respondents"][0]["rows"] if r[0] == "Hvor gammel er du?"]
    assert [r[1] for r in rows] == ["18-39", "40-59", "60+"]
    assert sum(r[2] for r in rows) == results["data"]["n"]
    frame = pd.read_csv(coworking_study.export, sep=";")
    ages = frame["om_deg/alder"]
    assert [r[2] for r in rows] == [int(ages.between(18, 39).sum()), int(ages.between(40, 59).sum()),
                                    int((ages >= 60).sum())]
    # post-stratified on the cells: each range's weighted share is its share of the targets
    targets = pd.read_csv(coworking_study.folder / "targets.csv")
    by_range = targets.assign(ages=targets.category.str.split("|").str[1]).groupby("ages", sort=False).target.sum()
    assert [r[4] for r in rows] == pytest.approx(list(by_range / by_range.sum()), rel=1e-9)


def test_the_call_log_may_still_be_read_when_the_findings_start(demo, demo_frame, demo_results, instrument):
    # the command line hands the findings a Future of the log's summary: only the fieldwork finding waits
    # for it, and a log that could not be read is raised when the findings are done
    import json
    import threading
    from concurrent.futures import Future

    from fjernarbeid.errors import InputFileError
    from fjernarbeid.fieldwork import summarise_fieldwork

    weighted = weight_study(demo_frame, instrument)
    later: Future = Future()
    summary = summarise_fieldwork(demo.dispositions, instrument)
    # resolved by another thread while the findings run (the fieldwork finding waits for it)
    threading.Timer(0.2, lambda: later.set_result(summary)).start()
    res = run_findings(demo_frame, design=weighted.design, instrument=instrument, fieldwork=later, source="demo",
                       synthetic=True)
    assert json.dumps(res.to_dict(), default=str) == json.dumps(demo_results.to_dict(), default=str)
    failed: Future = Future()
    failed.set_exception(InputFileError("log.csv: the disposition log is empty"))
    with pytest.raises(InputFileError, match="log.csv"):
        run_findings(demo_frame, design=weighted.design, instrument=instrument, fieldwork=failed)


def test_side_by_side_gives_every_result_in_order_from_both_threads():
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from fjernarbeid.findings.run import _side_by_side

    seen = set()

    def job(i):
        def do():
            seen.add(threading.get_ident())
            time.sleep(0.002)  # long enough that the other thread takes jobs too
            return i * i
        return do

    with ThreadPoolExecutor(max_workers=1) as pool:
        assert _side_by_side(pool, [job(i) for i in range(40)]) == [i * i for i in range(40)]
        assert _side_by_side(pool, []) == []
    assert threading.get_ident() in seen and len(seen) == 2


@pytest.mark.parametrize("failing", [0, 7])
def test_side_by_side_raises_the_error_and_leaves_the_rest_undone(failing):
    import time
    from concurrent.futures import ThreadPoolExecutor

    from fjernarbeid.findings.run import _side_by_side

    started = []

    def job(i):
        def do():
            started.append(i)
            time.sleep(0.001)
            if i == failing:
                raise ValueError(f"job {i}")
            return i
        return do

    with ThreadPoolExecutor(max_workers=1) as pool:
        with pytest.raises(ValueError, match=f"job {failing}"):
            _side_by_side(pool, [job(i) for i in range(40)])
    assert failing in started and len(started) <= failing + 3  # the jobs under way when it failed, no more


def test_per_code_counts_answer_codes_and_other_numbers_alike():
    from fjernarbeid.findings.run import _per_code

    rng = np.random.default_rng(3)
    w = rng.uniform(0.5, 2.0, 1000)
    inside = rng.random(1000) < 0.8
    for x in (rng.integers(1, 6, 1000).astype(float), rng.integers(1, 6, 1000) / 2.0):
        x[rng.random(1000) < 0.1] = np.nan
        present = ~np.isnan(x)
        got = _per_code(x, present, inside, w)
        assert [c for c, _, _ in got] == sorted(set(x[present]))
        for code, n, weight in got:
            assert n == int(np.count_nonzero((x == code) & inside))
            assert weight == pytest.approx(float(w[x == code].sum()), rel=1e-12)


def test_side_by_side_stops_the_other_thread_on_ctrl_c_between_jobs(monkeypatch):
    """Ctrl-C can reach the calling thread outside a job (taking the next one): the other thread
    then starts no new job either."""
    import threading
    import time
    from concurrent.futures import ThreadPoolExecutor

    from fjernarbeid.findings import run

    caller = threading.get_ident()
    checks = []

    class Interrupted(threading.Event):
        def is_set(self):
            if threading.get_ident() == caller:
                checks.append(1)
                if len(checks) == 3:
                    raise KeyboardInterrupt
            return super().is_set()

    monkeypatch.setattr(run.threading, "Event", Interrupted)
    started = []

    def job(i):
        def do():
            started.append(i)
            time.sleep(0.005)
            return i
        return do

    with ThreadPoolExecutor(max_workers=1) as pool:
        with pytest.raises(KeyboardInterrupt):
            run._side_by_side(pool, [job(i) for i in range(100)])
    assert len(started) < 10

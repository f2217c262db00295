"""A suppressed small cell carries no number in any format: Results withholds them when it is made."""

from __future__ import annotations

import json

from fjernarbeid.findings.results import EstimateRow, FindingResult, Results, Table


def _results() -> Results:
    finding = FindingResult(
        id="P20", section="3.2.3", analysis="share", title={"en": "Travel time"},
        estimates=[EstimateRow("cat1", "Up to 30 min", 0.57, 0.05, 0.47, 0.66, 117, 1000.0, 1.1),
                   EstimateRow("cat3", "Up to 2 h", 0.0195, 0.013, 0.0052, 0.07, 117, 1000.0, 1.0, suppressed=True)],
        checks=[{"what": "cat3", "rule": "approx", "published": {"value": 2.3}, "ours": [1.95, 0.52, 7.0], "ok": True},
                {"what": "cat1", "rule": "gt", "published": {"value": 50}, "ours": [57.0, 47.0, 66.0], "ok": True}],
        tables=[Table("shares", ["code", "label", "share", "ci_low", "n_unweighted", "suppressed"],
                      [[1, "Up to 30 min", 0.57, 0.47, 66, False], [3, "Up to 2 h", 0.0195, 0.0052, 2, True]])],
    )
    distribution = Table("q20", ["code", "share", "n_unweighted", "suppressed"], [[3, 0.0195, 2, True]])
    return Results(data={}, settings={"min_cell": 5}, weighting={}, fieldwork=None, findings=[finding],
                   distributions={"q20": distribution})


def test_results_json_carries_no_number_of_a_suppressed_cell(tmp_path):
    path = _results().write_json(tmp_path / "results.json")
    data = json.loads(path.read_text("utf-8"))
    finding = data["findings"][0]
    hidden = finding["estimates"][1]
    assert hidden["suppressed"] is True
    assert [hidden[k] for k in ("estimate", "se", "ci_low", "ci_high", "weighted_base", "deff")] == [None] * 6
    assert finding["checks"][0]["ours"] is None and finding["checks"][0]["ok"] is None
    assert finding["tables"][0]["rows"][1] == [3, "Up to 2 h", None, None, 2, True]
    assert data["distributions"]["q20"]["rows"][0] == [3, None, 2, True]
    assert "0.0195" not in path.read_text("utf-8") and "1.95" not in path.read_text("utf-8")


def test_what_is_not_suppressed_stays():
    finding = _results()["P20"]
    assert finding.estimate("cat1").estimate == 0.57
    assert finding.checks[1]["ours"] == [57.0, 47.0, 66.0]
    assert finding.tables[0].rows[0] == [1, "Up to 30 min", 0.57, 0.47, 66, False]

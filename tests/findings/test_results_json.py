"""results.json: the documented, versioned schema (docs/results-schema.md)."""

import json
import math

from fjernarbeid.findings.results import SCHEMA, SCHEMA_VERSION

ESTIMATE_KEYS = {"name", "label", "estimate", "se", "ci_low", "ci_high", "n_unweighted", "weighted_base", "deff",
                 "suppressed"}
TEST_KEYS = {"name", "method", "statistic", "df", "p", "effect_name", "effect", "effect_ci_low", "effect_ci_high"}
FINDING_KEYS = {"id", "section", "analysis", "title", "status", "reason", "sentence", "base", "estimates", "tests",
                "tables", "projections", "published", "checks", "verdict"}


def _no_nan(obj):
    if isinstance(obj, float):
        assert math.isfinite(obj)
    elif isinstance(obj, dict):
        for v in obj.values():
            _no_nan(v)
    elif isinstance(obj, list):
        for v in obj:
            _no_nan(v)


def test_results_json_follows_the_schema(demo_results, tmp_path):
    path = demo_results.write_json(tmp_path / "results.json")
    doc = json.loads(path.read_text("utf-8"))
    assert doc["schema"] == SCHEMA and doc["schema_version"] == SCHEMA_VERSION == 1
    assert set(doc) >= {"generator", "data", "settings", "weighting", "fieldwork", "respondents", "distributions",
                        "findings", "summary"}
    assert doc["data"]["synthetic"] is True and doc["data"]["n"] == 500
    assert doc["fieldwork"]["contacts"] == 1074
    for f in doc["findings"]:
        assert set(f) == FINDING_KEYS, f["id"]
        assert f["verdict"] in ("agrees", "differs", "not_computed")
        assert set(f["title"]) == {"nb", "en"}
        for e in f["estimates"]:
            assert set(e) == ESTIMATE_KEYS
        for t in f["tests"]:
            assert set(t) == TEST_KEYS
        for c in f["checks"]:
            assert set(c) == {"what", "rule", "published", "ours", "ok"}
    assert sum(doc["summary"].values()) == len(doc["findings"])
    _no_nan(doc)


def test_schema_is_documented():
    from pathlib import Path

    doc = (Path(__file__).resolve().parents[2] / "docs" / "results-schema.md").read_text("utf-8")
    for key in FINDING_KEYS | ESTIMATE_KEYS | TEST_KEYS:
        assert f"`{key}`" in doc, key

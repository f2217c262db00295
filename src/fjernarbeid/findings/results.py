"""Results of running the findings catalogue, and ``results.json``.

``results.json`` schema (version :data:`SCHEMA_VERSION`; documented in ``docs/results-schema.md``)::

    {
      "schema": "fjernarbeid.results", "schema_version": 1,
      "generator": {"name": "fjernarbeid", "version": "…"},
      "data": {"source": "…", "n": 500, "instrument": "norce-fjernarbeid-2025", "synthetic": false},
      "settings": {"confidence": 0.95, "min_cell": 5, "lang": "nb"},
      "weighting": {…weight report…},
      "fieldwork": {…fieldwork summary…} | null,
      "respondents": [{"name", "columns", "rows"}],          # table 3.2.1
      "distributions": {"<question>": {"name", "columns", "rows"}},  # weighted distribution of each question
      "findings": [
        {"id": "P06", "section": "3.2.3", "analysis": "shares", "status": "ok" | "not_computed",
         "reason": null | "why it could not be computed",
         "title": {"nb": "…", "en": "…"}, "sentence": {"nb": "…", "en": "…"},
         "base": {"description": "…", "n_unweighted": 487, "weighted_base": 486.2},
         "estimates": [{"name", "label", "estimate", "se", "ci_low", "ci_high", "n_unweighted",
                        "weighted_base", "deff", "suppressed"}],
         "tests": [{"name", "method", "statistic", "df", "p", "effect_name", "effect", "effect_ci_low",
                    "effect_ci_high"}],
         "tables": [{"name", "columns": [...], "rows": [[...], ...]}],
         "projections": [{…}],
         "published": {…as in the catalogue…},
         "checks": [{"what", "rule", "published", "ours", "ok"}],
         "verdict": "agrees" | "differs" | "not_computed"}
      ],
      "summary": {"agrees": 27, "differs": 1, "not_computed": 1}
    }

Shares are proportions (0-1); numbers are at full precision; ``null`` where a value does not exist.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

from fjernarbeid._io import write_text_atomic

SCHEMA = "fjernarbeid.results"
SCHEMA_VERSION = 1


@dataclass
class EstimateRow:
    name: str
    label: str
    estimate: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    n_unweighted: int | None = None
    weighted_base: float | None = None
    deff: float | None = None
    suppressed: bool = False


@dataclass
class TestRow:
    name: str
    method: str
    statistic: float | None
    df: list[float] | None
    p: float | None
    effect_name: str | None = None
    effect: float | None = None
    effect_ci_low: float | None = None
    effect_ci_high: float | None = None


@dataclass
class Table:
    name: str
    columns: list[str]
    rows: list[list[Any]]


@dataclass
class FindingResult:
    id: str
    section: str
    analysis: str
    title: dict[str, str]
    status: str = "ok"
    reason: str | None = None
    sentence: dict[str, str] = field(default_factory=dict)
    base: dict[str, Any] = field(default_factory=dict)
    estimates: list[EstimateRow] = field(default_factory=list)
    tests: list[TestRow] = field(default_factory=list)
    tables: list[Table] = field(default_factory=list)
    projections: list[dict[str, Any]] = field(default_factory=list)
    published: dict[str, Any] = field(default_factory=dict)
    checks: list[dict[str, Any]] = field(default_factory=list)
    verdict: str = "not_computed"

    def estimate(self, name: str) -> EstimateRow:
        for e in self.estimates:
            if e.name == name:
                return e
        raise KeyError(f"{self.id} has no estimate {name!r}")

    def test(self, name: str) -> TestRow:
        for t in self.tests:
            if t.name == name:
                return t
        raise KeyError(f"{self.id} has no test {name!r}")


@dataclass
class Results:
    data: dict[str, Any]
    settings: dict[str, Any]
    weighting: dict[str, Any]
    fieldwork: dict[str, Any] | None
    findings: list[FindingResult]
    generator: dict[str, str] = field(default_factory=dict)
    # Table 3.2.1: respondents by background variable, unweighted and weighted
    respondents: list[Table] = field(default_factory=list)
    # Full weighted distributions of every coded question, for charts (name → Table)
    distributions: dict[str, Table] = field(default_factory=dict)
    # Not written to results.json: the study (front matter, chapters) and the methods text of the
    # weighting done, by language, for the report made in the same run.
    study: Any = field(default=None, repr=False, compare=False)
    weighting_text: dict[str, str] = field(default_factory=dict, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Suppression is part of the results, not of one format's layout: no writer (json, html,
        # xlsx, docx, pdf) can then show what a small cell hides.
        for finding in self.findings:
            withhold_suppressed(finding)
        for table in (*self.respondents, *self.distributions.values()):
            _withhold_table(table)

    def __getitem__(self, finding_id: str) -> FindingResult:
        for f in self.findings:
            if f.id == finding_id:
                return f
        raise KeyError(finding_id)

    @property
    def summary(self) -> dict[str, int]:
        out = {"agrees": 0, "differs": 0, "not_computed": 0}
        for f in self.findings:
            out[f.verdict] = out.get(f.verdict, 0) + 1
        return out

    def to_dict(self) -> dict[str, Any]:
        out = _clean(
            {
                "schema": SCHEMA,
                "schema_version": SCHEMA_VERSION,
                "generator": self.generator,
                "data": self.data,
                "settings": self.settings,
                "weighting": self.weighting,
                "fieldwork": self.fieldwork,
            }
        )
        out["respondents"] = [_clean_fields(t) for t in self.respondents]
        out["distributions"] = {str(k): _clean_fields(t) for k, t in self.distributions.items()}
        out["findings"] = [_clean_fields(f) for f in self.findings]
        out["summary"] = _clean(self.summary)
        return out

    def write_json(self, path: str | Path) -> Path:
        return write_text_atomic(path, json.dumps(self.to_dict(), ensure_ascii=False, indent=2) + "\n")


# What a suppressed estimate keeps: its name, label and unweighted count (shown as "< k").
_WITHHELD = ("estimate", "se", "ci_low", "ci_high", "weighted_base", "deff")


def withhold_suppressed(finding: FindingResult) -> FindingResult:
    """Remove every number of a suppressed small cell from ``finding`` (in place; returns it).

    An estimate marked ``suppressed`` (fewer unweighted respondents than ``min_cell``) loses its
    estimate, standard error, confidence interval, weighted base and design effect; a check against
    the published figure loses our value for it; a table row marked suppressed loses its decimal
    numbers (shares, intervals). Counts, labels and the flag stay, so readers see *that* a cell is
    hidden.
    """
    hidden = set()
    for e in finding.estimates:
        if e.suppressed:
            hidden.add(e.name)
            for name in _WITHHELD:
                setattr(e, name, None)
    for check in finding.checks:
        if check.get("what") in hidden and "ours" in check:
            check["ours"] = None
            check["ok"] = None
    for table in finding.tables:
        _withhold_table(table)
    return finding


def _withhold_table(table: Table) -> None:
    if "suppressed" not in table.columns:
        return
    flag = table.columns.index("suppressed")
    for row in table.rows:
        if row[flag] is True or (row[flag] is not None and not isinstance(row[flag], str) and bool(row[flag])):
            for j, value in enumerate(row):
                if j != flag and isinstance(value, float):
                    row[j] = None


def _clean_fields(obj):
    """``_clean(dataclasses.asdict(obj))`` in one walk: asdict deep-copies every value it meets on the way
    (a quarter of writing results.json)."""
    if hasattr(type(obj), "__dataclass_fields__") and not isinstance(obj, type):
        return {f.name: _clean_fields(getattr(obj, f.name)) for f in fields(obj)}
    if isinstance(obj, dict):
        return {str(k): _clean_fields(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean_fields(v) for v in obj]
    return _clean(obj)


def _clean(obj):
    """JSON-safe: NaN/inf → null, numpy scalars → Python, tuples → lists."""
    if isinstance(obj, dict):
        return {str(k): _clean(v) for k, v in obj.items()}
    if isinstance(obj, (list, tuple)):
        return [_clean(v) for v in obj]
    if hasattr(obj, "item") and not isinstance(obj, (str, bytes)):
        try:
            obj = obj.item()
        except (ValueError, AttributeError):
            pass
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj

"""How often does a demo sample replicate each published finding? Run the findings over many seeds.

The demo reads its latent scores against fixed population cut points, so each sample's estimates
vary around the population values like real survey estimates. This script generates demos for a
range of seeds (default: 100 seeds, 1-100, n = 500), runs the findings catalogue on each exactly as
``fjernarbeid report`` does (post-stratified design, the report's verdict rules), and prints, for
every published figure:

* the mean and standard deviation of our estimate over the seeds,
* for shares published as "≈ x %": how often the estimate lies within 4 percentage points of x,
* how often the finding's verdict rule agrees (share: published ± 0.5 overlaps our 95 % CI;
  association: same sign and significance),

then how many seeds replicate every finding, and how many keep every "≈" share within 4 points.
Reference data: the demo's own subset (``fjernarbeid.studies.norce2025.demo.registers``), written to a temporary
directory, so no registers are needed.

Usage (from the repository root)::

    .venv/bin/python scripts/demo_seed_variation.py [--first 1] [--count 100] [--n 500] [--csv out.csv]

About a second per seed at n = 500.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import time
from pathlib import Path

import pandas as pd

from fjernarbeid.data.derive import derive
from fjernarbeid.studies.norce2025.demo import generate_demo
from fjernarbeid.studies.norce2025.demo.registers import write_registers
from fjernarbeid.fieldwork import summarise_fieldwork
from fjernarbeid.findings.run import run_findings
from fjernarbeid.instrument import load_instrument
from fjernarbeid.refdata import RefData
from fjernarbeid.survey.weighting import weight_study

TOLERANCE_PP = 4.0


def seed_checks(seed: int, n: int, refdata: RefData, instrument) -> list[dict]:
    """One row per verdict check of every finding for the demo of ``seed``."""
    demo = generate_demo(n, seed)
    frame = derive(demo.survey, instrument, refdata)
    weighted = weight_study(frame, instrument)
    results = run_findings(frame, design=weighted.design, instrument=instrument,
                           fieldwork=summarise_fieldwork(demo.dispositions, instrument), source="demo", synthetic=True)
    rows = []
    for finding in results.findings:
        for check in finding.checks:
            ours = check["ours"]
            estimate = ours[0] if isinstance(ours, list) and check["rule"].startswith("published ≈") else ours
            if isinstance(estimate, dict):  # an association: keep the effect
                estimate = estimate.get("effect")
            approx = check["rule"].startswith("published ≈")
            published = check["published"]
            rows.append({
                "seed": seed, "finding": finding.id, "check": check["what"], "rule": check["rule"],
                "published": published if isinstance(published, (int, float)) else None,
                "estimate": estimate if isinstance(estimate, (int, float)) else None,
                # no estimate (a cell too small to show): not within, and the verdict is not "agrees"
                "within_4pp": (estimate is not None and abs(estimate - published) <= TOLERANCE_PP) if approx else None,
                "agrees": check["ok"] is True,
            })
    return rows


def summarise(checks: pd.DataFrame) -> str:
    seeds = checks["seed"].nunique()
    by_check = checks.groupby(["finding", "check"], sort=False).agg(
        published=("published", "first"), mean=("estimate", "mean"), sd=("estimate", "std"),
        within_4pp=("within_4pp", lambda s: s.mean() if s.notna().all() else float("nan")),
        agrees=("agrees", "mean"))
    lines = [f"{seeds} seeds; share of seeds in percent",
             f"{'finding':<8} {'check':<18} {'published':>9} {'mean':>7} {'sd':>6} {'≤4 pp':>6} {'agrees':>6}"]
    for (finding, check), r in by_check.iterrows():
        published = "" if pd.isna(r["published"]) else f"{r['published']:g}"
        mean = "" if pd.isna(r["mean"]) else f"{r['mean']:.2f}"
        sd = "" if pd.isna(r["sd"]) else f"{r['sd']:.2f}"
        within = "" if pd.isna(r["within_4pp"]) else f"{100 * r['within_4pp']:.0f}"
        lines.append(f"{finding:<8} {str(check)[:18]:<18} {published:>9} {mean:>7} {sd:>6} {within:>6} "
                     f"{100 * r['agrees']:>6.0f}")
    per_seed = checks.groupby("seed").agg(all_agree=("agrees", "all"),
                                          shares_within=("within_4pp", lambda s: s.dropna().astype(bool).all()),
                                          shares_missed=("within_4pp", lambda s: (~s.dropna().astype(bool)).sum()))
    lines += [
        f"seeds where every finding agrees: {int(per_seed['all_agree'].sum())} of {seeds}",
        f"seeds where every '≈' share is within {TOLERANCE_PP:g} pp: {int(per_seed['shares_within'].sum())} of {seeds}"
        f" (shares outside per seed: mean {per_seed['shares_missed'].mean():.2f}, max {per_seed['shares_missed'].max()})",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--first", type=int, default=1, help="first seed (default 1)")
    parser.add_argument("--count", type=int, default=100, help="number of consecutive seeds (default 100)")
    parser.add_argument("--n", type=int, default=500, help="interviews per demo (default 500)")
    parser.add_argument("--csv", type=Path, help="also write every check of every seed to this CSV")
    args = parser.parse_args(argv)
    instrument = load_instrument()
    started = time.perf_counter()
    with tempfile.TemporaryDirectory() as tmp:
        refdata = RefData(write_registers(tmp))
        rows = [row for seed in range(args.first, args.first + args.count)
                for row in seed_checks(seed, args.n, refdata, instrument)]
    checks = pd.DataFrame(rows)
    if args.csv:
        from fjernarbeid._io import write_text_atomic

        write_text_atomic(args.csv, checks.to_csv(index=False, lineterminator="\n"))
    print(summarise(checks))
    print(f"({time.perf_counter() - started:.0f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark of weighting and estimation on a large synthetic survey (not a test).

    .venv/bin/python bench/bench_weighting.py [--rows 1000000] [--repeat 3] [--profile]

Prints the time to rake 1,000,000 rows to 3 margins of 10+ categories each (target: < 1 s), the
time to estimate 40 variables (20 means, 20 five-category proportions) with linearised standard
errors on the raked, stratified cluster design (target: < 5 s), each the median (min–max) of
``--repeat`` runs in this process, and the peak memory of the process (target: < 2 GB).
``--profile`` prints the hottest functions of each step. BLAS runs on one thread, as in the
command line (fjernarbeid.cli._threads), unless OPENBLAS_NUM_THREADS is set.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy loads

import argparse
import cProfile
import pstats
import resource
import statistics
import sys
import time

import numpy as np
import pandas as pd

from fjernarbeid.survey import rake, svydesign, svymean, svyprop

MARGINS = {"region": 12, "age_band": 10, "occupation": 14}


def synthetic_survey(n: int, seed: int = 1) -> pd.DataFrame:
    """A stratified cluster sample: 100 strata, 50 PSUs each, unequal weights, 40 analysis variables."""
    rng = np.random.default_rng(seed)
    psu = rng.integers(0, 5000, n)
    columns = {
        "stratum": psu // 50,
        "psu": psu,
        "w": rng.lognormal(3.0, 0.4, n),
    }
    for name, k in MARGINS.items():
        p = rng.dirichlet(np.full(k, 5.0))
        columns[name] = rng.choice(k, n, p=p).astype(np.int8)
    for j in range(20):
        columns[f"x{j}"] = rng.normal(50 + j, 10, n) + 0.5 * columns["region"]
    for j in range(20):
        columns[f"c{j}"] = rng.integers(1, 6, n).astype(np.int8)
    return pd.DataFrame(columns)


def margin_targets(frame: pd.DataFrame, seed: int = 2) -> dict[str, dict[int, float]]:
    """Population margins that differ from the sample's by up to ±20 % per category."""
    rng = np.random.default_rng(seed)
    total = frame["w"].sum() * 1.3
    out = {}
    for name in MARGINS:
        share = frame.groupby(name)["w"].sum() / frame["w"].sum() * rng.uniform(0.8, 1.2, frame[name].nunique())
        out[name] = (share / share.sum() * total).to_dict()
    return out


def timed(label: str, fn, profile: bool, repeat: int = 1):
    """fn's result and its times over ``repeat`` runs (the profile, if asked, of the first)."""
    seconds = []
    for i in range(repeat):
        profiler = cProfile.Profile() if profile and i == 0 else None
        start = time.perf_counter()
        if profiler:
            profiler.enable()
        result = fn()
        if profiler:
            profiler.disable()
        seconds.append(time.perf_counter() - start)
        if profiler:
            print(f"\n-- profile: {label}")
            pstats.Stats(profiler).sort_stats("cumulative").print_stats(12)
    return result, seconds


def spread(seconds: list[float]) -> str:
    return f"{statistics.median(seconds):6.2f} s ({min(seconds):.2f}–{max(seconds):.2f}, {len(seconds)} runs)"


def estimate_all(design) -> list:
    results = [svymean(design, f"x{j}") for j in range(20)]
    results += [svyprop(design, f"c{j}") for j in range(20)]
    return results


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=3, help="timed runs of each step")
    parser.add_argument("--profile", action="store_true")
    args = parser.parse_args(argv)

    frame = synthetic_survey(args.rows)
    targets = margin_targets(frame)
    design = svydesign(frame, "w", strata="stratum", cluster="psu")
    print(f"{args.rows:,} rows, {frame.shape[1]} columns; design: {design.degrees_of_freedom():,} df; "
          f"margins: {', '.join(f'{k} ({len(v)})' for k, v in targets.items())}")

    raked, seconds = timed("rake", lambda: rake(design, targets), args.profile, args.repeat)
    summary = raked.adjustments[-1].summary
    print(f"rake, 3 margins:                     {spread(seconds)}  (target < 1 s; {summary.iterations} sweeps, "
          f"largest last change {summary.max_change:.3g})")

    results, seconds = timed("estimate", lambda: estimate_all(raked), args.profile, args.repeat)
    print(f"40 estimates with linearised SEs:    {spread(seconds)}  (target < 5 s; 20 means, 20 × 5 shares)")
    print(f"   e.g. mean x0 = {results[0].estimate:.3f} (SE {results[0].se:.4f}, deff {results[0].deff:.2f}); "
          f"share c0=1 = {results[20][0].estimate:.4f} (SE {results[20][0].se:.5f})")

    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss  # KiB on Linux
    print(f"peak memory (RSS):                   {peak_kib / 1024**2:6.2f} GB (target < 2 GB)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

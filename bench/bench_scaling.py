"""Benchmark: the full analysis — reading, validation, weighting, the call log, every finding, no
rendering (``fjernarbeid report --format json``) — on demo studies of 10,000, 100,000 and 1,000,000
interviews, and how the time grows with n. Target at 1,000,000: under 20 s and 3 GB.

    .venv/bin/python bench/bench_scaling.py [--sizes 10000,100000,1000000] [--runs 3]
                                            [--workdir /tmp/fjernarbeid-bench] [--src DIR]

Each demo is generated once (``fjernarbeid demo --n N --no-sav``, about 20 s and 850 MB of files at
a million: the call log has ten rows per interview) and reused by later runs. ``--src`` runs the
report from another source tree on the same data (before/after figures). The growth exponent
between two sizes is log(t₂/t₁)/log(n₂/n₁): 1 is linear.
"""

from __future__ import annotations

import argparse
import math
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import demo_data, machine, markdown_table, print_machine, report_command, run_many, summary  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000,1000000", help="comma-separated numbers of interviews")
    parser.add_argument("--runs", type=int, default=3, help="runs per size (at least 3)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fjernarbeid-bench"))
    parser.add_argument("--src", type=Path, help="source tree to benchmark instead of the installed one")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    sizes = [int(s) for s in args.sizes.split(",")]

    print_machine(machine())
    env = dict(os.environ, PYTHONPATH=str(args.src.resolve())) if args.src else None
    rows, medians = [], []
    for n in sizes:
        data, made = demo_data(n, args.workdir)
        if made:
            print(f"demo of {n:,} interviews made in {made.wall:.1f} s ({made.peak_rss / 2**20:,.0f} MB): {data}")
        cmd = report_command(data, args.workdir / f"report-{n}", "json")
        print("command: " + " ".join(cmd) + (f"  (PYTHONPATH={args.src})" if args.src else ""))
        s = summary(run_many(cmd, args.runs, env, label=f"report n={n:,}"))
        growth = ""
        if medians:
            (n0, t0) = medians[-1]
            growth = f"{math.log(s['wall_median'] / t0) / math.log(n / n0):.2f}"
        medians.append((n, s["wall_median"]))
        rows.append([f"{n:,}", s["runs"], s["wall_s"], s["cpu_s"], s["peak_rss_mb"], growth])
    print(markdown_table(["n", "runs", "wall s, median (min–max)", "CPU s", "peak memory MB",
                          "growth exponent from the previous size"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ``fjernarbeid report`` on the demo study (500 interviews), HTML and JSON, the whole
process from a cold start (interpreter, imports, reading, validation, weighting, every finding,
19 charts, writing). Target: under 3 s.

    .venv/bin/python bench/bench_report.py [--runs 5] [--n 500] [--workdir /tmp/fjernarbeid-bench]
                                           [--refdata DIR] [--src DIR]

The demo is generated once into the work directory (``fjernarbeid demo --n 500 --no-sav``, with its
own ``refdata/`` subset) and reused; ``--refdata`` points at other reference data. ``--src`` runs the
report from another source tree (e.g. an older commit unpacked with ``git archive``) on the same
data, for before/after figures. Prints the machine, the command and a Markdown table row.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import demo_data, machine, markdown_table, print_machine, report_command, run_many, summary  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs to measure (at least 3)")
    parser.add_argument("--n", type=int, default=500, help="interviews in the demo study")
    parser.add_argument("--formats", default="html,json")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fjernarbeid-bench"))
    parser.add_argument("--refdata", type=Path, help="reference data (default: the demo's own refdata/)")
    parser.add_argument("--src", type=Path, help="source tree to benchmark instead of the installed one")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3")

    info = machine()
    print_machine(info)
    data, made = demo_data(args.n, args.workdir)
    if made:
        print(f"demo of {args.n:,} interviews made in {made.wall:.1f} s: {data}")
    env = dict(os.environ, PYTHONPATH=str(args.src.resolve())) if args.src else None
    cmd = report_command(data, args.workdir / f"report-{args.n}", args.formats, args.refdata)
    print("command: " + " ".join(cmd) + (f"  (PYTHONPATH={args.src})" if args.src else ""))
    s = summary(run_many(cmd, args.runs, env, label=f"report n={args.n}"))
    print(markdown_table(["n", "formats", "runs", "wall s, median (min–max)", "CPU s", "peak memory MB"],
                         [[f"{args.n:,}", args.formats, s["runs"], s["wall_s"], s["cpu_s"], s["peak_rss_mb"]]]))
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: ``fjernarbeid report … --format pdf,docx`` on the demo study (500 interviews), the whole
command from a cold start (interpreter, imports, reading, weighting, every finding, chapter 4.5, the
charts, the PDF printed by WeasyPrint and the Word document). Target (issue 13): under 10 s.

    .venv/bin/python bench/bench_documents.py [--runs 5] [--formats pdf,docx] [--workdir DIR]
                                              [--src DIR] [--lang nb]

``--src`` is another source tree's ``src`` directory (e.g. an older commit unpacked with
``git archive <commit> src | tar -x -C /tmp/before``, then ``--src /tmp/before/src``): the two trees are
then run in turn — before, after, before, after … — on the same data, so that a change in the machine's
load affects both alike, and the table gives both medians and their ratio. Prints the machine, the
command and a Markdown table.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import (demo_data, machine, markdown_table, print_machine, report_command, run_once,  # noqa: E402
                      spread)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=5, help="runs to measure per tree (at least 3)")
    parser.add_argument("--n", type=int, default=500, help="interviews in the demo study")
    parser.add_argument("--formats", default="pdf,docx")
    parser.add_argument("--lang", default="nb")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fjernarbeid-bench"))
    parser.add_argument("--src", type=Path, help="a second source tree (its src/) to run in turn with this one")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3")

    info = machine()
    print_machine(info)
    data, made = demo_data(args.n, args.workdir)
    if made:
        print(f"demo of {args.n:,} interviews made in {made.wall:.1f} s: {data}")
    cmd = report_command(data, args.workdir / f"documents-{args.n}", args.formats) + ["--lang", args.lang]
    trees = {"this tree": None}
    if args.src is not None:
        trees = {f"before ({args.src})": dict(os.environ, PYTHONPATH=str(args.src.resolve())), "after (this tree)": None}
    print("command: " + " ".join(cmd))
    runs: dict[str, list] = {name: [] for name in trees}
    run_once(cmd, None)  # a first run to warm the disk cache and the font cache, not counted
    for i in range(args.runs):
        for name, env in trees.items():
            r = run_once(cmd, env)
            runs[name].append(r)
            print(f"  {name} run {i + 1}/{args.runs}: {r.wall:.2f} s wall, {r.cpu:.2f} s CPU, "
                  f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    rows = [[name, args.formats, len(rs), spread([r.wall for r in rs]), spread([r.cpu for r in rs]),
             spread([r.peak_rss / 2**20 for r in rs], "{:,.0f}")] for name, rs in runs.items()]
    print(markdown_table(["tree", "formats", "runs", "wall s, median (min–max)", "CPU s", "peak memory MB"], rows))
    if len(runs) == 2:
        before, after = (statistics.median(r.wall for r in rs) for rs in runs.values())
        print(f"median wall time: {before:.2f} s → {after:.2f} s ({before / after:.2f}× faster)")
    return 0


if __name__ == "__main__":
    sys.exit(main())

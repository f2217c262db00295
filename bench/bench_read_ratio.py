"""Benchmark: the whole analysis of a demo study (``fjernarbeid report … --format json``, the
process from start to exit) against simply reading its files — the survey CSV typed
(``pandas.read_csv(engine="pyarrow")``) and the call log's disposition column — the ratio of
issue 12's target (≤ 3× at 300,000 respondents).

    .venv/bin/python bench/bench_read_ratio.py [--n 300000] [--runs 3] [--before-src DIR]
                                               [--workdir /tmp/fjernarbeid-bench] [--bytecode]

Every run is a fresh process, the programs taking turns (reading, report, [report of the before
tree]) so that a change in the machine's load falls on all of them alike. CPU time (user + system
of the process and its children, from the kernel) is the measure on a shared machine; wall time is
shown beside it. ``--before-src`` runs the report of another source tree (e.g. ``git archive
<commit> src``) on the same files in the same run, for a paired before/after ratio; the script then
also checks that both trees wrote the same results.json (exit code 1 if a number differs).
``--bytecode`` byte-compiles both source trees first, as an installed package is: where
PYTHONDONTWRITEBYTECODE is set every run otherwise compiles the package from source (about 0.2 s).
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import (REPO, compile_sources, demo_data, machine, markdown_table, print_machine,  # noqa: E402
                      report_command, run_once)

READ = """
import sys
import pandas as pd
survey = pd.read_csv(sys.argv[1], engine="pyarrow")
log = pd.read_csv(sys.argv[2], engine="pyarrow", usecols=["disposition"], dtype={"disposition": str})
assert len(survey) and len(log)
"""


def _median(values: list[float]) -> str:
    return f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=300_000, help="interviews in the demo study")
    parser.add_argument("--runs", type=int, default=3, help="processes of each program (at least 1)")
    parser.add_argument("--before-src", type=Path, help="source tree of the 'before' version")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fjernarbeid-bench"))
    parser.add_argument("--bytecode", action="store_true",
                        help="byte-compile the source trees first (as an installed package is)")
    args = parser.parse_args(argv)
    if args.bytecode:
        compile_sources(REPO / "src", *([args.before_src] if args.before_src else []))
    info = machine()
    print_machine(info)
    data, _ = demo_data(args.n, args.workdir)
    env = dict(os.environ, OPENBLAS_NUM_THREADS=os.environ.get("OPENBLAS_NUM_THREADS", "1"))
    env.pop("PYTHONPATH", None)
    programs = {"read": ([sys.executable, "-c", READ, str(data / "demo_survey.csv"),
                          str(data / "demo_dispositions.csv")], env)}
    out = Path(tempfile.mkdtemp(prefix="bench-ratio-"))
    programs["report"] = (report_command(data, out / "after", "json"), env)
    if args.before_src:
        programs["report, before"] = (report_command(data, out / "before", "json"),
                                      dict(env, PYTHONPATH=str(args.before_src.resolve())))
    times: dict[str, list] = {name: [] for name in programs}
    for i in range(args.runs):
        for name, (cmd, run_env) in programs.items():
            if name != "read":  # outputs are never replaced unasked: each run writes into an empty folder
                shutil.rmtree(cmd[cmd.index("--out") + 1], ignore_errors=True)
            run = run_once(cmd, run_env)
            times[name].append(run)
            print(f"  {name} run {i + 1}/{args.runs}: {run.wall:.2f} s wall, {run.cpu:.2f} s CPU, "
                  f"load {os.getloadavg()[0]:.1f}", file=sys.stderr, flush=True)
    read_cpu = statistics.median(r.cpu for r in times["read"])
    rows = []
    for name, runs in times.items():
        cpu = statistics.median(r.cpu for r in runs)
        rows.append([name, _median([r.wall for r in runs]), _median([r.cpu for r in runs]),
                     "1" if name == "read" else f"{cpu / read_cpu:.1f}×"])
    print(f"n = {args.n:,}; load at the end {os.getloadavg()[0]:.2f}" + ("; source trees byte-compiled" if args.bytecode else ""))
    print(markdown_table(["program", "wall s", "CPU s", "CPU ÷ reading"], rows))
    if args.before_src:
        compare = Path(__file__).resolve().parent / "compare_results.py"
        done = subprocess.run([sys.executable, str(compare), str(out / "before" / "results.json"),
                               str(out / "after" / "results.json")], capture_output=True, text=True)
        print(done.stdout.strip())
        return 1 if done.returncode else 0
    return 0


if __name__ == "__main__":
    sys.exit(main())

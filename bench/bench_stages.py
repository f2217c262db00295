"""Benchmark: where the time of ``fjernarbeid report`` goes — the same steps as the command, timed one
by one inside a fresh process (imports, questionnaire and catalogue, reading, validation, derived
variables, weighting, the call log, the findings, results.json, and with ``--html`` the HTML
report with its charts) — wall and CPU time (the process's, all threads), median (min–max) of
several processes per step.

    .venv/bin/python bench/bench_stages.py [--n 1000000] [--runs 3] [--html]
                                           [--workdir /tmp/fjernarbeid-bench] [--src DIR] [--bytecode]

The demo study is the one bench_scaling.py uses (made once in the work directory). ``--src`` times
another source tree on the same data, for before/after figures; each version runs its steps as its
own command line does (the call log read whole or by column, BLAS threads, charts drawn here or by
worker processes). Steps overlap in the command line since the call log is read in a thread, so
their sum is more than the command's wall time there.
"""

from __future__ import annotations

import argparse
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import REPO, compile_sources, demo_data, machine, markdown_table, print_machine  # noqa: E402


def child(data: Path, html: bool) -> None:
    """One process: run the report's steps and print their times as JSON."""
    import resource

    times: dict[str, float] = {}
    cpu: dict[str, float] = {}  # CPU time of the process (all its threads: Arrow reads in several)
    start, start_cpu = time.perf_counter(), time.process_time()
    import fjernarbeid.cli  # noqa: F401  (as the command: process settings before numpy)

    drawer = None
    if html:
        try:
            from fjernarbeid.report.drawing import ChartDrawer

            drawer = ChartDrawer()  # the command forks its chart workers first
        except ImportError:  # older versions draw in this process
            pass
    import pandas as pd

    from fjernarbeid.data.derive import derive
    from fjernarbeid.data.read import read_survey
    from fjernarbeid.data.validate import validate
    from fjernarbeid.fieldwork import summarise_fieldwork
    from fjernarbeid.findings.catalogue import load_catalogue
    from fjernarbeid.findings.run import run_findings
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.refdata import RefData
    from fjernarbeid.survey.weighting import weight_study
    times["imports"] = time.perf_counter() - start
    cpu["imports"] = time.process_time() - start_cpu

    def step(name, fn):
        t, c = time.perf_counter(), time.process_time()
        result = fn()
        times[name] = time.perf_counter() - t
        cpu[name] = time.process_time() - c
        return result

    instrument = step("questionnaire", load_instrument)
    catalogue = step("catalogue", lambda: load_catalogue(instrument=instrument))
    ref = RefData.locate(data / "refdata")
    survey = step("read", lambda: read_survey(data / "demo_survey.csv", instrument))
    step("validate", lambda: validate(survey, instrument, ref))
    frame = step("derive", lambda: derive(survey.frame, instrument, ref, skip_unavailable=True))
    weighted = step("weight", lambda: weight_study(frame, instrument))
    from fjernarbeid.cli import report as report_cli

    log_path = data / "demo_dispositions.csv"
    if hasattr(report_cli, "_read_dispositions"):
        read_log = lambda: report_cli._read_dispositions(log_path, instrument)  # noqa: E731
    else:  # older versions read the whole log
        read_log = lambda: pd.read_csv(log_path, dtype={"disposition": str})  # noqa: E731
    fieldwork = step("call log", lambda: summarise_fieldwork(read_log(), instrument, source=str(log_path)))
    results = step("findings", lambda: run_findings(frame, design=weighted.design, instrument=instrument,
                                                    catalogue=catalogue, fieldwork=fieldwork, source="bench"))
    out = Path(os.environ.get("BENCH_OUT", "/tmp")) / "bench-stages"
    out.mkdir(parents=True, exist_ok=True)
    step("results.json", lambda: results.write_json(out / "results.json"))
    if html:
        from fjernarbeid.report.html import write_html

        kwargs = {"drawer": drawer} if drawer is not None else {}
        step("report.html", lambda: write_html(results, instrument, out / "report.html", **kwargs))
        if drawer is not None:
            drawer.close()
    times["total"] = time.perf_counter() - start
    cpu["total"] = time.process_time() - start_cpu
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    print(json.dumps({"times": times, "cpu": cpu, "peak_rss": peak}))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000, help="interviews in the demo study")
    parser.add_argument("--runs", type=int, default=3, help="processes (at least 3)")
    parser.add_argument("--html", action="store_true", help="also write report.html (charts)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fjernarbeid-bench"))
    parser.add_argument("--src", type=Path, help="source tree to benchmark instead of the installed one")
    parser.add_argument("--bytecode", action="store_true",
                        help="byte-compile the source tree first, as an installed package is (see _measure.py)")
    parser.add_argument("--child", type=Path, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.child:
        child(args.child, args.html)
        return 0
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    if args.bytecode:
        compile_sources(args.src or REPO / "src")
    print_machine(machine())
    data, _ = demo_data(args.n, args.workdir)
    env = dict(os.environ, BENCH_OUT=str(args.workdir))
    if args.src:
        env["PYTHONPATH"] = str(args.src.resolve())
    cmd = [sys.executable, __file__, "--child", str(data)] + (["--html"] if args.html else [])
    runs = []
    for i in range(args.runs):
        done = subprocess.run(cmd, env=env, capture_output=True, text=True)
        if done.returncode != 0:
            raise RuntimeError(done.stderr[-3000:])
        runs.append(json.loads(done.stdout.strip().splitlines()[-1]))
        print(f"  run {i + 1}/{args.runs}: {runs[-1]['times']['total']:.2f} s", file=sys.stderr, flush=True)
    rows = []
    for name in runs[0]["times"]:
        values = [r["times"][name] for r in runs]
        cpu = [r["cpu"][name] for r in runs if name in r.get("cpu", {})]
        rows.append([name, f"{statistics.median(values):.2f} ({min(values):.2f}–{max(values):.2f})",
                     f"{statistics.median(cpu):.2f} ({min(cpu):.2f}–{max(cpu):.2f})" if cpu else "–"])
    peak = max(r["peak_rss"] for r in runs) / 2**20
    print(f"n = {args.n:,}{' (with HTML)' if args.html else ''}" + (f", source {args.src}" if args.src else "")
          + ("; byte-compiled" if args.bytecode else "") + f"; peak memory {peak:,.0f} MB")
    print(markdown_table(["step", "wall s, median (min–max)", "CPU s, median (min–max)"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

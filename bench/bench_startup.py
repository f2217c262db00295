"""Benchmark: start-up of the command line — ``fjernarbeid --help`` and ``fjernarbeid tab --help``
against a bare interpreter (``python -c pass``). Target: at most 0.25 s more than the bare
interpreter.

    .venv/bin/python bench/bench_startup.py [--runs 15] [--before-src DIR]

Each run is a fresh process, timed from outside (wall and CPU = user + system); the three commands
(four with ``--before-src``: the older tree's ``--help`` with ``PYTHONPATH=DIR``) take turns, so
that a change in the machine's load reaches all of them alike. The figure that matters is the
difference from the bare interpreter, in CPU time (less disturbed by other work than wall time).
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, markdown_table, print_machine, run_once  # noqa: E402


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--runs", type=int, default=15, help="runs of each command (at least 3)")
    parser.add_argument("--before-src", type=Path, help="also time --help of this (older) source tree")
    args = parser.parse_args(argv)
    if args.runs < 3:
        parser.error("--runs must be at least 3")
    print_machine(machine())
    python = sys.executable
    clean = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
    commands = {
        "bare interpreter (python -c pass)": ([python, "-c", "pass"], clean),
        "fjernarbeid --help": ([python, "-m", "fjernarbeid", "--help"], clean),
        "fjernarbeid tab --help": ([python, "-m", "fjernarbeid", "tab", "--help"], clean),
    }
    if args.before_src:
        commands[f"fjernarbeid --help, before ({args.before_src})"] = (
            [python, "-m", "fjernarbeid", "--help"], dict(clean, PYTHONPATH=str(args.before_src.resolve())))
    runs = {name: [] for name in commands}
    for _ in range(args.runs):
        for name, (cmd, env) in commands.items():
            runs[name].append(run_once(cmd, env))
    bare_wall = statistics.median(r.wall for r in runs["bare interpreter (python -c pass)"])
    bare_cpu = statistics.median(r.cpu for r in runs["bare interpreter (python -c pass)"])
    rows = []
    for name, rs in runs.items():
        wall, cpu = [r.wall for r in rs], [r.cpu for r in rs]
        rows.append([name, f"{statistics.median(wall):.3f} ({min(wall):.3f}–{max(wall):.3f})",
                     f"{statistics.median(cpu):.3f} ({min(cpu):.3f}–{max(cpu):.3f})",
                     f"{statistics.median(wall) - bare_wall:+.3f}", f"{statistics.median(cpu) - bare_cpu:+.3f}"])
    print(markdown_table(["command", "wall s", "CPU s", "wall − bare s", "CPU − bare s"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

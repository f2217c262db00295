"""Benchmark: the same weighting and estimates by fjernarbeid and by R's survey package, on the same
data in the same run — and a check that the numbers agree. Target: fjernarbeid at least 10 times
faster at 100,000 and 1,000,000 respondents, estimates and standard errors equal to 1e-6 relative.

    .venv/bin/python bench/bench_vs_r.py [--sizes 100000,1000000] [--repeats 3]
                                         [--workdir /tmp/fjernarbeid-bench] [--before-src DIR]

Needs ``Rscript`` with the ``survey`` package (Debian: r-base-core r-cran-survey); without them it
says so and stops (exit 0). For each size: the demo study (``fjernarbeid demo --n N --no-sav``, made
once in the work directory) is read, validated-free, with fjernarbeid — age group derived, "not
sure" and skipped answers empty, as the report analyses them — and written to one CSV that both
programs read, with SSB's population by sex × age group (the shipped targets). Each program then,
``--repeats`` times, builds the design (every respondent its own PSU, weight 1), post-stratifies to
sex × age group, and estimates 11 means (the agree/disagree items, svymean) and the category shares
of 9 questions (svymean(~factor(x)) / svyprop), with linearised standard errors that account for
the post-stratification. Reading the CSV is not timed on either side; times are medians over the
repeats (min–max), taken inside each program; the R script is bench/bench_vs_r.R.

``--before-src DIR`` also times an older source tree (e.g. ``git archive COMMIT src | tar -x -C DIR``)
on the same data in the same run, in a separate process, so that a change's before/after ratio
and both ratios to R come from one run of R on a machine in one state.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command line runs (fjernarbeid.cli._threads)

import argparse  # noqa: E402
import json  # noqa: E402
import shutil  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import demo_data, machine, markdown_table, print_machine, run_once  # noqa: E402

HERE = Path(__file__).resolve().parent
MEANS = ("q6_1", "q6_2", "q6_3", "q6_4", "q10_1", "q10_2", "q16_1", "q16_2", "q16_3", "q16_4", "q16_5")
PROPORTIONS = ("q4", "q5", "q11", "q12", "q13", "q14", "q21", "q22", "q23")
AGREE = 1e-6  # largest relative difference allowed between the two programs


def r_available() -> str | None:
    """None when Rscript and the survey package are there, else what is missing."""
    if shutil.which("Rscript") is None:
        return "Rscript is not installed (Debian: apt-get install r-base-core r-cran-survey)"
    check = subprocess.run(["Rscript", "--vanilla", "-e", "library(survey)"], capture_output=True, text=True)
    if check.returncode != 0:
        return "R's survey package is not installed (Debian: apt-get install r-cran-survey)"
    return None


def comparison_data(demo: Path, workdir: Path) -> tuple[Path, Path]:
    """The demo's interviews as the report analyses them, and the population targets, as CSV."""
    from fjernarbeid.data.derive import derive
    from fjernarbeid.data.read import read_survey
    from fjernarbeid.findings.run import analysis_frame
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.refdata import population_targets

    data_csv, targets_csv = workdir / f"{demo.name}-compare.csv", workdir / "targets.csv"
    if not data_csv.is_file():
        instrument = load_instrument()
        frame = derive(read_survey(demo / "demo_survey.csv", instrument).frame, instrument, skip_unavailable=True)
        frame = analysis_frame(frame, instrument)
        columns = ["q207", "age_group", *MEANS, *PROPORTIONS]
        frame[columns].astype(float).to_csv(data_csv, index=False)
    targets = population_targets().rename(columns={"sex": "q207", "population": "Freq"})
    targets[["q207", "age_group", "Freq"]].to_csv(targets_csv, index=False)
    return data_csv, targets_csv


def fjernarbeid_side(data_csv: Path, targets_csv: Path, repeats: int) -> tuple[pd.DataFrame, list[tuple[float, float]]]:
    from fjernarbeid.survey import poststratify, svydesign, svymean, svyprop

    frame = pd.read_csv(data_csv)
    targets = pd.read_csv(targets_csv)
    timings = []
    for _ in range(repeats):
        t0 = time.perf_counter()
        weighted = poststratify(svydesign(frame), ["q207", "age_group"], targets, column="Freq")
        t1 = time.perf_counter()
        rows = [(v, "", e.estimate, e.se) for v in MEANS for e in [svymean(weighted, v)]]
        rows += [(v, f"{e.category:g}", e.estimate, e.se) for v in PROPORTIONS for e in svyprop(weighted, v)]
        t2 = time.perf_counter()
        timings.append((t1 - t0, t2 - t1))
    return pd.DataFrame(rows, columns=["variable", "category", "estimate", "se"]), timings


def before_side(src: Path, data_csv: Path, targets_csv: Path, repeats: int) -> list[tuple[float, float]]:
    """The timings of :func:`fjernarbeid_side` with the source tree ``src``, in a fresh process."""
    code = ("import json, sys; sys.path[:0] = [sys.argv[1], sys.argv[2]]; import bench_vs_r as b; "
            "from pathlib import Path; "
            "_, t = b.fjernarbeid_side(Path(sys.argv[3]), Path(sys.argv[4]), int(sys.argv[5])); print(json.dumps(t))")
    env = dict(os.environ, PYTHONPATH=str(src.resolve()))
    done = subprocess.run([sys.executable, "-c", code, str(src.resolve()), str(HERE), str(data_csv), str(targets_csv),
                           str(repeats)], capture_output=True, text=True, check=True, env=env)
    return [tuple(t) for t in json.loads(done.stdout.strip().splitlines()[-1])]


def r_side(data_csv: Path, targets_csv: Path, repeats: int, prefix: Path):
    run = run_once(["Rscript", "--vanilla", str(HERE / "bench_vs_r.R"), str(data_csv), str(targets_csv),
                    ",".join(MEANS), ",".join(PROPORTIONS), str(repeats), str(prefix)])
    estimates = pd.read_csv(f"{prefix}-estimates.csv", dtype={"category": str}, keep_default_na=False)
    timings = pd.read_csv(f"{prefix}-timings.csv")
    return estimates, list(zip(timings["weighting_s"], timings["estimates_s"])), run


def largest_difference(ours: pd.DataFrame, theirs: pd.DataFrame, column: str) -> float:
    both = ours.merge(theirs, on=["variable", "category"], suffixes=("_f", "_r"), validate="one_to_one")
    if len(both) != len(ours) or len(both) != len(theirs):
        raise AssertionError(f"the programs estimated different things ({len(ours)} against {len(theirs)} rows)")
    a, b = both[f"{column}_f"].to_numpy(), both[f"{column}_r"].to_numpy()
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def median_range(values: list[float]) -> str:
    return f"{statistics.median(values):.3f} ({min(values):.3f}–{max(values):.3f})"


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000", help="comma-separated numbers of interviews")
    parser.add_argument("--repeats", type=int, default=3, help="timed repeats in each program (at least 3)")
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fjernarbeid-bench"))
    parser.add_argument("--before-src", type=Path, help="also time this (older) source tree, in the same run")
    args = parser.parse_args(argv)
    if args.repeats < 3:
        parser.error("--repeats must be at least 3")
    missing = r_available()
    if missing:
        print(f"skipped: {missing}")
        return 0
    print_machine(machine())
    args.workdir.mkdir(parents=True, exist_ok=True)
    rows, failed = [], False
    for n in (int(s) for s in args.sizes.split(",")):
        demo, _ = demo_data(n, args.workdir)
        data_csv, targets_csv = comparison_data(demo, args.workdir)
        ours, our_times = fjernarbeid_side(data_csv, targets_csv, args.repeats)
        if args.before_src:
            before_times = before_side(args.before_src, data_csv, targets_csv, args.repeats)
            before_total = [w + e for w, e in before_times]
            print(f"n = {n:,}, before ({args.before_src}): weighting {median_range([w for w, _ in before_times])} s, "
                  f"estimates {median_range([e for _, e in before_times])} s; total {median_range(before_total)} s")
        theirs, r_times, r_run = r_side(data_csv, targets_csv, args.repeats, args.workdir / f"r-{n}")
        print(f"n = {n:,}: {r_run.stderr.strip()}; R process {r_run.wall:.1f} s with reading the CSV, "
              f"peak memory {r_run.peak_rss / 2**20:,.0f} MB")
        diff_est = largest_difference(ours, theirs, "estimate")
        diff_se = largest_difference(ours, theirs, "se")
        agree = diff_est <= AGREE and diff_se <= AGREE
        failed |= not agree
        f_total = [w + e for w, e in our_times]
        r_total = [w + e for w, e in r_times]
        if args.before_src:
            print(f"n = {n:,}: R time / before {statistics.median(r_total) / statistics.median(before_total):.1f}×, "
                  f"R time / after {statistics.median(r_total) / statistics.median(f_total):.1f}×, "
                  f"before / after {statistics.median(before_total) / statistics.median(f_total):.2f}×")
        rows.append([f"{n:,}", len(ours), median_range([w for w, _ in our_times]), median_range([e for _, e in our_times]),
                     median_range([w for w, _ in r_times]), median_range([e for _, e in r_times]),
                     f"{statistics.median(r_total) / statistics.median(f_total):.0f}×",
                     f"{diff_est:.1e} / {diff_se:.1e}" + ("" if agree else " DIFFER")])
    print(markdown_table(["n", "estimates", "fjernarbeid weighting s", "fjernarbeid estimates s", "R weighting s",
                          "R estimates s", "R time / fjernarbeid time", "largest relative difference (estimate / SE)"],
                         rows))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())

"""Benchmark: quantiles with Woodruff intervals (R ``svyquantile``) and domain means with their full
covariance matrix (R ``svyby(…, covmat = TRUE)``) by fjernarbeid and by R's survey, on the same data
in the same run, with a check that the numbers agree.

    .venv/bin/python bench/bench_quantile_covmat.py [--n 1000000] [--repeats 3] [--workdir /tmp/fjernarbeid-bench]

Needs ``Rscript`` with the ``survey`` and ``jsonlite`` packages; without them it says so and stops
(exit 0). The data (written once to one CSV that both programs read): n rows in 200 strata of 2 to 12
PSUs (nest), unequal weights, a skewed numeric y (lognormal, with ties from rounding) and a group g
of 6 categories. Each program, ``--repeats`` times: the quartiles of y with 95 % Woodruff intervals,
and the mean of y in every group of g with the 6 × 6 covariance matrix. Times are taken inside each
program (reading the CSV not timed); medians (min–max). Exit code 1 when a number differs by more
than 1e-9 relative.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command line runs

import argparse  # noqa: E402
import json  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

import numpy as np  # noqa: E402
import pandas as pd  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, print_machine  # noqa: E402

HERE = Path(__file__).resolve().parent
AGREE = 1e-9


def make_data(n: int, path: Path, seed: int = 12) -> None:
    rng = np.random.default_rng(seed)
    strata = 200
    psus = rng.integers(2, 13, size=strata)
    psu_of_stratum = np.repeat(np.arange(strata), psus)
    psu = rng.integers(0, psu_of_stratum.size, size=n)
    stratum = psu_of_stratum[psu]
    local_psu = psu - np.concatenate([[0], np.cumsum(psus)])[stratum]
    w = np.round(rng.gamma(4.0, 50.0, size=n) + 10, 3)
    effect = rng.normal(0, 0.3, size=psu_of_stratum.size)[psu]
    g = rng.integers(1, 7, size=n)
    y = np.round(np.exp(3 + 0.1 * g + effect + rng.normal(0, 0.6, size=n)), 1)
    pd.DataFrame({"stratum": stratum + 1, "psu": local_psu + 1, "w": w, "g": g, "y": y}).to_csv(path, index=False)


def ours(path: Path, repeats: int) -> dict:
    from fjernarbeid.survey import svyby, svydesign, svymean, svyquantile

    data = pd.read_csv(path)
    design = svydesign(data, "w", strata="stratum", cluster="psu", nest=True)

    def timed(f):
        times, value = [], None
        for _ in range(repeats):
            start = time.perf_counter()
            value = f()
            times.append(time.perf_counter() - start)
        return value, times

    q, qt = timed(lambda: svyquantile(design, "y", [0.25, 0.5, 0.75]))
    by, bt = timed(lambda: svyby(design, svymean, "g", "y", covmat=True))
    return {"quantile": {"times": qt, "estimate": [r.estimate for r in q.rows], "ci_low": [r.ci_low for r in q.rows],
                         "ci_high": [r.ci_high for r in q.rows], "se": [r.se for r in q.rows]},
            "covmat": {"times": bt, "estimate": list(by.estimate), "vcov": by.vcov.tolist()}}


def largest_difference(a, b) -> float:
    a, b = np.asarray(a, float), np.asarray(b, float)
    return float(np.max(np.abs(a - b) / np.maximum(np.abs(b), 1e-300)))


def spread(times) -> str:
    return f"{statistics.median(times):.3f} ({min(times):.3f}–{max(times):.3f})"


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--repeats", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fjernarbeid-bench"))
    args = parser.parse_args()
    check = subprocess.run(["Rscript", "--vanilla", "-e", "library(survey); library(jsonlite)"], capture_output=True)
    if check.returncode != 0:
        print("skipped: Rscript with the survey and jsonlite packages is needed")
        return 0
    args.workdir.mkdir(parents=True, exist_ok=True)
    path = args.workdir / f"quantile_covmat_{args.n}.csv"
    if not path.exists():
        make_data(args.n, path)
    info = machine()
    print_machine(info)
    mine = ours(path, args.repeats)
    out = args.workdir / f"quantile_covmat_{args.n}_r.json"
    subprocess.run(["Rscript", "--vanilla", str(HERE / "bench_quantile_covmat.R"), str(path), str(out),
                    str(args.repeats)], check=True)
    theirs = json.loads(out.read_text())
    for key in ("quantile", "covmat"):  # jsonlite writes one repeat's time as a number
        theirs[key]["times"] = list(np.atleast_1d(theirs[key]["times"]))
    worst = 0.0
    rows = []
    for key, label in (("quantile", "svyquantile: quartiles with Woodruff intervals"),
                       ("covmat", "svyby(svymean, covmat = TRUE): 6 domain means and their covariances")):
        fields = ("estimate", "ci_low", "ci_high", "se") if key == "quantile" else ("estimate", "vcov")
        diff = max(largest_difference(mine[key][f], theirs[key][f]) for f in fields)
        worst = max(worst, diff)
        ratio = statistics.median(theirs[key]["times"]) / statistics.median(mine[key]["times"])
        rows.append(f"| {label} | {args.n:,} | {spread(mine[key]['times'])} | {spread(theirs[key]['times'])} | "
                    f"**{ratio:.0f}×** | {diff:.1e} |")
    print("| statistic | n | fjernarbeid s | R s | R ÷ fjernarbeid | largest relative difference |")
    print("|---|---|---|---|---|---|")
    print("\n".join(rows))
    print(f"load average now: {os.getloadavg()[0]:.2f}")
    return 1 if worst > AGREE else 0


if __name__ == "__main__":
    sys.exit(main())

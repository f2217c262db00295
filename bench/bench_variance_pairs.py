"""Benchmark: paired before/after CPU time of the estimators and of every finding of the report, on
the same prepared data, the two source trees alternating in fresh processes (a shared machine's load
then affects both alike).

    .venv/bin/python bench/bench_variance_pairs.py --before-src DIR [--n 300000] [--pairs 3]
                                                   [--workdir /tmp/fjernarbeid-bench]

``DIR`` is an older source tree (``git archive COMMIT src | tar -x -C DIR``, then ``DIR/src``).
The demo study of ``--n`` interviews (bench_scaling.py's, made once) is read, derived and weighted
once with the installed version and pickled; each process then times, by CPU time (min of 3),
``run_findings`` on one thread and, separately, 9 shares (svyprop), 8 means (svymean),
svyby(svyprop, covmat=True), svyglm (binomial, 2 categorical predictors), svyolr and svycor
(Spearman) on the post-stratified design. Prints each pair and the median before ÷ after.
"""

from __future__ import annotations

import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # as the command line runs

import argparse  # noqa: E402
import json  # noqa: E402
import pickle  # noqa: E402
import statistics  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import demo_data, machine, markdown_table, print_machine  # noqa: E402

SHARES = ("q4", "q5", "q11", "q12", "q13", "q14", "q21", "q22", "q23")
MEANS = ("q6_1", "q6_2", "q6_3", "q6_4", "q10_1", "q10_2", "q16_1", "q16_2")


def prepare(demo: Path, out: Path) -> None:
    """Read, derive and weight the demo as the report does; pickle (frame, design)."""
    from fjernarbeid.cli._study import weighting_spec
    from fjernarbeid.data.derive import derive
    from fjernarbeid.data.read import read_survey
    from fjernarbeid.refdata import RefData
    from fjernarbeid.study import load_study, weight

    study = load_study()
    ref = RefData.locate(demo / "refdata")
    data = read_survey(demo / "demo_survey.csv", study.instrument)
    frame = derive(data.frame, study.instrument, ref, skip_unavailable=True)
    weighted = weight(frame, study.instrument, weighting_spec(study, None, None), ref)
    with open(out, "wb") as fh:
        pickle.dump((weighted.frame, weighted.design), fh, protocol=5)


def child(prepared: Path) -> dict[str, float]:
    """One process: CPU seconds (min of 3) of every step."""
    from dataclasses import replace

    import fjernarbeid.findings.run as run
    from fjernarbeid.study import load_study
    from fjernarbeid.survey import svyby, svycor, svyglm, svymean, svyolr, svyprop

    run.PARALLEL_FROM_ROWS = 10**12  # one thread: CPU time is the work
    frame, design = pickle.loads(prepared.read_bytes())
    study = load_study()
    data = run.analysis_frame(frame.reset_index(drop=True), study.instrument)
    d = replace(design, data=data.assign(agree=(data["q6_1"] >= 4).astype(float).where(data["q6_1"].notna())))
    steps = {
        "run_findings": lambda: run.run_findings(frame, design=design, instrument=study.instrument,
                                                 catalogue=study.load_catalogue(), study=study),
        "9 shares": lambda: [svyprop(d, v) for v in SHARES],
        "8 means": lambda: [svymean(d, v) for v in MEANS],
        "svyby covmat": lambda: svyby(d, svyprop, "q207", "q23", covmat=True),
        "svyglm binomial": lambda: svyglm(d, "agree ~ C(q207) + C(age_group)", family="binomial"),
        "svyolr": lambda: svyolr(d, "q6_2 ~ C(q207) + C(age_group)"),
        "svycor spearman": lambda: svycor(d, "q6_1", "q6_2", method="spearman"),
    }
    out = {}
    for name, step in steps.items():
        step()  # warm
        best = float("inf")
        for _ in range(3):
            t0 = time.process_time()
            step()
            best = min(best, time.process_time() - t0)
        out[name] = best
    return out


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--before-src", type=Path, required=True, help="the older source tree (its src directory)")
    parser.add_argument("--n", type=int, default=300_000)
    parser.add_argument("--pairs", type=int, default=3)
    parser.add_argument("--workdir", type=Path, default=Path("/tmp/fjernarbeid-bench"))
    args = parser.parse_args(argv)
    print_machine(machine())
    args.workdir.mkdir(parents=True, exist_ok=True)
    demo, _ = demo_data(args.n, args.workdir)
    prepared = args.workdir / f"variance-pairs-{args.n}.pkl"
    if not prepared.is_file():
        prepare(demo, prepared)
    code = "import json, sys; sys.path.insert(0, sys.argv[1]); import bench_variance_pairs as b; " \
           "from pathlib import Path; print(json.dumps(b.child(Path(sys.argv[2]))))"
    here = str(Path(__file__).resolve().parent)
    results: dict[str, list[tuple[float, float]]] = {}
    for _ in range(args.pairs):
        pair = []
        for src in (args.before_src, None):
            env = dict(os.environ, PYTHONPATH=str(src.resolve())) if src else None
            done = subprocess.run([sys.executable, "-c", code, here, str(prepared)], capture_output=True, text=True,
                                  check=True, env=env)
            pair.append(json.loads(done.stdout.strip().splitlines()[-1]))
        for name in pair[0]:
            results.setdefault(name, []).append((pair[0][name], pair[1][name]))
        print("pair:", {k: f"{b:.3f}/{a:.3f}" for k, (b, a) in ((k, (pair[0][k], pair[1][k])) for k in pair[0])})
    rows = [[name, f"{statistics.median(b for b, _ in p):.3f}", f"{statistics.median(a for _, a in p):.3f}",
             f"{statistics.median(b / a for b, a in p):.2f}×"] for name, p in results.items()]
    print(markdown_table(["step", "before CPU s (median of pairs)", "after CPU s", "before ÷ after (median)"], rows))
    return 0


if __name__ == "__main__":
    sys.exit(main())

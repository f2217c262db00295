"""Coverage and bias of the regional potential (``fjernarbeid target``) against the demo model's truth.

Draws surveys from the demo population model (each with the report's 1,074 screened contacts), runs
the synthetic estimator on each, and compares every county's estimate and 95 % interval with the
true potential of the model (see ``fjernarbeid.target.simulation``). Writes the table to
``docs/target-simulation.md`` (and the per-draw results as CSV beside it with --draws-csv).

Usage (from the repository root; about half a second per draw on one core)::

    .venv/bin/python bench/simulate_target.py [--draws 200] [--out docs/target-simulation.md]

Deterministic: the same arguments give the same table.
"""

from __future__ import annotations

import argparse
import datetime as dt
import platform
import sys
import time
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]


def markdown(result, seconds: float, first_seed: int) -> str:
    from fjernarbeid import __version__

    t = result.table
    counties = t[t["area"] != "national"]
    nat = t[t["area"] == "national"].iloc[0]
    lines = [
        "# Regional potential: coverage and bias against the demo model",
        "",
        f"Made by `bench/simulate_target.py --draws {result.n_draws}` (fjernarbeid {__version__}, "
        f"{dt.date.today().isoformat()}, Python {platform.python_version()}, {seconds:.0f} s on one core).",
        "",
        f"{result.n_draws} surveys were drawn from the demo population model (`fjernarbeid.studies.norce2025.demo.model`), each with "
        f"{result.n:,} contacts who answered the screening (the report's number) and the eligible among them "
        f"interviewed (mean {result.draws.groupby('seed')['interviews'].first().mean():.0f} interviews; seeds "
        f"{first_seed}-{first_seed + result.n_draws - 1}). Each survey was weighted as the study is (sex × age group) "
        f"and analysed as `fjernarbeid target` does, outcome `{result.outcome}`: eligibility from the screened "
        "contacts, propensity from the interviews, times the population of every municipality; 95 % intervals by "
        "linearisation of both models on the log scale.",
        "",
        "The truth of each county is the model's own: population N(sex, age) spread over municipalities as the demo "
        "frame draws homes, times the model's eligible share and share of \"yes\" by sex, age group and centrality "
        f"class, computed from one draw of {result.truth_contacts:,} contacts.",
        "",
        f"**Counties: coverage of the 95 % intervals {counties['coverage'].min():.1%}-{counties['coverage'].max():.1%} "
        f"(mean {counties['coverage'].mean():.1%}, target ≥ 90 %); relative bias "
        f"{counties['relative_bias'].min():+.1%} to {counties['relative_bias'].max():+.1%} "
        f"(mean absolute {counties['relative_bias'].abs().mean():.1%}). Norway: coverage {nat['coverage']:.1%}, "
        f"bias {nat['relative_bias']:+.1%}.**",
        "",
        (f"In {len(result.failed)} of {result.n_draws} draws a model could not be estimated and the command would "
         "have stopped with exit code 5 (" + "; ".join(sorted({f['reason'] for f in result.failed})) + "); "
         f"the table is over the other {result.n_draws - len(result.failed)}." if result.failed else
         f"Every one of the {result.n_draws} draws could be estimated."),
        "",
        "Coverage is the share of draws whose interval contains the truth (its Monte Carlo standard error at 95 % "
        f"and {result.n_draws} draws is about {100 * (0.95 * 0.05 / result.n_draws) ** 0.5:.1f} points). "
        "SE ratio = mean estimated SE / standard deviation of the estimates over the draws (1 = the variance "
        "formula is right on average).",
        "",
        "| area | name | true potential | mean estimate | relative bias | SD of estimates | mean SE | SE ratio | coverage |",
        "| --- | --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for r in t.itertuples():
        lines.append(f"| {r.area} | {r.name} | {r.truth:,.0f} | {r.mean_estimate:,.0f} | {r.relative_bias:+.1%} | "
                     f"{r.sd_estimate:,.0f} | {r.mean_se:,.0f} | {r.se_ratio:.2f} | {r.coverage:.1%} |")
    lines += [
        "",
        "Bias comes from what the synthetic estimator cannot know: the model's eligibility also depends on sex "
        "(unknown for screened-out contacts, and the phone sample over-represents women), and main-effects logistic "
        "models only approximate the model's latent-variable equations. Both are the caveats every output states.",
        "",
    ]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    from fjernarbeid.target.simulation import simulate

    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--draws", type=int, default=200)
    parser.add_argument("--first-seed", type=int, default=10_000)
    parser.add_argument("--truth-contacts", type=int, default=1_500_000)
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "target-simulation.md")
    parser.add_argument("--draws-csv", type=Path, default=None, help="also write every draw's results here")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    result = simulate(draws=args.draws, first_seed=args.first_seed, truth_contacts=args.truth_contacts,
                      progress=lambda i: print(f"\r{i}/{args.draws}", end="", file=sys.stderr, flush=True))
    print(file=sys.stderr)
    seconds = time.perf_counter() - started
    args.out.write_text(markdown(result, seconds, args.first_seed), encoding="utf-8")
    if args.draws_csv:
        result.draws.to_csv(args.draws_csv, index=False)
    print(result.table.to_string(), file=sys.stderr)
    print(args.out)
    return 0


if __name__ == "__main__":
    sys.exit(main())

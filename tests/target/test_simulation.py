"""The simulation machinery on a few draws (the full run is bench/simulate_target.py: 200 draws)."""

from __future__ import annotations

import pytest

from fjernarbeid.target.simulation import demo_population, simulate, true_totals


def test_the_demo_population_is_ssb_by_sex_and_age_spread_over_the_frame():
    from fjernarbeid.refdata import population_targets

    pop = demo_population()
    assert pop.cells["population"].sum() == pytest.approx(population_targets()["population"].sum())
    assert set(pop.cells["municipality_code"]) == set(pop.municipalities["municipality_code"])


def test_a_few_draws_give_a_truth_estimates_and_intervals_for_every_county():
    result = simulate(draws=3, truth_contacts=100_000)
    t = result.table
    assert "national" in set(t["area"]) and len(t) > 10
    assert (t["truth"] > 0).all() and t["coverage"].between(0, 1).all()
    national = t[t["area"] == "national"].iloc[0]
    assert t.loc[t["area"] != "national", "truth"].sum() == pytest.approx(national["truth"])
    # three draws say little about coverage, but the estimates must be near the truth nationally
    assert abs(national["relative_bias"]) < 0.25
    assert len(result.draws) == (3 - len(result.failed)) * len(t)

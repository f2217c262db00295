"""The synthetic estimator's arithmetic (fjernarbeid.target.potential) on small worked examples."""

import math

import numpy as np
import pytest

from fjernarbeid.target import potential as P


def test_totals_are_population_times_eligibility_times_propensity():
    # two cells, each its own area plus a third area holding both
    pop = np.array([1000.0, 3000.0])
    x = np.array([[1.0, 0.0], [1.0, 1.0]])  # intercept + one dummy
    z = np.array([[1.0], [1.0]])
    beta, gamma = np.array([0.0, math.log(3)]), np.array([0.0])  # π = 0.5, 0.75; e = 0.5
    m = np.array([[1, 0], [0, 1], [1, 1]], dtype=float)
    t = P.synthetic_totals(pop, m, x, beta, np.zeros((2, 2)), z, gamma, np.zeros((1, 1)))
    np.testing.assert_allclose(t["total"], [250.0, 1125.0, 1375.0])
    np.testing.assert_allclose(t["eligible"], [500.0, 1500.0, 2000.0])
    assert np.all(t["vcov_total"] == 0)  # known coefficients: no variance


def test_variance_is_the_delta_method_of_both_models():
    pop = np.array([200.0])
    x = np.array([[1.0]])
    z = np.array([[1.0]])
    beta, gamma = np.array([0.3]), np.array([-0.4])
    vb, vg = np.array([[0.04]]), np.array([[0.09]])
    t = P.synthetic_totals(pop, np.ones((1, 1)), x, beta, vb, z, gamma, vg)
    pi, e = P.expit(0.3), P.expit(-0.4)
    expected = (200 * e * pi * (1 - pi)) ** 2 * 0.04 + (200 * pi * e * (1 - e)) ** 2 * 0.09
    assert t["vcov_total"][0, 0] == pytest.approx(expected, rel=1e-12)
    # numerically: the same as the variance of T under small perturbations of each coefficient
    eps = 1e-6
    def total(b, g):
        return 200 * P.expit(g) * P.expit(b)
    db = (total(0.3 + eps, -0.4) - total(0.3 - eps, -0.4)) / (2 * eps)
    dg = (total(0.3, -0.4 + eps) - total(0.3, -0.4 - eps)) / (2 * eps)
    assert t["vcov_total"][0, 0] == pytest.approx(db**2 * 0.04 + dg**2 * 0.09, rel=1e-6)


def test_area_totals_add_up_and_so_do_their_covariances():
    rng = np.random.default_rng(1)
    pop = rng.integers(100, 1000, 6).astype(float)
    x = np.column_stack([np.ones(6), rng.integers(0, 2, 6)])
    z = np.column_stack([np.ones(6), rng.integers(0, 2, 6)])
    vb = np.array([[0.05, 0.01], [0.01, 0.04]])
    vg = np.array([[0.03, -0.01], [-0.01, 0.02]])
    parts = np.array([[1, 1, 0, 0, 0, 0], [0, 0, 1, 1, 1, 0], [0, 0, 0, 0, 0, 1]], dtype=float)
    whole = P.synthetic_totals(pop, np.ones((1, 6)), x, np.array([-1.0, 0.5]), vb, z, np.array([0.2, -0.3]), vg)
    split = P.synthetic_totals(pop, parts, x, np.array([-1.0, 0.5]), vb, z, np.array([0.2, -0.3]), vg)
    assert split["total"].sum() == pytest.approx(whole["total"][0])
    assert split["vcov_total"].sum() == pytest.approx(whole["vcov_total"][0, 0])


def test_log_interval_keeps_small_totals_positive():
    low, high = P.log_interval(np.array([10.0]), np.array([20.0]), 1.96)
    assert 0 < low[0] < 10 < high[0]
    assert low[0] * high[0] == pytest.approx(100.0)


@pytest.mark.parametrize("low, high, unit", [(27_000, 51_000, 1000), (180, 480, 10), (17, 44, 1), (2.1, 2.9, 1),
                                             (158_970, 249_407, 1000)])
def test_rounding_keeps_two_significant_digits_of_the_half_width(low, high, unit):
    assert P.rounding_unit(low, high) == unit


def test_round_to_rounds_half_away_from_zero():
    assert P.round_to(36_500, 1000) == 37_000
    assert P.round_to(28.49, 1) == 28
    assert P.round_to(-150, 100) == -200

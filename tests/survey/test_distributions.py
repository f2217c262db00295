"""The distributions of fjernarbeid.survey._distributions give what scipy.stats gives, value for
value (they call the same special functions; these tests hold them to it, edges included)."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import stats

from fjernarbeid.survey import _distributions as D

PROBABILITIES = np.array([0.0, 1e-300, 1e-12, 0.001, 0.025, 0.05, 0.3, 0.5, 0.7, 0.95, 0.975, 0.999,
                          1 - 1e-12, 1.0, -0.1, 1.1, np.nan])
POINTS = np.array([-np.inf, -1e6, -40.0, -3.5, -1.0, -1e-9, -0.0, 0.0, 1e-9, 0.5, 1.0, 2.5, 10.0, 37.6,
                   1e6, np.inf, np.nan])
DEGREES = np.array([-1.0, 0.0, 0.5, 1.0, 2.0, 7.0, 30.0, 475.0, 1e5, 1e12, np.inf, np.nan])


def same(ours, theirs) -> bool:
    """Equal values, NaN where scipy has NaN; and a scalar where scipy returns a scalar."""
    return np.shape(ours) == np.shape(theirs) and np.array_equal(np.asarray(ours), np.asarray(theirs),
                                                                   equal_nan=True)


@pytest.mark.parametrize("df", DEGREES)
def test_student_t(df):
    assert same(D.t_ppf(PROBABILITIES, df), stats.t.ppf(PROBABILITIES, df))
    assert same(D.t_sf(POINTS, df), stats.t.sf(POINTS, df))


@pytest.mark.parametrize("dfn", DEGREES)
@pytest.mark.parametrize("dfd", [0.0, 1.0, 3.7, 120.0, 1e6, np.inf])
def test_f(dfn, dfd):
    assert same(D.f_ppf(PROBABILITIES, dfn, dfd), stats.f.ppf(PROBABILITIES, dfn, dfd))
    assert same(D.f_sf(POINTS, dfn, dfd), stats.f.sf(POINTS, dfn, dfd))


@pytest.mark.parametrize("df", DEGREES)
def test_chi_square(df):
    assert same(D.chi2_sf(POINTS, df), stats.chi2.sf(POINTS, df))


@pytest.mark.filterwarnings("ignore:Error in function boost")  # scipy.stats warns alike
@pytest.mark.parametrize("a", [0.0, 0.3, 1.0, 4.5, 250.0, 1e6, np.inf, np.nan])
@pytest.mark.parametrize("b", [0.0, 0.3, 1.0, 17.0, 1e6])
def test_beta(a, b):
    assert same(D.beta_ppf(PROBABILITIES, a, b), stats.beta.ppf(PROBABILITIES, a, b))


def test_normal_and_logistic():
    assert same(D.norm_ppf(PROBABILITIES), stats.norm.ppf(PROBABILITIES))
    assert same(D.norm_sf(POINTS), stats.norm.sf(POINTS))
    assert same(D.norm_cdf(POINTS), stats.norm.cdf(POINTS))
    assert same(D.norm_pdf(POINTS), stats.norm.pdf(POINTS))
    assert same(D.logistic_ppf(PROBABILITIES), stats.logistic.ppf(PROBABILITIES))


def test_scalars_stay_scalars_and_arrays_broadcast():
    assert same(D.t_ppf(0.975, 12), stats.t.ppf(0.975, 12))
    assert np.ndim(D.t_ppf(0.975, 12)) == 0
    a, b = np.array([0.5, 3.0, 40.0]), np.array([[2.0], [9.0]])
    assert same(D.beta_ppf(0.025, a, b), stats.beta.ppf(0.025, a, b))
    assert same(D.f_sf(np.array([0.5, 4.0]), 3.2, np.array([[10.0], [200.0]])),
                stats.f.sf(np.array([0.5, 4.0]), 3.2, np.array([[10.0], [200.0]])))


def test_random_arguments():
    rng = np.random.default_rng(7)
    q, x = rng.random(2000), rng.normal(0, 5, 2000)
    df, a, b = rng.lognormal(2, 2, 2000), rng.lognormal(0, 2, 2000), rng.lognormal(1, 2, 2000)
    assert same(D.t_ppf(q, df), stats.t.ppf(q, df))
    assert same(D.t_sf(x, df), stats.t.sf(x, df))
    assert same(D.f_sf(np.abs(x), a, df), stats.f.sf(np.abs(x), a, df))
    assert same(D.f_ppf(q, a, df), stats.f.ppf(q, a, df))
    assert same(D.chi2_sf(np.abs(x), df), stats.chi2.sf(np.abs(x), df))
    assert same(D.beta_ppf(q, a, b), stats.beta.ppf(q, a, b))

"""Fixtures for the demo tests: generated demos (cached per seed and size) with derived variables
and post-stratification weights, and the weighted statistics helpers of this folder."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from fjernarbeid.data.derive import derive
from fjernarbeid.studies.norce2025.demo import DEFAULT_SEED, generate_demo

@pytest.fixture(scope="session")
def wstats():
    """tests/demo/weighted_stats.py (loaded by path: test folders are not packages)."""
    spec = importlib.util.spec_from_file_location("demo_weighted_stats", Path(__file__).with_name("weighted_stats.py"))
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="session")
def make_demo():
    """generate_demo(n, seed), cached: several test modules look at the same demos."""
    cache = {}

    def make(n: int = 500, seed: int = DEFAULT_SEED):
        if (n, seed) not in cache:
            cache[(n, seed)] = generate_demo(n=n, seed=seed)
        return cache[(n, seed)]

    return make


@pytest.fixture(scope="session")
def analysed(make_demo, instrument, refdata, wstats):
    """A demo's interviews with the derived variables (age group, centrality from the registers …)
    and a post-stratification weight ``w``, as an analyst would prepare them."""
    cache = {}

    def prepare(n: int = 500, seed: int = DEFAULT_SEED):
        if (n, seed) not in cache:
            data = derive(make_demo(n, seed).survey, instrument, refdata)
            data["w"] = wstats.poststratification_weights(data)
            cache[(n, seed)] = data
        return cache[(n, seed)]

    return prepare

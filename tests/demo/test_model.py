"""The latent model's population scale: fixed cut points and trait constants, the same for every sample."""

from __future__ import annotations

import numpy as np
import pytest

from fjernarbeid.studies.norce2025.demo.model import (
    MARGINALS, TRAITS, PopulationScale, cut_shares, format_scale, parse_scale, population_scale,
)


def test_cut_points_turn_latent_scores_into_codes():
    scale = PopulationScale(traits={}, cut_points={"x": (-1.0, 0.5)})
    latent = np.array([-2.0, -1.0, 0.0, 0.5, 3.0, 9.0])
    asked = np.array([True, True, True, True, True, False])
    assert scale.cut("x", latent, asked).tolist() == [1, 2, 2, 3, 3]  # a score on a cut point goes up


def test_a_sample_is_standardised_with_the_populations_constants_not_its_own():
    scale = PopulationScale(traits={"home": (0.5, 2.0)}, cut_points={})
    # a sample whose own mean is 1: it stays above the population's mean
    assert scale.standardise("home", np.array([0.0, 1.0, 2.0])).tolist() == [-0.25, 0.25, 0.75]


def test_the_shipped_scale_covers_every_trait_and_item_with_increasing_cut_points():
    scale = population_scale()
    assert set(scale.traits) == set(TRAITS) and all(sd > 0 for _, sd in scale.traits.values())
    assert list(scale.cut_points) == list(cut_shares()) == ["q4", *MARGINALS]
    for item, cuts in scale.cut_points.items():
        assert len(cuts) == len(cut_shares()[item]) - 1 and np.all(np.diff(cuts) > 0), item


def test_the_file_reads_back_exactly():
    scale = population_scale()
    assert parse_scale(format_scale(scale, "# a header\n")) == scale


def test_a_scale_derived_for_other_shares_is_refused():
    text = format_scale(population_scale(), "")
    lines = text.splitlines()
    row = next(i for i, line in enumerate(lines) if line.startswith("q6_1,cut_2,"))
    name, parameter, value, _ = lines[row].split(",")
    lines[row] = ",".join([name, parameter, value, "0.55"])  # as if MARGINALS["q6_1"] had been other
    with pytest.raises(RuntimeError, match=r"q6_1 were derived for other population shares.*derive_demo_scale"):
        parse_scale("\n".join(lines) + "\n")


def test_a_scale_without_a_trait_or_with_cut_points_out_of_order_is_refused():
    text = format_scale(population_scale(), "")
    without_office = "\n".join(line for line in text.splitlines() if not line.startswith("office,")) + "\n"
    with pytest.raises(RuntimeError, match="trait 'office'"):
        parse_scale(without_office)
    scale = population_scale()
    swapped = PopulationScale(scale.traits, scale.cut_points | {"q23": tuple(reversed(scale.cut_points["q23"]))})
    with pytest.raises(RuntimeError, match="q23 do not increase"):
        parse_scale(format_scale(swapped, ""))

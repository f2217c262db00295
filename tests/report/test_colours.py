"""Every palette of the charts stays readable for readers with red-green colour blindness: simulated with
Machado et al.'s protanopia and deuteranopia matrices, no two colours of a palette come closer than a
clearly visible difference."""

from itertools import combinations

import pytest

from fjernarbeid.report.colours import DIVERGING, GROUPS, SEQUENTIAL, _to_linear, delta_e, simulate, text_colour

MIN_DELTA_E = 8.0  # CIE76; about 2.3 is just noticeable, 8 is clearly different side by side


def palettes():
    yield "groups (first 4)", GROUPS[:4]
    for n, colours in DIVERGING.items():
        yield f"diverging {n}", colours
    for n, colours in SEQUENTIAL.items():
        yield f"sequential {n}", colours


@pytest.mark.parametrize("kind", ["protanopia", "deuteranopia", None])
@pytest.mark.parametrize("name,colours", list(palettes()))
def test_palette_colours_stay_apart_under_colour_blindness(name, colours, kind):
    seen = [simulate(c, kind) if kind else _to_linear(c) for c in colours]
    closest = min(delta_e(a, b) for a, b in combinations(seen, 2))
    assert closest >= MIN_DELTA_E, f"{name} under {kind}: two colours only {closest:.1f} apart"


def test_blue_and_orange_stay_far_apart():
    assert delta_e(simulate("#0072B2", "deuteranopia"), simulate("#E69F00", "deuteranopia")) > 40


def test_the_simulation_finds_the_confusion_of_the_former_grouped_bars():
    old_orange, old_green = "#f29e4c", "#6aa84f"  # distinct to most readers, not under protanopia
    assert delta_e(_to_linear(old_orange), _to_linear(old_green)) > 30
    assert delta_e(simulate(old_orange, "protanopia"), simulate(old_green, "protanopia")) < MIN_DELTA_E


def test_text_on_a_bar_is_black_on_light_and_white_on_dark():
    assert text_colour("#00224e") == "white" and text_colour("#fee838") == "black"

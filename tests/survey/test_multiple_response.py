"""Multiple-response shares (:func:`svymultiple`) against R's ``survey`` on the Hardanger Kobo export:
the share of respondents choosing each choice with its logit interval (``svyciprop``) and its share
of all choices (``svyratio``); fixture made by tests/fixtures/r/multiple_response.R."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pytest

from fjernarbeid.data import read_survey
from fjernarbeid.data.multiple import for_analysis, option_indicators
from fjernarbeid.instrument import load_instrument
from fjernarbeid.survey import svydesign, svymultiple

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures"
STUDY = FIXTURES / "studies" / "hardanger_remote"
R = json.loads((FIXTURES / "r" / "multiple_response.json").read_text("utf-8"))


@pytest.fixture(scope="module")
def shares():
    form = load_instrument(STUDY / "kobo_form.xlsx")
    q = form["arbeidsstad"]
    frame = read_survey(STUDY / "kobo_export.csv", form, completes_only=True).frame
    indicators = option_indicators(for_analysis(frame["arbeidsstad"], q), q)
    weights = frame["kommune"].astype(str).map(R["weights"]).to_numpy(dtype=float)
    design = svydesign(frame.assign(**indicators), weights, strata="kommune")
    return svymultiple(design, list(indicators.columns))


def test_each_choice_agrees_with_r(shares):
    assert [s.column for s in shares] == ["arbeidsstad_1", "arbeidsstad_2", "arbeidsstad_3", "arbeidsstad_4"]
    for ours, theirs in zip(shares, R["choices"]):
        r = ours.respondents
        assert r.n_unweighted == R["n_answered"]
        np.testing.assert_allclose([r.estimate, r.se, r.ci_low, r.ci_high],
                                   [theirs["estimate"], theirs["se"], theirs["ci_low"], theirs["ci_high"]],
                                   rtol=1e-9)
        np.testing.assert_allclose([ours.responses.estimate, ours.responses.se],
                                   [theirs["responses"], theirs["responses_se"]], rtol=1e-9)


def test_shares_of_choices_add_up_to_one_and_of_respondents_to_more(shares):
    assert sum(s.responses.estimate for s in shares) == pytest.approx(1.0, abs=1e-12)
    assert sum(s.respondents.estimate for s in shares) > 1.0

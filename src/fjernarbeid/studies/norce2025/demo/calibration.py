"""Deriving the demo's population scale: trait constants and cut points from one large draw.

A real survey's estimates vary around fixed population values. For the demo to behave the same
way, the thresholds that turn latent scores into answer codes must be properties of the
*population*, not of each sample. They are derived here once, from a calibration draw that is
large enough (:data:`CALIBRATION_N` = 200,000 interviews; the sampling error of a share is then
about 0.1 percentage point) to stand for the population:

1. Contacts are drawn as for any demo (:func:`fjernarbeid.studies.norce2025.demo.model.draw_contacts`); the
   education cut points (q4) are the unweighted quantiles of the latent education score among
   them, at the shares :data:`~fjernarbeid.studies.norce2025.demo.model.EDUCATION_SHARES` (people reached, before
   screening).
2. The first :data:`CALIBRATION_N` contacts who pass both screening questions are interviewed
   (:func:`fjernarbeid.studies.norce2025.demo.model.interview`) and weighted by sex × age group to the population
   (:func:`fjernarbeid.studies.norce2025.demo.model.calibration_weights`, the report's weighting). In the model's own
   order, each trait's weighted mean and SD and each item's weighted quantiles at the cumulative
   shares of :data:`~fjernarbeid.studies.norce2025.demo.model.MARGINALS` are taken from the draw the first time the
   model needs them, and used from then on (q13 is asked by q12's codes, and q13's codes feed the
   office trait, so later constants depend on earlier ones).

``scripts/derive_demo_scale.py`` writes the result to the package's ``population_scale.csv``;
every demo then reads its latent scores with those same constants.
"""

from __future__ import annotations

import numpy as np

from fjernarbeid.studies.norce2025.demo import model
from fjernarbeid.studies.norce2025.demo.model import PopulationScale
from fjernarbeid.instrument import Instrument, load_instrument

CALIBRATION_N = 200_000
# Any fixed number would do; this one is kept apart from the demo's default seed (2025).
CALIBRATION_SEED = 20_250_101
# Contacts drawn per interview wanted: in the model about 45 % of contacts pass both screening
# questions, so this leaves a wide margin (a shortfall raises rather than silently using fewer).
CONTACTS_PER_INTERVIEW = 3


def weighted_quantiles(values: np.ndarray, probabilities: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Quantiles of the weighted distribution of ``values`` at ``probabilities``.

    Each value sits at the middle of its weight on the cumulative-weight scale; the quantile at p is
    interpolated linearly between those positions (the weighted analogue of Hyndman & Fan's
    type 5 definition, *The American Statistician* 50(4), 1996, p. 363). Continuous latent scores
    have no ties, so the interpolation is well defined.
    """
    order = np.argsort(values)
    v, w = values[order], weights[order]
    cum = np.cumsum(w)
    position = (cum - w / 2) / cum[-1]
    return np.interp(probabilities, position, v)


class _Learner:
    """Stands in for a :class:`PopulationScale` during the calibration draw.

    The first time the model asks for a trait's constants or an item's cut points they are
    computed from this draw (weighted by ``weights``; ``None``: every case counts once), kept,
    and applied like the shipped ones.
    """

    def __init__(self, weights: np.ndarray | None = None):
        self.weights = weights
        self.traits: dict[str, tuple[float, float]] = {}
        self.cut_points: dict[str, tuple[float, ...]] = {}

    def _weights(self, size: int) -> np.ndarray:
        return np.ones(size) if self.weights is None else self.weights

    def standardise(self, trait: str, score: np.ndarray) -> np.ndarray:
        if trait not in self.traits:
            w = self._weights(len(score))
            mean = np.average(score, weights=w)
            self.traits[trait] = (float(mean), float(np.sqrt(np.average((score - mean) ** 2, weights=w))))
        return PopulationScale(self.traits, self.cut_points).standardise(trait, score)

    def cut(self, item: str, latent: np.ndarray, cases: np.ndarray) -> np.ndarray:
        if item not in self.cut_points:
            shares = np.asarray(model.cut_shares()[item], dtype=float)
            below = np.cumsum(shares)[:-1] / shares.sum()
            cuts = weighted_quantiles(latent[cases], below, self._weights(len(latent))[cases])
            self.cut_points[item] = tuple(float(c) for c in cuts)
        return PopulationScale(self.traits, self.cut_points).cut(item, latent, cases)


def derive_scale(n: int = CALIBRATION_N, seed: int = CALIBRATION_SEED,
                 instrument: Instrument | None = None) -> PopulationScale:
    """The population scale from a calibration draw of ``n`` interviews (see the module docstring)."""
    instrument = instrument or load_instrument()
    contacts_rng, interview_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    education = _Learner()
    contacts = model.draw_contacts(contacts_rng, CONTACTS_PER_INTERVIEW * n, instrument, scale=education)
    complete = np.flatnonzero(contacts["outcome"] == model.OUTCOME_COMPLETE)[:n]
    if len(complete) < n:
        raise RuntimeError(f"the calibration draw of {CONTACTS_PER_INTERVIEW * n:,} contacts gave only "
                           f"{len(complete):,} interviews, not {n:,}; raise CONTACTS_PER_INTERVIEW")
    people = {name: values[complete] for name, values in contacts.items()}
    answers = _Learner(model.calibration_weights(people["sex"], people["age_group"]))
    model.interview(interview_rng, people, instrument, scale=answers)
    cut_points = education.cut_points | answers.cut_points
    return PopulationScale(dict(answers.traits), {item: cut_points[item] for item in model.cut_shares()})


def scale_header(n: int = CALIBRATION_N, seed: int = CALIBRATION_SEED) -> str:
    """The comment lines at the top of ``population_scale.csv``."""
    return (
        "# Population scale of the synthetic demo's latent model (fjernarbeid demo): each trait's mean and SD\n"
        "# and each item's cut points on its latent score, in the population of remote-capable workers aged\n"
        "# 25-60 (q4: in the population reached by phone, before screening). Derived, do not edit: made by\n"
        f"# scripts/derive_demo_scale.py from a calibration draw of {n:,} interviews (seed {seed}),\n"
        "# weighted by sex x age group to SSB's population on 1 January 2025 (fjernarbeid.studies.norce2025.demo.calibration).\n"
        "# population_share: the population share of codes below the cut point (demo.model.MARGINALS and\n"
        "# EDUCATION_SHARES); rerun the script after changing those or the latent equations.\n"
    )

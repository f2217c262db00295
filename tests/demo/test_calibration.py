"""The demo looks like the report: weighted shares near the published figures, every association the
report found visible with its sign and significant at n = 500, and no association where it found none.

The demo reads its latent scores against fixed population cut points, so its shares vary from seed
to seed like real estimates (standard error about 2 points at n = 500). The tests therefore ask:

* at the default seed (what ``make demo`` shows), every share within 4 percentage points of the
  report (the published value's window below);
* at every test seed, every share within four standard errors of the model's population value
  (:data:`~fjernarbeid.studies.norce2025.demo.model.MARGINALS`). A 4-point window is only about 1.7 standard errors:
  most samples of 500 have one to three of these 21 shares outside it (``scripts/demo_seed_variation.py``
  counts how often, over many seeds), so it cannot be asked of every seed without picking seeds;
* in a large sample, every share at the model's population value (within 1 point), which is what
  the cut points are for; and at the default seed, shares off their population values by
  sampling noise, not copied.

Test seeds: the default seed and the two smallest positive seeds, fixed before the model was tuned
and never chosen by their results. Weights: post-stratification by sex × age group to the population
aged 25-60 (the report's weighting), computed in weighted_stats.py independently of the package's
weighting module. Findings ids refer to the list of published findings (P01-P29).
"""

from __future__ import annotations

from importlib import resources

import numpy as np
import pytest

from fjernarbeid.studies.norce2025.demo import DEFAULT_SEED
from fjernarbeid.studies.norce2025.demo.calibration import derive_scale, scale_header, weighted_quantiles
from fjernarbeid.studies.norce2025.demo.model import MARGINALS, SCALE_FILE, population_scale
from fjernarbeid.refdata import population_targets

SEEDS = (DEFAULT_SEED, 1, 2)
SIGNIFICANT = 0.05
LARGE_N = 40_000  # for properties "in expectation": sampling noise is small at this size
TOLERANCE_PP = 4.0  # how near the default demo's shares must be to the report
# How many standard errors from its population value a test seed's share may fall: by chance a share
# lies further out in fewer than 1 in 10,000 samples, so 63 such checks do not fail on noise. (The
# default demo's q14 "likely" is itself 3.4 SE above its population value, see demo.model.MARGINALS.)
SAMPLING_SE = 4.0


# --- the population scale -------------------------------------------------------------------------


def test_weighted_quantiles_place_each_value_at_the_middle_of_its_weight():
    values, weights = np.array([4.0, 1.0, 3.0, 2.0]), np.array([1.0, 1.0, 1.0, 1.0])
    # sorted 1, 2, 3, 4 sit at 1/8, 3/8, 5/8, 7/8 of the weight
    assert weighted_quantiles(values, np.array([0.125, 0.5, 0.875]), weights).tolist() == [1.0, 2.5, 4.0]
    # weight 3 on the value 1 (of 6 in all): 1 sits at 1.5/6 = 1/4 and 2 at 3.5/6 = 7/12, so the
    # median lies three quarters of the way from 1 to 2
    heavy = weighted_quantiles(values, np.array([0.25, 0.5]), np.array([1.0, 3.0, 1.0, 1.0]))
    assert heavy.tolist() == [1.0, pytest.approx(1.75)]


def test_the_shipped_population_scale_is_what_the_calibration_draw_gives():
    derived, shipped = derive_scale(), population_scale()
    assert derived.traits.keys() == shipped.traits.keys() and derived.cut_points.keys() == shipped.cut_points.keys()
    for trait, constants in derived.traits.items():
        assert constants == pytest.approx(shipped.traits[trait], rel=1e-9), trait
    for item, cuts in derived.cut_points.items():
        assert cuts == pytest.approx(shipped.cut_points[item], rel=1e-9, abs=1e-12), item
    text = resources.files("fjernarbeid.studies.norce2025.demo").joinpath(SCALE_FILE).read_text("utf-8")
    assert text.startswith(scale_header())


# --- shares near the report -------------------------------------------------------------------------


def near(value: float, by: float = TOLERANCE_PP) -> tuple[float, float]:
    return value - by, value + by


# (finding, variable, codes, lowest, highest): the window the weighted percentage must fall in.
SHARES = [
    ("P03 own workroom ≈ half", "q13", [1], *near(50)),
    ("P03 own place, not room ≈ 29 %", "q13", [2], *near(29)),
    ("P03 no fixed place ≈ 22 %", "q13", [3], *near(22)),
    ("P04 unlikely to take the job along ≈ 57 %", "q14", [4, 5], *near(57)),
    ("P04 likely ≈ 1/3", "q14", [1, 2], *near(33)),
    ("P06 office first: agree ≈ 62 %", "q10_2", [1, 2], *near(62)),
    ("P07 work anywhere: agree ≈ 75 %", "q10_1", [1, 2], *near(75)),
    ("P08 as effective: most agree", "q6_1", [1, 2], 55, 100),  # "most": clearly above half
    ("P09 creativity: most disagree", "q6_3", [4, 5], 55, 100),
    ("P10 collaboration: ≈ half disagree", "q6_2", [4, 5], *near(50)),
    ("P10 collaboration: 34 % partly agree", "q6_2", [2], *near(34)),
    ("P11 work environment: most agree", "q6_4", [1, 2], 55, 100),
    ("P15 relations important: nearly 90 %", "q16_2", [1, 2], *near(90)),
    ("P16 job opportunities important ≈ 84 %", "q16_5", [1, 2], *near(84)),
    ("P18 moving irrelevant ≈ 64 %", "q22", [4, 5], *near(64)),
    ("P18 moving relevant ≈ 15 %", "q22", [1, 2], *near(15)),
    # "over half", and the rest of the distribution is 42 + 2.3 + 2.3 %
    ("P20 up to 30 min: over half", "q21", [1], 50, 100 - 42 - 2.3 - 2.3 + TOLERANCE_PP),
    ("P20 up to an hour ≈ 42 %", "q21", [2], *near(42)),
    ("P20 up to 2 h ≈ 2.3 %", "q21", [3], *near(2.3)),
    ("P20 more than 2 h ≈ 2.3 %", "q21", [4], *near(2.3)),
    ("P23 rural municipality attractive: just over 38 %", "q23", [1, 2], 38, 38 + TOLERANCE_PP),
]
SHARE_IDS = [s[0][:3] + " " + s[1] + str(s[2]) for s in SHARES]


@pytest.mark.parametrize("finding, variable, codes, lowest, highest", SHARES, ids=SHARE_IDS)
def test_at_the_default_seed_weighted_shares_land_within_4_points_of_the_report(
        analysed, wstats, instrument, finding, variable, codes, lowest, highest):
    share = wstats.share(analysed(500, DEFAULT_SEED), variable, codes, instrument)
    assert lowest <= share <= highest, f"{finding}: {share:.1f} %"


def population_share(variable: str, codes: list[int]) -> float:
    """The model's population percentage of ``codes`` (what a very large demo shows)."""
    return 100 * sum(MARGINALS[variable][code - 1] for code in codes)


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("finding, variable, codes, lowest, highest", SHARES, ids=SHARE_IDS)
def test_weighted_shares_lie_within_sampling_error_of_the_population_value(analysed, wstats, instrument, seed,
                                                                           finding, variable, codes, lowest, highest):
    data = analysed(500, seed)
    share = wstats.share(data, variable, codes, instrument)
    se = wstats.share_standard_error(data, variable, codes, instrument)
    population = population_share(variable, codes)
    assert abs(share - population) <= SAMPLING_SE * se, (
        f"{finding}: {share:.1f} %, population {population:.1f} % (SE {se:.1f}, seed {seed})")


@pytest.mark.parametrize("item", sorted(MARGINALS))
def test_in_a_large_sample_every_code_has_its_population_share(analysed, wstats, instrument, item):
    data = analysed(LARGE_N, 11)
    shares = np.array([wstats.share(data, item, [code], instrument) for code in range(1, len(MARGINALS[item]) + 1)])
    assert shares == pytest.approx(100 * np.array(MARGINALS[item]), abs=1.0)


def test_shares_carry_sampling_noise_rather_than_copying_the_population(analysed, wstats, instrument):
    # with cut points at each sample's own quantiles every share would sit on its population value;
    # a sample of 500 is off by about 1.5-2 points on average, and by far less than 4
    data = analysed(500, DEFAULT_SEED)
    off = [abs(wstats.share(data, variable, codes, instrument) - population_share(variable, codes))
           for _, variable, codes, _, _ in SHARES]
    assert 0.75 < np.mean(off) < 3.0, np.round(off, 1)


@pytest.mark.parametrize("seed", SEEDS)
def test_p25_under_a_quarter_in_the_most_central_classes_find_rural_life_attractive(analysed, wstats, instrument, seed):
    data = analysed(500, seed)
    share = wstats.share(data, "q23", [1, 2], instrument, where=data["centrality"].isin([1, 2]))
    assert 10 < share < 25, f"{share:.1f} %"  # published: "just under 25 %", an upper bound


@pytest.mark.parametrize("seed", SEEDS)
def test_p02_a_minority_never_works_from_home_and_1_2_days_or_2_4_times_a_month_is_most_common(
        analysed, wstats, instrument, seed):
    data = analysed(500, seed)
    shares = {code: wstats.share(data, "q12", [code], instrument) for code in range(1, 7)}
    assert shares[6] < 50
    assert max(shares, key=shares.get) in (3, 4)
    youngest_minus_rest, _ = wstats.mean_difference(data, "q12", "age_group", [1], [2, 3, 4, 5, 6, 7], instrument)
    assert youngest_minus_rest > 0  # the youngest work somewhat less from home (higher code)


# (finding, x, y, expected sign of Spearman's rho in the codes as stored)
CORRELATIONS = [
    ("P05 work anywhere vs office first", "q10_1", "q10_2", -1),
    ("P12 home office vs as effective", "q12", "q6_1", +1),  # more home office (low q12) ⇒ agree (low)
    ("P12 home office vs collaboration hard", "q12", "q6_2", -1),  # … ⇒ disagree (high)
    ("P12 home office vs creativity hard", "q12", "q6_3", -1),
    ("P12 home office vs work environment hard", "q12", "q6_4", -1),
    ("P25 centrality vs rural attractiveness", "centrality", "q23", -1),  # central (low) ⇒ unattractive (high)
    ("P28 home office vs moving with the job", "q12", "q22", +1),  # more home office ⇒ more relevant (low)
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("finding, x, y, sign", CORRELATIONS, ids=[c[0][:3] + " " + c[2] for c in CORRELATIONS])
def test_correlations_have_the_reported_sign_and_are_significant(analysed, wstats, instrument, seed, finding, x, y, sign):
    rho, p = wstats.correlate(analysed(500, seed), x, y, instrument)
    assert np.sign(rho) == sign and p < SIGNIFICANT, f"{finding}: rho {rho:.3f}, p {p:.2g}"


# (finding, outcome, grouping, first group, second group, expected sign of mean(first) − mean(second))
DIFFERENCES = [
    ("P13 fixed place at home: as effective", "q6_1", "q13", [1, 2], [3], -1),  # agree more (low code)
    ("P13 … collaboration hard", "q6_2", "q13", [1, 2], [3], +1),  # disagree more (high code)
    ("P13 … creativity hard", "q6_3", "q13", [1, 2], [3], +1),
    ("P13 … work environment hard", "q6_4", "q13", [1, 2], [3], +1),
    ("P13 … work anywhere", "q10_1", "q13", [1, 2], [3], -1),
    ("P13 … office first", "q10_2", "q13", [1, 2], [3], +1),
    ("P17 home office 3+ days: job opportunities less important", "q16_5", "home_office_3plus", [1], [0], +1),
    ("P21 ≤ 30 min less willing to move than ≤ 1 h", "q22", "q21", [1], [2], +1),
    ("P27 fixed place at home: more home office", "q12", "q13", [1, 2], [3], -1),
]


@pytest.mark.parametrize("seed", SEEDS)
@pytest.mark.parametrize("finding, outcome, by, first, second, sign", DIFFERENCES,
                         ids=[d[0][:3] + " " + d[1] for d in DIFFERENCES])
def test_group_differences_have_the_reported_sign_and_are_significant(analysed, wstats, instrument, seed,
                                                                      finding, outcome, by, first, second, sign):
    diff, p = wstats.mean_difference(analysed(500, seed), outcome, by, first, second, instrument)
    assert np.sign(diff) == sign and p < SIGNIFICANT, f"{finding}: difference {diff:.3f}, p {p:.2g}"


@pytest.mark.parametrize("seed", SEEDS)
def test_p14_the_six_items_are_consistent_and_p19_the_index_goes_with_moving(analysed, wstats, instrument, seed):
    data = analysed(500, seed)
    assert wstats.cronbach_alpha(wstats.attitude_items(data, instrument), data["w"].to_numpy()) >= 0.7
    index = wstats.office_bound_index(data, instrument)
    ok = ~np.isnan(index) & wstats.answered(data, "q22", instrument)
    rho, p = wstats.spearman(index[ok], wstats.values(data, "q22")[ok], data["w"].to_numpy()[ok])
    assert rho > 0 and p < SIGNIFICANT  # office-bound (high) ⇒ moving irrelevant (high code)


@pytest.mark.parametrize("seed", SEEDS)
def test_p22_travel_time_differs_with_home_office_3_days_or_more(analysed, wstats, instrument, seed):
    data = analysed(500, seed)
    _, p, _ = wstats.chi_square(data, "q21", "home_office_3plus", instrument)
    assert p < SIGNIFICANT
    three_plus = data["home_office_3plus"].eq(1).to_numpy(dtype=bool)
    longer = [wstats.share(data, "q21", [2, 3, 4], instrument, where=group) for group in (three_plus, ~three_plus)]
    assert longer[0] > longer[1]  # the donut effect: more home office, longer acceptable travel


@pytest.mark.parametrize("seed", SEEDS)
def test_p26_higher_education_finds_rural_life_less_attractive_masters_most(analysed, wstats, instrument, seed):
    data = analysed(500, seed)
    ordered = data["q4"].isin([1, 2, 3, 4]).to_numpy(dtype=bool)  # "Annet" (5) has no place in the order
    rho, p = wstats.correlate(data, "q4", "q23", instrument, where=ordered)
    assert rho > 0 and p < SIGNIFICANT
    masters, _ = wstats.mean_difference(data, "q23", "q4", [4], [1, 2, 3], instrument)
    assert masters > 0  # master's degree or higher: the least attractive (highest code)


# --- where the report found no difference ---------------------------------------------------------

OTHER_RESIDENCE_FACTORS = ["q16_1", "q16_2", "q16_3", "q16_4"]


def test_at_the_default_seed_nothing_differs_where_the_report_found_nothing(analysed, wstats, instrument):
    data = analysed(500, DEFAULT_SEED)
    for item in OTHER_RESIDENCE_FACTORS:  # P17: only job opportunities differ
        _, p = wstats.mean_difference(data, item, "home_office_3plus", [1], [0], instrument)
        assert p > SIGNIFICANT, item
    _, p, _ = wstats.chi_square(data, "q23", "age_group", instrument)  # P24
    assert p > SIGNIFICANT


def test_in_expectation_home_office_moves_only_job_opportunities(analysed, wstats, instrument):
    data = analysed(LARGE_N, 11)
    for item in OTHER_RESIDENCE_FACTORS:
        diff, _ = wstats.mean_difference(data, item, "home_office_3plus", [1], [0], instrument)
        assert abs(diff) < 0.05, item  # on a 1-5 scale: nothing a sample of 500 could see
    diff, _ = wstats.mean_difference(data, "q16_5", "home_office_3plus", [1], [0], instrument)
    assert diff > 0.3


def test_in_expectation_age_does_not_matter_for_rural_attractiveness(analysed, wstats, instrument):
    _, _, cramers_v = wstats.chi_square(analysed(LARGE_N, 11), "q23", "age_group", instrument)
    assert cramers_v < 0.03  # at n = 500 the chi-square test would see this only by chance


# --- who is in the sample ----------------------------------------------------------------------------


def test_sample_looks_like_a_phone_sample_of_remote_capable_workers(analysed, instrument):
    data = analysed(LARGE_N, 11)
    women = data["q207"].eq(2).mean()
    assert 0.55 < women < 0.61
    targets = population_targets()
    population = targets.groupby("age_group")["population"].sum() / targets["population"].sum()
    sample = data["age_group"].value_counts(normalize=True)
    assert sample[7] > population[7] + 0.02 and sample[1] < population[1] - 0.02  # older over, youngest under
    assert 0.66 < data["q4"].isin([3, 4]).mean() < 0.74  # higher education ≈ 70 %
    assert 0.43 < data["centrality"].isin([1, 2]).mean() < 0.57  # about half in the two most central classes
    assert 0.30 < data["q1"].eq(1).mean() < 0.50  # public sector
    assert data["county"].nunique() == 15 and data["municipality"].nunique() > 300


def test_weighting_matters(analysed):
    data = analysed(500, DEFAULT_SEED)
    women = data["q207"].eq(2)
    assert women.mean() - np.average(women, weights=data["w"]) > 0.05

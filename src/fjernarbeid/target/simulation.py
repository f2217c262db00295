"""Checking the regional potential against a population whose truth is known: the demo's model.

The demo generator (:mod:`fjernarbeid.studies.norce2025.demo.model`) says for every person how likely they are to be
eligible (screening) and to answer "yes" to an outcome, and where they live: sex and age group from
SSB's national population, the home municipality drawn from the sampling frame independently of
both. In that world

* the population of municipality m, sex s, age group a is N_sa · p_m (p_m the frame's chance of m);
* the true potential of a county is Σ_{m∈county} Σ_sa N_sa p_m · E_sac · Π_sac, where E and Π are
  the eligible share and the share of "yes" among the eligible with an answer, by sex, age group and
  centrality class c of m. They are computed from one large draw of the model (:func:`truth_rates`).

:func:`simulate` draws surveys from the model (:func:`draw_survey`: a fixed number of contacts who answer
the screening, the eligible among them interviewed), runs the estimator of
:func:`fjernarbeid.target.analysis.run_targeting` with that population, and records whether each
county's 95 % interval covers the truth, and the relative bias of the estimates.

Why not ``generate_demo`` itself: to match the report, the demo keeps *exactly* 182 / 392 / 500 contacts
per screening outcome, drawing until each count is full. That is sampling on the outcome (as in a
case-control study): the odds ratios of eligibility survive, but its level is the report's, not the
model's, so a survey drawn that way cannot be compared with the model's truth. Here the number of
screened contacts is fixed (the report's 1,074) and the number of interviews follows from the model.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError
from fjernarbeid.target.analysis import Population, prepare_contacts, prepare_respondents, run_targeting
from fjernarbeid.target.spec import TargetingSpec, load_spec


def demo_population() -> Population:
    """The demo world's population cells: N_sa (SSB, national) spread over municipalities by the frame."""
    from fjernarbeid.studies.norce2025.demo import frame as sampling_frame
    from fjernarbeid.refdata import norwegian_county_name, population_targets

    frame = sampling_frame.load_frame()
    share = frame.groupby("municipality_code")["draw_weight"].sum()
    facts = (frame.drop_duplicates("municipality_code")
             [["municipality_code", "municipality_name", "county_code", "county_name", "centrality"]]
             .reset_index(drop=True))
    facts["county_name"] = facts["county_name"].map(norwegian_county_name)  # the frame copies the register's
    targets = population_targets()
    cells = pd.DataFrame([(m, int(r.sex), int(r.age_group), float(r.population) * p)
                          for m, p in share.items() for r in targets.itertuples()],
                         columns=["municipality_code", "sex", "age_group", "population"])
    return Population(cells, facts, "demo model: SSB 25-60 by sex and age group, spread by the demo frame")


def truth_rates(spec: TargetingSpec, outcome: str, contacts: int = 1_500_000, seed: int = 7) -> pd.DataFrame:
    """Eligible share and share of "yes" among the eligible by sex, age group and centrality class,
    from one draw of ``contacts`` people (the response tilt of the phone sample is constant within a
    sex × age cell, so the cell rates are the population's)."""
    from fjernarbeid.studies.norce2025.demo import model
    from fjernarbeid.instrument import load_instrument

    instrument = load_instrument()
    o = spec.outcome(outcome)
    rng_contacts, rng_interview = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    people = model.draw_contacts(rng_contacts, contacts, instrument)
    eligible = people["outcome"] == model.OUTCOME_COMPLETE
    cell = pd.DataFrame({"sex": people["sex"], "age_group": people["age_group"], "centrality": people["centrality"],
                         "eligible": eligible.astype(float)})
    rates = cell.groupby(["sex", "age_group", "centrality"])["eligible"].agg(["mean", "size"])
    rates.columns = ["eligible_share", "contacts"]
    completes = {k: v[eligible] for k, v in people.items()}
    answers = model.interview(rng_interview, completes, instrument)
    code = answers[o.variable]
    valid = np.isin(code, instrument[o.variable].substantive_codes)
    yes = pd.DataFrame({"sex": completes["sex"][valid], "age_group": completes["age_group"][valid],
                        "centrality": completes["centrality"][valid],
                        "yes": np.isin(code[valid], o.yes).astype(float)})
    rates["yes_share"] = yes.groupby(["sex", "age_group", "centrality"])["yes"].mean()
    return rates.reset_index()


def true_totals(population: Population, rates: pd.DataFrame, key: str = "county_code") -> pd.Series:
    """The true potential by ``key`` (a column of the municipalities) and ``"national"``."""
    cells = population.cells.merge(population.municipalities, on="municipality_code")
    cells = cells.merge(rates, on=["sex", "age_group", "centrality"], how="left")
    if cells["yes_share"].isna().any():
        raise RuntimeError("the truth draw has a cell without interviews; draw more contacts")
    cells["truth"] = cells["population"] * cells["eligible_share"] * cells["yes_share"]
    out = cells.groupby(key)["truth"].sum()
    out["national"] = cells["truth"].sum()
    return out


@dataclass
class SimulationResult:
    table: pd.DataFrame  # one row per area: truth, mean estimate, bias, coverage, SE ratio
    draws: pd.DataFrame  # one row per draw and area: estimate, CI, covered
    n_draws: int
    n: int  # screened contacts per survey
    outcome: str
    truth_contacts: int
    failed: list[dict]  # draws where a model could not be estimated (seed, reason)


def draw_survey(seed: int, contacts: int, spec: TargetingSpec, instrument) -> tuple[pd.DataFrame, pd.DataFrame]:
    """(interviews, screening log) of one survey drawn from the demo model: ``contacts`` people who answer
    the screening, with the columns the study's files have."""
    from fjernarbeid.studies.norce2025.demo import frame as sampling_frame
    from fjernarbeid.studies.norce2025.demo import model
    from fjernarbeid.studies.norce2025.demo.generate import _survey_frame

    rng_contacts, rng_interview = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(2))
    people = model.draw_contacts(rng_contacts, contacts, instrument)
    eligible = people["outcome"] == model.OUTCOME_COMPLETE
    completes = {k: v[eligible] for k, v in people.items()}
    survey = _survey_frame(completes, model.interview(rng_interview, completes, instrument), instrument)
    s = spec.screening
    codes = np.where(eligible, s.eligible[0], np.where(people["outcome"] == model.OUTCOME_S1, s.not_eligible[0],
                                                       s.not_eligible[-1]))
    log = pd.DataFrame({s.disposition_column: pd.array(codes, dtype="string"),
                        s.postal_code: pd.array(sampling_frame.load_frame()["postal_code"].to_numpy()[people["frame_row"]],
                                                dtype="string"),
                        s.birth_year: people["birth_year"].astype(float)})
    return survey, log


def one_draw(seed: int, contacts: int, spec: TargetingSpec, population: Population, ref, instrument,
             outcome: str) -> list[dict]:
    """One survey from the model analysed as ``fjernarbeid target`` does: county and national rows."""
    from fjernarbeid.data.derive import derive
    from fjernarbeid.findings.run import analysis_frame
    from fjernarbeid.survey.weighting import weight_study
    from fjernarbeid.target.pipeline import derive_contacts

    survey, log = draw_survey(seed, contacts, spec, instrument)
    frame = derive(survey, instrument, ref)
    weighted = weight_study(frame, instrument)
    respondents = prepare_respondents(analysis_frame(frame.reset_index(drop=True), instrument), spec, instrument)
    contacts = prepare_contacts(log, spec, derive_contacts(log, instrument, ref))
    result = run_targeting(respondents, weighted.design, contacts, population, spec, outcomes=[outcome],
                           describe=False)
    pot = result.outcomes[0]["potential"]
    rows = [{"seed": seed, "interviews": len(survey), "area": r["county_code"], **{k: r[k] for k in ("potential", "se", "ci_low", "ci_high")}}
            for r in pot["counties"]]
    nat = pot["national"]
    rows.append({"seed": seed, "interviews": len(survey), "area": "national", **{k: nat[k] for k in ("potential", "se", "ci_low", "ci_high")}})
    return rows


REPORT_CONTACTS = 1074  # contacts who answered the screening in the report (182 + 392 + 500)


def simulate(draws: int = 200, n: int = REPORT_CONTACTS, first_seed: int = 10_000, outcome: str = "move",
             truth_contacts: int = 1_500_000, progress=None) -> SimulationResult:
    """Coverage and bias of the county potentials over ``draws`` surveys of ``n`` screened contacts each."""
    from fjernarbeid.studies.norce2025.demo.registers import write_registers
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.refdata import RefData

    spec = load_spec()
    instrument = load_instrument()
    population = demo_population()
    truth = true_totals(population, truth_rates(spec, outcome, truth_contacts))
    with tempfile.TemporaryDirectory() as tmp:
        ref = RefData(write_registers(Path(tmp)))
        rows, failed = [], []
        for i in range(draws):
            try:
                rows += one_draw(first_seed + i, n, spec, population, ref, instrument, outcome)
            except ComputationError as exc:  # e.g. no "yes" in an age group: the model cannot be fitted
                failed.append({"seed": first_seed + i, "reason": str(exc)})
            if progress:
                progress(i + 1)
    d = pd.DataFrame(rows)
    d["truth"] = d["area"].map(truth)
    d["covered"] = (d["ci_low"] <= d["truth"]) & (d["truth"] <= d["ci_high"])
    names = population.municipalities.drop_duplicates("county_code").set_index("county_code")["county_name"]
    table = d.groupby("area").agg(truth=("truth", "first"), mean_estimate=("potential", "mean"),
                                  sd_estimate=("potential", "std"), mean_se=("se", "mean"),
                                  coverage=("covered", "mean")).reset_index()
    table["relative_bias"] = table["mean_estimate"] / table["truth"] - 1
    table["se_ratio"] = table["mean_se"] / table["sd_estimate"]
    table["name"] = table["area"].map(names).fillna("Norway")
    table = table.sort_values("truth", ascending=False).reset_index(drop=True)
    return SimulationResult(table=table, draws=d, n_draws=draws, n=n, outcome=outcome, truth_contacts=truth_contacts,
                            failed=failed)


__all__ = ["SimulationResult", "demo_population", "one_draw", "simulate", "true_totals", "truth_rates"]

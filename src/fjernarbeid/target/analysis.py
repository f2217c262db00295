"""Target groups and regional potential: who is inclined to move and work remotely, how many, and where.

:func:`run_targeting` takes the weighted interviews, the screening funnel of the disposition log
and the population by municipality × sex × age group, and returns a :class:`TargetResult`:

1. *Who* — design-based logistic models (``svyglm``) of every outcome's "yes" on the covariates,
   with a Wald F test per term (R ``regTermTest``), and proportional-odds models (``svyolr``) of
   the ordinal outcomes.
2. *How many and where* — the synthetic estimator of :mod:`.potential`: eligibility e(age,
   centrality) from the screened contacts × propensity π(sex, age, centrality) from the interviews
   × the population of each municipality; totals for municipalities, counties, the nation and a
   region the user names, with linearised variances carrying both models.
3. *Segments* — cross-classes of area covariates ranked by propensity and by size, and what the
   leading segments and those answering "yes" value (importance items), compared with the rest.

Every question name comes from the :class:`~fjernarbeid.target.spec.TargetingSpec`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError, DataValidationError
from fjernarbeid.survey._distributions import f_sf, norm_ppf, t_ppf
from fjernarbeid.survey.compare import svyprop_diff
from fjernarbeid.survey.design import SurveyDesign, svydesign
from fjernarbeid.survey.estimate import proportion_ci, svymean
from fjernarbeid.survey.models import GlmResult, svyglm, svyolr
from fjernarbeid.target import potential as P
from fjernarbeid.target.spec import TargetingSpec, text

SCHEMA = "fjernarbeid.target/1"
LEVEL = 0.95

CAVEAT = {
    "nb": ("Tallene per kommune er syntetiske anslag: de bygger på at tilbøyeligheten til å flytte og andelen som "
           "kan arbeide på avstand avhenger av kjønn, alder og kommunens sentralitet, ikke av kommunen selv. "
           "Ingen kommune er målt for seg; to kommuner med samme sentralitet og aldersfordeling får samme andel."),
    "nn": ("Tala per kommune er syntetiske overslag: dei byggjer på at tilbøyet til å flytte og delen som kan "
           "arbeide på avstand avheng av kjønn, alder og sentraliteten til kommunen, ikkje av kommunen sjølv. "
           "Ingen kommune er målt for seg; to kommunar med same sentralitet og aldersfordeling får same del."),
    "en": ("Municipal figures are synthetic estimates: they assume that the propensity to move and the share who "
           "can work remotely depend on sex, age and the municipality's centrality, not on the municipality "
           "itself. No municipality is measured on its own; two municipalities with the same centrality and age "
           "structure get the same share."),
}
ELIGIBILITY_CAVEAT = {
    "nb": ("Andelen kvalifiserte er anslått fra kontaktene som svarte på silingsspørsmålene (postnummer og "
           "fødselsår ble spurt før S1/S2). Kontakter som aldri svarte på silingen antas å være kvalifisert like "
           "ofte som de som svarte, i samme alder og sentralitet; kjønn er ukjent for de utsilte."),
    "nn": ("Delen kvalifiserte er rekna ut frå kontaktane som svara på silingsspørsmåla (postnummer og fødselsår "
           "vart spurde før S1/S2). Kontaktar som aldri svara på silinga er rekna å vere kvalifiserte like ofte "
           "som dei som svara, i same alder og sentralitet; kjønn er ukjent for dei utsilte."),
    "en": ("The eligible share is estimated from the contacts who answered the screening (postal code and birth "
           "year were asked before S1/S2). Contacts who never answered the screening are assumed to be eligible "
           "as often as those who did, at the same age and centrality; sex is unknown for the screened-out."),
}
VARIANCE_METHOD = {
    "en": ("Linearisation (delta method): the potential's gradient with respect to both models' coefficients "
           "times each model's design-based sandwich covariance (influence values through the design's variance "
           "of totals; post-stratification included); the two estimating equations are uncorrelated when "
           "the models hold (eligibility decides who enters the propensity model), so the variances add. "
           "95 % intervals are Wald intervals on the log scale; population counts are taken as known."),
    "nb": ("Linearisering (deltametoden): gradienten til potensialet med hensyn på begge modellenes koeffisienter "
           "ganget med hver modells designbaserte sandwich-kovarians (influensverdier gjennom designets varians for "
           "totaler; etterstratifiseringen tatt med); de to estimeringsligningene er ukorrelerte når "
           "modellene holder (kvalifisering avgjør hvem som er med i tilbøyelighetsmodellen), så variansene "
           "legges sammen. 95 % KI er Wald-intervaller på log-skala; befolkningstallene regnes som kjente."),
    "nn": ("Linearisering (deltametoden): gradienten til potensialet med omsyn til koeffisientane i begge modellane "
           "gonga med den designbaserte sandwich-kovariansen til kvar modell (influensverdiar gjennom variansen til "
           "designet for totalar; etterstratifiseringa teken med); dei to estimeringslikningane er ukorrelerte når "
           "modellane held (kvalifisering avgjer kven som er med i modellen for tilbøyelegheit), så "
           "variansane blir lagde saman. 95 % KI er Wald-intervall på log-skala; folketala er rekna som kjende."),
}


# -- data preparation ------------------------------------------------------------------------------


def recode(values: pd.Series, mapping: dict[int, int]) -> pd.Series:
    """Codes mapped to new codes (others missing), as floats."""
    x = pd.to_numeric(values, errors="coerce")
    return x.map(lambda v: mapping.get(int(v)) if pd.notna(v) else None).astype(float)


def prepare_respondents(frame: pd.DataFrame, spec: TargetingSpec, instrument, catalogue=None) -> pd.DataFrame:
    """The analysis columns: recoded covariates, each outcome's 0/1 ``<name>_yes`` and ordinal codes.

    ``frame`` is the analysis frame (not-sure codes and skipped questions already missing).
    """
    out = pd.DataFrame(index=frame.index)
    for name, var in spec.variables.items():
        if var.numeric:
            out[name] = _index_column(frame, var.index, instrument, catalogue)
        else:
            if var.source not in frame.columns:
                raise DataValidationError(f"the data have no column {var.source!r} (needed for {name!r})")
            out[name] = recode(frame[var.source], var.recode())
    for o in spec.outcomes:
        if o.variable not in frame.columns:
            raise DataValidationError(f"the data have no column {o.variable!r} (outcome {o.name!r})")
        x = pd.to_numeric(frame[o.variable], errors="coerce").astype(float)
        out[f"{o.name}_code"] = x
        out[f"{o.name}_yes"] = np.where(x.isna(), np.nan, x.isin(o.yes).astype(float))
    for item in spec.importance_items:
        x = pd.to_numeric(frame[item], errors="coerce").astype(float) if item in frame.columns else np.nan
        out[f"{item}_important"] = np.where(pd.isna(x), np.nan, pd.Series(x).isin(spec.importance_yes).astype(float))
    return out


def _index_column(frame, index_id, instrument, catalogue) -> pd.Series:
    from fjernarbeid.findings.catalogue import load_catalogue
    from fjernarbeid.survey.scale import index_from_instrument

    catalogue = catalogue if catalogue is not None else load_catalogue(instrument=instrument)
    found = [f for f in catalogue if f.id == index_id]
    if not found:
        raise DataValidationError(f"the findings catalogue has no index {index_id!r}")
    f = found[0]
    return index_from_instrument(frame, instrument, f.spec["items"], reverse=f.spec.get("reverse", ()),
                                 method=f.spec.get("method", "mean"), min_items=f.spec.get("min_items"),
                                 name=f.spec["name"]).astype(float)


def prepare_contacts(log: pd.DataFrame, spec: TargetingSpec, derived: pd.DataFrame) -> pd.DataFrame:
    """Screened contacts with their area covariates and ``eligible`` (1/0).

    ``derived`` is the log with the instrument's derived variables (age group, centrality) added.
    """
    s = spec.screening
    if s.disposition_column not in log.columns:
        raise DataValidationError(f"the disposition log has no column {s.disposition_column!r}")
    code = log[s.disposition_column].astype(str).str.strip()
    screened = code.isin(s.eligible + s.not_eligible).to_numpy()
    out = pd.DataFrame({"eligible": code.isin(s.eligible).astype(float)})
    for name in s.covariates:
        var = spec.variables[name]
        if var.source not in derived.columns:
            raise DataValidationError(f"the disposition log gives no {var.source!r} (from {s.postal_code}/{s.birth_year})")
        out[name] = recode(derived[var.source], var.recode())
    out = out[screened].reset_index(drop=True)
    unknown = out[list(s.covariates)].isna().any(axis=1)
    if unknown.all() or out.empty:
        raise ComputationError("no screened contact in the disposition log has a known age and home centrality")
    return out[~unknown].reset_index(drop=True)


@dataclass(frozen=True)
class Population:
    """Population cells (municipality × sex × age group) with the municipalities' facts."""

    cells: pd.DataFrame  # municipality_code, sex, age_group, population
    municipalities: pd.DataFrame  # municipality_code, municipality_name, county_code, county_name, centrality
    source: str

    def with_area_covariates(self, spec: TargetingSpec) -> pd.DataFrame:
        """Cells joined with the municipality's facts and every area covariate recoded."""
        cells = self.cells.merge(self.municipalities, on="municipality_code", how="left", validate="many_to_one")
        raw = {"sex": cells["sex"], "age_group": cells["age_group"], "centrality": cells["centrality"]}
        for name in set(spec.area_covariates) | set(spec.segments):
            var = spec.variables[name]
            if var.source in cells.columns:
                source = cells[var.source]
            elif var.source in raw:
                source = raw[var.source]
            else:
                # a question standing for sex (the population table's own codes are the questionnaire's)
                source = cells["sex"]
            cells[name] = recode(source, var.recode())
        return cells


POPULATION_SOURCE = ("SSB StatBank table 07459, population aged 25-60 on 1 January 2025 by municipality (2024 "
                     "borders), sex and age group; centrality SSB KLASS 128 (2024)")


def shipped_population() -> Population:
    """The shipped summary of SSB 07459 by municipality (see ``refdata/summary``)."""
    from fjernarbeid.refdata import municipality_facts, population_by_municipality

    return Population(population_by_municipality(), municipality_facts(), POPULATION_SOURCE)


def population_for(refdata) -> Population:
    """SSB 07459 by municipality from the reference-data directory when it has it (``fjernarbeid refdata
    update --municipalities``), else the shipped summary. The register must be at the summary's borders
    (2024): the municipalities' names, counties and centrality classes come from the summary."""
    from fjernarbeid.refdata import municipality_facts

    if refdata is None or not refdata.has("population_municipality"):
        return shipped_population()
    cells = refdata.population_by_municipality(2025)
    facts = municipality_facts()
    unknown = sorted(set(cells["municipality_code"]) - set(facts["municipality_code"]))
    if unknown:
        raise DataValidationError(
            f"{refdata.path('population_municipality')}: municipalities {', '.join(unknown[:5])} are not at the 2024 "
            "borders the centrality classes are shipped for; use a table at 2024 borders (or remove it to use the "
            "shipped summary)")
    return Population(cells, facts, f"SSB StatBank table 07459 ({refdata.path('population_municipality').name}), "
                                    "population aged 25-60 on 1 January 2025 by municipality, sex and age group")


# -- models ------------------------------------------------------------------------------------------


def _formula(outcome: str, covariates, numeric: set[str]) -> str:
    return f"{outcome} ~ " + " + ".join(c if c in numeric else f"C({c})" for c in covariates)


def term_tests(fit: GlmResult, terms: list[str]) -> list[dict]:
    """Wald F test that all coefficients of a term are zero, as R ``regTermTest(model, ~term)``:
    F = bᵀ V⁻¹ b / d on d and the model's residual degrees of freedom."""
    names = list(fit.coefficients.index)
    out = []
    for term in terms:
        idx = [i for i, n in enumerate(names) if n == term or (n.startswith(term) and n[len(term):].isdigit())]
        if not idx:
            continue
        b = fit.coefficients.to_numpy()[idx]
        v = fit.vcov.to_numpy()[np.ix_(idx, idx)]
        f = float(b @ np.linalg.solve(v, b)) / len(idx)
        out.append({"term": term, "F": f, "df": len(idx), "ddf": int(fit.df_residual),
                    "p": float(f_sf(f, len(idx), fit.df_residual))})
    return out


def coefficient_rows(fit: GlmResult) -> list[dict]:
    tab = fit.table(LEVEL)
    return [{"name": name, "estimate": float(r.estimate), "se": float(r.se), "p": float(r.p),
             "odds_ratio": float(np.exp(r.estimate)), "or_low": float(np.exp(r.ci_low)),
             "or_high": float(np.exp(r.ci_high))} for name, r in tab.iterrows()]


def model_row(names: list[str], values: dict[str, float]) -> np.ndarray:
    """The model-matrix row of a covariate pattern for coefficients ``names`` (R's treatment coding:
    ``var`` + level for factors, the plain name for numeric ones)."""
    row = np.zeros(len(names))
    for j, name in enumerate(names):
        if name == "(Intercept)":
            row[j] = 1.0
            continue
        for var in sorted(values, key=len, reverse=True):
            if name == var:
                row[j] = float(values[var])
                break
            if name.startswith(var) and name[len(var):].lstrip("-").replace(".", "", 1).isdigit():
                row[j] = float(float(values[var]) == float(name[len(var):]))
                break
        else:
            raise KeyError(f"no value for model term {name!r}")
    return row


def model_matrix(names: list[str], table: pd.DataFrame, variables) -> np.ndarray:
    return np.vstack([model_row(names, {v: r[v] for v in variables}) for r in
                      table[list(variables)].to_dict("records")]) if len(table) else np.zeros((0, len(names)))


# -- the result --------------------------------------------------------------------------------------


@dataclass
class TargetResult:
    """Everything ``fjernarbeid target`` reports; :meth:`to_dict` is the results JSON (docs/target-schema.md)."""

    spec: TargetingSpec
    data: dict
    screening: dict
    outcomes: list[dict] = field(default_factory=list)
    region: dict | None = None
    synthetic: bool = False

    def to_dict(self) -> dict:
        from fjernarbeid import __version__

        return {
            "schema": SCHEMA,
            "generator": {"name": "fjernarbeid", "version": __version__},
            "study": self.spec.study,
            "synthetic_data": self.synthetic,
            "synthetic_estimator_caveat": CAVEAT,
            "eligibility_caveat": ELIGIBILITY_CAVEAT,
            "variance_method": {"name": "linearisation", **VARIANCE_METHOD},
            "confidence": LEVEL,
            "data": self.data,
            "screening": self.screening,
            "region": self.region,
            "variables": {name: {"label": v.label, "numeric": v.numeric,
                                 "codes": {str(c): lab for c, lab in v.labels.items()}}
                          for name, v in self.spec.variables.items()},
            "outcomes": self.outcomes,
        }


def _q(level: float = LEVEL) -> float:
    return float(norm_ppf(0.5 + level / 2))


def run_targeting(respondents: pd.DataFrame, design: SurveyDesign, contacts: pd.DataFrame, population: Population,
                  spec: TargetingSpec, *, region: list[str] | None = None, region_name: str | None = None,
                  projections: dict[str, dict] | None = None, synthetic: bool = False,
                  outcomes: list[str] | None = None, describe: bool = True) -> TargetResult:
    """The whole analysis. ``respondents`` is :func:`prepare_respondents`' frame (one row per design row),
    ``design`` the study's weighted design (its data are replaced by ``respondents``), ``contacts``
    :func:`prepare_contacts`' frame, ``region`` municipality or county codes. ``projections``: the findings'
    national projections by finding id ({"central", "low", "high", "share"}), for reconciliation.
    ``outcomes`` limits the run to the named outcomes; ``describe=False`` leaves out the models of who,
    the segments and the importance comparisons (the simulation needs only the potentials)."""
    if design.n != len(respondents):
        raise ValueError(f"the design has {design.n} rows but the respondents {len(respondents)}")
    d = replace(design, data=respondents.reset_index(drop=True))
    numeric = {n for n, v in spec.variables.items() if v.numeric}

    # eligibility from the screening funnel: every screened contact counts once (no weights are known)
    scov = list(spec.screening.covariates)
    n_eligible = int(contacts["eligible"].sum())
    try:
        if n_eligible in (0, len(contacts)):
            raise ComputationError("every one of them has the same screening outcome")
        cdesign = svydesign(contacts)
        elig = svyglm(cdesign, _formula("eligible", scov, set()), family="binomial")
    except (ComputationError, ValueError) as exc:  # say which model, from which data, failed
        raise ComputationError(f"the eligibility model ({' + '.join(scov)}) cannot be estimated from the "
                               f"disposition log's {len(contacts)} screened contact(s), {n_eligible} of them "
                               f"eligible: {exc}") from None
    cells = population.with_area_covariates(spec)
    z = model_matrix(list(elig.coefficients.index), cells, scov)
    screening = {
        "n_contacts": int(len(contacts)), "n_eligible": int(contacts["eligible"].sum()),
        "share_eligible": float(contacts["eligible"].mean()), "covariates": scov,
        "coefficients": coefficient_rows(elig), "terms": term_tests(elig, scov),
        "eligible_label": spec.screening.eligible_label,
        "eligible_population": float(cells["population"].to_numpy() @ P.expit(z @ elig.coefficients.to_numpy())),
        "population_25_60": int(cells["population"].sum()),
    }
    result = TargetResult(spec=spec, synthetic=synthetic, screening=screening,
                          data={"n_respondents": int(d.in_domain.sum()), "population_source": population.source})
    region_codes = [str(c) for c in (region or [])]
    if region_codes:
        result.region = _region_info(region_codes, population, region_name)
    for o in spec.outcomes:
        if outcomes is not None and o.name not in outcomes:
            continue
        result.outcomes.append(_outcome(o, d, spec, numeric, elig, z, cells, population, result.region,
                                        (projections or {}).get(o.projection or ""), describe))
    return result


def _region_info(codes: list[str], population: Population, name: str | None) -> dict:
    munis = population.municipalities
    chosen = munis[munis["municipality_code"].isin(codes) | munis["county_code"].isin(codes)]
    unknown = [c for c in codes if c not in set(munis["municipality_code"]) and c not in set(munis["county_code"])]
    if unknown:
        raise DataValidationError(f"--region: {', '.join(unknown)} is neither a municipality nor a county number "
                                  "(2024 borders, e.g. 4618 or 46)")
    codes = list(dict.fromkeys(codes))  # a code given twice is one area, counted once
    return {"codes": codes, "name": name or region_label(codes, munis),
            "municipalities": chosen["municipality_code"].tolist()}


def region_label(codes: list[str], municipalities: pd.DataFrame) -> str:
    """A region's name from its codes: each county by its name (``46`` → Vestland), each municipality by its
    own; beyond six names, the first six and how many more (a heading, not a list)."""
    counties = dict(zip(municipalities["county_code"], municipalities["county_name"]))
    names = dict(zip(municipalities["municipality_code"], municipalities["municipality_name"]))
    labels = [counties.get(c) or names.get(c) or c for c in codes]
    return ", ".join(labels) if len(labels) <= 6 else f"{', '.join(labels[:6])} (+{len(labels) - 6})"


def _outcome(o, d: SurveyDesign, spec: TargetingSpec, numeric, elig, z, cells, population, region, projection,
             describe: bool = True) -> dict:
    y = f"{o.name}_yes"
    res: dict[str, Any] = {"name": o.name, "variable": o.variable, "yes": list(o.yes), "label": o.label,
                           "yes_label": o.yes_label, "projection_finding": o.projection}
    share = svymean(d, y)
    res["share"] = {"estimate": share.estimate, "se": share.se, "ci_low": share.ci_low, "ci_high": share.ci_high,
                    "n": share.n_unweighted}
    if describe:
        res.update(who(o, d, spec, numeric))
    if not o.potential:
        if describe:
            res["importance"] = importance(d, spec, y, None)
        return res

    # how many and where: propensity on the area covariates, times eligibility, times population
    area = list(spec.area_covariates)
    try:
        prop = svyglm(d, _formula(y, area, set()), family="binomial")
    except ComputationError as exc:
        raise ComputationError(f"the propensity model of {o.name!r} on {', '.join(area)} cannot be estimated: {exc}. "
                               "Often a group has no (or only) 'yes' answers; merge groups of the area covariates "
                               "in the targeting specification") from None
    names = list(prop.coefficients.index)
    x = model_matrix(names, cells, area)
    res["area_model"] = {"formula": prop.formula, "n": prop.n, "df_residual": prop.df_residual,
                         "coefficients": coefficient_rows(prop), "terms": term_tests(prop, area)}
    pop = cells["population"].to_numpy(dtype=float)
    beta, v_beta = prop.coefficients.to_numpy(), prop.vcov.to_numpy()
    gamma, v_gamma = elig.coefficients.to_numpy(), elig.vcov.to_numpy()

    def totals(keys: pd.Series) -> tuple[list, dict]:
        labels = list(pd.unique(keys))
        m = (keys.to_numpy()[None, :] == np.array(labels, dtype=object)[:, None]).astype(float)
        return labels, P.synthetic_totals(pop, m, x, beta, v_beta, z, gamma, v_gamma)

    # respondents behind each municipality's estimate: those of its small-area group
    group = spec.small_area.group_variable
    used = d.in_domain & d.data[y].notna().to_numpy()
    n_group = d.data.loc[used, group].value_counts().to_dict()
    q = _q()

    def rows(keys: pd.Series, facts: pd.DataFrame | None, key_name: str, flag: bool) -> list[dict]:
        labels, t = totals(keys)
        se = np.sqrt(np.diag(t["vcov_total"]))
        lo, hi = P.log_interval(t["total"], se, q)
        share_se = np.sqrt(np.maximum(P.ratio_variance(t["total"], t["eligible"], np.diag(t["vcov_total"]),
                                                       np.diag(t["vcov_eligible"]), np.diag(t["cov_total_eligible"])), 0))
        s_lo, s_hi = P.logit_interval(t["total"] / t["eligible"], share_se, q)
        out = []
        for i, label in enumerate(labels):
            row = {key_name: label, "potential": float(t["total"][i]), "se": float(se[i]),
                   "ci_low": float(lo[i]), "ci_high": float(hi[i]), "cv": float(se[i] / t["total"][i]),
                   "eligible": float(t["eligible"][i]), "eligible_se": float(np.sqrt(t["vcov_eligible"][i, i])),
                   "propensity": float(t["total"][i] / t["eligible"][i]), "propensity_ci_low": float(s_lo[i]),
                   "propensity_ci_high": float(s_hi[i]),
                   "se_from_propensity_model": float(np.sqrt(t["variance_from_propensity"][i])),
                   "se_from_eligibility_model": float(np.sqrt(t["variance_from_eligibility"][i]))}
            unit = P.rounding_unit(row["ci_low"], row["ci_high"])
            row["rounding_unit"] = unit
            row["rounded"] = {k: P.round_to(row[k], unit) for k in ("potential", "ci_low", "ci_high")}
            out.append(row)
        if facts is not None:
            info = facts.set_index(key_name)
            for row in out:
                row.update({k: (v.item() if hasattr(v, "item") else v) for k, v in info.loc[row[key_name]].items()})
        if flag:
            sa = spec.small_area
            for row in out:
                n = int(n_group.get(row[group], 0))
                row["respondents_in_group"] = n
                row["status"] = ("suppressed" if n < sa.suppress_respondents or row["cv"] > sa.suppress_cv else
                                 "weak" if n < sa.flag_respondents or row["cv"] > sa.flag_cv else "ok")
        return out

    munis = population.municipalities.copy()
    groups = cells.drop_duplicates("municipality_code").set_index("municipality_code")[group]
    munis[group] = munis["municipality_code"].map(groups)
    municipality_rows = rows(cells["municipality_code"], munis, "municipality_code", True)
    county_facts = munis.drop_duplicates("county_code")[["county_code", "county_name"]]
    county_rows = rows(cells["county_code"], county_facts, "county_code", False)
    national = rows(pd.Series(["national"] * len(cells)), None, "area", False)[0]
    res["potential"] = {"municipalities": sorted(municipality_rows, key=lambda r: -r["potential"]),
                        "counties": sorted(county_rows, key=lambda r: -r["potential"]), "national": national}
    if region is not None:
        inside = cells["municipality_code"].isin(region["municipalities"])
        keys = pd.Series(np.where(inside, "region", "rest"))
        res["potential"]["region"] = next(r for r in rows(keys, None, "area", False) if r["area"] == "region")
        res["potential"]["region_municipalities"] = [r for r in municipality_rows
                                                     if r["municipality_code"] in region["municipalities"]]
    res["reconciliation"] = _reconcile(municipality_rows, national, projection)
    if describe:
        res["segments"] = segments(d, spec, y, cells, rows)
        top = [s["cell"] for s in sorted(res["segments"], key=lambda s: -s["potential"])[:3]]
        res["importance"] = importance(d, spec, y, top)
    return res


def who(o, d: SurveyDesign, spec: TargetingSpec, numeric: set[str]) -> dict:
    """The outcome's "yes" on every covariate (svyglm logistic, a Wald test per term) and, for an ordinal
    outcome, the proportional-odds model of the whole scale (svyolr)."""
    y = f"{o.name}_yes"
    res: dict[str, Any] = {}
    try:
        full = svyglm(d, _formula(y, spec.covariates, numeric), family="binomial")
        res["logistic"] = {"formula": full.formula, "n": full.n, "df_residual": full.df_residual,
                           "coefficients": coefficient_rows(full), "terms": term_tests(full, list(spec.covariates))}
    except (ComputationError, np.linalg.LinAlgError) as exc:
        res["logistic"] = {"not_computed": str(exc)}
    if o.ordinal:
        try:
            olr = svyolr(d, _formula(f"{o.name}_code", spec.covariates, numeric))
            tab = olr.table()
            res["ordinal"] = {"formula": olr.formula, "n": olr.n, "df_residual": olr.df_residual,
                              "note": "positive coefficients mean higher codes (less agreement with the first answers)",
                              "coefficients": [{"name": n, "estimate": float(r.estimate), "se": float(r.se),
                                                "p": float(r.p)} for n, r in tab.iterrows()]}
        except (ComputationError, np.linalg.LinAlgError) as exc:
            res["ordinal"] = {"not_computed": str(exc)}
    return res


def _reconcile(municipalities: list[dict], national: dict, projection: dict | None) -> dict:
    """Municipalities add up to the nation; with the findings' national projection (share × base of
    remote-capable jobs), each municipality also gets its potential scaled to that projection
    (ratio benchmarking, Pfeffermann 2013, Statist. Sci. 28:40 — the synthetic distribution over municipalities with
    the report's national level), which adds up to the projection."""
    total = sum(r["potential"] for r in municipalities)
    rounded = sum(r["rounded"]["potential"] for r in municipalities)
    out = {"sum_of_municipalities": total, "national": national["potential"],
           "sum_of_rounded_municipalities": rounded,
           "rounding_tolerance": sum(r["rounding_unit"] / 2 for r in municipalities)}
    if projection:
        factor = projection["central"] / national["potential"]
        for r in municipalities:
            r["benchmarked_potential"] = r["potential"] * factor
            r["benchmarked_rounded"] = P.round_to(r["potential"] * factor, r["rounding_unit"])
        out.update({"findings_projection": projection, "benchmark_factor": factor,
                    "sum_of_benchmarked_municipalities": sum(r["benchmarked_potential"] for r in municipalities),
                    "sum_of_rounded_benchmarked_municipalities": sum(r["benchmarked_rounded"] for r in municipalities)})
    return out


def segments(d: SurveyDesign, spec: TargetingSpec, y: str, cells: pd.DataFrame, rows) -> list[dict]:
    """Cross-classes of the segment variables: model-based potential and propensity (as the areas), the
    respondents behind them and the direct (design-based) share of "yes" where there are enough."""
    seg = list(spec.segments)
    keys = cells[seg].astype(int).astype(str).agg("-".join, axis=1)
    out = rows(keys, None, "cell", False)
    resp_key = d.data[seg].apply(lambda c: c.map(lambda v: str(int(v)) if pd.notna(v) else "?")).agg("-".join, axis=1)
    for row in out:
        codes = [int(c) for c in row["cell"].split("-")]
        row["codes"] = dict(zip(seg, codes))
        row["labels"] = {lang: ", ".join(spec.variables[v].code_label(c, lang) for v, c in zip(seg, codes))
                         for lang in ("nb", "nn", "en")}
        mask = (resp_key == row["cell"]).to_numpy() & d.data[y].notna().to_numpy() & d.in_domain
        row["respondents"] = int(mask.sum())
        if mask.sum() >= spec.small_area.suppress_respondents:
            est = svymean(d.domain(mask), y)
            # a share: the logit interval (R svyciprop "logit"), which stays inside 0-1 for small segments
            lo, hi = proportion_ci(est.estimate, est.se, est.df, level=LEVEL, method="logit", n_rows=d.n)
            row["direct"] = {"estimate": est.estimate, "se": est.se, "ci_low": float(lo[0]), "ci_high": float(hi[0]),
                             "interval": "logit"}
        else:
            row["direct"] = None
    ranks = sorted(out, key=lambda r: -r["propensity"])
    for i, r in enumerate(ranks, 1):
        r["rank_propensity"] = i
    for i, r in enumerate(sorted(out, key=lambda r: -r["potential"]), 1):
        r["rank_size"] = i
    return sorted(out, key=lambda r: r["rank_size"])


def importance(d: SurveyDesign, spec: TargetingSpec, y: str, top_cells: list[str] | None) -> list[dict]:
    """What matters to a group compared with the rest: the share answering an importance item with a
    "yes" code, in the group and outside it, with the design-based difference (``svyprop_diff``)."""
    groups: list[tuple[str, dict, np.ndarray]] = [("yes", {"nb": "Svarer ja", "nn": "Svarar ja", "en": "Answer yes"},
                                                   (d.data[y] == 1).to_numpy())]
    if top_cells:
        seg = list(spec.segments)
        key = d.data[seg].apply(lambda c: c.map(lambda v: str(int(v)) if pd.notna(v) else "?")).agg("-".join, axis=1)
        for cell in top_cells:
            codes = [int(c) for c in cell.split("-")]
            label = {lang: ", ".join(spec.variables[v].code_label(c, lang) for v, c in zip(seg, codes))
                     for lang in ("nb", "nn", "en")}
            groups.append((cell, label, (key == cell).to_numpy()))
    out = []
    for gid, label, member in groups:
        known = d.data[y].notna().to_numpy() if gid == "yes" else np.ones(d.n, dtype=bool)
        for item in spec.importance_items:
            col = f"{item}_important"
            if col not in d.data.columns or d.data[col].isna().all():
                continue
            data = d.data.assign(_group=np.where(known, np.where(member, "group", "rest"), None))
            dd = replace(d, data=data)
            try:
                diff = svyprop_diff(dd, col, "_group")
            except (ComputationError, ValueError, KeyError):
                continue
            props = dict(zip(diff.groups, diff.means))
            sign = -1.0 if list(diff.groups)[0] == "group" else 1.0  # svyprop_diff: second minus first
            out.append({"group": gid, "group_label": label, "item": item, "in_group": float(props["group"]),
                        "rest": float(props["rest"]), "difference": sign * float(diff.estimate),
                        "difference_ci": sorted([sign * float(diff.ci_low), sign * float(diff.ci_high)]),
                        "p": float(diff.p_value),
                        "n_group": int((member & known & d.in_domain & d.data[col].notna().to_numpy()).sum())})
    return out


__all__ = ["CAVEAT", "ELIGIBILITY_CAVEAT", "LEVEL", "Population", "SCHEMA", "TargetResult", "VARIANCE_METHOD",
           "model_matrix", "model_row", "prepare_contacts", "prepare_respondents", "run_targeting", "shipped_population",
           "term_tests", "text"]

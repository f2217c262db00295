"""From files to a :class:`~fjernarbeid.target.analysis.TargetResult`: read and check the interviews,
weight them as the study does, read the screening funnel of the disposition log, and run the analysis."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path

import pandas as pd

from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.target.analysis import (Population, TargetResult, population_for, prepare_contacts,
                                         prepare_respondents, run_targeting)
from fjernarbeid.target.spec import TargetingSpec, load_spec


def read_disposition_log(path: Path, spec: TargetingSpec) -> pd.DataFrame:
    """The columns of the call log the screening funnel needs (CSV), as text."""
    s = spec.screening
    wanted = {s.disposition_column, s.postal_code, s.birth_year}
    if not path.is_file():
        raise InputFileError(f"{path}: disposition log not found" if not path.exists()
                             else f"{path}: is a directory, not a disposition log")
    try:
        log = pd.read_csv(path, dtype=str, usecols=lambda c: c in wanted, keep_default_na=False, na_values=[""])
    except pd.errors.EmptyDataError:
        raise InputFileError(f"{path}: the disposition log is empty") from None
    except (pd.errors.ParserError, UnicodeDecodeError) as exc:
        raise InputFileError(f"{path}: not a readable CSV disposition log ({exc})") from None
    missing = sorted(wanted - set(log.columns))
    if missing:
        raise InputFileError(f"{path}: the disposition log has no column {', '.join(missing)} (the screening "
                             "funnel needs the disposition, the postal code and the birth year)")
    birth = pd.to_numeric(log[s.birth_year], errors="coerce")
    bad = log[s.birth_year].notna() & birth.isna()
    if bad.any():
        line = int(bad.to_numpy().nonzero()[0][0]) + 2  # header is line 1
        raise DataValidationError(f"{path}, line {line}, column {s.birth_year}: birth year "
                                  f"{log[s.birth_year][bad].iloc[0]!r} is not a number")
    log[s.birth_year] = birth
    return log


def derive_contacts(log: pd.DataFrame, instrument, refdata) -> pd.DataFrame:
    """The log with the instrument's age, age group and postal-code look-ups (municipality, centrality)."""
    from fjernarbeid.data.derive import derive

    kinds = {"age", "bins", "postal_lookup"}
    present = set(log.columns)
    keep = []
    for d in instrument.derived:  # only the variables whose inputs the log has (in the instrument's order)
        if d.kind in kinds and (d.source in present or d.source in {k.name for k in keep}):
            keep.append(d)
    return derive(log, replace(instrument, derived=tuple(keep)), refdata)


def findings_projections(design, respondents: pd.DataFrame, spec: TargetingSpec) -> dict[str, dict]:
    """The findings' national projection (share × base of remote-capable jobs, ``findings.projection``) of
    every outcome that names its finding, from the same weighted share."""
    from fjernarbeid.findings.projection import project
    from fjernarbeid.survey.estimate import svymean

    d = replace(design, data=respondents.reset_index(drop=True))
    out = {}
    for o in spec.outcomes:
        if o.projection:
            est = svymean(d, f"{o.name}_yes")
            p = project(est.estimate, (max(est.ci_low, 0.0), min(est.ci_high, 1.0)))
            out[o.projection] = {"finding": o.projection, "share": est.estimate, "central": p.central,
                                 "low": p.low, "high": p.high, "base": p.base.source}
    return out


def target_from_files(survey: Path, dispositions: Path, *, refdata_dir: Path | None = None, instrument_file=None,
                      spec: TargetingSpec | None = None, population: Population | None = None,
                      region: list[str] | None = None, region_name: str | None = None,
                      weighting: str | None = None) -> TargetResult:
    """Read, validate, weight and analyse; the inputs are never modified."""
    from fjernarbeid.data.derive import derive
    from fjernarbeid.data.read import read_survey
    from fjernarbeid.data.synthetic import is_synthetic
    from fjernarbeid.data.validate import validate
    from fjernarbeid.findings.projection import project
    from fjernarbeid.findings.run import analysis_frame
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.refdata import RefData
    from fjernarbeid.study import load_study, weight

    spec = spec or load_spec()
    instrument = load_instrument(instrument_file)
    ref = RefData.locate(refdata_dir)
    data = read_survey(survey, instrument)
    checked = validate(data, instrument, ref)
    if not checked.ok:
        first = checked.errors[0]
        raise DataValidationError(f"{survey}: {checked.n_errors} validation error(s), e.g. {first.message} "
                                  f"[{first.rule}]; run `fjernarbeid validate {survey}`")
    frame = derive(data.frame, instrument, ref)
    # the study's weighting (the 2025 study: post-stratified by sex × age group); ``weighting`` changes the method
    wspec = load_study().weighting
    if weighting is not None:
        wspec = replace(wspec, method=weighting)
    weighted = weight(frame, instrument, wspec, ref)
    frame = weighted.frame  # respondents the study's rule leaves out of the weighting are out here too
    respondents = prepare_respondents(analysis_frame(frame.reset_index(drop=True), instrument), spec, instrument)
    log = read_disposition_log(dispositions, spec)
    contacts = prepare_contacts(log, spec, derive_contacts(log, instrument, ref))
    projections = findings_projections(weighted.design, respondents, spec)
    result = run_targeting(respondents, weighted.design, contacts, population or population_for(ref), spec,
                           region=region, region_name=region_name, projections=projections,
                           synthetic=is_synthetic(survey))
    result.data.update({"source": survey.name, "dispositions": dispositions.name,
                        "items": {i: {lang: instrument[i].label(lang) for lang in ("nb", "nn", "en")}
                                  for i in spec.importance_items if i in instrument}})
    return result


__all__ = ["derive_contacts", "read_disposition_log", "target_from_files"]

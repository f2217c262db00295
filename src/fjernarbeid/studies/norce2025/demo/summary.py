"""What ``fjernarbeid demo`` prints: the fieldwork outcome and who is in the data.

The AAPOR categories and rates are the fieldwork module's (:mod:`fjernarbeid.fieldwork`), applied
to the demo's disposition counts (counting millions of log rows one by one would be slow, and
the counts are known exactly).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from fjernarbeid.data.derive import derive
from fjernarbeid.studies.norce2025.demo import dispositions as dispo
from fjernarbeid.studies.norce2025.demo.generate import DemoFieldwork
from fjernarbeid.studies.norce2025.demo.model import calibration_weights
from fjernarbeid.fieldwork import aapor_category, outcome_rates
from fjernarbeid.instrument import load_instrument


@dataclass(frozen=True)
class FieldworkNumbers:
    records: int
    contacts: int  # answered S1: the report's "kontakter"
    screened_out_s1: int
    screened_out_s2: int
    completes: int
    rr3: float | None
    e: float | None

    @property
    def s1_share(self) -> float:
        return self.screened_out_s1 / self.contacts

    @property
    def s2_share(self) -> float:
        """Of those who passed S1, as the report puts it ("ca. 44 % of the rest")."""
        return self.screened_out_s2 / (self.contacts - self.screened_out_s1)

    @property
    def incidence(self) -> float:
        return self.completes / self.contacts


def fieldwork_numbers(demo: DemoFieldwork) -> FieldworkNumbers:
    by_category: dict[str, int] = {}
    for code, k in demo.counts.items():
        cat = aapor_category(code)
        by_category[cat] = by_category.get(cat, 0) + k
    rates = outcome_rates(by_category)
    return FieldworkNumbers(
        records=sum(demo.counts.values()),
        contacts=sum(k for code, k in demo.counts.items() if dispo.BY_CODE[code].screened),
        screened_out_s1=demo.counts[dispo.SCREENED_OUT_S1],
        screened_out_s2=demo.counts[dispo.SCREENED_OUT_S2],
        completes=demo.counts[dispo.COMPLETE],
        rr3=rates.rates["RR3"], e=rates.e,
    )


def composition(demo: DemoFieldwork) -> pd.DataFrame:
    """Respondents by sex and by age group: count, unweighted share, share weighted by sex × age.

    Post-stratified to the population by sex × age group, the weighted shares are the
    population's; the gap to the unweighted shares shows how much weighting has to do.
    """
    instrument = load_instrument()
    data = derive(demo.survey, instrument, skip_unavailable=True)
    sex = data["q207"].to_numpy(dtype=np.int64)
    age_group = data["age_group"].to_numpy(dtype=np.int64)
    weights = calibration_weights(sex, age_group)
    rows = []
    for variable, values, labels in (
        ("sex", sex, instrument["q207"].code_labels("en")),
        ("age group", age_group, instrument.derived_variable("age_group").code_labels("en")),
    ):
        for code, label in labels.items():
            mask = values == code
            rows.append({"variable": variable, "code": code, "label": label, "n": int(mask.sum()),
                         "unweighted": mask.mean(), "weighted": weights[mask].sum() / weights.sum()})
    return pd.DataFrame(rows)


def summary_tables(demo: DemoFieldwork) -> list:
    """Rich tables: the fieldwork, then the respondents (unweighted against weighted)."""
    from rich.table import Table

    f = fieldwork_numbers(demo)
    fieldwork = Table(title="Fieldwork (synthetic)", title_justify="left")
    fieldwork.add_column("")
    fieldwork.add_column("count", justify="right")
    fieldwork.add_column("share", justify="right")
    fieldwork.add_row("records in the call log", f"{f.records:,}", "")
    fieldwork.add_row("contacts (answered S1)", f"{f.contacts:,}", "")
    fieldwork.add_row("screened out at S1 (q1 = 3)", f"{f.screened_out_s1:,}", f"{f.s1_share:.1%} of contacts")
    fieldwork.add_row("screened out at S2 (q2 = 2)", f"{f.screened_out_s2:,}", f"{f.s2_share:.1%} of the rest")
    fieldwork.add_row("completed interviews", f"{f.completes:,}", f"incidence {f.incidence:.1%}")
    if f.rr3 is not None:
        fieldwork.add_row("AAPOR RR3", "", f"{f.rr3:.1%} (e = {f.e:.2f})")

    data = Table(title=f"Respondents (n = {len(demo.survey):,})", title_justify="left")
    for name, justify in (("", "left"), ("n", "right"), ("unweighted", "right"), ("weighted", "right")):
        data.add_column(name, justify=justify)
    comp = composition(demo)
    for variable, rows in comp.groupby("variable", sort=False):
        data.add_section()
        for r in rows.itertuples():
            data.add_row(f"{variable}: {r.label}", f"{r.n:,}", f"{r.unweighted:.1%}", f"{r.weighted:.1%}")
    data.caption = "weighted: post-stratified by sex × age group to the population aged 25-60 (SSB, 1 Jan 2025)"
    return [fieldwork, data]

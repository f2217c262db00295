"""Fieldwork: the disposition log, screening counts, incidence and AAPOR outcome rates."""

from fjernarbeid.fieldwork.aapor import (
    FieldworkSummary,
    OutcomeRates,
    aapor_category,
    outcome_rates,
    summarise_fieldwork,
)

__all__ = ["FieldworkSummary", "OutcomeRates", "aapor_category", "outcome_rates", "summarise_fieldwork"]

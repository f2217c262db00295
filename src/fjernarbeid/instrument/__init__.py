"""The questionnaire as data: model, expressions, loading (and XLSForm in :mod:`.xlsform`)."""

from fjernarbeid.instrument.expr import Condition
from fjernarbeid.instrument.model import (
    DEFAULT_LANGUAGE,
    LANGUAGES,
    Bin,
    Check,
    Code,
    Derived,
    Instrument,
    Question,
    instrument_from_dict,
    load_instrument,
)

__all__ = [
    "Bin", "Check", "Code", "Condition", "DEFAULT_LANGUAGE", "Derived", "Instrument", "LANGUAGES", "Question",
    "instrument_from_dict", "load_instrument",
]

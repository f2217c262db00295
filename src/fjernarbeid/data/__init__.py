"""Fieldwork data: reading delivered files, validating them against the questionnaire, deriving
variables.

>>> from fjernarbeid.data import read_survey, validate
>>> data = read_survey("fieldwork.csv")                 # doctest: +SKIP
>>> report = validate(data)                             # doctest: +SKIP
>>> report.ok, report.errors[:1]                        # doctest: +SKIP
"""

from fjernarbeid.data.mapping import ColumnMapping, load_mapping
from fjernarbeid.data.read import SurveyData, read_survey
from fjernarbeid.data.validate import RULES, Problem, ValidationReport, validate

__all__ = [
    "RULES", "ColumnMapping", "Problem", "SurveyData", "ValidationReport", "load_mapping", "read_survey", "validate",
]

"""Words shared by the workbook and the microdata export: weighting methods and short variable labels."""

from __future__ import annotations

from fjernarbeid.instrument import Instrument

# Names of the weighting methods (WeightReport.method).
METHODS: dict[str, dict[str, str]] = {
    "poststratify": {"nb": "poststratifisering", "en": "post-stratification"},
    "rake": {"nb": "raking", "en": "raking"},
    "calibrate": {"nb": "kalibrering", "en": "calibration"},
    "design weights": {"nb": "designvekter", "en": "design weights"},
}


def method_name(method: str, lang: str) -> str:
    return METHODS.get(method, {}).get(lang, method)


def variable_label(instrument: Instrument, name: str, lang: str) -> str:
    """A variable's short label: the question text without its '?', or the derived variable's label."""
    if name in instrument:
        return instrument[name].label(lang).rstrip("?")
    try:
        return instrument.derived_variable(name).label(lang)
    except KeyError:
        return name


def weighting_variables(names, instrument: Instrument, lang: str) -> str:
    """'sex × age_group' → 'Kjønn × Aldersgruppe' for every weighting margin name."""
    return ", ".join(" × ".join(variable_label(instrument, v, lang) for v in str(n).split(" × "))
                     for n in dict.fromkeys(names))

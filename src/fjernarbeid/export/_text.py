"""Words shared by the workbook and the microdata export: weighting methods and short variable labels."""

from __future__ import annotations

from fjernarbeid.instrument import Instrument

# Names of the weighting methods (WeightReport.method).
METHODS: dict[str, dict[str, str]] = {
    "poststratify": {"nb": "poststratifisering", "nn": "poststratifisering", "en": "post-stratification"},
    "rake": {"nb": "raking", "nn": "raking", "en": "raking"},
    "calibrate": {"nb": "kalibrering", "nn": "kalibrering", "en": "calibration"},
    "design weights": {"nb": "designvekter", "nn": "designvekter", "en": "design weights"},
}


def method_name(method: str, lang: str) -> str:
    names = METHODS.get(method, {})
    return names.get(lang) or names.get("nb" if lang == "nn" else "en") or method


def variable_label(instrument: Instrument, name: str, lang: str) -> str:
    """A variable's short label: the question text without its '?', or the derived variable's label (a weighting
    column 'alder (weighting groups)' is the variable it groups)."""
    from fjernarbeid.study.weighting import AGE, variable_words, weighted_variable

    name = weighted_variable(str(name).strip())
    if name in instrument:
        return instrument[name].label(lang).rstrip("?")
    try:
        return instrument.derived_variable(name).label(lang)
    except KeyError:
        return variable_words(name, lang).capitalize() if name == AGE else name


def weighting_variables(names, instrument: Instrument, lang: str) -> str:
    """'sex × age_group' → 'Kjønn × Aldersgruppe' for every weighting margin name."""
    return ", ".join(" × ".join(variable_label(instrument, v, lang) for v in str(n).split(" × "))
                     for n in dict.fromkeys(names))

"""The report's view: what every medium prints, in words and numbers as the language writes them."""

import re

from fjernarbeid.report.view import published_and_ours


def test_a_number_is_never_parted_from_its_per_cent_sign_or_comparator(demo_results, instrument):
    """'≈ 57 %' and '53,8 % (48,8–58,6)' in the summary are joined by non-breaking spaces, so a narrow column
    (Word, PDF) never puts '%' or the number on a line of its own."""
    for f in demo_results.findings:
        for text in published_and_ours(f, "nb", instrument):
            assert not re.search(r"\d %(?! (KI|CI))", text), (f.id, text)
            assert not re.search(r"(?<!p )[≈<>≥≤] \d", text), (f.id, text)


def test_a_margin_of_the_age_computed_from_the_birth_year_is_named_in_words():
    """The methods appendix's target table: "Alder 20-39", not the internal column name "age"."""
    from fjernarbeid.instrument import instrument_from_dict
    from fjernarbeid.report.view import _margin_label

    inst = instrument_from_dict({"id": "kontor", "roles": {"sex": "kjonn", "birth_year": "fodd"}, "questions": [
        {"name": "kjonn", "type": "single", "text": {"nn": "Kjønn"}, "codes": [{"code": 1, "nn": "Kvinne"}]},
        {"name": "fodd", "type": "integer"}]})
    assert _margin_label("age", "20-39", inst, "nn") == ("Alder", "20-39")
    assert _margin_label("age", "20-39", inst, "en") == ("Age", "20-39")
    assert _margin_label("kjonn", 1, inst, "nn") == ("Kjønn", "Kvinne")

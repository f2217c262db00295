"""A code set of the findings catalogue in the report's language."""

from fjernarbeid.findings.catalogue import CodeSet


def test_a_code_set_in_nynorsk_uses_its_bokmaal_words_never_its_key():
    agree = CodeSet("agree", (1, 2), {"nb": "helt eller delvis enig", "en": "completely or partly agree"})
    assert agree.label("nb") == "helt eller delvis enig"
    assert agree.label("nn") == "helt eller delvis enig"
    assert agree.label("en") == "completely or partly agree"
    assert agree.label("de") == "completely or partly agree"
    assert CodeSet("never", (6,), {}).label("nn") == "never"  # nothing else to show

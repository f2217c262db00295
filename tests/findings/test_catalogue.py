"""The findings catalogue: the catalogue a study without one gets (every question described by the analysis its
type calls for), and a code set's words in the report's language."""

from fjernarbeid.findings.catalogue import CodeSet, describe_every_question
from fjernarbeid.instrument import instrument_from_dict


def test_integer_and_decimal_questions_are_described_by_their_mean():
    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "kjonn", "type": "single", "codes": [{"code": 1, "nb": "Jente"}, {"code": 2, "nb": "Gutt"}]},
        {"name": "timar", "type": "integer"},
        {"name": "reisetid", "type": "decimal"}]})
    analyses = {f.id: f.analysis for f in describe_every_question(inst).findings}
    assert analyses == {"kjonn": "distribution", "timar": "numeric", "reisetid": "numeric"}


def test_a_code_set_in_nynorsk_uses_its_bokmaal_words_never_its_key():
    agree = CodeSet("agree", (1, 2), {"nb": "helt eller delvis enig", "en": "completely or partly agree"})
    assert agree.label("nb") == "helt eller delvis enig"
    assert agree.label("nn") == "helt eller delvis enig"
    assert agree.label("en") == "completely or partly agree"
    assert agree.label("de") == "completely or partly agree"
    assert CodeSet("never", (6,), {}).label("nn") == "never"  # nothing else to show

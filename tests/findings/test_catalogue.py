"""The catalogue a study without one gets: every question described by the analysis its type calls for."""

from fjernarbeid.findings.catalogue import describe_every_question
from fjernarbeid.instrument import instrument_from_dict


def test_integer_and_decimal_questions_are_described_by_their_mean():
    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "kjonn", "type": "single", "codes": [{"code": 1, "nb": "Jente"}, {"code": 2, "nb": "Gutt"}]},
        {"name": "timar", "type": "integer"},
        {"name": "reisetid", "type": "decimal"}]})
    analyses = {f.id: f.analysis for f in describe_every_question(inst).findings}
    assert analyses == {"kjonn": "distribution", "timar": "numeric", "reisetid": "numeric"}

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


def test_a_select_multiple_question_is_summed_up_by_the_choice_made_most_often():
    """The report's summary has a sentence for every question, select-multiple ones included."""
    inst = instrument_from_dict({"id": "t", "questions": [
        {"name": "grunner", "type": "multiple", "codes": [{"code": 1, "nb": "Jobb"}, {"code": 2, "nb": "Familie"}]}]})
    (finding,) = describe_every_question(inst).findings
    assert finding.analysis == "multiple_response"
    assert finding.sentence["nb"] == "Oftest valgt: {mode_answer} ({mode} av respondentene)."
    assert set(finding.sentence) >= {"nb", "nn", "en"}

"""Pseudonymisation on the annotated corpus of invented transcripts (tests/interviews/corpus): recall
per kind of identifier, and what it replaces or lists that is no identifier."""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from fjernarbeid.interviews.importers import read_transcript
from fjernarbeid.interviews.pseudonymise import read_mapping
from fjernarbeid.interviews.recall import evaluate, read_annotations

CORPUS = Path(__file__).parent / "corpus"
REPLACE_KINDS = {"name", "name_genitive", "name_compound", "name_case", "name_nfd", "name_shared", "name_ascii",
                 "phone", "number_spoken", "national_id", "d_number", "eleven_digits", "account_number",
                 "organisation_number", "email", "email_spoken", "address", "postcode"}
FLAG_KINDS = {"name_unmapped", "name_unmapped_lower", "name_word_lower"}


def _builder():
    spec = importlib.util.spec_from_file_location("corpus_build", CORPUS / "build.py")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def scored():
    mapping = read_mapping(CORPUS / "mapping.yaml")
    files = sorted(p for p in CORPUS.iterdir() if p.suffix in (".vtt", ".txt"))
    originals = {p.name: read_transcript(p, interviewers=mapping.interviewers) for p in files}
    return evaluate(originals, mapping, read_annotations(CORPUS / "annotations.csv"))


def test_the_committed_corpus_is_what_its_marked_up_source_builds():
    for name, content in _builder().build().items():
        assert (CORPUS / name).read_text(encoding="utf-8") == content, f"{name}: run tests/interviews/corpus/build.py"


def test_the_corpus_has_over_200_identifiers_of_every_kind(scored):
    result, results = scored
    assert result.annotated >= 200 and len(results) == 11
    assert set(result.kinds) == REPLACE_KINDS | FLAG_KINDS
    assert all(result.kinds[k].expect == "replace" for k in REPLACE_KINDS)
    assert all(result.kinds[k].expect == "flag" for k in FLAG_KINDS)


def test_recall_is_complete_for_every_promised_kind(scored):
    result, _ = scored
    missed = {k.kind: [(a.file, a.turn, a.text) for a in k.missed] for k in result.kinds.values() if k.missed}
    assert missed == {}
    assert all(result.kinds[k].replaced == result.kinds[k].annotated for k in REPLACE_KINDS)


def test_every_identifier_it_does_not_replace_is_listed_for_review(scored):
    result, _ = scored
    for kind in FLAG_KINDS:
        assert result.kinds[kind].flagged == result.kinds[kind].annotated


def test_false_positives_stay_few(scored):
    # Nothing that is no identifier is replaced (years, times, dates, amounts, "at", "punktum" are in the
    # corpus); the review list holds capitalised words at the start of a sentence ("Fødselsnummer",
    # "Papirer") and "2019 2020" (two years, or a phone number?) — under four per interview.
    result, results = scored
    assert result.false_replacements == []
    assert len(result.false_reviews) < 4 * len(results)
    assert {kind for _, _, kind, _ in result.false_reviews} <= {"capitalised", "phone"}
    assert not [item for item in result.false_reviews if item[2] == "name_lower_case"]

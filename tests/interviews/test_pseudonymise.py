"""Pseudonymisation: names from the mapping (whole words, longest first, genitives), detectors for phone
numbers, e-mail addresses and national identity numbers, the review list and the report."""

from __future__ import annotations

import csv

import pytest

from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.interviews.pseudonymise import (pseudonymise, pseudonymise_text, read_mapping, valid_national_id,
                                                 write_report)
from fjernarbeid.interviews.transcript import Interview, Turn

MAPPING = """\
informants:
  Kari Haugland: Informant 1
  Ole-Martin Berge: Informant 2
  Hans Lid: Informant 3
interviewers:
  Anne Kristin Dahl: Intervjuer 1
people:
  Kari Nes: "[person]"
employers:
  Vestfjord Energi: "[arbeidsgiver]"
  Vestfjord: "[arbeidsgiver]"
places:
  Vikøy: "[sted]"
keep: [Bergensbanen]
"""


@pytest.fixture
def mapping(tmp_path):
    path = tmp_path / "mapping.yaml"
    path.write_text(MAPPING, encoding="utf-8")
    return read_mapping(path)


def text_of(text, mapping):
    return pseudonymise_text(text, mapping)[0]


def test_names_whole_words_longest_first(mapping):
    assert text_of("Kari Haugland jobber i Vestfjord Energi, ikke i Vestfjord.", mapping) == \
        "Informant 1 jobber i [arbeidsgiver], ikke i [arbeidsgiver]."
    # Surname and unshared first names stand for the person; parts of other words are left alone.
    assert text_of("Da sa Haugland til Ole-Martin at Karianne og Hansen kom.", mapping) == \
        "Da sa Informant 1 til Informant 2 at Karianne og Hansen kom."


def test_norwegian_genitives(mapping):
    assert text_of("Det er Haugland's bil, Ole-Martins hus, Hans' hytte og Berges båt på Vikøy.", mapping) == \
        "Det er Informant 1s bil, Informant 2s hus, Informant 3s hytte og Informant 2s båt på [sted]."


def test_a_hyphen_is_part_of_the_word(mapping):
    # "Ole" alone is not in the mapping, and "Ole-Martin" must never become "Ole-Informant …".
    new, found = pseudonymise_text("I går møtte jeg Ole-Martina og Anne.", mapping)
    assert new == "I går møtte jeg Ole-Martina og Intervjuer 1."
    assert [(f.kind, f.action, f.original) for f in found if f.action == "review"] == [
        ("capitalised", "review", "Ole-Martina")]


def test_first_name_shared_by_two_people_is_listed_not_guessed(mapping):
    assert "Kari" in mapping.ambiguous
    new, found = pseudonymise_text("Vi spurte Kari om det.", mapping)
    assert new == "Vi spurte Kari om det."
    assert [(f.original, f.action) for f in found] == [("Kari", "review")]
    assert "shared by two people" in found[0].note


@pytest.mark.parametrize("phone", ["91234567", "912 34 567", "22 33 44 55", "+47 912 34 567", "+4791234567",
                                   "0047 22334455", "912-34-567"])
def test_phone_numbers(mapping, phone):
    assert text_of(f"Ring {phone} i morgen.", mapping) == "Ring [telefon] i morgen."


@pytest.mark.parametrize("not_phone", ["1234567", "123456789", "2023-2024", "01234567", "kl. 10.30"])
def test_not_phone_numbers(mapping, not_phone):
    assert text_of(f"Tallet {not_phone} står.", mapping) == f"Tallet {not_phone} står."


def test_email_addresses(mapping):
    assert text_of("Skriv til kari.haugland@vestfjord-energi.no eller ole+intervju@example.com.", mapping) == \
        "Skriv til [e-post] eller [e-post]."


def test_national_identity_numbers():
    # 130972 480 22 by hand (Skatteetaten's weights):
    # k1 = 11 - (3·1+7·3+6·0+1·9+8·7+9·2+4·4+5·8+2·0 = 163; 163 mod 11 = 9) = 2
    # k2 = 11 - (5·1+4·3+3·0+2·9+7·7+6·2+5·4+4·8+3·0+2·2 = 152; 152 mod 11 = 9) = 2  → valid
    assert valid_national_id("13097248022") and valid_national_id("130972 48022")
    assert not valid_national_id("13097248023")   # k2 wrong
    assert not valid_national_id("13097248012")   # k1 wrong
    assert not valid_national_id("12345678901")
    assert not valid_national_id("1309724802")    # 10 digits


def test_valid_id_replaced_invalid_left_and_listed(mapping):
    new, found = pseudonymise_text("Nummeret 13097248022 og saken 13097248023.", mapping)
    assert new == "Nummeret [fødselsnummer] og saken 13097248023."
    assert [(f.kind, f.action, f.original) for f in found] == [
        ("national_id", "replaced", "13097248022"), ("eleven_digits", "review", "13097248023")]


def test_capitalised_words_not_sentence_initial_are_listed(mapping):
    _, found = pseudonymise_text("Vi tok Bergensbanen med Lise. Så kom Teams-møtet og Petter.", mapping)
    assert [f.original for f in found if f.kind == "capitalised"] == ["Lise", "Petter"]


def test_interview_speakers_text_title_and_id(mapping):
    iv = Interview("intervju_kari", "intervju_kari.vtt", (
        Turn(1, "Anne Kristin Dahl", "interviewer", "Hei Kari Haugland, tlf 912 34 567?", 1.0),
        Turn(2, "Kari Haugland", "informant", "Ja, det er meg.", 5.0)), title="Intervju med Kari Haugland")
    result = pseudonymise(iv, mapping)
    out = result.interview
    assert out.pseudonymised and out.id == "Informant_1" and out.source == "Informant_1.vtt"
    assert out.title == "Intervju med Informant 1"
    assert [(t.speaker, t.text) for t in out.turns] == [
        ("Intervjuer 1", "Hei Informant 1, tlf [telefon]?"), ("Informant 1", "Ja, det er meg.")]
    assert result.replaced == 5 and result.original_source == "intervju_kari.vtt"


def test_a_speaker_without_pseudonym_is_an_error(mapping):
    iv = Interview("x", "x.vtt", (Turn(1, "Ukjent Person", "informant", "Hei"),))
    with pytest.raises(DataValidationError, match=r"x.vtt: speaker\(s\) 'Ukjent Person' have no pseudonym"):
        pseudonymise(iv, mapping)


def test_report_keeps_originals_outputs_do_not(mapping, tmp_path):
    iv = Interview("kari", "kari.vtt", (Turn(1, "Kari Haugland", "informant", "Mail kari@vestfjord.no, Lise vet."),))
    result = pseudonymise(iv, mapping)
    rows = list(csv.DictReader(write_report([result], tmp_path / "r.csv").open(encoding="utf-8")))
    assert [(r["turn"], r["field"], r["kind"], r["action"], r["original"], r["replacement"], r["start"], r["end"])
            for r in rows] == [
        ("1", "speaker", "speaker", "replaced", "Kari Haugland", "Informant 1", "0", "13"),
        ("1", "text", "email", "replaced", "kari@vestfjord.no", "[e-post]", "5", "22"),
        ("1", "text", "capitalised", "review", "Lise", "Lise", "24", "28"),
    ]
    stored = result.interview.write(tmp_path / "out").read_text(encoding="utf-8")
    assert "Kari" not in stored and "vestfjord" not in stored and "kari.vtt" not in stored


def test_mapping_as_csv_and_its_errors(tmp_path):
    good = tmp_path / "m.csv"
    good.write_text("original,pseudonym,kind\nKari Haugland,Informant 1,informant\nTeamsrom,,keep\n", encoding="utf-8")
    m = read_mapping(good)
    assert m.names["Kari Haugland"] == ("Informant 1", "informant") and "Teamsrom" in m.keep
    bad = tmp_path / "b.csv"
    bad.write_text("original,pseudonym,kind\nKari,Informant 1,friend\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"b.csv, line 2: kind 'friend' is not one of"):
        read_mapping(bad)
    twice = tmp_path / "t.yaml"
    twice.write_text("informants:\n  Kari: Informant 1\npeople:\n  Kari: '[person]'\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"t.yaml, section people: 'Kari' is given two pseudonyms"):
        read_mapping(twice)
    empty = tmp_path / "e.yaml"
    empty.write_text("informants:\n  Kari:\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"e.yaml, section informants: both the real name and its pseudonym"):
        read_mapping(empty)

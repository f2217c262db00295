"""Pseudonymisation: names from the mapping (whole words, longest first, genitives), detectors for phone
numbers, e-mail addresses and national identity numbers, the review list and the report."""

from __future__ import annotations

import csv
import unicodedata

import pytest

from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.interviews.pseudonymise import (pseudonymise, pseudonymise_text, read_mapping, valid_account_number,
                                                 valid_national_id, write_report)
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


def test_a_name_part_two_people_share_is_replaced_by_both_pseudonyms(mapping):
    # Kari Haugland and Kari Nes: "Kari" is never left raw, and never guessed; the report says so.
    assert "Kari" in mapping.ambiguous
    new, found = pseudonymise_text("Kari er flink. Vi spurte kari om det.", mapping)
    assert new == "[Informant 1 / person] er flink. Vi spurte [Informant 1 / person] om det."
    assert [(f.original, f.action, f.kind) for f in found] == [("Kari", "replaced", "shared_name"),
                                                                ("kari", "replaced", "shared_name")]
    assert "two people" in found[0].note


def test_names_in_any_case_inside_compounds_and_decomposed_unicode(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text(unicodedata.normalize("NFD", "informants:\n  Åse Johansen: Informant 1\n  Ole-Martin Berge: "
                                                  "Informant 2\n  Liv Kvamme: Informant 3\n  Odd Kvamme: Informant 4\n"),
                    encoding="utf-8")
    m = read_mapping(path)
    assert text_of(unicodedata.normalize("NFD", "Åse og ÅSE og åse."), m) == "Informant 1 og Informant 1 og Informant 1."
    assert text_of("Vi var på Johansen-gården med Åse-mor og ole-martin.", m) == \
        "Vi var på Informant 1-gården med Informant 1-mor og Informant 2."
    # A surname two mapped people share, at the start of a sentence too.
    assert text_of("Kvamme er flink. Det sa Kvammes nabo.", m) == \
        "[Informant 3 / Informant 4] er flink. Det sa [Informant 3 / Informant 4]s nabo."
    # Invisible characters cannot split a name.
    assert text_of("Jo\u200bhansen kom.", m) == "Informant 1 kom."


def test_a_mapped_name_that_is_an_ordinary_word_is_listed_in_lower_case(mapping):
    new, found = pseudonymise_text("Hans sa at hans bil sto hos Hans.", mapping)
    assert new == "Informant 3 sa at hans bil sto hos Informant 3."
    assert [(f.original, f.action) for f in found] == [("Hans", "replaced"), ("hans", "review"), ("Hans", "replaced")]


@pytest.mark.parametrize("phone", ["91234567", "912 34 567", "22 33 44 55", "+47 912 34 567", "+4791234567",
                                   "0047 22334455", "912-34-567", "9123 4567", "+47 9123 4567", "912 34567",
                                   "(+47) 912 34 567", "0047 912 34 567", "912.34.567", "91 23 45 67",
                                   "912\u00a034\u00a0567", "912  34 567", "+47  912  34  567"])
def test_phone_numbers(mapping, phone):
    assert text_of(f"Ring {phone} i morgen.", mapping) == "Ring [telefon] i morgen."


@pytest.mark.parametrize("not_phone", ["1234567", "123456789", "2023-2024", "01234567", "kl. 10.30", "12 000 kroner",
                                       "25 000 000 kroner", "kr 25 000 000", "24.12.2023", "kl. 20.30-21.45",
                                       "1 250 000"])
def test_not_phone_numbers(mapping, not_phone):
    assert text_of(f"Tallet {not_phone} står.", mapping) == f"Tallet {not_phone} står."


def test_email_addresses(mapping):
    assert text_of("Skriv til kari.haugland@vestfjord-energi.no eller ole+intervju@example.com.", mapping) == \
        "Skriv til [e-post] eller [e-post]."


@pytest.mark.parametrize("spoken", [
    "kari punktum johansen krøllalfa gmail punktum com", "kari punktum johansen alfakrøll gmail punktum com",
    "Kari Punktum Johansen Krøllalfa Gmail Punktum Com", "kari dot johansen at gmail dot com",
    "kari.johansen krøllalfa vestfjord bindestrek energi punktum no", "kari.johansen @ gmail.com",
    "kari(at)gmail.com", "ole prikk hansen krølla online punkt no",
    "kari [at] gmail [dot] com", "kari(at)gmail(dot)com", "kari.johansen [at] vestfjord-energi.no"])
def test_email_addresses_as_speech_recognition_writes_them(mapping, spoken):
    assert text_of(f"Send til {spoken} i dag.", mapping) == "Send til [e-post] i dag."


def test_an_address_after_a_full_stop_leaves_the_sentence_before_it(mapping):
    """"… hund. kari@example.no": the full stop ends a sentence; the word before it is no part of the address."""
    assert text_of("Jeg har en hund. kari@example.no er adressen.", mapping) == \
        "Jeg har en hund. [e-post] er adressen."


def test_at_and_dot_in_ordinary_speech_are_not_email(mapping):
    assert text_of("Jeg tror at det går bra, punktum.", mapping) == "Jeg tror at det går bra, punktum."


def test_national_identity_numbers():
    # 130972 480 22 by hand (Skatteetaten's weights):
    # k1 = 11 - (3·1+7·3+6·0+1·9+8·7+9·2+4·4+5·8+2·0 = 163; 163 mod 11 = 9) = 2
    # k2 = 11 - (5·1+4·3+3·0+2·9+7·7+6·2+5·4+4·8+3·0+2·2 = 152; 152 mod 11 = 9) = 2  → valid
    assert valid_national_id("13097248022") and valid_national_id("130972 48022")
    assert valid_national_id("130972-48022")
    assert not valid_national_id("13097248023")   # k2 wrong
    assert not valid_national_id("13097248012")   # k1 wrong
    assert not valid_national_id("12345678901")
    assert not valid_national_id("1309724802")    # 10 digits


def test_account_numbers():
    # 1234.56.78903 by hand: 5·1+4·2+3·3+2·4+7·5+6·6+5·7+4·8+3·9+2·0 = 195; 195 mod 11 = 8; 11 - 8 = 3 → valid
    assert valid_account_number("1234.56.78903") and valid_account_number("12345678903")
    assert not valid_account_number("1234.56.78904")


@pytest.mark.parametrize("number, placeholder", [
    ("13097248022", "[fødselsnummer]"), ("130972 48022", "[fødselsnummer]"), ("130972-48022", "[fødselsnummer]"),
    ("1234.56.78903", "[kontonummer]"), ("1234 56 78903", "[kontonummer]"), ("12345678903", "[kontonummer]"),
    ("13097248023", "[nummer]"), ("130972-48023", "[nummer]")])
def test_eleven_digit_numbers_are_always_replaced(mapping, number, placeholder):
    new, found = pseudonymise_text(f"Det var nummeret {number} her.", mapping)
    assert new == f"Det var nummeret {placeholder} her."
    assert [f.action for f in found] == ["replaced"]


def test_an_invalid_eleven_digit_number_is_replaced_and_explained(mapping):
    _, found = pseudonymise_text("Saken 13097248023.", mapping)
    assert [(f.kind, f.action, f.replacement) for f in found if f.kind != "capitalised"] == [
        ("eleven_digits", "replaced", "[nummer]")]
    assert "check digits" in found[-1].note


@pytest.mark.parametrize("address", ["Storgata 12B", "Storgata 12 B", "Kyrkjevegen 3", "Fjellveien 101",
                                     "Strandgaten 4", "Kong Oscars gate 5", "Øvre Ullevål vei 3", "Postboks 12",
                                     "Bakketunet 7", "storgata 12", "Nygårdsplassen 2", "Pb. 77", "Pb 77",
                                     "Sjøvegen 5 A"])
def test_street_addresses_with_house_numbers(mapping, address):
    assert text_of(f"Vi bur i {address} no.", mapping) == "Vi bur i [adresse] no."


@pytest.mark.parametrize("text, expected", [
    ("Adressa er 5600 Norheimsund.", "Adressa er [postnummer] Norheimsund."),
    ("Send det til N-5600.", "Send det til [postnummer]."),
    ("Postnummeret er 5610.", "Postnummeret er [postnummer]."),
    ("Vi flytta hit i 2019 Bergen-kontoret visste det.", "Vi flytta hit i 2019 Bergen-kontoret visste det."),
    ("Jeg har arbeidsplass 2 dager i uka.", "Jeg har arbeidsplass 2 dager i uka.")])
def test_postal_codes_and_what_is_not_an_address(mapping, text, expected):
    assert text_of(text, mapping) == expected


def test_a_preposition_after_a_house_number_is_no_house_letter(mapping):
    """"Sjøvegen 5 i Ulvik" lost its "i" (read as house 5 i); a letter after a space is a capital."""
    assert text_of("Vi bur i Sjøvegen 5 i Ulvik og Storgata 2 å.", mapping) == "Vi bur i [adresse] i Ulvik og [adresse] å."


@pytest.mark.parametrize("text", ["Eg er fødd 12.05.85, personnummer 34534.", "Fødd 120585 og personnummeret mitt er 345 34."])
def test_the_personnummer_after_a_date_of_birth_is_replaced(mapping, text):
    """A fødselsnummer dictated as a date of birth and then its five digits: the five digits complete it."""
    new, found = pseudonymise_text(text, mapping)
    assert "34534" not in new.replace(" ", "") and "[fødselsnummer]" in new
    assert [f.kind for f in found if f.action == "replaced"] == ["national_id"]


def test_capitalised_words_not_replaced_are_listed(mapping):
    _, found = pseudonymise_text("Vi tok Bergensbanen med Lise. Så kom Teams-møtet og Petter.", mapping)
    assert [f.original for f in found if f.kind == "capitalised"] == ["Lise", "Petter"]


def test_at_the_start_of_a_sentence_unless_a_common_first_word_or_used_in_lower_case(mapping):
    _, found = pseudonymise_text("Sigrid ringte. Kontoret er fint, men kontoret er lite. Jeg vet. Liv er liv.", mapping)
    assert [f.original for f in found] == ["Sigrid", "Liv"]
    assert "start of a sentence" in found[0].note


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
        ("1", "text", "capitalised", "review", "Mail", "Mail", "0", "4"),  # sentence-initial, not a common first word
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


def test_names_written_without_norwegian_letters(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("informants:\n  Åse Øvretveit: Informant 1\n  Ingvild Rørvik: Informant 2\n", encoding="utf-8")
    m = read_mapping(path)
    assert text_of("Aase Ovretveit, Roervik, Rorvik og Ase.", m) == \
        "Informant 1, Informant 2, Informant 2 og Informant 1."


@pytest.mark.parametrize("written", ["Ødegaard", "Odegård", "Oedegard", "Saebø", "Øvrebo", "Kaare Øvrebø",
                                     "Kåre Ovrebø", "ØDEGAARDS"])
def test_names_written_with_some_of_their_norwegian_letters(tmp_path, written):
    """"Ødegaard" (å as aa, ø kept: many families' official spelling) was left in the text: only spellings
    with every æ, ø, å replaced were generated, and a full name of five such letters had only the two
    uniform spellings, so its parts' mixed spellings were never tried either."""
    path = tmp_path / "m.yaml"
    path.write_text("informants:\n  Åsmund Ødegård Sæbø: Informant 1\n  Kåre Øvrebø: Informant 2\n", encoding="utf-8")
    new = text_of(f"Han heiter {written}.", read_mapping(path))
    assert new.startswith("Han heiter Informant ") and not any(w in new for w in written.split())


@pytest.mark.parametrize("spoken, placeholder", [
    ("ni en to tre fire fem seks sju", "[telefon]"), ("9 1 2 3 4 5 6 7", "[telefon]"),
    ("47 91 23 45 67", "[telefon]"), ("en tre null ni sju to fire åtte null to to", "[fødselsnummer]"),
    ("ni, en, to, tre, fire, fem, seks, sju, åtte", "[nummer]")])
def test_numbers_read_out_digit_by_digit(mapping, spoken, placeholder):
    assert text_of(f"Det er {spoken} i boka.", mapping) == f"Det er {placeholder} i boka."


def test_short_runs_of_number_words_are_ordinary_speech(mapping):
    text = "Eg har to tre barn, og vi var en to tre fire fem seks sju personer."
    assert text_of(text, mapping) == text


@pytest.mark.parametrize("text, expected", [
    ("fnr15038712052 står", "fnr[fødselsnummer] står"),                          # glued to letters
    ("nummer 150387–12052 står", "nummer [fødselsnummer] står"),                  # an en dash between the groups
    ("til kari krøllalfa gmail i dag", "til [e-post] i dag"),               # the domain's end lost
    ("Ole Martin kom", "Informant 2 kom"),                                  # a hyphenated name with a space
    ("i 2019–2020 og kl. 10.30–11.45", "i 2019–2020 og kl. 10.30–11.45")])  # years and times stay
def test_forms_a_typist_or_speech_recognition_may_produce(mapping, text, expected):
    assert text_of(text, mapping) == expected


def test_a_group_interview_is_named_by_its_informants_and_attributes_are_pseudonymised(mapping):
    iv = Interview("intervju_kari_og_hans", "intervju_kari_og_hans.txt", (
        Turn(1, "Kari Haugland", "informant", "Hei."), Turn(2, "Hans Lid", "informant", "Hei.")),
        attributes={"arbeidsgiver": "Vestfjord Energi", "merknad": "nabo til Lid"})
    out = pseudonymise(iv, mapping).interview
    assert out.id == "Informant_1_Informant_3" and out.source == "Informant_1_Informant_3.txt"
    assert out.attributes == {"arbeidsgiver": "[arbeidsgiver]", "merknad": "nabo til Informant 3"}


def test_a_common_name_in_lower_case_is_listed(mapping):
    # Speech recognition sometimes writes a name in lower case; "anna" (nynorsk "other") is no name.
    new, found = pseudonymise_text("Eg snakka med solveig og anna folk. Solveig sa ja.", mapping)
    assert new == "Eg snakka med solveig og anna folk. Solveig sa ja."
    assert [(f.kind, f.original) for f in found] == [("name_lower_case", "solveig"), ("capitalised", "Solveig")]


@pytest.mark.parametrize("name", ["christian", "johan", "tove", "monica", "signe", "dahl", "ali"])
def test_frequent_names_the_list_missed_are_listed_in_lower_case(tmp_path, name):
    """Among Norway's hundred most frequent given names and surnames, yet not in COMMON_NAMES: in lower case
    (as speech recognition writes a name) they passed unlisted."""
    path = tmp_path / "m.yaml"
    path.write_text("informants:\n  Kari Haugland: Informant 1\n", encoding="utf-8")
    _, found = pseudonymise_text(f"Eg snakka med {name} i går.", read_mapping(path))
    assert [(f.kind, f.original) for f in found] == [("name_lower_case", name)]


def test_any_white_space_inside_a_name_and_letters_whose_case_rules_differ(tmp_path):
    path = tmp_path / "m.yaml"
    path.write_text("informants:\n  Erlend Bø: Informant 1\n  İlker Yılmaz: Informant 2\n  Kari Johansen: Informant 3\n",
                    encoding="utf-8")
    m = read_mapping(path)
    assert text_of("Kari\u00a0Johansen og Kari  Johansen.", m) == "Informant 3 og Informant 3."
    assert text_of("İLKER og ilker og İlker´s.", m) == "Informant 2 og Informant 2 og Informant 2s."
    # "Bo" (Bø without ø) is a name here, but "bo" in lower case is "to live": listed, not replaced.
    new, found = pseudonymise_text("Vi bo i Bo.", m)
    assert new == "Vi bo i Informant 1." and [(f.original, f.action) for f in found] == [("bo", "review"),
                                                                                       ("Bo", "replaced")]


@pytest.mark.parametrize("text, expected", [
    ("Orgnr. 974 760 673 står der.", "Orgnr. [organisasjonsnummer] står der."),   # Brønnøysundregistrene's own
    ("Orgnr. 974760673 står der.", "Orgnr. [organisasjonsnummer] står der."),
    ("Tallet 974 760 674 står der.", "Tallet 974 760 674 står der."),            # wrong check digit
    ("Det kostet 974 760 673 kroner.", "Det kostet 974 760 673 kroner."),        # an amount
    ("IBAN NO93 8601 1117 947 står der.", "IBAN [kontonummer] står der.")])
def test_organisation_numbers_and_iban(mapping, text, expected):
    assert text_of(text, mapping) == expected

"""Detectors of direct identifiers in Norwegian speech transcripts: phone numbers, fødselsnummer and
D-numbers, bank account numbers, e-mail addresses (written and as speech recognition writes them),
street addresses with a house number, post-office boxes and postal codes.

Pure functions on text: :func:`find_identifiers` returns every hit with its span; the caller
(:mod:`fjernarbeid.interviews.pseudonymise`) decides what to do with overlaps and names. Text is
expected NFC-normalised (see :func:`normalise_text`).

The rules, and why:

* **Numbers** are read as *digit groups*: digits separated by single spaces, dots or hyphens
  (``912 34 567``, ``150387-12052``, ``1234.56.78903``). Every run of 8 digits starting 2-9 is a
  phone number (Nkom's national numbering plan: 8-digit numbers, none starting 0 or 1), in any
  grouping of two or more digits per group and with ``+47``/``0047``/``(+47)``; every run of 11
  digits is replaced: a valid fødselsnummer/D-number (mod-11 check digits, Skatteetaten) as
  "[fødselsnummer]", a valid account number (mod-11, Bits/the banks' KID and account standard) as
  "[kontonummer]", any other as "[nummer]", listed for review (a mistyped number still identifies).
  Not phone numbers: amounts ("25 000 000 kroner"), dates (``24.12.2023``), times (``20.30-21.45``,
  mixed separators) and two years (``2019-2020``; with a space between, listed for review).
* **Organisation numbers** (9 digits starting 8 or 9 with a valid mod-11 check digit, Brønnøysund):
  an employer's number identifies it as well as its name → "[organisasjonsnummer]". A Norwegian IBAN
  (``NO93 8601 1117 947``) is an account number.
* **E-mail**: the written form, with spaces around ``@``, ``(at)``/``[at]``, and the spoken form as
  Teams transcribes it: "kari punktum johansen krøllalfa gmail punktum com" (``krøllalfa``,
  ``alfakrøll``, ``krølla``, ``at``; ``punktum``, ``punkt``, ``prikk``, ``dot``) ending in a
  top-level domain.
* **Addresses**: a street name with a Norwegian street suffix (-gata, -gate, -veien, -vegen, -vei,
  -veg, -stien, -plassen, -bakken, -tunet, -torget, -allé, -kaien, -brygga …, as one word or as a
  separate word after a capitalised name: "Kong Oscars gate 5") followed by a house number with an
  optional letter (``12B``, ``12 B``); ``Postboks 12``, ``Pb. 12``. Weak suffixes that are also
  ordinary words (plass, bakke, tun …) count only in a capitalised street name.
* **Postal codes**: four digits before a capitalised place name ("5600 Norheimsund"), ``N-5600``,
  ``NO-5600``, or after "postnummer"/"postnr.".

* **Numbers read out digit by digit** ("ni en to tre fire fem seks sju"): eight or more digit words
  in a row.

Limits: numbers read out in pairs or as whole numbers ("nittien tjuetre …"), a postal code before a place written in lower
case, an address without a house number are not detected (the capitalised street name is listed
for review by the name check).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

PHONE, EMAIL, NATIONAL_ID, ACCOUNT, NUMBER = "[telefon]", "[e-post]", "[fødselsnummer]", "[kontonummer]", "[nummer]"
ORGANISATION = "[organisasjonsnummer]"
ADDRESS, POSTCODE = "[adresse]", "[postnummer]"
BEFORE_A_PLACE = "four digits before a capitalised word: a postal code"


def normalise_text(text: str) -> str:
    """NFC (a decomposed "Å" = "A" + ring becomes one character, so "Åse" matches the mapping) and
    without invisible format characters (soft hyphen, zero-width space/joiner, word joiner, byte-order
    mark, direction marks: Unicode category Cf), which could otherwise split a name or a number."""
    text = unicodedata.normalize("NFC", text)
    if any(unicodedata.category(c) == "Cf" for c in text):
        text = "".join(c for c in text if unicodedata.category(c) != "Cf")
    return text


@dataclass(frozen=True)
class Hit:
    """An identifier found in a text: its kind, span, the placeholder that replaces it, and whether
    it is replaced or only listed for review (with a note saying why)."""

    kind: str           # phone, national_id, account_number, eleven_digits, email, address, postcode, …
    start: int
    end: int
    text: str
    replacement: str
    action: str = "replaced"   # or "review"
    note: str = ""


# -- numbers ------------------------------------------------------------------------------------------

# A separator between digit groups: one to three blanks (also no-break and thin spaces: a transcript typed
# or pasted with two spaces between the groups), a dot, hyphen or dash.
_BLANKS = r"[ \u00a0\u2009\u202f]{1,3}"
_SEP = rf"(?:{_BLANKS}|[.\-\u2010\u2011\u2012\u2013])"
# Digits glued to letters count too ("fnr15038712052"): a leak costs more than a needless "[nummer]".
_DIGIT_RUN = re.compile(rf"(?<![\d+])\+?(?:\d+{_SEP})*\d+(?!\d)")
_PHONE_GLUED = re.compile(r"(?<![\w+])(?:\+|00)47[2-9]\d{7}(?!\d)")  # +4791234567
_PHONE_PREFIX = re.compile(r"(?:\(\s*(?:\+|00)\s*47\s*\)|(?:\+|00)\s?47)[ \u00a0.\-]?$")
# Units after a number that make it an amount, not a phone or account number. Years and hours are
# not among them: nobody speaks of eight-digit numbers of years or hours, while "ring 20000000 år…"
# style run-ons of a phone number into the next word do occur in transcripts.
_AMOUNT_AFTER = re.compile(
    r"\s*(?:kr\b|kroner|kronor|nok\b|,-|mill|milliard|tusen|euro|eur\b|dollar|prosent|%|km\b|kilometer|meter|"
    r"kvm|m2|m²|innbyggjarar|innbyggere|personar|personer|stykk)", re.IGNORECASE)
_AMOUNT_BEFORE = re.compile(r"(?:\bkr\.?|\bnok|\bkroner)\s*$", re.IGNORECASE)
_K1 = (3, 7, 6, 1, 8, 9, 4, 5, 2)
_K2 = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ACCOUNT_WEIGHTS = (5, 4, 3, 2, 7, 6, 5, 4, 3, 2)
_ORGANISATION_WEIGHTS = (3, 2, 7, 6, 5, 4, 3, 2)
_IBAN = re.compile(r"(?<!\w)NO[ \u00a0]?\d{2}(?:[ \u00a0]?\d{4}){2}[ \u00a0]?\d{3}(?!\d)", re.IGNORECASE)


def _mod11(digits, weights) -> int:
    """The mod-11 check digit: 11 − (Σ wᵢdᵢ mod 11), 11 → 0; 10 means no valid check digit."""
    k = 11 - sum(w * d for w, d in zip(weights, digits)) % 11
    return 0 if k == 11 else k


def valid_national_id(number: str) -> bool:
    """True if an 11-digit fødselsnummer/D-nummer has correct mod-11 check digits (digits 10 and 11).

    Source: Skatteetaten, "Fødselsnummer" (check digit k1 = 11 − (3d1+7d2+6m1+1m2+8å1+9å2+4i1+5i2+2i3)
    mod 11, k2 = 11 − (5d1+4d2+3m1+2m2+7å1+6å2+5i1+4i2+3i3+2k1) mod 11; 11 → 0, 10 → invalid).
    The date part is not checked (D-numbers add 40 to the day, H-numbers and synthetic test numbers
    shift the month). Separators between digit groups (space, dot, hyphen) are ignored."""
    digits = [int(c) for c in re.sub(_SEP, "", number) if c.isdigit()]
    if len(digits) != 11 or len(re.sub(_SEP, "", number)) != 11:
        return False
    k1 = _mod11(digits, _K1)
    k2 = _mod11(digits[:9] + [k1], _K2)
    return k1 != 10 and k2 != 10 and k1 == digits[9] and k2 == digits[10]


def valid_account_number(number: str) -> bool:
    """True if an 11-digit Norwegian bank account number has a correct mod-11 check digit: the
    eleventh digit is 11 − (Σ wᵢdᵢ mod 11) with weights 5,4,3,2,7,6,5,4,3,2 (the banks' standard for
    account numbers, as in Bits/NICS documentation; 11 → 0, 10 → not a valid account number)."""
    digits = [int(c) for c in re.sub(_SEP, "", number) if c.isdigit()]
    if len(digits) != 11:
        return False
    k = _mod11(digits, _ACCOUNT_WEIGHTS)
    return k != 10 and k == digits[10]


def valid_organisation_number(number: str) -> bool:
    """True if a 9-digit organisation number (Enhetsregisteret) starts with 8 or 9 and has a correct
    mod-11 check digit, weights 3,2,7,6,5,4,3,2 (Brønnøysundregistrene; 11 → 0, 10 → invalid)."""
    digits = [int(c) for c in re.sub(_SEP, "", number) if c.isdigit()]
    if len(digits) != 9 or digits[0] not in (8, 9):
        return False
    k = _mod11(digits, _ORGANISATION_WEIGHTS)
    return k != 10 and k == digits[8]


# A fødselsnummer dictated in its two parts, the date of birth and then the five digits of the
# "personnummer": those five digits complete it, so they are replaced wherever the word names them.
_PERSONAL_NUMBER = re.compile(r"(?i:\bperson(?:nummer|nummeret|nr\.?))(?:\s+(?:er|var|mitt|mi|:))*:?\s+"
                              r"(?P<digits>\d{3}[ \u00a0]?\d{2})(?!\d)")


def _plausible_year(group: str) -> bool:
    return len(group) == 4 and 1900 <= int(group) <= 2099


def _is_date(groups: list[str], seps: list[str]) -> bool:
    """24.12.2023, 1.3.2024, 24-12-2023: day, month, year with the same dot or hyphen."""
    if len(groups) != 3 or len(set(seps)) != 1 or seps[0] not in ".-":
        return False
    day, month, year = groups
    return (len(day) <= 2 and len(month) <= 2 and 1 <= int(day) <= 31 and 1 <= int(month) <= 12
            and _plausible_year(year))


def _number_hits(text: str) -> list[Hit]:
    """Phone numbers and 11-digit numbers within every run of digit groups."""
    hits = [Hit("phone", m.start(), m.end(), m[0], PHONE) for m in _PHONE_GLUED.finditer(text)]
    hits += [Hit("account_number", m.start(), m.end(), m[0], ACCOUNT, note="IBAN") for m in _IBAN.finditer(text)]
    for run in _DIGIT_RUN.finditer(text):
        groups = [(m.start() + run.start(), m.end() + run.start(), m[0]) for m in re.finditer(r"\d+", run[0])]
        used_until = -1
        # A country code in front: "+47 912 34 567", "+4720 000000", "0047 912 34 567", "47 91 23 45 67".
        first, total = groups[0][2], sum(len(g[2]) for g in groups)
        plus = run[0].startswith("+")
        code = next((c for c in ("0047", "47") if first.startswith(c) and (plus or c == "0047" or first == c)), None)
        if code is not None and total - len(code) == 8:
            national = "".join(g[2] for g in groups)[len(code):]
            if national[0] in "23456789":
                hits.append(Hit("phone", run.start(), groups[-1][1], text[run.start():groups[-1][1]], PHONE))
                continue
        for i in range(len(groups)):
            if groups[i][0] < used_until:
                continue
            total = 0
            for j in range(i, len(groups)):
                total += len(groups[j][2])
                if total > 11:
                    break
                if total not in (8, 9, 11):
                    continue
                hit = _classify(text, groups[i:j + 1], total)
                if hit is not None:
                    hits.append(hit)
                    used_until = hit.end
                    break
    hits += [Hit("national_id", m.start("digits"), m.end("digits"), m["digits"], NATIONAL_ID,
                 note="the five digits after the date of birth (personnummer)") for m in _PERSONAL_NUMBER.finditer(text)]
    return hits


def _classify(text: str, groups, total: int) -> Hit | None:
    start, end = groups[0][0], groups[-1][1]
    digits = "".join(g[2] for g in groups)
    parts = [g[2] for g in groups]
    seps = [re.sub(_BLANKS, " ", text[a[1]:b[0]]) for a, b in zip(groups, groups[1:])]  # blanks: one space
    original = text[start:end]
    if total == 9:
        if valid_organisation_number(digits) and not _AMOUNT_AFTER.match(text, end):
            return Hit("organisation_number", start, end, original, ORGANISATION)
        return None
    if total == 11:
        if valid_national_id(digits):
            return Hit("national_id", start, end, original, NATIONAL_ID)
        if valid_account_number(digits):
            return Hit("account_number", start, end, original, ACCOUNT)
        return Hit("eleven_digits", start, end, original, NUMBER,
                   note="11 digits with neither a fødselsnummer's nor an account number's check digits "
                        "(mistyped?): replaced, check the context")
    # Eight digits: a phone number unless the context says amount, date, time or years.
    prefix = _PHONE_PREFIX.search(text[max(0, start - 12):start])
    if prefix is not None:
        start -= len(prefix[0])
        original = text[start:end]
    elif digits[0] in "01":
        return None
    if any(len(p) < 2 for p in parts[1:]) or (len(parts[0]) < 2 and prefix is None):
        if not all(len(p) == 1 for p in parts):
            return None  # "1 234 5678": not how anyone writes a phone number ("9 1 2 3 4 5 6 7" is: dictated)
    if prefix is None:
        if _AMOUNT_AFTER.match(text, end) or _AMOUNT_BEFORE.search(text[max(0, start - 12):start]):
            return None
        if len({sep.replace("\u2013", "-") for sep in seps}) > 1:
            return None  # mixed separators: a time span "20.30-21.45" or a range
        if _is_date(parts, seps):
            return None
        if len(parts) == 2 and _plausible_year(parts[0]) and _plausible_year(parts[1]) and parts[0] <= parts[1]:
            if seps[0] == " ":
                return Hit("phone", start, end, original, original, action="review",
                           note="two years or a phone number? left in place, check by hand")
            return None
    return Hit("phone", start, end, original, PHONE)


# Numbers read out digit by digit, as speech recognition may write them: "ni en to tre fire fem seks sju".
_DIGIT_WORDS = {"null": 0, "en": 1, "ein": 1, "ett": 1, "eitt": 1, "to": 2, "tre": 3, "fire": 4, "fem": 5, "seks": 6,
                "sju": 7, "syv": 7, "åtte": 8, "ni": 9}
_DIGIT_WORD_RUN = re.compile(
    rf"(?<![\w\-])(?:(?:{'|'.join(_DIGIT_WORDS)})[\s,]+){{7,}}(?:{'|'.join(_DIGIT_WORDS)})(?![\w\-])", re.IGNORECASE)


def _digit_word_hits(text: str) -> list[Hit]:
    """Eight or more digits read out one by one: eight is a phone number, eleven a fødselsnummer or
    account number; any other length is replaced as a number."""
    hits = []
    for m in _DIGIT_WORD_RUN.finditer(text):
        digits = "".join(str(_DIGIT_WORDS[w.lower()]) for w in re.findall(r"\w+", m[0]))
        if len(digits) == 8:
            hit = Hit("phone", m.start(), m.end(), m[0], PHONE, note="read out digit by digit")
        elif len(digits) == 11 and valid_national_id(digits):
            hit = Hit("national_id", m.start(), m.end(), m[0], NATIONAL_ID, note="read out digit by digit")
        elif len(digits) == 11 and valid_account_number(digits):
            hit = Hit("account_number", m.start(), m.end(), m[0], ACCOUNT, note="read out digit by digit")
        else:
            hit = Hit("spoken_digits", m.start(), m.end(), m[0], NUMBER,
                      note=f"{len(digits)} digits read out one by one: replaced, check the context")
        hits.append(hit)
    return hits


# -- e-mail -----------------------------------------------------------------------------------------

_EMAIL_WRITTEN = re.compile(r"(?<![\w.+-])[\w.+-]+@[\w-]+(?:\.[\w-]+)*\.[A-Za-z]{2,}(?![\w-])")
# A written dot joins parts unless it ends a sentence ("hund. Kari@…": glued to the word before, a space
# after), which would take the sentence's last word into the address.
_DOT = r"(?:\.(?!\s)|\s+\.\s*|\s+(?:punktum|punkt|prikk|dot)\s+|\s*[(\[](?:dot|punktum|prikk)[)\]]\s*)"
_DASH = r"(?:\s+(?:bindestrek|understrek|strek)\s+)"
_AT = (r"(?:\s*(?:@|\(at\)|\[at\])\s*|\s+(?:krøllalfa|krøll-alfa|krøll\s+alfa|alfakrøll|alfa\s+krøll|krølla|at|"
       r"a\s+med\s+krøll)\s+)")
# "com" is often transcribed "kom"
_TLD = r"(?:no|com|kom|org|net|se|dk|fi|is|uk|de|eu|io|info|edu|gov|biz|nu|me|co|int)"
# A part of an address is never one of the spoken separator words (which keeps the match linear).
_SPOKEN = r"(?:punktum|punkt|prikk|dot|bindestrek|understrek|strek|krøllalfa|krøll-alfa|alfakrøll|krølla|krøll|alfa|at)"
_PART = rf"(?!{_SPOKEN}(?![\w\-]))[\w+\-]+"
_EMAIL_SPOKEN = re.compile(
    rf"(?<![\w.@]){_PART}(?:(?:{_DOT}|{_DASH}|[._]){_PART})*{_AT}{_PART}(?:(?:{_DOT}|{_DASH}){_PART})*?{_DOT}{_TLD}(?!\w)",
    re.IGNORECASE)


# "kari krøllalfa gmail" with the domain's end lost: an unmistakable at-sign word is enough.
_EMAIL_NO_TLD = re.compile(
    rf"(?<![\w.@]){_PART}(?:(?:{_DOT}|{_DASH}|[._]){_PART})*"
    rf"(?:\s*(?:@|\(at\)|\[at\])\s*|\s+(?:krøllalfa|krøll-alfa|krøll\s+alfa|alfakrøll|alfa\s+krøll|krølla)\s+)"
    rf"{_PART}", re.IGNORECASE)


def _email_hits(text: str) -> list[Hit]:
    hits = [Hit("email", m.start(), m.end(), m[0], EMAIL) for m in _EMAIL_WRITTEN.finditer(text)]
    hits += [Hit("email", m.start(), m.end(), m[0], EMAIL) for m in _EMAIL_SPOKEN.finditer(text)]
    hits += [Hit("email", m.start(), m.end(), m[0], EMAIL) for m in _EMAIL_NO_TLD.finditer(text)]
    return hits


# -- addresses and postal codes ---------------------------------------------------------------------

# Street suffixes that are not ordinary words on their own: count in any case ("storgata 12").
_STRONG_SUFFIXES = ("gata", "gate", "gaten", "gt", "veien", "vegen", "vei", "veg", "vn", "stien", "stigen", "allé",
                    "alléen", "brygga", "bryggen", "kaien", "allmenning", "allmenningen", "smauet", "smuget", "veita",
                    "stredet", "passasjen")
# Suffixes that end ordinary words too ("arbeidsplass 2 dagar"): count only in a capitalised name.
_WEAK_SUFFIXES = ("plassen", "plass", "bakken", "bakke", "tunet", "tun", "torget", "torg", "kai", "sti", "kroken",
                  "svingen", "løkka", "løkken", "ringen", "lia", "haugen", "åsen", "myra", "jordet", "enga", "engen",
                  "vollen", "hagen", "grenda", "stranda", "sletta", "bekken", "moen", "marka", "høgda", "høyden")
# A house letter glued to the number in any case (12B, 12b), after a space only as a capital (12 B): in
# "Sjøvegen 5 i Ulvik" the "i" is a preposition.
_HOUSE_NUMBER = r"(?:nr\.?\s*|nummer\s+)?\d{1,4}(?:(?:[A-Za-z]|\s(?-i:[A-Z]))(?![\w]))?(?![\w])"
_STREET_PREFIX = r"(?:(?:Nedre|Øvre|Søndre|Nordre|Vestre|Østre|Store|Lille|Gamle|Nye|Indre|Ytre)\s+)?"
_STREET_ONE_WORD = re.compile(
    rf"(?<![\w\-]){_STREET_PREFIX}(?P<street>(?:[^\W\d_][\w\-]*?)?(?P<suffix>{'|'.join(_STRONG_SUFFIXES + _WEAK_SUFFIXES)})\.?)"
    rf"\s+(?P<no>{_HOUSE_NUMBER})", re.IGNORECASE)
_NAME_WORD = r"[A-ZÆØÅÄÖÜÉ][\w\-]*\.?"
_STREET_WORDS = re.compile(
    rf"(?<![\w\-])(?:{_NAME_WORD}\s+){{1,3}}(?:gate|gata|gaten|vei|veien|veg|vegen|plass|allé|vn\.|gt\.)"
    rf"\s+{_HOUSE_NUMBER}")
_PO_BOX = re.compile(r"(?<![\w\-])(?:postboks|postboks nr\.?|pb\.?|boks)\s*\d{1,5}(?![\w])", re.IGNORECASE)
_POSTCODE_PLACE = re.compile(r"(?<![\w\-.,:/])(?P<code>\d{4})(?=[ \u00a0]+(?P<place>[A-ZÆØÅ][\w\-]+))")
_YEAR_BEFORE = re.compile(r"(?i:\b(?:i|år|året|fra|frå|til|sidan|siden|innen|innan|før|etter|høsten|hausten|våren|"
                         r"sommeren|sommaren|vinteren|vinteren|januar|februar|mars|april|mai|juni|juli|august|"
                         r"september|oktober|november|desember))\s+$")
_POSTCODE_PREFIXED = re.compile(r"(?<![\w\-])(?:N|NO)-\d{4}(?!\w)")
_POSTCODE_WORD = re.compile(r"(?i:post(?:nummer|nummeret|nr\.?|kode|koden))(?:\s+(?:er|var|mitt|mi|:))*\s+(?P<code>\d{4})(?!\w)")


def _address_hits(text: str, not_places: frozenset[str]) -> list[Hit]:
    hits = []
    for m in _STREET_ONE_WORD.finditer(text):
        street, suffix = m["street"].rstrip("."), m["suffix"].lower()
        if len(street) - len(suffix) < 2 and street.lower() != suffix:
            continue
        if street.lower() == suffix and not street[0].isupper():
            continue  # "gata 12": a bare suffix word in lower case is not a street name
        if suffix in _WEAK_SUFFIXES and not street[0].isupper():
            continue
        hits.append(Hit("address", m.start(), m.end(), m[0], ADDRESS))
    hits += [Hit("address", m.start(), m.end(), m[0], ADDRESS) for m in _STREET_WORDS.finditer(text)]
    hits += [Hit("address", m.start(), m.end(), m[0], ADDRESS) for m in _PO_BOX.finditer(text)]
    for m in _POSTCODE_PLACE.finditer(text):
        if m["place"].casefold() in not_places:
            continue  # "i 2019 Jeg …": a year before a sentence
        if _plausible_year(m["code"]) and _YEAR_BEFORE.search(text[max(0, m.start() - 20):m.start()]):
            continue  # "sidan 2019 Bergen-kontoret …"
        hits.append(Hit("postcode", m.start(), m.end(), m[0], POSTCODE, note=BEFORE_A_PLACE))
    hits += [Hit("postcode", m.start(), m.end(), m[0], POSTCODE) for m in _POSTCODE_PREFIXED.finditer(text)]
    hits += [Hit("postcode", m.start("code"), m.end("code"), m["code"], POSTCODE) for m in _POSTCODE_WORD.finditer(text)]
    return hits


def remaining_identifiers(text: str, not_places: frozenset[str] = frozenset()) -> list[Hit]:
    """What in an already pseudonymised text still looks like an identifier: every hit that would be
    replaced, except four digits before a capitalised word, since a pseudonym is one ("2000 Informant 3")."""
    return [h for h in find_identifiers(text, not_places) if h.action == "replaced" and h.note != BEFORE_A_PLACE]


def find_identifiers(text: str, not_places: frozenset[str] = frozenset()) -> list[Hit]:
    """Every phone number, 11-digit number, e-mail address, street address and postal code in
    ``text`` (NFC), overlapping hits included; ``not_places`` are lower-case words that, after four
    digits, are no place name (function words: "i 2019 Vi flytta")."""
    return _email_hits(text) + _number_hits(text) + _digit_word_hits(text) + _address_hits(text, not_places)

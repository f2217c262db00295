"""The message catalogues: every text in every language, with the same placeholders.

Reads the ``.po`` files themselves (not ``fjernarbeid.i18n.catalogue``, which leaves empty texts out), so an
empty nynorsk ``msgstr`` — which would make an nn output quietly fall back to bokmål — is caught here.
"""

from __future__ import annotations

import re
import string

import pytest
from babel.messages.pofile import read_po

from fjernarbeid.i18n import DOMAIN, LANGUAGES, catalogue, message, po_files

_PRINTF = re.compile(r"%\((\w+)\)[sdifr]|%[sdifr]")


def _po(lang: str) -> dict[tuple[str, str], str]:
    """(context, msgid) → msgstr of a language's .po files together, empty texts included."""
    texts: dict[tuple[str, str], str] = {}
    for path in po_files(lang):
        with path.open("rb") as fh:
            texts |= {(m.context or "", m.id): m.string for m in read_po(fh) if m.id}
    return texts


def test_a_language_has_the_same_files_as_bokmaal():
    names = {lang: [f.name for f in po_files(lang)] for lang in LANGUAGES}
    assert names["nb"][0] == f"{DOMAIN}.po"
    assert names["nn"] == names["nb"] == names["en"]


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_is_in_two_files(lang):
    catalogue.cache_clear()
    catalogue(lang)  # raises on a (context, msgid) found in two files


def placeholders(text: str) -> set[str]:
    """The names a text expects to be filled: '{n} svar' → {'n'}; '%(name)s' → {'%(name)'}."""
    names = {field for _, field, _, _ in string.Formatter().parse(text) if field is not None}
    return names | {"%(" + m.group(1) + ")" if m.group(1) else m.group(0) for m in _PRINTF.finditer(text)}


@pytest.fixture(scope="module")
def po() -> dict[str, dict[tuple[str, str], str]]:
    return {lang: _po(lang) for lang in LANGUAGES}


def test_placeholders_are_found():
    assert placeholders("Data: {source}, {n} respondentar") == {"source", "n"}
    assert placeholders("%(count)s svar, %s") == {"%(count)", "%s"}
    assert placeholders("(Σw)²/Σw²") == set()


@pytest.mark.parametrize("lang", LANGUAGES)
def test_every_language_has_every_message(po, lang):
    assert set(po[lang]) == set(po["nb"]), sorted(set(po[lang]) ^ set(po["nb"]))


@pytest.mark.parametrize("lang", LANGUAGES)
def test_no_message_is_left_empty(po, lang):
    empty = sorted(key for key, text in po[lang].items() if not text.strip())
    assert empty == [], f"{lang}: {len(empty)} empty texts, e.g. {empty[:5]}"


def test_placeholders_match_across_languages(po):
    mismatched = {
        key: {lang: sorted(placeholders(po[lang][key])) for lang in LANGUAGES}
        for key in po["nb"]
        if len({frozenset(placeholders(po[lang].get(key, ""))) for lang in LANGUAGES}) > 1
    }
    assert mismatched == {}


def test_the_nynorsk_workbook_is_nynorsk():
    """Texts a tester once saw in bokmål in an nn workbook."""
    assert message("workbook", "made_with", "nn", version="1.0") == "Laga med fjernarbeid 1.0."
    assert message("workbook", "banner_subtitle", "nn") == "Vekta kolonneprosentar"
    assert message("workbook", "letters", "nn") == "Signifikant høgare enn kolonne"
    assert "respondentar" in message("workbook", "data", "nn", source="x", n=3, instrument="y")

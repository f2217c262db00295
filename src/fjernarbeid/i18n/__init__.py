"""Every fixed text of the outputs, in one message catalogue per language, and numbers as each language
writes them.

The catalogues are gettext ``.po`` files under ``locale/<lang>/LC_MESSAGES/`` (bokmål, nynorsk, English):
``fjernarbeid.po`` and one file per area that has many texts of its own (``tab.po``, ``disclosure.po`` …), all read
as one catalogue — a (context, msgid) may be in only one of them: ``msgctxt`` names where a text is used (``report``, ``workbook``, ``term`` …), ``msgid`` is its key —
or, for words the analyses write (test names, effect names), the English text as the analyses write it.
Babel reads the ``.po`` files directly on first use (pure Python), so a fresh install needs no compile step.

>>> message("report", "contents", "nn")
'Innhald'
>>> fmt_number(1234567.8, "nb", 1)
'1\\xa0234\\xa0567,8'
"""

from __future__ import annotations

import functools
import math
from importlib import resources

from babel.messages.pofile import read_po
from babel.numbers import format_decimal

LANGUAGES = ("nb", "nn", "en")
# The CLDR locale each language's numbers follow (decimal comma and non-breaking space in Norwegian).
LOCALES = {"nb": "nb_NO", "nn": "nn_NO", "en": "en_GB"}
# Where a message is missing in a language, the language whose text stands in (never English for Norwegian).
FALLBACK = {"nn": "nb", "nb": None, "en": None}
DOMAIN = "fjernarbeid"
# A cell withheld for confidentiality (too few respondents, or hidden with one that is): Statistics
# Norway's symbol ":" ("Vises ikke av konfidensialitetshensyn"), in every output and every language,
# explained in each output's notes. ("–" is SSB's "nothing to report", never a hidden figure.)
SUPPRESSED = ":"


def po_files(lang: str) -> list:
    """The ``.po`` files of ``lang``: ``fjernarbeid.po`` first, then each area's file in name order."""
    folder = resources.files("fjernarbeid.i18n").joinpath("locale", lang, "LC_MESSAGES")
    files = sorted((f for f in folder.iterdir() if f.name.endswith(".po")), key=lambda f: (f.name != f"{DOMAIN}.po", f.name))
    return files


@functools.cache
def catalogue(lang: str) -> dict[tuple[str, str], str]:
    """(context, msgid) → text for ``lang``; untranslated entries (empty msgstr) are left out."""
    if lang not in LANGUAGES:
        raise ValueError(f"unknown language {lang!r}: choose from {', '.join(LANGUAGES)}")
    texts: dict[tuple[str, str], str] = {}
    origin: dict[tuple[str, str], str] = {}
    for path in po_files(lang):
        with path.open("rb") as fh:
            cat = read_po(fh, locale=LOCALES[lang])
        for m in cat:
            if not m.id:
                continue
            key = (m.context or "", m.id)
            if key in origin:
                raise ValueError(f"message {key} is in both {origin[key]} and {path.name} ({lang})")
            origin[key] = path.name
            if m.string:
                texts[key] = m.string
    return texts


@functools.cache
def msgids() -> frozenset[tuple[str, str]]:
    """Every (context, msgid) of the catalogues (the bokmål one is complete by rule; a test checks the others)."""
    return frozenset(catalogue("nb"))


def has_message(context: str, key: str) -> bool:
    return (context, key) in msgids()


def message(context: str, key: str, lang: str, **kw) -> str:
    """The text of ``key`` in ``context`` for ``lang``, with ``{placeholders}`` filled from ``kw``. A language
    the catalogue does not have (a questionnaire's own, e.g. German) gets English."""
    current: str | None = lang if lang in LANGUAGES else "en"
    while current is not None:
        text = catalogue(current).get((context, key))
        if text is not None:
            return text.format(**kw) if kw else text
        current = FALLBACK.get(current)
    raise KeyError(f"no message {context}/{key} for language {lang}")


def quoted(label: str, lang: str) -> str:
    """A label quoted as the language quotes: '«Ikke sikker»' (nb, nn), '‘Not sure’' (en)."""
    return message("report", "quoted", lang, label=label)


def one_of(labels, lang: str) -> str:
    """Labels quoted and joined as alternatives: '«Ja»', '«Ja» eller «Kanskje»', '«A», «B» eller «C»'."""
    items = [quoted(label, lang) for label in labels]
    if len(items) <= 1:
        return "".join(items)
    return f"{', '.join(items[:-1])} {message('report', 'or', lang)} {items[-1]}"


# -- numbers ------------------------------------------------------------------------------------------


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and not math.isfinite(x))


def fmt_number(x: float | int | None, lang: str, decimals: int = 0) -> str:
    """1234567.8 → '1 234 568' (nb/nn: non-breaking space, decimal comma) or '1,234,568' (en); None → '–'."""
    if _missing(x):
        return "–"
    pattern = "#,##0" + ("." + "0" * decimals if decimals > 0 else "")
    # + 0.0: no '-0' for a small negative number rounded to zero
    return format_decimal(round(float(x), decimals) + 0.0, format=pattern, locale=_locale(lang))


@functools.cache
def _locale(lang: str) -> str:
    """The CLDR locale of a language: ours, else the code itself if CLDR knows it, else British English."""
    if lang in LOCALES:
        return LOCALES[lang]
    from babel import Locale, UnknownLocaleError

    try:
        Locale.parse(lang)
        return lang
    except (UnknownLocaleError, ValueError, TypeError):
        return LOCALES["en"]


def fmt_pct(share: float | None, lang: str, decimals: int = 0) -> str:
    """0.623 → '62 %' (a non-breaking space before the sign in every language, as the report writes it).
    Shares below 10 % get one decimal unless ``decimals`` is given ('2,3 %')."""
    if _missing(share):
        return "–"
    pct = 100 * share
    if decimals == 0 and 0 < abs(pct) < 10:
        decimals = 1
    return f"{fmt_number(pct, lang, decimals)}\u00a0%"


def fmt_ci(lo: float | None, hi: float | None, lang: str, decimals: int | None = None) -> str:
    """A confidence interval of shares: '31,8–41,3 %'-style, the per cent sign once, both ends with the same
    decimals ('6,9–12,0 %', never '6,9–12 %'): ``decimals``, else one when an end is under 10 %."""
    if _missing(lo) or _missing(hi):
        return "–"
    if decimals is None:
        decimals = 1 if any(0 < abs(100 * x) < 10 for x in (lo, hi)) else 0
    return f"{fmt_number(100 * lo, lang, decimals)}–{fmt_number(100 * hi, lang, decimals)}\u00a0%"


def fmt_interval(lo: float | None, hi: float | None, lang: str, decimals: int = 2) -> str:
    """An interval of numbers: '0,74–1,57'; with a negative end '-0,40 til -0,23' ('to'), since a dash between
    negative numbers reads as a subtraction."""
    if _missing(lo) or _missing(hi):
        return "–"
    a, b = fmt_number(lo, lang, decimals), fmt_number(hi, lang, decimals)
    if a.startswith(("-", "\u2212")) or b.startswith(("-", "\u2212")):
        return f"{a} {message('numbers', 'interval_to', lang)} {b}"
    return f"{a}–{b}"


def fmt_p(p: float | None, lang: str) -> str:
    """'p = 0,012', 'p < 0,001' (never 9.447e-17)."""
    if _missing(p):
        return "p = –"
    if p < 0.001:
        return f"p < {fmt_number(0.001, lang, 3)}"
    return "p = " + fmt_number(p, lang, 3)

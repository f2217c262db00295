"""The report's words, from the message catalogue (:mod:`fjernarbeid.i18n`, context ``report``), and the
number formats of each language."""

from __future__ import annotations

import re

from fjernarbeid.i18n import LANGUAGES, fmt_ci, fmt_number, fmt_p, fmt_pct, has_message, message

LANGS = LANGUAGES
__all__ = ["LANGS", "t", "has_text", "term", "fmt_number", "fmt_pct", "fmt_ci", "fmt_p", "method_text"]


def t(key: str, lang: str, **kw) -> str:
    """A fixed text of the report (context ``report`` of the catalogue)."""
    return message("report", key, lang, **kw)


def has_text(key: str) -> bool:
    return has_message("report", key)


# English phrases with a variable part, as the analyses write them: the pattern and its catalogue key.
_TERM_PATTERNS = (
    (re.compile(r"^linear trend of (?P<y>.+) across (?P<x>.+) \(svyglm slope\)$"),
     "linear trend of {y} across {x} (svyglm slope)"),
    (re.compile(r"^(?P<y>.+) trend$"), "{y} trend"),
    (re.compile(r"^(?P<name>.+) \(Pearson\)$"), "{name} (Pearson)"),
    (re.compile(r"^(?P<y>.+): standardised difference$"), "{y}: standardised difference"),
    (re.compile(r"^mean of (?P<name>.+)$"), "mean of {name}"),
    (re.compile(r"^the data have no column '?(?P<name>[^'\s]+)'?.*$"), "the data have no column {name}"),
)


def term(text: str, lang: str, name=lambda n: n) -> str:
    """A word or phrase an analysis wrote in English (a test's or an effect's name) in ``lang``; variable
    names inside it are given to ``name`` (which turns them into question numbers or labels). A text the
    catalogue does not know is returned unchanged."""
    if has_message("term", text):
        return message("term", text, lang)
    for pattern, key in _TERM_PATTERNS:
        m = pattern.match(text)
        if m:
            parts = {k: term(v, lang, name) if has_message("term", v) else name(v) for k, v in m.groupdict().items()}
            return message("term", key, lang, **parts)
    return text


def method_text(text: str, lang: str) -> str:
    """A test's or an effect's name in ``lang`` (kept for callers of the former dictionary)."""
    return term(text, lang)

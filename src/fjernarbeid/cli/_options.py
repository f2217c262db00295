"""Options that several commands share, defined once so that they have the same name, the same
choices and the same checks everywhere (``--weighting``, ``--lang``, ``--refdata``)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Optional

import typer

from fjernarbeid.errors import MissingReferenceDataError


class Weighting(str, enum.Enum):
    """How the study is weighted to the population by sex and age group."""

    poststratify = "poststratify"
    rake = "rake"


class Language(str, enum.Enum):
    nb = "nb"
    nn = "nn"
    en = "en"


def paragraphs(text: str) -> str:
    """Help text with one line per paragraph: the help formatter wraps lines itself, and keeps a
    line break written in the source as a break in the middle of its own lines."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.strip().split("\n\n"))


WEIGHTING_HELP = "poststratify: sex × age-group cells; rake: only the sex and the age-group margins."


def existing_refdata(value: Optional[Path]) -> Optional[Path]:
    """``--refdata`` must name a directory that exists: a typo must not silently mean "no registers".

    Exit code 4 (missing reference data) with the same words in every command.
    """
    if value is not None and not value.is_dir():
        from fjernarbeid.cli._survey_input import fail

        why = "is not a directory" if value.exists() else "does not exist"
        raise fail(MissingReferenceDataError(f"reference-data directory {value} {why}"))
    return value


def refdata_option(help: str) -> typer.models.OptionInfo:
    """``--refdata DIR``, checked by :func:`existing_refdata` (for ``Annotated[Optional[Path], …] = None``)."""
    return typer.Option("--refdata", help=help, callback=existing_refdata, show_default=False)

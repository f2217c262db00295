"""Options that several commands share, defined once so that they have the same name, the same
choices and the same checks everywhere (``--weighting``, ``--lang``, ``--refdata``)."""

from __future__ import annotations

import enum
from pathlib import Path
from typing import Optional

import typer

from fjernarbeid.errors import MissingReferenceDataError


class Weighting(str, enum.Enum):
    """How the study is weighted (its study file says; this overrides the method)."""

    poststratify = "poststratify"
    rake = "rake"
    linear = "linear"
    none = "none"


class Language(str, enum.Enum):
    nb = "nb"
    nn = "nn"
    en = "en"


def paragraphs(text: str) -> str:
    """Help text with one line per paragraph: the help formatter wraps lines itself, and keeps a
    line break written in the source as a break in the middle of its own lines."""
    return "\n\n".join(" ".join(paragraph.split()) for paragraph in text.strip().split("\n\n"))


WEIGHTING_HELP = ("Default: as the study file says (the 2025 study: post-stratified by sex × age group). poststratify: "
                  "cells of the weighting variables; rake: only their margins; linear: GREG calibration; none: "
                  "unweighted.")


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


def completes_only_option() -> typer.models.OptionInfo:
    """``--completes-only``: drop the submissions a screening question screened out (and say how many)."""
    return typer.Option("--completes-only", help="Drop submissions that a screening question screened out (a web "
                        "survey's export holds them beside the completed ones) and say how many.")


# Cells with fewer unweighted respondents than this are hidden in published tables (``tab --min-n``,
# ``report --min-cell``): the usual threshold of Norwegian statistics for counts of people.
MIN_CELL = 5


def overwrite_option() -> typer.models.OptionInfo:
    """``--overwrite``: the one way to let a command replace files that exist (fjernarbeid._io's policy);
    for ``Annotated[bool, overwrite_option()] = False``."""
    from fjernarbeid._io import OVERWRITE_OPTION

    return typer.Option(OVERWRITE_OPTION, help="Replace output files that exist already. Without it an existing "
                        "file is never replaced: the command stops before any work, naming it (exit code 3).")

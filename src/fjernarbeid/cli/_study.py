"""The study a command works on (``--study DIR``, ``--instrument FILE``) and its weighting
(``--weighting``, ``--targets FILE``), defined once for weight, tab, report and export."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Optional

import typer

STUDY_HELP = ("The study: a folder with study.yaml (questionnaire, weighting, catalogue, report front matter); "
              "default: the NORCE 2025 study shipped with the program.")
TARGETS_HELP = ("Weighting targets, CSV with the columns variable,category,target[,label]: one row per category; "
                "several variables are raked (cells of a cross: variable a×b or a*b, category x|y). Replaces the "
                "study's targets.")


def study_option() -> typer.models.OptionInfo:
    return typer.Option("--study", help=STUDY_HELP, show_default=False)


def targets_option() -> typer.models.OptionInfo:
    return typer.Option("--targets", help=TARGETS_HELP, show_default=False)


def load_cli_study(study: Optional[Path], instrument: Optional[Path]):
    """``--study`` (with ``--instrument`` replacing its questionnaire), ``--instrument`` alone (its own
    roles, the national sex × age weighting of the default study), or the default study."""
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.study import load_study, study_for_instrument

    if study is not None:
        chosen = load_study(study)
        if instrument is not None:
            inst = load_instrument(instrument)
            chosen = replace(chosen, instrument=replace(inst, roles={**inst.roles, **chosen.instrument.roles}))
        return chosen
    if instrument is not None:
        inst = load_instrument(instrument)
        return replace(study_for_instrument(inst), weighting=load_study().weighting)
    return load_study()


def weighting_spec(study, weighting=None, targets: Optional[Path] = None):
    """The study's weighting with the command line's changes: ``--targets`` replaces the targets,
    ``--weighting`` the method (none: unweighted)."""
    spec = study.weighting
    if targets is not None:
        spec = spec.with_targets_file(targets)
        if weighting is None:  # cells of a cross (or one variable): post-stratification; margins: raking
            spec = replace(spec, method="auto")
    if weighting is not None:
        spec = replace(spec, method=weighting.value if hasattr(weighting, "value") else str(weighting))
    return spec

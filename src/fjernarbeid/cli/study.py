"""``fjernarbeid init DIR`` (a new study's skeleton) and ``fjernarbeid synthetic`` (answers to try it on)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from fjernarbeid.cli._options import overwrite_option, paragraphs
from fjernarbeid.cli._survey_input import fail
from fjernarbeid.errors import FjernarbeidError, OutputFileError

INIT_HELP = """Write a new study's skeleton into DIR: study.yaml, a questionnaire, weighting targets, a
findings catalogue with one example of each analysis, a README, and synthetic answers (data.csv)
that `fjernarbeid validate`, `weight`, `tab`, `report` and `export` run on at once.

Edit the files for your own survey (the README in DIR says how), then replace data.csv by the
fieldwork file. DIR may exist; a file of the skeleton's names already in it is replaced only with
--overwrite (nothing is written then), other files are left alone. The files are written all or
none.

Exit code: 0 done, 3 a skeleton file exists in DIR (without --overwrite), or DIR cannot be written."""

SYNTHETIC_HELP = """Write synthetic answers to a study's questionnaire (CSV): routing followed, screening
passed, ranges kept, "don't know" codes now and then, optional questions sometimes empty. For trying
the whole pipeline before fieldwork; the values carry no real person. An existing --out (real
answers, perhaps) is replaced only with --overwrite.

Exit code: 0 done, 3 the study cannot be read, --out exists (without --overwrite) or cannot be
written."""


def init_command(
    directory: Annotated[Path, typer.Argument(metavar="DIR", help="Folder for the new study.", show_default=False)],
    n: Annotated[int, typer.Option("--n", min=20, help="Synthetic respondents in data.csv.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the synthetic answers.")] = 1,
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    from fjernarbeid._io import refuse_existing_outputs
    from fjernarbeid.study.skeleton import SKELETON_FILES, write_skeleton

    try:
        if directory.exists() and not directory.is_dir():
            raise OutputFileError(f"{directory}: exists and is not a folder; a new study needs a folder")
        refuse_existing_outputs((directory / name for name in SKELETON_FILES), overwrite=overwrite)
        written = write_skeleton(directory, n=n, seed=seed, overwrite=overwrite)
    except FjernarbeidError as exc:
        raise fail(exc) from None
    for path in written:
        typer.echo(str(path))
    typer.echo(f"Next: fjernarbeid report {directory / 'data.csv'} --study {directory} --out {directory / 'report'}",
               err=True)


def synthetic_command(
    out: Annotated[Path, typer.Option("--out", help="The CSV file to write.", show_default=False)],
    study: Annotated[Optional[Path], typer.Option("--study", help="The study folder (default: the 2025 study).",
                                                  show_default=False)] = None,
    n: Annotated[int, typer.Option("--n", min=1, help="Respondents.")] = 300,
    seed: Annotated[int, typer.Option("--seed", help="Seed of the random answers.")] = 1,
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    from fjernarbeid._cells import neutralise_frame
    from fjernarbeid._io import atomic_path, refuse_existing_outputs, refuse_overwrite_input
    from fjernarbeid.study import load_study
    from fjernarbeid.study.synthetic import synthesise

    try:
        chosen = load_study(study)
        refuse_overwrite_input(out, *chosen.files)  # never over the study's own files
        # made-up answers never replace a file unasked, least of all real answers named data.csv
        refuse_existing_outputs([out], overwrite=overwrite)
        frame = synthesise(chosen, n=n, seed=seed)
        try:
            with atomic_path(out, overwrite=overwrite) as tmp:
                neutralise_frame(frame).to_csv(tmp, index=False)
        except OSError as exc:
            raise OutputFileError(f"{out}: cannot write: {exc.strerror or exc}") from None
    except FjernarbeidError as exc:
        raise fail(exc) from None
    typer.echo(str(out))


def register(app: typer.Typer) -> None:
    app.command("init", help=paragraphs(INIT_HELP))(init_command)
    app.command("synthetic", help=paragraphs(SYNTHETIC_HELP))(synthetic_command)

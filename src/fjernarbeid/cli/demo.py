"""``fjernarbeid demo``: generate the synthetic demo fieldwork and summarise it."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Annotated

import typer

from fjernarbeid.cli._console import console as make_console, styled
from fjernarbeid.cli._options import overwrite_option
from fjernarbeid.cli._survey_input import fail
from fjernarbeid.studies.norce2025.demo import DEFAULT_N, DEFAULT_SEED
from fjernarbeid.errors import FjernarbeidError


def register(app: typer.Typer) -> None:
    app.command("demo")(demo)


def demo(
    out: Path = typer.Option(Path("demo-output"), "--out", help="Directory to write the demo files into (created if needed)."),
    seed: int = typer.Option(DEFAULT_SEED, "--seed", min=0, help="Random seed; the same seed and n give byte-identical files."),
    n: int = typer.Option(DEFAULT_N, "--n", min=1, help="Completed interviews; every other fieldwork count scales with n/500."),
    sav: bool = typer.Option(True, "--sav/--no-sav", help="Also write the SPSS file demo_survey.sav (slower for very large n)."),
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    """Generate a SYNTHETIC fieldwork like the 2025 survey: call log, interviews (CSV and SPSS), README.

    Also writes refdata/, the reference registers' entries for the demo's postal codes (a derived demo subset, not for real data), so that `fjernarbeid validate` and `fjernarbeid report` run on the demo with --refdata OUT/refdata.

    The data are made up by a latent model tuned to the report's published figures and are marked as synthetic in every file. Use them to try the software without data of your own.

    The files are written all or none. A demo file that exists in --out already (from an earlier run, or a file of yours by that name) is replaced only with --overwrite (exit code 3 otherwise, before any work).
    """
    from fjernarbeid._io import ensure_directory, refuse_existing_outputs, staged_directory
    from fjernarbeid.studies.norce2025.demo import generate_demo, summary_tables, write_demo
    from fjernarbeid.studies.norce2025.demo.write import demo_files

    console = make_console(soft_wrap=False)
    try:
        ensure_directory(out)  # before the work: a place that cannot be written is named at once (exit 3)
        refuse_existing_outputs(demo_files(out, sav=sav), overwrite=overwrite)
        started = time.perf_counter()
        fieldwork = generate_demo(n=n, seed=seed)
        generated = time.perf_counter()
        with staged_directory(out, overwrite=overwrite) as staging:  # every file, or none
            paths = {kind: out / path.relative_to(staging)
                     for kind, path in write_demo(fieldwork, staging, sav=sav).items()}
        written = time.perf_counter()
    except FjernarbeidError as exc:
        raise fail(exc) from None

    console.print(styled(("Synthetic demo", "bold"), f" (seed {seed}, n {n:,}): made up by a model, not real answers."))
    for table in summary_tables(fieldwork):
        console.print(table)
    names = [p.name + ("/" if p.is_dir() else "") for p in paths.values()]
    console.print(f"Wrote {len(names)} files and folders to {out}/: " + ", ".join(names))
    console.print(styled((f"generated in {generated - started:.1f} s, written in {written - generated:.1f} s", "dim")))

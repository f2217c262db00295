"""``fjernarbeid target``: target groups and regional potential (report chapter 4.5)."""

from __future__ import annotations

import enum
import time
from pathlib import Path
from typing import Annotated, Optional

import typer
from fjernarbeid.cli._console import console as make_console

from fjernarbeid.cli._options import WEIGHTING_HELP, Weighting, overwrite_option, paragraphs, refdata_option
from fjernarbeid.cli._survey_input import UsageError, fail
from fjernarbeid.errors import FjernarbeidError, OutputFileError

_HELP = """Who is inclined to move and work remotely, how many they are and where they live.

Fits design-based models of the study's outcomes (e.g. moving to another municipality), estimates the
eligible population of every municipality from the screening funnel of the disposition log and SSB's
population, and writes target.html, target.json, target.xlsx and CSV tables into --out. Municipal figures
are synthetic estimates (they assume the propensity depends on sex, age and centrality, not on the
municipality itself); every output says so. A file of those names already in --out is replaced only
with --overwrite.

Exit codes: 0 done, 1 invalid data, 2 wrong usage, 3 an input cannot be read, an output exists
(without --overwrite) or cannot be written, 4 missing reference data, 5 a model cannot be estimated.
"""


class TargetLanguage(str, enum.Enum):
    nb = "nb"
    nn = "nn"
    en = "en"


def _region(value: Optional[str]) -> list[str]:
    if not value:
        return []
    codes = [c.strip() for c in value.split(",") if c.strip()]
    bad = [c for c in codes if not (c.isdigit() and len(c) in (2, 4))]
    if bad:
        raise UsageError(f"--region: {', '.join(bad)} is not a municipality (four digits) or county (two digits) number")
    from fjernarbeid.refdata import municipality_facts

    facts = municipality_facts()
    unknown = [c for c in codes if c not in set(facts["municipality_code"]) and c not in set(facts["county_code"])]
    if unknown:
        raise UsageError(f"--region: {', '.join(unknown)} is neither a municipality nor a county number at 2024 "
                         "borders (e.g. 4618 or 46)")
    return codes


def target(
    file: Path = typer.Argument(..., help="The survey file (CSV, Excel, SPSS .sav, Stata .dta, Parquet)."),
    dispositions: Path = typer.Option(..., "--dispositions", "-d", help="Disposition log (CSV) with the screening answers."),
    out: Path = typer.Option(Path("target"), "--out", "-o", help="Output directory."),
    region: Optional[str] = typer.Option(None, "--region", help="Municipality or county numbers (2024), comma-separated "
                                                                 "(default: the study's own region), "
                                                                 "e.g. 4618,4619,4620,4622 (Hardanger) or 46."),
    region_name: Optional[str] = typer.Option(None, "--region-name", help="Name of the region in the outputs."),
    lang: TargetLanguage = typer.Option(TargetLanguage.nb, "--lang", help="nb (bokmål), nn (nynorsk) or en."),
    refdata: Annotated[Optional[Path], refdata_option("Reference-data directory (postal codes, centrality).")] = None,
    spec_file: Optional[Path] = typer.Option(None, "--spec", help="Targeting specification (YAML); default: the study's."),
    weighting: Optional[Weighting] = typer.Option(None, "--weighting", help=WEIGHTING_HELP, show_default=False),
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    from fjernarbeid._io import refuse_existing_outputs, refuse_overwrite_inputs, staged_directory
    from fjernarbeid.refdata import RefData
    from fjernarbeid.target.outputs import write_outputs
    from fjernarbeid.target.pipeline import target_from_files
    from fjernarbeid.target.spec import load_spec

    started = time.perf_counter()
    try:
        codes = _region(region)
        refuse_overwrite_inputs((out, out / "target.json", out / "target.html", out / "target.xlsx"), file,
                                dispositions, spec_file, reference=(refdata, RefData.locate(refdata).directory))
        if out.exists() and not out.is_dir():
            raise OutputFileError(f"{out}: exists and is not a directory")
        # the files whose names are known before the work; the CSV tables' names depend on the
        # outcomes and are checked when they are put in place (nothing is moved if one exists)
        refuse_existing_outputs((out / "target.json", out / "target.html", out / "target.xlsx"), overwrite=overwrite)
        spec = load_spec(spec_file)
        if not codes and spec.region_codes:  # the study's own region
            codes, region_name = list(spec.region_codes), region_name or spec.region_name
        result = target_from_files(file, dispositions, refdata_dir=refdata, spec=spec, region=codes,
                                   region_name=region_name,
                                   weighting=weighting.value if weighting is not None else None)
        with staged_directory(out, overwrite=overwrite) as staging:  # every file, or none
            written = [out / p.name for p in write_outputs(result, staging, lang.value)]
    except FjernarbeidError as exc:
        raise fail(exc) from None
    console = make_console(stderr=True)
    first = next((o for o in result.outcomes if "potential" in o), None)
    if first is not None:
        nat = first["potential"]["national"]["rounded"]
        console.print(f"{first['name']}: national potential {nat['potential']:,.0f} "
                      f"(95 % CI {nat['ci_low']:,.0f}-{nat['ci_high']:,.0f}); synthetic estimates by municipality "
                      f"({time.perf_counter() - started:.1f} s)", markup=False, highlight=False)
    for path in written:
        typer.echo(str(path))


def register(app: typer.Typer) -> None:
    app.command("target", help=paragraphs(_HELP))(target)

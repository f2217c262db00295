"""``fjernarbeid weight FILE --out FILE.csv``: weights the data as the study says (or --targets, --weighting)."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.table import Table

from fjernarbeid.cli._console import console as make_console, echo_text, styled
from fjernarbeid.cli._options import (WEIGHTING_HELP, Weighting, completes_only_option, overwrite_option, paragraphs,
                                      refdata_option)
from fjernarbeid.cli._study import load_cli_study, study_option, targets_option, weighting_spec
from fjernarbeid.cli._survey_input import (
    UsageError,
    derive_available,
    fail,
    json_ready,
    read_data,
    refuse_the_studys_weighting,
    warn_if_invalid,
    where,
)
from fjernarbeid.errors import FjernarbeidError


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


HELP = """Weight a fieldwork file as the study says: method, variables and population targets.

The study file (--study) names the weighting; the default study (NORCE 2025) derives the age group
from the birth year and post-stratifies on sex × age group to SSB's population on 1 January 2025
(table 07459, shipped with the program). --weighting rake meets only the margins (for when a cell
has no respondents), --weighting none leaves the data unweighted, and --targets FILE weights to the
targets of a CSV file (variable,category,target[,label]; categories matched by label or range).
Writes the data, the derived variables and a `weight` column to --out (.csv or .parquet), and
prints the weight report: range of the weights, Kish design effect, effective sample size and
the weighted margins against the targets. A file that looks like the study's survey but breaks
its rules is weighted as it is, with a warning (`fjernarbeid validate` lists the problems).

Any other file (a CSV from R's write.csv, an SPSS file of another survey) is weighted to --targets of
its own columns, as `tab --targets` does: one variable or a cross (stype×sch.wide, categories E|No)
post-stratified as R's postStratify, several margins raked as R's rake (epsilon 1, 10 sweeps), or
--weighting linear calibrated as R's calibrate; from equal weights, or from --weight COL (a column
named weight by default). The file is written as it is with the calibrated weights in `weight`.

An existing --out is replaced only with --overwrite.

Exit code: 0 done, 1 the data cannot be weighted as they are (missing sex or birth year, named by
line), 2 wrong usage, 3 the file cannot be read, --out exists (without --overwrite) or cannot be
written, 4 a --refdata
directory that does not exist, 5 the targets cannot be met (e.g. an empty cell).
"""


def weight_command(
    file: Annotated[Path, typer.Argument(help="The fieldwork file (CSV, Excel, SPSS, Stata, Parquet).",
                                         show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Where to write the weighted data (.csv or .parquet).",
                                      show_default=False)],
    refdata: Annotated[Optional[Path], refdata_option(
        "Reference-data directory; when given, municipality, county and centrality are derived from the "
        "postal code too (weighting itself does not need it).")] = None,
    weighting: Annotated[Optional[Weighting], typer.Option("--weighting", help=WEIGHTING_HELP,
                                                           show_default=False)] = None,
    targets: Annotated[Optional[Path], targets_option()] = None,
    study: Annotated[Optional[Path], study_option()] = None,
    method: Annotated[Optional[Weighting], typer.Option(
        "--method", hidden=True, help="The earlier name of --weighting.")] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="text: readable report; json: the report with every number, to stdout.")] = OutputFormat.text,
    instrument: Annotated[Optional[Path], typer.Option(
        "--instrument", help="Questionnaire (YAML or XLSForm .xlsx); default: the study's.")] = None,
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", help="Column mapping, YAML or CSV with columns source,target.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Excel sheet to read (default: the first).")] = None,
    completes_only: Annotated[bool, completes_only_option()] = False,
    overwrite: Annotated[bool, overwrite_option()] = False,
    base_weight: Annotated[Optional[str], typer.Option(
        "--weight", help="With --targets of a file's own columns: the column of weights before calibration "
        "(default: a column named weight, else equal weights).", show_default=False)] = None,
) -> None:
    from fjernarbeid._cells import neutralise_frame
    from fjernarbeid._io import atomic_path, refuse_existing_outputs, refuse_overwrite_input
    from fjernarbeid.refdata import RefData
    from fjernarbeid.study import weight

    try:
        if method is not None and weighting is not None and method is not weighting:
            raise UsageError(f"--method is the earlier name of --weighting; give one of them, not "
                             f"--weighting {weighting.value} and --method {method.value}")
        weighting = method or weighting
        if out.suffix.lower() not in (".csv", ".parquet"):
            raise UsageError(f"{out}: --out must end in .csv or .parquet")
        # never over an input, nor into a reference-data directory (given or found by default)
        refuse_overwrite_input(out, file, mapping, instrument, targets,
                               reference=(refdata, RefData.locate(refdata).directory))
        chosen = load_cli_study(study, instrument)
        refuse_overwrite_input(out, *chosen.files)  # the study's own files are inputs too
        refuse_existing_outputs([out], overwrite=overwrite)  # before the work: said at once
        inst = chosen.instrument
        data = read_data(file, inst, mapping, sheet, completes_only=completes_only)
        if targets is None:
            refuse_the_studys_weighting(data, inst, "fjernarbeid weight")
        inst = data.instrument  # another survey's file: without the questions named like its columns
        # --targets of the file's own columns (a file that is not the study's survey): R's postStratify, rake or
        # calibrate on them, as tab and model do
        from fjernarbeid.cli._calibration import own_calibration

        calibration = own_calibration(data, inst, targets, weighting, None, False) if targets is not None else None
        if calibration is not None:
            account = _weight_own_columns(data, inst, calibration, base_weight, out, overwrite)
        elif base_weight is not None:
            raise UsageError("--weight gives the weights before calibrating a file's own columns to --targets; the "
                             "study's weighting starts from equal weights")
    except FjernarbeidError as exc:
        raise fail(exc) from None
    if calibration is not None:
        if output_format is OutputFormat.json:
            echo_text(json.dumps(json_ready({"file": str(file), "out": str(out), **account}), ensure_ascii=False,
                                 indent=2, default=str, allow_nan=False))
        else:
            _print_own_report(account, file, out)
        return
    try:
        warn_if_invalid(data, inst, refdata, "fjernarbeid weight",
                        options={"--study": study, "--instrument": instrument, "--mapping": mapping,
                                 "--sheet": sheet, "--refdata": refdata, "--completes-only": completes_only})
        frame = derive_available(data.frame, inst, refdata)
        result = weight(frame, inst, weighting_spec(chosen, weighting, targets), refdata,
                        where=lambda mask: where(data, mask))
        if len(result.frame) != len(frame):
            make_console(stderr=True).print(f"note: {len(frame) - len(result.frame)} respondent(s) without a weighting "
                                       "category left out (the study's rule: unknown: exclude)", markup=False)
        weighted = result.frame.drop(columns=[c for c in result.frame.columns if c.endswith(" (weighting groups)")])
        weighted = weighted.assign(weight=result.weights.to_numpy())
        with atomic_path(out, overwrite=overwrite) as tmp:
            if out.suffix.lower() == ".parquet":
                weighted.to_parquet(tmp, index=False)
            else:
                neutralise_frame(weighted).to_csv(tmp, index=False)  # free text never becomes a formula
    except FjernarbeidError as exc:
        raise fail(exc) from None

    if output_format is OutputFormat.json:
        report = json_ready({"file": str(file), "out": str(out), **result.report.to_dict()})
        echo_text(json.dumps(report, ensure_ascii=False, indent=2, default=str, allow_nan=False))
    else:
        _print_report(result.report, inst, file, out)


def _weight_own_columns(data, inst, calibration, base_weight: str | None, out: Path, overwrite: bool) -> dict:
    """The file calibrated to --targets of its own columns, written to ``out`` with the weights in ``weight``;
    the account of the calibration (as tab's JSON ``weighting``)."""
    from fjernarbeid._cells import neutralise_frame
    from fjernarbeid._io import atomic_path
    from fjernarbeid.cli.tab import design_for

    design, _, account, _ = design_for(data, inst, data.frame, study=None, weight=base_weight, strata=None,
                                       cluster=None, fpc=None, nest=False, lonely_psu="fail", lang="en",
                                       calibration=calibration)
    weighted = data.frame.reset_index(drop=True).assign(weight=design.weights)
    with atomic_path(out, overwrite=overwrite) as tmp:
        if out.suffix.lower() == ".parquet":
            weighted.to_parquet(tmp, index=False)
        else:
            neutralise_frame(weighted).to_csv(tmp, index=False)  # free text never becomes a formula
    return account


def _print_own_report(account: dict, file: Path, out: Path) -> None:
    base = account["base_weight_column"] or "equal weights"
    sweeps = f", {account['iterations']} sweeps" if account.get("iterations") else ""
    cells = []
    for row in account["targets"]:
        category = row["category"]
        shown = "|".join(map(str, category)) if isinstance(category, (list, tuple)) else str(category)
        cells.append((f"{row['variable']} = {shown}", row["n"], row["target"], row["weighted"]))
    _print_weights(f" → {out}: {account['n']:,} rows weighted ({account['method']} of {base} to "
                   f"{account['targets_file']}{sweeps})", file, account, cells, "rows", digits=2)


def _print_report(report, inst, file: Path, out: Path) -> None:
    labels = inst.value_labels()
    sweeps = f", {report.iterations} sweeps" if report.iterations else ""
    cells = [(_cell_label(row.variable, row.category, labels), row.n, row.target, row.weighted)
             for row in report.margins.itertuples()]
    _print_weights(f" → {out}: {report.n:,} respondents weighted ({report.method}{sweeps})", file,
                   {k: getattr(report, k) for k in ("sum_weights", "min", "max", "ratio", "cv", "kish_deff",
                                                    "effective_n")}, cells, "respondents", digits=1)


def _print_weights(headline: str, file: Path, stats: dict, cells: list[tuple], counted: str, digits: int) -> None:
    """The weight report: the headline, the weights' summary and the weighted margins against the targets."""
    console = make_console(soft_wrap=False)
    console.print(styled((str(file), "bold"), headline))
    summary = Table(show_header=False, show_edge=False, box=None)
    summary.add_column(justify="left")
    summary.add_column(justify="right")
    for name, value in (("sum of weights (population)", f"{stats['sum_weights']:,.0f}"),
                        ("smallest weight", f"{stats['min']:,.{digits}f}"),
                        ("largest weight", f"{stats['max']:,.{digits}f}"),
                        ("largest / smallest", f"{stats['ratio']:.2f}"), ("CV of the weights", f"{stats['cv']:.3f}"),
                        ("Kish design effect 1 + CV²", f"{stats['kish_deff']:.3f}"),
                        ("effective sample size", f"{stats['effective_n']:,.1f}")):
        summary.add_row(name, value)
    console.print(summary)
    table = Table(title="Weighted margins against the targets", title_justify="left", show_edge=False)
    for name, justify in (("cell", "left"), (counted, "right"), ("target", "right"), ("weighted", "right")):
        table.add_column(name, justify=justify)
    for cell, n, target, weighted in cells:
        table.add_row(cell, f"{n:,}", f"{target:,.0f}", f"{weighted:,.0f}")
    console.print(table)


def _cell_label(variable: str, category, labels: dict) -> str:
    from fjernarbeid.study.weighting import weighted_variable

    names = [weighted_variable(n) for n in variable.split(" × ")]
    values = category if isinstance(category, tuple) else (category,)
    return ", ".join(labels.get(n, {}).get(_as_int(v), str(v)) for n, v in zip(names, values))


def _as_int(v):
    try:
        return int(v)
    except (TypeError, ValueError):
        return v


def register(app: typer.Typer) -> None:
    app.command("weight", help=paragraphs(HELP))(weight_command)

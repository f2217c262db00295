"""``fjernarbeid export FILE --to OUT``: weighted, labelled, disclosure-controlled microdata."""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Optional

import typer
from rich.text import Text

from fjernarbeid.cli._console import console
from fjernarbeid.cli._options import (WEIGHTING_HELP, Language, Weighting, completes_only_option, overwrite_option,
                                      paragraphs, refdata_option)
from fjernarbeid.cli._study import study_option, targets_option
from fjernarbeid.errors import EXIT_IMPOSSIBLE, EXIT_INVALID_DATA, EXIT_USAGE, DataValidationError, FjernarbeidError

_HELP = """Export the survey as weighted, labelled microdata with disclosure control.

Validates FILE (data with errors are refused, exit 1, with every problem listed as `validate`
lists them), derives age group, municipality, centrality …, weights by sex × age group, and
protects the respondents: the id becomes a sequential number (records in random order), open
text and columns not in the questionnaire are dropped, birth year → age group, postal code →
municipality (blank where fewer than k respondents live), household size top-coded at 6. Then
k-anonymity over the key variables (sex, age group or an age asked in years, education, geography, the
study's quasi-identifiers, and the weight, which reveals the cells it was computed from) is reached in the order sdcMicro uses: global recoding while it does
not hold (geography to county, then to centrality class; age group to 10-year bands; education to
three levels), then local suppression of the fewest key values (geography first, then education,
then age group; sex only when nothing else works). A suppressed value counts as a category of its
own, so every person is hidden among at least k records.

The format follows the extension of --to: .sav (SPSS), .dta (Stata), .parquet, .csv (with
OUT.labels.json). Beside it: OUT.codebook.md/.json (every variable, codes, routing, frequencies
where not disclosive) and OUT.disclosure.md/.json (what was done and why, every recode step,
suppressions per variable, the k achieved, the information lost). All files are written
atomically, all or none; the input is never overwritten, and an existing output only with
--overwrite.

Exit code: 0 written and k-anonymity holds (or --keep kept a key variable: then the files are
written and say in capitals that it does not), 1 the data break rules, 2 wrong usage, 3
unreadable input, output over the input, an output that exists (without --overwrite) or cannot be
written, 4 a --refdata
directory that does not exist, 5 weighting impossible, or k-anonymity NOT reached
(the files are written and say why).
"""
HELP = paragraphs(_HELP)


class Strategy(str, Enum):
    auto = "auto"
    coarsen = "coarsen"
    suppress = "suppress"


def _value(strategy) -> str:
    return strategy.value if isinstance(strategy, Enum) else str(strategy)


def _split(values: list[str]) -> list[str]:
    return [v.strip() for item in values for v in item.split(",") if v.strip()]


def export_command(
    file: Annotated[Path, typer.Argument(help="The fieldwork file (CSV, Excel, SPSS, Stata, Parquet, Kobo/ODK).",
                                         show_default=False)],
    to: Annotated[Path, typer.Option("--to", help="Output file: .sav, .dta, .parquet or .csv.", show_default=False)],
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", help="Column mapping, YAML or CSV with columns source,target.")] = None,
    refdata: Annotated[Optional[Path], refdata_option(
        "Reference-data directory with the postal-code register (default: $FJERNARBEID_REFDATA or the user "
        "data directory). Without it the postal code is dropped and no geography is published.")] = None,
    instrument: Annotated[Optional[Path], typer.Option(
        "--instrument", help="Questionnaire (YAML or XLSForm .xlsx); default: the study's.")] = None,
    keep: Annotated[Optional[list[str]], typer.Option(
        "--keep", metavar="VAR", help="Do not apply the disclosure rule to VAR (repeat, or comma-separate): "
        "e.g. the birth year or postal code question, municipality, the household size, id, an open text, or a "
        "key variable (sex, age group, education, a quasi-identifier the study declares), which is then neither "
        "recoded nor suppressed. The disclosure statement says so in capitals.")] = None,
    k: Annotated[int, typer.Option("--k", min=2, help="k of k-anonymity, and the smallest area or "
                                   "frequency published.")] = 5,
    lang: Annotated[Language, typer.Option("--lang", help="Language of labels and codebook.")] = Language.nb,
    weighting: Annotated[Optional[Weighting], typer.Option("--weighting", help=WEIGHTING_HELP,
                                                           show_default=False)] = None,
    targets_file: Annotated[Optional[Path], targets_option()] = None,
    study: Annotated[Optional[Path], study_option()] = None,
    completes_only: Annotated[bool, completes_only_option()] = False,
    strategy: Annotated[Strategy, typer.Option(
        "--strategy", help="How k-anonymity is reached: auto tries the alternatives the study declares "
        "(coarser bands such as centrality 1–2 / 3–4 / 5–6, rounded weights) with local suppression and keeps "
        "the combination that loses least information (entropy, in bits); coarsen applies every alternative; "
        "suppress applies none (the study's recodes and local suppression only).")] = Strategy.auto,
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    from fjernarbeid._io import refuse_existing_outputs, refuse_overwrite_inputs
    from fjernarbeid.refdata import RefData
    from fjernarbeid.export.microdata import output_paths, prepare_microdata, write_microdata
    from fjernarbeid.cli._study import load_cli_study

    err = console(stderr=True)
    try:
        targets = output_paths(to)
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--to") from None
    inputs = [file] + ([mapping] if mapping else []) + ([targets_file] if targets_file else [])
    try:
        # before any work: never over an input, nor into a reference-data directory
        refuse_overwrite_inputs(targets.values(), *inputs, instrument,
                                reference=(refdata, RefData.locate(refdata).directory))
        chosen = load_cli_study(study, instrument)
        # the study's own files (study.yaml and every file it names) are inputs; its folder is not:
        # an export may go into a new folder inside the study
        inputs += [*chosen.files, *([instrument] if instrument else [])]
        refuse_overwrite_inputs(targets.values(), *inputs)
        refuse_existing_outputs(targets.values(), overwrite=overwrite)
        inst = chosen.instrument
        try:
            export = prepare_microdata(file, instrument=inst, mapping=mapping, refdata=refdata, k=k,
                                       keep=_split(keep or []), lang=lang.value,
                                       method=weighting.value if weighting else None, study=chosen, targets=targets_file,
                                       completes_only=completes_only, strategy=_value(strategy))
        except ValueError as exc:  # a --keep that names nothing protected
            err.print(Text("error: ", style="bold red") + Text(str(exc)))
            raise typer.Exit(EXIT_USAGE) from None
        paths = write_microdata(export, to, inputs=inputs, overwrite=overwrite)
    except DataValidationError as exc:
        from fjernarbeid.cli.validate import _print_text

        err.print(Text("error: ", style="bold red") + Text(str(exc)))
        if exc.report is not None:
            _print_text(exc.report, 0)
        raise typer.Exit(EXIT_INVALID_DATA) from None
    except FjernarbeidError as exc:
        err.print(Text("error: ", style="bold red") + Text(str(exc)))
        raise typer.Exit(exc.exit_code) from None

    from fjernarbeid.export.disclosure import Msg, _render, text_of, variable_name

    report, language = export.disclosure, lang.value
    say = lambda key, **kw: Msg(key, **kw).text(language)  # noqa: E731
    if export.synthetic:
        err.print(Text(say("cli_synthetic"), style="bold"))
    done = {}
    for a in report.actions:
        done.setdefault(a.action, []).append(_render(variable_name(a.variable), language))
    err.print("; ".join(say("cli_done", action=say(f"action_{action}"), names=", ".join(names))
                        for action, names in done.items()))
    if any(report.suppressed.values()):
        err.print(say("cli_local_suppression",
                      list=", ".join(f"{_render(variable_name(name), language)} {n}"
                                     for name, n in report.suppressed.items() if n)))
    choice = report.strategy
    if choice is not None:
        plain = choice.suppress_only or choice.chosen_candidate
        err.print(say("cli_strategy", strategy=choice.strategy, chosen=choice.describe(choice.chosen, language),
                      bits=round(choice.chosen_candidate.bits), suppress_bits=round(plain.bits)))
    for v in report.suppression_by_category.values():
        for warning in v["warnings"]:
            err.print(Text(warning.text(language), style="bold yellow"))
    for line in report.override_msgs():
        err.print(Text(line.text(language), style="bold yellow"))
    for note in report.notes + export.notes:
        err.print(Text(text_of(note, language), style="yellow"))
    err.print(Text(report.conclusion_text(language), style="green" if report.holds else "bold red"))
    err.print(say("cli_records", n=len(export.data), variables=export.data.shape[1]))
    for path in paths.values():
        typer.echo(str(path))
    if not report.holds and not report.kept_keys:
        # the files are written (they say so), but a script must not take them for anonymous data
        raise typer.Exit(EXIT_IMPOSSIBLE)


def register(app: typer.Typer) -> None:
    app.command("export", help=HELP)(export_command)

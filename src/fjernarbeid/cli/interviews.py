"""``fjernarbeid interviews …``: transcripts → pseudonymised, coded, quotable material (chapter 3.1).

import → pseudonymise → code → report / export; ``demo`` runs all of them on synthetic transcripts.
"""

from __future__ import annotations

import datetime as _dt
import re
from pathlib import Path
from typing import Annotated, List, Optional

import typer
from rich.table import Table
from rich.text import Text

from fjernarbeid.cli._console import console as make_console, print_error, styled
from fjernarbeid.cli._options import overwrite_option
from fjernarbeid.errors import FjernarbeidError, InputFileError

INPUTS = typer.Argument(..., help="Interview files (.json from 'interviews import'/'pseudonymise') or directories of them.",
                        show_default=False)
CODEBOOK = typer.Option("--codebook", help="Codebook (.yaml, or a REFI-QDA .qdc); default: the study's.")
CODINGS = typer.Option("--codings", help="Hand codings (CSV/YAML: interview, turn, code, coder); repeatable.")
SUGGESTIONS = typer.Option("--suggestions", help="Reviewed keyword suggestions; their accepted rows count as codings.")
CASES = typer.Option("--cases", help="Case attributes (CSV: interview, then one column per attribute).")
OVERWRITE = overwrite_option()


def _fail(exc: FjernarbeidError) -> typer.Exit:
    print_error(str(exc))
    return typer.Exit(exc.exit_code)


def _load(inputs, codebook_path, codings_files=(), suggestions=None, cases=None, pseudonymised=True):
    from fjernarbeid.interviews.codebook import load_codebook
    from fjernarbeid.interviews.coding import accepted, combine, read_cases, read_codings, read_suggestions
    from fjernarbeid.interviews.outputs import require_pseudonymised
    from fjernarbeid.interviews.transcript import read_interviews

    interviews = read_interviews(inputs)
    if pseudonymised:
        require_pseudonymised(interviews)
    codebook = load_codebook(codebook_path)
    if cases is not None:
        interviews = read_cases(cases, interviews)
    frames = [read_codings(f, interviews, codebook) for f in codings_files or ()]
    if suggestions is not None:
        frames.append(accepted(read_suggestions(suggestions, interviews, codebook)))
    return interviews, codebook, combine(*frames)


def import_command(
    files: Annotated[List[Path], typer.Argument(help="Transcripts (.vtt, .docx, .txt) or a REFI-QDA project (.qdpx).",
                                                show_default=False)],
    out: Annotated[Path, typer.Option("--out", help="Directory for the interview files (<id>.json).")],
    interviewer: Annotated[Optional[List[str]], typer.Option(
        "--interviewer", help="Name of an interviewer as the transcript spells it; repeatable. Others are informants.")] = None,
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", help="Take the interviewers' names from this mapping file (its 'interviewers' section).")] = None,
    date: Annotated[Optional[str], typer.Option("--date", help="Interview date (YYYY-MM-DD), if the file has none.")] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Read transcripts into interview files: speakers, roles, times and text, turn by turn.

    A .qdpx project is read with its codings (written to OUT/kodinger.csv) and codebook (OUT/kodebok.qdc).
    Every file is written, or none; one that exists is replaced only with --overwrite.
    """
    from fjernarbeid._io import refuse_existing_outputs, refuse_overwrite_inputs, staged_directory
    from fjernarbeid.interviews.coding import write_table
    from fjernarbeid.interviews.importers import read_transcript
    from fjernarbeid.interviews.pseudonymise import read_mapping
    from fjernarbeid.interviews.qdpx import import_project, write_qdc
    from fjernarbeid.interviews.transcript import refuse_shared_file_names

    console = make_console()
    try:
        names = list(interviewer or [])
        if mapping is not None:
            names += read_mapping(mapping).interviewers
        when = _dt.date.fromisoformat(date) if date else None
        # Everything is read and checked before anything is written: two transcripts of the same
        # name (from two folders) would otherwise give one interview file, the second replacing the first.
        transcripts, projects = [], []
        for f in files:
            if f.suffix.lower() == ".qdpx":
                projects.append((f, *import_project(f)))
            else:
                transcripts.append((f, read_transcript(f, interviewers=names, date=when)))
        if len(projects) > 1:
            raise InputFileError(f"{projects[1][0]}: import one REFI-QDA project at a time (each writes "
                                 f"{out / 'kodinger.csv'} and {out / 'kodebok.qdc'})")
        written = [(str(f), iv) for f, iv in transcripts] + [(str(p[0]), iv) for p in projects for iv in p[1]]
        refuse_shared_file_names(written, out)
        planned = [out / iv.file_name for _, iv in written] + [out / "kodinger.csv", out / "kodebok.qdc"] * bool(projects)
        refuse_overwrite_inputs(planned, *files, mapping)
        refuse_existing_outputs(planned, overwrite=overwrite)
        with staged_directory(out, overwrite=overwrite) as staging:  # every interview file, or none
            for _, iv in written:
                iv.write(staging)
            for _, _, codings, codebook in projects:
                write_table(codings, staging / "kodinger.csv")
                write_qdc(staging / "kodebok.qdc", codebook)
    except (FjernarbeidError, ValueError) as exc:
        raise _fail(exc if isinstance(exc, FjernarbeidError) else InputFileError(str(exc))) from None
    for f, interviews, codings, codebook in projects:
        console.print(f"{f}: {len(interviews)} interviews, {len(codings)} codings, {len(codebook)} codes → {out}")
    for f, iv in transcripts:
        roles = ", ".join(f"{s} ({next(t.role for t in iv.turns if t.speaker == s)})" for s in iv.speakers)
        console.print(f"{f} → {out / iv.file_name}: {len(iv.turns)} turns; {roles}")
        if not any(t.role == "interviewer" for t in iv.turns):
            console.print(styled(("warning:", "yellow"), " no interviewer among the speakers; give --interviewer"))


def pseudonymise_command(
    inputs: Annotated[List[Path], INPUTS],
    mapping: Annotated[Path, typer.Option("--mapping", help="Mapping file (YAML or CSV): real name → pseudonym.")],
    out: Annotated[Path, typer.Option("--out", help="Directory for the pseudonymised interview files.")],
    report: Annotated[Optional[Path], typer.Option(
        "--report", help="Replacement report (CSV, holds the real names); default: next to the mapping file.")] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Replace names (mapping file, any case, inside compounds), phone numbers, fødselsnummer/D-numbers,
    account numbers, e-mail addresses (also spoken), street addresses and postal codes; list possible
    names the mapping misses for review. Run this before anything else. A file that exists is replaced
    only with --overwrite."""
    from fjernarbeid._io import atomic_path, refuse_existing_outputs, refuse_overwrite_inputs, staged_directory
    from fjernarbeid.interviews.pseudonymise import (number_repeated_ids, pseudonymise, read_mapping,
                                                     write_report)
    from fjernarbeid.interviews.transcript import read_interviews

    console = make_console()
    try:
        the_mapping = read_mapping(mapping)
        interviews = read_interviews(inputs)
        results = number_repeated_ids(pseudonymise(iv, the_mapping) for iv in interviews)
        report = report or mapping.with_name(f"{mapping.stem}-erstatninger.csv")
        if report.resolve().is_relative_to(out.resolve()):
            raise InputFileError(f"{report}: the replacement report holds the real names; keep it apart from "
                                 f"the pseudonymised transcripts in {out}")
        # The originals (and the mapping, the only key to the pseudonyms) are inputs: never written over,
        # and a folder of originals is not the folder of their pseudonymised copies.
        refuse_overwrite_inputs([out / r.interview.file_name for r in results], *inputs, mapping)
        refuse_overwrite_inputs([report], *(p for p in inputs if not p.is_dir()), mapping)
        refuse_existing_outputs([*(out / r.interview.file_name for r in results), report], overwrite=overwrite)
        with atomic_path(report, overwrite=overwrite) as report_tmp, \
                staged_directory(out, overwrite=overwrite) as staging:  # all files or none
            for r in results:
                r.interview.write(staging)
            write_report(results, report_tmp)
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    for r in results:
        console.print(f"{r.original_source} → {out / r.interview.file_name}: {r.replaced} replaced, "
                      f"{r.to_review} to review")
    review = [(r, f) for r in results for f in r.findings if f.action == "review"]
    if review:
        console.print(styled((f"{len(review)} item(s) to review", "yellow"), f" (details in {report}):"))
        for r, f in review[:30]:
            console.print(f"  {r.interview.id} turn {f.turn if f.turn is not None else '-'} ({f.field}): {f.note}")
    console.print(f"replacement report: {report} (keep it with the mapping, apart from the transcripts)")


def code_command(
    inputs: Annotated[List[Path], INPUTS],
    suggestions: Annotated[Optional[Path], typer.Option(
        "--suggestions", help="Suggestions file to write or update (decisions already taken are kept).")] = None,
    add: Annotated[Optional[List[str]], typer.Option(
        "--add", help="Code a turn by hand: INTERVIEW:TURN:CODE; repeatable (needs --codings and --coder).")] = None,
    codings: Annotated[Optional[Path], typer.Option("--codings", help="Hand codings file to append --add rows to.")] = None,
    coder: Annotated[Optional[str], typer.Option("--coder", help="Who codes (for --add).")] = None,
    codebook: Annotated[Optional[Path], CODEBOOK] = None,
) -> None:
    """Suggest codes from the codebook's keywords (for a person to accept or reject), or code turns by hand."""
    import pandas as pd

    from fjernarbeid.interviews.coding import (SUGGESTION_COLUMNS, merge_suggestions, read_codings, read_suggestions,
                                               suggest_codes, write_table)

    console = make_console()
    try:
        if not suggestions and not add:
            raise typer.BadParameter("give --suggestions FILE, or --add INTERVIEW:TURN:CODE with --codings and --coder")
        interviews, book, _ = _load(inputs, codebook)
        if add:
            if codings is None or not coder:
                raise typer.BadParameter("--add needs --codings FILE and --coder NAME")
            rows = []
            for item in add:
                parts = item.rsplit(":", 2)
                if len(parts) != 3:
                    raise typer.BadParameter(f"--add {item!r}: expected INTERVIEW:TURN:CODE")
                rows.append({"interview": parts[0], "turn": parts[1], "code": parts[2], "coder": coder})
            existing = read_codings(codings, interviews, book) if codings.exists() else None
            new = _check_added(rows, add, interviews, book)  # before touching the codings file
            merged = pd.concat([existing, new], ignore_index=True) if existing is not None else new
            write_table(merged.drop_duplicates(), codings)
            console.print(f"{codings}: {len(new)} coding(s) added, {len(merged.drop_duplicates())} in all")
        if suggestions:
            previous = read_suggestions(suggestions, interviews, book) if suggestions.exists() else None
            merged = merge_suggestions(previous, suggest_codes(interviews, book))[SUGGESTION_COLUMNS]
            write_table(merged, suggestions)
            counts = merged["status"].value_counts()
            console.print(f"{suggestions}: " + ", ".join(f"{counts.get(s, 0)} {s}" for s in ("suggested", "accepted",
                                                                                            "rejected"))
                          + " (set status to accepted or rejected, then run report/export with --suggestions)")
    except FjernarbeidError as exc:
        raise _fail(exc) from None


def _check_added(rows: list[dict], items: list[str], interviews, book):
    """The ``--add`` rows checked with the rules of a codings file; a problem names the --add value
    it is about (the check reads them from a scratch file, whose name means nothing to the user)."""
    import tempfile

    import pandas as pd

    from fjernarbeid.errors import DataValidationError
    from fjernarbeid.interviews.coding import read_codings, write_table

    with tempfile.TemporaryDirectory() as folder:
        scratch = Path(folder) / "add.csv"
        write_table(pd.DataFrame(rows), scratch)
        try:
            return read_codings(scratch, interviews, book)
        except DataValidationError as exc:
            # the scratch file's line 2 is the first --add
            where = re.compile(rf"^{re.escape(str(scratch))}, row (\d+), ")
            problems = [where.sub(lambda m: f"--add {items[int(m.group(1)) - 2]!r}: ", p) for p in exc.report]
            raise DataValidationError(f"{len(problems)} problem(s) in --add:\n  " + "\n  ".join(problems),
                                      report=problems) from None


def report_command(
    inputs: Annotated[List[Path], INPUTS],
    out: Annotated[Path, typer.Option("--out", help="Directory for the tables (CSV) and temarapport.html.")],
    codings: Annotated[Optional[List[Path]], CODINGS] = None,
    suggestions: Annotated[Optional[Path], SUGGESTIONS] = None,
    cases: Annotated[Optional[Path], CASES] = None,
    codebook: Annotated[Optional[Path], CODEBOOK] = None,
    typology: Annotated[Optional[List[str]], typer.Option(
        "--typology", help="Two case attributes to cross (give twice), e.g. --typology flytting --typology arbeidssted.")] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Quotes per code, code × informant matrix, counts by case attribute, co-occurrence and the HTML theme report.

    Every file is written, or none; one that exists in --out is replaced only with --overwrite."""
    from fjernarbeid._io import refuse_overwrite_inputs, staged_directory
    from fjernarbeid.interviews.outputs import code_matrix, write_outputs

    try:
        if typology and len(typology) != 2:
            raise typer.BadParameter("--typology takes exactly two attributes (give the option twice)")
        interviews, book, coded = _load(inputs, codebook, codings, suggestions, cases)
        if coded.empty:
            raise InputFileError("no codings: give --codings and/or --suggestions with accepted rows")
        refuse_overwrite_inputs([out], *(p for p in inputs if not p.is_dir()), *(codings or []), suggestions, cases,
                                codebook)
        with staged_directory(out, overwrite=overwrite) as staging:  # every table and the theme report, or none
            paths = {kind: out / p.name for kind, p in write_outputs(
                staging, interviews, coded, book, typology=tuple(typology) if typology else None).items()}
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    _print_matrix(code_matrix(interviews, coded, book), book, book.language)
    typer.echo(f"wrote {len(paths)} files to {out}/: " + ", ".join(p.name for p in paths.values()))


def export_command(
    inputs: Annotated[List[Path], INPUTS],
    qdpx: Annotated[Path, typer.Option("--qdpx", help="REFI-QDA project to write (.qdpx).")],
    codings: Annotated[Optional[List[Path]], CODINGS] = None,
    suggestions: Annotated[Optional[Path], SUGGESTIONS] = None,
    cases: Annotated[Optional[Path], CASES] = None,
    codebook: Annotated[Optional[Path], CODEBOOK] = None,
    qdc: Annotated[Optional[Path], typer.Option("--qdc", help="Also write the codebook as REFI-QDA .qdc.")] = None,
    name: Annotated[str, typer.Option("--name", help="Project name.")] = "Fjernarbeid – intervjuer",
    xsd: Annotated[Optional[Path], typer.Option(
        "--xsd", help="Also validate against this copy of the official REFI-QDA Project.xsd.")] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Export a REFI-QDA project (.qdpx) for NVivo, ATLAS.ti, MAXQDA or QualCoder, checked before it is written.

    An existing --qdpx or --qdc is replaced only with --overwrite."""
    from fjernarbeid._io import refuse_existing_outputs, refuse_overwrite_inputs
    from fjernarbeid.errors import DataValidationError
    from fjernarbeid.interviews.qdpx import validate_qdpx, write_qdc, write_qdpx

    for option, path, suffix in (("--qdpx", qdpx, ".qdpx"), ("--qdc", qdc, ".qdc")):
        if path is not None and path.suffix.lower() != suffix:
            raise typer.BadParameter(f"{path}: the file must end in {suffix} (what QDA programs open)",
                                     param_hint=option)
    try:
        interviews, book, coded = _load(inputs, codebook, codings, suggestions, cases)
        refuse_overwrite_inputs([qdpx, qdc] if qdc else [qdpx], *(p for p in inputs if not p.is_dir()),
                                *(codings or []), suggestions, cases, codebook, xsd)
        refuse_existing_outputs([qdpx, qdc] if qdc else [qdpx], overwrite=overwrite)
        path = write_qdpx(qdpx, interviews, book, coded, name=name, overwrite=overwrite)
        if xsd is not None:
            problems = validate_qdpx(path, xsd)
            if problems:
                raise DataValidationError(f"{path} does not validate against {xsd}:\n  " + "\n  ".join(problems[:20]))
        if qdc is not None:
            write_qdc(qdc, book, overwrite=overwrite)
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {path}: {len(interviews)} sources, {len(book)} codes, {len(coded)} codings"
               + (f"; valid against {xsd}" if xsd else "") + (f"; codebook {qdc}" if qdc else ""))


def agreement_command(
    inputs: Annotated[List[Path], INPUTS],
    coder: Annotated[List[str], typer.Option("--coder", help="The two coders to compare (give twice).")],
    codings: Annotated[Optional[List[Path]], CODINGS] = None,
    codebook: Annotated[Optional[Path], CODEBOOK] = None,
    out: Annotated[Optional[Path], typer.Option("--out", help="Write the table as CSV.")] = None,
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Agreement between two coders per code (presence over turns): Cohen's kappa and Krippendorff's alpha.

    An existing --out is replaced only with --overwrite."""
    from fjernarbeid._io import refuse_existing_outputs, refuse_overwrite_input
    from fjernarbeid.interviews.agreement import agreement_by_code
    from fjernarbeid.interviews.coding import write_table

    try:
        if len(coder) != 2:
            raise typer.BadParameter("give --coder exactly twice")
        interviews, book, coded = _load(inputs, codebook, codings)
        if out is not None:  # not over a coder's codings
            refuse_overwrite_input(out, *(p for p in inputs if not p.is_dir()), *(codings or []), codebook)
            refuse_existing_outputs([out], overwrite=overwrite)
        table = agreement_by_code(interviews, coded, book, coder[0], coder[1])
        if out is not None:
            write_table(table.reset_index(), out, overwrite=overwrite)
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    used = table[(table["both"] + table["only_a"] + table["only_b"]) > 0]
    view = Table("code", "units", "both", "only A", "only B", "% agree", "kappa", "alpha",
                 title=f"Agreement: A = {coder[0]}, B = {coder[1]}")
    for code, r in used.iterrows():
        view.add_row(code, *(str(int(r[c])) for c in ("units", "both", "only_a", "only_b")),
                     f"{r['percent_agreement']:.1f}", _fmt(r["kappa"]), _fmt(r["alpha"]))
    make_console(soft_wrap=False).print(view)


def _fmt(x: float) -> str:
    return "–" if x != x else f"{x:.3f}"


def demo_command(
    out: Annotated[Path, typer.Option("--out", help="Directory for the demo (created if needed).")] = Path(
        "interview-demo"),
    overwrite: Annotated[bool, OVERWRITE] = False,
) -> None:
    """Run the whole chain on SYNTHETIC Teams transcripts of seven invented informants and print the
    code × informant matrix. Keyword suggestions are accepted without review (demo only). Every file is
    written, or none; one that exists in --out is replaced only with --overwrite."""
    from fjernarbeid._io import staged_directory
    from fjernarbeid.interviews.demo import run_demo

    try:
        with staged_directory(out, overwrite=overwrite) as staging:
            result = run_demo(staging)
        result.files = {kind: out / path.relative_to(staging) for kind, path in result.files.items()}
        result.out = out
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    console = make_console()
    console.print(styled(("SYNTHETIC interview demo", "bold"), ": invented informants; codes are keyword "
                         "suggestions accepted without review."))
    console.print(f"pseudonymisation: {result.replaced} replacements, {result.to_review} items to review "
                  f"(report in {out}/0_fortrolig/); {result.suggestions} codings")
    _print_matrix(result.matrix, result.codebook, result.codebook.language)
    from fjernarbeid.i18n import message

    typo = Table(title=message("interviews", "typology_title", result.codebook.language),
                 *["", *map(str, result.typology.columns)])
    for label, row in result.typology.iterrows():
        typo.add_row(str(label), *(str(v) for v in row))
    console.print(typo)
    console.print(styled(f"REFI-QDA project: {result.files['qdpx']} ",
                         ("(checked: valid)", "") if not result.problems else (f"{len(result.problems)} problems", "red")))
    console.print(f"theme report: {result.files['report']}")


def _print_matrix(matrix, codebook, lang: str = "nb") -> None:
    """Codes by their names; the cells count coded utterances, the last column informants — both said."""
    from fjernarbeid.i18n import message

    table = Table(title=message("interviews", "matrix_title", lang))
    table.add_column(message("interviews", "matrix_code", lang), no_wrap=True)
    for col in matrix.columns[:-1]:
        table.add_column(str(col).replace("Informant ", "Inf "), justify="right")
    table.add_column(str(matrix.columns[-1]), justify="right")  # informants with the code
    for code, row in matrix.iterrows():
        if row.iloc[-1] > 0:
            table.add_row(codebook[code].name, *(str(v) if v else "·" for v in row))
    make_console(soft_wrap=False, width=max(make_console().width, 130)).print(table)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Interviews: import Teams transcripts, pseudonymise, code, report, export (REFI-QDA).",
                        no_args_is_help=True)
    group.command("import")(import_command)
    group.command("pseudonymise")(pseudonymise_command)
    group.command("code")(code_command)
    group.command("report")(report_command)
    group.command("export")(export_command)
    group.command("agreement")(agreement_command)
    group.command("demo")(demo_command)
    app.add_typer(group, name="interviews")

"""Reading a data file for the analysis commands (``weight``, ``tab``) and naming its rows in
messages as the file counts them (line, spreadsheet row or record), with the respondent id."""

from __future__ import annotations

import difflib
from pathlib import Path
from typing import Any

from rich.text import Text

from fjernarbeid.cli._console import console, print_error
from fjernarbeid.cli._lazy import lazy_module
from fjernarbeid.errors import EXIT_USAGE, DataValidationError, FjernarbeidError

np = lazy_module("numpy")  # imported on first use: --help needs neither (cli/_lazy.py)
pd = lazy_module("pandas")


class UsageError(FjernarbeidError):
    """Wrong use of the command line (e.g. a column that is not in the file)."""

    exit_code = EXIT_USAGE


def fail(exc: FjernarbeidError):
    """Print the error and return the typer exit carrying its code."""
    import typer

    print_error(str(exc))
    return typer.Exit(exc.exit_code)


def read_data(path: Path, instrument, mapping=None, sheet=None, completes_only: bool = False, lang: str = "en"):
    """The file as :class:`~fjernarbeid.data.SurveyData` (any CSV, Excel, SPSS, Stata, Parquet);
    with ``completes_only`` without the screened-out submissions, whose number is printed. Warnings are
    in ``lang`` (the catalogue's ``tab`` texts)."""
    from fjernarbeid.data import read_survey
    from fjernarbeid.errors import InputFileError

    from fjernarbeid.data.read import drop_screened_out

    # every row first: whether the file is the study's is judged on all of it, before its screening drops any
    data = read_survey(path, instrument, mapping, sheet=sheet)
    if instrument is not None and mapping is None and not looks_like_the_study(data, instrument):
        misfit = not_its_answers(data, instrument)
        if misfit is not None:
            # another survey's file whose columns happen to share names with the questionnaire's questions:
            # read again with none of its columns taken as a question, so that no value of it becomes
            # missing as "not a number" or "not sure", and no label of the study's is put on it
            own = tuple(q.name for q in instrument.questions if q.name in data.frame.columns)
            instrument = without_questions(instrument, own)
            data = read_survey(path, instrument, None, sheet=sheet)
            name, value = misfit
            console(stderr=True).print(warning_line(_say(
                "not_the_questions", lang, file=str(path), column=name, value=value,
                columns=", ".join(own)), lang), highlight=False)
    if completes_only:
        data = drop_screened_out(data)
        say_dropped(data)
    if len(data) == 0:  # said as it is, not as "only one primary sampling unit" later
        raise InputFileError(f"{path}: no data rows (the file has a header but no respondents)")
    say_unparsed(data, lang=lang)
    return data


def _say(key: str, lang: str, **kw) -> str:
    from fjernarbeid.i18n import message

    return message("tab", key, lang, **kw)


def warning_line(text: str, lang: str) -> Text:
    """'advarsel: …' / 'warning: …' on standard error."""
    return Text.assemble((_say("warning", lang) + " ", "bold yellow"), text)


def say_unparsed(data, shown: int = 3, lang: str = "en") -> None:
    """Warn, naming line and value, about cells of a numeric question that are not whole numbers
    (``inf``, ``1e309``, ``３``, ``2.5``): they are missing in every estimate, and would otherwise be
    counted as "empty answers" without a word (`validate` lists them as errors)."""
    out = console(stderr=True)
    inst = data.instrument
    for name, cells in data.unparsed.items():
        if cells is None or cells.empty:
            continue
        if inst is not None and (name not in inst or inst[name].type not in ("single", "integer", "decimal")):
            continue  # a date, time or location not in its format: `validate` names it, it is never a number
        places = []
        for position, value in list(cells.items())[:shown]:
            text = str(value)
            text = text[:40] + "…" if len(text) > 40 else text
            places.append(f"{_row_kind(data.row_kind, lang)} {int(data.row_numbers[int(position)])}: {text!r}")
        more = _say("and_more", lang, n=fmt_number(len(cells) - shown, lang)) if len(cells) > shown else ""
        q = inst[name] if inst is not None and name in inst else None
        words = all(pd.to_numeric(pd.Series([str(v).replace(",", ".")]), errors="coerce").isna().iloc[0]
                    for v in cells)
        if q is not None and q.type == "single" and any(c.name for c in q.codes) and words:
            # an export of choice names: a word is a name the list does not have
            choices = ", ".join(c.name or str(c.code) for c in q.codes)
            out.print(warning_line(_say("unparsed_choice", lang, column=name, n=fmt_number(len(cells), lang),
                                        choices=choices, places="; ".join(places) + more), lang))
            continue
        out.print(warning_line(_say("unparsed", lang, column=name, n=fmt_number(len(cells), lang),
                                    places="; ".join(places) + more), lang))


class shown_warnings:
    """A context in which the estimators' warnings (e.g. a variance that is NaN, as R gives it, under
    --lonely-psu average) are printed once each as "warning: …" on stderr, not as Python's
    file-and-line warnings."""

    def __enter__(self):
        import warnings

        self._catcher = warnings.catch_warnings(record=True)
        self._caught = self._catcher.__enter__()
        warnings.simplefilter("always")
        return self

    def __exit__(self, *exc):
        self._catcher.__exit__(*exc)
        out = console(stderr=True)
        for message in dict.fromkeys(str(w.message) for w in self._caught):
            out.print(Text.assemble(("warning: ", "yellow"), message))
        return False


def say_dropped(data) -> None:
    """Print the ``--completes-only`` note (how many screened-out submissions were dropped) to stderr."""
    for note in data.notes:
        if note.rule == "screened_out_dropped":
            console(stderr=True).print(note.message)


def problem_place(problem, row_kind: str) -> str:
    """'line 4 (id 17), column tilfreds' — only the parts a problem has (a file-level one may have none)."""
    parts = []
    if problem.row is not None and not pd.isna(problem.row):
        parts.append(f"{row_kind} {int(problem.row)}"
                     + (f" (id {problem.id})" if problem.id is not None and not pd.isna(problem.id) else ""))
    if problem.column is not None and not pd.isna(problem.column):
        parts.append(f"column {problem.column}")
    return ", ".join(parts)


def looks_like_the_study(data, instrument) -> bool:
    """True when the file has at least half of the questionnaire's questions as columns: then it is
    (a version of) the study's survey, and the study's rules apply to it."""
    names = instrument.names
    return 2 * sum(name in data.frame.columns for name in names) >= len(names)


def refuse_the_studys_weighting(data, instrument, option: str) -> None:
    """Stop when :func:`read_data` read the file as another survey's (none of its columns the study's questions):
    the study's weighting (its targets for sex, age group, …) needs the study's survey."""
    if instrument is not None and data.instrument is not None and len(data.instrument.questions) < len(instrument.questions):
        raise UsageError(f"{data.path}: {option} weights the study's survey, but this file is read as another survey's "
                         "(see the warning above); weight it to population totals of its own columns with --targets")


def not_its_answers(data, instrument, tolerated: float = 0.01) -> tuple[str, str] | None:
    """A column of ``data`` named like a question of ``instrument`` whose values the question cannot have —
    text in a question of numbers, or a number outside a coded question's codes — in more than ``tolerated``
    of its answered cells, as (column, first such value); None when every such column fits its question (an
    extract of the study's data, say, even with a stray typing error, which its own checks name)."""
    frame = data.frame
    for q in instrument.questions:
        if q.name not in frame.columns:
            continue
        answered = int(frame[q.name].notna().sum())
        cells = data.unparsed.get(q.name)
        text = 0 if cells is None else len(cells)
        if text and text > tolerated * (answered + text):
            return q.name, str(cells.iloc[0])
        if q.type != "single" or not q.codes or not answered:
            continue
        values = pd.to_numeric(frame[q.name], errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        known = np.array(sorted({c.code for c in q.codes} | set(q.screen_out)), dtype=float)
        outside = ~np.isnan(values) & ~np.isin(values, known)
        if int(outside.sum()) > tolerated * answered:
            return q.name, f"{values[int(np.argmax(outside))]:g}"
    return None


def without_questions(instrument, names):
    """``instrument`` without the questions and derived variables ``names`` and the derived variables made from
    them (and from those), and without their roles; ``instrument`` itself when it has none of them."""
    from dataclasses import replace

    dropped = {q.name for q in instrument.questions if q.name in names}
    kept = []
    for d in instrument.derived:  # in definition order: age before age group
        needs = d.expr.variables if d.expr is not None else {d.source}
        if d.name in names or needs & dropped:
            dropped.add(d.name)
        else:
            kept.append(d)
    if not dropped:
        return instrument
    roles = {role: name for role, name in instrument.roles.items() if name not in dropped}
    return replace(instrument, questions=tuple(q for q in instrument.questions if q.name not in dropped),
                   derived=tuple(kept), roles=roles)


def questionnaire_for(data, instrument):
    """The questionnaire as it applies to ``data``: all of it for the study's survey
    (:func:`looks_like_the_study`); for any other file, without the derived variables named like one of the
    file's own columns, and those derived from them: the file's ``age`` is its own column, not the study's
    age from the birth year, and gets neither the study's label nor its codes, nor is it replaced (or binned
    into the study's age groups). A column named like one of the questionnaire's questions is still taken as
    that question (an extract of the study's data), unless :func:`read_data` found one such column whose values
    the question cannot have: then the file is another survey's, and it read none of them as questions."""
    if instrument is None or looks_like_the_study(data, instrument):
        return instrument
    own = set(map(str, data.frame.columns))
    return without_questions(instrument, {d.name for d in instrument.derived if d.name in own})


def _row_kind(kind: str, lang: str) -> str:
    """'line', 'row', 'record' as the file counts its rows, in ``lang``."""
    from fjernarbeid.i18n import has_message

    return _say(f"row_kind_{kind}", lang) if has_message("tab", f"row_kind_{kind}") else kind


def fmt_number(x, lang: str) -> str:
    from fjernarbeid.i18n import fmt_number as fmt

    return fmt(x, lang, 0)


def warn_if_invalid(data, instrument, refdata_dir: Path | None, command: str, lang: str = "en",
                    options: dict[str, Any] | None = None) -> None:
    """A one-line warning when a file that looks like the study's survey breaks its rules.

    ``weight`` and ``tab`` work on the data as they are (``tab`` is for any data), but the numbers
    of a file that ``report`` and ``export`` would refuse should not pass without a word. The
    ``validate`` command it suggests carries ``options`` (``{"--study": DIR, "--completes-only": True}``),
    the ones that chose the questionnaire and the rows: without them it would check another study.
    """
    if not looks_like_the_study(data, instrument):
        return
    from fjernarbeid.data.validate import validate
    from fjernarbeid.refdata import RefData

    checked = validate(data, instrument, RefData.locate(refdata_dir))
    if checked.n_errors:
        console(stderr=True).print(warning_line(_say("invalid", lang, file=str(data.path),
                                                     n=fmt_number(checked.n_errors, lang), command=command,
                                                     validate=validate_command(data.path, options)), lang),
                                   highlight=False)


def validate_command(path, options: dict[str, Any] | None = None) -> str:
    """``fjernarbeid validate FILE`` with the options given (a flag for True, nothing for None/False), quoted
    for a shell."""
    import shlex

    parts = ["fjernarbeid", "validate", str(path)]
    for flag, value in (options or {}).items():
        if value is True:
            parts.append(flag)
        elif value not in (None, False):
            parts += [flag, str(value)]
    return shlex.join(parts)


def where(data, mask: np.ndarray, limit: int = 5) -> str:
    """'line 4 (id 17), line 9 (id 22) … (12 in all)' for the rows in ``mask``."""
    return data.lines(mask, limit)


def require_columns(data, columns: dict[str, str | None]) -> None:
    """Every named column must be in the file; otherwise a usage error listing close matches."""
    names = []
    for role, name in columns.items():  # --cluster psu,ssu and --fpc N1,N2: a column per stage
        if name is not None and role in ("--cluster", "--fpc") and name not in data.frame.columns:
            names += [(role, part.strip()) for part in name.split(",") if part.strip()]
        else:
            names.append((role, name))
    for role, name in names:
        if name is None or name in data.frame.columns:
            continue
        raise UsageError(f"{data.path}: {role} column {name!r} is not in the file{column_hint(data, name)}")


def column_hint(data, name: str) -> str:
    """"; did you mean 'api00'?" for a column name that is not in the file, or the file's columns."""
    close = difflib.get_close_matches(name, [str(c) for c in data.frame.columns], n=3)
    if close:
        return f"; did you mean {', '.join(map(repr, close))}?"
    return f" (columns: {', '.join(map(str, data.frame.columns[:30]))}{' …' if data.frame.shape[1] > 30 else ''})"


def stage_columns(text: str | None) -> list[str]:
    """``--cluster psu,ssu`` (or ``--fpc N1,N2``) as one column per sampling stage."""
    return [part.strip() for part in text.split(",") if part.strip()] if text else []


def numeric_column(data, name: str, role: str) -> np.ndarray:
    """A column as numbers; text that is not a number is an error naming where it is."""
    series = data.frame[name]
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    text = series.astype("string").str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = (values.isna() & text.notna() & (text != "")).to_numpy(dtype=bool)
    if bad.any():
        example = text[bad].iloc[0]
        raise DataValidationError(f"{data.path}: {role} column {name!r} must be numeric but has text "
                                  f"(e.g. {example!r}) at {where(data, bad)}")
    return values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


# No population is larger than this (the world has 8e9 people): a weight above it is an error in
# the file, and its sums and squares would overflow to "inf" in the estimates.
MAX_WEIGHT = 1e12


def check_weights(data, name: str) -> np.ndarray:
    """Weights must be positive numbers on every row, and not absurdly large."""
    w = numeric_column(data, name, "weight")
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        raise DataValidationError(f"{data.path}: weight column {name!r} is missing, zero or negative at "
                                  f"{where(data, bad)}; every row needs a positive weight")
    huge = w > MAX_WEIGHT
    if huge.any():
        raise DataValidationError(f"{data.path}: weight column {name!r} has {w[huge][0]:.3g} at {where(data, huge)}; "
                                  f"a weight above {MAX_WEIGHT:.0e} (more people than live on Earth) is an error "
                                  "in the file")
    return w


def check_weighting_variables(data, frame, inst, targets) -> None:
    """Sex and age group must be known and have a target on every row; name the lines that fail."""
    sex = inst.question_for_role("sex").name
    birth = inst.question_for_role("birth_year").name
    for column, source, allowed in ((sex, sex, set(targets["sex"])), ("age_group", birth, set(targets["age_group"]))):
        if column not in frame.columns:
            raise DataValidationError(f"{data.path}: weighting needs {column!r}, which the file does not have")
        values = frame[column]
        missing = values.isna().to_numpy()
        outside = (~missing) & ~values.isin(allowed).to_numpy()
        if missing.any():
            what = "missing" if column == source else f"unknown (missing or out-of-range {source})"
            raise DataValidationError(f"{data.path}: {column} is {what} at {where(data, missing)}; "
                                      "such respondents cannot be weighted")
        if outside.any():
            raise DataValidationError(f"{data.path}: {column} has values without a population target "
                                      f"({sorted(set(values[outside]))}) at {where(data, outside)}")


def derive_available(frame: pd.DataFrame, instrument, refdata_dir: Path | None = None) -> pd.DataFrame:
    """Add the instrument's derived variables whose inputs the file has (age and age group from the
    birth year, indicators, and — with a reference-data directory — municipality, county and
    centrality from the postal code). Variables whose inputs are absent are left out."""
    from dataclasses import replace

    from fjernarbeid.data.derive import derive
    from fjernarbeid.refdata import RefData

    have = set(frame.columns)
    chosen = []
    for d in instrument.derived:  # in definition order, so age is there before age group
        needs = d.expr.variables if d.expr is not None else {d.source}
        if d.needs_refdata and refdata_dir is None:
            continue
        if needs <= have:
            chosen.append(d)
            have.add(d.name)
    return derive(frame, replace(instrument, derived=tuple(chosen)), RefData(refdata_dir) if refdata_dir else None)


def json_ready(value):
    """Plain JSON: numpy scalars as numbers, NaN and ±inf (undefined statistics) as null."""
    if isinstance(value, dict):
        return {str(k): json_ready(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [json_ready(v) for v in value]
    if isinstance(value, np.generic):
        value = value.item()
    if isinstance(value, float) and not np.isfinite(value):
        return None
    return value


# R's read.csv reads the text NA as missing (na.strings = "NA"), and an empty cell of a numeric
# column as missing too; other programs write "." (SAS, Stata) or "NaN". The analysis commands read
# blank cells and these tokens as missing in every column of an ordinary file (--na-values).
DEFAULT_NA_VALUES = ("NA",)


def parse_na_values(text: str | None) -> tuple[str, ...]:
    """``--na-values "NA,.,-99"`` as a tuple of tokens (blank cells are always missing)."""
    if text is None:
        return DEFAULT_NA_VALUES
    return tuple(token.strip() for token in text.split(",") if token.strip())


def missing_as_na(data, columns, na_values=DEFAULT_NA_VALUES):
    """``data`` with blank cells and the ``na_values`` tokens read as missing in ``columns``.

    Only text columns change (a questionnaire's coded questions are typed when read and keep the
    study's own missing-value rules). Missing values are then left out of every estimate (R's
    ``na.rm=TRUE``) and counted as empty answers.
    """
    from dataclasses import replace

    frame = data.frame
    changed = {}
    tokens = set(na_values)
    for name in dict.fromkeys(c for c in columns if c is not None and c in frame.columns):
        series = frame[name]
        if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)):
            continue
        text = series.astype("string").str.strip()
        missing = text.isna() | (text == "") | text.isin(tokens)
        if missing.any():
            changed[name] = series.mask(missing.to_numpy(dtype=bool))
    if not changed:
        return data
    return replace(data, frame=frame.assign(**changed))

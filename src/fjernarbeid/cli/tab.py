"""``fjernarbeid tab FILE VAR``: design-based shares, means or totals, by group or as a two-way table."""

from __future__ import annotations

import enum
from dataclasses import dataclass
import json
import math
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from fjernarbeid.cli._console import echo_text
from fjernarbeid.cli._lazy import lazy_module
from fjernarbeid.cli._calibration import CalibrationMethod
from fjernarbeid.cli._options import MIN_CELL, Language, completes_only_option, paragraphs, refdata_option
from fjernarbeid.cli._replicate import (
    ReplicatesFrom,
    RepType,
    fay_rho_option,
    hadamard_option,
    mse_option,
    rep_rscales_option,
    rep_scale_option,
    rep_type_option,
    replicate_options,
    replicates_n_option,
    replicates_option,
    repweights_option,
    seed_option,
)
from fjernarbeid.cli._study import TARGETS_HELP, load_cli_study, study_option, weighting_spec
from fjernarbeid.cli._survey_input import (
    UsageError,
    shown_warnings,
    stage_columns,
    check_weights,
    derive_available,
    fail,
    json_ready,
    missing_as_na,
    numeric_column,
    parse_na_values,
    questionnaire_for,
    refuse_the_studys_weighting,
    read_data,
    require_columns,
    warn_if_invalid,
    where,
)
from fjernarbeid.errors import DataValidationError, FjernarbeidError

np = lazy_module("numpy")  # imported on first use: --help needs neither (cli/_lazy.py)
pd = lazy_module("pandas")


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


class CiMethod(str, enum.Enum):
    logit = "logit"
    beta = "beta"
    wilson = "wilson"
    likelihood = "likelihood"
    asin = "asin"
    mean = "mean"
    xlogit = "xlogit"


class QuantileInterval(str, enum.Enum):
    mean = "mean"
    beta = "beta"
    xlogit = "xlogit"
    asin = "asin"
    score = "score"


class LonelyPsu(str, enum.Enum):
    fail = "fail"
    remove = "remove"
    adjust = "adjust"
    average = "average"
    certainty = "certainty"


HELP = """Estimate from survey data with design-based standard errors and confidence intervals.

A categorical VAR gives the share of every category (with --ci logit, beta or wilson intervals);
with --mean or --total a numeric VAR gives its mean or total (t intervals), with --median or
--quantile 0.25,0.75 its quantiles (Woodruff intervals; --quantile-ci score for Francisco-Fuller's),
with --ratio DEN the ratio of the totals of VAR and DEN. --by GROUP repeats
the estimate in every group (--by a --by b: in every combination of a and b, as R's
svyby(~x, ~a+b)); --crosstab COL gives the distribution of VAR within each category
of COL and the Rao-Scott test of independence. Intervals use the design degrees of freedom.

Several VARs give one table each (JSON: a list). A table of shares ends with its total ("I alt"); a
--crosstab also has a total column and a base row (n). An answer scale of the questionnaire gets its top-2
and bottom-2 nets; --net "Enig=1,2" adds one's own (R's svyciprop of the net). Cells with fewer unweighted
respondents than --min-n are hidden (':'), with as many others as needed that none can be worked out from
a total or a base. --lang nb|nn|en sets the language of every word printed, with the questionnaire's
labels; a table wider than the terminal continues in parts instead of cutting numbers.

Weights: --weight COL, or --probs COL (sampling probabilities: weight 1/p, as R's probs=), else a
column named `weight` if the file has one (as written by `fjernarbeid weight`), else with --fpc
weights implied by the design (PSUs in the population over PSUs sampled in the stratum, and at every
stage of a multistage design: as R's svydesign), else equal weights. The design: --strata, --cluster
(primary sampling units; --cluster psu,ssu for two stages), --fpc (population size or sampling
fraction per stratum; --fpc N1,N2 for every stage), --lonely-psu for strata with a single PSU. Works on any CSV, Excel, SPSS, Stata or Parquet file.

Replicate weights (R's svrepdesign): --repweights COLS names the file's replicate weight columns, as a list
(rw1,rw2,rw3) or a regular expression whole column names match ("PWGTP[0-9]+"), with --weight the full-sample
weight; the columns hold replicate weights (R's combined.weights = TRUE). --rep-type says what they are: BRR (the
default, as R's), Fay (with --fay-rho), JK1, JKn (with --rep-rscales), bootstrap, SDR (R's
"successive-difference"; ACS the same), JK2 or other; the scale is R's for the type (BRR 1/R, Fay
1/(R(1−ρ)²), SDR and ACS 4/R, JK1 (R−1)/R, bootstrap 1/(R−1), JKn and other 1), or --rep-scale and
--rep-rscales where the type leaves it open; --mse takes the squares about the full-sample estimate (R's mse = TRUE). --replicates TYPE instead makes
replicate weights from the design of the options above (R's as.svrepdesign: auto, JK1, JKn, BRR, Fay, bootstrap
with --replicates-n and --seed, JK2, SDR), e.g. --strata stype --fpc fpc --replicates JKn. Degrees of freedom:
the rank of the replicate weights − 1 (R's degf), in the sample, domain or group.

--study-weighting weights the file as the study's report does instead: age group from the birth
year, post-stratification to SSB's population by sex × age group (--weighting rake: the two
margins), and the estimate on that calibrated design, so shares, standard errors and intervals
equal the report's. A weight column is then ignored: weights from `fjernarbeid weight` alone do
not tell that they came from post-stratification, which changes (usually lowers) the standard
errors.

--targets FILE on any other file (one that is not the study's survey, e.g. a CSV from R's write.csv)
calibrates the design of the other options (--weight, --probs, --strata, --cluster, --fpc, or equal
weights) to population totals of the file's own columns, as R does: one variable or the cells of one
cross (variable a×b or a*b, category x|y) are post-stratified (R's postStratify), several margins are raked
(R's rake, epsilon 1, maxit 10; --weighting chooses), and --weighting linear or logit --bounds LO,HI
calibrates (R's calibrate). FILE has the columns variable,category,target; a category matches the
column's values as text, or as a number in a column of numbers (1 = 1.0). A row without a value of a
calibration variable, a category of the data without a target and a target without data are errors
naming the rows, the variable and the category. The standard errors account for the calibration; the
data line says what was done and gives the calibrated weights' range.

Missing values: blank cells and the text NA (R's write.csv; --na-values sets other texts) are
missing in any column and left out of the estimate, as R's na.rm=TRUE does; how many is printed (rows
without a value of --by or --crosstab too: they are in no group). A figure that cannot be computed shows
'–', with a note saying why.

For the study's questions (VAR, --by and --crosstab), "not sure" codes and answers to questions
the routing skipped are left out of shares, means, totals and tables, and how many is printed
(--include-missing keeps them); categories are labelled from the questionnaire. A file that looks
like the study's survey but breaks its rules is used as it is, with a warning. A file with only a few
columns named like the study's questions is read as an extract of the study's data, unless over 1 %
of one such column's answers are values its question cannot have (text, or numbers outside its codes):
then it is another survey's file, none of its columns is taken as the study's question, and a warning
says so.

Exit code: 0 done, 1 the data break a rule (text in a numeric column, bad weights: named by
line), 2 wrong usage (e.g. an unknown column), 3 the file cannot be read, 4 a --refdata
directory that does not exist, 5 the estimate is impossible (e.g. a stratum with a single PSU
under --lonely-psu fail).
"""


def tab_command(
    file: Annotated[Path, typer.Argument(help="The data file.", show_default=False)],
    variables: Annotated[list[str], typer.Argument(
        metavar="VAR...", help="The variable(s) to estimate: several give one table each (JSON: a list).",
        show_default=False)],
    mean: Annotated[bool, typer.Option("--mean", help="Mean of a numeric VAR.")] = False,
    total: Annotated[bool, typer.Option("--total", help="Total of a numeric VAR.")] = False,
    median: Annotated[bool, typer.Option("--median", help="Median of a numeric VAR (R's svyquantile).")] = False,
    quantile: Annotated[Optional[str], typer.Option(
        "--quantile", help="Quantiles of a numeric VAR, e.g. 0.25,0.5,0.75.", show_default=False)] = None,
    quantile_ci: Annotated[QuantileInterval, typer.Option(
        "--quantile-ci", help="Interval for quantiles: mean (Woodruff), beta, xlogit, asin, or score "
        "(Francisco-Fuller); on replicate weights always mean, as R's svyquantile.")] = QuantileInterval.mean,
    ratio: Annotated[Optional[str], typer.Option(
        "--ratio", metavar="DEN", help="Ratio of totals VAR/DEN (R's svyratio); also written NUM/DEN with NUM = "
        "VAR.", show_default=False)] = None,
    by: Annotated[Optional[list[str]], typer.Option(
        "--by", help="Estimate in every group of this column. Two or more (--by stype --by sch.wide, or --by "
        "stype,sch.wide): in every combination of their values that occurs, labelled as R's svyby(~x, "
        "~stype+sch.wide) names them (E.No).", show_default=False)] = None,
    compare: Annotated[bool, typer.Option(
        "--compare", help="With --by: the difference between every two groups, its SE from the covariance of "
        "the groups' estimates (R's svyby covmat=TRUE and svycontrast) and a t test as R's svyttest on the two "
        "groups (df: the design df of their respondents − 1).")] = False,
    crosstab: Annotated[Optional[str], typer.Option(
        "--crosstab", help="Two-way table of VAR by this column, with the Rao-Scott test.")] = None,
    where_expr: Annotated[Optional[list[str]], typer.Option(
        "--where", metavar="EXPR", help="Estimate within the respondents for whom EXPR holds (the questionnaire's "
        "condition language, e.g. \"sex == 2 and age_group in (1, 2)\"; a column name with dots as it is, "
        "api.stu > 500, any other in backticks, `my column` > 1), as a domain of the full design (as R's "
        "subset() on a survey design): weights and standard errors use the whole sample. Repeated, every EXPR "
        "must hold (joined with 'and', as a subset of a subset).", show_default=False)] = None,
    study_weighting: Annotated[bool, typer.Option(
        "--study-weighting", help="Weight as the report does (as the study file says; the 2025 study: post-"
        "stratified to the population by sex × age group) and estimate on that calibrated design; see above.")] = False,
    weighting: Annotated[Optional[CalibrationMethod], typer.Option(
        "--weighting", help="With --study-weighting (implied): the study's method (default), poststratify, rake, "
        "linear, logit, or none (unweighted). With --targets on any other file: poststratify (default for one "
        "variable or a cross), rake (default for several margins), linear or logit.", show_default=False)] = None,
    targets: Annotated[Optional[Path], typer.Option(
        "--targets", help=TARGETS_HELP + " On a file that is not the study's survey: population totals of the "
        "file's own columns, to which the design of the other options is calibrated (see above).",
        show_default=False)] = None,
    bounds: Annotated[Optional[str], typer.Option(
        "--bounds", metavar="LO,HI", help="--weighting linear or logit on a file's own columns: the limits of the "
        "g-weights (calibrated over design weight), as R's calibrate(…, bounds = c(LO, HI)).",
        show_default=False)] = None,
    study_dir: Annotated[Optional[Path], study_option()] = None,
    weight: Annotated[Optional[str], typer.Option("--weight", help="Weight column.")] = None,
    probs: Annotated[Optional[str], typer.Option(
        "--probs", help="Sampling probability column, in place of --weight (weight = 1/p; R's probs=).")] = None,
    strata: Annotated[Optional[str], typer.Option("--strata", help="Stratum column.")] = None,
    cluster: Annotated[Optional[str], typer.Option("--cluster", help="Primary sampling unit column.")] = None,
    fpc: Annotated[Optional[str], typer.Option(
        "--fpc", help="Finite population correction column: population PSUs per stratum, or sampling fraction "
        "(without --weight, the weights are population over sample size).")] = None,
    nest: Annotated[bool, typer.Option("--nest", help="Cluster labels are unique only within strata.")] = False,
    lonely_psu: Annotated[LonelyPsu, typer.Option(
        "--lonely-psu", help="Strata with one PSU: fail, remove, adjust, average or certainty (as R's "
        "survey.lonely.psu).")] = LonelyPsu.fail,
    ci: Annotated[CiMethod, typer.Option("--ci", help="Interval for shares: logit (as R's svyciprop), beta "
                                         "(Korn-Graubard), wilson, or R's likelihood, asin, mean or xlogit."
                                         )] = CiMethod.logit,
    level: Annotated[float, typer.Option("--level", min=0.5, max=0.999, help="Confidence level.")] = 0.95,
    include_missing: Annotated[bool, typer.Option(
        "--include-missing", help="Keep 'not sure' codes and empty answers as categories.")] = False,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="text: a table; json: every number at full precision, to stdout.")] = OutputFormat.text,
    lang: Annotated[Optional[Language], typer.Option(
        "--lang", help="Language of everything printed: the tables, notes and warnings, and the questionnaire's "
        "labels (default: the study's first language if it is nb, nn or en, else nb).",
        show_default=False)] = None,
    refdata: Annotated[Optional[Path], refdata_option(
        "Reference-data directory, to derive municipality, county and centrality from the postal code when "
        "the file lacks them.")] = None,
    instrument: Annotated[Optional[Path], typer.Option(
        "--instrument", help="Questionnaire (YAML or XLSForm .xlsx); default: the study's.")] = None,
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", help="Column mapping, YAML or CSV with columns source,target.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Excel sheet to read (default: the first).")] = None,
    completes_only: Annotated[bool, completes_only_option()] = False,
    net: Annotated[Optional[list[str]], typer.Option(
        "--net", metavar="LABEL=CODES", help="A net of categories counted together, e.g. \"Enig=1,2\" or "
        "\"Uenig=4-5\", or of a text column's categories, \"EM=E,M\" (repeatable); shown below the categories "
        "with its share, SE and interval.",
        show_default=False)] = None,
    auto_nets: Annotated[bool, typer.Option(
        "--auto-nets/--no-auto-nets", help="Top-2 and bottom-2 nets of the questionnaire's answer scales "
        "(ordinal questions of four or more codes).")] = True,
    min_n: Annotated[int, typer.Option(
        "--min-n", min=0, help="Hide cells with fewer unweighted respondents than this, and as many others as "
        "needed so that no hidden cell can be worked out from a total or a base (0: hide nothing).")] = MIN_CELL,
    na_values: Annotated[Optional[str], typer.Option(
        "--na-values", help="Comma-separated texts that mean a missing value (default: NA, as R writes it); "
        "blank cells are always missing.", show_default=False)] = None,
    repweights: Annotated[Optional[str], repweights_option()] = None,
    rep_type: Annotated[Optional[RepType], rep_type_option()] = None,
    rep_scale: Annotated[Optional[float], rep_scale_option()] = None,
    rep_rscales: Annotated[Optional[str], rep_rscales_option()] = None,
    fay_rho: Annotated[Optional[float], fay_rho_option()] = None,
    mse: Annotated[bool, mse_option()] = False,
    replicates: Annotated[Optional[ReplicatesFrom], replicates_option()] = None,
    replicates_n: Annotated[Optional[int], replicates_n_option()] = None,
    seed: Annotated[Optional[int], seed_option()] = None,
    hadamard: Annotated[Optional[Path], hadamard_option()] = None,
) -> None:

    try:
        variables = list(dict.fromkeys(variables))  # a variable named twice is estimated once
        quantiles = parse_quantiles(quantile, median)
        chosen = [name for name, on in (("--mean", mean), ("--total", total), ("--median/--quantile", quantiles),
                                        ("--ratio", ratio)) if on]
        if len(chosen) > 1:
            raise UsageError(f"choose one of {', '.join(chosen)}")
        if compare and quantiles:
            raise UsageError("--compare needs covariances between groups, which quantiles do not have; use "
                             "--mean, --total, --ratio or shares")
        if compare and not by:
            raise UsageError("--compare compares the groups of --by; give --by GROUP")
        if crosstab and (mean or total or by or quantiles or ratio):
            raise UsageError("--crosstab makes a table of shares; it cannot be combined with --mean, --total, "
                             "--median, --quantile, --ratio or --by")
        if net and chosen:
            raise UsageError(f"--net adds categories of shares together; it cannot be combined with {chosen[0]}")
        if ratio and len(variables) > 1:
            raise UsageError("--ratio divides one VAR by DEN; give one VAR")
        from fjernarbeid.export.nets import parse_net  # here: the export package imports numpy, which --help must not

        nets = [parse_net(text) for text in net or ()]
        replicate = replicate_options(
            repweights=repweights, rep_type=rep_type, rep_scale=rep_scale, rep_rscales=rep_rscales, fay_rho=fay_rho,
            mse=mse, replicates=replicates, replicates_n=replicates_n, seed=seed, hadamard=hadamard, probs=probs,
            strata=strata, cluster=cluster, fpc=fpc, nest=nest, lonely_psu=lonely_psu, na_values=parse_na_values(na_values),
            calibration=("--study-weighting" if study_weighting else None, "--weighting" if weighting is not None
                         else None, "--targets" if targets is not None else None))
        # R's svyquantile on replicate weights ignores interval.type (Woodruff's "mean" interval always): so here,
        # with a note that the --quantile-ci given is not used
        ignored_ci = (quantile_ci.value if replicate is not None and quantiles
                      and quantile_ci is not QuantileInterval.mean else None)
        if ignored_ci:
            quantile_ci = QuantileInterval.mean
        use_study = study_weighting or weighting is not None or targets is not None
        design_options = {"--weight": weight, "--probs": probs, "--strata": strata, "--cluster": cluster, "--fpc": fpc}
        if use_study and (targets is None or study_weighting):  # (with --targets: said once the file is read)
            refuse_with_study_weighting(design_options)
        chosen = load_cli_study(study_dir, instrument)
        inst = chosen.instrument
        lang = lang or Language(chosen.default_language if chosen.default_language in Language.__members__ else "nb")
        data = read_data(file, inst, mapping, sheet, completes_only=completes_only, lang=lang.value)
        if study_weighting or (weighting is not None and targets is None):
            refuse_the_studys_weighting(data, inst, "--study-weighting" if study_weighting else "--weighting")
        inst = questionnaire_for(data, data.instrument)  # another file's own columns are not the study's (age, …)
        calibration = targets_calibration(data, inst, targets, weighting, bounds, study_weighting, design_options)
        use_study = use_study and calibration is None
        study = (chosen, weighting_spec(chosen, weighting, targets), refdata) if use_study else None
        warn_if_invalid(data, inst, refdata, "fjernarbeid tab", lang=lang.value,
                        options={"--study": study_dir, "--instrument": instrument, "--mapping": mapping,
                                 "--sheet": sheet, "--refdata": refdata, "--completes-only": completes_only})
        denominator = ratio_denominator(ratio, variables[0], data.frame.columns) if ratio else None
        by_columns = by_parts(by, data.frame.columns)
        by = by_name(by_columns)
        condition = parse_where(where_expr, inst) if where_expr else None
        where_columns = sorted(condition.variables) if condition is not None else []
        wanted = [c for c in (*variables, *by_columns, crosstab, denominator, *where_columns) if c]
        if study is not None or any(c not in data.frame.columns for c in wanted):
            data = _with_frame(data, derive_available(data.frame, inst, refdata))
        refuse_unanalysed(inst, [*(("VAR", v) for v in variables), *(("--by", c) for c in by_columns),
                                 ("--crosstab", crosstab)])
        for variable in variables:
            require_columns(data, {"VAR": variable})
        for column in by_columns:
            require_columns(data, {"--by": column})
        require_columns(data, {"--crosstab": crosstab, "--ratio": denominator, "--weight": weight,
                               "--probs": probs,
                               "--strata": strata, "--cluster": cluster, "--fpc": fpc})
        require_where_columns(data, condition)
        data = missing_as_na(data, (*variables, *by_columns, crosstab, denominator, weight or "weight", probs, strata,
                                    *stage_columns(cluster), *stage_columns(fpc),
                                    *where_columns, *(calibration.columns if calibration else ())),
                             parse_na_values(na_values))
        with shown_warnings():
            results = [_estimate(data, inst, variable, mean=mean, total=total, by=by, by_columns=by_columns,
                                 crosstab=crosstab, weight=weight,
                                 probs=probs,
                                 strata=strata, cluster=cluster, fpc=fpc, nest=nest, lonely_psu=lonely_psu.value,
                                 ci=ci.value, level=level, include_missing=include_missing, lang=lang.value,
                                 study=study, compare=compare,
                                 other=OtherStatistic(quantiles, quantile_ci.value, denominator), condition=condition,
                                 nets=nets, auto_nets=auto_nets, min_n=min_n, calibration=calibration,
                                 replicate=replicate)
                       for variable in variables]
        if ignored_ci:
            from fjernarbeid.cli._console import console
            from fjernarbeid.cli._survey_input import warning_line
            from fjernarbeid.i18n import message

            for result in results:
                result["quantile_ci_not_used"] = ignored_ci
            console(stderr=True).print(warning_line(message("tab", "quantile_ci_replicate", lang.value,
                                                            given=ignored_ci), lang.value), highlight=False)
        if calibration is not None:
            from fjernarbeid.cli._calibration import warn_not_converged

            warn_not_converged(results[0]["weighting"], lang.value)
    except FjernarbeidError as exc:
        raise fail(exc) from None
    if output_format is OutputFormat.json:
        out = results[0] if len(results) == 1 else results
        echo_text(json.dumps(json_ready(out), ensure_ascii=False, indent=2, default=str, allow_nan=False))
    else:
        from fjernarbeid.cli.tab_render import print_results  # (Babel and the catalogue: not loaded for --help)

        print_results(results, lang.value)


def by_parts(given: list[str] | None, columns) -> list[str]:
    """The columns of --by: every --by given, each a column or columns separated by commas (a column whose
    own name has a comma is taken whole), each once."""
    out: list[str] = []
    for text in given or ():
        parts = [text] if text in columns or "," not in text else [p.strip() for p in text.split(",")]
        if not text.strip():
            raise UsageError("--by needs a column name (or several: --by stype,sch.wide)")
        if not all(parts):
            raise UsageError(f"--by {text!r}: an empty column name between commas; write --by stype,sch.wide")
        out += [p for p in parts if p not in out]
    return out


def by_name(columns: list[str]) -> str | None:
    """The name of the groups of --by: the column, or for two or more R's formula of them (stype+sch.wide)."""
    return None if not columns else columns[0] if len(columns) == 1 else "+".join(columns)


def combine_groups(frame, columns: list[str], labels: dict) -> tuple[Any, dict]:
    """Every row's combination of the values of ``columns``, written as R's interaction() names the groups
    of svyby(~x, ~a+b) ("E.No"; codes as 1.2), missing where any of them is; and the combinations' labels
    from the columns' own ("Mann, 18–29 år") where any column has labels."""
    texts = []
    for column in columns:
        values = frame[column]
        texts.append(values.map(lambda v: None if pd.isna(v) else str(_code(v.item() if isinstance(v, np.generic)
                                                                          else v))).astype("string"))
    combined = texts[0].str.cat(texts[1:], sep=".")
    given = combined.notna()
    if pd.DataFrame({c: t[given] for c, t in zip(columns, texts)}).drop_duplicates().shape[0] \
            != combined[given].nunique():
        raise UsageError(f"--by {','.join(columns)}: two different combinations are written alike (a value has a "
                         "dot of its own); make one column of the groups in the file")
    named = {}
    if any(labels.get(c) for c in columns):
        for value in combined.dropna().unique():
            parts = str(value).split(".") if len(str(value).split(".")) == len(columns) else None
            if parts is None:  # a value with a dot of its own: the parts of that row
                continue
            named[value] = ", ".join(str(labels.get(c, {}).get(_code(p), p)) for c, p in zip(columns, parts))
    return combined.astype(object).where(combined.notna(), None), named


def refuse_unanalysed(inst, options: dict[str, str | None] | list[tuple[str, str | None]]) -> None:
    """A date, time, location or attachment question (and the form's start, end and today) is carried
    and checked, never tabulated or modelled: a table of its values would be a list of them (and a
    location a list of homes). A usage error naming the option and the question's type."""
    from fjernarbeid.instrument.model import ATTACHMENT_TYPES, FORMAT_TYPES

    for option, name in options.items() if isinstance(options, dict) else options:  # pairs: an option twice
        if name and name in inst and (inst[name].type in FORMAT_TYPES | ATTACHMENT_TYPES or inst[name].metadata):
            q = inst[name]
            raise UsageError(f"{option} {name}: a {q.type} {'recorded by the device' if q.metadata else 'question'} "
                             "is carried and checked in its format, never analysed as categories or numbers")


def _with_frame(data, frame):
    from dataclasses import replace

    return replace(data, frame=frame)


def _estimate(data, inst, variable, *, mean, total, by, crosstab, weight, strata, cluster, fpc, nest, lonely_psu,
              ci, level, include_missing, lang, study=None, compare=False, other=None,
              condition=None, nets=(), auto_nets=False, min_n=0, probs=None, by_columns=(),
              calibration=None, replicate=None) -> dict[str, Any]:
    from dataclasses import replace

    from fjernarbeid.survey import svyby, svydesign, svymean, svyprop, svyratio, svytotal

    frame = data.frame
    group = by or crosstab
    by_columns = list(by_columns) or ([by] if by else [])
    for option, name in [("--by", c) for c in by_columns] + [("--crosstab", crosstab)]:
        if name in inst and inst[name].is_multiple:
            raise UsageError(f"{option} {name}: a multiple-choice question cannot split the sample into groups "
                             "(a respondent may be in several); use one of its choices' 0/1 columns")
    unasked: dict[str, np.ndarray] = {}
    not_sure, skipped = _non_answers(frame, inst, [c for c in (variable, *by_columns, crosstab) if c],
                                     unasked=unasked)
    if condition is not None:
        # judged on the answers as given (a "not sure" code can be a subgroup), before any row is masked;
        # carried as a column so that it follows the rows the study's weighting keeps
        frame = frame.assign(**{WHERE_COLUMN: where_mask(condition, frame)})
    if not include_missing:
        # the report's convention: a "not sure" code or an answer the routing did not ask for is no answer
        frame = frame.assign(**{name: frame[name].mask(not_sure[name] | skipped[name]) for name in not_sure})
    labels = _labels(data, inst, lang)
    if len(by_columns) > 1:
        # two or more --by: one column of their combinations ("E.No"), missing where any of them is
        combined, combined_labels = combine_groups(frame, by_columns, labels)
        frame = frame.assign(**{by: combined})
        if combined_labels:
            labels[by] = combined_labels
    # --total of a text column is the total of every category (R's svytotal(~factor(VAR)))
    factor_total = total and variable not in inst and _is_text(frame[variable])
    # a decimal question has no categories to share out: its mean, unless another statistic is asked for
    if (variable in inst and inst[variable].type == "decimal" and not (mean or total or crosstab)
            and not (other is not None and (other.quantiles or other.denominator))):
        mean = True
    numeric = mean or (total and not factor_total) or (other is not None and (other.quantiles or other.denominator))
    if numeric and variable in inst and inst[variable].is_multiple:  # said before its answers are read as numbers
        raise UsageError(f"{variable} is a multiple-choice question: tab gives the share of respondents "
                         "choosing each choice (optionally --by a group); not --mean, --total, --crosstab or "
                         "--compare")
    if numeric:
        # a numeric VAR as numbers (text that is not a number is named by line), so that a file read as
        # text is not taken for a factor; the answers masked above stay missing
        numbers = numeric_column(data, variable, "VAR")
        frame = frame.assign(**{variable: np.where(frame[variable].isna().to_numpy(), np.nan, numbers)})
    design, weight_source, weighting, kept = design_for(data, inst, frame, study=study, weight=weight,
                                                        strata=strata, cluster=cluster, fpc=fpc, nest=nest,
                                                        lonely_psu=lonely_psu, lang=lang, probs=probs,
                                                        calibration=calibration, replicate=replicate)
    replicated = replicate_description(design, replicate, frame.columns)  # before a domain changes its df
    # the masks belong to the file's rows; the design holds only those the weighting kept
    not_sure = {k: v[kept] for k, v in not_sure.items()}
    skipped = {k: v[kept] for k, v in skipped.items()}
    unasked = {k: v[kept] for k, v in unasked.items()}
    within = None
    if condition is not None:
        design, within = within_domain(design, condition)
    result: dict[str, Any] = {
        "file": str(data.path), "variable": variable, "label": _variable_label(data, inst, variable, lang),
        "weights": weight_source, "weights_from": weights_from(weight_source, weighting, probs, fpc),
        "weighting": weighting,
        "design": {"strata": strata, "cluster": cluster, "fpc": fpc, "nest": nest, "lonely_psu": lonely_psu,
                   "rows": design.n, "calibrated": design.is_calibrated, **design_calibration(weighting)},
        "level": level, "by": by, "crosstab": crosstab, "test": None, "where": within, "min_n": min_n,
        "variable_labels": {name: _variable_label(data, inst, name, lang) for name in (variable, by, crosstab)
                            if name and _variable_label(data, inst, name, lang)},
        **({"by_columns": by_columns} if len(by_columns) > 1 else {}),
        "reference": _reference(inst, variable, lang),
    }
    if replicated:
        result["design"]["replicate"] = replicated
    result |= weights_description(result, lang)
    if len(by_columns) > 1 and any(_variable_label(data, inst, c, lang) for c in by_columns):
        result["variable_labels"][by] = " × ".join(_variable_label(data, inst, c, lang) or c for c in by_columns)
    # rows in no group (no answer to --by/--crosstab) are in no estimate, so not counted as empty answers of VAR…
    counted = design.in_domain & (design.column(group).notna().to_numpy() if group else True)
    result["left_out"] = _left_out(design.column(variable), counted, not_sure.get(variable),
                                   skipped.get(variable), include_missing)
    if group:  # … but they are left out, and counted apart (R's svyby keeps them in the design only)
        no_group = int((design.in_domain & design.column(group).isna().to_numpy()).sum())
        if no_group:
            result["left_out"]["no_group"] = no_group
    # the questionnaire's own words for its "not sure" codes ('Ikke sikker', 'Vet ikke', …), for the notes
    result["not_sure_labels"] = _not_sure_labels(inst, variable, lang)
    # respondents the study's rule (weighting: unknown: exclude) left out have no weight: counted apart
    if not kept.all():
        result["left_out"]["unweighted"] = int((~kept).sum())
    if not include_missing and variable in unasked:
        # an empty answer the routing never asked for is not a missing answer: counted apart
        not_asked = int((design.column(variable).isna().to_numpy() & unasked[variable] & ~not_sure[variable]
                         & ~skipped[variable] & counted).sum())
        if not_asked:
            result["left_out"]["not_asked"] = not_asked
            result["left_out"]["empty"] -= not_asked
    if variable in inst and inst[variable].is_multiple:
        if nets:
            from fjernarbeid.export.nets import NetError

            raise NetError(f"--net: {variable} is a multiple-choice question; its choices are not categories that "
                           "add up, so they cannot be counted together")
        if mean or total or crosstab or compare:
            raise UsageError(f"{variable} is a multiple-choice question: tab gives the share of respondents "
                             "choosing each choice (optionally --by a group); not --mean, --total, --crosstab or "
                             "--compare")
        result["statistic"] = "multiple response"
        result["ci_method"] = ci
        labels[variable] = inst[variable].code_labels(lang)  # its choices (the 0/1 columns have their own)
        result["estimates"] = _multiple_response(design, inst[variable], by, include_missing, ci, level, labels)
        result["labels"] = {k: {str(c): t for c, t in v.items()} for k, v in labels.items() if k in (variable, by)}
        suppress_small_cells(result, min_n)
        return result
    if group:
        design, result["empty_groups"] = _without_empty_groups(design, variable, group)
    # the estimates in every group of --by on a design (for --compare also on the rows of every two groups)
    grouped = None
    answered = design.column(variable).notna().to_numpy()  # the rows of a --compare test (R's svyttest)
    if other is not None and (other.quantiles or other.denominator):
        estimates = other_statistic(data, design, variable, by, compare, other, level, result)
        if other.denominator:
            answered = answered & design.column(other.denominator).notna().to_numpy()
            grouped = lambda d: svyby(d, svyratio, by, variable, other.denominator, covmat=True, level=level)  # noqa: E731
    elif factor_total:
        grouped = lambda d: svyby(d, svytotal, by, variable, covmat=True, factor=True, level=level)  # noqa: E731
        estimates = (svyby(design, svytotal, by, variable, covmat=compare, factor=True, level=level) if by
                     else svytotal(design, variable, factor=True, level=level))
        result["statistic"] = "total"
        result["ci_method"] = "t"
    elif mean or total:
        fn = svymean if mean else svytotal
        grouped = lambda d: svyby(d, fn, by, variable, covmat=True, level=level)  # noqa: E731
        estimates = svyby(design, fn, by, variable, covmat=compare, level=level) if by else fn(design, variable,
                                                                                              level=level)
        result["statistic"] = "mean" if mean else "total"
        result["ci_method"] = "t"
    else:
        result["statistic"] = "proportion"
        result["ci_method"] = ci
        options = {"include_missing": include_missing, "ci": ci, "level": level}
        if group:
            if crosstab:
                # R's svychisq(~VAR + COL, design): its N and df count the rows with a missing answer too
                result["test"] = _rao_scott(design, variable, crosstab)
                if not include_missing:
                    # the table's respondents are those in a column; a missing VAR is left out of each share
                    # (R's na.rm), and stays in the df of the column's design, as R's svyciprop(…, degf(design))
                    design = design.domain(design.column(crosstab).notna().to_numpy())
            grouped = lambda d: svyby(d, svyprop, group, variable, covmat=True, **options)  # noqa: E731
            if include_missing:  # an empty answer is a category: every row is in the test
                answered = np.ones(design.n, dtype=bool)
            estimates = svyby(design, svyprop, group, variable, covmat=compare, **options)
            if crosstab:
                # the "I alt" column: the distribution of VAR among the respondents of the table
                result["totals"] = svyprop(design, variable, **options).to_dict()["estimates"]
        else:
            estimates = svyprop(design, variable, **options)
    if compare:
        result["differences"] = group_differences(estimates, level, design, by, grouped, answered)
    rows = [estimates.to_dict()] if not hasattr(estimates, "rows") else estimates.to_dict()["estimates"]
    # the categories' labels; the missing answers of --include-missing (category None): '(mangler)'. A mean,
    # total or ratio has no category: its label stays None
    categorical = result["statistic"] == "proportion" or factor_total
    for row in rows + result.get("totals", []):
        row["label"] = labels.get(variable, {}).get(_code(row["category"])) or (
            missing_label(row["category"], lang) if categorical else None)
    for row in rows:
        row["group_labels"] = {k: labels.get(k, {}).get(_code(v)) for k, v in row["group"].items()}
    result["estimates"] = rows
    result["labels"] = {k: {str(c): t for c, t in v.items()} for k, v in labels.items()
                        if k in (variable, by, crosstab)}
    if result["statistic"] == "proportion":
        _count_cells(design, variable, group, rows, result.get("totals", []))
        chosen_nets = _nets_for(design, inst, variable, nets, auto_nets, lang, str(data.path))
        if chosen_nets:
            from fjernarbeid.export.nets import estimate_nets

            result["nets"] = estimate_nets(design, variable, chosen_nets, group, ci=ci, level=level)
            if crosstab:  # the nets of the "I alt" column
                result["nets"] += estimate_nets(design, variable, chosen_nets, None, ci=ci, level=level)
    suppress_small_cells(result, min_n)
    return result


def weights_from(weight_source, weighting, probs, fpc) -> str:
    """Where the weights come from: the study's weighting, a weight column, --probs (1/p), --fpc (R's svydesign
    without weights: population over sample size at every stage), or nowhere (equal weights)."""
    if weighting:
        return "calibrated" if weighting.get("kind") == "calibration" else "study"
    if probs:
        return "probs"
    if weight_source:
        return "column"
    return "fpc" if fpc else "equal"


def replicate_description(design, replicate, columns) -> dict[str, Any] | None:
    """The replicate design (type, replicates, scale, rscales, mse, df) for JSON ``design.replicate``; None for
    any other design."""
    if replicate is None:
        return None
    from fjernarbeid.cli._replicate import replicate_summary

    return replicate_summary(design, replicate, columns)


def weights_description(result: dict, lang: str) -> dict[str, str]:
    from fjernarbeid.cli.tab_render import weights_description as describe

    return describe(result, lang)


def missing_label(category, lang: str) -> str | None:
    """The label of the missing answers (category None) in ``lang``: '(mangler)', '(manglar)', '(missing)'."""
    from fjernarbeid.cli.tab_render import t

    return t("missing_category", lang) if category is None else None


def _count_cells(design, variable: str, group: str | None, rows: list[dict], totals: list[dict]) -> None:
    """Each share's unweighted count of respondents (``n_cell``): the category in its group."""
    values = design.column(variable).reset_index(drop=True)
    inside = pd.Series(design.in_domain)
    groups = design.column(group).reset_index(drop=True) if group else None

    def is_value(series, value):
        return series.isna() if value is None else (series == value).fillna(False)

    for row in rows + totals:
        hit = inside & is_value(values, row["category"])
        if groups is not None and row.get("group"):
            (value,) = row["group"].values()
            hit &= is_value(groups, value)
        row["n_cell"] = int(hit.sum())


def _nets_for(design, inst, variable: str, nets, auto_nets: bool, lang: str, file: str = "") -> list:
    """The nets of VAR: those of --net (their codes checked against the question) and, for an answer scale of
    the questionnaire, its top-2 and bottom-2 (unless --no-auto-nets)."""
    from fjernarbeid.cli.tab_render import t
    from fjernarbeid.export.nets import automatic_nets, check_net, check_text_net

    question = inst[variable] if variable in inst else None
    if question is not None and question.is_multiple:  # (a --net of one was refused before)
        return []
    codes = [c for c in question.substantive_codes if c not in question.screen_out] if question else None
    if nets and question is None:
        # a column of an ordinary file: a net of its categories as they are, text ('E', 'M') or numbers; all
        # its rows, also those outside --where (a category absent from the domain counts 0 there, as in R)
        values = design.column(variable)
        text = values.dropna().astype("string").str.strip()
        text = text[text != ""]
        numeric = not _is_text(values)
        present = sorted(set(text), key=lambda c: (float(c), c) if numeric else (0.0, c)) if len(text) else []
        nets = [check_text_net(net, variable, present, numeric, file) for net in nets]
    for net in nets:
        check_net(net, variable, codes)
    chosen = list(nets)
    if auto_nets and question is not None:
        names = {"top": t("net_top", lang), "bottom": t("net_bottom", lang)}
        own = {n.codes for n in chosen}
        chosen += [n for n in automatic_nets(question, codes, names) if n.codes not in own]
    return chosen


def suppress_small_cells(result: dict, min_n: int) -> None:
    """Hide every estimate resting on fewer than ``min_n`` unweighted respondents, and (for shares, whose
    columns add up to 100 % beside a printed base) as many others as needed so that a hidden cell cannot be
    worked out by subtraction: per column of a table and, in a cross-table with its total column, per row
    (:func:`~fjernarbeid.export.cell_suppression.table_suppression`). A net is hidden when any of its
    categories is. A hidden estimate has no numbers in the output (``suppressed``: true)."""
    from fjernarbeid.export.cell_suppression import net_hidden, table_suppression

    rows = result["estimates"]
    for row in rows:
        row["suppressed"] = False
    if min_n <= 0:
        result["suppressed_cells"] = 0
        return
    statistic = result["statistic"]
    if statistic == "proportion":
        group_of = [json.dumps(r["group"], sort_keys=True, default=str) for r in rows]
        groups = list(dict.fromkeys(group_of))
        categories = list(dict.fromkeys(r["category"] for r in rows))
        index = {(group_of[i], r["category"]): i for i, r in enumerate(rows)}
        counts = [[rows[index[g, c]]["n_cell"] if (g, c) in index else 0 for g in groups] for c in categories]
        totals = result.get("totals") or []
        total_of = {r["category"]: r for r in totals}
        hidden, hidden_total = table_suppression(
            counts, min_n, [total_of[c]["n_cell"] if c in total_of else 0 for c in categories] if totals else None)
        for ci_, c in enumerate(categories):
            for gi, g in enumerate(groups):
                if (g, c) in index:
                    rows[index[g, c]]["suppressed"] = hidden[ci_][gi]
            if c in total_of:
                total_of[c]["suppressed"] = hidden_total[ci_]
        for t_ in totals:
            t_.setdefault("suppressed", False)
        for net in result.get("nets", []):
            g = json.dumps(net["group"], sort_keys=True, default=str)
            members = [rows[index[g, c]]["suppressed"] if net["group"] else total_of[c]["suppressed"]
                       for c in categories if (_code(c) in net["codes"] or c in net["codes"])
                       and ((g, c) in index if net["group"] else c in total_of)]
            net["suppressed"] = bool(0 < net["n_cell"] < min_n or net_hidden(members))
    elif statistic == "multiple response":
        for row in rows:
            row["suppressed"] = bool(0 < row["n_chosen"] < min_n)
    else:
        for row in rows:
            row["suppressed"] = bool(row["n_unweighted"] < min_n)
    hidden_rows = [r for r in rows + result.get("totals", []) + result.get("nets", []) if r.get("suppressed")]
    for row in hidden_rows:
        for key in ("estimate", "se", "ci_low", "ci_high", "deff", "n_cell", "n_chosen", "share_of_responses",
                    "share_of_responses_se"):
            if key in row:
                row[key] = None
    result["suppressed_cells"] = len(hidden_rows)


def _is_text(series) -> bool:
    """A column of text that is not all numbers (blank cells and missing values aside): a factor."""
    if not (pd.api.types.is_object_dtype(series) or pd.api.types.is_string_dtype(series)
            or isinstance(series.dtype, pd.CategoricalDtype)):
        return False
    text = series.dropna().astype("string").str.strip()
    text = text[text != ""]
    return bool(pd.to_numeric(text, errors="coerce").isna().any())


def design_for(data, inst, frame, *, study, weight, strata, cluster, fpc, nest, lonely_psu, lang="en",
               probs=None, calibration=None, replicate=None):
    """The design the options describe, on ``frame`` (``data.frame`` after the command's own
    missing-value rules): the study's calibrated design with --study-weighting, else --weight (or a
    `weight` column), --strata, --cluster, --fpc, calibrated to ``calibration`` (``--targets`` on a file's
    own columns: :mod:`fjernarbeid.cli._calibration`) when given; with ``replicate`` (--repweights,
    --replicates) a replicate design (:mod:`fjernarbeid.cli._replicate`). Returns (design, weight source,
    weighting summary, the rows of ``frame`` in the design: all but those the study's weighting rule excluded)."""
    from dataclasses import replace

    from fjernarbeid.survey import svydesign

    if replicate is not None:  # the file's replicate weights, or replicates made from the design below
        from fjernarbeid.cli._replicate import replicate_design_for

        return replicate_design_for(data, frame, replicate, weight=weight, linearisation=lambda: design_for(
            data, inst, frame, study=study, weight=weight, strata=strata, cluster=cluster, fpc=fpc, nest=nest,
            lonely_psu=lonely_psu, lang=lang, probs=probs), lang=lang)
    if study is not None:
        weighted = _study_weights(data, inst, *study)
        frame = frame.reset_index(drop=True)[weighted.kept].reset_index(drop=True)
        design = replace(weighted.design, data=frame)
        weighting = {k: v for k, v in weighted.report.to_dict().items() if k != "margins"}
        weighting["text"] = weighted.describe(inst, lang)
        return design, f"study weighting ({weighted.spec.method})", weighting, np.asarray(weighted.kept, dtype=bool)
    if probs is not None and weight is not None:
        raise UsageError("give --weight (weights) or --probs (sampling probabilities, weight = 1/p), not both")
    weight_source = weight or (None if probs is not None else ("weight" if "weight" in frame.columns else None))
    w = check_weights(data, weight_source) if weight_source else None
    if probs is not None:
        p = numeric_column(data, probs, "--probs")
        bad = ~np.isfinite(p) | (p <= 0) | (p > 1)
        if bad.any():
            raise DataValidationError(f"{data.path}: --probs column {probs!r} must be a sampling probability "
                                      f"(0 < p ≤ 1) on every row; it is not at {where(data, bad)}")
        w, weight_source = 1 / p, f"1/{probs}"
    # multistage (R's ids=~psu+ssu, fpc=~N1+N2): --cluster psu,ssu --fpc N1,N2, one column per stage
    clusters, fpcs = stage_columns(cluster), stage_columns(fpc)
    for role, cols in (("--strata", [strata] if strata else []), ("--cluster", clusters), ("--fpc", fpcs)):
        for col in cols:
            if frame[col].isna().any():
                raise DataValidationError(f"{data.path}: {role} column {col!r} is empty at "
                                          f"{where(data, frame[col].isna().to_numpy())}")
    if fpcs and len(clusters) > 1 and len(fpcs) not in (1, len(clusters)):
        raise UsageError(f"--fpc {fpc}: give one fpc column for the first stage or one for every stage of "
                         f"--cluster {cluster}")
    if len(fpcs) > 1 and len(clusters) != len(fpcs):
        raise UsageError(f"--fpc {fpc}: an fpc for every stage needs a --cluster column for every stage "
                         f"(--cluster psu,ssu)")
    frame = frame.assign(**{col: numeric_column(data, col, "--fpc") for col in fpcs})
    design = svydesign(frame, w, strata=strata, cluster=(clusters[0] if len(clusters) == 1 else clusters) or None,
                       fpc=(fpcs[0] if len(fpcs) == 1 else fpcs) or None, lonely_psu=lonely_psu, nest=nest)
    if calibration is not None:  # --targets on the file's own columns: R's postStratify, rake or calibrate
        from fjernarbeid.cli._calibration import calibrated_design

        base = {"from": weights_from(weight_source, None, probs, fpc), "column": weight_source}
        design, weighting = calibrated_design(data, design, calibration, base, lang)
        return design, weight_source, weighting, np.ones(len(frame), dtype=bool)
    return design, weight_source, None, np.ones(len(frame), dtype=bool)


def refuse_with_study_weighting(options: dict[str, str | None]) -> None:
    """--study-weighting makes the study's own design: the design options cannot be given with it."""
    given = [name for name, value in options.items() if value]
    if given:
        raise UsageError(f"--study-weighting makes the study's design (post-stratified simple random "
                         f"sample); it cannot be combined with {', '.join(given)}")


def targets_calibration(data, inst, targets, weighting, bounds, study_weighting: bool, design_options: dict):
    """``--targets`` on a file that is not the study's survey: the calibration of the file's own columns
    (:func:`fjernarbeid.cli._calibration.own_calibration`), or None when the study's weighting applies (then
    the design options are refused as with --study-weighting, and so is --bounds)."""
    from fjernarbeid.cli._calibration import own_calibration, parse_bounds

    limits = parse_bounds(bounds)
    calibration = own_calibration(data, inst, targets, weighting, limits, study_weighting) if targets else None
    if calibration is None:
        if bounds is not None:
            raise UsageError("--bounds applies to --targets on a file's own columns with --weighting linear or logit; "
                             "the study's weighting takes its bounds from the study file (weighting: bounds:)")
        if targets is not None:
            refuse_with_study_weighting(design_options)
    return calibration


def design_calibration(weighting: dict | None) -> dict[str, Any]:
    """The design's calibration to a file's own columns, for the design line (nothing for other designs)."""
    if not weighting or weighting.get("kind") != "calibration":
        return {}
    return {"calibration": {"method": weighting["method"], "margins": weighting["margins"]}}



WHERE_COLUMN = "__fjernarbeid_where__"


def parse_where(texts: str | list[str], inst):
    """``--where EXPR`` (repeated: every one of them, joined with 'and') as a
    :class:`~fjernarbeid.instrument.expr.Condition`; a usage error says what is wrong with it."""
    from fjernarbeid.errors import InstrumentError
    from fjernarbeid.instrument.expr import Condition

    conditions = []
    for text in [texts] if isinstance(texts, str) else texts:
        if not text.strip():
            raise UsageError("--where needs a condition, e.g. \"sex == 2 and age_group in (1, 2)\"")
        try:
            # the condition language or Kobo's ${name}, choices by name or label
            conditions.append(Condition.read(text, inst))
        except InstrumentError as exc:
            raise UsageError(f"--where: {exc}") from None
    return Condition.all_of(conditions)


def require_where_columns(data, condition) -> None:
    if condition is None:
        return
    missing = sorted(v for v in condition.variables if v not in data.frame.columns)
    if missing:
        raise UsageError(f"--where {condition}: no column {', '.join(map(repr, missing))} in {data.path}")


def where_mask(condition, frame: pd.DataFrame) -> np.ndarray:
    """The rows for which the condition is true; a row where it cannot be decided (a missing
    answer) is outside the domain, as R's subset() leaves out NA."""
    from fjernarbeid.errors import InstrumentError
    from fjernarbeid.instrument.expr import is_true

    try:
        return is_true(condition.evaluate(frame))
    except (TypeError, ValueError, InstrumentError) as exc:
        raise UsageError(f"--where {condition}: cannot be evaluated on the data ({exc})") from None


def within_domain(design, condition):
    """The design restricted to the domain of ``condition`` (rows outside keep their place with weight
    0, so strata, clusters and calibration are those of the whole sample), and a summary for output:
    the expression, the respondents in the domain (n) and their weighted total."""
    mask = design.column(WHERE_COLUMN).to_numpy(dtype=bool) & design.in_domain
    n = int(mask.sum())
    if n == 0:
        raise UsageError(f"--where {condition}: no respondent in the data meets the condition")
    domain = design.domain(mask)
    return domain, {"expression": str(condition), "n": n, "weighted_n": float(domain.weights.sum())}


@dataclass(frozen=True)
class OtherStatistic:
    """--median/--quantile (probabilities, interval) or --ratio (the denominator)."""

    quantiles: tuple[float, ...] | None = None
    interval: str = "mean"
    denominator: str | None = None


def parse_quantiles(text: str | None, median: bool) -> tuple[float, ...] | None:
    """``--quantile 0.25,0.5`` (or ``--median``) as probabilities; a usage error names a bad one."""
    if text is None:
        return (0.5,) if median else None
    if median:
        raise UsageError("choose one of --median and --quantile (--quantile 0.5 is the median)")
    out = []
    for part in (p.strip() for p in text.split(",")):
        try:
            p = float(part.rstrip("%")) / (100 if part.endswith("%") else 1)
        except ValueError:
            raise UsageError(f"--quantile takes probabilities such as 0.25,0.5,0.75; {part!r} is not one") from None
        if not 0 <= p <= 1:
            raise UsageError(f"--quantile {part!r} is not between 0 and 1")
        out.append(p)
    return tuple(out)


def ratio_denominator(text: str, variable: str, columns) -> str:
    """``--ratio DEN``, or ``--ratio VAR/DEN`` (R's svyratio(~VAR, ~DEN)): the denominator column."""
    if text in columns or "/" not in text:
        return text
    numerator, denominator = (part.strip() for part in text.split("/", 1))
    if numerator != variable:
        raise UsageError(f"--ratio {text!r}: the numerator is VAR ({variable!r}); write --ratio {denominator} "
                         f"or --ratio {variable}/{denominator}")
    return denominator


def other_statistic(data, design, variable: str, by, compare: bool, other: OtherStatistic, level: float,
                    result: dict):
    """Quantiles (R's svyquantile) or a ratio of totals (svyratio) of VAR, in every group of --by."""
    from fjernarbeid.survey import svyby, svyquantile, svyratio

    numeric_column(data, variable, "VAR")  # text that is not a number: named by line
    if other.quantiles:
        result["statistic"], result["ci_method"] = "quantile", other.interval
        options = {"quantiles": other.quantiles, "interval": other.interval, "level": level}
        return svyby(design, svyquantile, by, variable, **options) if by else svyquantile(design, variable, **options)
    numeric_column(data, other.denominator, "--ratio")
    result["statistic"], result["ci_method"], result["denominator"] = "ratio", "t", other.denominator
    if by:
        return svyby(design, svyratio, by, variable, other.denominator, covmat=compare, level=level)
    return svyratio(design, variable, other.denominator, level=level)


def _multiple_response(design, q, by, include_missing, ci, level, labels) -> list[dict[str, Any]]:
    """The share of respondents choosing each choice of ``q`` and each choice's share of all choices
    (:func:`~fjernarbeid.survey.estimate.svymultiple`), in the whole sample or in every group of ``by``."""
    from dataclasses import replace

    from fjernarbeid.data.multiple import for_analysis, option_indicators
    from fjernarbeid.survey import svymultiple

    values = design.column(q.name)
    if not include_missing:
        values = for_analysis(values, q)
    indicators = option_indicators(values, q, include_missing=include_missing)
    codes = {q.option_column(c): c for c in (q.valid_codes if include_missing else q.substantive_codes)}
    d = replace(design, data=design.data.assign(**{c: indicators[c].to_numpy() for c in indicators.columns}))
    groups: list[tuple[dict, Any]] = [({}, d)]
    if by:
        g = design.column(by)
        groups = [({by: value}, d.domain((g == value).fillna(False).to_numpy(dtype=bool) & d.in_domain))
                  for value in sorted(g.dropna().unique())]
    rows = []
    for group, part in groups:
        for choice in svymultiple(part, list(codes), ci=ci, level=level):
            r, share = choice.respondents, choice.responses
            code = codes[choice.column]
            chosen = int((part.in_domain & (indicators[choice.column].to_numpy() == 1)).sum())
            rows.append({"category": code, "label": labels.get(q.name, {}).get(code), "column": choice.column,
                         "estimate": r.estimate, "se": r.se, "ci_low": r.ci_low, "ci_high": r.ci_high, "deff": r.deff,
                         "df": r.df, "n_unweighted": r.n_unweighted, "weighted_base": r.weighted_base,
                         "n_chosen": chosen, "share_of_responses": share.estimate, "share_of_responses_se": share.se,
                         "group": group,
                         "group_labels": {k: labels.get(k, {}).get(_code(v)) for k, v in group.items()}})
    return rows


def group_differences(estimates, level: float, design, by: str, grouped, answered: np.ndarray) -> list[dict[str, Any]]:
    """Every pair of groups of ``svyby(…, covmat=True)`` estimates: second minus first (per category for
    shares), as R's ``svyttest(y ~ group)`` on the two groups' rows: the difference with its SE from the
    covariance of the two groups' estimates (``svycontrast``; the same SE as svyttest's regression), a t
    interval and the t test on svyttest's df, the design df of the pair's rows with an answer − 1 (R's
    ``svyglm`` df.residual: two coefficients).

    Each pair's estimates are made again on the pair's rows with an answer (``grouped``), the design
    svyttest's regression has: with ``lonely_psu="average"`` R averages over the strata of that design (the
    SE differs from the one of all the groups' covariance then; otherwise it is the same).
    """
    from dataclasses import replace
    from itertools import combinations

    from fjernarbeid.survey import contrast_test, svycontrast

    groups = list(dict.fromkeys(r.group for r in estimates.rows))
    values = design.column(by)
    pairs = {}
    for first, second in combinations(groups, 2):
        in_pair = design.in_domain & values.isin([first[0][1], second[0][1]]).to_numpy()
        rows = design.domain(in_pair & answered)
        pairs[first, second] = replace(grouped(rows), df=rows.degrees_of_freedom() - 1)
    out = []
    for category in dict.fromkeys(r.category for r in estimates.rows):
        for (first, second), pair in pairs.items():
            where = {r.group: i for i, r in enumerate(pair.rows) if r.category == category}
            if first not in where or second not in where:
                continue
            weights = np.zeros(len(pair.rows))
            weights[where[second]], weights[where[first]] = 1.0, -1.0
            (diff,) = svycontrast(pair, weights, level=level)
            t, p = contrast_test(diff)
            out.append({"first": {k: v for k, v in first}, "second": {k: v for k, v in second},
                        "category": category, "difference": diff.estimate, "se": diff.se,
                        "ci_low": diff.ci_low, "ci_high": diff.ci_high, "t": t, "df": diff.df, "p_value": p})
    return out


def _without_empty_groups(design, variable: str, group: str):
    """The design without the groups of ``group`` where nobody answered ``variable`` (they have no
    estimate; one such group must not stop the table of the others), and those groups' values."""
    values = design.column(group).reset_index(drop=True)
    answered = design.column(variable).reset_index(drop=True).notna() & pd.Series(design.in_domain)
    present = values[pd.Series(design.in_domain) & values.notna()].unique()
    empty = [v for v in present if not answered[values == v].any()]
    if not empty:
        return design, []
    keep = ~values.isin(empty).to_numpy()
    return design.domain(keep), sorted((_code(v.item() if isinstance(v, np.generic) else v) for v in empty), key=str)


def _study_weights(data, inst, study, spec, refdata):
    """The study's weights and calibrated design (:func:`fjernarbeid.study.weight`); respondents
    who cannot be weighted are named by line."""
    from fjernarbeid.refdata import RefData
    from fjernarbeid.study import weight

    return weight(data.frame, inst, spec, RefData(refdata) if refdata else None,
                  where=lambda mask: where(data, mask))


def _non_answers(frame: pd.DataFrame, inst, names: list[str], unasked: dict | None = None
                 ) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """For each of ``names`` that is a question of the instrument: the rows with a "not sure" code,
    and the rows with an answer although the routing skipped the question.

    The convention of the report (:func:`fjernarbeid.findings.run.analysis_frame`): routing is
    evaluated on the answers as the questionnaire saw them — a filter question's "not sure" code is an
    answer, an answer the routing skipped is not, and a blank filter means not asked. A routing condition on a variable the
    file does not have is taken as met: an extract without the filter question keeps its answers.
    """
    questions = [q for q in inst if q.name in frame.columns and q.is_analysed]
    wanted = {n for n in names if n in {q.name for q in questions}}
    needed = set(wanted)
    for q in reversed(questions):  # routing refers to earlier questions: collect the filters' filters
        if q.name in needed and q.ask_if is not None:
            needed |= q.ask_if.variables
    given = pd.DataFrame(index=frame.index)  # what the routing reads: skipped answers out, "not sure" kept
    not_sure, skipped = {}, {}
    for q in questions:
        if q.name not in needed:
            continue
        if q.is_multiple:  # codes separated by spaces; "not sure" when only "don't know" codes were chosen
            from fjernarbeid.data.multiple import for_analysis

            x = frame[q.name].astype("string")
            unsure = (x.notna() & for_analysis(x, q).isna()).to_numpy(dtype=bool)
        else:
            x = pd.to_numeric(frame[q.name], errors="coerce")
            unsure = x.isin(q.missing_codes).to_numpy()
        asked = np.ones(len(x), dtype=bool)
        if q.ask_if is not None and q.ask_if.variables <= set(given.columns):
            asked = q.ask_if.evaluate(given).fillna(False).to_numpy(dtype=bool)
        not_asked = ~asked & x.notna().to_numpy() & ~unsure
        given[q.name] = x.mask(~asked)
        if q.name in wanted:
            not_sure[q.name], skipped[q.name] = unsure, not_asked
            if unasked is not None:  # the rows the routing did not ask (``unasked`` given: filled in)
                unasked[q.name] = ~asked
    return not_sure, skipped


def _rao_scott(design, row: str, col: str) -> dict[str, Any]:
    from fjernarbeid.survey.association import NegativeTableError, SingularTableError, svychisq  # when needed

    untested = {"method": "Pearson's X^2: Rao & Scott adjustment", "statistic": None, "ndf": None, "ddf": None,
                "p_value": None, "pearson": None}
    try:
        test = svychisq(design, row, col, statistic="F")
    except SingularTableError as exc:  # the table is shown; the test is said not to be computable, and why
        return {**untested, "not_computed": str(exc), "empty_cells": exc.empty}
    except NegativeTableError as exc:
        return {**untested, "not_computed": str(exc), "negative_cells": exc.negative}
    return {"method": test.method, "statistic": test.statistic, "ndf": test.ndf, "ddf": test.ddf,
            "p_value": test.p_value, "pearson": test.pearson}


def _left_out(values: pd.Series, counted: np.ndarray, not_sure, skipped, include_missing: bool) -> dict[str, int]:
    """How many of the ``counted`` rows have no usable answer: "not sure", an answer to a question
    the routing skipped, or nothing at all (none with --include-missing)."""
    if include_missing:
        return {"not_sure": 0, "skipped": 0, "empty": 0}
    none = np.zeros(len(values), dtype=bool)
    not_sure = none if not_sure is None else not_sure
    skipped = none if skipped is None else skipped
    empty = values.isna().to_numpy() & ~not_sure & ~skipped
    return {"not_sure": int((not_sure & counted).sum()), "skipped": int((skipped & counted).sum()),
            "empty": int((empty & counted).sum())}


def _not_sure_labels(inst, name: str, lang: str) -> list[str]:
    """The labels of a question's "not sure" codes, as the questionnaire words them in ``lang``."""
    if name not in inst:
        return []
    q = inst[name]
    return list(dict.fromkeys(q.code(code).label(lang) for code in q.missing_codes))


def _labels(data, inst, lang: str) -> dict[str, dict]:
    labels = {k: dict(v) for k, v in (data.value_labels or {}).items()}
    for k, v in inst.value_labels(lang).items():
        labels.setdefault(k, {}).update(v)
    return labels


def _reference(inst, name: str, lang: str) -> str:
    """A question as running text names it ('spm. 14', 'Q14'); any other variable by its name."""
    from fjernarbeid.i18n import message

    if name in inst and getattr(inst[name], "number", None):
        return message("report", "question_ref", lang, number=inst[name].number)
    return name


def _variable_label(data, inst, name: str, lang: str) -> str | None:
    return inst.variable_labels(lang).get(name) or (data.variable_labels or {}).get(name)


def _code(value):
    """Categories as the label dictionaries key them (integer codes)."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    if isinstance(value, str):
        try:
            return int(value)
        except ValueError:
            return value
    return value


def p_text(p: float | None, lang: str, bare: bool = False) -> str:
    """'p = 0,023', 'p < 0,001' (see :func:`fjernarbeid.cli.tab_render.p_text`)."""
    from fjernarbeid.cli.tab_render import p_text as text

    return text(p, lang, bare)


def register(app: typer.Typer) -> None:
    app.command("tab", help=paragraphs(HELP))(tab_command)

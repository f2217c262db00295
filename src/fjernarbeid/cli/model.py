"""``fjernarbeid model FILE "y ~ a + b"``: a design-based regression model with a test for every term."""

from __future__ import annotations

import enum
import json
import math
import re
from pathlib import Path
from typing import Annotated, Any, Optional

import typer

from fjernarbeid.cli._console import echo_text
from fjernarbeid.cli._calibration import CalibrationMethod
from fjernarbeid.cli._options import Language, completes_only_option, paragraphs, refdata_option
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
    column_hint,
    derive_available,
    fail,
    json_ready,
    missing_as_na,
    parse_na_values,
    questionnaire_for,
    refuse_the_studys_weighting,
    read_data,
    require_columns,
    shown_warnings,
    stage_columns,
    warn_if_invalid,
    warning_line,
)
from fjernarbeid.cli.tab import LonelyPsu, OutputFormat
from fjernarbeid.errors import FjernarbeidError
from fjernarbeid.i18n import message


class Family(str, enum.Enum):
    gaussian = "gaussian"
    binomial = "binomial"
    ordinal = "ordinal"
    poisson = "poisson"
    quasipoisson = "quasipoisson"
    gamma = "Gamma"


class Link(str, enum.Enum):
    logistic = "logistic"
    probit = "probit"
    cloglog = "cloglog"
    cauchit = "cauchit"


class TermTestMethod(str, enum.Enum):
    wald = "wald"
    lrt = "lrt"


HELP = """Fit a regression model to survey data with design-based standard errors (R's svyglm and svyolr) and
test every term of the formula (R's regTermTest).

FORMULA is written as in R: "y ~ a + b", "y ~ a * b" (main effects and interaction), "y ~ C(code)"
(a numeric code as categories). Text columns and the questionnaire's single-choice questions are
categorical (dummies against the first category), as are coded variables with value labels
(age_group, labelled SPSS and Stata variables); other numbers enter as they are.

--family gaussian is linear regression; binomial is logistic regression of a 0/1 outcome (or
--event VALUE: the outcome equals VALUE); ordinal is the proportional-odds model of an ordered
outcome (--link logistic, probit, cloglog or cauchit); poisson and quasipoisson model counts (log
link); Gamma positive amounts (inverse link).

An ordinal outcome of numbers is ordered by its values, one of categories with an order (a labelled
SPSS or Stata variable) by that order. Text has no order of its own: give it lowest first with
--levels low,mid,high,top (every value of the outcome, once each); without --levels text is ordered
by character code (as R's factor() in the C locale: capitals before small letters, Å before Æ and
Ø), with a warning naming that order.

Every term gets a test that all its coefficients are zero: the design-based Wald F test, or with
--test lrt the Rao-Scott working likelihood-ratio test (not for ordinal models). The table shows
what R's regTermTest(method = "LRT") prints as "Working 2logLR": the deviance difference (R's chisq)
over the mean of the eigenvalues λ (R's lambda, the design effects of the term's coefficients); a note
under the table gives chisq, λ and the scale factors λ/mean(λ) R prints. In the JSON output statistic
is chisq (R's $chisq, as regTermTest returns it), beside working_2logLR, mean_lambda, lambdas and
scale_factors. The p-value is R's, from chisq and λ.

The design options are those of `fjernarbeid tab` (--weight or --probs, --strata, --cluster psu[,ssu],
--fpc N1[,N2], --nest, --lonely-psu, --study-weighting), and so is --targets FILE on a file that is not
the study's survey: the design calibrated to population totals of the file's own columns (post-stratified,
raked, or with --weighting linear|logit calibrated, as R's postStratify, rake and calibrate; see tab
--help). So are its replicate weights: --repweights COLS (the
file's replicate weight columns, a list or a regular expression such as "PWGTP[0-9]+", with --weight the
full-sample weight) with --rep-type BRR (R's default), Fay, JK1, JKn, bootstrap, SDR, ACS, JK2 or other, --rep-scale,
--rep-rscales, --fay-rho and --mse, or --replicates TYPE (made from the design, R's as.svrepdesign); every
replicate refits the model (R's svyglm and svyolr on a svrepdesign), and the residual df is the rank of the
replicate weights − the number of coefficients (R's degf + 1 − p).

Rows with a missing value in any variable of the formula are left
out (R's na.omit) and counted; for the study's questions "not sure" codes and answers the routing
skipped count as missing. Blank cells and NA are missing (--na-values).

Exit code: 0 done, 1 the data break a rule, 2 wrong usage (an unknown column, a bad formula), 3 the
file cannot be read, 4 a --refdata directory that does not exist, 5 the model cannot be estimated
(a collinear predictor, an outcome that does not fit the family).
"""


def model_command(
    file: Annotated[Path, typer.Argument(help="The data file.", show_default=False)],
    formula: Annotated[str, typer.Argument(metavar="FORMULA", help='The model, e.g. "y ~ a + b".',
                                           show_default=False)],
    family: Annotated[Family, typer.Option("--family", help="gaussian, binomial, ordinal, poisson, quasipoisson "
                                           "or Gamma.")] = Family.gaussian,
    event: Annotated[Optional[str], typer.Option(
        "--event", help="binomial: the outcome value that counts as 1 (a code, or a choice name or label of a "
        "question; all others 0).", show_default=False)] = None,
    link: Annotated[Link, typer.Option("--link", help="ordinal: logistic, probit, cloglog or cauchit.")] = Link.logistic,
    levels: Annotated[Optional[str], typer.Option(
        "--levels", metavar="A,B,C", help="ordinal: the order of a text outcome's values, lowest first "
        "(e.g. low,mid,high,top); every value of the outcome, once each.", show_default=False)] = None,
    test: Annotated[TermTestMethod, typer.Option(
        "--test", help="Test of each term: wald (F) or lrt (Rao-Scott likelihood ratio).")] = TermTestMethod.wald,
    study_weighting: Annotated[bool, typer.Option(
        "--study-weighting", help="Weight as the report does and use that calibrated design.")] = False,
    weighting: Annotated[Optional[CalibrationMethod], typer.Option(
        "--weighting", help="The study's weighting with another method (implies --study-weighting; none: "
        "unweighted). With --targets on any other file: poststratify (default for one variable or a cross), rake "
        "(default for several margins), linear or logit.", show_default=False)] = None,
    targets: Annotated[Optional[Path], typer.Option(
        "--targets", help=TARGETS_HELP + " On a file that is not the study's survey: population totals of the "
        "file's own columns, to which the design of the other options is calibrated (as tab --targets).",
        show_default=False)] = None,
    bounds: Annotated[Optional[str], typer.Option(
        "--bounds", metavar="LO,HI", help="--weighting linear or logit on a file's own columns: the limits of the "
        "g-weights, as R's calibrate(…, bounds = c(LO, HI)).", show_default=False)] = None,
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
        "--lonely-psu", help="Strata with one PSU: fail, remove, adjust, average or certainty.")] = LonelyPsu.fail,
    level: Annotated[float, typer.Option("--level", min=0.5, max=0.999, help="Confidence level.")] = 0.95,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="text: tables; json: every number at full precision, to stdout.")] = OutputFormat.text,
    lang: Annotated[Language, typer.Option(
        "--lang", help="Language of the text output (its words, numbers, and the questionnaire's labels for "
        "variables and categories); JSON keeps its keys and adds the labels.")] = Language.nb,
    refdata: Annotated[Optional[Path], refdata_option(
        "Reference-data directory, to derive municipality, county and centrality from the postal code.")] = None,
    instrument: Annotated[Optional[Path], typer.Option(
        "--instrument", help="Questionnaire (YAML or XLSForm .xlsx); default: the study's.")] = None,
    mapping: Annotated[Optional[Path], typer.Option(
        "--mapping", help="Column mapping, YAML or CSV with columns source,target.")] = None,
    sheet: Annotated[Optional[str], typer.Option("--sheet", help="Excel sheet to read (default: the first).")] = None,
    completes_only: Annotated[bool, completes_only_option()] = False,
    na_values: Annotated[Optional[str], typer.Option(
        "--na-values", help="Comma-separated texts that mean a missing value (default: NA); blank cells are "
        "always missing.", show_default=False)] = None,
    where_expr: Annotated[Optional[list[str]], typer.Option(
        "--where", metavar="EXPR", help="Fit within the rows for which EXPR holds, as `tab --where` (a domain: "
        "R's svyglm(…, subset(design, EXPR)); a column name with dots as it is, api.stu > 500, any other in "
        "backticks). Repeated, every EXPR must hold (joined with 'and').", show_default=False)] = None,
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
        outcome, variables = formula_variables(formula)
        if event is not None and family is not Family.binomial:
            raise UsageError("--event applies to --family binomial")
        if levels is not None and family is not Family.ordinal:
            raise UsageError("--levels applies to --family ordinal (the order of its outcome's values)")
        order = _parse_levels(levels) if levels is not None else None
        if test is TermTestMethod.lrt and family is Family.ordinal:
            raise UsageError("--test lrt is not available for ordinal models; use --test wald")
        replicate = replicate_options(
            repweights=repweights, rep_type=rep_type, rep_scale=rep_scale, rep_rscales=rep_rscales, fay_rho=fay_rho,
            mse=mse, replicates=replicates, replicates_n=replicates_n, seed=seed, hadamard=hadamard, probs=probs,
            strata=strata, cluster=cluster, fpc=fpc, nest=nest, lonely_psu=lonely_psu, na_values=parse_na_values(na_values),
            calibration=("--study-weighting" if study_weighting else None, "--weighting" if weighting is not None
                         else None, "--targets" if targets is not None else None))
        use_study = study_weighting or weighting is not None or targets is not None

        def refuse_design_options():
            if any((weight, probs, strata, cluster, fpc)):
                raise UsageError("--study-weighting makes the study's design; it cannot be combined with --weight, "
                                 "--strata, --cluster or --fpc")

        if use_study and (targets is None or study_weighting):  # (with --targets: said once the file is read)
            refuse_design_options()
        chosen = load_cli_study(study_dir, instrument)
        inst = chosen.instrument
        data = read_data(file, inst, mapping, sheet, completes_only=completes_only, lang=lang.value)
        if study_weighting or (weighting is not None and targets is None):
            refuse_the_studys_weighting(data, inst, "--study-weighting" if study_weighting else "--weighting")
        inst = questionnaire_for(data, data.instrument)  # another file's own columns are not the study's (age, …)
        from fjernarbeid.cli.tab import targets_calibration

        calibration = targets_calibration(data, inst, targets, weighting, bounds, study_weighting, {})
        if calibration is None and targets is not None:
            refuse_design_options()
        use_study = use_study and calibration is None
        study = (chosen, weighting_spec(chosen, weighting, targets), refdata) if use_study else None
        warn_if_invalid(data, inst, refdata, "fjernarbeid model", lang=lang.value,
                        options={"--study": study_dir, "--instrument": instrument, "--mapping": mapping,
                                 "--sheet": sheet, "--refdata": refdata, "--completes-only": completes_only})
        from fjernarbeid.cli.tab import parse_where, refuse_unanalysed, require_where_columns

        for v in (outcome, *variables):
            refuse_unanalysed(inst, {"the outcome" if v == outcome else "the formula's variable": v})

        condition = parse_where(where_expr, inst) if where_expr else None
        where_columns = sorted(condition.variables) if condition is not None else []
        wanted = [outcome, *variables]
        if study is not None or any(c not in data.frame.columns for c in (*wanted, *where_columns)):
            from dataclasses import replace

            data = replace(data, frame=derive_available(data.frame, inst, refdata))
        for v in wanted:
            if v not in data.frame.columns:
                raise UsageError(f"{data.path}: the formula names {v!r}"
                                 f"{' as its outcome' if v == outcome else ''}, which is not a column of the file"
                                 f"{column_hint(data, v)}")
        require_columns(data, {"--weight": weight, "--probs": probs, "--strata": strata, "--cluster": cluster,
                               "--fpc": fpc})
        require_where_columns(data, condition)
        data = missing_as_na(data, (*wanted, weight or "weight", probs, strata, *stage_columns(cluster),
                                    *stage_columns(fpc), *where_columns, *(calibration.columns if calibration else ())),
                             parse_na_values(na_values))
        with shown_warnings():
            result = fit_model(data, inst, formula, outcome, variables, family=family.value, event=event,
                               link=link.value, test=test.value, level=level, lang=lang.value,
                               study=study, weight=weight, strata=strata, cluster=cluster,
                               fpc=fpc, nest=nest, lonely_psu=lonely_psu.value, probs=probs, condition=condition,
                               levels=order, calibration=calibration, replicate=replicate)
        if calibration is not None:
            from fjernarbeid.cli._calibration import warn_not_converged

            warn_not_converged(result["weighting"], lang.value)
    except FjernarbeidError as exc:
        raise fail(exc) from None
    except (ValueError, KeyError) as exc:  # a formula the parser refuses
        raise fail(UsageError(str(exc).strip("'\""))) from None
    if output_format is OutputFormat.json:
        echo_text(json.dumps(json_ready(result), ensure_ascii=False, indent=2, default=str, allow_nan=False))
    else:
        print_model(result, lang.value)


def formula_variables(formula: str) -> tuple[str, list[str]]:
    """The outcome and the predictor variables of an R-style formula (a usage error if malformed)."""
    from fjernarbeid.survey.models import _parse_formula

    if "~" in formula:  # what R's parser refuses, refused here too, before a column is looked up
        lhs, rhs = (side.strip() for side in formula.split("~", 1))
        rhs = rhs.removeprefix("+").strip()  # R reads 'y ~ + a' as 'y ~ a'
        if not rhs or any(not piece.strip() for piece in re.split(r"[+*:]", rhs)):
            raise UsageError(f"formula {formula!r} has an empty term (a '+', '*' or ':' with nothing on one "
                             "side); write 'y ~ a + b', or 'y ~ 1' for no predictors")
        if "(" in re.sub(r"\bC\([^()]*\)", "", lhs + " " + rhs) or ")" in re.sub(r"\bC\([^()]*\)", "", rhs):
            raise UsageError(f"formula {formula!r}: functions and parentheses other than C(name) are not "
                             "supported; put a transformed variable (e.g. a logarithm) in the file as a column")
    try:
        outcome, terms, _ = _parse_formula(formula)
    except ValueError as exc:
        raise UsageError(str(exc)) from None
    if not outcome:
        raise UsageError(f"formula {formula!r} needs an outcome: 'y ~ a + b'")
    return outcome, list(dict.fromkeys(v for t in terms for v in t.variables))


def fit_model(data, inst, formula: str, outcome: str, variables: list[str], *, family: str, event, link: str,
              test: str, level: float, lang: str, study, weight, strata, cluster, fpc, nest,
              lonely_psu, probs=None, condition=None, levels=None, calibration=None, replicate=None) -> dict[str, Any]:
    """Fit the model on the design the options describe and test every term."""
    from fjernarbeid.cli.tab import (WHERE_COLUMN, _non_answers, design_calibration, design_for, replicate_description,
                                     weights_description, weights_from, where_mask, within_domain)
    from fjernarbeid.survey.models import regTermTest, svyglm, svyolr

    frame = data.frame
    not_sure, skipped = _non_answers(frame, inst, [outcome, *variables])
    frame = frame.assign(**{name: frame[name].mask(not_sure[name] | skipped[name]) for name in not_sure})
    # categorical predictors: text, the questionnaire's single-choice questions and every coded
    # variable with value labels (age_group, centrality; labelled SPSS/Stata variables); a column of
    # an ordinary file that holds only numbers (read as text) is numeric
    coded = {q.name for q in inst if q.type == "single"} | set(inst.value_labels(lang)) | set(data.value_labels or {})
    frame = frame.assign(**{v: frame[v].astype("category") if v in coded else _numbers_if_numeric(frame[v])
                            for v in variables})
    outcome_order = None
    if family == "binomial":
        frame = frame.assign(**{outcome: _binary(frame[outcome], event, outcome,
                                                 inst[outcome] if outcome in inst else None, lang, data)})
    elif family == "ordinal":
        values, outcome_order = _ordered(frame[outcome], outcome, levels, data, lang)
        frame = frame.assign(**{outcome: values})
    else:
        frame = frame.assign(**{outcome: _numeric(frame[outcome], family, outcome, data)})
    if condition is not None:
        # judged on the answers as given, carried as a column so that it follows the rows the study's
        # weighting keeps (as tab --where)
        frame = frame.assign(**{WHERE_COLUMN: where_mask(condition, data.frame)})
    design, weight_source, weighting, _ = design_for(data, inst, frame, study=study, weight=weight, strata=strata,
                                                  cluster=cluster, fpc=fpc, nest=nest, lonely_psu=lonely_psu,
                                                  probs=probs, lang=lang, calibration=calibration,
                                                  replicate=replicate)
    replicated = replicate_description(design, replicate, frame.columns)  # before a domain changes its df
    within = None
    if condition is not None:
        design, within = within_domain(design, condition)
    used = [outcome, *variables]
    missing = design.data[used].isna().any(axis=1).to_numpy() & design.in_domain
    if family == "ordinal":
        model = svyolr(design, formula, link=link)
        table = model.table()
        zeta = set(model.zeta.index)
    else:
        model = svyglm(design, formula, family)
        table = model.table(level)
        zeta = set()
    q = _t_quantile(level, model.df_residual)
    naming = _Naming(data, inst, lang)
    term_of = dict(zip(model.coefficients.index, model.assign))  # 0 for the intercept, i for terms[i − 1]
    coefficients = []
    for name, row in table.iterrows():
        if name in zeta:
            label = naming.threshold(outcome, name)
        elif name == "(Intercept)":
            label = message("model", "intercept", lang)
        else:
            label = naming.coefficient(name, model.terms[term_of[name] - 1].split(":"))
        item = {"term": name, "label": label, "estimate": row["estimate"], "se": row["se"], "t": row["t"],
                "p_value": row["p"],
                "ci_low": row["estimate"] - q * row["se"], "ci_high": row["estimate"] + q * row["se"],
                "threshold": name in zeta}
        if family in ("binomial", "ordinal", "poisson", "quasipoisson") and name not in zeta \
                and (family != "ordinal" or link == "logistic") and name != "(Intercept)":
            item["exp"] = {"estimate": math.exp(item["estimate"]), "ci_low": math.exp(item["ci_low"]),
                           "ci_high": math.exp(item["ci_high"])}
        coefficients.append(item)
    tests = [regTermTest(model, term, method="LRT" if test == "lrt" else "Wald").to_dict() for term in model.terms]
    for t in tests:
        t["labels"] = [naming.term(term.split(":")) for term in t["terms"]]
    labels = _label_of(data, inst, lang)
    result = {
        "file": str(data.path), "formula": formula, "family": family, "link": link if family == "ordinal" else None,
        "event": event, "outcome": outcome, "outcome_label": labels.get(outcome),
        # ordinal: the outcome's values lowest first, and where that order comes from
        "outcome_levels": outcome_order[0] if outcome_order else None,
        "outcome_order": outcome_order[1] if outcome_order else None,
        "weights": weight_source, "weights_from": weights_from(weight_source, weighting, probs, fpc),
        "weighting": weighting,
        "design": {"strata": strata, "cluster": cluster, "fpc": fpc, "nest": nest, "lonely_psu": lonely_psu,
                   "rows": design.n, "calibrated": design.is_calibrated, **design_calibration(weighting)},
        "where": within,
        "n": int(model.n), "left_out": int(missing.sum()), "df_residual": int(model.df_residual),
        "level": level, "coefficients": coefficients, "tests": tests,
        "exp_name": {"binomial": "odds ratio", "ordinal": "odds ratio", "poisson": "rate ratio",
                     "quasipoisson": "rate ratio"}.get(family),
        "variable_labels": {v: labels.get(v) for v in used if labels.get(v)},
        # the short names the coefficients use for these variables; the text of those named by number
        "variable_names": {v: naming.variable(v) for v in used},
        "variable_key": {naming.variable(v): naming.key(v) for v in used if naming.key(v)},
        "event_label": naming.category(outcome, event) if event is not None else None,
        "lang": lang,
    }
    if replicated:
        result["design"]["replicate"] = replicated
    return result | weights_description(result, lang)  # where the weights come from, as tab says it


# A variable's label as the coefficient's name when it is at most this long ('Kjønn: Kvinne'); a longer
# question is named by its number ('spm. 10_1: Delvis enig'), its text under the table.
SHORT_LABEL = 40


class _Naming:
    """Coefficients and terms as a reader knows them: 'Kjønn: Kvinne' for R's ``kjonn2``, 'Aldersgruppe:
    30-34 år × Kjønn: Kvinne' for ``age_group2:kjonn2``, a threshold '1|2' by its two categories'
    labels. Without any label (an ordinary file's column) a coefficient keeps R's name (``stypeH``)."""

    def __init__(self, data, inst, lang: str):
        from fjernarbeid.cli.tab import _labels

        self.data, self.inst, self.lang = data, inst, lang
        self.values = _labels(data, inst, lang)
        self.full = _label_of(data, inst, lang)

    def _text(self, name: str) -> str | None:
        """The variable's own words: a question's text (without its number), else its label."""
        if name in self.inst and getattr(self.inst[name], "label", None):
            return self.inst[name].label(self.lang)
        return self.full.get(name)

    def _short(self, name: str) -> str | None:
        text = self._text(name)
        short = text.split(" (")[0].strip().rstrip("?:").strip() if text else ""
        return short if short and len(short) <= SHORT_LABEL else None

    def variable(self, name: str) -> str:
        short = self._short(name)
        if short:
            return short
        number = getattr(self.inst[name], "number", None) if name in self.inst else None
        if number and number != name:  # a question without a number of its own is named by its name
            return message("report", "question_ref", self.lang, number=number)
        return name

    def key(self, name: str) -> str | None:
        """The full text of a variable the coefficients name by its number or name only."""
        return None if self._short(name) else self._text(name)

    def labelled(self, name: str) -> bool:
        return bool(self._text(name) or self.values.get(name))

    def category(self, name: str, level) -> str:
        from fjernarbeid.cli.tab import _code

        labels = self.values.get(name, {})
        return str(labels.get(_code(level), labels.get(str(level), level)))

    def coefficient(self, coefficient: str, variables: list[str]) -> str:
        """``kjonn2`` → 'Kjønn: Kvinne'; an interaction's parts joined by ' × '; a number's slope by the
        variable's name alone."""
        levels = _split_coefficient(coefficient, variables)
        if levels is None or not any(self.labelled(v) for v in variables):
            return coefficient
        return " × ".join(self.variable(v) + (f": {self.category(v, level)}" if level else "")
                          for v, level in zip(variables, levels))

    def term(self, variables: list[str]) -> str:
        return " × ".join(self.variable(v) for v in variables)

    def threshold(self, outcome: str, name: str) -> str:
        """R's '1|2' between two categories of the outcome, by their labels."""
        lower, _, upper = name.partition("|")
        if not self.values.get(outcome):
            return message("model", "threshold", self.lang, levels=name)
        return message("model", "threshold", self.lang,
                       levels=f"{self.category(outcome, lower)} | {self.category(outcome, upper)}")


def _split_coefficient(coefficient: str, variables: list[str]) -> list[str] | None:
    """The level of each variable in a coefficient's name as R makes it — the variable's name followed by
    its level, joined by ':' (``age_group2:kjonn2`` → ['2', '2']; a numeric variable's level is '')."""
    pattern = ":".join(re.escape(v) + "(.*?)" for v in variables)
    match = re.fullmatch(pattern, coefficient, flags=re.DOTALL)
    return list(match.groups()) if match else None


def _numbers_if_numeric(values):
    import pandas as pd

    if pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values):
        return values
    numbers = pd.to_numeric(values, errors="coerce")
    return numbers if not (numbers.isna() & values.notna()).any() else values


def _t_quantile(level: float, df: int) -> float:
    from fjernarbeid.survey._distributions import t_ppf

    return float(t_ppf(0.5 + level / 2, df)) if df > 0 else float("nan")


def _binary(values, event, outcome: str, question=None, lang: str = "nb", data=None):
    """0/1 for a binomial outcome: equal to --event, or the values themselves if they are 0/1.

    For a question of the questionnaire --event may also be a choice name or label (``ja``, ``Ja``: the
    file holds its code); an --event no answer equals is an error, never an outcome of zeros."""
    import numpy as np
    import pandas as pd

    if event is not None:
        present = values.notna().to_numpy()
        text = values.astype(str).str.strip().to_numpy()
        key = str(event).strip()
        if question is not None and question.codes:
            names = question.codes_by_name()
            labels = {label.casefold(): c.code for c in question.codes for label in c.labels.values()}
            code = names.get(key, labels.get(key.casefold()))
            if code is not None:
                key = str(code)
        numbers = pd.to_numeric(pd.Series(text), errors="coerce").to_numpy(dtype=float)
        try:
            hit = (numbers == float(key)) | (text == key)
        except ValueError:
            hit = text == key
        if not (hit & present).any():
            seen = ", ".join(map(str, sorted(set(text[present]), key=lambda v: (len(v), v))[:12]))
            known = (f"; its choices: {', '.join(f'{c.code} = {c.name or c.label(lang)}' for c in question.codes)}"
                     if question is not None and question.codes else "")
            raise UsageError(f"--event {event!r}: no answer to {outcome} equals it (its values: {seen}){known}")
        return pd.Series(np.where(present, hit.astype(float), np.nan), index=values.index)
    numbers = pd.to_numeric(values, errors="coerce")
    bad = values.notna() & ~numbers.isin([0, 1])
    if bad.any():
        raise UsageError(f"{_in_file(data)}--family binomial needs a 0/1 outcome, but the outcome column {outcome!r} "
                         f"has other values ({_some(values[bad])}){_at_rows(data, bad)}: give --event VALUE to say "
                         "which value counts as 1")
    return numbers


def _in_file(data) -> str:
    return f"{data.path}: " if data is not None else ""


def _at_rows(data, mask) -> str:
    """' at line 2, line 5 … (12 in all)': where a rule is broken, as the file numbers its rows."""
    if data is None:
        return ""
    from fjernarbeid.cli._survey_input import where

    return f" at {where(data, mask.to_numpy(dtype=bool), limit=3)}"


def _some(values, shown_at_most: int = 3) -> str:
    """"'No', 'Yes'": the distinct values, in the order of the file, the first few."""
    from fjernarbeid.survey.design import shown

    seen = list(dict.fromkeys(values.tolist()))
    return ", ".join(shown(v) for v in seen[:shown_at_most]) + (" …" if len(seen) > shown_at_most else "")


def _numeric(values, family: str, outcome: str, data=None):
    """The outcome of a gaussian, poisson, quasipoisson or Gamma model as numbers; text is an error naming
    the file, the column, the value and its rows."""
    import pandas as pd

    numbers = pd.to_numeric(values, errors="coerce")
    bad = numbers.isna() & values.notna()
    if bad.any():
        raise UsageError(f"{_in_file(data)}--family {family} needs a numeric outcome, but the outcome column "
                         f"{outcome!r} has text ({_some(values[bad])}){_at_rows(data, bad)}; for an outcome with "
                         "two values use --family binomial --event VALUE, for ordered categories --family ordinal")
    return numbers


def _parse_levels(text: str) -> list[str]:
    """``--levels low,mid,high``: the values lowest first, each once."""
    order = [part.strip() for part in text.split(",")]
    if len(order) < 2 or any(not part for part in order):
        raise UsageError(f"--levels {text!r}: give the outcome's values lowest first, separated by commas "
                         "(e.g. --levels low,mid,high), none of them empty")
    twice = sorted({v for v in order if order.count(v) > 1})
    if twice:
        raise UsageError(f"--levels {text!r} names {', '.join(map(repr, twice))} more than once")
    return order


def _ordered(values, outcome: str, levels: list[str] | None, data=None, lang: str = "en"):
    """The outcome of an ordinal model and (its values lowest first, where that order comes from).

    Numbers are ordered by value and categories with an order of their own (a labelled SPSS or Stata
    variable) by it, as before. Text is ordered as ``--levels`` says — every value present, nothing else —
    or, without it, by character code (sorted()), with a warning naming that order."""
    import pandas as pd

    from fjernarbeid.cli._console import console
    from fjernarbeid.survey.design import shown

    numbers = pd.to_numeric(values, errors="coerce")
    if not (numbers.isna() & values.notna()).any():
        if levels is not None:
            raise UsageError(f"{_in_file(data)}--levels orders a text outcome; the outcome column {outcome!r} holds "
                             "numbers, which are ordered by their values (leave --levels out)")
        present = sorted(numbers.dropna().unique())
        return numbers, ([float(x) if not float(x).is_integer() else int(x) for x in present], "numeric")
    is_categorical = isinstance(values.dtype, pd.CategoricalDtype)
    if is_categorical and values.cat.ordered and levels is None:
        used = set(values.dropna().unique())
        return values, ([str(c) for c in values.cat.categories if c in used], "categories")
    text = values.astype("string").str.strip().astype(object).where(values.notna())
    present = list(dict.fromkeys(text.dropna()))
    if levels is None:
        order = sorted(present)
        console(stderr=True).print(warning_line(message(
            "model", "levels_alphabetical", lang, outcome=outcome, order=" < ".join(order),
            levels=",".join(order)), lang), highlight=False)
        how = "alphabetical"
    else:
        missing = [v for v in present if v not in levels]
        extra = [v for v in levels if v not in present]
        if missing or extra:
            problems = []
            if missing:
                problems.append(f"it does not name {', '.join(shown(v) for v in sorted(missing))}, which the outcome "
                                "has")
            if extra:
                problems.append(f"it names {', '.join(shown(v) for v in extra)}, which no row of the outcome has")
            raise UsageError(f"{_in_file(data)}--levels {','.join(levels)} does not match the values of the outcome "
                             f"column {outcome!r}: {'; '.join(problems)} (its values: "
                             f"{', '.join(shown(v) for v in sorted(present))})")
        order = list(levels)
        how = "--levels"
    return pd.Series(pd.Categorical(text, categories=order, ordered=True), index=values.index), (order, how)


def _label_of(data, inst, lang: str) -> dict[str, str]:
    return {**(data.variable_labels or {}), **inst.variable_labels(lang)}


# -- text output ---------------------------------------------------------------------------------


def _fmt(x, lang: str, digits: int = 3) -> str:
    """A coefficient as the language writes it ('1 234,568'); a small one with three significant digits
    ('0,000123', not '0,000'), a tiny one in scientific notation."""
    from fjernarbeid.i18n import fmt_number

    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    if x == 0 or abs(x) >= 10 ** -digits:
        return fmt_number(x, lang, digits)
    decimals = digits - 1 - math.floor(math.log10(abs(x)))
    if decimals > 10:
        from babel.numbers import format_scientific

        from fjernarbeid.i18n import _locale

        return format_scientific(x, "0.##E0", locale=_locale(lang))
    return fmt_number(x, lang, decimals)


def _p(p, lang: str) -> str:
    """A p-value with four decimals in every row, so a column of them lines up and compares at a glance."""
    from fjernarbeid.i18n import fmt_number

    if p is None or (isinstance(p, float) and math.isnan(p)):
        return "–"
    return fmt_number(p, lang, 4) if p >= 1e-4 else f"< {fmt_number(1e-4, lang, 4)}"


def _stat(x, lang: str) -> str:
    """A t or F statistic with two decimals (never a negative zero)."""
    from fjernarbeid.i18n import fmt_number

    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    return fmt_number(x, lang, 2)


def _interval(low, high, lang: str) -> str:
    """'0,740 – 1,570'; with a negative end '-0,400 til -0,230', as tab writes intervals."""
    a, b = _fmt(low, lang), _fmt(high, lang)
    if a.startswith(("-", "\u2212")) or b.startswith(("-", "\u2212")):
        return f"{a} {message('numbers', 'interval_to', lang)} {b}"
    return f"{a} – {b}"


def _family_text(result: dict[str, Any], lang: str) -> str:
    link = message("model", f"link_{result['link']}", lang) if result["link"] else ""
    return message("model", f"family_{result['family']}", lang, link=link)


def print_model(result: dict[str, Any], lang: str = "nb") -> None:
    """The model in ``lang``: every word from the message catalogue (context ``model``; the data and
    design sentence is tab's), numbers as the language writes them, coefficients and terms by the
    questionnaire's labels."""
    from rich.table import Table

    from fjernarbeid.cli._console import console as make_console
    from fjernarbeid.cli.tab_render import _design_text, _weights_text, num, say, t

    def say_model(key: str, **kw) -> None:
        say(console, message("model", key, lang, **kw))

    console = make_console()
    say(console, message("model", "heading", lang, formula=result["formula"], family=_family_text(result, lang)),
        "bold")
    outcome = result["variable_names"].get(result["outcome"], result["outcome"])
    if result.get("event") is not None:
        say_model("event", outcome=outcome, value=result.get("event_label") or result["event"])
    else:
        say_model("outcome", outcome=outcome)
    say(console, t("source", lang, file=result["file"], weights=_weights_text(result, lang),
                   design=_design_text(result["design"], lang)))
    if result.get("where"):
        say(console, t("within", lang, expression=result["where"]["expression"], n=num(result["where"]["n"], lang, 0)))
    say_model("rows", n=num(result["n"], lang, 0), left_out=num(result["left_out"], lang, 0),
              df=num(result["df_residual"], lang, 0))
    ci = message("model", "ci", lang, level=round(result["level"] * 100))
    table = Table(show_edge=False)
    for name in (message("model", "coefficient", lang), message("model", "estimate", lang), t("se", lang), "t", "p",
                 ci):
        table.add_column(name, justify="right", no_wrap=True)
    table.columns[0].justify, table.columns[0].no_wrap = "left", False
    for c in result["coefficients"]:
        table.add_row(c["label"], _fmt(c["estimate"], lang), _fmt(c["se"], lang), _stat(c["t"], lang),
                      _p(c["p_value"], lang), _interval(c["ci_low"], c["ci_high"], lang))
    console.print(table)
    rows = [c for c in result["coefficients"] if "exp" in c]
    if result["exp_name"] and rows:
        ratios = Table(show_edge=False)
        exp_name = message("model", "exp_odds" if result["exp_name"] == "odds ratio" else "exp_rate", lang)
        for name in (message("model", "coefficient", lang), exp_name, ci):
            ratios.add_column(name, justify="right", no_wrap=True)
        ratios.columns[0].justify, ratios.columns[0].no_wrap = "left", False
        for c in rows:
            e = c["exp"]
            ratios.add_row(c["label"], _fmt(e["estimate"], lang), _interval(e["ci_low"], e["ci_high"], lang))
        console.print(ratios)
    tests = Table(title=message("model", "tests_title", lang), title_justify="left", show_edge=False)
    for name in ("term", "test", "statistic"):
        tests.add_column(message("model", name, lang), justify="right" if name == "statistic" else "left")
    tests.add_column(t("df", lang), justify="right")
    tests.add_column("p", justify="right")
    for test in result["tests"]:
        wald = test["method"] == "Wald"
        what = message("model", "test_wald" if wald else "test_lrt", lang)
        df = (f"{num(test['df'], lang, 0)}; {_fmt(test['ddf'], lang, 0)}" if wald
              else message("model", "ddf", lang, df=num(test["df"], lang, 0), ddf=_fmt(test["ddf"], lang, 0)))
        shown = test["statistic"] if wald else test.get("working_2logLR", test["statistic"])  # as R prints it
        tests.add_row(", ".join(test["labels"]), what, _fmt(shown, lang), df, _p(test["p_value"], lang))
    console.print(tests)
    for test in result["tests"]:  # the LRT's statistic as R prints it, and what it is made of
        if test["method"] == "LRT" and test.get("chisq") is not None:
            say(console, _lrt_note(test, lang), "dim")
    for short, text in result["variable_key"].items():  # the questions named by their number above
        say(console, f"{short}: {text}", "dim")


def _signif(x, lang: str, digits: int = 2) -> str:
    """x to ``digits`` significant digits, as R's signif() (R prints the scale factors so)."""
    from fjernarbeid.i18n import fmt_number

    if x is None or not math.isfinite(x):
        return "–"
    if x == 0:
        return fmt_number(0, lang, 0)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    return fmt_number(round(x, decimals), lang, decimals)


def _lrt_note(test: dict[str, Any], lang: str) -> str:
    """'race: Working 2logLR = chisq / mean λ = 8.197 / 2.119 = 3.869; λ (eigenvalues): 4.872, 0.945, 0.539;
    scale factors λ / mean λ: 2.3, 0.45, 0.25' — R's print of regTermTest(method = "LRT") and its object."""
    return message("model", "lrt_note", lang, term=", ".join(test["labels"]), chisq=_fmt(test["chisq"], lang),
                   mean=_fmt(test["mean_lambda"], lang), working=_fmt(test["working_2logLR"], lang),
                   lambdas="; ".join(_fmt(x, lang) for x in test["lambdas"]),
                   scale="; ".join(_signif(x, lang) for x in test["scale_factors"]))


def register(app: typer.Typer) -> None:
    app.command("model", help=paragraphs(HELP))(model_command)

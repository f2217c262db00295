"""Replicate-weight designs on the command line of ``tab`` and ``model``.

``--repweights SPEC`` reads the replicate weights a file carries (R's ``svrepdesign(repweights =, weights =,
type =, combined.weights = TRUE)``): SPEC is a comma-separated list of columns or a regular expression that
whole column names match (``PWGTP[0-9]+``), ``--weight`` the full-sample weight. The columns hold replicate
weights, so each row's multiplier is its replicate weight over its full-sample weight (0/0 = 0: a row outside
the design). ``--rep-type`` and the defaults of scale and rscales are R's svrepdesign's:

=============================  ==========================  =========================================
type (R's ``type``)            scale                        rscales
=============================  ==========================  =========================================
BRR (R's default)              1/R                          1
Fay (needs ``--fay-rho``)      1/(R (1 − ρ)²)               1
JK1                            (R − 1)/R unless given       1 unless given
JKn                            1 unless given               must be given (R: "Must provide rscales")
bootstrap                      1/(R − 1) unless given       1 unless given
SDR, ACS (successive-diff.)    4/R                          1
JK2                            1                            1
other                          1 unless given               1 unless given
=============================  ==========================  =========================================

R ignores (with a warning) a scale or rscales the type fixes; here that is a usage error, since the numbers a
user gave would silently not be used. ``--mse`` centres the squared deviations on the full-sample estimate
(R's ``mse = TRUE``; R's default is ``getOption("survey.replicates.mse")``, FALSE).

``--replicates TYPE`` makes replicate weights from the linearisation design the other options describe (R's
``as.svrepdesign``): JK1 (no strata), JKn, BRR and Fay (strata; two PSUs each for BRR and Fay), bootstrap
(``--replicates-n``, ``--seed``: its draws are not R's, whose random stream is R's own), and JK2 and SDR of the
Python API. BRR, Fay and SDR use a Hadamard matrix: the API's (Sylvester's, Paley's) unless ``--hadamard FILE``
gives one (R's ``write.csv(hadamard(n), row.names = FALSE)`` reproduces R's as.svrepdesign); a total's variance is
the same with any, a mean's or share's is not, and the design line says which was used.

Degrees of freedom are R's ``degf``: the rank of the replicate weights (of the rows in the domain or group)
minus one; intervals and tests use them as the linearisation designs' do.
"""

from __future__ import annotations

import enum
import math
import re
from dataclasses import dataclass, replace
from typing import Any, Callable

import typer

from fjernarbeid.cli._lazy import lazy_module
from fjernarbeid.cli._survey_input import UsageError, missing_as_na, numeric_column, where
from fjernarbeid.errors import DataValidationError

np = lazy_module("numpy")


class RepType(str, enum.Enum):
    """What the replicate weight columns are (R's svrepdesign ``type``)."""

    BRR = "BRR"
    Fay = "Fay"
    JK1 = "JK1"
    JKn = "JKn"
    bootstrap = "bootstrap"
    SDR = "SDR"
    successive_difference = "successive-difference"
    ACS = "ACS"
    JK2 = "JK2"
    other = "other"


class ReplicatesFrom(str, enum.Enum):
    """The replicate weights ``--replicates`` makes from a design (R's as.svrepdesign ``type``)."""

    auto = "auto"
    JK1 = "JK1"
    JKn = "JKn"
    BRR = "BRR"
    Fay = "Fay"
    bootstrap = "bootstrap"
    JK2 = "JK2"
    SDR = "SDR"


DEFAULT_REP_TYPE = "BRR"  # R: svrepdesign(type = c("BRR", "Fay", "JK1", …)), the first
FIXED_SCALE = {"BRR": "1/R", "Fay": "1/(R (1 − ρ)²)", "SDR": "4/R", "ACS": "4/R", "JK2": "1"}
DEFAULT_BOOTSTRAP_REPLICATES = 50  # R's as.svrepdesign(type = "bootstrap"): replicates = 50
SHOWN_COLUMNS = 3  # more replicate columns than this are named first … last


def repweights_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--repweights", metavar="COLS", show_default=False,
        help="Replicate weight columns, a comma-separated list or a regular expression that whole column names "
        "match (\"PWGTP[0-9]+\"; refused when more names contain it than match it whole), with --weight the "
        "full-sample weight (R's svrepdesign, combined weights). Not with --strata, --cluster, --fpc or --probs.")


def rep_type_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--rep-type", case_sensitive=False, show_default=False,
        metavar="[BRR|Fay|JK1|JKn|bootstrap|SDR|successive-difference|ACS|JK2|other]",
        help="What the --repweights columns are (R's svrepdesign type): BRR (the default, as R's), Fay, JK1, JKn, "
        "bootstrap, SDR (= successive-difference), ACS, JK2 or other; sets the scale and rscales as R does.")


def rep_scale_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--rep-scale", show_default=False,
        help="The variance's overall scale (R's scale=), for JK1 (default (R−1)/R), JKn (1), bootstrap (1/(R−1)) "
        "and other (1); BRR, Fay, SDR, ACS and JK2 have their own.")


def rep_rscales_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--rep-rscales", metavar="X[,X…]", show_default=False,
        help="Each replicate's factor (R's rscales=): one number for all, or one per replicate separated by "
        "commas; needed for JKn ((1 − f_h)(n_h − 1)/n_h of the replicate's stratum).")


def fay_rho_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--fay-rho", min=0.0, max=0.999, show_default=False,
        help="Fay's ρ (R's rho= of svrepdesign, fay.rho= of as.svrepdesign): the weight factor of the PSUs a "
        "replicate leaves out; needed with Fay.")


def mse_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--mse", help="Replicate variances about the full-sample estimate, not the replicates' mean (R's mse=TRUE; "
        "the ACS and many agencies use it).")


def replicates_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--replicates", case_sensitive=False, show_default=False,
        metavar="[auto|JK1|JKn|BRR|Fay|bootstrap|JK2|SDR]",
        help="Make replicate weights from the design of --weight/--probs, --strata, --cluster and --fpc (R's "
        "as.svrepdesign): auto (JK1 without strata, JKn with), JK1, JKn, BRR, Fay (--fay-rho), bootstrap, JK2 or SDR.")


def hadamard_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--hadamard", metavar="FILE", show_default=False,
        help="--replicates BRR, Fay or SDR: the Hadamard matrix to use, a CSV of 0/1 or −1/+1 with or without a "
        "header, e.g. R's write.csv(hadamard(n), row.names = FALSE) for n strata, which gives R's "
        "as.svrepdesign replicates exactly (without it the matrix is Sylvester's or Paley's: totals as R's, a "
        "mean or share may differ).")


def replicates_n_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--replicates-n", min=2, show_default=False,
        help=f"--replicates bootstrap: how many replicates (default {DEFAULT_BOOTSTRAP_REPLICATES}, as R's).")


def seed_option() -> typer.models.OptionInfo:
    return typer.Option(
        "--seed", show_default=False,
        help="--replicates bootstrap: the seed of the draws (the same seed, the same replicates; not R's draws).")


@dataclass(frozen=True)
class ReplicateOptions:
    """The replicate design the command line asks for: columns of the file (``repweights``) or replicates
    made from the linearisation design (``replicates``)."""

    repweights: str | None = None
    type: str | None = None  # --rep-type or --replicates; None with --repweights: BRR, R's default
    scale: float | None = None
    rscales: tuple[float, ...] | None = None
    fay_rho: float | None = None
    mse: bool = False
    replicates: int | None = None  # --replicates-n
    seed: int | None = None
    na_values: tuple[str, ...] = ("NA",)
    hadamard: str | None = None  # --hadamard FILE (--replicates BRR, Fay, SDR)
    fpc: str | None = None  # --fpc of the design --replicates is made from

    @property
    def fpc_used(self) -> str | None:
        """The --fpc columns the replicates use: none for BRR, Fay, JK2 and SDR (R's as.svrepdesign drops it for
        BRR and Fay), the first stage's for JK1, JKn and the bootstrap (R drops the later stages')."""
        if self.fpc is None or self.from_columns:
            return None
        if self.type in ("BRR", "Fay", "JK2", "SDR"):
            return None
        return [c.strip() for c in self.fpc.split(",")][0]

    @property
    def from_columns(self) -> bool:
        return self.repweights is not None

    @property
    def type_name(self) -> str:
        """The type as the design and output name it (successive-difference is SDR; R's default BRR)."""
        t = self.type or DEFAULT_REP_TYPE
        return "SDR" if t == "successive-difference" else t


def _value(x):
    return x.value if isinstance(x, enum.Enum) else x


def replicate_options(*, repweights=None, rep_type=None, rep_scale=None, rep_rscales=None, fay_rho=None,
                      mse=False, replicates=None, replicates_n=None, seed=None, hadamard=None, probs=None, strata=None,
                      cluster=None, fpc=None, nest=False, lonely_psu="fail", calibration=(),
                      na_values=("NA",)) -> ReplicateOptions | None:
    """The replicate options of the command line, checked before the file is read; None when none is given.

    ``calibration`` names the options that calibrate the weights (--study-weighting, --weighting, --targets), which a
    replicate design cannot take: every replicate would have to be calibrated again."""
    rep_type, replicates, lonely_psu = _value(rep_type), _value(replicates), _value(lonely_psu)
    detail = [name for name, on in (("--rep-type", rep_type is not None), ("--rep-scale", rep_scale is not None),
                                    ("--rep-rscales", rep_rscales is not None), ("--fay-rho", fay_rho is not None),
                                    ("--mse", mse), ("--replicates-n", replicates_n is not None),
                                    ("--seed", seed is not None)) if on]
    if hadamard is not None and replicates not in ("BRR", "Fay", "SDR"):
        raise UsageError("--hadamard gives the Hadamard matrix of --replicates BRR, Fay or SDR"
                         + (f", not --replicates {replicates}" if replicates is not None else ""))
    if repweights is None and replicates is None:
        if detail:
            raise UsageError(f"{detail[0]} describes a replicate design: give --repweights COLS (the file's replicate "
                             "weight columns) or --replicates TYPE (replicates made from the design)")
        return None
    if repweights is not None and replicates is not None:
        raise UsageError("give --repweights (the file's replicate weight columns) or --replicates (replicates made "
                         "from the design of --strata, --cluster and --fpc), not both")
    if not repweights and repweights is not None:
        raise UsageError("--repweights needs the replicate weight columns, e.g. --repweights \"PWGTP[0-9]+\" or "
                         "--repweights rw1,rw2,rw3")
    calibration = [c for c in calibration if c]
    if calibration:
        raise UsageError(f"{'--repweights' if repweights else '--replicates'} cannot be combined with "
                         f"{', '.join(calibration)}: the replicates of a calibrated design would each have to be "
                         "calibrated again, which is not implemented")
    rscales = _parse_rscales(rep_rscales) if rep_rscales is not None else None
    if rep_scale is not None and not (rep_scale > 0 and math.isfinite(rep_scale)):
        raise UsageError(f"--rep-scale {rep_scale}: the scale must be a positive number")
    if repweights is not None:
        design = [name for name, value in (("--strata", strata), ("--cluster", cluster), ("--fpc", fpc),
                                           ("--probs", probs), ("--nest", nest),
                                           ("--lonely-psu", lonely_psu if lonely_psu != "fail" else None))
                  if value]
        if design:
            raise UsageError(f"--repweights describes the design by its replicate weights; it cannot be combined "
                             f"with {', '.join(design)} (give those to make replicates from the design with "
                             "--replicates TYPE instead)")
        if replicates_n is not None or seed is not None:
            raise UsageError(f"{'--replicates-n' if replicates_n is not None else '--seed'} applies to --replicates "
                             "bootstrap; --repweights reads the replicates the file has")
        t = "SDR" if rep_type == "successive-difference" else (rep_type or DEFAULT_REP_TYPE)
        if t == "Fay" and fay_rho is None:
            raise UsageError("--rep-type Fay needs --fay-rho, the factor of the PSUs a replicate leaves out (e.g. "
                             "--fay-rho 0.5; R's svrepdesign: \"With type='Fay' you must supply the correct rho\")")
        if t != "Fay" and fay_rho is not None:
            raise UsageError(f"--fay-rho applies to --rep-type Fay, not {t}"
                             + (" (BRR is R's default type: give --rep-type Fay)" if rep_type is None else ""))
        if t in FIXED_SCALE and (rep_scale is not None or rscales is not None):
            given = "--rep-scale" if rep_scale is not None else "--rep-rscales"
            raise UsageError(f"{given}: --rep-type {t} has its own scale, {FIXED_SCALE[t]} with rscales 1 (R's "
                             f"svrepdesign ignores a given one); give --rep-type other to use your own"
                             + (" (BRR is R's default type)" if rep_type is None else ""))
        if t == "JKn" and rscales is None:
            raise UsageError("--rep-type JKn needs --rep-rscales: each replicate's (1 − f_h)(n_h − 1)/n_h, as the "
                             "file's documentation gives them (R's svrepdesign: \"Must provide rscales for combined "
                             "JKn weights\")")
        return ReplicateOptions(repweights=repweights, type=rep_type, scale=rep_scale, rscales=rscales,
                                fay_rho=fay_rho, mse=mse, na_values=tuple(na_values))
    # --replicates TYPE: made from the design
    for name, given in (("--rep-type", rep_type), ("--rep-scale", rep_scale), ("--rep-rscales", rep_rscales)):
        if given is not None:
            raise UsageError(f"{name} describes the columns of --repweights; --replicates {replicates} makes its own "
                             "replicates, with their own scale and rscales")
    if replicates in ("JKn", "BRR", "Fay") and not strata:
        raise UsageError(f"--replicates {replicates} is for a stratified design: give --strata (R's as.svrepdesign: "
                         "\"Must use JK1 or bootstrap for an unstratified design\")")
    if replicates == "JK2" and not strata:
        raise UsageError("--replicates JK2 pairs the two PSUs of every stratum: give --strata and --cluster")
    if replicates == "JK1" and strata:
        raise UsageError("--replicates JK1 is for a design without strata (R's as.svrepdesign: \"Can't use JK1 for a "
                         "stratified design\"); use JKn or bootstrap")
    if replicates == "Fay" and fay_rho is None:
        raise UsageError("--replicates Fay needs --fay-rho (e.g. 0.5; with R's default fay.rho = 0 it would be BRR)")
    if replicates != "Fay" and fay_rho is not None:
        raise UsageError(f"--fay-rho applies to --replicates Fay, not {replicates}")
    if replicates != "bootstrap" and (replicates_n is not None or seed is not None):
        raise UsageError(f"{'--replicates-n' if replicates_n is not None else '--seed'} applies to --replicates "
                         f"bootstrap (--replicates {replicates} makes one replicate per PSU, or per Hadamard row)")
    return ReplicateOptions(type=replicates, fay_rho=fay_rho, mse=mse, replicates=replicates_n, seed=seed,
                            na_values=tuple(na_values), hadamard=None if hadamard is None else str(hadamard),
                            fpc=fpc or None)


def read_hadamard(path: str) -> np.ndarray:
    """The matrix of ``--hadamard FILE``: a CSV of two values (R's 0/1 or −1/+1), with a header (R's write.csv:
    "V1","V2",…) or without; the API checks that it is a Hadamard matrix."""
    import csv
    from pathlib import Path

    from fjernarbeid.errors import InputFileError

    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise InputFileError(f"--hadamard {path}: cannot read the file ({exc.strerror or exc})") from None
    rows = [r for r in csv.reader(text.splitlines()) if any(c.strip() for c in r)]

    def numbers(row):
        try:
            return [float(c) for c in row]
        except ValueError:
            return None

    header = int(bool(rows) and numbers(rows[0]) is None)  # R's write.csv: "V1","V2",…
    rows = rows[header:]
    values = [numbers(r) for r in rows]
    bad = next((i for i, v in enumerate(values) if v is None or len(v) != len(values[0])), None)
    if not values or bad is not None:
        where_ = f" (row {bad + 1 + header})" if bad is not None else ""
        raise InputFileError(f"--hadamard {path}: a Hadamard matrix is rows of numbers, as many in every row, e.g. "
                             f"R's write.csv(hadamard(n), row.names = FALSE){where_}")
    return np.asarray(values, dtype=float)


def _parse_rscales(text: str) -> tuple[float, ...]:
    out = []
    for part in (p.strip() for p in text.split(",")):
        try:
            value = float(part)
        except ValueError:
            raise UsageError(f"--rep-rscales takes numbers separated by commas (one for all replicates, or one per "
                             f"replicate); {part!r} is not a number") from None
        if not (value >= 0 and math.isfinite(value)):
            raise UsageError(f"--rep-rscales {part!r}: a replicate's factor must be a number ≥ 0")
        out.append(value)
    return tuple(out)


def replicate_columns(spec: str, columns, weight: str | None, path) -> list[str]:
    """The columns of ``--repweights SPEC``: a comma-separated list of columns (in that order), or the columns
    whose whole name matches the regular expression SPEC (in the file's order). A usage error names the pattern
    when nothing matches, and refuses a pattern that takes in the full-sample weight."""
    names = [str(c) for c in columns]
    parts = [p.strip() for p in spec.split(",")]
    if spec in names:
        chosen = [spec]
    elif len(parts) > 1 and all(p in names for p in parts):
        chosen = list(dict.fromkeys(parts))
    else:
        try:
            pattern = re.compile(spec)
        except re.error as exc:
            unknown = [p for p in parts if p not in names]
            if len(parts) > 1:
                missing = ", ".join(map(repr, unknown))
                raise UsageError(f"{path}: --repweights {spec}: no column {missing} in the file") from None
            raise UsageError(f"--repweights {spec!r} is neither a column of {path} nor a regular expression ({exc})") \
                from None
        chosen = [n for n in names if pattern.fullmatch(n)]
        if not chosen:
            unknown = [p for p in parts if p not in names]
            if len(parts) > 1:
                raise UsageError(f"{path}: --repweights {spec}: no column {', '.join(map(repr, unknown))} in the file "
                                 "(nor does any column name match it as a regular expression)")
            partly = [n for n in names if pattern.search(n)]
            hint = (f"; R's grep would take the columns that contain it ({_shown(partly)}): to match those write "
                    f"--repweights \"{spec}.*\" or a pattern of the whole names" if partly else "")
            raise UsageError(f"{path}: --repweights: no column name matches the regular expression {spec!r} as a whole"
                             f"{hint}")
        partly = [n for n in names if pattern.search(n) and n != weight]
        if len(parts) == 1 and len(partly) > len(chosen):
            raise UsageError(
                f"{path}: --repweights \"{spec}\" matches {len(chosen)} whole column names ({_shown(chosen)}) but "
                f"{len(partly)} contain it ({_shown(partly)}), which R's grep would all take; the replicates "
                f"would be {len(chosen)} of {len(partly)}, with the wrong scale. Write a pattern of all the whole "
                f"names{_fuller_pattern(spec, partly)}, or list the columns with commas")
    if weight is not None and weight in chosen:
        raise UsageError(f"--repweights {spec!r} takes in the full-sample weight column {weight!r} (--weight) as a "
                         "replicate; name the replicate columns only (e.g. a pattern that needs the replicate's "
                         f"number: {weight}[0-9]+)")
    if len(chosen) < 2:
        raise UsageError(f"--repweights {spec!r} names {len(chosen)} column ({', '.join(chosen)}); a replicate "
                         "variance needs two or more replicate weight columns")
    return chosen


def _fuller_pattern(spec: str, names: list[str]) -> str:
    """', e.g. --repweights "brr[0-9]+"' when a simple change of SPEC matches every name in whole, else ''."""
    candidates = [spec + "+"] if spec.endswith(("]", r"\d")) else []
    candidates += [spec + "[0-9]+", spec + ".*", ".*" + spec + ".*"]
    for candidate in candidates:
        try:
            pattern = re.compile(candidate)
        except re.error:
            continue
        if all(pattern.fullmatch(n) for n in names):
            return f', e.g. --repweights "{candidate}"'
    return ""


def _shown(names: list[str]) -> str:
    return ", ".join(names) if len(names) <= SHOWN_COLUMNS else f"{names[0]} … {names[-1]}, {len(names)} columns"


def replicate_scales(options: ReplicateOptions, r: int) -> tuple[float, np.ndarray]:
    """The scale and rscales of ``r`` replicate weight columns of the type given, as R's svrepdesign sets them."""
    t = options.type_name
    if options.rscales is not None and len(options.rscales) not in (1, r):
        raise UsageError(f"--rep-rscales has {len(options.rscales)} numbers; give one (for all) or one per replicate "
                         f"({r}, as --repweights {options.repweights!r} has)")
    rscales = np.ones(r) if options.rscales is None else np.broadcast_to(np.asarray(options.rscales, float), r).copy()
    given = options.scale
    if t == "BRR":
        return 1 / r, rscales
    if t == "Fay":
        return 1 / (r * (1 - options.fay_rho) ** 2), rscales
    if t in ("SDR", "ACS"):
        return 4 / r, rscales
    if t == "JK2":
        return 1.0, rscales
    if t == "bootstrap":
        return (given if given is not None else 1 / (r - 1)), rscales
    if t == "JK1":
        return (given if given is not None else (r - 1) / r), rscales
    return (given if given is not None else 1.0), rscales  # JKn, other


def replicate_design_for(data, frame, options: ReplicateOptions, *, weight: str | None,
                         linearisation: Callable[[], tuple], lang: str = "en") -> tuple:
    """The replicate design, as ``design_for`` returns a design: (design, weight source, None, the rows kept).

    From the file's columns (--repweights) or from the linearisation design (--replicates; ``linearisation()`` is
    ``design_for`` without the replicate options)."""
    from fjernarbeid.errors import ComputationError
    from fjernarbeid.survey import as_replicate_design

    if not options.from_columns:
        matrix = read_hadamard(options.hadamard) if options.hadamard is not None else None
        design, weight_source, weighting, kept = linearisation()
        try:
            rep = as_replicate_design(design, options.type,
                                      replicates=options.replicates or DEFAULT_BOOTSTRAP_REPLICATES,
                                      seed=options.seed, mse=options.mse,
                                      fay_rho=options.fay_rho if options.fay_rho is not None else 0.3,
                                      hadamard=matrix)
        except ValueError as exc:
            if matrix is not None and "hadamard" in str(exc):
                from fjernarbeid.errors import InputFileError

                need = ("one more row than the design has strata" if options.type in ("BRR", "Fay")
                        else "a row for every PSU")
                raise InputFileError(f"--hadamard {options.hadamard}: {exc} ({matrix.shape[0]} × {matrix.shape[1]} "
                                     f"read; --replicates {options.type} needs {need}, e.g. R's hadamard(n) for "
                                     "n strata)") from None
            raise UsageError(f"--replicates {options.type}: {exc}") from None
        except ComputationError as exc:
            raise ComputationError(f"--replicates {options.type}: {exc}") from None
        warn_fpc_dropped(options, lang)
        return rep, weight_source, weighting, kept
    return _from_columns(data, frame, options, weight)


def warn_fpc_dropped(options: ReplicateOptions, lang: str) -> None:
    """R's as.svrepdesign warns "Finite population correction dropped in conversion" (BRR, Fay; here also JK2 and
    SDR, which have no fpc either) and "Finite population corrections after first stage have been dropped" (JK1,
    JKn, bootstrap of a multistage design): the same warning, on standard error in ``lang``."""
    if options.fpc is None or options.from_columns:
        return
    from fjernarbeid.cli._console import console
    from fjernarbeid.cli._survey_input import warning_line
    from fjernarbeid.i18n import message

    used = options.fpc_used
    if used is None:
        text = message("tab", "rep_fpc_dropped", lang, type=options.type, fpc=options.fpc)
    elif used != options.fpc:
        text = message("tab", "rep_fpc_later_dropped", lang, type=options.type, first=used)
    else:
        return
    console(stderr=True).print(warning_line(text, lang), highlight=False)


def _from_columns(data, frame, options: ReplicateOptions, weight: str | None) -> tuple:
    """R's svrepdesign(repweights = COLS, weights = ~WEIGHT, type =, combined.weights = TRUE) on the file."""
    from fjernarbeid.cli._survey_input import MAX_WEIGHT
    from fjernarbeid.survey import replicate_design

    weight_source = weight or ("weight" if "weight" in frame.columns else None)
    if weight_source is None:
        raise UsageError(f"--repweights needs the full-sample weight: give --weight COL ({data.path} has no column "
                         "named 'weight')")
    columns = replicate_columns(options.repweights, frame.columns, weight_source, data.path)
    d = missing_as_na(replace(data, frame=frame), [weight_source, *columns], options.na_values)
    w = numeric_column(d, weight_source, "weight")
    bad = ~np.isfinite(w) | (w < 0)
    if bad.any():
        raise DataValidationError(f"{data.path}: weight column {weight_source!r} (the full-sample weight of "
                                  f"--repweights) is missing or negative at {where(data, bad)}; every row needs its "
                                  "full-sample weight")
    huge = w > MAX_WEIGHT
    if huge.any():
        raise DataValidationError(f"{data.path}: weight column {weight_source!r} has {w[huge][0]:.3g} at "
                                  f"{where(data, huge)}; a weight above {MAX_WEIGHT:.0e} is an error in the file")
    reps = np.empty((len(w), len(columns)))
    for j, name in enumerate(columns):
        x = numeric_column(d, name, "--repweights")
        for problem, rows in (("missing", np.isnan(x)), ("infinite", np.isinf(x)), ("negative", x < 0)):
            if rows.any():
                r_says = (" (R's svrepdesign: \"Missing values not allowed in 'repweights'\")" if problem == "missing"
                          else "")
                raise DataValidationError(
                    f"{data.path}: replicate weight column {name!r} (--repweights) is {problem} at "
                    f"{where(data, rows)}; every row needs a replicate weight ≥ 0 in every replicate{r_says}")
        reps[:, j] = x
    outside = (w == 0)[:, None] & (reps > 0)
    if outside.any():
        rows = outside.any(axis=1)
        name = columns[int(np.flatnonzero(outside.any(axis=0))[0])]
        raise DataValidationError(f"{data.path}: replicate weight column {name!r} is positive where the full-sample "
                                  f"weight {weight_source!r} is 0, at {where(data, rows)}; a replicate weight is the "
                                  "full-sample weight times a factor, so a row of weight 0 must be 0 in every "
                                  "replicate")
    multipliers = np.divide(reps, w[:, None], out=np.zeros_like(reps), where=w[:, None] > 0)  # 0/0 = 0
    scale, rscales = replicate_scales(options, len(columns))
    design = replicate_design(frame, w, multipliers, type=options.type_name, scale=scale, rscales=rscales,
                              mse=options.mse)
    return replace(design, weight_name=weight_source), weight_source, None, np.ones(len(frame), dtype=bool)


def replicate_summary(design, options: ReplicateOptions, columns) -> dict[str, Any]:
    """The replicate design for the output (JSON ``design.replicate``; the design line is made from it)."""
    rscales = [float(x) for x in design.rscales]
    out: dict[str, Any] = {
        "source": "columns" if options.from_columns else "design",
        "type": design.type, "type_given": options.type is not None, "replicates": int(design.replicates),
        "scale": float(design.scale), "rscales": rscales, "mse": bool(design.mse),
        "df": int(design.degrees_of_freedom()),
    }
    if options.from_columns:
        out["repweights"] = options.repweights
        out["columns"] = replicate_columns(options.repweights, columns, design.weight_name, "")
    if design.type == "Fay":
        out["fay_rho"] = options.fay_rho
    if not options.from_columns and design.type == "bootstrap":
        out["seed"] = options.seed
    if not options.from_columns and options.fpc is not None:
        out["fpc_used"] = options.fpc_used  # the design line names only the fpc the replicates use
    if not options.from_columns and design.type in ("BRR", "Fay", "SDR"):
        out["hadamard"] = hadamard_summary(design.replicates, options.hadamard)
    return out


def hadamard_summary(order: int, path: str | None) -> dict[str, Any]:
    """Which Hadamard matrix made BRR, Fay or SDR replicates: its order and construction (Sylvester's for a
    power of two, else Paley's; "given" for --hadamard FILE). Without --hadamard only totals are sure to be R's:
    R's as.svrepdesign takes its own matrices, and a mean or share depends on which matrix is used."""
    if path is not None:
        return {"order": int(order), "construction": "given", "file": path, "totals_only": False}
    construction = "Sylvester" if order & (order - 1) == 0 else "Paley"
    return {"order": int(order), "construction": construction, "file": None, "totals_only": True}

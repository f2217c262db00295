"""Fieldwork outcome: contacts, screening, incidence and the AAPOR outcome rates.

Rates follow AAPOR, *Standard Definitions: Final Dispositions of Case Codes and Outcome Rates for
Surveys*, 10th edition (2023), pp. 61-64 (RR1-RR6, COOP1-COOP4, REF1-REF3, CON1-CON3). Final
disposition codes are read by their AAPOR category:

====  =============================================  ==========
1.1   complete interview                             I
1.2   partial interview                              P
2.1x  refusal and break-off                          R
2.2x  non-contact                                    NC
2.3x+ other eligible non-interview                   O
3.1x  unknown if household / number in use           UH
3.2x+ unknown, other                                 UO
4.x   not eligible (screened out, not a household)   NE
====  =============================================  ==========

Only the rates the log supports are given. When no refusal, non-contact or other non-interview has
a known eligibility (R = NC = O = 0) while cases of unknown eligibility exist — a telephone survey whose
refusals all came before the screening questions, coded 3.x — the log cannot tell how many of those
refusals were eligible: RR5/RR6 (which count unknown cases as ineligible), COOP1-4 and REF1-3 (which count
only refusals of known eligibility) and CON3 would read 100 % or 0 % and are withheld (``None``) with a
warning (``warnings``: ``unknown_eligibility``). RR1-RR4 and CON1-CON2 count the unknown cases and stay.

``e``, the share of cases of unknown eligibility that are eligible, is by default estimated
by proportional allocation ("CASRO" method, AAPOR 2023 p. 64 and Smith 2009): the eligible share
among cases whose eligibility is known, (I+P+R+NC+O) / (I+P+R+NC+O+NE).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from fjernarbeid._lazy import lazy_module
from fjernarbeid.errors import InputFileError
from fjernarbeid.instrument import Instrument

# imported on first use: importing the fieldwork summary costs nothing before a log is read (fjernarbeid/_lazy.py)
np = lazy_module("numpy")
pd = lazy_module("pandas")

CATEGORY_NAMES = {
    "I": "complete interview",
    "P": "partial interview",
    "R": "refusal and break-off",
    "NC": "non-contact",
    "O": "other eligible non-interview",
    "UH": "unknown if household/number in use",
    "UO": "unknown eligibility, other",
    "NE": "not eligible (incl. screened out)",
}


# Rates that need refusals / non-contacts of known eligibility (see the module docstring).
UNSUPPORTED_WITHOUT_KNOWN_NONRESPONSE = ("RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4", "REF1", "REF2", "REF3",
                                         "CON3")


def aapor_category(code: str) -> str:
    """Map an AAPOR final disposition code ('1.1', '2.111', '4.7', …) to I/P/R/NC/O/UH/UO/NE."""
    text = str(code).strip()
    parts = text.split(".")
    if len(parts) < 2 or not parts[0].isdigit() or not parts[1][:1].isdigit():
        raise ValueError(f"{code!r} is not an AAPOR disposition code such as 1.1, 2.11 or 4.7")
    major, minor = parts[0], parts[1]
    if major == "1":
        return "I" if minor.startswith("1") else "P"
    if major == "2":
        return {"1": "R", "2": "NC"}.get(minor[0], "O")
    if major == "3":
        return "UH" if minor.startswith("1") else "UO"
    if major == "4":
        return "NE"
    raise ValueError(f"{code!r}: AAPOR final dispositions start with 1, 2, 3 or 4")


@dataclass(frozen=True)
class OutcomeRates:
    """AAPOR rates; ``None`` where a rate cannot be computed, with the reason in ``notes``."""

    e: float | None
    e_method: str
    rates: dict[str, float | None]
    notes: list[str] = field(default_factory=list)
    # why rates are withheld, as keys a report translates: "no_nonresponse", "unknown_eligibility"
    warnings: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class FieldworkSummary:
    records: int  # all records in the log (including refusals and non-contacts)
    contacts: int  # the report's "kontakter": persons who reached the first screening question
    screened_out: dict[str, int]  # per screening question (report's S1, S2 …)
    screened_out_share: dict[str, float]  # of those who reached that question
    completes: int
    incidence: float | None  # completes / contacts: the eligible share of those screened
    counts: dict[str, int]  # per AAPOR category
    outcome: OutcomeRates

    def to_dict(self) -> dict:
        return asdict(self)


def outcome_rates(counts: dict[str, int], e: float | None = None) -> OutcomeRates:
    """AAPOR outcome rates from category counts (AAPOR 2023, pp. 61-64)."""
    c = {k: int(counts.get(k, 0)) for k in CATEGORY_NAMES}
    i, p, r, nc, o, uh, uo, ne = (c[k] for k in ("I", "P", "R", "NC", "O", "UH", "UO", "NE"))
    notes: list[str] = []
    method = "given"
    if e is None:
        known_eligible = i + p + r + nc + o
        if known_eligible + ne > 0:
            e = known_eligible / (known_eligible + ne)
            method = "proportional allocation (CASRO): eligible share among cases of known eligibility"
        else:
            method = "not estimable"
    unknown = uh + uo

    def ratio(num: float, den: float) -> float | None:
        return num / den if den > 0 else None

    rates = {
        "RR1": ratio(i, (i + p) + (r + nc + o) + unknown),
        "RR2": ratio(i + p, (i + p) + (r + nc + o) + unknown),
        "RR3": ratio(i, (i + p) + (r + nc + o) + (e or 0) * unknown),
        "RR4": ratio(i + p, (i + p) + (r + nc + o) + (e or 0) * unknown),
        "RR5": ratio(i, (i + p) + (r + nc + o)),
        "RR6": ratio(i + p, (i + p) + (r + nc + o)),
        "COOP1": ratio(i, (i + p) + r + o),
        "COOP2": ratio(i + p, (i + p) + r + o),
        "COOP3": ratio(i, (i + p) + r),
        "COOP4": ratio(i + p, (i + p) + r),
        "REF1": ratio(r, (i + p) + (r + nc + o) + unknown),
        "REF2": ratio(r, (i + p) + (r + nc + o) + (e or 0) * unknown),
        "REF3": ratio(r, (i + p) + (r + nc + o)),
        "CON1": ratio((i + p) + r + o, (i + p) + r + o + nc + unknown),
        "CON2": ratio((i + p) + r + o, (i + p) + r + o + nc + (e or 0) * unknown),
        "CON3": ratio((i + p) + r + o, (i + p) + r + o + nc),
    }
    warnings: list[str] = []
    if r + nc + o == 0 and unknown > 0:
        notes.append(
            f"No refusal or non-contact has a known eligibility, while {unknown} cases are of unknown "
            "eligibility (3.x, e.g. refusals before the screening questions): the log cannot tell how many "
            "of them were eligible, so RR5-RR6, COOP1-COOP4, REF1-REF3 and CON3 are not given (they would "
            "read 100 % or 0 %). RR3/RR4 and CON2 estimate the eligible share of them by e."
        )
        warnings.append("unknown_eligibility")
        for name in UNSUPPORTED_WITHOUT_KNOWN_NONRESPONSE:
            rates[name] = None
    if r + nc + o + unknown == 0:
        warnings.append("no_nonresponse")
        notes.append(
            "The log has no refusals, non-contacts or cases of unknown eligibility, only completes and "
            "screen-outs: response, cooperation, refusal and contact rates cannot be computed from it "
            "(they would all read 100 %). Ask the fieldwork firm for the full call log."
        )
        rates = {k: None for k in rates}
    return OutcomeRates(e=e, e_method=method, rates=rates, notes=notes, warnings=warnings)


def _numbers(column: pd.Series) -> np.ndarray:
    """A log's column as float64, NaN where a cell is not a number (``pandas.to_numeric(errors="coerce")``);
    a column already read as numbers is used as it is."""
    if column.dtype.kind == "f":
        return column.to_numpy(dtype=np.float64, copy=False)
    return pd.to_numeric(column, errors="coerce").to_numpy(dtype=np.float64, na_value=np.nan)


def _is_arrow_table(log) -> bool:
    return type(log).__module__.startswith("pyarrow") and hasattr(log, "column_names")


def _tally_frame(log: pd.DataFrame, disposition_column: str, screening):
    """(distinct codes in order of first appearance, rows per code, line of a code's first row, rows that
    reached the screening, {screening label: (screened out, left before it)}) of a pandas frame."""
    row_code, uniques = pd.factorize(log[disposition_column].astype(str), use_na_sentinel=False)
    per_code = np.bincount(row_code, minlength=len(uniques))
    # numpy on the answers: a log has millions of rows, and pandas copies a column it converts
    reached = np.zeros(len(log), dtype=bool)
    if screening and screening[0].name in log.columns:
        reached = ~np.isnan(_numbers(log[screening[0].name]))
    remaining = reached.copy()
    screened_out = {}
    for q in screening:
        if q.name not in log.columns:
            continue
        out = remaining & np.isin(_numbers(log[q.name]), sorted(q.screen_out))
        screened_out[q.screening or q.name] = (int(out.sum()), int(remaining.sum()))
        remaining &= ~out
    return (list(uniques), per_code, lambda j: int(np.argmax(row_code == j)) + 2,  # + header line, 1-based
            int(reached.sum()), screened_out)


def _tally_table(table, disposition_column: str, screening):
    """:func:`_tally_frame` of an Arrow table (:func:`fjernarbeid.fieldwork.log.read_log_table`), counted by
    Arrow's kernels on its columns (bit masks, no copy into pandas); the same numbers. A missing code
    is NaN, as in the frame."""
    import pyarrow as pa
    import pyarrow.compute as pc

    codes = table.column(disposition_column)
    tallied = pc.value_counts(codes)  # in order of first appearance
    values = tallied.field("values")
    uniques = [float("nan") if v is None else str(v) for v in values.to_pylist()]
    per_code = tallied.field("counts").to_numpy()

    def first_line(j: int) -> int:
        value = values[j]
        at = pc.index(pc.is_null(codes), True) if not value.is_valid else pc.index(codes, value)
        return int(at.as_py()) + 2  # + header line, 1-based

    def numbers(name: str):
        column = table.column(name)
        if pa.types.is_floating(column.type):
            return column
        return pa.array(_numbers(pd.Series(column.to_pandas())), from_pandas=True)  # text: to_numeric; NaN → null

    names = table.column_names
    if screening and screening[0].name in names:
        reached = pc.is_valid(numbers(screening[0].name))
    else:
        reached = pa.array(np.zeros(table.num_rows, dtype=bool))
    remaining = reached
    screened_out = {}
    for q in screening:
        if q.name not in names:
            continue
        hit = pc.fill_null(pc.is_in(numbers(q.name), value_set=pa.array(sorted(q.screen_out), pa.float64())), False)
        out = pc.and_(remaining, hit)
        screened_out[q.screening or q.name] = (int(pc.sum(out).as_py() or 0), int(pc.sum(remaining).as_py() or 0))
        remaining = pc.and_(remaining, pc.invert(out))
    return uniques, per_code, first_line, int(pc.sum(reached).as_py() or 0), screened_out


def summarise_fieldwork(
    log,
    instrument: Instrument,
    *,
    disposition_column: str = "disposition",
    e: float | None = None,
    source: str = "disposition log",
) -> FieldworkSummary:
    """Summarise a disposition log (a pandas frame, or the Arrow table the command line reads): one row
    per contact, an AAPOR code in ``disposition_column`` and, for cases that reached the screening, the
    screening answers under the instrument's names. Screen-outs are counted per screening question from
    those answers."""
    screening = instrument.screening_questions
    if _is_arrow_table(log):
        names, records = log.column_names, log.num_rows
    else:
        names, records = list(log.columns), len(log)
    if disposition_column not in names:
        raise InputFileError(f"{source}: no column {disposition_column!r} with AAPOR disposition codes")
    tally = _tally_table if _is_arrow_table(log) else _tally_frame
    uniques, per_code, first_line, reached_count, screened_out = tally(log, disposition_column, screening)
    # A log has a handful of distinct codes but may have millions of rows: each distinct code is
    # classified once, in order of first appearance, so the first bad one is on the first bad line.
    categories = []
    for j, code in enumerate(uniques):
        try:
            categories.append(aapor_category(code))
        except ValueError as exc:
            raise InputFileError(f"{source}, line {first_line(j)}, column {disposition_column}: {exc}") from None
    categories = np.array(categories, dtype=object)
    counts = {k: int(per_code[categories == k].sum()) for k in CATEGORY_NAMES}
    shares: dict[str, float] = {}
    for label, (out, left) in screened_out.items():
        shares[label] = float(out / left) if left else float("nan")
    screened_out = {label: out for label, (out, _) in screened_out.items()}
    n_screened = reached_count
    completes = counts["I"]
    return FieldworkSummary(
        records=records,
        contacts=n_screened,
        screened_out=screened_out,
        screened_out_share=shares,
        completes=completes,
        incidence=completes / n_screened if n_screened else None,
        counts=counts,
        outcome=outcome_rates(counts, e=e),
    )

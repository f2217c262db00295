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


def summarise_fieldwork(
    log: pd.DataFrame,
    instrument: Instrument,
    *,
    disposition_column: str = "disposition",
    e: float | None = None,
    source: str = "disposition log",
) -> FieldworkSummary:
    """Summarise a disposition log: one row per contact, an AAPOR code in ``disposition_column``
    and, for cases that reached the screening, the screening answers under the instrument's
    names. Screen-outs are counted per screening question from those answers."""
    if disposition_column not in log.columns:
        raise InputFileError(f"{source}: no column {disposition_column!r} with AAPOR disposition codes")
    # A log has a handful of distinct codes but may have millions of rows: classify each distinct
    # code once. Uniques come in order of first appearance, so the first bad one is on the first bad line.
    row_code, uniques = pd.factorize(log[disposition_column].astype(str), use_na_sentinel=False)
    categories = []
    for j, code in enumerate(uniques):
        try:
            categories.append(aapor_category(code))
        except ValueError as exc:
            line = int(np.argmax(row_code == j)) + 2  # + header line, 1-based
            raise InputFileError(f"{source}, line {line}, column {disposition_column}: {exc}") from None
    per_code = np.bincount(row_code, minlength=len(uniques))
    categories = np.array(categories, dtype=object)
    counts = {k: int(per_code[categories == k].sum()) for k in CATEGORY_NAMES}

    screened_out: dict[str, int] = {}
    shares: dict[str, float] = {}
    screening = instrument.screening_questions
    # numpy on the answers: a log has millions of rows, and pandas copies a column it converts
    reached = np.zeros(len(log), dtype=bool)
    if screening and screening[0].name in log.columns:
        reached = ~np.isnan(_numbers(log[screening[0].name]))
    remaining = reached.copy()
    for q in screening:
        label = q.screening or q.name
        if q.name not in log.columns:
            continue
        out = remaining & np.isin(_numbers(log[q.name]), sorted(q.screen_out))
        screened_out[label] = int(out.sum())
        left = int(remaining.sum())
        shares[label] = float(screened_out[label] / left) if left else float("nan")
        remaining &= ~out
    completes = counts["I"]
    n_screened = int(reached.sum())
    return FieldworkSummary(
        records=len(log),
        contacts=n_screened,
        screened_out=screened_out,
        screened_out_share=shares,
        completes=completes,
        incidence=completes / n_screened if n_screened else None,
        counts=counts,
        outcome=outcome_rates(counts, e=e),
    )

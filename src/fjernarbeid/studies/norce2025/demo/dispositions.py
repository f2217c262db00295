"""The demo's final disposition codes and how many contacts end in each: the one place for both.

Codes are AAPOR final disposition codes (AAPOR, *Standard Definitions: Final Dispositions of Case
Codes and Outcome Rates for Surveys*, 10th ed. 2023, table for telephone surveys), with study
sub-codes where AAPOR leaves the last digit to the study (3.211/3.212, 4.71/4.72, as AAPOR does
with 2.111/2.112). Why these and not others:

* The report counts 1,074 contacts: 182 screened out at S1, 392 at S2 and 500 interviews
  (182 + 392 + 500 = 1,074). Everyone who answered S1 is therefore in one of those three groups;
  nobody broke off or refused after the screening. The demo keeps that exactly.
* Whoever did not reach S1 is of *unknown eligibility* (AAPOR 3.x): whether a person who refuses
  at the introduction works 50 % or more and could work remotely is not known. Refusals and
  break-offs before the screening are therefore 3.21x ("no screener completed"), not 2.11,
  which AAPOR reserves for cases known to be eligible. There are no 2.x cases in this design.
* Numbers that never answer or only reach voicemail are 3.13 / 3.14; numbers not in use 4.31;
  the screened-out are not eligible, 4.71 (S1) and 4.72 (S2).

The counts per 500 interviews besides the report's three are the demo's assumptions (the report
gives none): about 45 % of the persons reached answer the screening, and AAPOR RR3 is about 23 %
with e estimated by proportional allocation — plausible for a telephone survey today, not a
published figure. For ``n`` interviews every count is scaled by n/500 and rounded half up
(:func:`disposition_counts`).
"""

from __future__ import annotations

from dataclasses import dataclass

REPORT_COMPLETES = 500  # the report's net sample, the base of the counts below


@dataclass(frozen=True)
class Disposition:
    code: str
    label: str  # English
    label_nb: str
    per_500: int  # contacts with this outcome per 500 completed interviews
    screened: bool  # answered S1 (one of the report's 1,074 "contacts")


DISPOSITIONS: tuple[Disposition, ...] = (
    Disposition("1.1", "Complete interview", "Fullført intervju", REPORT_COMPLETES, True),
    Disposition("3.211", "Refused at the introduction before the screening questions",
                "Nektet ved introduksjonen før silingsspørsmålene", 1260, False),
    Disposition("3.212", "Broke off after the postal code or birth year before S1",
                "Avbrøt etter postnummer eller fødselsår før S1", 38, False),
    Disposition("3.91", "Language barrier before the screening questions",
                "Språkproblem før silingsspørsmålene", 22, False),
    Disposition("3.13", "No answer on every call attempt", "Ikke svar på noe oppringingsforsøk", 1910, False),
    Disposition("3.14", "Voicemail on every call attempt (no person reached)",
                "Telefonsvarer på alle forsøk (ingen person nådd)", 620, False),
    Disposition("4.31", "Non-working number", "Nummeret er ikke i bruk", 95, False),
    Disposition("4.71", "Screened out at S1: not in paid work of at least 50 % (q1 = 3)",
                "Silt ut i S1: ikke yrkesaktiv i minst 50 % stilling (q1 = 3)", 182, True),
    Disposition("4.72", "Screened out at S2: cannot work from home or elsewhere (q2 = 2)",
                "Silt ut i S2: kan ikke arbeide hjemmefra eller et annet sted (q2 = 2)", 392, True),
)

BY_CODE = {d.code: d for d in DISPOSITIONS}
COMPLETE, SCREENED_OUT_S1, SCREENED_OUT_S2 = "1.1", "4.71", "4.72"
REFUSED, BROKE_OFF, LANGUAGE, NO_ANSWER, VOICEMAIL, NON_WORKING = "3.211", "3.212", "3.91", "3.13", "3.14", "4.31"


def scale_count(per_500: int, n: int) -> int:
    """``per_500 × n / 500`` rounded half up, in integers (so no floating-point surprises)."""
    return (2 * per_500 * n + REPORT_COMPLETES) // (2 * REPORT_COMPLETES)


def disposition_counts(n: int) -> dict[str, int]:
    """Contacts per disposition code for ``n`` completed interviews (exactly the report's at n=500)."""
    if n < 1:
        raise ValueError(f"the demo needs at least one interview, not n={n}")
    return {d.code: (n if d.code == COMPLETE else scale_count(d.per_500, n)) for d in DISPOSITIONS}

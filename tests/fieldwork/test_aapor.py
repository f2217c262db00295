"""AAPOR outcome rates against values worked out by hand from the Standard Definitions (2023)."""

import pandas as pd
import pytest

from fjernarbeid.errors import InputFileError
from fjernarbeid.fieldwork import aapor_category, outcome_rates, summarise_fieldwork

COUNTS = {"I": 500, "P": 10, "R": 300, "NC": 400, "O": 50, "UH": 100, "UO": 20, "NE": 574}


def test_categories_follow_the_aapor_code_families():
    assert [aapor_category(c) for c in ["1.1", "1.2", "2.11", "2.112", "2.21", "2.31", "3.11", "3.21", "4.7", "4.10"]] == [
        "I", "P", "R", "R", "NC", "O", "UH", "UO", "NE", "NE"]
    with pytest.raises(ValueError, match="not an AAPOR disposition code"):
        aapor_category("complete")
    with pytest.raises(ValueError, match="start with 1, 2, 3 or 4"):
        aapor_category("5.1")


def test_rates_by_hand():
    res = outcome_rates(COUNTS)
    eligible = 510 + 300 + 400 + 50  # I+P+R+NC+O = 1260
    e = eligible / (eligible + 574)
    assert res.e == pytest.approx(e)
    r = res.rates
    assert r["RR1"] == pytest.approx(500 / (510 + 750 + 120))
    assert r["RR2"] == pytest.approx(510 / (510 + 750 + 120))
    assert r["RR3"] == pytest.approx(500 / (510 + 750 + e * 120))
    assert r["RR4"] == pytest.approx(510 / (510 + 750 + e * 120))
    assert r["RR5"] == pytest.approx(500 / 1260)
    assert r["RR6"] == pytest.approx(510 / 1260)
    assert r["COOP1"] == pytest.approx(500 / (510 + 300 + 50))
    assert r["COOP2"] == pytest.approx(510 / 860)
    assert r["COOP3"] == pytest.approx(500 / 810)
    assert r["COOP4"] == pytest.approx(510 / 810)
    assert r["REF1"] == pytest.approx(300 / 1380)
    assert r["REF2"] == pytest.approx(300 / (1260 + e * 120))
    assert r["REF3"] == pytest.approx(300 / 1260)
    assert r["CON1"] == pytest.approx(860 / (860 + 400 + 120))
    assert r["CON2"] == pytest.approx(860 / (860 + 400 + e * 120))
    assert r["CON3"] == pytest.approx(860 / 1260)


def test_a_given_e_is_used_as_given():
    assert outcome_rates(COUNTS, e=0.5).rates["RR3"] == pytest.approx(500 / (1260 + 60))


def test_log_with_only_completes_and_screenouts_gives_no_response_rate():
    res = outcome_rates({"I": 500, "NE": 574})
    assert all(v is None for v in res.rates.values())
    assert "cannot be computed" in res.notes[0]


def test_refusals_of_unknown_eligibility_withhold_the_rates_that_would_read_100_or_0_percent():
    """The demo's telephone log: every refusal came before the screening questions (3.21, unknown
    eligibility), so no refusal is known to be eligible. RR5/RR6 and COOP would read 100 % and REF 0 %:
    they are withheld with a warning; RR1-RR4 and CON1-CON2, which count the unknown cases, remain."""
    counts = {"I": 500, "UH": 2530, "UO": 1320, "NE": 669}
    res = outcome_rates(counts)
    withheld = {"RR5", "RR6", "COOP1", "COOP2", "COOP3", "COOP4", "REF1", "REF2", "REF3", "CON3"}
    assert {k for k, v in res.rates.items() if v is None} == withheld
    assert res.warnings == ["unknown_eligibility"] and "cannot tell how many" in res.notes[0]
    e = 500 / (500 + 669)
    assert res.e == pytest.approx(e) and res.e_method.startswith("proportional allocation (CASRO)")
    assert res.rates["RR1"] == pytest.approx(500 / (500 + 3850))
    assert res.rates["RR3"] == pytest.approx(500 / (500 + e * 3850))
    assert res.rates["CON2"] == pytest.approx(500 / (500 + e * 3850))


def test_with_refusals_of_known_eligibility_every_rate_is_given():
    assert all(v is not None for v in outcome_rates(COUNTS).rates.values())
    assert outcome_rates(COUNTS).warnings == []


def _log(instrument):
    rows = ([{"disposition": "1.1", "q1": 1, "q2": 1}] * 500 + [{"disposition": "4.7", "q1": 3}] * 182
            + [{"disposition": "4.7", "q1": 2, "q2": 2}] * 392 + [{"disposition": "2.11"}] * 40
            + [{"disposition": "2.21"}] * 60)
    return pd.DataFrame(rows)


def test_summary_of_the_reports_fieldwork(instrument):
    s = summarise_fieldwork(_log(instrument), instrument)
    assert (s.records, s.contacts, s.completes) == (1174, 1074, 500)
    assert s.screened_out == {"S1": 182, "S2": 392}
    assert s.screened_out_share["S1"] == pytest.approx(182 / 1074)  # "ca. 17 %"
    assert s.screened_out_share["S2"] == pytest.approx(392 / 892)  # "ca. 44 %" of the rest
    assert s.incidence == pytest.approx(500 / 1074)
    assert s.outcome.rates["RR1"] == pytest.approx(500 / 600)


def test_bad_code_names_line_and_column(instrument):
    log = pd.DataFrame({"disposition": ["1.1", "done"]})
    with pytest.raises(InputFileError, match=r"log.csv, line 3, column disposition"):
        summarise_fieldwork(log, instrument, source="log.csv")

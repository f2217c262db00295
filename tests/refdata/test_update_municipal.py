"""`fjernarbeid refdata update --municipalities`: SSB 07459 by municipality, from a recorded answer."""

from __future__ import annotations

import datetime as dt
import json

import pandas as pd
import pytest

from fjernarbeid.errors import InputFileError
from fjernarbeid.refdata import RefData
from fjernarbeid.refdata import update as upd

DAY = dt.date(2025, 5, 1)


@pytest.fixture
def publishers(monkeypatch, fixtures_dir):
    """The recorded answers; the two 07459 queries told apart by their Region filter."""
    http = fixtures_dir / "refdata_http"
    bodies = {"bring": (http / "bring_postnummerregister-ansi.txt").read_bytes(),
              "131": (http / "klass_131_codesAt.json").read_bytes(),
              "131-104": (http / "klass_131_corresponds_104.json").read_bytes(),
              "128": (http / "klass_128_codesAt.json").read_bytes(),
              "131-128": (http / "klass_131_corresponds_128.json").read_bytes(),
              "07459": (http / "ssb_07459_jsonstat2.json").read_bytes(),
              "07459-municipal": (http / "ssb_07459_municipality_jsonstat2.json").read_bytes()}
    asked = []

    def fake(url, *, data=None, headers=None):
        asked.append((url, data))
        if url == upd.BRING_URL:
            return bodies["bring"]
        if url == f"{upd.STATBANK_URL}/07459/":
            region = {q["code"]: q for q in json.loads(data)["query"]}["Region"]["selection"]["filter"]
            return bodies["07459-municipal" if region == "agg:KommSummer" else "07459"]
        for key, part in (("131-104", "131/corresponds?targetClassificationId=104"),
                          ("131-128", "131/corresponds?targetClassificationId=128"),
                          ("131", "131/codesAt?"), ("128", "128/codesAt?")):
            if url.startswith(f"{upd.KLASS_URL}/{part}"):
                return bodies[key]
        raise AssertionError(url)

    monkeypatch.setattr(upd, "_http", fake)
    fake.bodies, fake.asked = bodies, asked
    return fake


def test_the_table_by_municipality_is_written_and_read_by_age_group(publishers, tmp_path):
    result = upd.update_refdata(tmp_path, date=DAY, municipal_population=True)
    assert "ssb07459_municipality_2025-05-01.csv" in [f.filename for f in result.files]
    table = pd.read_csv(tmp_path / "ssb07459_municipality_2025-05-01.csv", dtype={"kommune_code": str})
    assert list(table.columns) == ["year_jan1", "kommune_code", "sex", "age", "population"]
    assert table.query("year_jan1 == 2025 and kommune_code == '4618' and sex == 'female' and age == 25")[
        "population"].item() == 69
    ref = RefData(tmp_path)
    cells = ref.population_by_municipality(2025, ages=(25, 26)).set_index(["municipality_code", "sex"])["population"]
    assert cells.to_dict() == {("4618", 1): 68 + 49, ("4618", 2): 69 + 47, ("4619", 1): 4 + 2, ("4619", 2): 5 + 4}
    # the national register is still the national file
    assert ref.path("population").name == "ssb07459_2025-05-01.csv"


def test_the_query_asks_for_every_municipality_at_the_dates_borders(publishers, tmp_path):
    upd.update_refdata(tmp_path, date=DAY, municipal_population=True)
    posts = [json.loads(body) for url, body in publishers.asked if body is not None]
    municipal = next(q for q in posts if q["query"][0]["selection"]["filter"] == "agg:KommSummer")
    selection = {q["code"]: q["selection"] for q in municipal["query"]}
    codes = json.loads(publishers.bodies["131"])["codes"]
    assert selection["Region"]["values"] == sorted(f"K-{c['code']}" for c in codes if len(c["code"]) == 4)
    assert selection["Tid"] == {"filter": "top", "values": ["3"]}


def test_without_the_option_nothing_changes(publishers, tmp_path):
    result = upd.update_refdata(tmp_path, date=DAY)
    assert [f.register for f in result.files] == ["postal_codes", "municipalities", "centrality", "population"]


def test_an_answer_for_a_municipality_not_asked_for_is_refused_and_nothing_written(publishers, tmp_path):
    doc = json.loads(publishers.bodies["07459-municipal"])
    doc["dimension"]["Region"]["category"]["index"] = {"K-4618": 0, "K-9999": 1}
    publishers.bodies["07459-municipal"] = json.dumps(doc).encode()
    with pytest.raises(InputFileError, match="9999 were not asked for"):
        upd.update_refdata(tmp_path / "new", date=DAY, municipal_population=True)
    assert not (tmp_path / "new").exists()

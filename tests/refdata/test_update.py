"""``update_refdata`` against recorded publisher responses (no network), and ``refdata_status``."""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import urllib.error
from pathlib import Path

import pandas as pd
import pytest

from fjernarbeid.errors import InputFileError, MissingReferenceDataError
from fjernarbeid.refdata import RefData
from fjernarbeid.refdata import update as upd
from fjernarbeid.refdata.update import jsonstat2_frame, refdata_status, update_refdata

DAY = dt.date(2025, 5, 1)


class Publishers:
    """Stands in for the HTTP function: answers each official URL with a recorded body."""

    def __init__(self, fixtures: Path):
        self.fixtures = fixtures
        self.bodies = {
            "bring": (fixtures / "bring_postnummerregister-ansi.txt").read_bytes(),
            "131": (fixtures / "klass_131_codesAt.json").read_bytes(),
            "131-104": (fixtures / "klass_131_corresponds_104.json").read_bytes(),
            "128": (fixtures / "klass_128_codesAt.json").read_bytes(),
            "131-128": (fixtures / "klass_131_corresponds_128.json").read_bytes(),
            "07459": (fixtures / "ssb_07459_jsonstat2.json").read_bytes(),
        }
        self.failures: dict[str, Exception] = {}
        self.requests: list[tuple[str, bytes | None, dict]] = []

    @staticmethod
    def key(url: str) -> str:
        if url == upd.BRING_URL:
            return "bring"
        if url == f"{upd.STATBANK_URL}/07459/":
            return "07459"
        for key, part in (("131-104", "131/corresponds?targetClassificationId=104"),
                          ("131-128", "131/corresponds?targetClassificationId=128"),
                          ("131", "131/codesAt?"), ("128", "128/codesAt?")):
            if url.startswith(f"{upd.KLASS_URL}/{part}"):
                return key
        raise AssertionError(f"unexpected request to {url}")

    def __call__(self, url: str, *, data: bytes | None = None, headers: dict | None = None) -> bytes:
        self.requests.append((url, data, headers or {}))
        key = self.key(url)
        if key in self.failures:
            raise self.failures[key]
        return self.bodies[key]

    def json(self, key: str) -> dict:
        return json.loads(self.bodies[key])

    def set_json(self, key: str, doc) -> None:
        self.bodies[key] = json.dumps(doc, ensure_ascii=False).encode("utf-8")


@pytest.fixture
def publishers(monkeypatch, fixtures_dir) -> Publishers:
    fake = Publishers(fixtures_dir / "refdata_http")
    monkeypatch.setattr(upd, "_http", fake)
    return fake


def snapshot(directory: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted(directory.iterdir())} if directory.exists() else {}


# -- a successful update --------------------------------------------------------------------------


def test_the_written_registers_are_read_by_refdata(publishers, tmp_path):
    result = update_refdata(tmp_path / "refdata", date=DAY)
    refdata = RefData(result.directory)
    lookup = refdata.postal_lookup()
    assert lookup.loc["5610", ["place", "municipality_code", "municipality_name"]].tolist() == [
        "ØYSTESE", "4622", "Kvam",
    ]
    assert lookup.loc["5610", ["county_code", "county_name", "centrality"]].tolist() == ["46", "Vestland", 4]
    assert lookup.loc[["5750", "5783", "5730", "0150", "5003"], "centrality"].tolist() == [5, 6, 6, 1, 2]
    # Svalbard and Jan Mayen have postal codes but no county or centrality class: kept, missing.
    assert pd.isna(lookup.loc["9170", "county_code"]) and pd.isna(lookup.loc["8099", "centrality"])
    population = refdata.population(2025).set_index(["sex", "age"])["population"]
    assert population.to_dict() == {("female", 25): 34530, ("female", 26): 35025, ("female", 105): 72,
                                    ("male", 25): 36759, ("male", 26): 36706, ("male", 105): 25}
    assert refdata.population(2024).query("sex == 'male' and age == 105")["population"].item() == 29


def test_files_are_named_by_date_and_bring_is_kept_byte_for_byte(publishers, tmp_path):
    result = update_refdata(tmp_path, date=DAY)
    assert sorted(p.name for p in tmp_path.iterdir()) == [
        "SOURCES.json", "kommuner_2025-05-01.csv", "postnummerregister_2025-05-01.txt", "sentralitet_2025-05-01.csv",
        "ssb07459_2025-05-01.csv",
    ]
    assert (tmp_path / "postnummerregister_2025-05-01.txt").read_bytes() == publishers.bodies["bring"]
    assert (tmp_path / "kommuner_2025-05-01.csv").read_text("utf-8").splitlines()[:2] == [
        "kommunenummer,kommunenavn,fylkesnummer,fylkesnavn", "0301,Oslo-Oslove,03,Oslo-Oslove",
    ]
    centrality = pd.read_csv(tmp_path / "sentralitet_2025-05-01.csv", dtype={"kommune_code": str})
    assert centrality.set_index("kommune_code").loc["4619"].tolist() == ["Eidfjord", 6, "Sentralitet: 6 (0-564) - lav"]
    assert [f.rows for f in result.files] == [10, 6, 6, 12]
    assert result.warnings == ()


def test_sources_json_records_url_time_and_checksums(publishers, tmp_path):
    update_refdata(tmp_path, date=DAY)
    sources = json.loads((tmp_path / "SOURCES.json").read_text("utf-8"))
    assert sources["date"] == "2025-05-01"
    assert set(sources["files"]) == {"postal_codes", "municipalities", "centrality", "population"}
    for entry in sources["files"].values():
        assert entry["sha256"] == hashlib.sha256((tmp_path / entry["file"]).read_bytes()).hexdigest()
        for source in entry["sources"]:
            body = publishers.bodies[Publishers.key(source["url"])]
            assert source["sha256"] == hashlib.sha256(body).hexdigest() and source["bytes"] == len(body)
            assert dt.datetime.fromisoformat(source["retrieved"]).tzinfo is not None
    assert [s["url"] for s in sources["files"]["postal_codes"]["sources"]] == [upd.BRING_URL]
    assert [s["method"] for s in sources["files"]["population"]["sources"]] == ["POST"]


def test_the_requests_ask_the_publishers_for_the_right_things(publishers, tmp_path):
    update_refdata(tmp_path, date=DAY)
    urls = [url for url, _, _ in publishers.requests]
    base = upd.KLASS_URL
    assert f"{base}/131/codesAt?date=2025-05-01" in urls
    assert f"{base}/128/codesAt?date=2025-05-01" in urls
    assert f"{base}/131/corresponds?targetClassificationId=104&from=2025-05-01&to=2025-05-02" in urls
    assert f"{base}/131/corresponds?targetClassificationId=128&from=2025-05-01&to=2025-05-02" in urls
    assert urls.count(f"{base}/131/codesAt?date=2025-05-01") == 1  # asked once, used twice
    (url, body, headers), = [r for r in publishers.requests if r[1] is not None]
    assert url == "https://data.ssb.no/api/v0/no/table/07459/" and headers["Content-Type"] == "application/json"
    query = {q["code"]: q["selection"] for q in json.loads(body)["query"]}
    assert query["Region"] == {"filter": "vs:Landet", "values": ["0"]}
    assert query["Kjonn"]["values"] == ["1", "2"] and query["ContentsCode"]["values"] == ["Personer1"]
    assert json.loads(body)["response"] == {"format": "json-stat2"}
    assert all(h["Accept"] == "application/json" for u, _, h in publishers.requests if u.startswith(base))


def test_the_default_directory_is_the_users_data_directory(publishers, tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path))
    result = update_refdata(date=DAY)
    assert result.directory == tmp_path / "fjernarbeid" / "refdata"
    assert RefData.locate().directory == result.directory  # where every command looks


def test_a_second_update_replaces_the_first(publishers, tmp_path):
    update_refdata(tmp_path, date=DAY)
    result = update_refdata(tmp_path, date=dt.date(2025, 6, 1))
    assert sorted(result.removed) == [
        "kommuner_2025-05-01.csv", "postnummerregister_2025-05-01.txt", "sentralitet_2025-05-01.csv",
        "ssb07459_2025-05-01.csv",
    ]
    assert len(list(tmp_path.iterdir())) == 5


def test_a_file_that_would_shadow_the_new_one_is_reported(publishers, tmp_path):
    (tmp_path / "kommuner_2099.csv").write_text("kommunenummer,kommunenavn,fylkesnummer,fylkesnavn\n", "utf-8")
    result = update_refdata(tmp_path, date=DAY)
    assert result.warnings == (f"{tmp_path} also has kommuner_2099.csv, which is read instead of "
                               "kommuner_2025-05-01.csv; remove it",)
    assert (tmp_path / "kommuner_2099.csv").exists()  # not ours: left alone


# -- what the publishers may send ---------------------------------------------------------------


def test_only_correspondences_valid_on_the_date_are_used(publishers, tmp_path):
    doc = publishers.json("131-104")
    # Kvam belonged to Hordaland (12) until the 2020 county reform.
    doc["correspondenceItems"].append({"sourceCode": "4622", "sourceName": "Kvam", "targetCode": "12",
                                       "targetName": "Hordaland", "validFrom": "2019-01-01", "validTo": "2020-01-01"})
    publishers.set_json("131-104", doc)
    update_refdata(tmp_path, date=DAY)
    assert RefData(tmp_path).municipalities().set_index("municipality_code").loc["4622", "county_code"] == "46"


def test_zero_padded_class_codes_are_understood(publishers, tmp_path):
    for key in ("128", "131-128"):
        doc = publishers.json(key)
        for item in doc.get("codes", doc.get("correspondenceItems")):
            field = "code" if "code" in item else "targetCode"
            item[field] = item[field].zfill(2)
        publishers.set_json(key, doc)
    update_refdata(tmp_path, date=DAY)
    assert RefData(tmp_path).centrality().set_index("municipality_code").loc["4622", "centrality"] == 4


def test_municipalities_without_county_or_class_are_kept_with_a_warning(publishers, tmp_path):
    doc = publishers.json("131")
    doc["codes"].append({"code": "2100", "name": "Svalbard", "level": "1"})
    publishers.set_json("131", doc)
    result = update_refdata(tmp_path, date=DAY)
    assert result.warnings == (
        "1 municipality code(s) without a county on 2025-05-01: 2100",
        "1 municipality code(s) of KLASS 131 without a centrality class on 2025-05-01: 2100",
    )
    assert "2100" in set(RefData(tmp_path).municipalities()["municipality_code"])


# -- failures leave everything as it was ------------------------------------------------------------


def http_error(url: str, code: int, reason: str, body: bytes = b"") -> urllib.error.HTTPError:
    return urllib.error.HTTPError(url, code, reason, {}, io.BytesIO(body))


@pytest.mark.parametrize("failing", ["bring", "131", "131-104", "128", "131-128", "07459"])
def test_an_http_failure_is_reported_and_nothing_is_written(publishers, tmp_path, failing):
    publishers.failures[failing] = http_error("x", 503, "Service Unavailable", b"try again later")
    with pytest.raises(MissingReferenceDataError, match="HTTP 503 Service Unavailable") as err:
        update_refdata(tmp_path / "new", date=DAY)
    message = str(err.value)
    assert "could not download" in message and "https://" in message and "Nothing was written" in message
    assert "(try again later)" in message
    assert not (tmp_path / "new").exists()


def test_a_failed_update_leaves_the_previous_registers_untouched(publishers, tmp_path):
    update_refdata(tmp_path, date=DAY)
    before = snapshot(tmp_path)
    publishers.failures["07459"] = urllib.error.URLError("[Errno -3] Temporary failure in name resolution")
    with pytest.raises(MissingReferenceDataError, match="Temporary failure in name resolution.*nothing was written"):
        update_refdata(tmp_path, date=dt.date(2025, 6, 1))
    assert snapshot(tmp_path) == before


def test_a_timeout_is_a_download_failure(publishers, tmp_path):
    publishers.failures["bring"] = TimeoutError("timed out")
    with pytest.raises(MissingReferenceDataError, match=r"postnummerregister-ansi.txt: timed out"):
        update_refdata(tmp_path, date=DAY)


@pytest.mark.parametrize(
    "key, body, message",
    [
        ("bring", b"<!DOCTYPE html><html><body>Postnummer</body></html>",
         "line 1 has 1 tab-separated fields, not 5"),
        ("bring", b"0001\tOSLO\t0301\tOSLO\tP\r\n001\tOSLO\t0301\tOSLO\tP\r\n", "line 2: postal_code '001'"),
        ("bring", b"0001\tOSLO\t0301\tOSLO\tP\r\n0001\tOSLO\t0301\tOSLO\tP\r\n", "postal code 0001 appears twice"),
        ("131", b'{"codes": []}', "no codes valid on 2025-05-01"),
        ("131", b"<html>", "is not JSON"),
        ("131-104", b'{"correspondenceItems": []}', "no correspondence between KLASS 131 and 104"),
        ("131-128", json.dumps({"correspondenceItems": [{"sourceCode": "4622", "targetCode": "7"}]}).encode(),
         "class '7' is not one of KLASS 128's classes"),
        ("131-128", json.dumps({"correspondenceItems": [{"sourceCode": "4622", "targetCode": "4"},
                                                        {"sourceCode": "4622", "targetCode": "5"}]}).encode(),
         "4622 maps to more than one code of KLASS 128"),
        ("07459", b'{"class": "dataset"}', "not a JSON-stat 2.0 dataset"),
    ],
)
def test_an_unexpected_answer_is_reported_and_nothing_is_written(publishers, tmp_path, key, body, message):
    publishers.bodies[key] = body
    with pytest.raises(InputFileError, match=message) as err:
        update_refdata(tmp_path / "new", date=DAY)
    assert "Nothing was written" in str(err.value)
    assert not (tmp_path / "new").exists()


def test_age_groups_instead_of_single_years_are_refused(publishers, tmp_path):
    doc = publishers.json("07459")
    doc["dimension"]["Alder"]["category"]["index"] = {"025-029": 0, "030-034": 1, "105+": 2}
    publishers.set_json("07459", doc)
    with pytest.raises(InputFileError, match="age code '025-029' is not a single year"):
        update_refdata(tmp_path, date=DAY)


# -- JSON-stat --------------------------------------------------------------------------------


def test_jsonstat2_values_are_row_major_over_the_dimensions():
    doc = {
        "id": ["a", "b"], "size": [2, 3],
        "dimension": {"a": {"category": {"index": ["x", "y"]}},
                      "b": {"category": {"index": {"p": 2, "q": 0, "r": 1}}}},
        "value": [1, 2, 3, 4, None, 6],
    }
    frame = jsonstat2_frame(doc)
    assert frame[["a", "b"]].values.tolist() == [["x", "q"], ["x", "r"], ["x", "p"], ["y", "q"], ["y", "r"], ["y", "p"]]
    assert frame["value"].tolist()[:4] == [1, 2, 3, 4] and pd.isna(frame["value"][4])
    sparse = dict(doc, value={"0": 1, "5": 6})
    assert jsonstat2_frame(sparse)["value"].fillna(0).tolist() == [1, 0, 0, 0, 0, 6]
    with pytest.raises(ValueError, match="5 values for 6 cells"):
        jsonstat2_frame(dict(doc, value=[1, 2, 3, 4, 5]))


# -- status -----------------------------------------------------------------------------------


def test_status_after_an_update_shows_every_register_and_when_it_was_fetched(publishers, tmp_path):
    update_refdata(tmp_path, date=DAY)
    status = refdata_status(tmp_path)
    assert status.directory == tmp_path and status.chosen_by == "--refdata"
    assert status.missing == []
    by_name = {r.register: r for r in status.registers}
    assert by_name["postal_codes"].path.name == "postnummerregister_2025-05-01.txt"
    assert by_name["postal_codes"].url == upd.BRING_URL and by_name["population"].retrieved
    assert by_name["employed"].path is None  # not downloaded; the shipped summary is used


def test_status_of_an_empty_or_unset_directory_lists_what_is_missing(tmp_path, monkeypatch):
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "xdg"))
    monkeypatch.delenv("FJERNARBEID_REFDATA", raising=False)
    status = refdata_status()
    assert status.directory is None and status.chosen_by == ""
    # the population by sex and age is not missing: its shipped summary is used without the register
    assert status.missing == ["postal_codes", "municipalities", "centrality"]
    monkeypatch.setenv("FJERNARBEID_REFDATA", str(tmp_path))
    status = refdata_status()
    assert status.directory == tmp_path and status.chosen_by == "$FJERNARBEID_REFDATA"
    assert len(status.missing) == 3


def test_status_of_the_shared_reference_data(refdata_dir):
    status = refdata_status(refdata_dir)
    assert status.missing == []
    assert all(r.path is not None and r.retrieved is None for r in status.registers)

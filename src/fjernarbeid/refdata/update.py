"""Fresh copies of the reference registers from their official publishers (``fjernarbeid refdata update``).

``postnummerregister_DATE.txt`` — postal codes
    Posten/Bring, ``GET https://www.bring.no/postnummerregister-ansi.txt``: tab-separated, no
    header, Windows-1252. Kept byte for byte.
``kommuner_DATE.csv`` — municipalities
    SSB KLASS 131 ``codesAt?date=DATE`` (municipality number → name) and the 131 → 104
    correspondence (municipality → county number and name).
``sentralitet_DATE.csv`` — centrality
    SSB KLASS 128 ``codesAt?date=DATE`` (the six classes and their names) and the 131 → 128
    correspondence (municipality → class).
``ssb07459_DATE.csv`` — population
    SSB StatBank table 07459 through PxWebApi v1: ``POST`` of a JSON query, answered as
    JSON-stat 2.0; Norway on 1 January by sex and single year of age, every year published.

The files have the columns that :class:`fjernarbeid.refdata.RefData` reads. ``SOURCES.json``
records, for each file, the requests it was made from (URL, retrieval time, SHA-256 of the
response) and the file's own SHA-256.

KLASS publishes which municipality belongs to which county and centrality class as
*correspondence tables* between classifications (codes of 128 are the six classes only). They
are read with the date-range endpoint ``corresponds?from=DATE&to=DATE+1``, which reports each
mapping's validity, and only mappings valid on DATE are kept.

Everything is downloaded and checked in memory first; only if every register arrived and
looks right are the files written (each atomically, ``SOURCES.json`` last). A failed request or
an unexpected answer raises with the URL and the reason, and leaves the directory as it was.
"""

from __future__ import annotations

import datetime as _dt
import hashlib
import io
import json
import socket
import urllib.error
import urllib.parse
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from fjernarbeid._io import write_bytes_atomic, write_text_atomic
from fjernarbeid.errors import InputFileError, MissingReferenceDataError
from fjernarbeid.refdata import DESCRIPTIONS, ENV_VAR, PATTERNS, RefData, default_refdata_dir, user_refdata_dir

BRING_URL = "https://www.bring.no/postnummerregister-ansi.txt"
KLASS_URL = "https://data.ssb.no/api/klass/v1/classifications"
STATBANK_URL = "https://data.ssb.no/api/v0/no/table"
MUNICIPALITIES, COUNTIES, CENTRALITY = 131, 104, 128
POPULATION_TABLE = "07459"
SOURCES_FILE = "SOURCES.json"
TIMEOUT_SECONDS = 60

# What `update` provides; the employment figures are a shipped summary only.
DOWNLOADED = ("postal_codes", "municipalities", "centrality", "population")
# Downloadable registers that the package also ships a cited summary of, used when the register is
# absent (the population by sex and age for weighting): absent, they are not missing.
SUMMARY_SHIPPED = ("population",)

# 07459: the whole country ("0" in the value set Landet), both sexes, every single year of age,
# the population on 1 January (Personer1), every year.
POPULATION_QUERY = {
    "query": [
        {"code": "Region", "selection": {"filter": "vs:Landet", "values": ["0"]}},
        {"code": "Kjonn", "selection": {"filter": "item", "values": ["1", "2"]}},
        {"code": "Alder", "selection": {"filter": "all", "values": ["*"]}},
        {"code": "ContentsCode", "selection": {"filter": "item", "values": ["Personer1"]}},
        {"code": "Tid", "selection": {"filter": "all", "values": ["*"]}},
    ],
    "response": {"format": "json-stat2"},
}
SEX_CODES = {"1": "male", "2": "female"}  # 07459's Kjonn: 1 Menn, 2 Kvinner


# -- results ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Retrieval:
    """One request to a publisher."""

    url: str
    method: str
    retrieved: str  # UTC, ISO 8601
    sha256: str  # of the response body
    bytes: int


@dataclass(frozen=True)
class RegisterFile:
    """A register as it will be written: file name, content and where it came from."""

    register: str
    filename: str
    content: bytes
    sources: tuple[Retrieval, ...]
    rows: int
    warnings: tuple[str, ...] = ()

    @property
    def sha256(self) -> str:
        return hashlib.sha256(self.content).hexdigest()


@dataclass(frozen=True)
class UpdateResult:
    directory: Path
    date: _dt.date
    files: tuple[RegisterFile, ...]
    removed: tuple[str, ...] = ()
    warnings: tuple[str, ...] = field(default_factory=tuple)


# -- HTTP ---------------------------------------------------------------------------------------


def _http(url: str, *, data: bytes | None = None, headers: dict[str, str] | None = None) -> bytes:
    """One HTTP request with urllib (the only network access of the package)."""
    from fjernarbeid import __version__

    request = urllib.request.Request(
        url, data=data, method="POST" if data is not None else "GET",
        headers={"User-Agent": f"fjernarbeid/{__version__} (reference data update)", **(headers or {})},
    )
    with urllib.request.urlopen(request, timeout=TIMEOUT_SECONDS) as response:
        return response.read()


def _fetch(what: str, url: str, *, data: bytes | None = None, accept: str = "application/json",
           content_type: str | None = None) -> tuple[bytes, Retrieval]:
    headers = {"Accept": accept}
    if content_type:
        headers["Content-Type"] = content_type
    retrieved = _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat()
    try:
        body = _http(url, data=data, headers=headers)
    except urllib.error.HTTPError as exc:
        detail = ""
        try:
            detail = exc.read()[:300].decode("utf-8", "replace").strip()
        except Exception:  # the body of an error is a courtesy; its absence is no new error
            pass
        raise MissingReferenceDataError(
            f"could not download {what} from {url}: HTTP {exc.code} {exc.reason}"
            + (f" ({detail})" if detail else "") + ". Nothing was written."
        ) from None
    except (urllib.error.URLError, socket.timeout, TimeoutError, ConnectionError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise MissingReferenceDataError(
            f"could not download {what} from {url}: {reason}. Check the network connection; nothing was written."
        ) from None
    digest = hashlib.sha256(body).hexdigest()
    return body, Retrieval(url, "POST" if data is not None else "GET", retrieved, digest, len(body))


def _json(what: str, url: str, body: bytes) -> Any:
    try:
        return json.loads(body.decode("utf-8-sig"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{url}: the answer for {what} is not JSON ({exc}). Nothing was written.") from None


def _bad(url: str, what: str, problem: str) -> InputFileError:
    return InputFileError(f"{url}: the answer for {what} is not as expected: {problem}. Nothing was written.")


# -- Bring --------------------------------------------------------------------------------------


def fetch_postal_codes(date: _dt.date) -> RegisterFile:
    """Bring's postal-code register, kept as published (Windows-1252), after checking every line."""
    what = DESCRIPTIONS["postal_codes"]
    body, source = _fetch(what, BRING_URL, accept="text/plain")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError:
        text = body.decode("cp1252", errors="replace")
    lines = [line for line in text.splitlines() if line.strip()]
    if not lines:
        raise _bad(BRING_URL, what, "it is empty")
    fields = pd.Series(lines).str.split("\t")
    wrong_width = fields.str.len() != 5
    if wrong_width.any():
        i = int(np.argmax(wrong_width.to_numpy()))
        raise _bad(BRING_URL, what, f"line {i + 1} has {len(fields[i])} tab-separated fields, not 5: {lines[i][:80]!r}")
    table = pd.DataFrame(fields.tolist(), columns=["postal_code", "place", "municipality", "name", "category"])
    for column, pattern in (("postal_code", r"\d{4}"), ("municipality", r"\d{4}"), ("category", r"[A-Z]")):
        wrong = ~table[column].str.fullmatch(pattern)
        if wrong.any():
            i = int(np.argmax(wrong.to_numpy()))
            raise _bad(BRING_URL, what, f"line {i + 1}: {column} {table[column][i]!r} does not match {pattern}")
    duplicated = table["postal_code"].duplicated()
    if duplicated.any():
        raise _bad(BRING_URL, what, f"postal code {table['postal_code'][duplicated].iloc[0]} appears twice")
    return RegisterFile("postal_codes", f"postnummerregister_{date.isoformat()}.txt", body, (source,), len(table))


# -- KLASS ------------------------------------------------------------------------------------


def _klass_codes(classification: int, date: _dt.date, what: str) -> tuple[pd.DataFrame, Retrieval]:
    url = f"{KLASS_URL}/{classification}/codesAt?" + urllib.parse.urlencode({"date": date.isoformat()})
    body, source = _fetch(what, url)
    doc = _json(what, url, body)
    codes = doc.get("codes") if isinstance(doc, dict) else None
    if not codes:
        raise _bad(url, what, f"no codes valid on {date}")
    frame = pd.DataFrame(codes)
    if not {"code", "name"} <= set(frame.columns):
        raise _bad(url, what, f"codes without 'code' and 'name' (fields: {sorted(frame.columns)})")
    return frame.astype({"code": str, "name": str}), source


def _klass_correspondence(source_id: int, target_id: int, date: _dt.date, what: str) -> tuple[pd.DataFrame, Retrieval]:
    """Mappings ``source code → target code`` valid on ``date`` (validFrom ≤ date < validTo)."""
    query = {"targetClassificationId": target_id, "from": date.isoformat(),
             "to": (date + _dt.timedelta(days=1)).isoformat()}
    url = f"{KLASS_URL}/{source_id}/corresponds?" + urllib.parse.urlencode(query)
    body, source = _fetch(what, url)
    doc = _json(what, url, body)
    items = doc.get("correspondenceItems") if isinstance(doc, dict) else None
    if not items:
        raise _bad(url, what, f"no correspondence between KLASS {source_id} and {target_id} on {date}")
    frame = pd.DataFrame(items)
    if not {"sourceCode", "targetCode"} <= set(frame.columns):
        raise _bad(url, what, f"items without sourceCode/targetCode (fields: {sorted(frame.columns)})")
    day = date.isoformat()  # ISO dates compare as text; a missing bound is open
    frame = frame[(_bound(frame, "validFrom", "0000-00-00") <= day) & (day < _bound(frame, "validTo", "9999-99-99"))]
    frame = frame.astype({"sourceCode": str, "targetCode": str}).drop_duplicates(["sourceCode", "targetCode"])
    ambiguous = frame["sourceCode"].duplicated(keep=False)
    if ambiguous.any():
        code = frame.loc[ambiguous, "sourceCode"].iloc[0]
        raise _bad(url, what, f"{code} maps to more than one code of KLASS {target_id} on {date}")
    return frame, source


def _bound(frame: pd.DataFrame, column: str, open_end: str) -> pd.Series:
    values = frame[column].astype(object) if column in frame else pd.Series(None, index=frame.index, dtype=object)
    return values.where(values.notna(), open_end).astype(str)


def _municipality_codes(date: _dt.date, what: str) -> tuple[pd.DataFrame, Retrieval]:
    codes, source = _klass_codes(MUNICIPALITIES, date, what)
    codes = codes[codes["code"].str.fullmatch(r"\d{4}")]
    if codes.empty:
        raise _bad(source.url, what, "no four-digit municipality numbers")
    return codes[["code", "name"]].drop_duplicates("code"), source


def fetch_municipalities(date: _dt.date, municipalities=None) -> RegisterFile:
    """KLASS 131 with each municipality's county (from the 131 → 104 correspondence)."""
    what = DESCRIPTIONS["municipalities"]
    (codes, codes_source) = municipalities or _municipality_codes(date, what)
    counties, county_source = _klass_correspondence(MUNICIPALITIES, COUNTIES, date, what)
    out = codes.merge(counties, left_on="code", right_on="sourceCode", how="left")
    table = pd.DataFrame({
        "kommunenummer": out["code"],
        "kommunenavn": out["name"],
        "fylkesnummer": out["targetCode"],
        "fylkesnavn": out.get("targetName", pd.Series(None, index=out.index)),
    })
    warnings = ()
    no_county = table["fylkesnummer"].isna()
    if no_county.all():
        raise _bad(county_source.url, what, "no municipality of KLASS 131 has a county")
    if no_county.any():  # e.g. Svalbard or "unknown" codes: kept, without a county
        warnings = (f"{int(no_county.sum())} municipality code(s) without a county on {date}: "
                    + ", ".join(table.loc[no_county, "kommunenummer"].head(10)),)
    return RegisterFile("municipalities", f"kommuner_{date.isoformat()}.csv", _csv(table),
                        (codes_source, county_source), len(table), warnings)


def fetch_centrality(date: _dt.date, municipalities=None) -> RegisterFile:
    """KLASS 128: each municipality's centrality class 1 (most central) … 6."""
    what = DESCRIPTIONS["centrality"]
    (codes, codes_source) = municipalities or _municipality_codes(date, what)
    classes, class_source = _klass_codes(CENTRALITY, date, what)
    classes = classes[classes["code"].str.fullmatch(r"\d+")].assign(level=lambda f: f["code"].astype(int))
    classes = classes[classes["level"].between(1, 6)]
    if classes.empty:
        raise _bad(class_source.url, what, "no centrality classes 1-6")
    mapping, map_source = _klass_correspondence(MUNICIPALITIES, CENTRALITY, date, what)
    mapping = mapping[mapping["sourceCode"].str.fullmatch(r"\d{4}")]
    unknown = ~mapping["targetCode"].str.fullmatch(r"\d+") | ~mapping["targetCode"].str.lstrip("0").isin(
        classes["code"].str.lstrip("0"))
    if unknown.any():
        raise _bad(map_source.url, what, f"class {mapping.loc[unknown, 'targetCode'].iloc[0]!r} is not one of "
                                         f"KLASS 128's classes {sorted(classes['level'])}")
    mapping = mapping.assign(level=mapping["targetCode"].astype(int))
    out = mapping.merge(codes, left_on="sourceCode", right_on="code", how="left").merge(
        classes[["level", "name"]].rename(columns={"name": "class_name"}), on="level", how="left")
    table = pd.DataFrame({
        "kommune_code": out["sourceCode"],
        "kommune": out["name"].fillna(out.get("sourceName", pd.Series("", index=out.index))),
        "sentralitet": out["level"],
        "sentralitet_navn": out["class_name"],
    }).sort_values("kommune_code")
    warnings = ()
    without = sorted(set(codes["code"]) - set(table["kommune_code"]))
    if without:
        warnings = (f"{len(without)} municipality code(s) of KLASS 131 without a centrality class on {date}: "
                    + ", ".join(without[:10]),)
    return RegisterFile("centrality", f"sentralitet_{date.isoformat()}.csv", _csv(table),
                        (codes_source, class_source, map_source), len(table), warnings)


# -- StatBank 07459 ------------------------------------------------------------------------------


def jsonstat2_frame(doc: dict[str, Any]) -> pd.DataFrame:
    """A JSON-stat 2.0 dataset as a long table: one column per dimension (codes) plus ``value``.

    Values are stored row-major over the dimensions in ``id`` order (JSON-stat 2.0, "value"),
    so the table is the Cartesian product of the category codes in their index order.
    """
    ids, sizes, dims = doc["id"], doc["size"], doc["dimension"]
    levels = []
    for dim, size in zip(ids, sizes):
        index = dims[dim]["category"].get("index")
        if index is None:  # a single category may come without an index
            codes = list(dims[dim]["category"]["label"])
        elif isinstance(index, dict):
            codes = sorted(index, key=index.get)
        else:
            codes = list(index)
        if len(codes) != size:
            raise ValueError(f"dimension {dim} has {len(codes)} categories but size {size}")
        levels.append(codes)
    n = int(np.prod(sizes))
    raw = doc["value"]
    if isinstance(raw, dict):  # sparse: {"position": value}
        values = np.full(n, np.nan)
        for pos, v in raw.items():
            values[int(pos)] = np.nan if v is None else v
    else:
        if len(raw) != n:
            raise ValueError(f"{len(raw)} values for {n} cells")
        values = np.array([np.nan if v is None else v for v in raw], dtype=float)
    frame = pd.MultiIndex.from_product(levels, names=ids).to_frame(index=False)
    frame["value"] = values
    return frame


def fetch_population(date: _dt.date) -> RegisterFile:
    """SSB 07459: Norway's population on 1 January by sex and single year of age, every year."""
    what = DESCRIPTIONS["population"]
    url = f"{STATBANK_URL}/{POPULATION_TABLE}/"
    body, source = _fetch(what, url, data=json.dumps(POPULATION_QUERY).encode("utf-8"),
                          content_type="application/json")
    doc = _json(what, url, body)
    try:
        frame = jsonstat2_frame(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(url, what, f"not a JSON-stat 2.0 dataset ({exc!r})") from None
    missing = {"Kjonn", "Alder", "Tid"} - set(frame.columns)
    if missing:
        raise _bad(url, what, f"dimensions {sorted(missing)} are missing")
    age = frame["Alder"].str.fullmatch(r"\d{3}\+?")
    if not age.all():
        code = frame.loc[~age, "Alder"].iloc[0]
        raise _bad(url, what, f"age code {code!r} is not a single year (e.g. '025', '105+')")
    sex = frame["Kjonn"].map(SEX_CODES)
    if sex.isna().any():
        raise _bad(url, what, f"sex code {frame.loc[sex.isna(), 'Kjonn'].iloc[0]!r} is not 1 or 2")
    if not frame["Tid"].str.fullmatch(r"\d{4}").all() or frame["value"].isna().any() or (frame["value"] < 0).any():
        raise _bad(url, what, "years must be four digits and every population a count")
    table = pd.DataFrame({
        "year_jan1": frame["Tid"].astype(int),
        "sex": sex,
        "age": frame["Alder"].str.rstrip("+").astype(int),
        "population": frame["value"].round().astype(int),
    }).groupby(["year_jan1", "sex", "age"], as_index=False)["population"].sum()  # one row per cell
    return RegisterFile("population", f"ssb07459_{date.isoformat()}.csv", _csv(table), (source,), len(table))


# 07459 by municipality at the borders of the update's date: SSB's aggregation "KommSummer" sums earlier
# municipalities into the current ones (codes "K-" + municipality number); ages 0-105+ are listed one by
# one (the table's own codes), and only the last years (``top``), which keeps the answer under
# StatBank's limit on cells per query.
MUNICIPAL_YEARS = 3


def municipal_population_query(municipality_codes: list[str], years: int = MUNICIPAL_YEARS) -> dict:
    return {
        "query": [
            {"code": "Region", "selection": {"filter": "agg:KommSummer", "values": [f"K-{c}" for c in municipality_codes]}},
            {"code": "Kjonn", "selection": {"filter": "item", "values": ["1", "2"]}},
            {"code": "Alder", "selection": {"filter": "all", "values": ["*"]}},
            {"code": "ContentsCode", "selection": {"filter": "item", "values": ["Personer1"]}},
            {"code": "Tid", "selection": {"filter": "top", "values": [str(years)]}},
        ],
        "response": {"format": "json-stat2"},
    }


def fetch_population_by_municipality(date: _dt.date, municipalities=None) -> RegisterFile:
    """SSB 07459 by municipality (at ``date``'s borders), sex and single year of age, the last years;
    the columns of the shipped summary's source: year_jan1, kommune_code, sex, age, population."""
    what = DESCRIPTIONS["population_municipality"]
    (codes, _) = municipalities or _municipality_codes(date, what)
    url = f"{STATBANK_URL}/{POPULATION_TABLE}/"
    wanted = sorted(codes["code"])
    body, source = _fetch(what, url, data=json.dumps(municipal_population_query(wanted)).encode("utf-8"),
                          content_type="application/json")
    doc = _json(what, url, body)
    try:
        frame = jsonstat2_frame(doc)
    except (KeyError, TypeError, ValueError) as exc:
        raise _bad(url, what, f"not a JSON-stat 2.0 dataset ({exc!r})") from None
    missing = {"Region", "Kjonn", "Alder", "Tid"} - set(frame.columns)
    if missing:
        raise _bad(url, what, f"dimensions {sorted(missing)} are missing")
    region = frame["Region"].str.removeprefix("K-")
    not_municipal = ~region.str.fullmatch(r"\d{4}")
    if not_municipal.any():
        raise _bad(url, what, f"region {frame.loc[not_municipal, 'Region'].iloc[0]!r} is not a municipality "
                              "(K- and four digits)")
    unknown = sorted(set(region) - set(wanted))
    if unknown:
        raise _bad(url, what, f"municipalities {', '.join(unknown[:5])} were not asked for")
    age = frame["Alder"].str.fullmatch(r"\d{3}\+?")
    if not age.all():
        raise _bad(url, what, f"age code {frame.loc[~age, 'Alder'].iloc[0]!r} is not a single year (e.g. '025', '105+')")
    sex = frame["Kjonn"].map(SEX_CODES)
    if sex.isna().any():
        raise _bad(url, what, f"sex code {frame.loc[sex.isna(), 'Kjonn'].iloc[0]!r} is not 1 or 2")
    if not frame["Tid"].str.fullmatch(r"\d{4}").all() or (frame["value"] < 0).any():
        raise _bad(url, what, "years must be four digits and every population a count")
    # a municipality that did not exist in a year has no value there: no row rather than a zero
    table = pd.DataFrame({"year_jan1": frame["Tid"].astype(int), "kommune_code": region, "sex": sex,
                          "age": frame["Alder"].str.rstrip("+").astype(int), "population": frame["value"]})
    table = table.dropna(subset=["population"]).astype({"population": int})
    table = table.sort_values(["year_jan1", "kommune_code", "sex", "age"]).reset_index(drop=True)
    return RegisterFile("population_municipality", f"ssb07459_municipality_{date.isoformat()}.csv", _csv(table),
                        (source,), len(table))


# -- the whole update ----------------------------------------------------------------------------


def _csv(table: pd.DataFrame) -> bytes:
    buffer = io.StringIO()
    table.to_csv(buffer, index=False, lineterminator="\n")
    return buffer.getvalue().encode("utf-8")


def _read_sources(directory: Path) -> dict[str, Any]:
    path = directory / SOURCES_FILE
    if not path.is_file():
        return {}
    try:
        doc = json.loads(path.read_text("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError):
        return {}
    return doc if isinstance(doc, dict) else {}


def update_refdata(directory: str | Path | None = None, *, date: _dt.date | None = None,
                   municipal_population: bool = False) -> UpdateResult:
    """Download every register into ``directory`` (default: :func:`user_refdata_dir`).

    ``date`` is the day whose municipality structure and classes are wanted (default: today);
    ``municipal_population`` also fetches SSB 07459 by municipality (for ``fjernarbeid target``).
    Nothing is written unless every download succeeded and passed its checks.
    """
    directory = Path(directory) if directory else user_refdata_dir()
    date = date or _dt.date.today()
    if directory.exists() and not directory.is_dir():
        raise InputFileError(f"{directory}: not a directory")

    municipalities = _municipality_codes(date, "the municipalities of KLASS 131")
    files = (
        fetch_postal_codes(date),
        fetch_municipalities(date, municipalities),
        fetch_centrality(date, municipalities),
        fetch_population(date),
    ) + ((fetch_population_by_municipality(date, municipalities),) if municipal_population else ())
    warnings = [w for f in files for w in f.warnings]

    previous = _read_sources(directory)
    directory.mkdir(parents=True, exist_ok=True)
    for f in files:
        write_bytes_atomic(directory / f.filename, f.content)
    record = {
        "updated": _dt.datetime.now(_dt.timezone.utc).replace(microsecond=0).isoformat(),
        "date": date.isoformat(),
        "files": {
            f.register: {
                "file": f.filename, "description": DESCRIPTIONS[f.register], "rows": f.rows, "sha256": f.sha256,
                "sources": [vars(s) for s in f.sources],
            }
            for f in files
        },
    }
    write_text_atomic(directory / SOURCES_FILE, json.dumps(record, ensure_ascii=False, indent=2) + "\n")

    # Files of an earlier update that these replace (only files this command wrote itself).
    removed = []
    for register, entry in (previous.get("files") or {}).items():
        old = entry.get("file") if isinstance(entry, dict) else None
        new = record["files"].get(register, {}).get("file")
        if old and old != new and "/" not in old and (directory / old).is_file():
            (directory / old).unlink()
            removed.append(old)
    refdata = RefData(directory)
    for f in files:
        used = refdata.path(f.register)
        if used.name != f.filename:
            warnings.append(f"{directory} also has {used.name}, which is read instead of {f.filename}; remove it")
    return UpdateResult(directory, date, files, tuple(removed), tuple(warnings))


# -- status ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RegisterStatus:
    register: str
    description: str
    path: Path | None
    retrieved: str | None = None
    url: str | None = None


@dataclass(frozen=True)
class Status:
    """Which reference-data directory is used, why, and which registers it holds."""

    directory: Path | None
    chosen_by: str
    candidates: tuple[tuple[str, str], ...]
    registers: tuple[RegisterStatus, ...]

    @property
    def missing(self) -> list[str]:
        return [r.register for r in self.registers
                if r.path is None and r.register in DOWNLOADED and r.register not in SUMMARY_SHIPPED]


def refdata_status(refdata_dir: str | Path | None = None) -> Status:
    import os

    env = os.environ.get(ENV_VAR)
    user = user_refdata_dir()
    candidates = []
    if refdata_dir:
        candidates.append(("--refdata", str(refdata_dir)))
    candidates.append((f"${ENV_VAR}", env or "(not set)"))
    candidates.append(("user data directory", f"{user}" + ("" if user.is_dir() else " (does not exist)")))
    directory = default_refdata_dir(refdata_dir)
    chosen_by = "--refdata" if refdata_dir else (f"${ENV_VAR}" if env else ("user data directory" if directory else ""))
    refdata = RefData(directory)
    sources = (_read_sources(directory).get("files") or {}) if directory and directory.is_dir() else {}
    registers = []
    for register in PATTERNS:
        path = refdata.path(register) if refdata.has(register) else None
        entry = sources.get(register) if isinstance(sources.get(register), dict) else {}
        recorded = path is not None and entry.get("file") == path.name
        first = (entry.get("sources") or [{}])[0] if recorded else {}
        registers.append(RegisterStatus(register, DESCRIPTIONS[register], path,
                                        first.get("retrieved"), first.get("url")))
    return Status(directory, chosen_by, tuple(candidates), tuple(registers))


__all__ = [
    "BRING_URL", "DOWNLOADED", "SUMMARY_SHIPPED", "KLASS_URL", "STATBANK_URL", "fetch_population_by_municipality",
    "municipal_population_query", "RegisterFile", "RegisterStatus", "Retrieval", "Status",
    "UpdateResult", "jsonstat2_frame", "refdata_status", "update_refdata",
]

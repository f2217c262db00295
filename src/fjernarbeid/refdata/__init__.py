"""Norwegian reference data: postal codes, municipalities, centrality, population, employment.

Two layers:

* **Shipped summaries** (package data, cited in the files): the population aged 25-60 by sex and
  age group on 1 January 2025 and employed persons in Q4 2024. Enough to weight the study and
  project shares offline. See :func:`population_targets` and :func:`employed_persons`.
* **Full registers** in a reference-data directory (Bring's postal-code register, SSB's
  municipality and centrality classifications, SSB table 07459). Found, in this order, from the
  ``refdata_dir`` argument / ``--refdata`` option, the ``FJERNARBEID_REFDATA`` environment variable,
  or the user data directory that ``fjernarbeid refdata update`` fills. A step that needs a
  register that is not there raises :class:`MissingReferenceDataError` saying which and where
  it looked.
"""

from __future__ import annotations

import functools
import io
import os
import re
import threading
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from fjernarbeid._lazy import lazy_module
from fjernarbeid.errors import InputFileError, MissingReferenceDataError

# imported on first use: reading a study needs neither (fjernarbeid/_lazy.py)
pd = lazy_module("pandas")

ENV_VAR = "FJERNARBEID_REFDATA"

# File-name patterns of each register, newest first when several match. The names are those of
# the publishers' downloads (and of `fjernarbeid refdata update`).
PATTERNS = {
    "postal_codes": ("postnummerregister*.tsv", "postnummerregister*.txt", "Postnummerregister*.txt"),
    "municipalities": ("kommuner*.csv",),
    "centrality": ("sentralitet*.csv",),
    # the national table (not the one by municipality, which has a name of its own)
    "population": ("ssb07459_[0-9]*.csv", "ssb07459_population_by_sex_*.csv"),
    "population_municipality": ("ssb07459_municipality_*.csv", "ssb07459_population_by_municipality_*.csv"),
    "employed": ("ssb_employed*.csv",),
}

DESCRIPTIONS = {
    "postal_codes": "Bring's postal-code register (Postnummerregister, tab-separated)",
    "municipalities": "SSB municipality classification (KLASS 131): municipality → county",
    "centrality": "SSB centrality classification (KLASS 128): municipality → class 1-6",
    "population": "SSB StatBank table 07459: population by sex and single year of age",
    "population_municipality": "SSB StatBank table 07459: population by municipality, sex and single year of age",
    "employed": "SSB register-based employment statistics: employed persons",
}


def user_refdata_dir() -> Path:
    """Where ``fjernarbeid refdata update`` stores downloaded registers for this user."""
    import platformdirs

    return Path(platformdirs.user_data_dir("fjernarbeid")) / "refdata"


def default_refdata_dir(refdata_dir: str | Path | None = None) -> Path | None:
    """The directory to read registers from, or None if none is configured or present."""
    if refdata_dir:
        return Path(refdata_dir)
    if os.environ.get(ENV_VAR):
        return Path(os.environ[ENV_VAR])
    user = user_refdata_dir()
    return user if user.is_dir() else None


def _read_text(path: Path) -> str:
    """Bring publishes the register as ANSI (Windows-1252); copies are often UTF-8. Accept both."""
    data = path.read_bytes()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        return data.decode("cp1252")


@dataclass(frozen=True)
class RefData:
    """Access to the reference registers in one directory (``None``: no directory configured)."""

    directory: Path | None

    def __post_init__(self):
        if self.directory is not None and not isinstance(self.directory, Path):
            object.__setattr__(self, "directory", Path(self.directory))

    @classmethod
    def locate(cls, refdata_dir: str | Path | None = None) -> "RefData":
        return cls(default_refdata_dir(refdata_dir))

    # -- files --------------------------------------------------------------------------------
    def path(self, register: str) -> Path:
        if self.directory is None or not self.directory.is_dir():
            if self.directory is None:
                problem = f"no reference-data directory was found (none configured: pass --refdata DIR or set {ENV_VAR})"
            else:
                why = "is not a directory" if self.directory.exists() else "does not exist"
                problem = f"the reference-data directory {self.directory} {why}"
            raise MissingReferenceDataError(
                f"{DESCRIPTIONS[register]} is needed but {problem}. "
                "Run `fjernarbeid refdata update` to download the registers, or point --refdata / "
                f"{ENV_VAR} at a directory holding them."
            )
        for pattern in PATTERNS[register]:
            found = sorted(self.directory.glob(pattern), reverse=True)
            if found:
                return found[0]
        raise MissingReferenceDataError(
            f"{DESCRIPTIONS[register]} is needed but {self.directory} has no file matching "
            f"{' or '.join(PATTERNS[register])}. Run `fjernarbeid refdata update`."
        )

    def has(self, register: str) -> bool:
        try:
            self.path(register)
            return True
        except MissingReferenceDataError:
            return False

    # -- registers ----------------------------------------------------------------------------
    def postal_codes(self) -> pd.DataFrame:
        """Postal code → place and municipality, from Bring's register (no header, 5 columns)."""
        with _READING:
            return _postal_codes(self.path("postal_codes"))

    def municipalities(self, *, register_names: bool = False) -> pd.DataFrame:
        """Municipality → county, from SSB's classification. Counties are named in Norwegian
        (:func:`norwegian_county_name`) unless ``register_names``: then as the register spells them, for
        files that copy the register (the demo's sampling frame and its register subset)."""
        path = self.path("municipalities")
        df = pd.read_csv(path, dtype=str)
        rename = {"kommunenummer": "municipality_code", "kommunenavn": "municipality_name",
                  "fylkesnummer": "county_code", "fylkesnavn": "county_name"}
        missing = set(rename) - set(df.columns)
        if missing:
            raise InputFileError(f"{path}: expected columns {sorted(rename)}, missing {sorted(missing)}")
        df = df.rename(columns=rename)[list(rename.values())]
        if not register_names:
            df["county_name"] = df["county_name"].map(norwegian_county_name)
        return df

    def centrality(self) -> pd.DataFrame:
        path = self.path("centrality")
        df = pd.read_csv(path, dtype={"kommune_code": str})
        if not {"kommune_code", "sentralitet"} <= set(df.columns):
            raise InputFileError(f"{path}: expected columns kommune_code and sentralitet")
        return pd.DataFrame(
            {"municipality_code": df["kommune_code"].str.zfill(4), "centrality": df["sentralitet"].astype(int)}
        )

    def postal_lookup(self) -> pd.DataFrame:
        """One row per postal code with municipality, county and centrality class (index: postal code).

        Svalbard (2100) and Jan Mayen (2211) have postal codes but no county or centrality; they
        keep missing values there rather than being dropped.
        """
        with _READING:
            return _postal_lookup(self.path("postal_codes"), self.path("municipalities"), self.path("centrality"))

    def population(self, year: int = 2025) -> pd.DataFrame:
        """Population on 1 January of ``year`` by sex ('male'/'female') and single year of age."""
        path = self.path("population")
        df = pd.read_csv(path)
        out = df[df["year_jan1"] == year]
        if out.empty:
            raise MissingReferenceDataError(f"{path} has no population for 1 January {year}")
        return out[["sex", "age", "population"]].reset_index(drop=True)


    def population_by_municipality(self, year: int = 2025, ages: tuple[int, int] = (25, 60), bins=None) -> pd.DataFrame:
        """Population on 1 January of ``year`` by municipality, sex (1 man, 2 woman) and age group, from SSB
        07459 by municipality in this directory: the table the shipped summary
        (:func:`population_by_municipality`) is made from, with the same columns."""
        path = self.path("population_municipality")
        df = pd.read_csv(path, dtype={"kommune_code": str})
        missing = {"year_jan1", "kommune_code", "sex", "age", "population"} - set(df.columns)
        if missing:
            raise InputFileError(f"{path}: expected columns year_jan1, kommune_code, sex, age, population; "
                                 f"missing {sorted(missing)}")
        df = df[(df["year_jan1"] == year) & df["age"].between(*ages)]
        if df.empty:
            raise MissingReferenceDataError(f"{path} has no population aged {ages[0]}-{ages[1]} for 1 January {year}")
        bins = bins or [(1, 25, 29), (2, 30, 34), (3, 35, 39), (4, 40, 44), (5, 45, 49), (6, 50, 54), (7, 55, 60)]
        group = pd.Series(0, index=df.index)
        for code, lo, hi in bins:
            group[df["age"].between(lo, hi)] = code
        out = pd.DataFrame({"municipality_code": df["kommune_code"].str.zfill(4),
                            "sex": df["sex"].map({"male": 1, "female": 2}), "age_group": group,
                            "population": df["population"]})
        return out.groupby(["municipality_code", "sex", "age_group"], as_index=False)["population"].sum()


# The registers are read once per process (the caches below); the report's validation (in a thread) and
# its derived variables ask for the postal codes at the same moment, and without this lock both read them.
_READING = threading.RLock()


@functools.lru_cache(maxsize=4)
def _postal_codes(path: Path) -> pd.DataFrame:
    text = _read_text(path)
    df = pd.read_csv(io.StringIO(text), sep="\t", header=None, dtype=str, keep_default_na=False)
    if df.shape[1] < 4:
        raise InputFileError(f"{path}: expected Bring's tab-separated register with 5 columns, found {df.shape[1]}")
    df = df.iloc[:, :5]
    df.columns = ["postal_code", "place", "municipality_code", "municipality_name", "category"][: df.shape[1]]
    bad = ~df["postal_code"].str.fullmatch(r"\d{4}")
    if bad.any():
        row = int(bad.idxmax()) + 1
        raise InputFileError(f"{path}, line {row}: postal code {df['postal_code'][row - 1]!r} is not four digits")
    return df


@functools.lru_cache(maxsize=4)
def _postal_lookup(postal: Path, municipalities: Path, centrality: Path) -> pd.DataFrame:
    pc = _postal_codes(postal)[["postal_code", "place", "municipality_code"]]
    mun = RefData(municipalities.parent).municipalities()
    cen = RefData(centrality.parent).centrality()
    out = pc.merge(mun, on="municipality_code", how="left").merge(cen, on="municipality_code", how="left")
    out["centrality"] = out["centrality"].astype("Int64")
    return out.set_index("postal_code")


# -- shipped summaries ---------------------------------------------------------------------


def _packaged_csv(name: str) -> pd.DataFrame:
    text = resources.files("fjernarbeid.refdata").joinpath("summary", name).read_text("utf-8")
    return pd.read_csv(io.StringIO(text), comment="#")


def population_targets() -> pd.DataFrame:
    """Population 25-60 on 1 January 2025 by sex (1 = man, 2 = woman) and the default study's age
    groups: columns sex, age_group, age_from, age_to, population. Summed from the shipped SSB 07459
    summary (``population_norway_sex_age_15_74.csv``), the one place these figures are kept."""
    from fjernarbeid.study import load_study
    from fjernarbeid.study.targets import source_population

    study = load_study()
    inst = study.instrument
    pop = source_population("ssb-norway-sex-age", study.weighting.year or 2025)
    bins = inst.derived_variable(inst.role("age_group")).bins
    rows = []
    for sex_name, sex_code in (("male", 1), ("female", 2)):
        for b in bins:
            lo, hi = max(b.min, inst.min_age), min(b.max, inst.max_age)  # the oldest group: 55-60
            sel = pop[(pop["sex"] == sex_name) & pop["age"].between(lo, hi)]
            rows.append({"sex": sex_code, "age_group": b.code, "age_from": lo, "age_to": hi,
                         "population": int(sel["population"].sum())})
    return pd.DataFrame(rows)


def population_targets_from_register(refdata: RefData, year: int = 2025, bins=None) -> pd.DataFrame:
    """The same table as :func:`population_targets`, recomputed from SSB 07459 in a refdata directory."""
    pop = refdata.population(year)
    bins = bins or [(1, 25, 29), (2, 30, 34), (3, 35, 39), (4, 40, 44), (5, 45, 49), (6, 50, 54), (7, 55, 60)]
    rows = []
    for sex_name, sex_code in (("male", 1), ("female", 2)):
        for code, lo, hi in bins:
            sel = pop[(pop["sex"] == sex_name) & pop["age"].between(lo, hi)]
            rows.append({"sex": sex_code, "age_group": code, "age_from": lo, "age_to": hi,
                         "population": int(sel["population"].sum())})
    return pd.DataFrame(rows)


def population_by_municipality() -> pd.DataFrame:
    """Population 25-60 on 1 January 2025 by municipality (2024 borders), sex (1 = man, 2 = woman) and age group.

    Columns: municipality_code (text, four digits), sex, age_group, population. Source: SSB table
    07459 (see the file; made by ``scripts/derive_municipality_population.py``).
    """
    text = resources.files("fjernarbeid.refdata").joinpath("summary", "population_2025_25_60_by_municipality.csv")
    return pd.read_csv(io.StringIO(text.read_text("utf-8")), comment="#", dtype={"municipality_code": str})


def municipality_facts() -> pd.DataFrame:
    """Municipalities at 2024 borders: municipality_code, municipality_name, county_code, county_name, centrality."""
    text = resources.files("fjernarbeid.refdata").joinpath("summary", "municipalities_2024.csv").read_text("utf-8")
    df = pd.read_csv(io.StringIO(text), comment="#", dtype={"municipality_code": str, "county_code": str},
                     keep_default_na=False)
    df["county_name"] = df["county_name"].map(norwegian_county_name)
    return df


def norwegian_county_name(name):
    """A county's name in Norwegian. SSB names the counties where Sámi or Kven is an official language by
    their Norwegian and Sámi/Kven names together ('Oslo-Oslove', 'Troms-Romssa', 'Finnmark-Finnmárkku');
    the reports, in bokmål, nynorsk or English, use the Norwegian name, which SSB always gives first (no
    county's Norwegian name has a hyphen). Municipality names are left as they are: 'Aurskog-Høland' is one
    name."""
    if not isinstance(name, str):
        return name
    return re.split(r"\s*-\s*", name, maxsplit=1)[0].strip() or name


def employed_persons() -> dict[str, int]:
    """Employed persons 15-74 in Norway, Q4 2024 (SSB regsys): {'total', 'male', 'female'}."""
    df = _packaged_csv("employed_2024q4.csv")
    return {row.sex: int(row.employed) for row in df.itertuples()}


__all__ = [
    "ENV_VAR", "RefData", "default_refdata_dir", "employed_persons", "municipality_facts", "norwegian_county_name",
    "population_by_municipality", "population_targets",
    "population_targets_from_register", "user_refdata_dir",
]

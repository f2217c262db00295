"""Population targets for weighting: a CSV a user writes, or a named source shipped with the package.

A **targets CSV** has the columns ``variable,category,target`` and optionally ``label``, one row
per category::

    variable,category,target,label
    municipality,Kvam,4321,
    municipality,Ullensvang,5310,
    age,25-34,2210,25–34 år
    age,35-49,3805,
    age,50-66,3910,

Several variables are margins (raking, or calibration); cells of a cross-classification (for
post-stratification) name the variables joined by ``×`` (or ``*``) and the categories by ``|``:
``sex×age_group,Kvinne|25-29 år,189307``. A category is matched to the data by its label (in any
language of the questionnaire), by its range (``25-34``, ``67+``, ``-24``) or by its code — never
by its position in a list (:mod:`fjernarbeid.study.weighting`). Text is read in Unicode NFC (composed) form, so a
file saved with 'Å' decomposed (A and a combining ring) matches the data's 'Å'.

A **built-in source** (``targets: {source: …, year: …}`` in the study file) is summed from SSB's
population table 07459 for the study's own categories:

=========================  =========================================================================
``ssb-norway-sex-age``     Norway by sex and single year of age 15-74, 1 January 2025 and 2026
                           (shipped summary ``refdata/summary/population_norway_sex_age_15_74.csv``)
``ssb-municipality-sex-``  municipality × sex × single year of age 15-74, 1 January 2025 and 2026 —
``age``                    shipped for the four Hardanger municipalities; for any other
                           municipality from SSB 07459 in a reference-data directory
=========================  =========================================================================
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from fjernarbeid._io import read_text_file
from fjernarbeid._lazy import lazy_module
from fjernarbeid.errors import InputFileError, MissingReferenceDataError

# imported on first use: reading a study needs neither (fjernarbeid/_lazy.py)
pd = lazy_module("pandas")

CROSS = re.compile(r"\s*[×*]\s*")
# what a targets file is not: said when one looks like the total of a numeric variable ('enroll,,3811472')
NUMERIC_TOTALS = ("targets are population counts per category (variable,category,target); calibration to the total "
                  "of a numeric variable (R's calibrate(~stype + enroll)) is not supported")
SOURCES = ("ssb-norway-sex-age", "ssb-municipality-sex-age")
SOURCE_CITATION = {
    "ssb-norway-sex-age": {
        "nb": "SSBs befolkningstall for hele landet 1. januar {year} (tabell 07459)",
        "nn": "SSB sine folketal for heile landet 1. januar {year} (tabell 07459)",
        "en": "Statistics Norway's population of Norway on 1 January {year} (table 07459)"},
    "ssb-municipality-sex-age": {
        "nb": "SSBs befolkningstall etter kommune 1. januar {year} (tabell 07459)",
        "nn": "SSB sine folketal etter kommune 1. januar {year} (tabell 07459)",
        "en": "Statistics Norway's population by municipality on 1 January {year} (table 07459)"},
}


@dataclass(frozen=True)
class TargetRow:
    """One target: ``variables`` (one, or several for a cell) and their ``categories`` as written."""

    variables: tuple[str, ...]
    categories: tuple[str, ...]
    target: float
    label: str = ""
    line: int = 0


def read_targets_csv(path: str | Path) -> list[TargetRow]:
    """Read a targets CSV (module docstring); every problem names the file, the line and the column."""
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: targets file not found" if not path.exists() else f"{path}: not a file")
    # the one encoding rule of every text input (a byte-order mark, UTF-16, UTF-8, else Windows-1252, which
    # is what Norwegian Excel's "CSV (semikolonseparert)" writes, '×' as byte D7)
    text, _ = read_text_file(path, str(path))
    lines = [line for line in text.splitlines() if line.strip() and not line.lstrip().startswith("#")]
    if not lines:
        raise InputFileError(f"{path}: no targets (expected the columns variable,category,target)")
    try:
        dialect = csv.Sniffer().sniff(lines[0], delimiters=",;\t")
    except csv.Error:
        dialect = csv.excel
    try:
        rows = list(csv.reader(io.StringIO("\n".join(lines)), dialect))
    except csv.Error as exc:
        raise InputFileError(f"{path}: not a CSV file: {exc}") from None
    header = [h.strip().lower() for h in rows[0]]
    needed = ("variable", "category", "target")
    missing = [c for c in needed if c not in header]
    if missing:
        raise InputFileError(f"{path}, line 1: the targets need the columns variable,category,target[,label]; "
                             f"missing {', '.join(missing)} (found {', '.join(header) or 'nothing'})")
    col = {c: header.index(c) for c in header}
    out: list[TargetRow] = []
    seen: dict[tuple, int] = {}
    for number, row in enumerate(rows[1:], start=2):
        # NFC: a file saved in decomposed Unicode ('Å' as A + a combining ring, as macOS may write it) names
        # the same category as the data's composed 'Å'
        cell = {c: (unicodedata.normalize("NFC", row[i]).strip() if i < len(row) else "") for c, i in col.items()}
        variables = tuple(v for v in CROSS.split(cell["variable"]) if v)
        categories = tuple(c.strip() for c in cell["category"].split("|")) if len(variables) > 1 else (cell["category"],)
        if variables and not cell["category"]:
            raise InputFileError(f"{path}, line {number}: {cell['variable']} has a target but no category; "
                                 f"{NUMERIC_TOTALS}")
        if not variables or not cell["category"]:
            raise InputFileError(f"{path}, line {number}: a target needs a variable and a category")
        if len(categories) != len(variables):
            raise InputFileError(f"{path}, line {number}, column category: {len(variables)} variables "
                                 f"({cell['variable']}) need {len(variables)} categories separated by '|', "
                                 f"got {cell['category']!r}")
        figure = cell["target"].replace(" ", "").replace("\u00a0", "")
        if dialect.delimiter == ";" and re.fullmatch(r"[0-9]+,[0-9]+", figure):
            figure = figure.replace(",", ".")  # a decimal comma, as a ';'-separated file from Excel writes it
        try:
            target = float(figure)
        except ValueError:
            raise InputFileError(f"{path}, line {number}, column target: {cell['target']!r} is not a number") from None
        if not target >= 0 or target == float("inf"):
            raise InputFileError(f"{path}, line {number}, column target: {target} is not a count (0 or more)")
        key = (variables, tuple(c.lower() for c in categories))
        if key in seen:
            raise InputFileError(f"{path}, line {number}: {cell['variable']} = {cell['category']} has a target "
                                 f"already on line {seen[key]}")
        seen[key] = number
        out.append(TargetRow(variables, categories, target, cell.get("label", ""), number))
    return out


# -- built-in sources ------------------------------------------------------------------------------


def _packaged(name: str) -> pd.DataFrame:
    from importlib import resources

    text = resources.files("fjernarbeid.refdata").joinpath("summary", name).read_text("utf-8")
    return pd.read_csv(io.StringIO(text), comment="#", dtype={"municipality": str})


def source_population(source: str, year: int, refdata=None, municipalities: list[str] | None = None) -> pd.DataFrame:
    """A built-in source as single years: columns ``sex`` ('male'/'female'), ``age``, ``population``
    and, for the municipality source, ``municipality`` (number) and ``municipality_name``."""
    if source == "ssb-norway-sex-age":
        table = _packaged("population_norway_sex_age_15_74.csv")
    elif source == "ssb-municipality-sex-age":
        table = _packaged("population_hardanger_municipality_sex_age_15_74.csv")
        wanted = {m for m in municipalities or [] if m.isdigit() and len(m) == 4}  # municipality numbers
        if wanted and not wanted <= set(table["municipality"]):
            table = _register_municipalities(refdata, year)
    else:
        raise InputFileError(f"unknown population source {source!r}; built in: {', '.join(SOURCES)} "
                             "(or give the targets as a CSV file)")
    out = table[table["year"] == year]
    if out.empty:
        years = ", ".join(str(y) for y in sorted(table["year"].unique()))
        raise MissingReferenceDataError(f"the population source {source} has no figures for 1 January {year} "
                                        f"(it has {years})")
    return out.drop(columns="year").reset_index(drop=True)


def _register_municipalities(refdata, year: int) -> pd.DataFrame:
    """Every municipality from SSB 07459 in a reference-data directory (``--refdata``)."""
    from fjernarbeid.refdata import RefData

    path = None
    directory = getattr(refdata, "directory", refdata)
    if directory is not None:
        candidate = Path(directory) / "ssb07459_population_by_municipality_sex_age_2024_2026.csv"
        if candidate.is_file():
            path = candidate
    if path is None:
        raise MissingReferenceDataError(
            "the shipped population by municipality covers only Ullensvang, Eidfjord, Ulvik and Kvam; for other "
            "municipalities put SSB table 07459 by municipality (ssb07459_population_by_municipality_sex_age_"
            "2024_2026.csv) in the reference-data directory (--refdata), or give the targets as a CSV file")
    table = pd.read_csv(path, dtype={"kommune_code": str})
    table = table.rename(columns={"year_jan1": "year", "kommune_code": "municipality"})
    names = {}
    try:
        names = dict(RefData(path.parent).municipalities()[["municipality_code", "municipality_name"]].values)
    except Exception:  # the names only help matching by name; numbers still match
        pass
    table["municipality_name"] = table["municipality"].map(names).fillna("")
    return table


def citation(source: str, year: int, lang: str) -> str:
    texts = SOURCE_CITATION.get(source, {})
    text = texts.get(lang) or texts.get("en") or source
    return text.format(year=year)


__all__ = ["SOURCES", "TargetRow", "citation", "read_targets_csv", "source_population"]

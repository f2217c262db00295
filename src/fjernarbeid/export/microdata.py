"""Weighted, labelled, disclosure-controlled microdata: from a fieldwork file to SPSS, Stata,
Parquet or CSV, with a codebook and a disclosure statement beside it.

>>> from fjernarbeid.export.microdata import prepare_microdata, write_microdata
>>> export = prepare_microdata("fieldwork.csv", refdata="refdata/")     # doctest: +SKIP
>>> write_microdata(export, "survey.sav")                               # doctest: +SKIP

:func:`prepare_microdata` validates (refusing data with errors), derives, weights (the study's
default, :func:`~fjernarbeid.survey.weighting.weight_study`) and protects
(:func:`~fjernarbeid.export.disclosure.protect`). :func:`write_microdata` writes, all atomically
and never over the input:

=========================  ======================================================================
``<out>``                  the data: ``.sav`` (SPSS: variable and value labels, "not sure" codes
                           user-missing), ``.dta`` (Stata 14+: variable and value labels),
                           ``.parquet`` (labels in the schema metadata, key ``fjernarbeid``, and
                           each field's ``label``), ``.csv`` (UTF-8, comma, empty = missing)
``<out>.labels.json``      (CSV only) variable labels, value labels and "not sure" codes
``<out>.codebook.json``    every variable: label, type, codes, "not sure" codes, routing, how it
                           was derived or protected, and unweighted/weighted frequencies where they
                           are not disclosive (cells under k are suppressed)
``<out>.codebook.md``      the same for people
``<out>.disclosure.json``  what was dropped, recoded and suppressed and why, every global recode
``<out>.disclosure.md``    step, suppressions per variable, the k achieved, the information lost,
                           any override (in capitals), and whether the input was synthetic
=========================  ======================================================================
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any, Iterable

import numpy as np
import pandas as pd

from fjernarbeid import __version__
from fjernarbeid._cells import neutralise_frame
from fjernarbeid._io import atomic_paths, refuse_overwrite_input
from fjernarbeid.errors import DataValidationError, InputFileError, MissingReferenceDataError, OutputFileError
from fjernarbeid.export._text import method_name, weighting_variables
from fjernarbeid.export.disclosure import GEOGRAPHY_LEVELS, WEIGHT_COLUMN, DisclosureReport, Msg, rules_for, text_of
from fjernarbeid.export.disclosure_strategy import protect_with_strategy
from fjernarbeid.i18n import SUPPRESSED, fmt_number, message
from fjernarbeid.instrument import Instrument, load_instrument
from fjernarbeid.instrument.model import LOCATION_TYPES
from fjernarbeid.survey.weighting import WeightReport

FORMATS = {".sav": "sav", ".dta": "dta", ".parquet": "parquet", ".csv": "csv"}
SIDECARS = (".codebook.json", ".codebook.md", ".disclosure.json", ".disclosure.md")
CSV_LABELS = ".labels.json"
PARQUET_KEY = b"fjernarbeid"

# Label limits of the file formats (longer labels are cut with '…'; the codebook has them whole).
SAV_VARIABLE_LABEL_BYTES = 256
SAV_VALUE_LABEL_BYTES = 120
SAV_FILE_LABEL_BYTES = 64
DTA_LABEL_CHARS = 80
# the longest variable name each format holds: Stata 32 characters, SPSS 64 bytes (UTF-8)
NAME_LIMITS = {"dta": (32, "characters", len), "sav": (64, "bytes", lambda name: len(name.encode("utf-8")))}

# The analysis weight: the population weight divided by its mean (mean 1, sum n). SPSS's WEIGHT BY and
# most test procedures take the weights as frequencies, so with the population weight they would test
# as if 2.7 million people had answered; with this one, n stays the number of respondents.
ANALYSIS_WEIGHT_COLUMN = "weight_analysis"
# A value removed by local suppression (disclosure control): its own labelled user-missing code in SPSS,
# distinct from "not asked" (system-missing) and from "not sure" (the question's own code).
SUPPRESSED_CODE = -9
# Stata's extended missing values: .a "not sure", .b "not asked / no answer", .c "suppressed".
STATA_MISSING = {"not_sure": "a", "not_asked": "b", "suppressed": "c"}


def _w(key: str, lang: str, **kw) -> str:
    """A codebook/label text from the message catalogue (context ``microdata``), in bokmål, nynorsk or English."""
    return message("microdata", key, lang, **kw)


# -- the prepared export ----------------------------------------------------------------------


@dataclass
class MicrodataExport:
    """Protected, weighted data with everything needed to label and document them."""

    data: pd.DataFrame
    instrument: Instrument
    disclosure: DisclosureReport
    weights: WeightReport
    lang: str = "nb"
    source: str = ""
    synthetic: bool = False
    notes: list = field(default_factory=list)  # str or Msg (text_of renders either in a language)
    area_names: dict[str, dict[str, str]] = field(default_factory=dict)  # look-up field → {code: name}
    study: Any = None  # the study whose disclosure rules were applied (None: the questionnaire's default)

    @property
    def variable_labels(self) -> dict[str, str]:
        inst, lang = self.instrument, self.lang
        labels = inst.variable_labels(lang)
        labels[inst.id_variable] = _w("id" if self.disclosure.shuffled else "id_kept", lang)
        labels[WEIGHT_COLUMN] = _w("weight", lang, method=method_name(self.weights.method, lang),
                                   variables=weighting_variables(self.weights.margins["variable"], inst, lang) or "–")
        labels[ANALYSIS_WEIGHT_COLUMN] = _w("analysis_weight", lang)
        return {c: labels.get(c, c) for c in self.data.columns}

    @property
    def value_labels(self) -> dict[str, dict[int, str]]:
        labels = self.instrument.value_labels(self.lang)
        for name, top in rules_for(self.instrument, self.study).top_codes.items():
            if name in self.data.columns and name not in self.disclosure.kept:
                labels[name] = {**labels.get(name, {}), top: _w("top", self.lang, top=top)}
        for name, recode in self.disclosure.recoded.items():
            labels[name] = recode.value_labels(labels.get(name, {}), self.lang)
        return {c: labels[c] for c in self.data.columns if c in labels and labels[c]}

    @property
    def missing_codes(self) -> dict[str, list[int]]:
        """"Not sure" codes of every coded question in the data (valid answers, missing in analysis)."""
        return {q.name: list(q.missing_codes) for q in self.instrument
                if q.missing_codes and q.name in self.data.columns}


def prepare_microdata(
    path: str | Path,
    *,
    instrument: Instrument | None = None,
    mapping: str | Path | None = None,
    refdata=None,
    k: int = 5,
    keep: Iterable[str] = (),
    lang: str = "nb",
    method: str | None = None,
    seed: int | None = None,
    study=None,
    targets=None,
    completes_only: bool = False,
    strategy: str = "auto",
) -> MicrodataExport:
    """Read, validate, derive, weight and protect a fieldwork file for export.

    Raises :class:`DataValidationError` (its ``report`` lists every problem) when the data break
    the questionnaire's rules; :class:`ValueError` for a ``keep`` that names no protected variable.
    Without the postal-code register the postal code is dropped and no geography is published.
    ``completes_only`` drops screened-out submissions first (a note counts them). A select-multiple
    question is exported as the 0/1 column of each of its choices. ``strategy`` (auto, coarsen,
    suppress) chooses among the study's alternatives to local suppression
    (:mod:`~fjernarbeid.export.disclosure_strategy`).
    """
    from fjernarbeid.data.derive import derive
    from fjernarbeid.data.multiple import with_option_columns
    from fjernarbeid.data.read import read_survey
    from fjernarbeid.data.synthetic import is_synthetic
    from fjernarbeid.data.validate import validate
    from fjernarbeid.refdata import RefData
    from fjernarbeid.study import load_study, study_for_instrument, weight

    if not (isinstance(lang, str) and lang.isalpha()):
        raise ValueError(f"lang must be a language code (nb, nn, en …), not {lang!r}")
    if study is None:
        default = load_study()
        study = default if instrument is None or instrument.id == default.id else \
            replace(study_for_instrument(instrument), weighting=default.weighting)
    instrument = instrument or study.instrument
    ref = refdata if isinstance(refdata, RefData) else RefData.locate(refdata)
    data = read_survey(path, instrument, mapping, completes_only=completes_only)
    notes: list[str | Msg] = []
    report = validate(data, instrument, ref)
    if not report.ok:
        raise DataValidationError(f"{path}: {report.n_errors} validation error(s); nothing was written", report)
    frame = derive(data.frame, instrument, ref, skip_unavailable=True)
    if completes_only:
        notes.extend(n.message for n in data.notes if n.rule == "screened_out_dropped")
    if frame.attrs.get("derived_skipped"):
        notes.append(Msg("note_not_derived", names=", ".join(frame.attrs["derived_skipped"])))
    spec = study.weighting
    if targets is not None:
        spec = replace(spec.with_targets_file(targets), method="auto")
    if method is not None:
        spec = replace(spec, method=method)
    weighted = weight(frame, instrument, spec, ref)
    if len(weighted.frame) != len(frame):
        notes.append(Msg("note_unweighted", n=len(frame) - len(weighted.frame)))
    frame = weighted.frame.drop(columns=[c for c in weighted.frame.columns if c.endswith(" (weighting groups)")])
    frame = frame.assign(**{WEIGHT_COLUMN: weighted.weights.to_numpy()})
    frame = with_option_columns(frame, instrument)
    synthetic = is_synthetic(path)
    protected, disclosure = protect_with_strategy(frame, instrument, strategy=strategy, k=k, keep=keep, seed=seed,
                                                  synthetic=synthetic, study=study)
    protected = with_analysis_weight(protected)
    locations = [q.name for q in instrument if q.type in LOCATION_TYPES and q.name in frame.columns
                 and q.name not in protected.columns]
    if locations:  # said in the codebook too, not only in the disclosure statement's list of actions
        notes.append(Msg("note_locations", names=", ".join(locations)))
    return MicrodataExport(data=protected, instrument=instrument, disclosure=disclosure, weights=weighted.report,
                           lang=lang, source=Path(path).name, synthetic=synthetic, notes=notes,
                           area_names=_area_names(ref), study=study)


def with_analysis_weight(data: pd.DataFrame) -> pd.DataFrame:
    """``data`` with the analysis weight (the population weight over its mean) right after the weight."""
    weight = data[WEIGHT_COLUMN].astype(float)
    columns = list(data.columns)
    out = data.assign(**{ANALYSIS_WEIGHT_COLUMN: weight / weight.mean()})
    at = columns.index(WEIGHT_COLUMN) + 1
    return out[columns[:at] + [ANALYSIS_WEIGHT_COLUMN] + columns[at:]]


def measurement_levels(export: "MicrodataExport") -> dict[str, str]:
    """SPSS's measure of every column, from the questionnaire: answer scales ordinal, other codes nominal,
    numbers (integers, weights) scale; derived age groups and centrality ordinal, indicators nominal."""
    inst, out = export.instrument, {}
    for name in export.data.columns:
        if name in inst:
            out[name] = inst[name].measurement_level
        elif name in (WEIGHT_COLUMN, ANALYSIS_WEIGHT_COLUMN):
            out[name] = "scale"
        else:
            try:
                d = inst.derived_variable(name)
            except KeyError:
                out[name] = "nominal"
                continue
            if d.kind == "age":
                out[name] = "scale"
            elif d.kind == "bins" or (d.kind == "postal_lookup" and d.field == "centrality"):
                out[name] = "ordinal"
            else:
                out[name] = "nominal"
    return out


def _is_integral(column: pd.Series) -> bool:
    values = pd.to_numeric(column, errors="coerce").dropna()
    return pd.api.types.is_numeric_dtype(column) and bool((values == values.round()).all())


def _area_names(ref) -> dict[str, dict[str, str]]:
    """Names of municipality and county codes by postal look-up field, for the codebook."""
    try:
        mun = ref.municipalities()
    except (MissingReferenceDataError, InputFileError):
        return {}
    return {"municipality_code": dict(zip(mun["municipality_code"], mun["municipality_name"])),
            "county_code": dict(zip(mun["county_code"], mun["county_name"]))}


# -- writing ----------------------------------------------------------------------------------


def output_paths(out: str | Path) -> dict[str, Path]:
    """Every file :func:`write_microdata` writes for ``out``, by kind."""
    out = Path(out)
    fmt = FORMATS.get(out.suffix.lower())
    if fmt is None:
        raise ValueError(f"{out}: unknown output format {out.suffix or '(no extension)'!r}; "
                         f"use one of {', '.join(FORMATS)}")
    paths = {"data": out}
    if fmt == "csv":
        paths["labels"] = out.with_name(out.name + CSV_LABELS)
    for suffix in SIDECARS:
        paths[suffix.strip(".").replace(".", "_")] = out.with_name(out.name + suffix)
    return paths


def write_microdata(export: MicrodataExport, out: str | Path, *, inputs: Iterable[str | Path] = (),
                    overwrite: bool = True) -> dict[str, Path]:
    """Write the data and its sidecars (module docstring); returns {kind: path}.

    All files are written to temporary files first and renamed together at the end, so a failure
    leaves no partial export. Refuses to write over any of ``inputs``, and, without ``overwrite``,
    over any file that exists (``export --overwrite``).
    """
    paths = output_paths(out)
    for p in paths.values():
        refuse_overwrite_input(p, *inputs)
        if p.is_dir():
            raise InputFileError(f"{p}: is a directory")
    fmt = FORMATS[paths["data"].suffix.lower()]
    _check_names(export, paths["data"], fmt)
    codebook = build_codebook(export, paths["data"].name)
    with atomic_paths(paths, overwrite=overwrite) as tmp:  # all six files, or none
        if fmt == "sav":
            _write_sav(export, tmp["data"])
        elif fmt == "dta":
            _write_dta(export, tmp["data"])
        elif fmt == "parquet":
            _write_parquet(export, tmp["data"])
        else:
            _write_csv(export, tmp["data"], tmp["labels"])
        tmp["codebook_json"].write_text(json.dumps(codebook, ensure_ascii=False, indent=2) + "\n", "utf-8")
        tmp["codebook_md"].write_text(codebook_markdown(codebook, export.lang), "utf-8")
        tmp["disclosure_json"].write_text(json.dumps(_disclosure_dict(export), ensure_ascii=False, indent=2) + "\n",
                                          "utf-8")
        tmp["disclosure_md"].write_text(disclosure_markdown(export, paths["data"].name), "utf-8")
    return paths


def _check_names(export: MicrodataExport, path: Path, fmt: str) -> None:
    """Refuse, before anything is written, variable names the format cannot hold (a KoboToolbox name made
    from a long label; a choice's 0/1 column adds ``_3``), naming each with its length."""
    if fmt not in NAME_LIMITS:
        return
    limit, unit, size = NAME_LIMITS[fmt]
    long = [f"{name} ({size(name)})" for name in export.data.columns if size(name) > limit]
    if long:
        others = ", ".join(sorted({".sav", ".parquet", ".csv"} - {path.suffix.lower()}))
        raise OutputFileError(f"{path}: {'Stata' if fmt == 'dta' else 'SPSS'} holds variable names of at most "
                              f"{limit} {unit}; {len(long)} {'is' if len(long) == 1 else 'are'} longer: "
                              f"{', '.join(long)}. Shorten them in the questionnaire, or export to {others}; "
                              "nothing was written")


def _fit_bytes(text: str, limit: int) -> str:
    data = text.encode("utf-8")
    if len(data) <= limit:
        return text
    return data[: limit - 3].decode("utf-8", errors="ignore") + "…"


def _fit_chars(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def _numeric_frame(data: pd.DataFrame) -> pd.DataFrame:
    """Numbers as float64 with NaN, text as str with '' for missing: what SPSS and Stata store."""
    out = {}
    for name in data.columns:
        col = data[name]
        if pd.api.types.is_numeric_dtype(col) and not pd.api.types.is_bool_dtype(col):
            out[name] = col.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
        else:
            out[name] = col.astype("string").fillna("").astype(object).to_numpy()
    return pd.DataFrame(out)


def _file_label(export: MicrodataExport) -> str:
    if export.synthetic:
        return "SYNTHETIC DEMO DATA - not real respondents (fjernarbeid export)"
    return f"fjernarbeid export, disclosure-controlled (k={export.disclosure.k})"


def _document(export: MicrodataExport) -> list[str]:
    """Lines stored in the data file itself (SPSS documents), in the export's language like its labels."""
    lang = export.lang
    lines = []
    if export.synthetic:
        lines.append(_w("synthetic", lang))
    lines.append(_w("document_source", lang, version=__version__, source=export.source,
                    method=method_name(export.weights.method, lang)))
    lines.append(export.disclosure.conclusion_text(lang))
    lines += [m.text(lang) for m in export.disclosure.override_msgs()]
    # SPSS keeps documents as lines of 80 bytes
    out = []
    for line in lines:
        words, current = line.split(), ""
        for w in words:
            if current and len((current + " " + w).encode("utf-8")) > 76:
                out.append(current)
                current = w
            else:
                current = f"{current} {w}" if current else w
        out.append(current)
    return out


def _write_sav(export: MicrodataExport, path: Path) -> None:
    import pyreadstat

    frame = _numeric_frame(export.data)
    labels = {k: _fit_bytes(v, SAV_VARIABLE_LABEL_BYTES) for k, v in export.variable_labels.items()}
    values = {name: {float(c): _fit_bytes(text, SAV_VALUE_LABEL_BYTES) for c, text in codes.items()}
              for name, codes in export.value_labels.items()}
    missing = {name: [float(c) for c in codes] for name, codes in export.missing_codes.items()}
    for name, cells in export.disclosure.suppressed_cells.items():
        if name in frame.columns and pd.api.types.is_float_dtype(frame[name]):
            frame.loc[cells, name] = float(SUPPRESSED_CODE)
            values.setdefault(name, {})[float(SUPPRESSED_CODE)] = _w("suppressed_code", export.lang)
            missing[name] = missing.get(name, []) + [float(SUPPRESSED_CODE)]
    # whole numbers (codes, counts) as integers: F2.0, not the default F8.2 ("3.00")
    formats = {}
    for name in frame.columns:
        if name not in (WEIGHT_COLUMN, ANALYSIS_WEIGHT_COLUMN) and pd.api.types.is_float_dtype(frame[name]) \
                and _is_integral(frame[name]):
            widest = frame[name].abs().max()
            width = len(str(int(widest))) + 1 if widest == widest else 1
            formats[name] = f"F{max(width, 2)}.0"
    pyreadstat.write_sav(frame, str(path), file_label=_fit_bytes(_file_label(export), SAV_FILE_LABEL_BYTES),
                         note=_document(export), column_labels=labels, variable_value_labels=values,
                         missing_ranges=missing, variable_measure=measurement_levels(export),
                         variable_format=formats)


def _missing_label(export: MicrodataExport, name: str, letter: str) -> str:
    """The label of an extended missing value (Stata shows it in `tab x, missing`): for .a the questionnaire's
    own words when the question has one "not sure" code, else the catalogue's."""
    lang = export.lang
    if letter == STATA_MISSING["not_sure"]:
        codes = export.missing_codes.get(name, [])
        own = export.value_labels.get(name, {}).get(codes[0]) if len(codes) == 1 else None
        return own or _w("stata_not_sure", lang)
    if letter == STATA_MISSING["suppressed"]:
        return _w("suppressed_code", lang)
    return _w("stata_not_asked", lang)


def _write_dta(export: MicrodataExport, path: Path) -> None:
    """Stata 15 with extended missing values: .a "not sure", .b not asked / no answer, .c suppressed."""
    import pyreadstat

    frame = _numeric_frame(export.data)
    labels = {k: _fit_chars(v, DTA_LABEL_CHARS) for k, v in export.variable_labels.items()}
    values = {name: {int(c): text for c, text in codes.items() if int(c) not in export.missing_codes.get(name, [])}
              for name, codes in export.value_labels.items()}
    user_missing: dict[str, list[str]] = {}
    suppressed = export.disclosure.suppressed_cells
    for name in list(frame.columns):
        col = frame[name]
        if not pd.api.types.is_float_dtype(col) or name in (WEIGHT_COLUMN, ANALYSIS_WEIGHT_COLUMN):
            continue
        not_sure = col.isin(export.missing_codes.get(name, [])).to_numpy()
        hidden = suppressed.get(name, np.zeros(len(col), dtype=bool))
        no_value = col.isna().to_numpy() & ~hidden
        if not (not_sure.any() or hidden.any() or no_value.any()):
            continue
        marked = col.astype(object)
        marked[not_sure] = STATA_MISSING["not_sure"]
        marked[no_value] = STATA_MISSING["not_asked"]
        marked[hidden] = STATA_MISSING["suppressed"]
        frame[name] = marked
        user_missing[name] = sorted({STATA_MISSING[k] for k, m in (("not_sure", not_sure), ("not_asked", no_value),
                                                                   ("suppressed", hidden)) if m.any()})
        values.setdefault(name, {}).update({letter: _missing_label(export, name, letter)
                                            for letter in user_missing[name]})
    formats = {name: "%9.0g" for name in frame.columns
               if name not in (WEIGHT_COLUMN, ANALYSIS_WEIGHT_COLUMN) and name in values}
    pyreadstat.write_dta(frame, str(path), file_label=_fit_chars(_file_label(export), DTA_LABEL_CHARS),
                         column_labels=labels, variable_value_labels=values, version=15,
                         missing_user_values=user_missing, variable_format=formats)


def _labels_dict(export: MicrodataExport) -> dict[str, Any]:
    return {
        "variable_labels": export.variable_labels,
        "value_labels": {name: {str(c): t for c, t in codes.items()} for name, codes in export.value_labels.items()},
        "not_sure_codes": export.missing_codes,
        "synthetic": export.synthetic,
        "disclosure": {"k": export.disclosure.k, "holds": export.disclosure.holds,
                       "k_achieved": export.disclosure.k_achieved, "conclusion": export.disclosure.conclusion},
    }


def _write_parquet(export: MicrodataExport, path: Path) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    table = pa.Table.from_pandas(export.data, preserve_index=False)
    variable_labels, value_labels = export.variable_labels, export.value_labels
    fields = []
    for f in table.schema:
        meta = {b"label": variable_labels.get(f.name, f.name).encode("utf-8")}
        if f.name in value_labels:
            meta[b"value_labels"] = json.dumps({str(c): t for c, t in value_labels[f.name].items()},
                                               ensure_ascii=False).encode("utf-8")
        fields.append(f.with_metadata(meta))
    schema = pa.schema(fields, metadata={**(table.schema.metadata or {}),
                                         PARQUET_KEY: json.dumps(_labels_dict(export), ensure_ascii=False).encode("utf-8")})
    pq.write_table(table.cast(schema), str(path))


def _write_csv(export: MicrodataExport, path: Path, labels_path: Path) -> None:
    neutralise_frame(export.data).to_csv(path, index=False, na_rep="", encoding="utf-8", lineterminator="\n")
    labels_path.write_text(json.dumps(_labels_dict(export), ensure_ascii=False, indent=2) + "\n", "utf-8")


# -- the codebook ----------------------------------------------------------------------------


def _frequencies(values: pd.Series, weights: np.ndarray, labels: dict, k: int) -> list[dict[str, Any]]:
    """Unweighted n and weighted % (of the records with a value) of every value, labelled ones first;
    a value with fewer than k records is suppressed (n and % null)."""
    present = values.notna().to_numpy()
    total = float(weights[present].sum())
    keys = pd.Series(values[present].to_numpy(), dtype=object)
    w = weights[present]
    counts = keys.value_counts()
    wsum = pd.Series(w).groupby(keys.to_numpy()).sum()
    values_seen = [v for v in counts.index if v not in labels]
    if values_seen:  # an integer with a few labelled values (a top code): all values in order
        order = sorted(set(labels) | set(values_seen), key=lambda v: (isinstance(v, str), v))
    else:
        order = list(labels)
    rows = []
    for value in order:
        n = int(counts.get(value, 0))
        hidden = n < k
        rows.append({"value": value.item() if isinstance(value, np.generic) else value,
                     "label": labels.get(value), "n": None if hidden else n,
                     "weighted_percent": None if hidden or total == 0 else 100 * float(wsum.get(value, 0.0)) / total,
                     "suppressed": hidden})
    return rows


def build_codebook(export: MicrodataExport, data_file: str) -> dict[str, Any]:
    """The codebook of the exported data as plain data (the ``.codebook.json`` content)."""
    inst, lang, data, k = export.instrument, export.lang, export.data, export.disclosure.k
    weights = data[WEIGHT_COLUMN].to_numpy(dtype=float)
    variable_labels, value_labels = export.variable_labels, export.value_labels
    protection: dict[str, list[str]] = {}
    for a in export.disclosure.actions:
        protection.setdefault(a.variable, []).append(
            f"{Msg('action_' + a.action).text(lang)}: {text_of(a.reason, lang)}")
    for name, columns in export.disclosure.suppressed_with.items():
        for column in columns:
            n = export.disclosure.suppressed.get(name, 0)
            if column != name and n:
                protection.setdefault(column, []).append(Msg("codebook_suppressed_with", n=n, name=name).text(lang))
    recoded = {name: value_labels[name] for name in export.disclosure.recoded if name in value_labels}
    levels = measurement_levels(export)
    variables = []
    for name in data.columns:
        col = data[name]
        entry: dict[str, Any] = {"name": name, "label": variable_labels.get(name, name)}
        if name in inst:
            q = inst[name]
            entry.update(source="question", question=q.number, text=q.label(lang),
                         type={"single": "categorical", "multiple": "multiple choice (codes separated by spaces)",
                               "integer": "integer", "decimal": "decimal", "date": "date", "postal_code": "postal code",
                               "text": "text"}.get(q.type, q.type))
            if q.ask_if is not None:
                from fjernarbeid.report.view import routing_text

                entry["routing"] = {"ask_if": str(q.ask_if),
                                    "text": q.condition_text.get(lang) or q.condition_text.get("nb")
                                    or routing_text(q.ask_if, inst, lang)}
            if q.codes:
                entry["codes"] = [{"code": c.code, "label": c.label(lang), "not_sure": c.missing} for c in q.codes]
                entry["not_sure_codes"] = list(q.missing_codes)
        elif name == WEIGHT_COLUMN:
            entry.update(source="weighting", type="weight", method=export.weights.method)
        elif name == inst.id_variable:
            entry.update(source="export", type="id")
        else:
            try:
                d = inst.derived_variable(name)
                how = str(d.expr) if d.expr else f"{d.kind}({d.source})" + (f".{d.field}" if d.field else "")
                entry.update(source="derived", derivation=how,
                             type="categorical" if d.code_labels(lang) else "code")
                if d.field:
                    entry["field"] = d.field
                if d.code_labels(lang):
                    entry["codes"] = [{"code": c, "label": t, "not_sure": False} for c, t in d.code_labels(lang).items()]
            except KeyError:
                entry.update(source="data file", type="text" if not pd.api.types.is_numeric_dtype(col) else "number")
        if name in recoded:  # the categories published, not the questionnaire's
            entry["codes"] = [{"code": c, "label": t, "not_sure": False} for c, t in recoded[name].items()]
        if name in protection:
            entry["disclosure"] = "; ".join(protection[name])
        hidden = export.disclosure.suppressed_cells.get(name)
        entry["missing"] = int(col.isna().sum()) - (int(hidden.sum()) if hidden is not None else 0)
        if hidden is not None:
            entry["suppressed_values"] = int(hidden.sum())
        entry["measurement_level"] = levels[name]
        if entry["type"] in ("categorical", "integer", "code"):
            labels = dict(value_labels.get(name, {}))
            names = export.area_names.get(entry.get("field"))
            if names is not None:  # municipality and county numbers with their names
                labels = {code: names.get(code, "") for code in sorted(col.dropna().unique())}
            entry["frequencies"] = _frequencies(col, weights, labels, k)
        elif entry["type"] == "weight":
            entry["summary"] = {"min": float(col.min()), "max": float(col.max()), "mean": float(col.mean()),
                                "sum": float(col.sum())}
        variables.append(entry)
    return {
        "schema": "fjernarbeid.codebook", "schema_version": 1,
        "generator": {"name": "fjernarbeid", "version": __version__},
        "file": data_file, "source": export.source, "synthetic": export.synthetic,
        "records": len(data), "language": lang,
        "instrument": {"id": inst.id, "version": inst.version, "title": inst.label(lang)},
        "weighting": {k_: v for k_, v in export.weights.to_dict().items() if k_ != "margins"},
        "disclosure": {"k": k, "holds": export.disclosure.holds, "k_achieved": export.disclosure.k_achieved,
                       "conclusion": export.disclosure.conclusion_text(lang),
                       "suppression": f"frequencies of values held by fewer than {k} records are null"},
        "notes": [text_of(n, lang) for n in export.notes],
        "variables": variables,
    }


def _md(text: Any) -> str:
    return "" if text is None else str(text).replace("|", "\\|").replace("\n", " ")


def _code(text: Any) -> str:
    """``text`` as a Markdown code span that no character of it can end early (CommonMark: a fence
    of more backticks than the longest run inside, padded with spaces when it starts or ends with
    one); a table's ``|`` escaped, line breaks as spaces."""
    text = "" if text is None else str(text).replace("\r", " ").replace("\n", " ")
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") or not text.strip() else ""
    return f"{fence}{pad}{text.replace('|', chr(92) + '|')}{pad}{fence}"


def _status_and_reason(status: str, reason: str) -> str:
    """'undone: why' — the reason of an undone step already starts with its status."""
    reason = _md(reason)
    return reason if reason.startswith(f"{status}:") else f"{status}: {reason}"


def _pct(v: float | None, lang: str) -> str:
    if v is None:
        return "–"
    text = f"{v:.1f}"
    return text.replace(".", ",") if lang == "nb" else text


# A variable's type in the codebook JSON (an English key, for programs) → its words in the codebook's language.
_TYPE_MESSAGES = {"categorical": "type_categorical", "multiple choice (codes separated by spaces)": "type_multiple",
                  "integer": "type_integer", "postal code": "type_postal_code", "text": "type_text",
                  "weight": "type_weight", "id": "type_id", "code": "type_code", "number": "type_number"}


def _type_text(kind: str, lang: str) -> str:
    return _w(_TYPE_MESSAGES[kind], lang) if kind in _TYPE_MESSAGES else kind


def codebook_markdown(codebook: dict[str, Any], lang: str = "nb") -> str:
    """The codebook for people: a list of variables, then one section per variable."""
    out = [f"# {_w('codebook', lang)}: {codebook['file']}", ""]
    if codebook["synthetic"]:
        out += [f"**{_w('synthetic', lang)}**", ""]
    out += [f"{_w('source', lang)}: {codebook['source']}, {codebook['records']} {_w('records', lang)}; "
            f"{codebook['instrument']['title']} ({codebook['instrument']['id']} {codebook['instrument']['version']}).",
            "", _w("disclosure_ref", lang, k=codebook["disclosure"]["k"],
                   file=codebook["file"] + ".disclosure.md") + " " + codebook["disclosure"]["conclusion"], "",
            _w("suppressed", lang, k=codebook["disclosure"]["k"], symbol=SUPPRESSED) + " " + _w("weighted_pct_note", lang),
            "",
            _w("weights_note", lang, population=f"`{WEIGHT_COLUMN}`", analysis=f"`{ANALYSIS_WEIGHT_COLUMN}`"), ""]
    for note in codebook["notes"]:
        out += [note, ""]
    out += [f"## {_w('variables', lang)}", "", f"| {_w('variable', lang)} | {_w('label', lang)} | {_w('type', lang)} |",
            "|---|---|---|"]
    out += [f"| {_code(v['name'])} | {_md(v['label'])} | {_type_text(v['type'], lang)} |" for v in codebook["variables"]]
    for v in codebook["variables"]:
        out += ["", f"## {_code(v['name'])} – {_md(v['label'])}", ""]
        if v.get("text") and v["text"] not in v["label"]:
            out.append(f"- {_md(v['text'])}")
        out.append(f"- {_w('type', lang)}: {_type_text(v['type'], lang)}")
        if v.get("routing"):
            out.append(f"- {_w('routing', lang)}: {_md(v['routing']['text'] or v['routing']['ask_if'])} "
                       f"({_code(v['routing']['ask_if'])})")
        if v.get("not_sure_codes"):
            out.append(f"- {_w('not_sure', lang)}: {', '.join(map(str, v['not_sure_codes']))}")
        if v.get("derivation"):
            out.append(f"- {_w('derived', lang)}: {_code(v['derivation'])}")
        if v.get("disclosure"):
            out.append(f"- {_w('protection', lang)}: {_md(v['disclosure'])}")
        out.append(f"- {_w('missing', lang)}: {v['missing']}")
        if v.get("suppressed_values"):
            out.append(f"- {_w('suppressed_missing', lang, code=SUPPRESSED_CODE)}: {v['suppressed_values']}")
        if v.get("summary"):
            s = v["summary"]
            out.append(f"- {_w('summary', lang)}: min {s['min']:.3f}, max {s['max']:.3f}, mean {s['mean']:.3f}, "
                       f"sum {s['sum']:,.1f}")
        if v.get("frequencies"):
            out += ["", f"| {_w('code', lang)} | {_w('label', lang)} | {_w('n', lang)} | {_w('wpct', lang)} |",
                    "|---:|---|---:|---:|"]
            for f in v["frequencies"]:
                n = SUPPRESSED if f["suppressed"] else str(f["n"])
                pct = SUPPRESSED if f["suppressed"] else _pct(f["weighted_percent"], lang)
                out.append(f"| {_md(f['value'])} | {_md(f['label'])} | {n} | {pct} |")
    return "\n".join(out) + "\n"


# -- the disclosure statement ----------------------------------------------------------------


def _disclosure_dict(export: MicrodataExport) -> dict[str, Any]:
    d = export.disclosure.to_dict()
    return {"schema": "fjernarbeid.disclosure", "schema_version": 1,
            "generator": {"name": "fjernarbeid", "version": __version__},
            "source": export.source, "records": len(export.data), **d}


def disclosure_markdown(export: MicrodataExport, data_file: str) -> str:
    """The disclosure statement for people, in the export's language (every text from the catalogue,
    context ``disclosure``)."""
    from fjernarbeid.export.disclosure import GEOGRAPHY, Msg, _render, text_of
    from fjernarbeid.export.disclosure_strategy import strategy_markdown

    r, lang = export.disclosure, export.lang
    t = lambda key, **kw: Msg(key, **kw).text(lang)  # noqa: E731
    num = lambda v: _render(v, lang)  # noqa: E731
    var = lambda name: t("geography") if name == GEOGRAPHY else _code(name)  # noqa: E731
    out = [f"# {t('md_title', file=data_file)}", ""]
    if export.synthetic:
        out += [f"**{t('md_synthetic')}**", ""]
    out += [t("md_source", source=export.source, n=len(export.data), k=r.k), "", f"**{r.conclusion_text(lang)}**", ""]
    for line in r.override_msgs():
        out += [f"**{line.text(lang)}**", ""]
    out += ["| | |", "|---|---:|", f"| {t('row_k_required')} | {r.k} |", f"| {t('row_k_achieved')} | {r.k_achieved} |",
            f"| {t('row_below')} | {num(r.result.records_below_k)} |",
            f"| {t('row_values_suppressed')} | {num(sum(r.suppressed.values()))} |",
            f"| {t('row_info_loss')} | {fmt_number(100 * r.information_loss_share, lang, 1)} % |"]
    if r.entropy_loss:
        out.append(f"| {t('row_bits')} | {num(round(r.entropy_loss_total))} |")
    out.append("")
    out += strategy_markdown(r, lang)
    if r.weight_rounding:
        out += [f"### {t('h_weight_rounding')}", "", t("weight_rounding_note", **r.weight_rounding), ""]
    out += [f"## {t('h_done')}", "", f"| {t('col_variable')} | {t('col_action')} | {t('col_why')} |", "|---|---|---|"]
    for a in r.actions:
        action = t(f"action_{a.action}")
        out.append(f"| {var(a.variable)} | {action.upper() if a.override else action} | "
                   f"{_md(text_of(a.reason, lang))} |")
    out += ["", f"## {t('h_k')}", "", t("k_keys", keys=", ".join(r.keys))]
    if r.weight_is_key:
        out += ["", t("k_weight")]
    start = (t("start_geo", level=Msg(f"level_{GEOGRAPHY_LEVELS[0]}")) if r.geography else t("start_no_geo"))
    out += ["", f"### {t('h_recoding')}", "", t("recoding_intro"), "",
            f"| {t('col_variable')} | {t('col_to')} | {t('col_status')} | {t('col_groups_below')} | "
            f"{t('col_records_below')} | {t('col_smallest')} |",
            "|---|---|---|---:|---:|---:|",
            f"| {t('start')} | {start} | | {num(r.start.groups_below_k)} | {num(r.start.records_below_k)} | "
            f"{num(r.start.smallest)} |"]
    for s in r.steps:
        counts = ("| | |" if s.result is None else
                  f"| {num(s.result.groups_below_k)} | {num(s.result.records_below_k)} | {num(s.result.smallest)} |")
        out.append(f"| {var(s.variable)} | {_md(s.to_text(lang))} | "
                   f"{_status_and_reason(t('status_' + s.status), text_of(s.reason, lang))} {counts}")
    out += ["", f"### {t('h_suppression')}", "", t("suppression_intro", records=r.after_recoding.records_below_k, k=r.k),
            "", f"| {t('col_variable')} | {t('col_values')} | {t('col_columns')} |", "|---|---:|---|"]
    out += [f"| {var(name)} | {num(n)} | {', '.join(r.suppressed_with.get(name, ()))} |"
            for name, n in r.suppressed.items()]
    out += ["", f"### {t('h_loss')}", "", f"| {t('col_variable')} | {t('col_recoded')} | {t('col_suppressed')} |",
            "|---|---:|---:|"]
    out += [f"| {var(name)} | {num(v['recoded'])} | {num(v['suppressed'])} |"
            for name, v in r.information_loss.items()]
    if r.without:
        out += ["", t("without_one"), "", f"| {t('col_left_out')} | {t('col_smallest')} | {t('col_records_below')} |",
                "|---|---:|---:|"]
        out += [f"| {key} | {num(w.smallest)} | {num(w.records_below_k)} |" for key, w in r.without.items()]
    for note in r.notes + export.notes:
        out += ["", text_of(note, lang)]
    return "\n".join(out) + "\n"


__all__ = [
    "FORMATS", "MicrodataExport", "build_codebook", "codebook_markdown", "disclosure_markdown",
    "output_paths", "prepare_microdata", "write_microdata",
]

"""Write a generated demo to a directory: CSV, SPSS .sav, metadata JSON, a README and ``refdata/``
(the reference registers' entries for the demo's postal codes, :mod:`.registers`).

Every file is written atomically (:mod:`fjernarbeid._io`) and byte-for-byte reproducibly: no clock
time goes into any file (the .sav header's creation stamp, which the SPSS writer takes from the
clock, is set to the demo's generation date, which the seed fixes).
"""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.csv as pacsv

from fjernarbeid._io import atomic_path, write_text_atomic
from fjernarbeid.studies.norce2025.demo import dispositions as dispo
from fjernarbeid.studies.norce2025.demo.frame import frame_vintages
from fjernarbeid.studies.norce2025.demo.generate import SYNTHETIC_STATEMENT, SYNTHETIC_STATEMENT_NB, DemoFieldwork
from fjernarbeid.studies.norce2025.demo.registers import REFDATA_DIR, REGISTER_FILES, write_registers
from fjernarbeid.errors import InputFileError
from fjernarbeid.instrument import Instrument, load_instrument

DISPOSITIONS_FILE = "demo_dispositions.csv"
SURVEY_CSV = "demo_survey.csv"
SURVEY_SAV = "demo_survey.sav"
METADATA_FILE = "demo_metadata.json"
README_FILE = "README.txt"

# At most 64 bytes (the .sav header's file-label field); ASCII so no character is cut in half.
SAV_FILE_LABEL = "SYNTHETIC DEMO DATA - not real respondents (fjernarbeid demo)"

# SPSS measurement level: answer lists without an order (sector, yes/no, education with "Annet",
# where one grew up, the home workplace, sex); every other coded question is an ordered scale.
NOMINAL_QUESTIONS = frozenset({"q1", "q2", "q4", "q5", "q11", "q13", "q207"})

# Where the SPSS system-file header keeps its creation date ("dd Mon yy") and time ("hh:mm:ss"):
# after the record type (4 bytes), product name (60) and five int32 and one float64 fields.
_SAV_DATE_OFFSET, _SAV_DATE_LEN, _SAV_TIME_LEN = 92, 9, 8
_MONTHS = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


def demo_files(out_dir: str | Path, *, sav: bool = True) -> list[Path]:
    """Every file :func:`write_demo` writes into ``out_dir``."""
    out = Path(out_dir)
    names = [DISPOSITIONS_FILE, SURVEY_CSV, *([SURVEY_SAV] if sav else []), METADATA_FILE, README_FILE]
    return [out / name for name in names] + [out / REFDATA_DIR / name for name in REGISTER_FILES]


def write_demo(demo: DemoFieldwork, out_dir: str | Path, *, sav: bool = True) -> dict[str, Path]:
    """Write the demo's files into ``out_dir`` (created if needed); returns {kind: path}.

    ``refdata`` is the folder of reference-data subsets (:func:`.registers.write_registers`).
    """
    out = Path(out_dir)
    if out.exists() and not out.is_dir():
        raise InputFileError(f"{out}: exists and is not a directory; give --out a directory for the demo files")
    instrument = load_instrument()
    paths = {
        "dispositions": write_csv(demo.dispositions, out / DISPOSITIONS_FILE),
        "survey_csv": write_csv(demo.survey, out / SURVEY_CSV),
    }
    if sav:
        paths["survey_sav"] = write_sav(demo, out / SURVEY_SAV, instrument)
    paths["refdata"] = write_registers(out)
    metadata = demo.metadata
    metadata["files"] = {kind: path.name for kind, path in paths.items()} | {"metadata": METADATA_FILE,
                                                                             "readme": README_FILE}
    metadata["reference_data"] = {
        "directory": REFDATA_DIR, "demo_subset": True, "vintages": frame_vintages(),
        "note": "the registers' entries for the sampling frame's postal codes only; not for real data",
    }
    paths["metadata"] = write_text_atomic(out / METADATA_FILE, json.dumps(metadata, ensure_ascii=False, indent=2) + "\n")
    paths["readme"] = write_text_atomic(out / README_FILE, readme_text(demo, sav=sav))
    return paths


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    """UTF-8 CSV, comma-separated, empty field = missing, no quoting.

    Arrow writes it (fast enough for millions of rows) and refuses any value that would need
    quotes, so a file never depends on a reader's quoting rules; the demo has no such values.
    """
    table = pa.Table.from_pandas(frame, preserve_index=False)
    with atomic_path(path) as tmp:
        with open(tmp, "wb") as fh:
            fh.write((",".join(frame.columns) + "\n").encode("utf-8"))
            pacsv.write_csv(table, fh, pacsv.WriteOptions(include_header=False, quoting_style="none"))
    return path


def write_sav(demo: DemoFieldwork, path: Path, instrument: Instrument) -> Path:
    """SPSS .sav with the instrument's variable and value labels and "not sure" as user-missing."""
    import pyreadstat

    survey = demo.survey
    data = {}
    for name in survey.columns:
        column = survey[name]
        if isinstance(column.dtype, pd.StringDtype):
            data[name] = column.fillna("").astype(object)
        else:
            data[name] = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    frame = pd.DataFrame(data)

    variable_labels = instrument.variable_labels()
    value_labels = {name: {float(code): label for code, label in labels.items()}
                    for name, labels in instrument.value_labels().items() if name in frame.columns}
    missing = {q.name: [float(c) for c in q.missing_codes] for q in instrument if q.missing_codes}
    measure, formats = {}, {}
    for q in instrument:
        if q.type == "single":
            measure[q.name] = "nominal" if q.name in NOMINAL_QUESTIONS else "ordinal"
            formats[q.name] = "F1.0"
        elif q.type == "integer":
            measure[q.name] = "scale"
            formats[q.name] = f"F{len(str(instrument.range_of(q)[1]))}.0"
        else:
            measure[q.name] = "nominal"
    measure[instrument.id_variable] = "nominal"
    formats[instrument.id_variable] = f"F{len(str(len(frame)))}.0"
    # SPSS keeps documents as lines of 80 bytes; 72 characters leave room for UTF-8 letters
    note = (_wrap(SYNTHETIC_STATEMENT, 72).split("\n") + _wrap(SYNTHETIC_STATEMENT_NB, 72).split("\n")
            + [f"seed {demo.seed}, n {demo.n}, generated {demo.generated.isoformat()} by fjernarbeid demo"])

    with atomic_path(path) as tmp:
        pyreadstat.write_sav(
            frame, str(tmp), file_label=SAV_FILE_LABEL, note=note,
            column_labels={k: v for k, v in variable_labels.items() if k in frame.columns},
            variable_value_labels=value_labels, missing_ranges=missing,
            variable_measure=measure, variable_format=formats,
        )
        _stamp_sav_header(tmp, demo)
    return path


def _stamp_sav_header(path: Path, demo: DemoFieldwork) -> None:
    """Replace the writer's clock time in the .sav header by the demo's generation date, 00:00:00."""
    d = demo.generated
    stamp = f"{d.day:02d} {_MONTHS[d.month - 1]} {d.year % 100:02d}".encode("ascii") + b"00:00:00"
    with open(path, "r+b") as fh:
        head = fh.read(_SAV_DATE_OFFSET + _SAV_DATE_LEN + _SAV_TIME_LEN)
        if head[:4] not in (b"$FL2", b"$FL3"):
            raise RuntimeError(f"{path}: not an SPSS system file, cannot set its creation date")
        fh.seek(_SAV_DATE_OFFSET)
        fh.write(stamp)


def readme_text(demo: DemoFieldwork, *, sav: bool = True) -> str:
    """The README placed next to the files: what they are (synthetic!) and how they were made."""
    screened = sum(k for code, k in demo.counts.items() if dispo.BY_CODE[code].screened)
    rows = "\n".join(f"  {d.code:<6} {demo.counts[d.code]:>9,}  {d.label}\n  {'':<6} {'':>9}  {d.label_nb}"
                     for d in dispo.DISPOSITIONS)
    sav_line = f"  {SURVEY_SAV:<24} the same as SPSS: variable and value labels, 'not sure' codes user-missing\n" if sav else ""
    return f"""\
SYNTHETIC DEMO DATA / SYNTETISKE DEMODATA
=========================================

{_wrap(SYNTHETIC_STATEMENT)}

{_wrap(SYNTHETIC_STATEMENT_NB)}

Made by `fjernarbeid demo --seed {demo.seed} --n {demo.n}` (the same command gives the same files).
Generated: {demo.generated.isoformat()} (a date fixed by the seed, not the day the files were written).

Files
  {DISPOSITIONS_FILE:<24} the call log: one record per sampled phone number, AAPOR final disposition
  {'':<24} code and label, call attempts, date of the last attempt, the screening answers
  {'':<24} (q201 postal code, q202 birth year, q1 = S1, q2 = S2) where given, and the
  {'':<24} respondent id of completed interviews
  {SURVEY_CSV:<24} the {demo.n:,} completed interviews, one row each, UTF-8, the questionnaire's
  {'':<24} variable names (id, q201 ... q207, q5_text); empty = not asked (routing)
{sav_line}  {METADATA_FILE:<24} seed, n, versions and the statement that the data are synthetic
  {REFDATA_DIR + '/':<24} the reference registers' entries (Bring's postal codes, SSB's municipalities,
  {'':<24} counties and centrality classes) for the demo's postal codes only: a derived demo
  {'':<24} subset, not for real data (see its README.txt and SOURCES.json)

Fieldwork ({screened:,} persons answered the screening, as the report's 1,074 at n = 500)
  code   contacts  outcome
{rows}

Like a real telephone sample, the interviews over-represent women and older people: weight by
sex x age group to the population (fjernarbeid's weighting, as the report did) before estimating.
Home postal codes are real (a few per municipality), so municipality, county and centrality
class are looked up as for real data; refdata/ holds what the registers say about these codes:
  fjernarbeid validate demo_survey.csv --refdata refdata
  fjernarbeid report demo_survey.csv --dispositions demo_dispositions.csv --refdata refdata --out report
"""


def _wrap(text: str, width: int = 96) -> str:
    words, lines, line = text.split(), [], ""
    for w in words:
        if line and len(line) + 1 + len(w) > width:
            lines.append(line)
            line = w
        else:
            line = f"{line} {w}" if line else w
    return "\n".join(lines + [line])

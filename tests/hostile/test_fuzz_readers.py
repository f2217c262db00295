"""Property tests of the reading layer: whatever bytes arrive, a reader returns data or raises one of
the package's own errors (:class:`~fjernarbeid.errors.FjernarbeidError`, which the command line turns
into a message and an exit code) — never ``csv.Error``, ``UnicodeDecodeError``, ``KeyError``, a
library's exception or a hang.

Inputs are built two ways: from a grammar close to real files (headers with the questionnaire's
names, quoted fields with CR/LF, delimiters, numbers such as 1e308, stray Windows-1252 bytes, every
encoding), so that the readers get far; and by damaging valid files (truncating, flipping bytes),
so that the libraries underneath (openpyxl, pyreadstat, pyarrow, python-docx) meet broken input.

The number of examples is fixed (``derandomize``: the same inputs on every run, so a run in CI is
repeatable and bounded in time); set ``FJERNARBEID_FUZZ_EXAMPLES`` to a larger number to search
longer. An input that once made a reader fail is kept below as an ``@example`` and in
``tests/hostile/files/``.
"""

from __future__ import annotations

import datetime
import io
import os
import string
import zipfile
from pathlib import Path

import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from fjernarbeid.errors import FjernarbeidError

FIXED_TIME = datetime.datetime(2025, 5, 15, 12, 0)  # files made here carry no clock time: inputs repeat exactly
EXAMPLES = int(os.environ.get("FJERNARBEID_FUZZ_EXAMPLES", "0")) or None


def fuzz(default: int):
    """The settings of every property here: ``default`` examples (or the environment's number)."""
    return settings(max_examples=EXAMPLES or default, deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture])


@pytest.fixture(scope="module")
def scratch(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("fuzz")


def _write(scratch: Path, name: str, data: bytes) -> Path:
    path = scratch / name
    path.write_bytes(data)
    return path


def _read_or_refuse(path: Path, **options) -> None:
    """The property: reading (and validating what was read) ends in data or in a package error."""
    from fjernarbeid.data import read_survey, validate

    try:
        data = read_survey(path, **options)
    except FjernarbeidError as exc:
        assert str(exc), "an error must say something"
        return
    validate(data)  # the problems of the contents are a report, not an exception


# -- text (CSV) ---------------------------------------------------------------------------------

NAMES = ["id", "q201", "q202", "q1", "q2", "q3", "q4", "q5", "q5_text", "q6_1", "q207", "q23", "weight",
         "Q6_1", "spm6_1", "[/bold]", "=1+1", "", "_uuid", "grp/q1"]
CELLS = st.one_of(
    st.sampled_from(["1", "2", "3", "99", "0150", "150", "5600", "1984", "1e308", "-1e308", "nan", "inf", "n/a",
                     "12345678901234567890123", "3,0", "=HYPERLINK(\"x\")", "\t=1+1", "[red]x[/", "", " ", "Tønsberg",
                     "\"", "\"\"", "a\rb", "a\nb", "a\r\nb", ";", ",", "|", "\t", "\x00", "\ufeff"]),
    st.text(alphabet=string.printable + "æøåÆØÅ\r\u2028", max_size=12),
)


@st.composite
def csv_bytes(draw) -> bytes:
    delimiter = draw(st.sampled_from([",", ";", "\t", "|"]))
    width = draw(st.integers(1, 8))
    header = draw(st.lists(st.sampled_from(NAMES), min_size=width, max_size=width))
    rows = draw(st.lists(st.lists(CELLS, min_size=0, max_size=width + 2), max_size=6))

    def field(cell: str) -> str:
        quote = draw(st.booleans()) or any(c in cell for c in (delimiter, "\"", "\r", "\n"))
        return '"' + cell.replace('"', '""') + '"' if quote and draw(st.booleans()) else cell

    newline = draw(st.sampled_from(["\n", "\r\n", "\r"]))
    text = newline.join(delimiter.join(field(c) for c in row) for row in [header, *rows])
    if draw(st.booleans()):
        text += newline
    encoding = draw(st.sampled_from(["utf-8", "utf-8-sig", "cp1252", "utf-16", "utf-16-le"]))
    data = text.encode(encoding, errors="replace")
    if draw(st.booleans()):  # a stray byte: Windows-1252 ø, an invalid continuation, NUL
        at = draw(st.integers(0, len(data)))
        data = data[:at] + draw(st.sampled_from([b"\xf8", b"\xc3", b"\x81", b"\x00", b"\xff\xfe"])) + data[at:]
    return data


@fuzz(200)
@given(data=csv_bytes())
@example(data=b'id,q5_text\n1,"Bergen\rsentrum"\n')  # a lone CR in a quoted field (was csv.Error)
@example(data=b"id,q1\r1,2\r3,4\r")  # CR-only line endings (was csv.Error)
@example(data="id,q5_text\n1,T\u00f8nsberg\n2,Bod\xf8\n".encode("utf-8").replace(b"Bod\xc3\xb8", b"Bod\xf8"))
@example(data="id,q1\n1,2\n".encode("utf-16"))
@example(data=b"id,q3\n1,12345678901234567890123\n2,1e308\n")
def test_csv_reader_returns_data_or_a_package_error(scratch, data):
    _read_or_refuse(_write(scratch, "fuzz.csv", data))


@fuzz(150)
@given(data=st.binary(max_size=300))
def test_csv_reader_on_arbitrary_bytes(scratch, data):
    _read_or_refuse(_write(scratch, "bytes.csv", data))


# -- damaged binary formats ---------------------------------------------------------------------


def _frame(draw) -> pd.DataFrame:
    n = draw(st.integers(0, 4))
    columns = draw(st.lists(st.sampled_from(["id", "q1", "q3", "q201", "q202", "q207", "q5_text", "extra"]),
                            min_size=1, max_size=5, unique=True))
    frame = {}
    for c in columns:
        if draw(st.booleans()):
            frame[c] = draw(st.lists(st.one_of(st.integers(-10**6, 10**6), st.just(1e300), st.none()),
                                     min_size=n, max_size=n))
        else:
            frame[c] = draw(st.lists(st.text(alphabet="ab1=+\r\n[]/æ", max_size=6), min_size=n, max_size=n))
    return pd.DataFrame(frame)


@st.composite
def damaged(draw, data: bytes) -> bytes:
    """``data`` as is, truncated, with bytes changed or with bytes spliced in. Positions are drawn as
    fractions of the length, so the draws do not depend on it (a library's output may vary by a byte)."""

    def position() -> int:
        return int(draw(st.integers(0, 10**6)) * len(data) / 10**6)

    how = draw(st.sampled_from(["as is", "truncate", "flip", "splice"]))
    if how == "truncate":
        return data[: min(position(), max(len(data) - 1, 0))]
    if how == "flip" and data:
        data = bytearray(data)
        for _ in range(draw(st.integers(1, 8))):
            data[min(position(), len(data) - 1)] = draw(st.integers(0, 255))
        return bytes(data)
    if how == "splice":
        at = position()
        return data[:at] + draw(st.binary(max_size=40)) + data[at:]
    return data


@st.composite
def xlsx_bytes(draw) -> bytes:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    for row in draw(st.lists(st.lists(st.one_of(st.none(), st.integers(-10**9, 10**9), st.floats(allow_nan=False),
                                                st.text(alphabet="ab1;\"=[]/æ\n", max_size=6)), max_size=5),
                             max_size=5)):
        sheet.append([("'" + v) if isinstance(v, str) and v.startswith("=") else v for v in row])
    workbook.properties.created = workbook.properties.modified = FIXED_TIME  # the same bytes on every run
    buffer = io.BytesIO()
    workbook.save(buffer)
    return draw(damaged(buffer.getvalue()))


@fuzz(40)
@given(data=xlsx_bytes())
def test_xlsx_reader_returns_data_or_a_package_error(scratch, data):
    _read_or_refuse(_write(scratch, "fuzz.xlsx", data))


@st.composite
def stat_bytes(draw, fmt: str) -> bytes:
    import pyreadstat

    frame = _frame(draw)
    path = Path(os.environ.get("TMPDIR", "/tmp")) / f"fjernarbeid-fuzz-{os.getpid()}.{fmt}"
    try:
        (pyreadstat.write_sav if fmt == "sav" else pyreadstat.write_dta)(frame, str(path))
        data = path.read_bytes()
    except Exception:  # noqa: BLE001 - a frame pyreadstat will not write: use bytes of our own
        data = (b"$FL2" if fmt == "sav" else b"<stata_dta>") + draw(st.binary(max_size=200))
    finally:
        path.unlink(missing_ok=True)
    return draw(damaged(data))


@fuzz(40)
@given(data=stat_bytes("sav"))
def test_sav_reader_returns_data_or_a_package_error(scratch, data):
    _read_or_refuse(_write(scratch, "fuzz.sav", data))


@fuzz(40)
@given(data=stat_bytes("dta"))
def test_dta_reader_returns_data_or_a_package_error(scratch, data):
    _read_or_refuse(_write(scratch, "fuzz.dta", data))


@st.composite
def parquet_bytes(draw) -> bytes:
    buffer = io.BytesIO()
    frame = _frame(draw)
    frame.columns = [str(c) for c in frame.columns]
    try:
        frame.to_parquet(buffer, index=False)
        data = buffer.getvalue()
    except Exception:  # noqa: BLE001 - mixed object columns pyarrow will not write
        data = b"PAR1" + draw(st.binary(max_size=200)) + b"PAR1"
    return draw(damaged(data))


@fuzz(40)
@given(data=parquet_bytes())
def test_parquet_reader_returns_data_or_a_package_error(scratch, data):
    _read_or_refuse(_write(scratch, "fuzz.parquet", data))


# -- mapping files and YAML -----------------------------------------------------------------------

YAML_PIECES = st.sampled_from(["a: b\n", "Q6_1: q6_1\n", "columns:\n", "  - source: x\n", "    target: q1\n",
                               "- 1\n", "&a [1, 2]\n", "b: *a\n", "c: &c [*c]\n", "!!python/object:os.system\n",
                               "{", "}", "[", "]", ": :\n", "'", "\"", "\t", "\x00", "? [a]\n: b\n", "---\n",
                               "x: [" * 50, "k: !!binary aGVsbG8=\n", "<<: *a\n", "d: 1e308\n", "e: ~\n"])


@fuzz(150)
@given(text=st.lists(st.one_of(YAML_PIECES, st.text(max_size=10)), max_size=12).map("".join))
@example(text="a: &a [x,x,x,x,x,x,x,x,x]\n" + "".join(f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n"
                                                       for p, n in zip("abcdefgh", "bcdefghi")))  # alias bomb
@example(text="a: &a [*a]\n")
@example(text="\x1b")  # a control character: PyYAML refused it before parsing (was yaml.ReaderError)
@example(text="[" * 5000)  # nesting deeper than Python's recursion limit
def test_yaml_mapping_returns_a_mapping_or_a_package_error(scratch, text):
    from fjernarbeid.data.mapping import load_mapping

    path = _write(scratch, "map.yaml", text.encode("utf-8", errors="replace"))
    try:
        load_mapping(path)
    except FjernarbeidError:
        pass


@fuzz(150)
@given(data=st.one_of(csv_bytes(), st.binary(max_size=200)))
@example(data=bytes(range(256)) * 4)  # a binary file as mapping (was csv.Error)
def test_csv_mapping_returns_a_mapping_or_a_package_error(scratch, data):
    from fjernarbeid.data.mapping import load_mapping

    try:
        load_mapping(_write(scratch, "map.csv", data))
    except FjernarbeidError:
        pass


@fuzz(100)
@given(text=st.lists(st.one_of(YAML_PIECES, st.sampled_from(["findings:\n", "  - id: x\n", "code_sets:\n",
                                                             "    analysis: share\n", "findings: []\n"])),
                     max_size=10).map("".join))
def test_catalogue_and_instrument_yaml_return_or_raise_a_package_error(scratch, text):
    from fjernarbeid.findings.catalogue import load_catalogue
    from fjernarbeid.instrument import load_instrument

    path = _write(scratch, "any.yaml", text.encode("utf-8", errors="replace"))
    for load in (load_catalogue, load_instrument):
        try:
            load(path)
        except FjernarbeidError:
            pass


# -- interview transcripts ------------------------------------------------------------------------

VTT_PIECES = st.sampled_from(["WEBVTT\n", "\n", "00:00:01.000 --> 00:00:02.000\n", "00:00:02.000 --> 00:00:01.000\n",
                              "<v Kari Haugland>hei</v>\n", "<v >x\n", "<v Ole>", "NOTE x\n", "1\n", "-->\n",
                              "99:99:99.999 --> 1\n", "&amp;", "<i>", "\r", "\r\n", "Kari: hei\n", "[00:01] Ole: ja\n"])


@fuzz(150)
@given(text=st.lists(st.one_of(VTT_PIECES, st.text(max_size=8)), max_size=15).map("".join),
       suffix=st.sampled_from([".vtt", ".txt"]), encoding=st.sampled_from(["utf-8", "utf-16", "cp1252"]))
def test_transcript_text_readers_return_an_interview_or_a_package_error(scratch, text, suffix, encoding):
    from fjernarbeid.interviews.importers import read_transcript

    path = _write(scratch, "t" + suffix, text.encode(encoding, errors="replace"))
    try:
        read_transcript(path)
    except FjernarbeidError:
        pass


@st.composite
def docx_bytes(draw) -> bytes:
    import docx

    document = docx.Document()
    for paragraph in draw(st.lists(st.one_of(VTT_PIECES, st.sampled_from(["Kari Haugland   0:03", "Ole 1:00:00",
                                                                           "hei", ""])), max_size=8)):
        document.add_paragraph(paragraph.replace("\x00", ""))
    document.core_properties.created = document.core_properties.modified = FIXED_TIME
    buffer = io.BytesIO()
    document.save(buffer)
    data = buffer.getvalue()
    if draw(st.booleans()):  # a member of the zip replaced by garbage
        out = io.BytesIO()
        with zipfile.ZipFile(io.BytesIO(data)) as source, zipfile.ZipFile(out, "w") as target:
            victim = draw(st.sampled_from(source.namelist()))
            for name in source.namelist():
                target.writestr(name, draw(st.binary(max_size=50)) if name == victim else source.read(name))
        data = out.getvalue()
    return draw(damaged(data))


@fuzz(30)
@given(data=docx_bytes())
def test_docx_reader_returns_an_interview_or_a_package_error(scratch, data):
    from fjernarbeid.interviews.importers import read_transcript

    try:
        read_transcript(_write(scratch, "t.docx", data))
    except FjernarbeidError:
        pass

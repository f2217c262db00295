"""Reading text by one rule, never writing over an input, and several files all or nothing
(fjernarbeid._io), also when the command is killed (fjernarbeid._process)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from fjernarbeid._io import (atomic_path, atomic_paths, decode_text, refuse_overwrite_input, staged_directory,
                             universal_newlines)
from fjernarbeid.errors import InputFileError, OutputFileError

# -- decoding -----------------------------------------------------------------------------------


@pytest.mark.parametrize("data, encoding", [
    ("id;sted\n1;Tønsberg\n".encode("utf-8"), "utf-8"),
    ("id;sted\n1;Tønsberg\n".encode("utf-8-sig"), "utf-8-sig"),
    ("id;sted\n1;Tønsberg\n".encode("cp1252"), "cp1252"),
    ("id;sted\n1;Tønsberg\n".encode("utf-16"), "utf-16"),
    ("id;sted\n1;Tønsberg\n".encode("utf-16-le"), "utf-16-le"),
    ("id;sted\n1;Tønsberg\n".encode("utf-16-be"), "utf-16-be"),
])
def test_each_encoding_is_read_by_its_rule(data, encoding):
    assert decode_text(data, "f.csv") == ("id;sted\n1;Tønsberg\n", encoding)


def test_one_windows_1252_byte_in_a_utf8_file_is_named_not_guessed():
    data = "id;sted\r\n1;Tønsberg\r\n2;Bodø\r\n".encode("utf-8").replace("Bodø".encode("utf-8"), b"Bod\xf8")
    with pytest.raises(InputFileError, match=r"f\.csv, line 3, byte 6: byte 0xF8 is not UTF-8 \(in Windows-1252 "
                                             r"it would be 'ø'\)") as raised:
        decode_text(data, "f.csv")
    assert "Ã" not in str(raised.value)


def test_one_windows_1252_byte_after_a_utf8_byte_order_mark_is_named_by_line_and_byte():
    """Before: "starts with a UTF-8 with BOM byte-order mark but byte 34 is not UTF-8 with BOM" (no line)."""
    data = b"\xef\xbb\xbf" + "id;sted\r\n1;Tønsberg\r\n2;Bodø\r\n".encode("utf-8").replace("Bodø".encode("utf-8"), b"Bod\xf8")
    with pytest.raises(InputFileError, match=r"f\.csv, line 3, byte 6: byte 0xF8 is not UTF-8 \(in Windows-1252 "
                                             r"it would be 'ø'\), but the file starts with UTF-8's byte-order mark"):
        decode_text(data, "f.csv")


def test_binary_data_is_not_text():
    with pytest.raises(InputFileError, match=r"b\.csv: not a text file: a binary file \(a NUL byte at line 1, byte 3\)"):
        decode_text(b"id\x00\x01\x02", "b.csv")


@pytest.mark.parametrize("text, expected, stray", [
    ("a,b\r1,2\r", "a,b\n1,2\n", []),  # old Mac: CR ends every line
    ("a,b\r\n1,2\r\n", "a,b\n1,2\n", []),
    ('a,b\n1,"x\ry"\n', 'a,b\n1,"x\ny"\n', []),  # a line break in a quoted cell
    ("a,b\n1,x\ry\n", "a,b\n1,x y\n", [2]),  # in an unquoted cell: a space, and its line
])
def test_line_endings(text, expected, stray):
    assert universal_newlines(text) == (expected, stray)


# -- never over an input ------------------------------------------------------------------------


def test_an_output_is_refused_over_an_input_by_any_name_and_inside_reference_data(tmp_path):
    data = tmp_path / "survey.csv"
    data.write_text("id\n1\n")
    (tmp_path / "link.csv").symlink_to(data)
    os.link(data, tmp_path / "hard.csv")
    refdata = tmp_path / "refdata"
    refdata.mkdir()
    (refdata / "kommuner.csv").write_text("x\n")
    for output in ("survey.csv", "link.csv", "hard.csv", "./survey.csv"):
        with pytest.raises(InputFileError, match="refusing to write over the input file"):
            refuse_overwrite_input(tmp_path / output, data)
    for output in (refdata / "kommuner.csv", refdata / "new.csv", refdata / "sub" / "x.csv", refdata):
        with pytest.raises(InputFileError, match="refusing to write into the reference-data directory"):
            refuse_overwrite_input(output, data, reference=[refdata])
    refuse_overwrite_input(tmp_path / "out.csv", data, None, reference=[refdata, None])  # fine


# -- all or nothing -----------------------------------------------------------------------------


def test_several_files_are_written_together_or_not_at_all(tmp_path):
    targets = {"data": tmp_path / "x.csv", "codebook": tmp_path / "x.csv.codebook.md"}
    targets["codebook"].write_text("the earlier codebook")
    with pytest.raises(RuntimeError):
        with atomic_paths(targets) as tmp:
            tmp["data"].write_text("new data")
            raise RuntimeError("the second file failed")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv.codebook.md"]
    assert targets["codebook"].read_text() == "the earlier codebook"

    with atomic_paths(targets) as tmp:
        tmp["data"].write_text("new data")
        tmp["codebook"].write_text("new codebook")
    assert sorted(p.name for p in tmp_path.iterdir()) == ["x.csv", "x.csv.codebook.md"]
    assert targets["codebook"].read_text() == "new codebook"


def test_a_failed_write_in_a_staging_directory_leaves_nothing_and_names_the_file(tmp_path):
    out = tmp_path / "report"
    out.mkdir()
    (out / "report.xlsx").write_text("stale")
    with pytest.raises(OutputFileError, match=r"report/report\.html: cannot write the file: No space left"):
        with staged_directory(out) as staging:
            (staging / "results.json").write_text("{}")
            raise OSError(28, "No space left on device", str(staging / "report.html"))
    assert sorted(p.name for p in out.iterdir()) == ["report.xlsx"]  # no new file beside the stale one

    with staged_directory(out) as staging:
        (staging / "results.json").write_text("{}")
        (staging / "report.html").write_text("<html>")
    assert sorted(p.name for p in out.iterdir()) == ["report.html", "report.xlsx", "results.json"]


def test_without_overwrite_a_file_that_appears_while_writing_is_not_replaced(tmp_path):
    # the check before the work cannot see a file made meanwhile: putting the new file in place can
    target = tmp_path / "weighted.csv"
    with pytest.raises(OutputFileError, match=r"weighted\.csv: exists already and was not overwritten"):
        with atomic_path(target, overwrite=False) as tmp:
            tmp.write_text("ours")
            target.write_text("theirs")
    assert target.read_text() == "theirs"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["weighted.csv"]  # no temporary file left


def test_without_overwrite_one_existing_file_stops_the_whole_set(tmp_path):
    out = tmp_path / "demo"
    (out / "refdata").mkdir(parents=True)
    (out / "refdata" / "README.txt").write_text("theirs")
    with pytest.raises(OutputFileError, match=r"demo/refdata/README\.txt: exists already"):
        with staged_directory(out, overwrite=False) as staging:
            (staging / "survey.csv").write_text("ours")
            (staging / "refdata").mkdir()
            (staging / "refdata" / "README.txt").write_text("ours")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["refdata", "refdata/README.txt"]
    assert (out / "refdata" / "README.txt").read_text() == "theirs"

    (out / "refdata" / "README.txt").unlink()
    with staged_directory(out, overwrite=False) as staging:  # subfolders are put in place too
        (staging / "survey.csv").write_text("ours")
        (staging / "refdata").mkdir()
        (staging / "refdata" / "README.txt").write_text("ours")
    assert sorted(str(p.relative_to(out)) for p in out.rglob("*")) == ["refdata", "refdata/README.txt", "survey.csv"]


def _wait_until(condition, seconds: float = 20.0) -> bool:
    """Poll ``condition`` (a bounded wait for another process, not a timing assertion)."""
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if condition():
            return True
        time.sleep(0.1)
    return condition()


def _python(code: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-c", textwrap.dedent(code)], stdout=subprocess.PIPE, text=True)


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="kill -9 semantics checked on Linux")
def test_kill_9_while_writing_leaves_no_temporary_file_or_staging_directory(tmp_path):
    child = _python(f"""
        import time
        from fjernarbeid._io import atomic_path, staged_directory
        with staged_directory({str(tmp_path)!r}) as staging:
            (staging / "results.json").write_text("{{}}")
            with atomic_path({str(tmp_path / 'weighted.csv')!r}) as tmp:
                tmp.write_text("half")
                print("writing", flush=True)
                time.sleep(60)
    """)
    assert child.stdout.readline().strip() == "writing"
    assert any(p.name.startswith(".") for p in tmp_path.iterdir())  # the hidden files exist now
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert _wait_until(lambda: list(tmp_path.iterdir()) == []), list(tmp_path.iterdir())


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="fork and PR_SET_PDEATHSIG are Linux's")
def test_chart_workers_die_with_the_command():
    child = _python("""
        import time
        from fjernarbeid.report.drawing import ChartDrawer
        drawer = ChartDrawer()
        drawer._pool.submit(int).result()
        print(" ".join(str(pid) for pid in drawer._pool._processes), flush=True)
        time.sleep(60)
    """)
    workers = [int(pid) for pid in child.stdout.readline().split()]
    assert len(workers) == 2

    def alive(pid: int) -> bool:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                return fh.read().split(") ")[1][0] != "Z"
        except FileNotFoundError:
            return False

    assert all(alive(pid) for pid in workers)
    child.send_signal(signal.SIGKILL)
    child.wait()
    assert _wait_until(lambda: not any(alive(pid) for pid in workers))

"""Small file helpers shared by every writer: outputs are written atomically (a temporary file in
the same directory, then renamed), so an interrupted run never leaves half a file behind and an
input is never overwritten by accident.

A place that cannot be written (no permission, a missing or read-only file system, a path under a
file) raises :class:`~fjernarbeid.errors.OutputFileError` naming the path the caller asked for —
never the temporary file — so every command reports it the same way (exit code 3).
"""

from __future__ import annotations

import contextlib
import re
import os
import tempfile
from pathlib import Path
from typing import Iterator

from fjernarbeid.errors import InputFileError, OutputFileError


def _reason(exc: OSError, path: Path) -> str:
    """The operating system's words for ``exc``, clearer when a path component is a file."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"{blocker} exists and is not a directory"
    return exc.strerror or str(exc)


def ensure_directory(directory: str | Path) -> Path:
    """Create ``directory`` (and its parents) if needed; raise :class:`OutputFileError` if it cannot be."""
    directory = Path(directory)
    try:
        directory.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"{directory}: cannot write into it, the directory cannot be created: "
                              f"{_reason(exc, directory)}") from None
    return directory


@contextlib.contextmanager
def atomic_path(target: str | Path) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target`` in one step.

    Raises :class:`OutputFileError` naming ``target`` when its directory cannot be created or the
    file cannot be written or put in place.
    """
    target = Path(target)
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot write the file, its directory {target.parent} cannot be created: "
                              f"{_reason(exc, target.parent)}") from None
    try:
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot write the file: {_reason(exc, target.parent)}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    try:
        try:
            yield tmp_path
        except OSError as exc:  # e.g. the disk filled up while writing: name the file asked for
            if exc.filename is None or Path(exc.filename) != tmp_path:
                raise
            raise OutputFileError(f"{target}: cannot write the file: {_reason(exc, target)}") from None
        # mkstemp creates the file readable by its owner only; give it the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        try:
            os.chmod(tmp_path, 0o666 & ~umask)
            os.replace(tmp_path, target)
        except OSError as exc:
            raise OutputFileError(f"{target}: cannot write the file: {_reason(exc, target)}") from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()


def write_text_atomic(target: str | Path, text: str, encoding: str = "utf-8") -> Path:
    with atomic_path(target) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(target)


def write_bytes_atomic(target: str | Path, data: bytes) -> Path:
    with atomic_path(target) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def refuse_overwrite_input(output: str | Path, *inputs: str | Path) -> None:
    """Raise if ``output`` is the same file as one of ``inputs`` (we never modify an input)."""
    out = Path(output).resolve()
    for i in inputs:
        if i is not None and Path(i).resolve() == out:
            raise InputFileError(f"{output}: refusing to write over the input file")


# -- reading text files -------------------------------------------------------------------------

# A UTF-8 multi-byte sequence (two to four bytes): its presence shows a file was written as UTF-8.
_UTF8_SEQUENCE = re.compile(rb"[\xc2-\xdf][\x80-\xbf]|[\xe0-\xef][\x80-\xbf]{2}|[\xf0-\xf4][\x80-\xbf]{3}")
_BOMS = ((b"\xef\xbb\xbf", "utf-8-sig"), (b"\xff\xfe\x00\x00", "utf-32"), (b"\x00\x00\xfe\xff", "utf-32"),
         (b"\xff\xfe", "utf-16"), (b"\xfe\xff", "utf-16"))
ENCODING_NAMES = {"utf-8": "UTF-8", "utf-8-sig": "UTF-8 with BOM", "cp1252": "Windows-1252",
                  "utf-16": "UTF-16", "utf-16-le": "UTF-16 (little-endian, no BOM)",
                  "utf-16-be": "UTF-16 (big-endian, no BOM)", "utf-32": "UTF-32"}


def _line_and_column(data: bytes, offset: int) -> tuple[int, int]:
    """Line (from 1) and byte column (from 1) of byte ``offset``; CR, LF and CRLF all end a line."""
    head = data[:offset]
    line_start = max(head.rfind(b"\n"), head.rfind(b"\r")) + 1
    lines = head.count(b"\n") + head.count(b"\r") - head.count(b"\r\n")
    return lines + 1, offset - line_start + 1


def decode_text(data: bytes, where: str) -> tuple[str, str]:
    """Decode a text file's bytes by one documented rule; return ``(text, encoding)``.

    1. A byte-order mark decides: UTF-8, UTF-16 or UTF-32 (Excel's "Unicode text" is UTF-16 with BOM).
    2. Without one, UTF-16 is recognised by its NUL bytes (every other byte of Latin text).
    3. Otherwise the text must be UTF-8 — or entirely Windows-1252 (Norwegian Excel's CSV). A file
       that has UTF-8 letters *and* a byte that is not UTF-8 (one cell pasted from an old file) is
       not guessed at: decoding it all as Windows-1252 would garble every æ, ø and å of the file
       ("TÃ¸nsberg"), so it is refused naming the line and column of the first bad byte.

    Raises :class:`InputFileError` naming ``where`` when no rule applies.
    """
    for bom, encoding in _BOMS:
        if data.startswith(bom):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError as exc:
                raise InputFileError(f"{where}: starts with a {ENCODING_NAMES[encoding]} byte-order mark but byte "
                                     f"{exc.start + 1} is not {ENCODING_NAMES[encoding]}") from None
    sample = data[:4096]
    if len(sample) >= 4 and sample.count(b"\x00") * 3 >= len(sample):
        even, odd = sample[0::2].count(b"\x00"), sample[1::2].count(b"\x00")
        encoding = "utf-16-le" if odd > even else "utf-16-be"
        if max(even, odd) * 4 >= len(sample) and min(even, odd) * 20 <= len(sample):
            try:
                return data.decode(encoding), encoding
            except UnicodeDecodeError:
                pass  # not UTF-16 after all: the NUL check of the caller names it
    if b"\x00" in data:
        line, column = _line_and_column(data, data.index(b"\x00"))
        raise InputFileError(f"{where}: not a text file: a binary file (a NUL byte at line {line}, byte {column})")
    try:
        return data.decode("utf-8"), "utf-8"
    except UnicodeDecodeError as exc:
        bad = exc.start
    line, column = _line_and_column(data, bad)
    byte = data[bad:bad + 1]
    as_1252 = byte.decode("cp1252", errors="replace")
    if _UTF8_SEQUENCE.search(data):
        raise InputFileError(
            f"{where}, line {line}, byte {column}: byte 0x{byte.hex().upper()} is not UTF-8 (in Windows-1252 it "
            f"would be {as_1252!r}), but the rest of the file is UTF-8; the file mixes two encodings. Correct "
            "that cell, or save the whole file again as UTF-8")
    try:
        return data.decode("cp1252"), "cp1252"
    except UnicodeDecodeError as exc:
        line, column = _line_and_column(data, exc.start)
        raise InputFileError(f"{where}, line {line}, byte {column}: the text is neither UTF-8 nor Windows-1252 "
                             f"(byte 0x{data[exc.start:exc.start + 1].hex().upper()}); save it as UTF-8") from None


def read_text_file(path: str | Path, what: str) -> tuple[str, str]:
    """A text input file (CSV, mapping, transcript) decoded by :func:`decode_text`, line endings as
    they are; ``what`` names the file in messages ("mapping file x.csv"). Refuses binary files."""
    path = Path(path)
    if not path.exists():
        raise InputFileError(f"{what}: not found")
    if path.is_dir():
        raise InputFileError(f"{what}: is a directory, not a file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputFileError(f"{what}: cannot be read ({exc.strerror or exc})") from None
    if not data:
        raise InputFileError(f"{what}: the file is empty (0 bytes)")
    return decode_text(data, what)


def universal_newlines(text: str) -> str:
    """CRLF and a lone CR (old Mac files) as LF, the one line ending the readers then see.

    A lone CR inside a quoted CSV field (a line break typed in a cell on an old Mac) becomes LF too:
    it was a line break in the text, and ``csv`` and ``pandas`` then agree on the records, where
    they disagree (or raise) about a bare CR.
    """
    if "\r" not in text:
        return text
    return text.replace("\r\n", "\n").replace("\r", "\n")

"""Small file helpers shared by every writer: outputs are written atomically (a temporary file in
the same directory, then renamed), so an interrupted run never leaves half a file behind and an
input is never overwritten by accident.

A place that cannot be written (no permission, a missing or read-only file system, a path under a
file) raises :class:`~fjernarbeid.errors.OutputFileError` naming the path the caller asked for —
never the temporary file — so every command reports it the same way (exit code 3).
"""

from __future__ import annotations

import contextlib
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

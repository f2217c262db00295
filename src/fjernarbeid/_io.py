"""Small file helpers shared by every writer: outputs are written atomically (a temporary file in
the same directory, then renamed), so an interrupted run never leaves half a file behind and an
input is never overwritten by accident.

A place that cannot be written (no permission, a missing or read-only file system, a path under a
file) raises :class:`~fjernarbeid.errors.OutputFileError` naming the path the caller asked for —
never the temporary file — so every command reports it the same way (exit code 3).

An existing file is replaced only when the user asked for it (the commands' ``--overwrite``): the
one policy is :func:`refuse_existing_outputs` (checked before any work, so the refusal comes at once)
and the ``overwrite`` argument of the writers here, which put a file in place without replacing one
(a hard link, which fails if the name exists) — so a file that appears while a command works is not
replaced either.
"""

from __future__ import annotations

import contextlib
import os
import re
import shutil
import tempfile
from pathlib import Path
from typing import Iterable, Iterator, Mapping

from fjernarbeid._process import cleanup_done, cleanup_on_exit
from fjernarbeid.errors import FjernarbeidError, InputFileError, OutputFileError


def _reason(exc: OSError, path: Path) -> str:
    """The operating system's words for ``exc``, clearer when a path component is a file."""
    if isinstance(exc, (FileExistsError, NotADirectoryError)):
        blocker = next((p for p in (path, *path.parents) if p.exists() and not p.is_dir()), None)
        if blocker is not None:
            return f"{blocker} exists and is not a directory"
    return exc.strerror or str(exc)


# The command-line option that lets a command replace existing files; named in every refusal.
OVERWRITE_OPTION = "--overwrite"


def existing_output_message(path: str | Path) -> str:
    """The one wording of the refusal, naming the file and the option that would allow it."""
    return (f"{path}: exists already and was not overwritten (nothing was written); give {OVERWRITE_OPTION} "
            "to replace it, or choose another output")


def refuse_existing_outputs(outputs: Iterable[str | Path], *, overwrite: bool) -> None:
    """Raise :class:`OutputFileError` (exit code 3) for the first of ``outputs`` that exists as a file
    (or a link), unless the user asked to overwrite; call it before any work. (A folder in an output
    file's place is the writer's error: no option makes a file replace it.)"""
    if overwrite:
        return
    for output in outputs:
        path = Path(output)
        if path.is_symlink() or (path.exists() and not path.is_dir()):
            raise OutputFileError(existing_output_message(path))


def _put_in_place(tmp: Path, target: Path, overwrite: bool) -> None:
    """Rename a finished temporary file to ``target``; without ``overwrite`` never over an existing
    name: a hard link is made (it fails if the name exists, also one that appeared meanwhile) and the
    temporary name removed. On a file system without hard links, the check and the rename are two
    steps."""
    if overwrite:
        os.replace(tmp, target)
        return
    try:
        os.link(tmp, target, follow_symlinks=False)
    except FileExistsError:
        raise OutputFileError(existing_output_message(target)) from None
    except OSError:  # no hard links here (EPERM, ENOTSUP, a directory): check, then rename
        if target.exists() or target.is_symlink():
            raise OutputFileError(existing_output_message(target)) from None
        os.rename(tmp, target)
        return
    os.unlink(tmp)


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
def atomic_path(target: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """Yield a temporary path next to ``target``; on success it replaces ``target`` in one step
    (without ``overwrite``, an existing ``target`` is left as it is and the write refused).

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
    cleanup_on_exit(tmp_path)  # removed even if the command is killed while writing
    try:
        try:
            yield tmp_path
        except OSError as exc:  # e.g. the disk filled up while writing: name the file asked for
            # ENOSPC from write() carries no file name: it is the file being written
            if exc.filename is not None and Path(exc.filename) != tmp_path:
                raise
            raise OutputFileError(f"{target}: cannot write the file: {_reason(exc, target)}") from None
        # mkstemp creates the file readable by its owner only; give it the usual permissions
        umask = os.umask(0)
        os.umask(umask)
        try:
            os.chmod(tmp_path, 0o666 & ~umask)
            _put_in_place(tmp_path, target, overwrite)
        except OSError as exc:
            raise OutputFileError(f"{target}: cannot write the file: {_reason(exc, target)}") from None
    finally:
        if tmp_path.exists():
            tmp_path.unlink()
        cleanup_done(tmp_path)


def write_text_atomic(target: str | Path, text: str, encoding: str = "utf-8", *, overwrite: bool = True) -> Path:
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_text(text, encoding=encoding)
    return Path(target)


def write_bytes_atomic(target: str | Path, data: bytes, *, overwrite: bool = True) -> Path:
    with atomic_path(target, overwrite=overwrite) as tmp:
        tmp.write_bytes(data)
    return Path(target)


def _same_file(a: Path, b: Path) -> bool:
    """Same path after resolving links, or the same file by another name (a hard link)."""
    if a.resolve() == b.resolve():
        return True
    try:
        return a.exists() and b.exists() and os.path.samefile(a, b)
    except OSError:
        return False


def _inside(path: Path, directory: Path) -> bool:
    try:
        path.resolve().relative_to(directory.resolve())
        return True
    except ValueError:
        return False


def refuse_overwrite_input(output: str | Path, *inputs: str | Path | None, reference: Iterable[str | Path | None] = ()) -> None:
    """Raise before anything is written if ``output`` is one of ``inputs`` or lies in a reference-data
    directory of ``reference`` (a register the command reads, or one a later run reads).

    An input is never modified: a path that names an input file — also through a symbolic or a
    hard link — or a file inside a directory given as an input, is refused with exit code 3.
    """
    out = Path(output)
    for given in inputs:
        if given is None:
            continue
        given = Path(given)
        if _same_file(out, given):
            raise InputFileError(f"{output}: refusing to write over the input file {given}")
        if given.is_dir() and _inside(out, given):
            raise InputFileError(f"{output}: refusing to write into the input directory {given}")
    for directory in reference:
        if directory is None:
            continue
        directory = Path(directory)
        if _inside(out, directory) or (not directory.is_dir() and _same_file(out, directory)):
            raise InputFileError(f"{output}: refusing to write into the reference-data directory {directory} "
                                 "(its registers are read by this and later runs); choose another output path")


def refuse_overwrite_inputs(outputs: Iterable[str | Path], *inputs: str | Path | None,
                            reference: Iterable[str | Path | None] = ()) -> None:
    """:func:`refuse_overwrite_input` for every output of a command, before any is written."""
    reference = list(reference)
    for output in outputs:
        refuse_overwrite_input(output, *inputs, reference=reference)


# -- several files, all or nothing --------------------------------------------------------------


def _replace_all(moves: list[tuple[Path, Path]], where: str, overwrite: bool = True) -> None:
    """Rename every finished ``(temporary, target)`` pair into place (creating a target's folder
    if needed); if one rename fails, the targets already replaced get their earlier content back,
    so the set is all new or all old. Without ``overwrite`` no existing target is replaced: the
    first one found is named and nothing is moved (a file that appears meanwhile fails the set,
    and the files already moved are taken away again)."""
    if not overwrite:
        refuse_existing_outputs((target for _, target in moves), overwrite=False)
    backups: list[tuple[Path, Path]] = []
    done: list[Path] = []
    created: list[Path] = []
    try:
        for tmp, target in moves:
            for folder in reversed([target.parent, *target.parent.parents]):
                if not folder.exists():
                    folder.mkdir()
                    created.append(folder)
            if overwrite and target.exists() and not target.is_dir():
                backup = target.with_name(f".{target.name}.{os.getpid()}.previous")
                os.replace(target, backup)
                cleanup_on_exit(backup)
                backups.append((backup, target))
            _put_in_place(tmp, target, overwrite)
            done.append(target)
    except (OSError, OutputFileError) as exc:
        for target in done:
            with contextlib.suppress(OSError):
                target.unlink()
        for backup, target in backups:
            with contextlib.suppress(OSError):
                os.replace(backup, target)
            cleanup_done(backup)
        for folder in reversed(created):
            with contextlib.suppress(OSError):
                folder.rmdir()
        if isinstance(exc, OutputFileError):
            raise
        failed = exc.filename and Path(exc.filename).name
        raise OutputFileError(f"{where}: cannot put the files in place ({failed}: {exc.strerror or exc}); "
                              "nothing was changed") from None
    for backup, _ in backups:
        with contextlib.suppress(OSError):
            backup.unlink()
        cleanup_done(backup)


@contextlib.contextmanager
def atomic_paths(targets: Mapping[str, Path], *, overwrite: bool = True) -> Iterator[dict[str, Path]]:
    """Like :func:`atomic_path` for several files that belong together (an export's data and its
    sidecars): yields ``{key: temporary path}``; when the block succeeds every target is replaced,
    when anything fails none is, and no temporary file is left (without ``overwrite``, an existing
    target fails the whole set)."""
    targets = {k: Path(v) for k, v in targets.items()}
    with contextlib.ExitStack() as stack:
        tmps = {}
        for key, target in targets.items():
            tmps[key] = stack.enter_context(_temporary(target))
        try:
            yield tmps
        except Exception as exc:  # noqa: BLE001 - a full disk as the writing libraries report it
            if not _is_write_failure(exc):
                raise
            name = getattr(exc, "filename", None)
            failed = next((targets[k] for k, t in tmps.items() if name and Path(name) == t), None)
            if failed is None:  # write() errors carry no name: the file written last is the one
                failed = _last_written(tmps, targets)
            what = str(failed) if failed is not None else ", ".join(str(t) for t in targets.values())
            reason = (exc.strerror if isinstance(exc, OSError) else None) or f"{type(exc).__name__}: {exc}"
            raise OutputFileError(f"{what}: cannot write the file: {reason}; none of "
                                  f"{', '.join(t.name for t in targets.values())} was written") from None
        _replace_all([(tmps[k], targets[k]) for k in targets], ", ".join(str(t) for t in targets.values()),
                     overwrite)


def _last_written(tmps: Mapping[str, Path], targets: Mapping[str, Path]) -> Path | None:
    def written(key: str) -> int:
        try:
            return tmps[key].stat().st_mtime_ns
        except OSError:
            return -1
    key = max(tmps, key=written, default=None)
    return targets[key] if key is not None else None


def _is_write_failure(exc: Exception) -> bool:
    """An operating-system error, or one of the file-format libraries' errors (they wrap ENOSPC)."""
    return isinstance(exc, OSError) or type(exc).__module__.split(".")[0] in ("pyreadstat", "pyarrow")


@contextlib.contextmanager
def _temporary(target: Path) -> Iterator[Path]:
    """A hidden temporary file beside ``target``, removed when the block ends if still there."""
    try:
        target.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(prefix=f".{target.name}.", suffix=".tmp" + target.suffix, dir=target.parent)
    except OSError as exc:
        raise OutputFileError(f"{target}: cannot write the file: {_reason(exc, target.parent)}") from None
    os.close(fd)
    tmp_path = Path(tmp)
    cleanup_on_exit(tmp_path)
    try:
        yield tmp_path
        umask = os.umask(0)
        os.umask(umask)
        with contextlib.suppress(OSError):
            os.chmod(tmp_path, 0o666 & ~umask)
    finally:
        if tmp_path.exists():
            with contextlib.suppress(OSError):
                tmp_path.unlink()
        cleanup_done(tmp_path)


@contextlib.contextmanager
def staged_directory(directory: str | Path, *, overwrite: bool = True) -> Iterator[Path]:
    """A hidden staging directory inside ``directory`` for a command's several output files.

    Write every file into the yielded directory under its final name (in subfolders too); when the
    block succeeds they are moved into ``directory`` (the same subfolders) together (:func:`_replace_all`), when it fails — an error, a full
    disk, Ctrl-C — none is, and the staging directory is removed (after ``kill -9`` by the cleaner
    process of :mod:`fjernarbeid._process`). An error about a file in staging names the file the
    user asked for. Without ``overwrite``, a file of the same name already in ``directory`` fails
    the whole set (named, nothing moved).
    """
    directory = ensure_directory(directory)
    try:
        staging = Path(tempfile.mkdtemp(prefix=".fjernarbeid-staging-", dir=directory))
    except OSError as exc:
        raise OutputFileError(f"{directory}: cannot write into it: {_reason(exc, directory)}") from None
    cleanup_on_exit(staging)
    try:
        try:
            yield staging
        except FjernarbeidError as exc:
            if str(staging) in str(exc):
                raise type(exc)(str(exc).replace(str(staging), str(directory))) from None
            raise
        except OSError as exc:
            name = Path(exc.filename).name if exc.filename else None
            target = directory / name if name else directory
            raise OutputFileError(f"{target}: cannot write the file: {exc.strerror or exc}; nothing was "
                                  "written") from None
        moves = [(p, directory / p.relative_to(staging)) for p in _files_under(staging)]
        _replace_all(moves, str(directory), overwrite)
    finally:
        shutil.rmtree(staging, ignore_errors=True)
        cleanup_done(staging)


def _files_under(folder: Path) -> list[Path]:
    """Every finished file in ``folder`` and its subfolders, in order (a hidden name is a writer's
    temporary file)."""
    found = []
    for root, dirs, files in os.walk(folder):
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        found += [Path(root) / name for name in sorted(files) if not name.startswith(".")]
    return found


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
                name = ENCODING_NAMES[encoding.removesuffix("-sig")]
                if encoding == "utf-8-sig":  # the mark's three bytes are not part of the text the user sees
                    line, column = _line_and_column(data[len(bom):], exc.start)
                    byte = data[len(bom) + exc.start:len(bom) + exc.start + 1]
                    raise InputFileError(
                        f"{where}, line {line}, byte {column}: byte 0x{byte.hex().upper()} is not UTF-8 (in "
                        f"Windows-1252 it would be {byte.decode('cp1252', errors='replace')!r}), but the file starts "
                        "with UTF-8's byte-order mark; the file mixes two encodings. Correct that cell, or save the "
                        "whole file again as UTF-8") from None
                raise InputFileError(f"{where}: starts with a {name} byte-order mark but byte "
                                     f"{exc.start + 1} is not {name}") from None
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
    text, encoding, _ = read_text_and_bytes(path, what)
    return text, encoding


def read_text_and_bytes(path: str | Path, what: str) -> tuple[str, str, bytes]:
    """:func:`read_text_file` and the file's bytes (a reader of UTF-8 bytes then needs no new copy)."""
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
    return (*decode_text(data, what), data)


def universal_newlines(text: str, stray_cr_ends_line: bool = False) -> tuple[str, list[int]]:
    """One line ending, LF, for the readers; returns the text and the lines of stray CRs.

    * A file without any LF uses CR alone (old Mac files): every CR ends a line.
    * Otherwise CRLF ends a line, and a lone CR is a line break typed in a cell: inside a quoted
      field it becomes LF (the cell keeps its line break, and ``csv`` and ``pandas`` then agree on
      the records, where they disagree or raise about a bare CR); in an unquoted field, where a
      line break cannot be, it is read as a space and its line is returned for a warning —
      or, with ``stray_cr_ends_line`` (a file whose lines end in a mix of LF, CRLF and CR, as when
      files are pasted together), it ends the line and nothing is returned.
    """
    if "\r" not in text:
        return text, []
    if "\n" not in text:
        return text.replace("\r", "\n"), []
    text = text.replace("\r\n", "\n")
    if "\r" not in text:
        return text, []
    out, stray, quoted, line = [], [], False, 1
    for piece in re.split(r'([\r\n"])', text):
        if piece == '"':
            quoted = not quoted
        elif piece == "\n":
            line += 1
        elif piece == "\r":
            if quoted:
                piece = "\n"
            elif stray_cr_ends_line:
                piece = "\n"
                line += 1
            else:
                piece = " "
                stray.append(line)
        out.append(piece)
    return "".join(out), stray

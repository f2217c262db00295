"""Processes that never outlive the command that started them.

* :func:`die_with_parent` — a worker process (the report's chart drawers) asks the kernel to end it
  when its parent ends, however the parent ended (``kill -9`` included): Linux's
  ``prctl(PR_SET_PDEATHSIG, SIGKILL)``; elsewhere a thread that watches the parent's pid.
* :func:`cleanup_on_exit` / :func:`cleanup_done` — temporary files and staging directories of the
  writers (:mod:`fjernarbeid._io`) are removed even when the command is killed in the middle of
  writing. A process cannot clean up after ``kill -9`` itself, so a small cleaner process (plain
  Python, no imports of the package) holds the list: it reads ``+path``/``-path`` lines from a pipe
  and, when the pipe closes — the command ended, normally or not — removes every path still listed.
"""

from __future__ import annotations

import atexit
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

_PR_SET_PDEATHSIG = 1  # from <linux/prctl.h>


def die_with_parent() -> None:
    """End this process when its parent process ends (call it first thing in a worker)."""
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        try:
            import ctypes

            libc = ctypes.CDLL(None, use_errno=True)
            if libc.prctl(_PR_SET_PDEATHSIG, signal.SIGKILL, 0, 0, 0) == 0:
                if os.getppid() != parent:  # the parent died before prctl took effect
                    os._exit(1)
                return
        except (OSError, AttributeError):
            pass

    def watch() -> None:  # the portable fallback: poll the parent's pid
        while os.getppid() == parent:
            time.sleep(0.5)
        os._exit(1)

    threading.Thread(target=watch, name="die-with-parent", daemon=True).start()


# The cleaner: reads hex-encoded paths (any byte may be in a file name, newlines included).
_CLEANER = r"""
import os, shutil, sys
listed = set()
for line in sys.stdin.buffer:
    op, path = line[:1], os.fsdecode(bytes.fromhex(line[1:].strip().decode("ascii")))
    if op == b"+":
        listed.add(path)
    else:
        listed.discard(path)
for path in listed:
    if os.path.isdir(path) and not os.path.islink(path):
        shutil.rmtree(path, ignore_errors=True)
    else:
        try:
            os.unlink(path)
        except OSError:
            pass
"""

_lock = threading.Lock()
_cleaner: subprocess.Popen | None = None
_cleaner_pid: int | None = None  # the process that started it (a forked child must not use it)


def _pipe():
    global _cleaner, _cleaner_pid
    if _cleaner is not None and _cleaner_pid == os.getpid() and _cleaner.poll() is None:
        return _cleaner.stdin
    if not sys.executable:  # an embedded interpreter: no cleaner, the writers' own cleanup remains
        return None
    try:
        _cleaner = subprocess.Popen([sys.executable, "-I", "-S", "-c", _CLEANER], stdin=subprocess.PIPE,
                                    stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, close_fds=True,
                                    start_new_session=True)  # a Ctrl-C to the command does not end it first
    except (OSError, ValueError):
        _cleaner = None
        return None
    _cleaner_pid = os.getpid()
    atexit.register(_stop_cleaner)
    return _cleaner.stdin


def _send(op: str, path: str | Path) -> None:
    with _lock:
        pipe = _pipe()
        if pipe is None:
            return
        try:
            pipe.write(op.encode("ascii") + os.fsencode(str(path)).hex().encode("ascii") + b"\n")
            pipe.flush()
        except (OSError, ValueError):
            pass


def cleanup_on_exit(path: str | Path) -> None:
    """Remove ``path`` (file or directory) when this process ends without :func:`cleanup_done`."""
    _send("+", path)


def cleanup_done(path: str | Path) -> None:
    """``path`` is dealt with (renamed into place or removed): the cleaner forgets it."""
    _send("-", path)


def _stop_cleaner() -> None:
    global _cleaner
    if _cleaner is None or _cleaner_pid != os.getpid():
        return
    try:
        _cleaner.stdin.close()
        _cleaner.wait(timeout=5)
    except (OSError, subprocess.TimeoutExpired):
        pass
    _cleaner = None

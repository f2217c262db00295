"""Shared helpers of the benchmark scripts: run a program several times as a fresh process and
measure it, describe the machine, print a Markdown table. Not a benchmark itself.

Each run is a new process (a cold start: interpreter, imports, data read from disk). Wall time
is measured around the process; peak memory and CPU time come from the kernel's accounting of
that process (``os.wait4``, the numbers ``/usr/bin/time -v`` prints): peak resident memory is
that of the measured process itself — worker processes it forks share most of their pages with it
and are not added — and CPU time includes the workers it waited for.
"""

from __future__ import annotations

import datetime as _dt
import os
import platform
import statistics
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent


@dataclass(frozen=True)
class Run:
    wall: float  # seconds
    cpu: float  # user + system seconds, including waited-for child processes
    peak_rss: int  # bytes, of the measured process
    returncode: int
    stderr: str


def fjernarbeid_command() -> list[str]:
    """How to start the program: ``python -m fjernarbeid`` with this interpreter (a PYTHONPATH in
    the environment can point it at another source tree, e.g. an older commit)."""
    return [sys.executable, "-m", "fjernarbeid"]


def compile_sources(*trees: Path) -> None:
    """Byte-compile source trees (``src`` directories) before they are timed, as an installed
    package is (pip compiles its modules when it installs them). Where PYTHONDONTWRITEBYTECODE is
    set, a source tree is otherwise compiled anew by every run — at 100-odd modules, about 0.2 s
    of each process — which is the environment's doing, not the program's."""
    for tree in trees:
        subprocess.run([sys.executable, "-m", "compileall", "-q", str(tree)], check=True,
                       stdout=subprocess.DEVNULL)


def run_once(cmd: list[str], env: dict | None = None) -> Run:
    """Run ``cmd`` to completion; raise with its error output if it fails."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        proc = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=err, env=env)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.perf_counter() - start
        proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here, not by Popen
        err.seek(0)
        stderr = err.read().decode("utf-8", "replace")
    # Linux reports kilobytes, macOS bytes
    rss = usage.ru_maxrss * (1 if sys.platform == "darwin" else 1024)
    run = Run(wall, usage.ru_utime + usage.ru_stime, rss, proc.returncode, stderr)
    if run.returncode != 0:
        raise RuntimeError(f"{' '.join(map(str, cmd))} failed with exit code {run.returncode}:\n{stderr[-3000:]}")
    return run


def run_many(cmd: list[str], runs: int, env: dict | None = None, label: str = "") -> list[Run]:
    out = []
    for i in range(runs):
        out.append(run_once(cmd, env))
        r = out[-1]
        print(f"  {label} run {i + 1}/{runs}: {r.wall:.2f} s wall, {r.cpu:.2f} s CPU, "
              f"{r.peak_rss / 2**20:,.0f} MB", file=sys.stderr, flush=True)
    return out


def spread(values: list[float], fmt: str = "{:.2f}") -> str:
    """'median (min–max)'."""
    return f"{fmt.format(statistics.median(values))} ({fmt.format(min(values))}–{fmt.format(max(values))})"


def summary(runs: list[Run]) -> dict:
    return {
        "runs": len(runs),
        "wall_s": spread([r.wall for r in runs]),
        "cpu_s": spread([r.cpu for r in runs]),
        "peak_rss_mb": spread([r.peak_rss / 2**20 for r in runs], "{:,.0f}"),
        "wall_median": statistics.median(r.wall for r in runs),
        "peak_rss_max_mb": max(r.peak_rss for r in runs) / 2**20,
    }


def machine() -> dict:
    """Cores, memory, CPU model (from /proc/cpuinfo), date, software versions, git commit."""
    model = platform.processor() or platform.machine()
    memory = None
    if Path("/proc/cpuinfo").is_file():
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    if Path("/proc/meminfo").is_file():
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 2**20:.1f} GB"
    try:
        commit = subprocess.run(["git", "-C", str(REPO), "rev-parse", "--short", "HEAD"], capture_output=True,
                                text=True, check=True).stdout.strip()
    except (OSError, subprocess.CalledProcessError):
        commit = "unknown"
    versions = {}
    for name in ("numpy", "pandas", "scipy", "matplotlib"):
        try:
            versions[name] = __import__(name).__version__
        except ImportError:
            versions[name] = "not installed"
    load = os.getloadavg()[0] if hasattr(os, "getloadavg") else float("nan")
    return {
        "date": _dt.datetime.now().astimezone().strftime("%Y-%m-%d %H:%M %Z"),
        "cores": os.cpu_count(),
        "memory": memory,
        "cpu": model,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
        **versions,
        "commit": commit,
        "load_1min_at_start": round(load, 2),
    }


def print_machine(info: dict) -> None:
    print("Machine: " + ", ".join(f"{k} {v}" for k, v in info.items()))


def markdown_table(header: list[str], rows: list[list]) -> str:
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" for _ in header) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def demo_data(n: int, workdir: Path, seed: int = 2025, env: dict | None = None) -> tuple[Path, Run | None]:
    """A demo study of ``n`` interviews in ``workdir/demo-<n>`` (made once, then reused), and the run
    that made it (None when it was there already)."""
    out = workdir / f"demo-{n}"
    if (out / "demo_survey.csv").is_file() and (out / "demo_dispositions.csv").is_file():
        return out, None
    out.parent.mkdir(parents=True, exist_ok=True)
    made = run_once(fjernarbeid_command() + ["demo", "--out", str(out), "--n", str(n), "--seed", str(seed),
                                             "--no-sav"], env)
    return out, made


def report_command(data: Path, out: Path, formats: str, refdata: Path | None = None) -> list[str]:
    """``fjernarbeid report`` on a demo directory, as the Makefile runs it."""
    refdata = refdata or data / "refdata"
    return fjernarbeid_command() + ["report", str(data / "demo_survey.csv"), "--dispositions",
                                    str(data / "demo_dispositions.csv"), "--refdata", str(refdata),
                                    "--out", str(out), "--format", formats]

"""The coworking portal under load: latency of the directory, a space's page and the JSON API at 50 concurrent
clients on loopback, with 500 spaces and 50,000 monthly use records in the database.

Tool: ApacheBench (``ab``, Debian package apache2-utils), which opens ``--concurrency`` connections and
reports the share of requests served within each time (the 95 % line is the p95). The server is the
real one, ``fjernarbeid portal serve`` (waitress), on SQLite in a temporary directory; the data are made by
``fjernarbeid.portal.demo.load_scale`` (fictional spaces spread over the region's places).

Usage (from the repository root; needs ``apt-get install apache2-utils``)::

    .venv/bin/python bench/bench_portal.py [--requests 2000] [--concurrency 50] [--spaces 500] [--records 50000]

Each URL gets a warm-up of 200 requests first; then ``--runs`` (default 3) measured runs of ``--requests``,
of which the median p95 is reported with the range.
"""

from __future__ import annotations

import argparse
import os
import re
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from _measure import machine, markdown_table, print_machine  # noqa: E402

URLS = [("directory (front page, all spaces)", "/"), ("a space's page", "/spaces/bench-0123/"),
        ("JSON API, all spaces", "/api/spaces"), ("JSON API, filtered", "/api/spaces?municipality=4619")]


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _ab(url: str, requests: int, concurrency: int) -> dict:
    out = subprocess.run(["ab", "-q", "-n", str(requests), "-c", str(concurrency), url], capture_output=True,
                         text=True, check=True).stdout
    percent = {int(m.group(1)): float(m.group(2)) for m in re.finditer(r"^\s+(\d+)%\s+(\d+)", out, re.M)}
    return {
        "p50": percent[50], "p95": percent[95], "p99": percent[99], "max": percent[100],
        "rps": float(re.search(r"Requests per second:\s+([\d.]+)", out).group(1)),
        "failed": int(re.search(r"Failed requests:\s+(\d+)", out).group(1)),
        "non2xx": int(m.group(1)) if (m := re.search(r"Non-2xx responses:\s+(\d+)", out)) else 0,
        "bytes": int(re.search(r"Document Length:\s+(\d+)", out).group(1)),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=50)
    parser.add_argument("--spaces", type=int, default=500)
    parser.add_argument("--records", type=int, default=50_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--threads", type=int, default=8, help="waitress worker threads")
    args = parser.parse_args()
    if shutil.which("ab") is None:
        sys.exit("ApacheBench (ab) is needed: apt-get install apache2-utils")

    work = Path(tempfile.mkdtemp(prefix="bench-portal-"))
    env = dict(os.environ, FJERNARBEID_PORTAL_DATA=str(work / "data"),
               FJERNARBEID_PORTAL_DATABASE=str(work / "bench.sqlite3"), FJERNARBEID_PORTAL_TILES="")
    started = time.perf_counter()
    subprocess.run([sys.executable, "-c", (
        "from fjernarbeid.portal.server import configure, migrate\n"
        "configure()\nmigrate()\n"
        "from fjernarbeid.portal.demo import load_scale\n"
        f"load_scale({args.spaces}, {args.records})\n")], env=env, check=True)
    print(f"database with {args.spaces} spaces and {args.records} use records made in "
          f"{time.perf_counter() - started:.1f} s", file=sys.stderr)

    port = _free_port()
    server = subprocess.Popen([sys.executable, "-m", "fjernarbeid", "portal", "serve", "--port", str(port),
                               "--threads", str(args.threads)], env=env, stderr=subprocess.DEVNULL)
    try:
        for _ in range(600):
            try:
                socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
                break
            except OSError:
                time.sleep(0.1)
        rows = []
        load_before = os.getloadavg()
        for label, path in URLS:
            url = f"http://127.0.0.1:{port}{path}"
            _ab(url, 200, args.concurrency)  # warm-up
            runs = [_ab(url, args.requests, args.concurrency) for _ in range(args.runs)]
            p95 = [r["p95"] for r in runs]
            rows.append([label, f"`{path}`", f"{runs[0]['bytes']:,}",
                         f"{statistics.median(r['p50'] for r in runs):.0f}",
                         f"**{statistics.median(p95):.0f}** ({min(p95):.0f}–{max(p95):.0f})",
                         f"{statistics.median(r['p99'] for r in runs):.0f}",
                         f"{statistics.median(r['rps'] for r in runs):.0f}",
                         sum(r["failed"] + r["non2xx"] for r in runs)])
            print(rows[-1], file=sys.stderr)
        load_after = os.getloadavg()
    finally:
        server.terminate()
        server.wait(timeout=30)
        shutil.rmtree(work, ignore_errors=True)

    print_machine(machine())
    print(f"load average (1 min) before/after: {load_before[0]:.2f} / {load_after[0]:.2f}; "
          f"{args.concurrency} concurrent clients, {args.requests} requests a run, {args.runs} runs, "
          f"waitress with {args.threads} threads, SQLite\n")
    print(markdown_table(["page", "path", "bytes", "p50 ms", "p95 ms (range)", "p99 ms", "requests/s",
                          "failed"], rows))


if __name__ == "__main__":
    main()

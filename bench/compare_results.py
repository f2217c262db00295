"""Do two results.json files hold the same numbers? For checking that an optimisation changed no result.

    .venv/bin/python bench/compare_results.py BEFORE/results.json AFTER/results.json [--tolerance 1e-9]

Walks both files in parallel and prints the largest relative difference between numbers found at the
same place (and where), how many numbers differ by more than ``--tolerance``, and how many texts,
keys or list lengths differ (wording changes, not numbers). Exit code 1 when a number differs by
more than the tolerance or the structure differs.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from pathlib import Path


def compare(a, b, path: str, out: dict) -> None:
    if isinstance(a, dict) and isinstance(b, dict):
        for key in a.keys() | b.keys():
            if key in a and key in b:
                compare(a[key], b[key], f"{path}.{key}", out)
            else:
                out["structure"].append(f"{path}.{key}: only in {'the first' if key in a else 'the second'}")
    elif isinstance(a, list) and isinstance(b, list):
        if len(a) != len(b):
            out["structure"].append(f"{path}: {len(a)} against {len(b)} items")
            return
        for i, (x, y) in enumerate(zip(a, b)):
            compare(x, y, f"{path}[{i}]", out)
    elif isinstance(a, (int, float)) and isinstance(b, (int, float)) and not isinstance(a, bool):
        out["numbers"] += 1
        if a == b or (isinstance(a, float) and isinstance(b, float) and math.isnan(a) and math.isnan(b)):
            return
        rel = abs(a - b) / max(abs(a), abs(b))
        if rel > out["largest"][0]:
            out["largest"] = (rel, path, a, b)
        if rel > out["tolerance"]:
            out["beyond"].append(path)
    elif a != b:
        out["texts"].append(path)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("first", type=Path)
    parser.add_argument("second", type=Path)
    parser.add_argument("--tolerance", type=float, default=1e-9, help="largest relative difference allowed")
    args = parser.parse_args(argv)
    out = {"numbers": 0, "largest": (0.0, None, None, None), "beyond": [], "texts": [], "structure": [],
           "tolerance": args.tolerance}
    compare(json.loads(args.first.read_text("utf-8")), json.loads(args.second.read_text("utf-8")), "", out)
    rel, where, a, b = out["largest"]
    print(f"{out['numbers']:,} numbers compared; largest relative difference {rel:.1e}"
          + (f" at {where} ({a!r} against {b!r})" if where else ""))
    print(f"{len(out['beyond'])} numbers differ by more than {args.tolerance:g}; {len(out['texts'])} texts differ; "
          f"{len(out['structure'])} structural differences")
    for path in (out["beyond"] + out["structure"])[:10]:
        print("  " + path)
    return 1 if out["beyond"] or out["structure"] else 0


if __name__ == "__main__":
    sys.exit(main())

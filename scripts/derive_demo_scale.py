"""Derive the demo's population scale (src/fjernarbeid/studies/norce2025/demo/population_scale.csv).

The synthetic demo (``fjernarbeid demo``) turns latent scores into answer codes at fixed
population cut points, so that its weighted shares vary from sample to sample around the
population shares in ``fjernarbeid.studies.norce2025.demo.model.MARGINALS`` like real estimates. This script derives
those cut points (and each trait's population mean and SD) once, from a calibration draw of
200,000 interviews weighted by sex x age group; the procedure is
``fjernarbeid.studies.norce2025.demo.calibration.derive_scale``. Rerun it after changing ``MARGINALS``,
``EDUCATION_SHARES`` or a latent equation of ``fjernarbeid/studies/norce2025/demo/model.py`` (the package refuses a
scale derived for other shares), and bump ``MODEL_VERSION`` in ``demo/generate.py``.

Usage (from the repository root)::

    .venv/bin/python scripts/derive_demo_scale.py

The output is deterministic: rerunning gives the same numbers.
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from fjernarbeid._io import write_text_atomic
from fjernarbeid.studies.norce2025.demo.calibration import CALIBRATION_N, CALIBRATION_SEED, derive_scale, scale_header
from fjernarbeid.studies.norce2025.demo.model import SCALE_FILE, format_scale

REPO = Path(__file__).resolve().parents[1]
DEFAULT_OUT = REPO / "src" / "fjernarbeid" / "studies" / "norce2025" / "demo" / SCALE_FILE


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help=f"output CSV (default {DEFAULT_OUT})")
    args = parser.parse_args(argv)
    started = time.perf_counter()
    scale = derive_scale(CALIBRATION_N, CALIBRATION_SEED)
    write_text_atomic(args.out, format_scale(scale, scale_header(CALIBRATION_N, CALIBRATION_SEED)))
    print(f"{args.out}: {len(scale.traits)} traits, {len(scale.cut_points)} items, "
          f"{sum(len(c) for c in scale.cut_points.values())} cut points "
          f"({time.perf_counter() - started:.1f} s)", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""One BLAS thread for the command line, unless the user chose a number.

The linear algebra here is on tall, thin matrices — n respondents × at most a few dozen columns
of influence values or model terms — where more BLAS threads add little, and where, when the
machine's cores are busy with other work, OpenBLAS's threads spin waiting for each other: on two
shared cores the report on a million respondents took 58 s with OpenBLAS's own default and 29 s
with one thread (BENCHMARKS.md). One thread also keeps the last digits of the results the same
on machines with different numbers of cores (more threads add up in a different order).

BLAS reads its thread count when numpy loads it, so :func:`use_one_blas_thread` must run before
numpy is imported; the package's ``__init__`` imports neither numpy nor pandas for this reason.
"""

from __future__ import annotations

import os

# A user who set any of these has chosen; OMP_NUM_THREADS also sizes other libraries' pools
# (pyarrow's), so it is respected but never set here.
THREAD_VARIABLES = ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")


def use_one_blas_thread() -> None:
    """Set OpenBLAS and MKL to one thread when no thread count is set in the environment."""
    if not any(os.environ.get(name) for name in THREAD_VARIABLES):
        os.environ["OPENBLAS_NUM_THREADS"] = "1"
        os.environ["MKL_NUM_THREADS"] = "1"

"""The command line runs numpy's BLAS on one thread unless the user set a thread count.

BLAS reads the count when numpy loads, so what matters is the environment at that moment; a
subprocess records it with an import hook.
"""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

RECORD_AT_NUMPY_IMPORT = """
import os, sys
seen = {}
class Spy:
    def find_spec(self, name, path=None, target=None):
        if name == "numpy" and not seen:
            seen.update({k: os.environ.get(k) for k in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS")})
        return None
sys.meta_path.insert(0, Spy())
import fjernarbeid.cli
import numpy  # what a command does on first use (the command modules load it lazily)
print(seen["OPENBLAS_NUM_THREADS"], seen["MKL_NUM_THREADS"])
"""


def _threads_when_numpy_loads(**env: str) -> list[str]:
    clean = {k: v for k, v in os.environ.items()
             if k not in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS")}
    out = subprocess.run([sys.executable, "-c", RECORD_AT_NUMPY_IMPORT], env={**clean, **env},
                         capture_output=True, text=True, check=True)
    return out.stdout.split()


def test_blas_has_one_thread_when_numpy_loads():
    assert _threads_when_numpy_loads() == ["1", "1"]


@pytest.mark.parametrize("variable", ["OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "OMP_NUM_THREADS"])
def test_a_thread_count_the_user_set_is_left_alone(variable):
    seen = _threads_when_numpy_loads(**{variable: "3"})
    expected = {"OPENBLAS_NUM_THREADS": ["3", "None"], "MKL_NUM_THREADS": ["None", "3"],
                "OMP_NUM_THREADS": ["None", "None"]}[variable]
    assert seen == expected


def test_importing_the_package_loads_neither_pandas_nor_numpy_until_an_export_is_used():
    # the questionnaire alone needs neither; reading a survey file does
    code = ("import sys, fjernarbeid; before = {'numpy', 'pandas'} & set(sys.modules); "
            "fjernarbeid.load_instrument(); questionnaire = 'pandas' in sys.modules; "
            "fjernarbeid.read_survey; print(sorted(before), questionnaire, 'pandas' in sys.modules)")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.split() == ["[]", "False", "True"]

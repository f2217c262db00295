"""The example in the package's docstring (what `help(fjernarbeid)` shows a notebook user) runs as written."""

from __future__ import annotations

import doctest

import fjernarbeid


def test_the_package_docstring_example_runs():
    result = doctest.testmod(fjernarbeid, verbose=False)
    assert result.attempted >= 3 and result.failed == 0

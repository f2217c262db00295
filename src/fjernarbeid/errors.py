"""Errors and the CLI's exit codes: one place for both, so a script can rely on them.

Exit codes (documented in the README):

====  =========================================================================
0     success (warnings may have been printed)
1     the data were read but break rules (validation errors)
2     wrong use of the command line (unknown option, missing argument)
3     an input file is missing, empty or unreadable, or an output cannot be written
      (or exists, and --overwrite was not given)
4     reference data that a step needs is not available
5     a computation is impossible with these data (e.g. weighting targets)
141   standard output was closed early (e.g. ``| head``): the shell's code for a
      program ended by SIGPIPE (128 + 13), printed without a message
====  =========================================================================
"""

from __future__ import annotations

import re

EXIT_OK = 0
EXIT_INVALID_DATA = 1
EXIT_USAGE = 2
EXIT_BAD_INPUT = 3
EXIT_MISSING_REFDATA = 4
EXIT_IMPOSSIBLE = 5
EXIT_BROKEN_PIPE = 141


# numpy 2 writes its scalars as np.int64(3), np.float64(0.5), np.str_('a') in repr() and in
# f"{x!r}": in a message they mean 3, 0.5 and 'a'.
_NUMPY_REPR = re.compile(r"\bnp\.(?:u?int\d+|float\d+|complex\d+|bool_?|str_|bytes_|datetime64|timedelta64)"
                         r"\(((?:[^()]|\([^()]*\))*)\)")


def plain_message(text: str) -> str:
    """``text`` with numpy's scalar reprs (``np.int64(3)``) written as the values they are (``3``)."""
    return _NUMPY_REPR.sub(r"\1", text)


class FjernarbeidError(Exception):
    """Base class of every error this package raises on purpose."""

    exit_code = EXIT_BAD_INPUT

    def __init__(self, message: str = "", *args):
        super().__init__(plain_message(str(message)), *args)


class InputFileError(FjernarbeidError):
    """An input file is missing, empty, unreadable or in an unknown format."""

    exit_code = EXIT_BAD_INPUT


class OutputFileError(FjernarbeidError):
    """An output file or directory cannot be created or replaced (no permission, not a directory, …)."""

    exit_code = EXIT_BAD_INPUT


class InstrumentError(FjernarbeidError):
    """An instrument (questionnaire) definition is inconsistent."""

    exit_code = EXIT_BAD_INPUT


class DataValidationError(FjernarbeidError):
    """Data break the instrument's rules; ``report`` holds every problem found."""

    exit_code = EXIT_INVALID_DATA

    def __init__(self, message: str, report=None):
        super().__init__(message)
        self.report = report


class MissingReferenceDataError(FjernarbeidError):
    """A step needs reference data (postal codes, centrality, population) that is not there."""

    exit_code = EXIT_MISSING_REFDATA


class ComputationError(FjernarbeidError):
    """A computation is impossible with the data given (empty cell, no convergence, …)."""

    exit_code = EXIT_IMPOSSIBLE

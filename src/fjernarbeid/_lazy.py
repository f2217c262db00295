"""Modules imported on first use, so that ``fjernarbeid --help`` and reading a study start without numpy or pandas.

Building the command line imports every command module (each registers its commands), and
`--help` of any command needs nothing beyond typer and rich. numpy and pandas together took
most of the start-up time (about 0.5 s of 0.7 s on this project's machine, BENCHMARKS.md), so
the command modules name them through :func:`lazy_module`: the import happens when a command
first uses an attribute (``np.asarray``), and the code reads as with a plain ``import``.

Only module-level names are made lazy this way; a command that needs a library's submodule or
a library only for one code path imports it inside that function.
"""

from __future__ import annotations

import importlib
from types import ModuleType


class _LazyModule:
    """Stands for the module ``name`` until an attribute is read; then imports it.

    Each attribute read is stored on the stand-in, so later reads cost what a module's do.
    """

    def __init__(self, name: str):
        self.__dict__["_name"] = name

    def _module(self) -> ModuleType:
        return importlib.import_module(self.__dict__["_name"])

    def __getattr__(self, attribute: str):
        value = getattr(self._module(), attribute)
        self.__dict__[attribute] = value
        return value

    def __repr__(self) -> str:
        return f"<module {self.__dict__['_name']!r}, imported on first use>"


def lazy_module(name: str):
    """The module ``name``, or a stand-in that imports it on first attribute access.

    A module that another thread is still importing is in ``sys.modules`` half-built: the stand-in is
    returned then, whose first use waits for that import to finish (``importlib.import_module`` takes
    the module's import lock)."""
    import sys

    module = sys.modules.get(name)
    if module is None or getattr(getattr(module, "__spec__", None), "_initializing", False):
        return _LazyModule(name)
    return module

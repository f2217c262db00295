"""Modules imported on first use (fjernarbeid/_lazy.py)."""

from __future__ import annotations

import sys
import types
from importlib.machinery import ModuleSpec

from fjernarbeid._lazy import lazy_module


def test_a_module_already_imported_is_used_as_it_is():
    import json

    assert lazy_module("json") is json


def test_a_module_another_thread_is_still_importing_is_not_handed_out_half_built(monkeypatch):
    # while a thread imports pandas, sys.modules holds the half-built module; its names are not there yet
    half = types.ModuleType("fjernarbeid_half_built")
    half.__spec__ = ModuleSpec("fjernarbeid_half_built", None)
    half.__spec__._initializing = True
    monkeypatch.setitem(sys.modules, "fjernarbeid_half_built", half)
    stand_in = lazy_module("fjernarbeid_half_built")
    assert stand_in is not half and "imported on first use" in repr(stand_in)
    half.__spec__._initializing = False  # the import finished: its names are there
    half.answer = 42
    assert stand_in.answer == 42


def test_a_module_not_yet_imported_is_imported_on_first_use():
    sys.modules.pop("colorsys", None)
    colorsys = lazy_module("colorsys")
    assert "colorsys" not in sys.modules
    assert colorsys.rgb_to_hsv(1.0, 0.0, 0.0)[0] == 0.0
    assert "colorsys" in sys.modules

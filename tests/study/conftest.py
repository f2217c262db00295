"""Fixtures of the study tests: the studies kept under tests/fixtures/studies (the console entry point
run in-process, ``run_main``, is in tests/conftest.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

STUDIES = Path(__file__).resolve().parents[1] / "fixtures" / "studies"



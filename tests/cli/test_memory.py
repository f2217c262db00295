"""The command line keeps freed memory for reuse (fjernarbeid.cli._memory), unless the user tuned the allocator."""

from __future__ import annotations

import sys

import pytest

from fjernarbeid.cli import _memory


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="glibc's mallopt")
def test_the_thresholds_are_raised_on_linux(monkeypatch):
    for name in _memory._USER_SETTINGS:
        monkeypatch.delenv(name, raising=False)
    assert _memory.keep_freed_memory() is True


@pytest.mark.parametrize("name", ["MALLOC_MMAP_THRESHOLD_", "MALLOC_TRIM_THRESHOLD_", "GLIBC_TUNABLES"])
def test_a_setting_of_the_user_stands(monkeypatch, name):
    monkeypatch.setenv(name, "131072")
    assert _memory.keep_freed_memory() is False

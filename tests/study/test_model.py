"""A study file as a user saves it: every problem named by file (and line), never a codec's own words."""

from __future__ import annotations

import pytest

from fjernarbeid.errors import FjernarbeidError
from fjernarbeid.study import load_study


def test_a_study_file_not_saved_as_utf8_is_named_with_its_line(tmp_path):
    (tmp_path / "study.yaml").write_bytes("id: elev\ntitle: {nb: \"Elevundersøkelsen\"}\n".encode("cp1252"))
    with pytest.raises(FjernarbeidError, match=r"study.yaml: not UTF-8 text at line 2 .*saved as UTF-8"):
        load_study(tmp_path)

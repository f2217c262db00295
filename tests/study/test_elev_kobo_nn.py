"""A pupils' survey in nynorsk as a new user made it in KoboToolbox (tests/fixtures/studies/elev_kobo_nn):
its study file excludes respondents whose sex is unknown ("vil ikkje svare") from the weighting
(``unknown: exclude``), and every command must still work on it and protect its files."""

from __future__ import annotations

import json
import shutil

import pytest

from fjernarbeid.errors import EXIT_OK

from .conftest import STUDIES

ELEV = STUDIES / "elev_kobo_nn"
EXPORT = ELEV / "kobo_export.csv"


@pytest.fixture
def study(tmp_path):
    """A copy of the study folder (commands may write into it)."""
    folder = tmp_path / "elev"
    shutil.copytree(ELEV, folder)
    return folder


@pytest.mark.parametrize("args", [["flytte"], ["viktig"], ["trivsel", "--by", "kjonn"], ["trivsel", "--mean"],
                                  ["timar", "--mean", "--by", "kjonn"]])
def test_tab_with_the_study_weighting_counts_the_excluded_respondents_apart(run_main, args):
    ran = run_main("tab", EXPORT, *args, "--study", ELEV, "--study-weighting", "--completes-only",
                   "--format", "json")
    assert ran.code == EXIT_OK, ran.stderr
    result = json.loads(ran.stdout)
    # 198 pupils answered; the 9 who would not give their sex have no weighting category
    assert result["design"]["rows"] == 189
    assert result["left_out"]["unweighted"] == 9


def test_tab_names_the_excluded_respondents_in_its_text(run_main):
    ran = run_main("tab", EXPORT, "flytte", "--study", ELEV, "--study-weighting", "--completes-only")
    assert ran.code == EXIT_OK, ran.stderr
    assert "9 respondent(s) without a weighting category" in " ".join(ran.stdout.split())

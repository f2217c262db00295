"""Target groups and regional potential (report chapter 4.5): who is inclined to move and work remotely,
how many there are, and where they live. See :mod:`.analysis` for the method, :mod:`.potential` for
the estimator and its variance, :mod:`.spec` for the study's specification."""

from fjernarbeid.target.analysis import TargetResult, run_targeting
from fjernarbeid.target.spec import TargetingSpec, load_spec

__all__ = ["TargetResult", "TargetingSpec", "load_spec", "run_targeting"]

"""A study as data: questionnaire, weighting, findings catalogue and report front matter (``study.yaml``)."""

from fjernarbeid.study.model import BannerSpec, Chapter, Study, load_study, study_for_instrument, study_from_dict
from fjernarbeid.study.weighting import StudyWeighting, WeightingSpec, describe, weight

__all__ = ["BannerSpec", "Chapter", "Study", "StudyWeighting", "WeightingSpec", "describe", "load_study",
           "study_for_instrument", "study_from_dict", "weight"]

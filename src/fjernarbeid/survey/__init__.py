"""Design-based survey analysis, following R's ``survey`` package: one design object, small estimators.

>>> from fjernarbeid.survey import svydesign, poststratify, svymean, svyprop
>>> d = svydesign(frame, "weight", strata="stratum", cluster="psu")   # doctest: +SKIP
>>> svyprop(d, "tilfreds", missing=[9]).to_frame()                        # doctest: +SKIP
"""

from fjernarbeid.survey.design import SurveyDesign, svydesign
from fjernarbeid.survey.estimate import (
    contrast_test,
    CI_METHODS,
    Estimate,
    Estimates,
    MultipleResponse,
    proportion_ci,
    svyby,
    svycontrast,
    svymean,
    svymean_groups,
    svymultiple,
    svyprop,
    svyprop_union,
    svyratio,
    svytotal,
)
from fjernarbeid.survey.quantile import svyquantile, svyvar
from fjernarbeid.survey.replicate import ReplicateDesign, as_replicate_design, replicate_design, replicate_variance
from fjernarbeid.survey.weighting import (
    StudyWeights,
    WeightReport,
    calibrate,
    poststratify,
    rake,
    weight_study,
)
from fjernarbeid.survey.association import ChisqTest, CorTest, RankTest, TrendTest, svychisq, svycor, svyranktest, svytrend
from fjernarbeid.survey.compare import GroupDifference, svyprop_diff, svyttest, svyttest_groups
from fjernarbeid.survey.models import GlmResult, OlrResult, TermTest, regTermTest, svyglm, svyolr
from fjernarbeid.survey.scale import AlphaResult, build_index, cronbach_alpha, index_from_instrument

__all__ = [
    # design, weighting, estimation
    "CI_METHODS", "Estimate", "Estimates", "MultipleResponse", "ReplicateDesign", "StudyWeights", "SurveyDesign", "WeightReport",
    "as_replicate_design", "calibrate", "poststratify", "proportion_ci", "rake", "replicate_design",
    "replicate_variance", "svyby", "svycontrast", "contrast_test", "svyquantile", "svyvar", "svydesign", "svymean",
    "svymean_groups", "svymultiple", "svyprop", "svyprop_union", "svyratio", "svytotal", "weight_study",
    # association, comparison, models, scales
    "AlphaResult", "ChisqTest", "CorTest", "GlmResult", "GroupDifference", "OlrResult", "RankTest", "TrendTest",
    "build_index", "cronbach_alpha", "index_from_instrument", "svychisq", "svycor", "svyglm", "svyolr",
    "svyprop_diff", "svyranktest", "svytrend", "svyttest", "svyttest_groups", "TermTest", "regTermTest",
]

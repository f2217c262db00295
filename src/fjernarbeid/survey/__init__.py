from fjernarbeid.survey.association import ChisqTest, CorTest, RankTest, TrendTest, svychisq, svycor, svyranktest, svytrend
from fjernarbeid.survey.compare import GroupDifference, svyprop_diff, svyttest
from fjernarbeid.survey.models import GlmResult, OlrResult, svyglm, svyolr
from fjernarbeid.survey.scale import AlphaResult, build_index, cronbach_alpha, index_from_instrument

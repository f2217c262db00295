"""fjernarbeid — the NORCE/Hardanger 2025 remote-work study as rerunnable software.

The public API a notebook user needs is re-exported here; everything else is internal.

>>> import fjernarbeid as fj
>>> inst = fj.load_instrument()          # Vedlegg 1 as data
>>> inst["q12"].label("en")
'How often do you normally use a home office or remote work?'
"""

from fjernarbeid.data import SurveyData, read_survey
from fjernarbeid.errors import FjernarbeidError
from fjernarbeid.instrument import Instrument, load_instrument

__version__ = "0.1.0"

__all__ = ["FjernarbeidError", "Instrument", "SurveyData", "load_instrument", "read_survey", "__version__"]

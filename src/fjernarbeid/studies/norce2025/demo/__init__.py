"""A synthetic demo fieldwork, so that everything can be tried without data of one's own.

>>> from fjernarbeid.studies.norce2025.demo import generate_demo, write_demo
>>> demo = generate_demo(n=500, seed=2025)     # the report's fieldwork: 1,074 screened, 500 interviews
>>> paths = write_demo(demo, "demo-output")    # CSV, SPSS, metadata, README (marked synthetic), refdata/

How the data are made: :mod:`.model` (latent traits, screening, answers, read against fixed
population cut points), :mod:`.calibration` (how those cut points were derived), :mod:`.frame`
(the shipped sampling frame of real postal codes), :mod:`.dispositions` (AAPOR codes and counts),
:mod:`.registers` (the reference-data subset for the frame's postal codes).
"""

from fjernarbeid.studies.norce2025.demo.dispositions import DISPOSITIONS, disposition_counts
from fjernarbeid.studies.norce2025.demo.generate import DEFAULT_N, DEFAULT_SEED, DemoFieldwork, generate_demo
from fjernarbeid.studies.norce2025.demo.summary import summary_tables
from fjernarbeid.studies.norce2025.demo.write import write_demo

__all__ = [
    "DEFAULT_N", "DEFAULT_SEED", "DISPOSITIONS", "DemoFieldwork", "disposition_counts", "generate_demo",
    "summary_tables", "write_demo",
]

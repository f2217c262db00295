"""Interviews: from Teams transcripts to pseudonymised, coded, quotable material (report chapter 3.1).

The steps, each a module with a small public API:

* :mod:`~fjernarbeid.interviews.transcript` – the model (interview, turns) and its JSON storage;
* :mod:`~fjernarbeid.interviews.importers` – Teams WebVTT, Teams Word (.docx) and plain text;
* :mod:`~fjernarbeid.interviews.pseudonymise` – mapping file, detectors, replacement report;
* :mod:`~fjernarbeid.interviews.codebook` – the codebook (``codebook.yaml``) and keyword rule;
* :mod:`~fjernarbeid.interviews.coding` – hand codings, keyword suggestions, case attributes;
* :mod:`~fjernarbeid.interviews.outputs` – quotes, code × informant matrix, counts by attribute,
  co-occurrence and the HTML theme report;
* :mod:`~fjernarbeid.interviews.qdpx` – REFI-QDA export, import and checks;
* :mod:`~fjernarbeid.interviews.agreement` – Cohen's kappa and Krippendorff's alpha per code;
* :mod:`~fjernarbeid.interviews.demo` – synthetic transcripts run end to end.
"""

from fjernarbeid.interviews.agreement import agreement_by_code, cohen_kappa, krippendorff_alpha_nominal
from fjernarbeid.interviews.codebook import Code, Codebook, load_codebook
from fjernarbeid.interviews.coding import (accepted, combine, merge_suggestions, read_cases, read_codings,
                                           read_suggestions, suggest_codes)
from fjernarbeid.interviews.importers import read_docx, read_transcript, read_txt, read_vtt
from fjernarbeid.interviews.outputs import (attribute_table, code_matrix, cooccurrence, counts_by_attribute,
                                            quotes, theme_report_html, write_outputs)
from fjernarbeid.interviews.pseudonymise import Mapping, pseudonymise, read_mapping, valid_national_id
from fjernarbeid.interviews.qdpx import import_project, read_qdc, read_qdpx, validate_qdpx, write_qdc, write_qdpx
from fjernarbeid.interviews.transcript import Interview, Turn, read_interview, read_interviews

__all__ = [
    "Code", "Codebook", "Interview", "Mapping", "Turn", "accepted", "agreement_by_code", "attribute_table",
    "code_matrix", "cohen_kappa", "combine", "cooccurrence", "counts_by_attribute", "import_project",
    "krippendorff_alpha_nominal", "load_codebook", "merge_suggestions", "pseudonymise", "quotes", "read_cases",
    "read_codings", "read_docx", "read_interview", "read_interviews", "read_mapping", "read_qdc", "read_qdpx",
    "read_suggestions", "read_transcript", "read_txt", "read_vtt", "suggest_codes", "theme_report_html",
    "valid_national_id", "validate_qdpx", "write_outputs", "write_qdc", "write_qdpx",
]

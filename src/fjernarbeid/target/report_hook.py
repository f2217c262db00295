"""Chapter 4.5 inside ``fjernarbeid report``: the target analysis on the report's own weighted data.

The report calls :func:`report_section` when it has a disposition log and the study has a targeting
specification ("when the data allow"); it gets back the chapter as an HTML fragment, or, when the
analysis cannot be done (no screening columns, a model that cannot be estimated), a short note
saying why — the rest of the report never fails because of this chapter. Data that lack the
specification's questions (another study) get no chapter at all.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from markupsafe import Markup, escape

from fjernarbeid.errors import FjernarbeidError

NOT_COMPUTED = {"nb": "Kapittel 4.5 (målgrupper) er ikke beregnet: {reason}",
                "nn": "Kapittel 4.5 (målgrupper) er ikkje rekna ut: {reason}",
                "en": "Chapter 4.5 (target groups) was not computed: {reason}"}


@dataclass(frozen=True)
class TargetSection:
    html: Markup
    doc: dict | None  # the results JSON, None when not computed
    reason: str | None = None


def report_section(frame, design, dispositions: Path, instrument, refdata, lang: str = "nb",
                   region: list[str] | None = None, first_figure: int = 1, first_table: int = 1,
                   source: str | None = None) -> TargetSection:
    """The chapter for the report: ``frame`` is the report's derived data, ``design`` its weighted design.
    Its figures and tables continue the report's numbering from ``first_figure`` and ``first_table``
    (:func:`fjernarbeid.report.view.next_numbers`); their source lines name ``source`` (the survey file).
    The chapter's HTML is a :class:`~fjernarbeid.report.view.Chapter`: it carries the charts (for Word)."""
    from fjernarbeid.findings.run import analysis_frame
    from fjernarbeid.target.analysis import population_for, prepare_contacts, prepare_respondents, run_targeting
    from fjernarbeid.target.outputs import render_section
    from fjernarbeid.target.pipeline import derive_contacts, findings_projections, read_disposition_log
    from fjernarbeid.target.spec import load_spec

    from fjernarbeid.target.spec import LANGS

    lang = lang if lang in LANGS else "en"
    try:
        spec = load_spec()
    except FjernarbeidError:
        return TargetSection(Markup(""), None, "no targeting specification")
    missing = spec.questions - set(frame.columns)
    if missing:  # another study: the chapter is not part of its report
        return TargetSection(Markup(""), None, f"the data have no {', '.join(sorted(missing))}")
    try:
        respondents = prepare_respondents(analysis_frame(frame.reset_index(drop=True), instrument), spec, instrument)
        log = read_disposition_log(dispositions, spec)
        contacts = prepare_contacts(log, spec, derive_contacts(log, instrument, refdata))
        result = run_targeting(respondents, design, contacts, population_for(refdata), spec,
                               region=region or list(spec.region_codes),
                               region_name=None if region else spec.region_name,
                               projections=findings_projections(design, respondents, spec))
        result.data["items"] = {i: {code: instrument[i].label(code) for code in ("nb", "nn", "en")}
                                for i in spec.importance_items if i in instrument}
        doc = result.to_dict()
        return TargetSection(render_section(doc, lang, first_figure=first_figure, first_table=first_table,
                                            source=source), doc)
    except (FjernarbeidError, KeyError, ValueError) as exc:
        reason = str(exc).strip("'\"")
        note = NOT_COMPUTED.get(lang, NOT_COMPUTED["en"]).format(reason=reason)
        return TargetSection(Markup(f'<section id="malgrupper"><p class="note">{escape(note)}</p></section>'), None,
                             reason)


__all__ = ["TargetSection", "report_section"]

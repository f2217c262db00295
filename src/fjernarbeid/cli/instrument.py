"""``fjernarbeid instrument show|export``: the questionnaire in the terminal, or as an XLSForm."""

from __future__ import annotations

import enum
import json
from pathlib import Path
from typing import Annotated, Any, Optional

import typer
from rich.markup import escape
from rich.text import Text

from fjernarbeid.cli._console import console as make_console, echo_text, print_error
from fjernarbeid.cli._options import overwrite_option
from fjernarbeid.errors import FjernarbeidError


class OutputFormat(str, enum.Enum):
    text = "text"
    json = "json"


class FormMode(str, enum.Enum):
    cati = "cati"
    self = "self"


INSTRUMENT_OPTION = typer.Option(
    "--instrument", help="Questionnaire (YAML or XLSForm .xlsx); default: the study's (Vedlegg 1).",
)

# Words of the terminal view itself; the questionnaire's own text comes from the instrument.
WORDS = {
    "nb": {"time": "klokkeslett", "datetime": "dato og klokkeslett", "geopoint": "posisjon (GPS)", "geotrace": "linje (GPS)", "geoshape": "område (GPS)", "audio": "lydopptak", "image": "bilde", "video": "video", "file": "fil", "metadata": "Registrert av enheten, ikke spurt", 
           "fieldwork": "Feltarbeid", "ages": "målgruppe", "years": "år", "asked_if": "spørres hvis",
           "screening": "silingsspørsmål", "ends": "AVSLUTT", "not_sure": "ikke sikker: mangler i analysen",
           "postal_code": "postnummer (fire sifre)", "integer": "heltall", "decimal": "desimaltall", "date": "dato", "text": "fritekst",
           "multiple": "flere svar mulig", "alone": "bare alene", "optional": "valgfritt", "intro": "INTRO", "closing": "AVSLUTNING", "derived": "Avledede variabler"},
    "nn": {"time": "klokkeslett", "datetime": "dato og klokkeslett", "geopoint": "posisjon (GPS)", "geotrace": "linje (GPS)", "geoshape": "område (GPS)", "audio": "lydopptak", "image": "bilete", "video": "video", "file": "fil", "metadata": "Registrert av eininga, ikkje spurt", 
           "fieldwork": "Feltarbeid", "ages": "målgruppe", "years": "år", "asked_if": "spørjast viss",
           "screening": "silingsspørsmål", "ends": "AVSLUTT", "not_sure": "ikkje sikker: manglar i analysen",
           "postal_code": "postnummer (fire siffer)", "integer": "heiltal", "decimal": "desimaltal", "date": "dato", "text": "fritekst",
           "multiple": "fleire svar mogleg", "alone": "berre åleine", "optional": "valfritt", "intro": "INTRO",
           "closing": "AVSLUTNING", "derived": "Avleidde variablar"},
    "en": {"time": "time of day", "datetime": "date and time", "geopoint": "location (GPS)", "geotrace": "line (GPS)", "geoshape": "area (GPS)", "audio": "audio recording", "image": "image", "video": "video", "file": "file", "metadata": "Recorded by the device, not asked", 
           "fieldwork": "Fieldwork", "ages": "target ages", "years": "years", "asked_if": "asked if",
           "screening": "screening question", "ends": "END OF INTERVIEW",
           "not_sure": "not sure: missing in analysis",
           "postal_code": "postal code (four digits)", "integer": "integer", "decimal": "decimal number", "date": "date", "text": "free text",
           "multiple": "several answers possible", "alone": "only alone", "optional": "optional", "intro": "INTRO", "closing": "CLOSING", "derived": "Derived variables"},
}


def _fail(exc: FjernarbeidError) -> typer.Exit:
    print_error(str(exc))
    return typer.Exit(exc.exit_code)


def show_command(
    lang: Annotated[Optional[str], typer.Option(
        "--lang", help="Language of the questionnaire text: a language code of the questionnaire (nb, nn, en, …); "
        "default: its first language.", show_default=False)] = None,
    instrument: Annotated[Optional[Path], INSTRUMENT_OPTION] = None,
    output_format: Annotated[OutputFormat, typer.Option(
        "--format", help="text: readable questionnaire; json: the same as data, to stdout.")] = OutputFormat.text,
) -> None:
    """Show the questionnaire: number, wording, codes, routing, screening; "not sure" codes are marked."""
    from fjernarbeid.instrument import load_instrument

    try:
        inst = load_instrument(instrument)
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    languages = list(dict.fromkeys((*inst.languages, *WORDS)))
    if lang is None:
        lang = languages[0]
    elif lang not in languages:
        raise typer.BadParameter(f"{lang!r} is not one of {', '.join(languages)} (the questionnaire's languages and "
                                 "those of the program)", param_hint="--lang")
    if output_format is OutputFormat.json:
        echo_text(json.dumps(instrument_as_dict(inst, lang), ensure_ascii=False, indent=2))
    else:
        _print_text(inst, lang)


def export_command(
    xlsform: Annotated[Path, typer.Option(
        "--xlsform", help="The XLSForm workbook to write (.xlsx); an existing file only with --overwrite.",
        show_default=False)],
    instrument: Annotated[Optional[Path], INSTRUMENT_OPTION] = None,
    mode: Annotated[FormMode, typer.Option(
        "--mode", help="cati: interviewers can record 'not sure' codes (as in the study); self: "
        "self-completion, 'not sure' codes hidden and those questions may be skipped.")] = FormMode.cati,
    overwrite: Annotated[bool, overwrite_option()] = False,
) -> None:
    """Write the questionnaire as an XLSForm for ODK, KoboToolbox, SurveyCTO or Enketo."""
    from fjernarbeid._io import refuse_existing_outputs, refuse_overwrite_input
    from fjernarbeid.instrument import load_instrument
    from fjernarbeid.instrument.xlsform import write_xlsform

    try:
        refuse_overwrite_input(xlsform, instrument)
        refuse_existing_outputs([xlsform], overwrite=overwrite)
        inst = load_instrument(instrument)
        path = write_xlsform(inst, xlsform, mode=mode.value, overwrite=overwrite)
    except FjernarbeidError as exc:
        raise _fail(exc) from None
    typer.echo(f"wrote {path}: {len(inst)} questions of {inst.id} ({mode.value} form)")


# -- views -------------------------------------------------------------------------------------


def instrument_as_dict(inst, lang: str) -> dict[str, Any]:
    """The questionnaire as plain data in one language (what ``--format json`` prints)."""

    def question(q) -> dict[str, Any]:
        rng = inst.range_of(q)
        return {
            "name": q.name,
            "number": q.number,
            "type": q.type,
            "text": q.label(lang),
            "preamble": q.preamble and _pick(q.preamble, lang) or None,
            "hint": q.hint and _pick(q.hint, lang) or None,
            "instruction": q.instruction and _pick(q.instruction, lang) or None,
            "ask_if": str(q.ask_if) if q.ask_if is not None else None,
            "condition_text": q.condition_text and _pick(q.condition_text, lang) or None,
            "screening": q.screening,
            "metadata": q.metadata,
            "screen_out": sorted(q.screen_out),
            "range": list(rng) if rng else None,
            "code_list": q.code_list,
            "codes": [
                {"code": c.code, "label": c.label(lang), "missing": c.missing, "screen_out": c.code in q.screen_out}
                for c in q.codes
            ],
        }

    return {
        "id": inst.id,
        "version": inst.version,
        "language": lang,
        "title": inst.label(lang),
        "source": inst.source,
        "mode": inst.mode,
        "fieldwork": {"start": _iso(inst.fieldwork_start), "end": _iso(inst.fieldwork_end)},
        "target_ages": [inst.min_age, inst.max_age],
        "intro": _pick(inst.intro, lang) if inst.intro else None,
        "questions": [question(q) for q in inst],
        "closing": _pick(inst.closing, lang) if inst.closing else None,
        "derived": [{"name": d.name, "kind": d.kind, "label": d.label(lang), "source": d.source,
                     "expr": str(d.expr) if d.expr else None, "values": d.code_labels(lang) or None}
                    for d in inst.derived],
    }


def _pick(labels: dict[str, str], lang: str) -> str:
    return labels.get(lang) or labels.get("nb") or next(iter(labels.values()), "")


def _iso(date) -> str | None:
    return date.isoformat() if date else None


def _print_text(inst, lang: str) -> None:
    words = WORDS.get(lang) or WORDS["en"]  # a language the program has no words for: English
    console = make_console()

    def out(line: str) -> None:  # the lines' own style markup; every value in them is escape()d
        console.print(Text.from_markup(line))
    out(f"[bold]{escape(inst.label(lang))}[/bold]  ({escape(inst.id)}, {escape(inst.version)})")
    facts = []
    if inst.fieldwork_start:
        facts.append(f"{words['fieldwork']} {_iso(inst.fieldwork_start)} – {_iso(inst.fieldwork_end)}")
    if inst.min_age is not None:
        facts.append(f"{words['ages']} {inst.min_age}-{inst.max_age} {words['years']}")
    if inst.mode:
        facts.append(inst.mode)
    if facts:
        out(" · ".join(facts))
    if inst.intro:
        out(f"\n[dim]{words['intro']}[/dim]  {escape(_pick(inst.intro, lang))}")
    recorded = [q for q in inst if q.metadata]
    if recorded:  # start, end, today: not questions
        out(f"\n[dim]{words['metadata']}:[/dim] " + ", ".join(escape(f"{q.name} ({words.get(q.type, q.type)})")
                                                        for q in recorded))
    for q in inst:
        if q.metadata:
            continue
        out("")
        if q.preamble:
            out(f"      [italic]{escape(_pick(q.preamble, lang))}[/italic]")
        tags = [f"[dim]{escape(q.name)}[/dim]"]
        if q.type != "single":
            rng = inst.range_of(q)
            kind = words.get(q.type, q.type) + (f" {_bound(rng[0], lang)}-{_bound(rng[1], lang)}" if rng else "")
            tags.append(f"[cyan]{escape(kind)}[/cyan]")
        if not q.required:
            tags.append(f"[dim]{words['optional']}[/dim]")
        if q.screen_out:
            tags.append(f"[magenta]{' '.join(filter(None, (words['screening'], q.screening)))}[/magenta]")
        if q.ask_if is not None:
            tags.append(f"[yellow]{words['asked_if']} {escape(str(q.ask_if))}[/yellow]")
        out(f"[bold]{q.number:>5}[/bold] " + "  ".join(tags))
        if q.condition_text:
            out(f"      [yellow]{escape(_pick(q.condition_text, lang))}[/yellow]")
        out(f"      {escape(q.label(lang))}")
        if q.hint:
            out(f"      [italic]{escape(_pick(q.hint, lang))}[/italic]")
        if q.instruction:
            out(f"      [dim]{escape(_pick(q.instruction, lang))}[/dim]")
        for c in q.codes:
            line = f"        {c.code:>2}: {escape(c.label(lang))}"
            if c.code in q.screen_out:
                line += f"  [magenta]=> {words['ends']}[/magenta]"
            if c.code in q.exclusive:
                line += f"  [dim]({words['alone']})[/dim]"
            if c.missing:
                line += f"  [dim]({words['not_sure']})[/dim]"
            out(line)
    if inst.closing:
        out(f"\n[dim]{words['closing']}[/dim]  {escape(_pick(inst.closing, lang))}")
    if inst.derived:
        out(f"\n[bold]{words['derived']}[/bold]")
        for d in inst.derived:
            how = str(d.expr) if d.expr else (f"{d.kind}({d.source})" + (f".{d.field}" if d.field else ""))
            out(f"  {escape(f'{d.name:<18}')} {escape(d.label(lang))}  [dim]{escape(how)}[/dim]")


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="The questionnaire: show it, or export it as an XLSForm.", no_args_is_help=True)
    group.command("show")(show_command)
    group.command("export")(export_command)
    app.add_typer(group, name="instrument")


def _bound(x, lang: str) -> str:
    """A range's end as the language writes it: 1964, 2,5 (nb, nn) or 2.5 (en); 5.0 is 5."""
    text = f"{x:g}" if isinstance(x, float) else str(x)
    return text if lang.startswith("en") else text.replace(".", ",")

"""The interview demo: SYNTHETIC Teams transcripts (.vtt and .docx) of seven invented informants, run
end to end through import → pseudonymise → code → report → export.

Every file the demo writes says that it is synthetic (a NOTE block in the WebVTT files, the title
paragraph of the Word files, a comment in the mapping, a column of the case file, a banner in the
HTML report, the REFI-QDA project's name and description). Coding in the demo accepts every keyword
suggestion without review, and the outputs say so: a real project has a person accept or reject
each one.
"""

from __future__ import annotations

import datetime as _dt
import io
import uuid
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from fjernarbeid._io import atomic_path, write_text_atomic
from fjernarbeid.interviews import demo_data
from fjernarbeid.interviews.codebook import Codebook, load_codebook
from fjernarbeid.interviews.coding import accept_all, accepted, read_cases, suggest_codes, write_table
from fjernarbeid.interviews.importers import read_transcript
from fjernarbeid.interviews.outputs import attribute_table, code_matrix, write_outputs
from fjernarbeid.interviews.pseudonymise import pseudonymise, read_mapping, write_report
from fjernarbeid.interviews.qdpx import validate_qdpx, write_qdc, write_qdpx
from fjernarbeid.interviews.transcript import format_time

SYNTHETIC_NOTE = ("SYNTETISK DEMO-DATA: oppdiktet intervju laget for å vise programvaren fjernarbeid. "
                  "Personer, arbeidsgivere, telefonnumre, e-postadresser og fødselsnummer er oppdiktet.")
DEMO_CODER = "nøkkelord (auto-akseptert i demo)"
TYPOLOGY = ("flytting", "arbeidssted")
_SECONDS_PER_WORD = 0.38
_WORDS_PER_CUE = 9


def _turn_times(turns: list[tuple[str, str]]) -> list[tuple[float, float]]:
    """Start and end of each turn: speech at a steady pace, a short pause between turns."""
    times, clock = [], 4.0
    for i, (_, text) in enumerate(turns):
        duration = max(1.5, len(text.split()) * _SECONDS_PER_WORD)
        times.append((clock, clock + duration))
        clock += duration + 1.2 + (i % 3) * 0.7
    return times


def _vtt_time(seconds: float) -> str:
    ms = round(seconds * 1000)
    h, rest = divmod(ms, 3_600_000)
    m, rest = divmod(rest, 60_000)
    s, ms = divmod(rest, 1000)
    return f"{h:02d}:{m:02d}:{s:02d}.{ms:03d}"


def _speaker(key: str, informant: dict) -> str:
    return demo_data.INTERVIEWERS.get(key, informant["name"])


def vtt_text(informant: dict) -> str:
    """A Teams-style WebVTT transcript: a turn split into many short cues with '<GUID>/<n>-<part>' ids."""
    session = uuid.uuid5(uuid.NAMESPACE_URL, "fjernarbeid-demo/" + informant["file"])
    lines = ["WEBVTT", "", "NOTE " + SYNTHETIC_NOTE, ""]
    for n, ((key, text), (start, end)) in enumerate(zip(informant["turns"], _turn_times(informant["turns"]))):
        words = text.split()
        chunks = [words[i:i + _WORDS_PER_CUE] for i in range(0, len(words), _WORDS_PER_CUE)]
        step = (end - start) / len(chunks)
        for part, chunk in enumerate(chunks):
            cue_start = start + part * step
            lines += [f"{session}/{n + 17}-{part}", f"{_vtt_time(cue_start)} --> {_vtt_time(cue_start + step)}",
                      f"<v {_speaker(key, informant)}>{' '.join(chunk).replace('&', '&amp;').replace('<', '&lt;')}</v>",
                      ""]
    return "\n".join(lines)


def docx_bytes(informant: dict) -> bytes:
    """A Teams-style Word transcript: header paragraphs, then one paragraph per turn with the
    'Name   m:ss' line, a line break and the speech."""
    import docx

    document = docx.Document()
    document.core_properties.title = "SYNTETISK DEMO-DATA"
    document.core_properties.created = _dt.datetime(2025, 3, 1)
    document.core_properties.modified = _dt.datetime(2025, 3, 1)
    document.add_paragraph(f"SYNTETISK DEMO – Intervju med {informant['name']}")
    date = _dt.date.fromisoformat(informant["date"])
    document.add_paragraph(f"{date.day}. {_MONTHS[date.month - 1]} {date.year}, 10:02")
    times = _turn_times(informant["turns"])
    total = int(times[-1][1])
    document.add_paragraph(f"{total // 60}m {total % 60}s")
    document.add_paragraph(SYNTHETIC_NOTE)
    document.add_paragraph(f"{demo_data.INTERVIEWERS['I2']} startet transkripsjonen")
    for (key, text), (start, _) in zip(informant["turns"], times):
        paragraph = document.add_paragraph()
        paragraph.add_run(f"{_speaker(key, informant)}   {format_time(start)}").add_break()
        paragraph.add_run(text)
    document.add_paragraph(f"{demo_data.INTERVIEWERS['I2']} stoppet transkripsjonen")
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()


_MONTHS = ("januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
           "november", "desember")


def write_sources(transcripts_dir: Path, confidential_dir: Path) -> dict[str, Path]:
    """Write the synthetic transcripts, the mapping file (kept apart) and the case file."""
    paths: dict[str, Path] = {}
    for informant in demo_data.INFORMANTS:
        if informant["format"] == "vtt":
            paths[informant["file"]] = write_text_atomic(transcripts_dir / f"{informant['file']}.vtt",
                                                         vtt_text(informant))
        else:
            target = transcripts_dir / f"{informant['file']}.docx"
            with atomic_path(target) as tmp:
                tmp.write_bytes(docx_bytes(informant))
            paths[informant["file"]] = target
    paths["mapping"] = write_text_atomic(confidential_dir / "koblingsnokkel.yaml", demo_data.MAPPING_YAML)
    return paths


def cases_csv(mapping_pseudonyms: dict[str, str]) -> str:
    """Informant attributes keyed by the pseudonymised interview id (as a researcher would enter them)."""
    rows = [{"interview": mapping_pseudonyms[i["name"]].replace(" ", "_"), "kommune": i["kommune"],
             "flytting": i["flytting"], "arbeidssted": i["arbeidssted"], "jobbreiser": i["jobbreiser"],
             "kilde": "syntetisk demo"} for i in demo_data.INFORMANTS]
    return pd.DataFrame(rows).to_csv(index=False, lineterminator="\n")


@dataclass
class DemoResult:
    out: Path
    files: dict[str, Path]
    matrix: pd.DataFrame
    typology: pd.DataFrame
    replaced: int
    to_review: int
    suggestions: int
    problems: list[str]
    codebook: Codebook | None = None


def run_demo(out: str | Path, codebook: Codebook | None = None,
             created: _dt.datetime | None = None) -> DemoResult:
    """Write the synthetic sources into ``out`` and run the whole interview pipeline on them."""
    out = Path(out)
    codebook = codebook or load_codebook()
    created = created or _dt.datetime(2025, 4, 1, 12, 0, tzinfo=_dt.timezone.utc)
    files = write_sources(out / "1_transkripsjoner", out / "0_fortrolig")
    mapping = read_mapping(files["mapping"])
    # Import (real names; these files stay inside the project like the recordings).
    raw = []
    for informant in demo_data.INFORMANTS:
        interview = read_transcript(files[informant["file"]], interviewers=mapping.interviewers,
                                    date=_dt.date.fromisoformat(informant["date"]))
        interview.write(out / "2_importert")
        raw.append(interview)
    # Pseudonymise before anything else; the report with the real names goes with the mapping.
    results = [pseudonymise(iv, mapping) for iv in raw]
    files["replacements"] = write_report(results, out / "0_fortrolig" / "erstatninger.csv")
    for r in results:
        files[f"pseudonymised:{r.interview.id}"] = r.interview.write(out / "3_pseudonymisert")
    pseudonyms = {real: pseudo for real, (pseudo, kind) in mapping.names.items() if kind == "informant"}
    files["cases"] = write_text_atomic(out / "4_koding" / "informanter.csv", cases_csv(pseudonyms))
    interviews = read_cases(files["cases"], [r.interview for r in results])
    # Code: keyword suggestions, all accepted (demo only).
    suggestions = accept_all(suggest_codes(interviews, codebook), coder=DEMO_CODER)
    files["suggestions"] = write_table(suggestions, out / "4_koding" / "kodeforslag.csv")
    codings = accepted(suggestions)
    note = ("Kodingen i denne demoen er nøkkelordforslag som er godtatt automatisk uten gjennomgang; i et ekte "
            "prosjekt godtar eller avviser forskeren hvert forslag.")
    files.update(write_outputs(out / "5_resultater", interviews, codings, codebook, typology=TYPOLOGY,
                               notes=[SYNTHETIC_NOTE, note]))
    files["qdpx"] = write_qdpx(out / "5_resultater" / "intervjuer.qdpx", interviews, codebook, codings,
                               name="SYNTETISK DEMO – Fjernarbeid i Hardanger, intervjuer", created=created,
                               description=SYNTHETIC_NOTE + " " + note)
    files["qdc"] = write_qdc(out / "5_resultater" / "kodebok.qdc", codebook)
    files["readme"] = write_text_atomic(out / "LESMEG.txt", _README)
    return DemoResult(out=out, files=files, matrix=code_matrix(interviews, codings, codebook),
                      typology=attribute_table(interviews, *TYPOLOGY),
                      replaced=sum(r.replaced for r in results), to_review=sum(r.to_review for r in results),
                      suggestions=len(suggestions), problems=validate_qdpx(files["qdpx"]), codebook=codebook)


_README = f"""\
{SYNTHETIC_NOTE}

0_fortrolig/        koblingsnøkkel (ekte navn -> pseudonym) og erstatningsrapport: holdes atskilt
1_transkripsjoner/  Teams-transkripsjoner (.vtt og .docx) med oppdiktede navn og kontaktopplysninger
2_importert/        transkripsjonene lest inn (JSON), fortsatt med navn
3_pseudonymisert/   transkripsjonene etter pseudonymisering (JSON): grunnlaget for alt videre
4_koding/           informantenes egenskaper og kodeforslagene (her godtatt automatisk: kun demo)
5_resultater/       sitater, kode x informant, samforekomst, typologi, temarapport (HTML),
                    REFI-QDA-prosjekt (.qdpx) og kodebok (.qdc)
"""

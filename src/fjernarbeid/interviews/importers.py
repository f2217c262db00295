"""Read interview transcripts: Teams WebVTT (.vtt), Teams Word transcripts (.docx) and plain text (.txt).

Formats, as Microsoft Teams writes them (checked against Teams transcripts of 2024-2025):

* **WebVTT** (W3C WebVTT, https://www.w3.org/TR/webvtt1/): ``WEBVTT`` header; cues separated by blank
  lines, each an optional id (Teams: ``<GUID>/<utterance>-<part>``), a timing line
  ``hh:mm:ss.ttt --> hh:mm:ss.ttt`` and a payload with a voice tag ``<v Kari Nordmann>…</v>``. Teams
  splits one spoken turn over many short cues; consecutive cues of one speaker are merged into a turn.
  ``NOTE`` blocks are kept as the interview's notes.
* **Word** (.docx): a few header paragraphs (meeting title, date, duration), then one paragraph per
  turn whose first line is ``Name   m:ss`` (or ``h:mm:ss``) and whose speech follows after line
  breaks. "… started transcription" / "… startet transkripsjonen" lines are dropped. Paragraphs
  without such a first line after the first turn continue the turn (some exports put the speech in
  its own paragraph).
* **Plain text**: ``Name: text`` lines, optionally with a time stamp (``[0:03] Name: text``,
  ``0:03 Name: text`` or ``Name (0:03): text``); other lines continue the turn; ``#`` lines are notes.
  A speaker label is one to five capitalised words (particles like *van*, *de* allowed), so a sentence
  such as "Det er sånn: …" is not taken for a speaker.

A malformed file raises :class:`~fjernarbeid.errors.InputFileError` naming the file, the line (or
paragraph) and what was expected. Files are only read, never written.
"""

from __future__ import annotations

import datetime as _dt
import html
import re
from pathlib import Path
from typing import Iterable

from fjernarbeid._io import decode_text
from fjernarbeid.errors import FjernarbeidError, InputFileError
from fjernarbeid.interviews.transcript import Interview, Turn, assign_roles, merge_consecutive, parse_time

SUFFIXES = (".vtt", ".docx", ".txt")


def read_transcript(path: str | Path, interviewers: Iterable[str] = (), interview_id: str | None = None,
                    date: _dt.date | None = None) -> Interview:
    """Read a transcript in any supported format (chosen by the file's suffix)."""
    path = Path(path)
    reader = {".vtt": read_vtt, ".docx": read_docx, ".txt": read_txt}.get(path.suffix.lower())
    if reader is None:
        raise InputFileError(f"{path}: unknown transcript format {path.suffix!r} (expected one of {', '.join(SUFFIXES)})")
    try:
        return reader(path, interviewers=interviewers, interview_id=interview_id, date=date)
    except (FjernarbeidError, MemoryError):
        raise
    except Exception as exc:  # noqa: BLE001 - reading raises only the package's own errors (fuzz-tested)
        raise InputFileError(f"{path}: cannot be read as a {path.suffix.lstrip('.')} transcript "
                             f"({type(exc).__name__}: {exc})") from None


# -- WebVTT -----------------------------------------------------------------------------------------

_TIMING = re.compile(r"^(?P<start>\S+)\s+-->\s+(?P<end>\S+)(?:\s+.*)?$")
# A voice span ends at </v>, at the next voice tag or at the end of the cue (WebVTT lets a cue hold several).
_VOICE = re.compile(r"<v(?:\.[\w.-]+)?[ \t]+(?P<name>[^>]+)>(?P<text>.*?)(?:</v>|(?=<v[ \t.])|$)", re.DOTALL)
_TAG = re.compile(r"</?[a-z][^>]*>|<\d{1,2}:\d{2}[^>]*>", re.IGNORECASE)


def read_vtt(path: str | Path, interviewers: Iterable[str] = (), interview_id: str | None = None,
             date: _dt.date | None = None) -> Interview:
    """Read a Teams WebVTT transcript; consecutive cues of one speaker become one turn."""
    path = Path(path)
    lines = _read_text(path).splitlines()
    if not lines or not lines[0].startswith("WEBVTT"):
        found = lines[0][:40] if lines else "an empty file"
        raise InputFileError(f"{path}, line 1: expected the 'WEBVTT' header, found {found!r}")
    cues: list[Turn] = []
    notes: list[str] = []
    for first, block in _blocks(lines):
        head = block[0]
        if head.startswith("NOTE"):
            notes.append(" ".join([head[4:].strip(), *block[1:]]).strip())
            continue
        if first == 1 or head.startswith(("STYLE", "REGION")):
            continue  # the header block (WEBVTT and its text) and style definitions carry no speech
        timing_at = 0 if "-->" in head else 1
        if timing_at >= len(block) or "-->" not in block[timing_at]:
            raise InputFileError(f"{path}, line {first + timing_at}: expected a cue timing line "
                                 f"'hh:mm:ss.ttt --> hh:mm:ss.ttt' after the cue id {head!r}")
        line_no = first + timing_at
        start, end = _cue_times(path, line_no, block[timing_at])
        if cues and start < cues[-1].start:
            raise InputFileError(f"{path}, line {line_no}: cue starts at {block[timing_at].split()[0]}, before the "
                                 "previous cue (WebVTT cues must be in order of their start times)")
        payload = "\n".join(block[timing_at + 1:])
        voices = list(_VOICE.finditer(payload))
        if not voices:
            raise InputFileError(f"{path}, line {line_no + 1}: expected a voice tag '<v Speaker Name>' in the cue "
                                 f"(Teams writes one in every cue), found {payload[:60]!r}")
        outside = _clean_payload(_VOICE.sub(" ", payload))
        if outside:  # words nobody is said to speak would otherwise be dropped without a word
            raise InputFileError(f"{path}, line {line_no + 1}: text outside a voice tag, {outside[:60]!r}: put it in "
                                 "the '<v Speaker Name>' tag of whoever said it")
        for voice in voices:  # every speaker of the cue, in order
            text = _clean_payload(voice["text"])
            if text:
                cues.append(Turn(number=0, speaker=" ".join(voice["name"].split()), role="informant", text=text,
                                 start=start, end=end, line=line_no))
    return _interview(path, cues, interviewers, interview_id, date, title="", notes=notes)


def _blocks(lines: list[str]):
    """(first line number, lines) for every block of non-blank lines."""
    block: list[str] = []
    first = 0
    for number, line in enumerate(lines, start=1):
        if line.strip():
            if not block:
                first = number
            block.append(line.rstrip())
        elif block:
            yield first, block
            block = []
    if block:
        yield first, block


def _cue_times(path: Path, line_no: int, line: str) -> tuple[float, float]:
    m = _TIMING.match(line.strip())
    try:
        if not m:
            raise ValueError(line)
        start, end = parse_time(m["start"]), parse_time(m["end"])
    except ValueError:
        raise InputFileError(f"{path}, line {line_no}: expected a cue timing line 'hh:mm:ss.ttt --> hh:mm:ss.ttt', "
                             f"found {line!r}") from None
    if end < start:
        raise InputFileError(f"{path}, line {line_no}: the cue ends ({m['end']}) before it starts ({m['start']})")
    return start, end


def _clean_payload(text: str) -> str:
    return " ".join(html.unescape(_TAG.sub("", text)).split())


# -- Word (.docx) -----------------------------------------------------------------------------------

_DOCX_HEAD = re.compile(r"^(?P<name>\S.{0,79}?)\s+(?P<time>(?:\d{1,2}:)?\d{1,2}:\d{2})\s*$")
_TRANSCRIPTION_EVENT = re.compile(
    r"\b(started|stopped) transcription\b|\b(startet|stoppet|avsluttet|starta|stoppa) transkripsjon(en)?\b",
    re.IGNORECASE)


def read_docx(path: str | Path, interviewers: Iterable[str] = (), interview_id: str | None = None,
              date: _dt.date | None = None) -> Interview:
    """Read a Teams transcript saved as Word (.docx): one paragraph per turn, 'Name   m:ss' first."""
    path = Path(path)
    try:
        import docx  # python-docx
    except ImportError:  # pragma: no cover - python-docx is a dependency
        raise InputFileError(f"{path}: reading .docx transcripts needs the python-docx package "
                             "(pip install python-docx)") from None
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    try:
        document = docx.Document(str(path))
    except Exception as exc:  # python-docx raises several types for a file that is not a .docx
        raise InputFileError(f"{path}: not a Word .docx file ({exc.__class__.__name__}: {exc})") from None
    turns: list[Turn] = []
    header: list[str] = []
    for number, paragraph in enumerate(document.paragraphs, start=1):
        lines = [ln.strip() for ln in paragraph.text.replace("\r", "\n").split("\n")]
        lines = [ln for ln in lines if ln and not _TRANSCRIPTION_EVENT.search(ln)]
        if not lines:
            continue
        head = _DOCX_HEAD.match(lines[0])
        if head is not None and not turns and parse_date(lines[0]):
            head = None  # the header's date line ("6. mars 2025, 10:02") is not a turn
        if head is None:
            if turns:  # speech in a paragraph of its own continues the current turn
                prev = turns[-1]
                turns[-1] = Turn(prev.number, prev.speaker, prev.role, " ".join([prev.text, *lines]).strip(),
                                 prev.start, prev.end, prev.line)
            else:
                header.extend(lines)
            continue
        try:
            start = parse_time(head["time"])
        except ValueError:
            raise InputFileError(f"{path}, paragraph {number}: expected a time 'm:ss' or 'h:mm:ss' after the "
                                 f"speaker's name, found {head['time']!r}") from None
        if turns and turns[-1].start is not None and start < turns[-1].start:
            raise InputFileError(f"{path}, paragraph {number}: turn time {head['time']} is earlier than the "
                                 f"previous turn's (a Teams transcript runs forward in time)")
        turns.append(Turn(number=0, speaker=" ".join(head["name"].split()), role="informant",
                          text=" ".join(lines[1:]), start=start, end=None, line=number))
    if not turns:
        raise InputFileError(f"{path}: no turn found; expected paragraphs whose first line is "
                             "'Speaker Name   m:ss' followed by the speech (Teams transcript layout)")
    title = header[0] if header else ""
    found_date = date or next((d for d in map(parse_date, header) if d), None)
    return _interview(path, [t for t in turns if t.text], interviewers, interview_id, found_date,
                      title=title, notes=header[1:])


# -- plain text -------------------------------------------------------------------------------------

_T = r"(?:\d{1,2}:)?\d{1,2}:\d{2}(?:[.,]\d{1,3})?"
_WORD = r"[A-ZÆØÅÄÖÜÉ][\w.'’\-]*"
_PARTICLE = r"(?:van|von|de|der|den|da|di|du|la|le|af|av)"
_NAME = rf"{_WORD}(?:[ \t]+(?:{_WORD}|\d+|{_PARTICLE})){{0,4}}"
_TXT_TURN = re.compile(
    rf"^\s*(?:\[?(?P<t1>{_T})\]?\s+)?(?P<name>{_NAME})\s*(?:[\(\[](?P<t2>{_T})[\)\]])?\s*:(?:\s+(?P<text>.*)|\s*)$")


def read_txt(path: str | Path, interviewers: Iterable[str] = (), interview_id: str | None = None,
             date: _dt.date | None = None) -> Interview:
    """Read a plain-text transcript of 'Name: text' lines (time stamps optional)."""
    path = Path(path)
    turns, notes = parse_turn_lines(_read_text(path).splitlines(), str(path))
    title = notes[0] if notes else ""
    return _interview(path, turns, interviewers, interview_id, date, title=title, notes=notes[1:])


def parse_turn_lines(lines: Iterable[str], origin: str) -> tuple[list[Turn], list[str]]:
    """Turns (unnumbered, role 'informant') and '#' notes from 'Name: text' lines; see the module docstring."""
    turns: list[Turn] = []
    notes: list[str] = []
    for number, raw in enumerate(lines, start=1):
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#"):
            notes.append(line.lstrip("#").strip())
            continue
        m = _TXT_TURN.match(line)
        if m is None:
            if not turns:
                raise InputFileError(f"{origin}, line {number}: expected a turn 'Name: text' (optionally with a time "
                                     f"stamp, '[m:ss] Name: text'), found {line[:60]!r}")
            prev = turns[-1]
            turns[-1] = Turn(prev.number, prev.speaker, prev.role, f"{prev.text} {line}".strip(), prev.start,
                             prev.end, prev.line)
            continue
        stamp = m["t1"] or m["t2"]
        start = parse_time(stamp) if stamp else None
        if start is not None and turns and turns[-1].start is not None and start < turns[-1].start:
            raise InputFileError(f"{origin}, line {number}: time stamp {stamp} is earlier than the previous turn's")
        turns.append(Turn(number=0, speaker=" ".join(m["name"].split()), role="informant",
                          text=(m["text"] or "").strip(), start=start, end=None, line=number))
    if not turns:
        raise InputFileError(f"{origin}: no turn found; expected lines 'Name: text'")
    return [t for t in turns if t.text], notes


# -- shared -----------------------------------------------------------------------------------------


def _read_text(path: Path) -> str:
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputFileError(f"{path}: cannot be read ({exc.strerror})") from None
    if not data.strip():
        raise InputFileError(f"{path}: the file is empty")
    if data.startswith((b"\xff\xfe", b"\xfe\xff")):  # UTF-16/32 with a byte-order mark (Windows "Unicode")
        return decode_text(data, str(path))[0]
    if b"\x00" in data:  # UTF-16 without a byte-order mark (recognised by its NULs), or a binary file named
        return decode_text(data, str(path))[0]
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        line = data[: exc.start].count(b"\n") + 1
        raise InputFileError(f"{path}, line {line}: not UTF-8 text (byte {exc.start}); save the transcript as UTF-8") from None


def _interview(path: Path, turns: list[Turn], interviewers: Iterable[str], interview_id: str | None,
               date: _dt.date | None, title: str, notes: list[str]) -> Interview:
    if not turns:
        raise InputFileError(f"{path}: the transcript has no speech")
    merged = assign_roles(merge_consecutive(turns), interviewers)
    return Interview(id=interview_id or path.stem, source=path.name, turns=merged, date=date, title=title,
                     notes=tuple(notes))


_MONTHS = {name: i for i, names in enumerate(
    [("januar", "january", "jan"), ("februar", "february", "feb"), ("mars", "march", "mar"), ("april", "apr"),
     ("mai", "may"), ("juni", "june", "jun"), ("juli", "july", "jul"), ("august", "aug"),
     ("september", "sep", "sept"), ("oktober", "october", "okt", "oct"), ("november", "nov"),
     ("desember", "december", "des", "dec")], start=1) for name in names}


def parse_date(text: str) -> _dt.date | None:
    """A date in a transcript header ('3. april 2025', 'April 3, 2025', '2025-04-03', '03.04.2025'), or None."""
    text = text.casefold()
    patterns = (
        (r"\b(\d{4})-(\d{2})-(\d{2})\b", lambda m: (int(m[1]), int(m[2]), int(m[3]))),
        (r"\b(\d{1,2})\.(\d{1,2})\.(\d{4})\b", lambda m: (int(m[3]), int(m[2]), int(m[1]))),
        (r"\b(\d{1,2})\.?\s+([a-zæøå]+)\.?\s+(\d{4})\b", lambda m: (int(m[3]), _MONTHS.get(m[2]), int(m[1]))),
        (r"\b([a-zæøå]+)\.?\s+(\d{1,2}),?\s+(\d{4})\b", lambda m: (int(m[3]), _MONTHS.get(m[1]), int(m[2]))),
    )
    for pattern, parts in patterns:
        for m in re.finditer(pattern, text):
            y, mo, d = parts(m)
            if not mo:
                continue
            try:
                return _dt.date(y, mo, d)
            except ValueError:
                continue
    return None

"""The transcript model: an interview is a sequence of turns (who spoke, in which role, when, what).

One model for every source format (Teams WebVTT, Teams .docx, plain text), so pseudonymisation,
coding, quotes and the REFI-QDA export never need to know where a transcript came from. An interview
is stored between steps as one JSON file (``Interview.to_json`` / ``read_interview``); the flag
``pseudonymised`` travels with it, and the analysis steps refuse a transcript that still carries
real names.

Times are seconds from the start of the recording (``None`` where the source gives none, e.g. the end
of a turn in a .docx transcript, which Teams does not write).
"""

from __future__ import annotations

import dataclasses
import datetime as _dt
import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Literal

from fjernarbeid._io import write_text_atomic
from fjernarbeid.errors import InputFileError

Role = Literal["interviewer", "informant"]
FORMAT = "fjernarbeid-interview"
FORMAT_VERSION = 1
# A transcript whose title or notes carry one of these words is demo material, and every output says so.
SYNTHETIC_MARKERS = ("SYNTETISK", "SYNTHETIC")


@dataclass(frozen=True)
class Turn:
    """One speaker's uninterrupted contribution. ``number`` counts from 1 within the interview and is
    the turn's address in codings (interview, turn)."""

    number: int
    speaker: str
    role: Role
    text: str
    start: float | None = None
    end: float | None = None
    line: int | None = None  # line (vtt, txt) or paragraph (docx) in the source where the turn starts

    @property
    def timestamp(self) -> str:
        """The start as Teams shows it (m:ss or h:mm:ss), or '' if unknown."""
        return format_time(self.start)


@dataclass(frozen=True)
class Interview:
    """An interview: its id (the file stem by default), source file name, date, transcript header
    (title, notes), informant attributes (case variables) and turns."""

    id: str
    source: str
    turns: tuple[Turn, ...]
    date: _dt.date | None = None
    title: str = ""
    notes: tuple[str, ...] = ()
    attributes: dict[str, str] = field(default_factory=dict)
    pseudonymised: bool = False

    @property
    def synthetic(self) -> bool:
        header = " ".join((self.title, *self.notes)).upper()
        return any(marker in header for marker in SYNTHETIC_MARKERS)

    @property
    def speakers(self) -> list[str]:
        return list(dict.fromkeys(t.speaker for t in self.turns))

    @property
    def informants(self) -> list[str]:
        return list(dict.fromkeys(t.speaker for t in self.turns if t.role == "informant"))

    @property
    def informant(self) -> str:
        """The informant's name (pseudonym after pseudonymisation); several are joined with ' / '."""
        return " / ".join(self.informants) or self.id

    def turn(self, number: int) -> Turn:
        if not 1 <= number <= len(self.turns):
            raise KeyError(f"interview {self.id!r} has no turn {number} (it has 1-{len(self.turns)})")
        return self.turns[number - 1]

    def replace(self, **changes) -> "Interview":
        return dataclasses.replace(self, **changes)

    # -- storage ----------------------------------------------------------------------------------

    def to_dict(self) -> dict:
        return {
            "format": FORMAT, "version": FORMAT_VERSION,
            "id": self.id, "source": self.source,
            "date": self.date.isoformat() if self.date else None,
            "title": self.title, "notes": list(self.notes), "synthetic": self.synthetic,
            "pseudonymised": self.pseudonymised, "attributes": dict(self.attributes),
            "turns": [{"n": t.number, "speaker": t.speaker, "role": t.role, "start": t.start, "end": t.end,
                       "line": t.line, "text": t.text} for t in self.turns],
        }

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), ensure_ascii=False, indent=1) + "\n"

    @property
    def file_name(self) -> str:
        """The interview file's name: ``<id>.json``, the id made safe for a file name."""
        return f"{safe_file_stem(self.id)}.json"

    def write(self, directory: str | Path, *, overwrite: bool = True) -> Path:
        """Write ``<directory>/<id>.json`` atomically (without ``overwrite`` never over an existing
        file) and return its path."""
        return write_text_atomic(Path(directory) / self.file_name, self.to_json(), overwrite=overwrite)

    @classmethod
    def from_dict(cls, data: dict, origin: str = "<dict>") -> "Interview":
        if data.get("format") != FORMAT:
            raise InputFileError(f"{origin}: not an interview file (expected \"format\": \"{FORMAT}\")")
        if data.get("version") != FORMAT_VERSION:
            raise InputFileError(f"{origin}: interview file version {data.get('version')!r}, "
                                 f"this program reads version {FORMAT_VERSION}")
        try:
            turns = tuple(Turn(number=int(t["n"]), speaker=str(t["speaker"]), role=t["role"], text=str(t["text"]),
                               start=t.get("start"), end=t.get("end"), line=t.get("line"))
                          for t in data["turns"])
            interview = cls(id=str(data["id"]), source=str(data["source"]), turns=turns,
                            date=_dt.date.fromisoformat(data["date"]) if data.get("date") else None,
                            title=data.get("title") or "", notes=tuple(data.get("notes") or ()),
                            attributes={str(k): str(v) for k, v in (data.get("attributes") or {}).items()},
                            pseudonymised=bool(data.get("pseudonymised")))
        except (KeyError, TypeError, ValueError) as exc:
            raise InputFileError(f"{origin}: malformed interview file ({exc.__class__.__name__}: {exc})") from None
        for i, t in enumerate(interview.turns, start=1):
            if t.number != i:
                raise InputFileError(f"{origin}: turn numbers must run 1, 2, 3, …; turn {i} is numbered {t.number}")
            if t.role not in ("interviewer", "informant"):
                raise InputFileError(f"{origin}: turn {i}: role must be 'interviewer' or 'informant', not {t.role!r}")
        return interview


def read_interview(path: str | Path) -> Interview:
    """Read one interview JSON file written by :meth:`Interview.write`."""
    path = Path(path)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise InputFileError(f"{path}: not a JSON interview file ({exc})") from None
    return Interview.from_dict(data, origin=str(path))


def read_interviews(paths: Iterable[str | Path]) -> list[Interview]:
    """Read interview JSON files; a directory stands for every ``*.json`` in it. Ids must be unique."""
    files: list[Path] = []
    for p in map(Path, paths):
        files.extend(sorted(p.glob("*.json")) if p.is_dir() else [p])
    if not files:
        raise InputFileError("no interview files given (expected .json files written by 'interviews import')")
    interviews = [read_interview(f) for f in files]
    seen: dict[str, Path] = {}
    for f, iv in zip(files, interviews):
        if iv.id in seen:
            raise InputFileError(f"{f}: interview id {iv.id!r} is also used by {seen[iv.id]}")
        seen[iv.id] = f
    return interviews


def refuse_shared_file_names(interviews: Iterable[tuple[str, Interview]], directory: str | Path) -> None:
    """Raise before anything is written if two interviews (each with the file it comes from) would be
    written to the same file in ``directory``: the second would silently replace the first."""
    first: dict[str, str] = {}
    for origin, interview in interviews:
        key = interview.file_name.casefold()  # one file on a case-insensitive disk (macOS, Windows)
        if key in first:
            raise InputFileError(f"{origin}: its interview file {Path(directory) / interview.file_name} would replace "
                                 f"the one of {first[key]} (the same id, {interview.id!r}); give the transcripts "
                                 "different file names")
        first[key] = origin


def assign_roles(turns: Iterable[Turn], interviewers: Iterable[str]) -> tuple[Turn, ...]:
    """Mark turns by a listed interviewer as 'interviewer' and every other as 'informant'.

    Names are compared without regard to case or spacing, since Teams spells a participant as the
    account's display name and researchers type it by hand."""
    names = {normalise_name(n) for n in interviewers}
    return tuple(dataclasses.replace(t, role="interviewer" if normalise_name(t.speaker) in names else "informant")
                 for t in turns)


def merge_consecutive(turns: Iterable[Turn]) -> tuple[Turn, ...]:
    """Join consecutive turns of one speaker into one turn (Teams splits a turn over many short cues),
    then number the turns 1, 2, 3, …"""
    merged: list[Turn] = []
    for t in turns:
        if merged and merged[-1].speaker == t.speaker:
            prev = merged[-1]
            merged[-1] = dataclasses.replace(prev, text=join_text(prev.text, t.text),
                                             end=t.end if t.end is not None else prev.end)
        else:
            merged.append(t)
    return tuple(dataclasses.replace(t, number=i) for i, t in enumerate(merged, start=1))


def join_text(a: str, b: str) -> str:
    return f"{a} {b}".strip() if a and b else (a or b)


def normalise_name(name: str) -> str:
    return " ".join(name.split()).casefold()


_TIME = re.compile(r"^(?:(?P<h>\d{1,2}):)?(?P<m>\d{1,2}):(?P<s>\d{2})(?:[.,](?P<ms>\d{1,3}))?$")


def parse_time(text: str) -> float:
    """'m:ss', 'h:mm:ss' or WebVTT 'hh:mm:ss.ttt' → seconds. Raises ValueError on anything else."""
    m = _TIME.match(text.strip())
    if not m or int(m["s"]) > 59 or (m["h"] is not None and int(m["m"]) > 59):
        raise ValueError(f"not a time stamp: {text!r}")
    ms = (m["ms"] or "0").ljust(3, "0")
    return int(m["h"] or 0) * 3600 + int(m["m"]) * 60 + int(m["s"]) + int(ms) / 1000


def format_time(seconds: float | None) -> str:
    """Seconds → 'm:ss' (or 'h:mm:ss' from one hour), as Teams writes turn times; None → ''."""
    if seconds is None:
        return ""
    whole = int(seconds)
    h, rest = divmod(whole, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def safe_file_stem(text: str) -> str:
    """A file name from an id: letters, digits, '-', '_' and '.'; everything else becomes '_'."""
    stem = re.sub(r"[^\w.\-]+", "_", text, flags=re.UNICODE).strip("._")
    return stem or "interview"

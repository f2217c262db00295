"""The codebook as data: codes with descriptions and bokmål keyword lists, from the interview guide
(the report's Vedlegg 2) and the themes of chapter 3.1.

``codebook.yaml`` in this package is the study's codebook; a researcher may pass another file of
the same shape (or a REFI-QDA ``.qdc`` codebook, see :mod:`fjernarbeid.interviews.qdpx`). Codes are
a tree (a parent groups codes under an interview-guide topic); ``section`` links a code to the
report section it documents, which the HTML theme report follows.

Keyword rule (used for *suggested* codes only; a person accepts or rejects each suggestion):
case-insensitive; a keyword ending in ``*`` matches every word that begins that way
(``hjemmekontor*`` → hjemmekontoret); otherwise the whole word or phrase must occur.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from importlib import resources
from pathlib import Path
from typing import Iterator


from fjernarbeid._yaml import load_yaml
from fjernarbeid.errors import InputFileError

_ID = re.compile(r"^[a-z][a-z0-9_]*$")
_COLOR = re.compile(r"^#[0-9A-Fa-f]{6}$")


@dataclass(frozen=True)
class Code:
    id: str
    name: str
    description: str = ""
    keywords: tuple[str, ...] = ()
    parent: str | None = None
    section: str | None = None  # report section, e.g. "3.1.2"
    guide: str | None = None    # interview-guide topic
    color: str | None = None


@dataclass(frozen=True)
class Section:
    id: str
    title: str


@dataclass(frozen=True)
class Codebook:
    id: str
    title: str
    codes: tuple[Code, ...]
    sections: tuple[Section, ...] = ()
    language: str = "nb"
    source: str = ""

    def __post_init__(self):
        ids = [c.id for c in self.codes]
        dupes = sorted({i for i in ids if ids.count(i) > 1})
        if dupes:
            raise InputFileError(f"codebook {self.id}: code id(s) used twice: {', '.join(dupes)}")
        known_sections = {s.id for s in self.sections}
        for c in self.codes:
            if c.parent is not None and c.parent not in ids:
                raise InputFileError(f"codebook {self.id}: code {c.id!r} has an unknown parent {c.parent!r}")
            if c.section is not None and self.sections and c.section not in known_sections:
                raise InputFileError(f"codebook {self.id}: code {c.id!r} refers to section {c.section!r}, "
                                     f"which is not among the sections ({', '.join(sorted(known_sections))})")

    def __iter__(self) -> Iterator[Code]:
        return iter(self.codes)

    def __len__(self) -> int:
        return len(self.codes)

    def __contains__(self, code_id: object) -> bool:
        return any(c.id == code_id for c in self.codes)

    def __getitem__(self, code_id: str) -> Code:
        for c in self.codes:
            if c.id == code_id:
                return c
        raise KeyError(f"codebook {self.id} has no code {code_id!r}")

    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.codes]

    def children(self, code_id: str | None) -> list[Code]:
        return [c for c in self.codes if c.parent == code_id]

    def in_section(self, section_id: str) -> list[Code]:
        return [c for c in self.codes if c.section == section_id]

    def path(self, code_id: str) -> str:
        """'Parent name / Code name' for display."""
        code = self[code_id]
        return f"{self[code.parent].name} / {code.name}" if code.parent else code.name


def load_codebook(path: str | Path | None = None) -> Codebook:
    """Read a codebook YAML file (default: the study's ``codebook.yaml``) or a REFI-QDA ``.qdc`` file."""
    if path is not None and Path(path).suffix.lower() == ".qdc":
        from fjernarbeid.interviews.qdpx import read_qdc

        return read_qdc(path)
    if path is None:
        text = resources.files("fjernarbeid.interviews").joinpath("codebook.yaml").read_text(encoding="utf-8")
        origin = "codebook.yaml"
    else:
        try:
            text = Path(path).read_bytes()
        except FileNotFoundError:
            raise InputFileError(f"{path}: no such codebook file") from None
        origin = str(path)
    data = load_yaml(text, origin)
    if not isinstance(data, dict) or not isinstance(data.get("codes"), list):
        raise InputFileError(f"{origin}: a codebook needs 'id', 'title' and a list of 'codes'")
    codes: list[Code] = []

    def walk(entries, parent: str | None, where: str) -> None:
        for i, entry in enumerate(entries, start=1):
            here = f"{where} > code {i}"
            if not isinstance(entry, dict) or "id" not in entry or "name" not in entry:
                raise InputFileError(f"{origin}, {here}: every code needs an 'id' and a 'name'")
            code_id = str(entry["id"])
            if not _ID.match(code_id):
                raise InputFileError(f"{origin}, {here}: code id {code_id!r} must be lower case letters, digits "
                                     "and '_', starting with a letter")
            color = entry.get("color")
            if color is not None and not _COLOR.match(str(color)):
                raise InputFileError(f"{origin}, code {code_id}: color {color!r} is not '#rrggbb'")
            keywords = entry.get("keywords") or []
            if not isinstance(keywords, list) or not all(isinstance(k, str) and k.strip("* ") for k in keywords):
                raise InputFileError(f"{origin}, code {code_id}: keywords must be a list of words or phrases")
            unknown = set(entry) - {"id", "name", "description", "keywords", "section", "guide", "color", "children"}
            if unknown:
                raise InputFileError(f"{origin}, code {code_id}: unknown field(s) {', '.join(sorted(unknown))}")
            codes.append(Code(id=code_id, name=str(entry["name"]), description=str(entry.get("description") or ""),
                              keywords=tuple(k.strip() for k in keywords), parent=parent,
                              section=str(entry["section"]) if entry.get("section") is not None else None,
                              guide=entry.get("guide"), color=color))
            walk(entry.get("children") or [], code_id, f"code {code_id}")

    walk(data["codes"], None, "codes")
    sections = tuple(Section(str(s["id"]), str(s["title"])) for s in data.get("sections") or [])
    return Codebook(id=str(data.get("id") or Path(origin).stem), title=str(data.get("title") or ""),
                    codes=tuple(codes), sections=sections, language=str(data.get("language") or "nb"),
                    source=str(data.get("source") or ""))


def keyword_pattern(keyword: str) -> str:
    """The regular expression of one keyword (see the module docstring for the rule)."""
    word = keyword.strip()
    prefix = word.endswith("*")
    body = r"\s+".join(re.escape(part) for part in word.rstrip("*").split())
    return rf"(?<!\w){body}" + (r"\w*" if prefix else r"(?!\w)")


def code_pattern(code: Code) -> re.Pattern | None:
    """One case-insensitive pattern for all of a code's keywords (None if it has none)."""
    if not code.keywords:
        return None
    return re.compile("|".join(f"(?:{keyword_pattern(k)})" for k in code.keywords), re.IGNORECASE)

"""How well pseudonymisation does on an annotated corpus: recall per kind of identifier, and the
replacements and review items that hit nothing annotated (false positives).

An annotation names one identifier: the transcript file, the turn, its character span in the
turn's text (after NFC normalisation), its kind, and what the pseudonymiser promises for it
(``expect``): ``replace`` (the span must be covered by replacements) or ``flag`` (covered by
replacements or review items). Annotations are a CSV with the columns
``file, turn, start, end, kind, expect, text``; the ``text`` column must equal the span, so an
annotation that drifted from its transcript is an error, not a silent miss.
"""

from __future__ import annotations

import csv
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping as TypingMapping

from fjernarbeid.errors import InputFileError
from fjernarbeid.interviews.identifiers import normalise_text
from fjernarbeid.interviews.pseudonymise import Mapping, Pseudonymised, pseudonymise
from fjernarbeid.interviews.transcript import Interview

ANNOTATION_COLUMNS = ("file", "turn", "start", "end", "kind", "expect", "text")


@dataclass(frozen=True)
class Annotation:
    file: str
    turn: int
    start: int
    end: int
    kind: str
    expect: str   # "replace" or "flag"
    text: str


def read_annotations(path: str | Path) -> list[Annotation]:
    """Read an annotation CSV (columns above); a bad row is an error naming its line."""
    path = Path(path)
    try:
        with path.open(encoding="utf-8", newline="") as f:
            reader = csv.DictReader(f)
            missing = set(ANNOTATION_COLUMNS) - set(reader.fieldnames or ())
            if missing:
                raise InputFileError(f"{path}, line 1: missing column(s) {', '.join(sorted(missing))}")
            rows = []
            for line, row in enumerate(reader, start=2):
                try:
                    a = Annotation(row["file"], int(row["turn"]), int(row["start"]), int(row["end"]), row["kind"],
                                   row["expect"], row["text"])
                except (TypeError, ValueError):
                    raise InputFileError(f"{path}, line {line}: turn, start and end must be whole numbers") from None
                if a.expect not in ("replace", "flag"):
                    raise InputFileError(f"{path}, line {line}: expect must be 'replace' or 'flag', not {a.expect!r}")
                rows.append(a)
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    return rows


@dataclass
class KindScore:
    kind: str
    expect: str
    annotated: int = 0
    replaced: int = 0
    flagged: int = 0   # listed for review, not replaced
    missed: list[Annotation] = field(default_factory=list)

    @property
    def caught(self) -> int:
        return self.replaced + (self.flagged if self.expect == "flag" else 0)

    @property
    def recall(self) -> float:
        return self.caught / self.annotated if self.annotated else float("nan")


@dataclass
class RecallResult:
    kinds: dict[str, KindScore]
    false_replacements: list[tuple[str, int, str, str]]   # file, turn, kind, original
    false_reviews: list[tuple[str, int, str, str]]

    @property
    def annotated(self) -> int:
        return sum(k.annotated for k in self.kinds.values())

    def table(self) -> str:
        """The recall table in Markdown."""
        lines = ["| kind | promise | annotated | replaced | flagged only | missed | recall |",
                 "|---|---|---:|---:|---:|---:|---:|"]
        for k in sorted(self.kinds.values(), key=lambda k: (k.expect != "replace", k.kind)):
            lines.append(f"| {k.kind} | {k.expect} | {k.annotated} | {k.replaced} | {k.flagged} | {len(k.missed)} | "
                         f"{100 * k.recall:.1f} % |")
        total = sum(k.caught for k in self.kinds.values())
        lines.append(f"| **all** | | {self.annotated} | {sum(k.replaced for k in self.kinds.values())} | "
                     f"{sum(k.flagged for k in self.kinds.values())} | "
                     f"{sum(len(k.missed) for k in self.kinds.values())} | {100 * total / self.annotated:.1f} % |")
        return "\n".join(lines)


def _covered(text: str, start: int, end: int, spans: Iterable[tuple[int, int]]) -> bool:
    """True if every character of ``text[start:end]`` but white space lies in one of the spans (a
    two-word name may be two findings)."""
    inside = [text[i].isspace() for i in range(start, end)]
    for a, b in spans:
        for i in range(max(a, start), min(b, end)):
            inside[i - start] = True
    return all(inside)


def evaluate(originals: TypingMapping[str, Interview], mapping: Mapping,
             annotations: Iterable[Annotation]) -> tuple[RecallResult, dict[str, Pseudonymised]]:
    """Pseudonymise each interview (``originals``: transcript file name → imported interview) with
    ``mapping`` and score the result against the annotations; return the score and the results."""
    results = {name: pseudonymise(iv, mapping) for name, iv in originals.items()}
    kinds: dict[str, KindScore] = {}
    annotated_spans: dict[tuple[str, int], list[tuple[int, int]]] = {}
    for a in annotations:
        if a.file not in results:
            raise InputFileError(f"annotation of {a.file}: no such transcript among {', '.join(sorted(results))}")
        result = results[a.file]
        try:
            turn_text = normalise_text(originals[a.file].turn(a.turn).text)
        except KeyError:
            raise InputFileError(f"annotation of {a.file}: no turn {a.turn}") from None
        if turn_text[a.start:a.end] != a.text:
            raise InputFileError(f"annotation of {a.file}, turn {a.turn}, {a.start}-{a.end}: the text there is "
                                 f"{turn_text[a.start:a.end]!r}, not {a.text!r}")
        score = kinds.setdefault(a.kind, KindScore(a.kind, a.expect))
        score.annotated += 1
        in_turn = [f for f in result.findings if f.turn == a.turn and f.field == "text"]
        if _covered(turn_text, a.start, a.end, [(f.start, f.end) for f in in_turn if f.action == "replaced"]):
            score.replaced += 1
        elif _covered(turn_text, a.start, a.end, [(f.start, f.end) for f in in_turn]):
            score.flagged += 1
            if a.expect == "replace":
                score.missed.append(a)
        else:
            score.missed.append(a)
        annotated_spans.setdefault((a.file, a.turn), []).append((a.start, a.end))
    # Identifiers are annotated in the speech only: a review item anywhere else (title, notes) is a
    # false positive, a replacement there is a name from the mapping (speaker tags, "Intervju med …").
    false_replacements, false_reviews = [], []
    for file, result in results.items():
        for f in result.findings:
            if f.field != "text":
                if f.action == "review":
                    false_reviews.append((file, f.turn, f.kind, f.original))
                continue
            spans = annotated_spans.get((file, f.turn), [])
            if any(a < f.end and f.start < b for a, b in spans):
                continue
            item = (file, f.turn, f.kind, f.original)
            (false_replacements if f.action == "replaced" else false_reviews).append(item)
    return RecallResult(kinds, false_replacements, false_reviews), results


def false_positive_summary(items: Iterable[tuple[str, int, str, str]]) -> Counter:
    return Counter(kind for _, _, kind, _ in items)

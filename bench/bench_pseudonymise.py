"""Time pseudonymisation of one long turn (words drawn at random, seed 1, from the test corpus's
transcripts, so identifiers are as dense as there: about one in eight words) at 2,000, 20,000 and
100,000 words, to show that the time grows linearly with the length of a turn.

    .venv/bin/python bench/bench_pseudonymise.py
"""

from __future__ import annotations

import random
import re
import time
from pathlib import Path

from fjernarbeid.interviews.pseudonymise import pseudonymise, read_mapping
from fjernarbeid.interviews.transcript import Interview, Turn

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "interviews" / "corpus"


def main() -> None:
    mapping = read_mapping(CORPUS / "mapping.yaml")
    raw = " ".join(p.read_text(encoding="utf-8") for p in sorted(CORPUS.glob("*.vtt")))
    words = re.sub(r"<[^>]+>|\d\d:\d\d:\d\d\.\d+ --> \S+|[0-9a-f-]{36}/\S+|WEBVTT|NOTE", " ", raw).split()
    rng = random.Random(1)
    for n in (2_000, 20_000, 100_000):
        text = " ".join(rng.choice(words) for _ in range(n))
        interview = Interview("x", "x.vtt", (Turn(1, "Anne Kristin Dahl", "interviewer", "Hei?"),
                                             Turn(2, "Kari Johansen", "informant", text)))
        start = time.perf_counter()
        result = pseudonymise(interview, mapping)
        seconds = time.perf_counter() - start
        print(f"{n:>7} words: {seconds:6.2f} s ({n / seconds:,.0f} words/s), {result.replaced} replaced, "
              f"{result.to_review} to review")


if __name__ == "__main__":
    main()

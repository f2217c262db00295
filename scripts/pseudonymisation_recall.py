"""Print the recall of pseudonymisation on the annotated test corpus (tests/interviews/corpus), per
kind of identifier, and every false positive: replacements and review items that hit nothing
annotated.

    .venv/bin/python scripts/pseudonymisation_recall.py [--corpus DIR] [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

from fjernarbeid.interviews.importers import read_transcript
from fjernarbeid.interviews.pseudonymise import read_mapping
from fjernarbeid.interviews.recall import evaluate, read_annotations

CORPUS = Path(__file__).resolve().parent.parent / "tests" / "interviews" / "corpus"


def run(corpus: Path):
    mapping = read_mapping(corpus / "mapping.yaml")
    files = sorted(p for p in corpus.iterdir() if p.suffix in (".vtt", ".txt", ".docx"))
    originals = {p.name: read_transcript(p, interviewers=mapping.interviewers) for p in files}
    return evaluate(originals, mapping, read_annotations(corpus / "annotations.csv"))


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--corpus", type=Path, default=CORPUS)
    parser.add_argument("--misses", action="store_true", help="list every missed identifier")
    args = parser.parse_args(argv)
    result, results = run(args.corpus)
    print(f"{len(results)} transcripts, {result.annotated} annotated identifiers\n")
    print(result.table())
    print(f"\nfalse positives: {len(result.false_replacements)} replacements and {len(result.false_reviews)} "
          "review items hit nothing annotated")
    for label, items in (("replaced", result.false_replacements), ("review", result.false_reviews)):
        counts = Counter((kind, original) for _, _, kind, original in items)
        print(f"  {label}: " + ", ".join(f"{kind} {original!r}" + (f" ×{n}" if n > 1 else "")
                                        for (kind, original), n in sorted(counts.items())))
    if args.misses:
        for score in result.kinds.values():
            for a in score.missed:
                print(f"MISSED {a.kind}: {a.text!r} ({a.file}, turn {a.turn})")
    return 0 if all(not k.missed for k in result.kinds.values()) else 1


if __name__ == "__main__":
    sys.exit(main())

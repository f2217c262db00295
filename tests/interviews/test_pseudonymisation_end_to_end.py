"""No annotated identifier of the corpus reaches any output: the corpus transcripts go through the
command line chain (import → pseudonymise → report → export), every turn coded so that every turn
is quoted, and every output file (pseudonymised transcripts, sitater.csv and the other tables, the
theme report, the .qdpx and its members, and the files' names) is searched for every identifier.

Then the review loop: the names listed for review are added to the mapping, as a researcher would,
and after a second run not even those reach an output."""

from __future__ import annotations

import csv
import html
import json
import re
import unicodedata
import zipfile
from pathlib import Path

import pytest
import yaml
from typer.testing import CliRunner

from fjernarbeid.cli import app
from fjernarbeid.interviews.codebook import load_codebook
from fjernarbeid.interviews.recall import read_annotations
from fjernarbeid.interviews.wordlists import NAMES_THAT_ARE_WORDS

CORPUS = Path(__file__).parent / "corpus"
runner = CliRunner()


def run(*args):
    result = runner.invoke(app, ["interviews", *map(str, args)])
    assert result.exit_code == 0, result.output
    return result


def pipeline(tmp_path: Path, mapping: Path) -> dict[str, str]:
    """Run the chain on the corpus; return every output's text by name (and the names themselves)."""
    raw, pseudo, results = tmp_path / "raw", tmp_path / "pseudo", tmp_path / "results"
    transcripts = sorted(p for p in CORPUS.iterdir() if p.suffix in (".vtt", ".txt"))
    run("import", *transcripts, "--out", raw, "--mapping", mapping)
    run("pseudonymise", raw, "--mapping", mapping, "--out", pseudo, "--report", tmp_path / "secret" / "report.csv")
    code = load_codebook().ids[0]
    codings = tmp_path / "codings.csv"
    with codings.open("w", encoding="utf-8", newline="") as f:
        writer = csv.writer(f)
        writer.writerow(["interview", "turn", "code", "coder"])
        for path in sorted(pseudo.glob("*.json")):
            interview = json.loads(path.read_text(encoding="utf-8"))
            writer.writerows([interview["id"], t["n"], code, "e2e"] for t in interview["turns"])
    run("report", pseudo, "--out", results, "--codings", codings)
    run("export", pseudo, "--qdpx", results / "intervjuer.qdpx", "--codings", codings)
    texts = {}
    for path in [*pseudo.iterdir(), *results.iterdir()]:
        texts[f"name of {path}"] = path.name
        if path.suffix == ".qdpx":
            with zipfile.ZipFile(path) as z:
                for member in z.namelist():
                    texts[f"name of {path}:{member}"] = member
                    data = z.read(member)
                    if member.endswith((".qde", ".txt", ".xml")):
                        texts[f"{path}:{member}"] = html.unescape(data.decode("utf-8"))
        else:
            texts[str(path)] = html.unescape(path.read_text(encoding="utf-8"))
    assert any(p.endswith("sitater.csv") for p in texts) and any(p.endswith("temarapport.html") for p in texts)
    assert any(p.endswith(".qde") for p in texts)
    return texts


def pattern(identifier: str) -> re.Pattern:
    """How an identifier would show in an output: numbers with or without their separators; words as
    whole words, in any case unless the word is also an ordinary word ("per", "strand")."""
    if sum(c.isdigit() for c in identifier) >= 8:
        number = re.sub(r"^\(?\s*(?:\+|00)\s*47\s*\)?", "", identifier)  # the number without +47
        digits = [c for c in number if c.isdigit()]
        return re.compile(r"(?:(?<!\d)|(?<=\+47)|(?<=0047))" + r"[\s.\-]?".join(digits) + r"(?!\d)")
    flags = 0 if identifier.lower() in NAMES_THAT_ARE_WORDS else re.IGNORECASE
    return re.compile(rf"(?<!\w){re.escape(identifier)}(?!\w)", flags)


def leaks(texts: dict[str, str], identifiers: set[str]) -> list[tuple[str, str]]:
    found = []
    for identifier in sorted(identifiers):
        for form in {identifier, unicodedata.normalize("NFD", identifier)}:
            p = pattern(form)
            found += [(identifier, where) for where, text in texts.items() if p.search(text)]
    return found


@pytest.fixture(scope="module")
def annotations():
    return read_annotations(CORPUS / "annotations.csv")


def _mapped_names() -> set[str]:
    data = yaml.safe_load((CORPUS / "mapping.yaml").read_text(encoding="utf-8"))
    names = {n for section in ("informants", "interviewers", "people", "employers", "places") for n in data[section]}
    return names | {part for n in names for part in n.split() if part[0].isupper() and len(part) > 1}


def test_no_identifier_it_promises_to_replace_reaches_any_output(tmp_path, annotations):
    texts = pipeline(tmp_path, CORPUS / "mapping.yaml")
    promised = {a.text for a in annotations if a.expect == "replace"} | _mapped_names()
    assert len(promised) > 150
    assert leaks(texts, promised) == []
    # The names only listed for review are still there: the review list is what a person must act on.
    report = (tmp_path / "secret" / "report.csv").read_text(encoding="utf-8")
    for a in annotations:
        if a.kind in ("name_unmapped", "name_unmapped_lower"):
            assert all(f",review,{word}," in report for word in a.text.split())


def test_after_the_review_the_listed_names_are_gone_too(tmp_path, annotations):
    data = yaml.safe_load((CORPUS / "mapping.yaml").read_text(encoding="utf-8"))
    unmapped = {a.text for a in annotations if a.kind in ("name_unmapped", "name_unmapped_lower")}
    data["people"].update({name: "[person]" for name in unmapped})
    mapping = tmp_path / "secret" / "mapping.yaml"
    mapping.parent.mkdir()
    mapping.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    texts = pipeline(tmp_path, mapping)
    everything = {a.text for a in annotations if a.kind != "name_word_lower"} | _mapped_names() | unmapped
    assert leaks(texts, everything) == []

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
    raw, pseudo = tmp_path / "raw", tmp_path / "pseudo"
    transcripts = sorted(p for p in CORPUS.iterdir() if p.suffix in (".vtt", ".txt"))
    run("import", *transcripts, "--out", raw, "--mapping", mapping)
    run("pseudonymise", raw, "--mapping", mapping, "--out", pseudo, "--report", tmp_path / "secret" / "report.csv")
    # Every turn coded, round the codes the theme report quotes under, and in batches so that no code
    # has more turns than the report shows (four): every turn is then in some sitater.csv, theme report
    # and .qdpx.
    codes = [c.id for c in load_codebook() if c.section]
    rows = [[iv["id"], t["n"]] for iv in (json.loads(p.read_text(encoding="utf-8")) for p in sorted(pseudo.glob("*.json")))
            for t in iv["turns"]]
    batch = 4 * len(codes)
    outputs = []
    for k in range(0, len(rows), batch):
        codings, results = tmp_path / f"codings{k}.csv", tmp_path / f"results{k}"
        with codings.open("w", encoding="utf-8", newline="") as f:
            writer = csv.writer(f)
            writer.writerow(["interview", "turn", "code", "coder"])
            writer.writerows([*row, codes[i % len(codes)], "e2e"] for i, row in enumerate(rows[k:k + batch]))
        run("report", pseudo, "--out", results, "--codings", codings)
        run("export", pseudo, "--qdpx", results / "intervjuer.qdpx", "--codings", codings)
        outputs += list(results.iterdir())
    texts = {}
    for path in [*pseudo.iterdir(), *outputs]:
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
    # Every turn is quoted: the outputs carry the placeholders where the identifiers were.
    quoted = {"sitater.csv": 0, "temarapport.html": 0}
    for output in quoted:
        for where, text in texts.items():
            if where.endswith(output) and not where.startswith("name of"):
                quoted[output] += sum(text.count(p) for p in ("[telefon]", "[fødselsnummer]", "[e-post]", "[adresse]"))
    assert quoted["sitater.csv"] == quoted["temarapport.html"] > 60, quoted
    return texts


def pattern(identifier: str) -> re.Pattern:
    """How an identifier would show in an output: numbers with or without their separators; words as
    whole words, in any case unless the word is also an ordinary word ("per", "strand")."""
    if sum(c.isdigit() for c in identifier) >= 8:
        number = re.sub(r"^\(?\s*(?:\+|00)\s*47\s*\)?", "", identifier)  # the number without +47
        digits = [c for c in number if c.isdigit()]
        return re.compile(r"(?:(?<!\d)|(?<=\+47)|(?<=0047))" + r"[\s.\-]?".join(digits) + r"(?!\d)")
    if identifier.isdigit():  # a postal code; not a part of a GUID ("…-5003-88ac-…") in the .qdpx
        return re.compile(rf"(?<![\w\-]){identifier}(?![\w\-])")
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
    annotated = {a.text for a in annotations if a.expect == "replace"}
    # The search finds every one of them in the imported transcripts (so it could find a leak) …
    raw = {str(p): p.read_text(encoding="utf-8") for p in (tmp_path / "raw").iterdir()}
    assert {identifier for identifier, _ in leaks(raw, annotated)} == annotated
    # … and none of them, nor any name in the mapping, in any output.
    assert len(annotated) > 150
    assert leaks(texts, annotated | _mapped_names()) == []
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

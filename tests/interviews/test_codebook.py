"""The study's codebook: the interview guide's topics and the report's chapter 3.1 themes, as data."""

from __future__ import annotations

import re

import pytest

from fjernarbeid.errors import InputFileError
from fjernarbeid.interviews.codebook import code_pattern, keyword_pattern, load_codebook


def test_sections_are_the_reports_chapter_3_1_headings(shared_dir):
    report = (shared_dir / "seed" / "000_2f0da68bd0405d38.txt").read_text(encoding="utf-8")
    book = load_codebook()
    headings = re.findall(r"^\s*(3\.1\.[1-3](?:\.\d)?) (.+?)\s*$", report, flags=re.MULTILINE)
    wanted = [(n, t) for n, t in headings if n != "3.1.3"]  # 3.1.3 only introduces its sub-sections
    assert [(s.id, s.title) for s in book.sections] == wanted
    assert len(wanted) == 8


def test_every_section_has_codes_and_every_leaf_has_keywords():
    book = load_codebook()
    assert all(book.in_section(s.id) for s in book.sections)
    leaves = [c for c in book if not book.children(c.id)]
    assert all(c.keywords and c.description and c.section for c in leaves)
    guide_topics = {c.guide for c in book.children(None)}
    assert {"Bakgrunn", "Arbeidssituasjon", "Kompetansebehov ved fjernarbeid", "Diskusjon av mulige tiltak"} <= guide_topics


@pytest.mark.parametrize("keyword, text, found", [
    ("hjemmekontor*", "Jeg har hjemmekontoret i kjelleren", ["hjemmekontoret"]),
    ("hjemmekontor", "Jeg har hjemmekontoret i kjelleren", []),
    ("jobber hjemme", "Jeg  JOBBER\nhjemme", ["JOBBER\nhjemme"]),
    ("tog", "toget og tog, men ikke togreise", ["tog"]),
    ("fly", "flytte med fly", ["fly"]),
])
def test_keyword_rule(keyword, text, found):
    assert re.findall(keyword_pattern(keyword), text, flags=re.IGNORECASE) == found


def test_code_pattern_joins_keywords():
    book = load_codebook()
    assert code_pattern(book["kontorfellesskap"]).search("Jeg sitter i et KONTORFELLESSKAP")
    assert code_pattern(book["bakgrunn"]) is None  # a parent code groups, it has no keywords


def test_codebook_errors(tmp_path):
    bad = tmp_path / "k.yaml"
    bad.write_text("id: k\ntitle: K\ncodes:\n  - id: A-b\n    name: X\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"k.yaml, codes > code 1: code id 'A-b' must be lower case"):
        load_codebook(bad)
    bad.write_text("id: k\ntitle: K\ncodes:\n  - {id: a, name: A}\n  - {id: a, name: B}\n", encoding="utf-8")
    with pytest.raises(InputFileError, match=r"code id\(s\) used twice: a"):
        load_codebook(bad)
    bad.write_text("id: k\ntitle: K\nsections: [{id: '1', title: S}]\ncodes:\n  - {id: a, name: A, section: '2'}\n",
                   encoding="utf-8")
    with pytest.raises(InputFileError, match=r"code 'a' refers to section '2'"):
        load_codebook(bad)

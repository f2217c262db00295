"""REFI-QDA: the exported project is valid and reads back to the same interviews and codings; broken
projects are caught; codebooks (.qdc) round trip."""

from __future__ import annotations

import datetime as dt
import zipfile

import pandas as pd
import pytest
from lxml import etree

from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.interviews.codebook import load_codebook
from fjernarbeid.interviews.qdpx import (NS, import_project, read_qdc, read_qdpx, source_text, validate_project,
                                         validate_qdpx, write_qdc, write_qdpx)

BOOK = load_codebook()
WHEN = dt.datetime(2025, 4, 1, 12, 0, tzinfo=dt.timezone.utc)


@pytest.fixture
def project(make_interview, tmp_path):
    ivs = [make_interview("Informant_1", "Informant 1", ["Jeg har hjemmekontor – og «tillit».", "Æ ø å."],
                          {"kommune": "Kvam", "arbeidssted": "hjemmekontor"}).replace(title="Intervju 1"),
           make_interview("Informant_2", "Informant 2", ["Kontorfellesskap <og> & sosialt."],
                          {"kommune": "Ulvik", "arbeidssted": "kontorfellesskap"})]
    codings = pd.DataFrame([("Informant_1", 2, "hjemmekontor", "AB"), ("Informant_1", 2, "tillit", "AB"),
                            ("Informant_1", 4, "tillit", "CD"), ("Informant_2", 2, "kontorfellesskap", "AB")],
                           columns=["interview", "turn", "code", "coder"])
    path = write_qdpx(tmp_path / "p.qdpx", ivs, BOOK, codings, created=WHEN)
    return path, ivs, codings


def test_export_is_valid_and_has_the_standard_layout(project):
    path, ivs, _ = project
    assert validate_qdpx(path) == []
    with zipfile.ZipFile(path) as z:
        names = z.namelist()
        root = etree.fromstring(z.read("project.qde"))
        texts = {n: z.read(n).decode("utf-8") for n in names if n.startswith("sources/")}
    assert names[0] == "project.qde" and len(texts) == 2
    q = f"{{{NS}}}"
    assert root.tag == q + "Project" and root.get("creationDateTime") == "2025-04-01T12:00:00Z"
    assert [u.get("name") for u in root.iter(q + "User")] == ["AB", "CD"]
    assert [c.get("name") for c in root.find(f"{q}CodeBook/{q}Codes")] == [c.name for c in BOOK.children(None)]
    assert [v.get("name") for v in root.iter(q + "Variable")] == ["kommune", "arbeidssted"]
    assert [c.get("name") for c in root.iter(q + "Case")] == ["Informant 1", "Informant 2"]
    source = root.find(f"{q}Sources/{q}TextSource")
    text = texts["sources/" + source.get("plainTextPath").removeprefix("internal://")]
    assert text == source_text(ivs[0])[0] and text.startswith("# Intervju 1\nIntervjuer [0:10]: Spørsmål 1?\n")
    selection = source.find(q + "PlainTextSelection")
    start, end = int(selection.get("startPosition")), int(selection.get("endPosition"))
    assert text[start:end] == "Jeg har hjemmekontor – og «tillit»."
    assert len(selection.findall(q + "Coding")) == 2


def test_export_reads_back_to_the_same_interviews_and_codings(project):
    path, ivs, codings = project
    back, back_codings, book = import_project(path, known=BOOK)
    assert [(iv.id, iv.informant, iv.attributes, iv.title, iv.pseudonymised) for iv in back] == \
        [(iv.id, iv.informant, iv.attributes, iv.title, True) for iv in ivs]
    assert [[(t.speaker, t.role, t.text, t.start) for t in iv.turns] for iv in back] == \
        [[(t.speaker, t.role, t.text, t.start) for t in iv.turns] for iv in ivs]
    key = ["interview", "turn", "code", "coder"]
    assert back_codings.sort_values(key).values.tolist() == codings.sort_values(key).values.tolist()
    assert book.ids == BOOK.ids and book["tillit"].keywords == BOOK["tillit"].keywords
    # Without our codebook the ids come from the code names.
    _, _, plain = import_project(path)
    assert plain.ids[:3] == ["bakgrunn", "jobb_og_stilling", "tok_med_seg_jobben"]
    assert read_qdpx(path).users.values() and read_qdpx(path).sources[1].name == "Informant_2"


def _zip_with(path, xml: bytes, out):
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(out, "w") as w:
        for n in z.namelist():
            w.writestr(n, xml if n == "project.qde" else z.read(n))
    return out


@pytest.mark.parametrize("change, problem", [
    (lambda x: x.replace(b'isCodable="true"', b"", 1), "required attribute 'isCodable' is missing"),
    (lambda x: x.replace(b'isCodable="true"', b'isCodable="yes"', 1), "is not a valid boolean"),
    (lambda x: x.replace(b"<Users>", b"<Extra/><Users>", 1), "children [Extra Users"),
    (lambda x: x.replace(b'startPosition="', b'startPosition="9', 1), "lies outside the source"),
    (lambda x: x.replace(b"<CodeRef targetGUID=\"", b"<CodeRef targetGUID=\"0", 1), "is not a valid GUID"),
    (lambda x: x.replace(b'color="#', b'colour="#', 1), "attribute 'colour' is not allowed"),
    (lambda x: x.replace(b"urn:QDA-XML:project:1.0", b"urn:QDA-XML:project:2.0"), "root element must be Project"),
])
def test_broken_projects_are_caught(project, tmp_path, change, problem):
    path = project[0]
    with zipfile.ZipFile(path) as z:
        xml = z.read("project.qde")
    broken = _zip_with(path, change(xml), tmp_path / "broken.qdpx")
    problems = validate_qdpx(broken)
    assert any(problem in p for p in problems), problems
    with pytest.raises(InputFileError, match="not a valid REFI-QDA project"):
        read_qdpx(broken)


def test_an_entity_in_a_hostile_project_is_neither_expanded_nor_a_traceback(project, tmp_path):
    """A DOCTYPE declaring an external entity (XXE) passed validation, then the second parse raised
    lxml's XMLSyntaxError ("Entity 'xxe' not defined"): a traceback. Both parses now use one parser
    that expands no entity, so no local file can be read into the interviews."""
    secret = tmp_path / "secret.txt"
    secret.write_text("SECRET-CONTENT", encoding="utf-8")
    path = project[0]
    with zipfile.ZipFile(path) as z:
        xml = z.read("project.qde")
    xml = xml.replace(b"?>\n", b'?>\n<!DOCTYPE Project [<!ENTITY xxe SYSTEM "' + secret.as_uri().encode() + b'">]>\n', 1)
    xml = xml.replace(b"<Description>", b"<Description>&xxe;", 1)
    hostile = _zip_with(path, xml, tmp_path / "hostile.qdpx")
    read = read_qdpx(hostile)
    assert [s.name for s in read.sources] == ["Informant_1", "Informant_2"]
    assert "SECRET" not in repr(read)


def test_a_text_source_that_is_not_utf8_is_named(project, tmp_path):
    path = project[0]
    out = tmp_path / "latin1.qdpx"
    with zipfile.ZipFile(path) as z, zipfile.ZipFile(out, "w") as w:
        for n in z.namelist():
            w.writestr(n, z.read(n).decode("utf-8").encode("cp1252") if n.startswith("sources/") else z.read(n))
    with pytest.raises(InputFileError, match=r"latin1\.qdpx: sources/.*\.txt, byte \d+: not UTF-8"):
        read_qdpx(out)


def test_dangling_reference_and_duplicate_guid(project):
    path = project[0]
    with zipfile.ZipFile(path) as z:
        xml, files = z.read("project.qde"), {n: z.read(n).decode() for n in z.namelist() if n.startswith("sources/")}
    root = etree.fromstring(xml)
    q = f"{{{NS}}}"
    ref = next(root.iter(q + "CodeRef"))
    ref.set("targetGUID", "00000000-0000-0000-0000-000000000000")
    user = next(root.iter(q + "User"))
    next(root.iter(q + "Case")).set("guid", user.get("guid"))
    problems = validate_project(etree.tostring(root), files)
    assert any("<CodeRef> targetGUID 00000000-0000-0000-0000-000000000000 refers to nothing" in p for p in problems)
    assert any(f"guid {user.get('guid')} is also used" in p for p in problems)
    assert any("not in the project's sources/ folder" in p for p in validate_project(xml, {}))


def test_official_schema_hook(project, tmp_path):
    # The official Project.xsd is not shipped; a schema given by path is applied with lxml. Here a schema
    # that wants another root shows the hook reports the schema's own findings.
    xsd = tmp_path / "other.xsd"
    xsd.write_text('<xsd:schema xmlns:xsd="http://www.w3.org/2001/XMLSchema" targetNamespace="urn:QDA-XML:project:1.0" '
                   'elementFormDefault="qualified"><xsd:element name="Other"/></xsd:schema>', encoding="utf-8")
    problems = validate_qdpx(project[0], xsd)
    assert len(problems) == 1 and problems[0].endswith("(XSD)") and "Project" in problems[0]


def test_export_refuses_unpseudonymised(project, tmp_path):
    _, ivs, codings = project
    with pytest.raises(DataValidationError, match="not pseudonymised"):
        write_qdpx(tmp_path / "x.qdpx", [ivs[0].replace(pseudonymised=False)], BOOK, codings)


def test_codebook_qdc_round_trip(tmp_path):
    path = write_qdc(tmp_path / "k.qdc", BOOK)
    back = read_qdc(path, known=BOOK)
    assert [(c.id, c.name, c.parent, c.description, c.keywords) for c in back] == \
        [(c.id, c.name, c.parent, c.description, c.keywords) for c in BOOK]
    plain = load_codebook(path)  # a .qdc is accepted wherever a codebook is
    assert [c.name for c in plain] == [c.name for c in BOOK] and plain["bakgrunn"].keywords == ()
    (tmp_path / "bad.qdc").write_bytes(path.read_bytes().replace(b"<Codes>", b"<Codes><Set/>"))
    with pytest.raises(InputFileError, match="not a valid REFI-QDA codebook"):
        read_qdc(tmp_path / "bad.qdc")

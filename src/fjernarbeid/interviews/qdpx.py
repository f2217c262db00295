"""REFI-QDA exchange: export the coded interviews as a ``.qdpx`` project that NVivo, ATLAS.ti,
MAXQDA and QualCoder open, read such projects and ``.qdc`` codebooks back, and check them.

Standard: REFI-QDA Project Exchange 1.0 (Rotterdam Exchange Format Initiative, www.qdasoftware.org;
schema ``Project.xsd`` of 18 March 2019, namespace ``urn:QDA-XML:project:1.0``) and REFI-QDA
Codebook Exchange 1.0 (``Codebook.xsd``, namespace ``urn:QDA-XML:codebook:1.0``).

A ``.qdpx`` file is a zip with ``project.qde`` (the XML) and the sources under ``sources/``; a
source's ``plainTextPath`` is ``internal://<file name>``. What we write:

* **Users**: one per coder; **CodeBook/Codes**: the codebook's tree (name, colour, description);
* **Variables** and **Cases**: one case per informant, with the case attributes as text variables
  and a reference to the informant's interview;
* **Sources**: one ``TextSource`` per interview, its plain text (``# title`` line, then one line per
  turn, ``Speaker [m:ss]: speech``) in ``sources/<guid>.txt``;
* codings as ``PlainTextSelection`` (the speech of one turn, ``startPosition`` inclusive and
  ``endPosition`` exclusive, counted in Unicode characters from 0) with one ``Coding``/``CodeRef``
  per code, by the coding's user.

GUIDs are name-based (UUID 5) so that the same study exports to the same file twice.

**Validation.** :func:`validate_project` checks a project against the element and attribute rules of
``Project.xsd`` 1.0 for text projects (each element's children in the schema's order and number,
required and allowed attributes, GUID/integer/boolean/date-time/colour/enumeration types) and the
standard's further rules (every GUID unique, every reference resolves, a text source has its text
inline or as a file but not both, selections lie inside their text, variable values fit the
variable's type). The official ``Project.xsd`` is not shipped with this package; given its path,
:func:`validate_qdpx` also validates against it with lxml.
"""

from __future__ import annotations

import datetime as _dt
import io
import re
import unicodedata
import uuid
import zipfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Sequence

import pandas as pd
from lxml import etree

from fjernarbeid import __version__
from fjernarbeid._io import write_bytes_atomic
from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.interviews.codebook import Code, Codebook
from fjernarbeid.interviews.coding import CODING_COLUMNS, empty_codings
from fjernarbeid.interviews.importers import parse_date, parse_turn_lines
from fjernarbeid.interviews.outputs import require_pseudonymised
from fjernarbeid.interviews.transcript import Interview, Turn, merge_consecutive

NS = "urn:QDA-XML:project:1.0"
NS_CODEBOOK = "urn:QDA-XML:codebook:1.0"
XSI = "http://www.w3.org/2001/XMLSchema-instance"
_GUID_NAMESPACE = uuid.UUID("6f0f3b8e-2b7c-5d0e-9a41-6a6a7e1f0d2a")
ORIGIN = f"fjernarbeid {__version__}"


def guid(*parts: str) -> str:
    """A stable GUID for a thing of this study (kind and key), as REFI-QDA wants it."""
    return str(uuid.uuid5(_GUID_NAMESPACE, "\x1f".join(parts)))


# -- plain text of a source -----------------------------------------------------------------------


def source_text(interview: Interview) -> tuple[str, dict[int, tuple[int, int]]]:
    """The plain text of an interview and, per turn number, the (start, end) span of its speech."""
    parts: list[str] = []
    spans: dict[int, tuple[int, int]] = {}
    pos = 0
    if interview.title:
        line = f"# {' '.join(interview.title.split())}\n"
        parts.append(line)
        pos += len(line)
    for t in interview.turns:
        head = f"{t.speaker} [{t.timestamp}]: " if t.timestamp else f"{t.speaker}: "
        text = " ".join(t.text.split())
        spans[t.number] = (pos + len(head), pos + len(head) + len(text))
        line = f"{head}{text}\n"
        parts.append(line)
        pos += len(line)
    return "".join(parts), spans


# -- export ---------------------------------------------------------------------------------------


def _el(parent, tag: str, text: str | None = None, **attrs) -> etree._Element:
    e = etree.SubElement(parent, f"{{{NS}}}{tag}", {k: v for k, v in attrs.items() if v is not None})
    if text is not None:
        e.text = text
    return e


def _timestamp(moment: _dt.datetime) -> str:
    return moment.astimezone(_dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def project_xml(interviews: Sequence[Interview], codebook: Codebook, codings: pd.DataFrame,
                name: str, created: _dt.datetime, description: str = "") -> tuple[bytes, dict[str, str]]:
    """The ``project.qde`` XML and the source files (zip name → text) of a REFI-QDA project."""
    require_pseudonymised(interviews)
    when = _timestamp(created)
    coders = sorted(set(codings["coder"])) or ["fjernarbeid"]
    users = {c: guid("user", c) for c in coders}
    root = etree.Element(f"{{{NS}}}Project", nsmap={None: NS}, name=name, origin=ORIGIN,
                         creatingUserGUID=users[coders[0]], creationDateTime=when)
    users_el = _el(root, "Users")
    for coder in coders:
        _el(users_el, "User", guid=users[coder], name=coder)
    code_guid = {c.id: guid("code", codebook.id, c.id) for c in codebook}
    codes_el = _el(_el(root, "CodeBook"), "Codes")

    def add_codes(parent_el, parent_id):
        for c in codebook.children(parent_id):
            color = c.color or (codebook[c.parent].color if c.parent else None)
            el = _el(parent_el, "Code", guid=code_guid[c.id], name=c.name, isCodable="true", color=color)
            if c.description:
                _el(el, "Description", c.description)
            add_codes(el, c.id)

    add_codes(codes_el, None)
    attributes = list(dict.fromkeys(a for iv in interviews for a in iv.attributes))
    variable_guid = {a: guid("variable", a) for a in attributes}
    if attributes:
        variables_el = _el(root, "Variables")
        for a in attributes:
            _el(variables_el, "Variable", guid=variable_guid[a], name=a, typeOfVariable="Text")
    source_guid = {iv.id: guid("source", iv.id) for iv in interviews}
    cases_el = _el(root, "Cases")
    by_informant: dict[str, list[Interview]] = {}  # one case per informant, also one interviewed twice
    for iv in interviews:
        by_informant.setdefault(iv.informant, []).append(iv)
    for informant, theirs in by_informant.items():
        first = theirs[0]
        case = _el(cases_el, "Case", guid=guid("case", first.id), name=informant)
        for a in attributes:
            if a in first.attributes:
                value = _el(case, "VariableValue")
                _el(value, "VariableRef", targetGUID=variable_guid[a])
                _el(value, "TextValue", first.attributes[a])
        for iv in theirs:
            _el(case, "SourceRef", targetGUID=source_guid[iv.id])
    sources_el = _el(root, "Sources")
    files: dict[str, str] = {}
    coded = codings.drop_duplicates(CODING_COLUMNS)
    for iv in interviews:
        text, spans = source_text(iv)
        file_name = f"{source_guid[iv.id]}.txt"
        files[f"sources/{file_name}"] = text
        src = _el(sources_el, "TextSource", guid=source_guid[iv.id], name=iv.id,
                  plainTextPath=f"internal://{file_name}", creatingUser=users[coders[0]], creationDateTime=when)
        about = "; ".join(filter(None, [iv.title, f"Dato: {iv.date.isoformat()}" if iv.date else "",
                                        "SYNTETISKE DEMODATA" if iv.synthetic and "SYNTETISK" not in iv.title.upper()
                                        else ""]))
        if about:
            _el(src, "Description", about)
        mine = coded[coded["interview"] == iv.id]
        for (turn, coder), group in mine.groupby(["turn", "coder"], sort=True):
            start, end = spans[int(turn)]
            sel = _el(src, "PlainTextSelection", guid=guid("selection", iv.id, str(turn), coder),
                      name=f"{iv.id} ytring {turn}", startPosition=str(start), endPosition=str(end),
                      creatingUser=users[coder], creationDateTime=when)
            for code in group["code"]:
                coding = _el(sel, "Coding", guid=guid("coding", iv.id, str(turn), coder, code),
                             creatingUser=users[coder], creationDateTime=when)
                _el(coding, "CodeRef", targetGUID=code_guid[code])
    if description:
        _el(root, "Description", description)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    return xml, files


def write_qdpx(path: str | Path, interviews: Sequence[Interview], codebook: Codebook, codings: pd.DataFrame,
               name: str = "Fjernarbeid – intervjuer", created: _dt.datetime | None = None,
               description: str = "", *, overwrite: bool = True) -> Path:
    """Write a REFI-QDA project (.qdpx), after checking it with :func:`validate_project` (without
    ``overwrite`` never over an existing file)."""
    created = created or _dt.datetime.now(_dt.timezone.utc)
    xml, files = project_xml(interviews, codebook, codings, name, created, description)
    problems = validate_project(xml, files)
    if problems:  # a bug of ours, not the user's: say so loudly rather than write a broken file
        raise DataValidationError("the REFI-QDA project does not validate:\n  " + "\n  ".join(problems), problems)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as z:
        z.writestr("project.qde", xml)
        for file_name, text in files.items():
            z.writestr(file_name, text.encode("utf-8"))
    return write_bytes_atomic(path, buffer.getvalue(), overwrite=overwrite)


def write_qdc(path: str | Path, codebook: Codebook, *, overwrite: bool = True) -> Path:
    """Write the codebook as a REFI-QDA codebook (.qdc); without ``overwrite`` never over an
    existing file."""
    root = etree.Element(f"{{{NS_CODEBOOK}}}CodeBook", nsmap={None: NS_CODEBOOK}, origin=ORIGIN)
    codes_el = etree.SubElement(root, f"{{{NS_CODEBOOK}}}Codes")

    def add(parent_el, parent_id):
        for c in codebook.children(parent_id):
            attrs = {"guid": guid("code", codebook.id, c.id), "name": c.name, "isCodable": "true"}
            color = c.color or (codebook[c.parent].color if c.parent else None)
            if color:
                attrs["color"] = color
            el = etree.SubElement(parent_el, f"{{{NS_CODEBOOK}}}Code", attrs)
            if c.description:
                etree.SubElement(el, f"{{{NS_CODEBOOK}}}Description").text = c.description
            add(el, c.id)

    add(codes_el, None)
    xml = etree.tostring(root, xml_declaration=True, encoding="utf-8", pretty_print=True)
    problems = _validate_tree(_parse(xml, "codebook"), _CODEBOOK_RULES, NS_CODEBOOK, "CodeBook")
    if problems:
        raise DataValidationError("the REFI-QDA codebook does not validate:\n  " + "\n  ".join(problems), problems)
    return write_bytes_atomic(path, xml, overwrite=overwrite)


# -- validation -----------------------------------------------------------------------------------

_GUID_RE = re.compile(r"^(?:[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}|"
                      r"\{[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}\})$")
_SIMPLE = {
    "string": lambda v: True,
    "GUID": lambda v: bool(_GUID_RE.match(v.strip())),
    "integer": lambda v: bool(re.fullmatch(r"\s*[+-]?\d+\s*", v)),
    "decimal": lambda v: bool(re.fullmatch(r"\s*[+-]?(\d+(\.\d*)?|\.\d+)\s*", v)),
    "boolean": lambda v: v.strip() in ("true", "false", "1", "0"),
    "date": lambda v: bool(re.fullmatch(r"\s*-?\d{4,}-\d{2}-\d{2}(Z|[+-]\d{2}:\d{2})?\s*", v)),
    "dateTime": lambda v: bool(re.fullmatch(
        r"\s*-?\d{4,}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})?\s*", v)),
    "RGB": lambda v: bool(re.fullmatch(r"\s*#([A-Fa-f0-9]{6}|[A-Fa-f0-9]{3})\s*", v)),
    "typeOfVariable": lambda v: v.strip() in ("Text", "Boolean", "Integer", "Float", "Date", "DateTime"),
    "direction": lambda v: v.strip() in ("Associative", "OneWay", "Bidirectional"),
}
_TEXT_SOURCE_ATTRS = {"guid": ("GUID", True), "name": ("string", False), "richTextPath": ("string", False),
                      "plainTextPath": ("string", False), "creatingUser": ("GUID", False),
                      "creationDateTime": ("dateTime", False), "modifyingUser": ("GUID", False),
                      "modifiedDateTime": ("dateTime", False)}
_REF = (r"", {"targetGUID": ("GUID", True)}, None)
_TEXT_SOURCE = (r"(Description )?(PlainTextContent )?(PlainTextSelection )*(Coding )*(NoteRef )*(VariableValue )*",
                _TEXT_SOURCE_ATTRS, None)
# element → (children as a regular expression over their names, attributes {name: (type, required)},
# type of the element's text or None). From Project.xsd 1.0 (REFI, 2019-03-18), text-project subset.
_PROJECT_RULES: dict[str, tuple[str, dict, str | None]] = {
    "Project": (r"(Users )?(CodeBook )?(Variables )?(Cases )?(Sources )?(Notes )?(Links )?(Sets )?(Graphs )?"
                r"(Description )?(NoteRef )*",
                {"name": ("string", True), "origin": ("string", False), "creatingUserGUID": ("GUID", False),
                 "creationDateTime": ("dateTime", False), "modifyingUserGUID": ("GUID", False),
                 "modifiedDateTime": ("dateTime", False), "basePath": ("string", False)}, None),
    "Users": (r"(User )+", {}, None),
    "User": (r"", {"guid": ("GUID", True), "name": ("string", False), "id": ("string", False)}, None),
    "CodeBook": (r"Codes ", {}, None),
    "Codes": (r"(Code )+", {}, None),
    "Code": (r"(Description )?(NoteRef )*(Code )*", {"guid": ("GUID", True), "name": ("string", True),
                                                     "isCodable": ("boolean", True), "color": ("RGB", False)}, None),
    "Variables": (r"(Variable )+", {}, None),
    "Variable": (r"(Description )?", {"guid": ("GUID", True), "name": ("string", True),
                                      "typeOfVariable": ("typeOfVariable", True)}, None),
    "Cases": (r"(Case )+", {}, None),
    "Case": (r"(Description )?(CodeRef )*(VariableValue )*(SourceRef )*(SelectionRef )*",
             {"guid": ("GUID", True), "name": ("string", False)}, None),
    "VariableValue": (r"VariableRef (TextValue |BooleanValue |IntegerValue |FloatValue |DateValue |DateTimeValue )?",
                      {}, None),
    "Sources": (r"(TextSource |PictureSource |PDFSource |AudioSource |VideoSource )+", {}, None),
    "TextSource": _TEXT_SOURCE, "Note": _TEXT_SOURCE,
    "PlainTextSelection": (r"(Description )?(Coding )*(NoteRef )*",
                           {"guid": ("GUID", True), "name": ("string", False), "startPosition": ("integer", True),
                            "endPosition": ("integer", True), "creatingUser": ("GUID", False),
                            "creationDateTime": ("dateTime", False), "modifyingUser": ("GUID", False),
                            "modifiedDateTime": ("dateTime", False)}, None),
    "Coding": (r"CodeRef (NoteRef )*", {"guid": ("GUID", True), "creatingUser": ("GUID", False),
                                        "creationDateTime": ("dateTime", False)}, None),
    "Notes": (r"(Note )+", {}, None),
    "Links": (r"(Link )+", {}, None),
    "Link": (r"(NoteRef )*", {"guid": ("GUID", True), "name": ("string", False), "direction": ("direction", False),
                              "color": ("RGB", False), "originGUID": ("GUID", False),
                              "targetGUID": ("GUID", False)}, None),
    "Sets": (r"(Set )+", {}, None),
    "Set": (r"(Description )?(MemberCode )*(MemberSource )*(MemberNote )*",
            {"guid": ("GUID", True), "name": ("string", True)}, None),
    "CodeRef": _REF, "NoteRef": _REF, "SourceRef": _REF, "SelectionRef": _REF, "VariableRef": _REF,
    "MemberCode": _REF, "MemberSource": _REF, "MemberNote": _REF,
    "Description": (r"", {}, "string"), "PlainTextContent": (r"", {}, "string"),
    "TextValue": (r"", {}, "string"), "BooleanValue": (r"", {}, "boolean"), "IntegerValue": (r"", {}, "integer"),
    "FloatValue": (r"", {}, "decimal"), "DateValue": (r"", {}, "date"), "DateTimeValue": (r"", {}, "dateTime"),
}
# Non-text sources and graphs are allowed where the schema allows them but not checked inside.
_NOT_CHECKED = {"PictureSource", "PDFSource", "AudioSource", "VideoSource", "Graphs"}
_CODEBOOK_RULES = {
    "CodeBook": (r"Codes (Sets )?", {"origin": ("string", False)}, None),
    "Codes": (r"(Code )+", {}, None),
    "Code": (r"(Description )?(Code )*", {"guid": ("GUID", True), "name": ("string", True),
                                          "isCodable": ("boolean", True), "color": ("RGB", False)}, None),
    "Sets": (r"(Set )+", {}, None),
    "Set": (r"(Description )?(MemberCode )*", {"guid": ("GUID", True), "name": ("string", True)}, None),
    "MemberCode": (r"", {"guid": ("GUID", True)}, None),
    "Description": (r"", {}, "string"),
}


def _parse(xml: bytes, what: str) -> etree._Element:
    try:
        return etree.fromstring(xml, etree.XMLParser(resolve_entities=False, no_network=True))
    except etree.XMLSyntaxError as exc:
        raise InputFileError(f"{what}: not well-formed XML ({exc})") from None


def _validate_tree(root: etree._Element, rules: dict, ns: str, root_name: str) -> list[str]:
    problems: list[str] = []
    if root.tag != f"{{{ns}}}{root_name}":
        return [f"line {root.sourceline}: the root element must be {root_name} in namespace {ns}, found {root.tag}"]
    compiled = {name: re.compile(rule[0]) for name, rule in rules.items()}
    stack = [root]
    while stack:
        el = stack.pop()
        where = f"line {el.sourceline}, <{etree.QName(el).localname}>"
        qname = etree.QName(el)
        if qname.namespace != ns:
            problems.append(f"{where}: element not in namespace {ns}")
            continue
        name = qname.localname
        if name in _NOT_CHECKED and rules is _PROJECT_RULES:
            continue
        if name not in rules:
            problems.append(f"{where}: element not allowed here")
            continue
        content, attributes, text_type = rules[name]
        children = [c for c in el if isinstance(c.tag, str)]
        sequence = "".join(etree.QName(c).localname + " " for c in children)
        if not compiled[name].fullmatch(sequence):
            problems.append(f"{where}: children [{sequence.strip()}] do not match the schema's ({content.strip()})")
        for attr, value in el.attrib.items():
            aname = etree.QName(attr)
            if aname.namespace == XSI:
                continue
            if aname.namespace is not None or aname.localname not in attributes:
                problems.append(f"{where}: attribute {attr!r} is not allowed")
            elif not _SIMPLE[attributes[aname.localname][0]](value):
                problems.append(f"{where}: attribute {attr}={value!r} is not a valid {attributes[aname.localname][0]}")
        for attr, (_, required) in attributes.items():
            if required and attr not in el.attrib:
                problems.append(f"{where}: required attribute {attr!r} is missing")
        if text_type and not _SIMPLE[text_type](el.text or ""):
            problems.append(f"{where}: text {el.text!r} is not a valid {text_type}")
        if not text_type and (el.text or "").strip():
            problems.append(f"{where}: element must not contain text")
        stack.extend(reversed(children))
    return problems


def validate_project(xml: bytes, files: dict[str, str] | None = None) -> list[str]:
    """Problems of a REFI-QDA project (empty list: valid); ``files`` maps zip names to source texts."""
    root = _parse(xml, "project.qde")
    problems = _validate_tree(root, _PROJECT_RULES, NS, "Project")
    if problems:
        return problems
    files = files or {}
    q = f"{{{NS}}}"
    guids: dict[str, int] = {}
    for el in root.iter():
        g = el.get("guid") if isinstance(el.tag, str) else None
        if g is not None:
            if g.lower() in guids:
                problems.append(f"line {el.sourceline}: guid {g} is also used on line {guids[g.lower()]}")
            guids.setdefault(g.lower(), el.sourceline)
    targets = {
        "CodeRef": {e.get("guid").lower() for e in root.iter(q + "Code")},
        "VariableRef": {e.get("guid").lower() for e in root.iter(q + "Variable")},
        "SourceRef": {e.get("guid").lower() for s in root.iter(q + "Sources") for e in s},
        "SelectionRef": {e.get("guid").lower() for e in root.iter(q + "PlainTextSelection")},
        "NoteRef": {e.get("guid").lower() for e in root.iter(q + "Note")},
    }
    targets["MemberCode"], targets["MemberSource"], targets["MemberNote"] = (
        targets["CodeRef"], targets["SourceRef"], targets["NoteRef"])
    for kind, known in targets.items():
        for el in root.iter(q + kind):
            if el.get("targetGUID").lower() not in known:
                problems.append(f"line {el.sourceline}: <{kind}> targetGUID {el.get('targetGUID')} refers to nothing")
    users = {e.get("guid").lower() for e in root.iter(q + "User")}
    for el in root.iter():
        for attr in ("creatingUser", "modifyingUser", "creatingUserGUID", "modifyingUserGUID"):
            if isinstance(el.tag, str) and el.get(attr) and el.get(attr).lower() not in users:
                problems.append(f"line {el.sourceline}: {attr} {el.get(attr)} is not a User of the project")
    variable_type = {e.get("guid").lower(): e.get("typeOfVariable") for e in root.iter(q + "Variable")}
    value_element = {"Text": "TextValue", "Boolean": "BooleanValue", "Integer": "IntegerValue",
                     "Float": "FloatValue", "Date": "DateValue", "DateTime": "DateTimeValue"}
    for vv in root.iter(q + "VariableValue"):
        ref = vv.find(q + "VariableRef").get("targetGUID").lower()
        values = [etree.QName(c).localname for c in vv if isinstance(c.tag, str)][1:]
        if ref in variable_type and values and values[0] != value_element[variable_type[ref]]:
            problems.append(f"line {vv.sourceline}: a {variable_type[ref]} variable needs "
                            f"<{value_element[variable_type[ref]]}>, found <{values[0]}>")
    for src in root.iter(q + "TextSource", q + "Note"):
        inline = src.find(q + "PlainTextContent")
        path = src.get("plainTextPath")
        where = f"line {src.sourceline}, <TextSource name={src.get('name')!r}>"
        if (inline is None) == (path is None):
            problems.append(f"{where}: needs either <PlainTextContent> or plainTextPath, not both or neither")
            continue
        if inline is not None:
            text = inline.text or ""
        elif path.startswith("internal://"):
            member = "sources/" + path[len("internal://"):]
            if member not in files:
                problems.append(f"{where}: plainTextPath {path} is not in the project's sources/ folder")
                continue
            text = files[member]
        else:
            continue  # an external file: nothing to check against
        for sel in src.findall(q + "PlainTextSelection"):
            start, end = int(sel.get("startPosition")), int(sel.get("endPosition"))
            if not 0 <= start <= end <= len(text):
                problems.append(f"line {sel.sourceline}: selection {start}-{end} lies outside the source's "
                                f"{len(text)} characters (or ends before it starts)")
    return problems


def validate_qdpx(path: str | Path, xsd: str | Path | None = None) -> list[str]:
    """Problems of a .qdpx file (see :func:`validate_project`); with ``xsd``, the path of the official
    ``Project.xsd``, also the schema's own findings."""
    xml, files = _read_zip(path)
    problems = validate_project(xml, files)
    if xsd is not None:
        try:
            schema = etree.XMLSchema(etree.parse(str(xsd)))
        except (OSError, etree.XMLSchemaParseError, etree.XMLSyntaxError) as exc:
            raise InputFileError(f"{xsd}: not a readable XML schema ({exc})") from None
        if not schema.validate(_parse(xml, f"{path}: project.qde")):
            problems += [f"line {e.line}: {e.message} (XSD)" for e in schema.error_log]
    return problems


def _read_zip(path: str | Path) -> tuple[bytes, dict[str, str]]:
    path = Path(path)
    try:
        with zipfile.ZipFile(path) as z:
            names = z.namelist()
            if "project.qde" not in names:
                raise InputFileError(f"{path}: a .qdpx file needs project.qde at the top of the zip")
            xml = z.read("project.qde")
            files = {}
            for n in names:
                if n.startswith("sources/") and n.lower().endswith(".txt"):
                    try:
                        files[n] = z.read(n).decode("utf-8-sig")
                    except UnicodeDecodeError as exc:  # REFI-QDA's text sources are UTF-8
                        raise InputFileError(f"{path}: {n}, byte {exc.start + 1}: not UTF-8, as a REFI-QDA text "
                                             "source must be") from None
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    except zipfile.BadZipFile:
        raise InputFileError(f"{path}: not a .qdpx (zip) file") from None
    return xml, files


# -- reading --------------------------------------------------------------------------------------


@dataclass
class QdaSelection:
    start: int
    end: int
    codings: list[tuple[str, str | None]]  # (code guid, user guid)


@dataclass
class QdaSource:
    guid: str
    name: str
    text: str
    description: str = ""
    selections: list[QdaSelection] = field(default_factory=list)


@dataclass
class QdaProject:
    """The text part of a REFI-QDA project, as read."""

    name: str
    origin: str
    codebook: Codebook
    code_guids: dict[str, str]   # code guid (lower case) → code id
    users: dict[str, str]        # user guid (lower case) → name
    sources: list[QdaSource]
    cases: list[dict]            # {"name", "variables": {name: value}, "sources": [guid]}


def _slug(name: str) -> str:
    folded = unicodedata.normalize("NFKD", name.replace("æ", "ae").replace("ø", "o").replace("Æ", "Ae")
                                   .replace("Ø", "O")).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9]+", "_", folded.lower()).strip("_")
    return slug if slug[:1].isalpha() else f"k_{slug}"


def _codes_from(codes_el, ns: str, id_by_guid: dict[str, str] | None) -> tuple[list[Code], dict[str, str]]:
    codes: list[Code] = []
    guids: dict[str, str] = {}
    used: set[str] = set()

    def walk(parent_el, parent_id):
        for el in parent_el.findall(f"{{{ns}}}Code"):
            g = el.get("guid").lower()
            code_id = (id_by_guid or {}).get(g) or _slug(el.get("name"))
            base, n = code_id, 2
            while code_id in used:
                code_id, n = f"{base}_{n}", n + 1
            used.add(code_id)
            guids[g] = code_id
            desc = el.find(f"{{{ns}}}Description")
            codes.append(Code(id=code_id, name=el.get("name"), description=(desc.text or "") if desc is not None else "",
                              parent=parent_id, color=el.get("color")))
            walk(el, code_id)

    walk(codes_el, None)
    return codes, guids


def read_qdc(path: str | Path, known: Codebook | None = None) -> Codebook:
    """Read a REFI-QDA codebook (.qdc). Code ids are taken from ``known`` (a codebook exported by us)
    where the GUIDs match, else made from the code names; keywords and sections are not part of the
    exchange format and come back empty."""
    path = Path(path)
    try:
        xml = path.read_bytes()
    except FileNotFoundError:
        raise InputFileError(f"{path}: no such file") from None
    root = _parse(xml, str(path))
    problems = _validate_tree(root, _CODEBOOK_RULES, NS_CODEBOOK, "CodeBook")
    if problems:
        raise InputFileError(f"{path}: not a valid REFI-QDA codebook:\n  " + "\n  ".join(problems[:20]))
    id_by_guid = {guid("code", known.id, c.id): c.id for c in known} if known else None
    codes, _ = _codes_from(root.find(f"{{{NS_CODEBOOK}}}Codes"), NS_CODEBOOK, id_by_guid)
    return Codebook(id=path.stem, title=path.stem, codes=tuple(_carry_over(codes, known)))


def _carry_over(codes: list[Code], known: Codebook | None) -> list[Code]:
    """Keep keywords, sections and guide topics of codes we know (they are not in the exchange format)."""
    if known is None:
        return codes
    return [Code(c.id, c.name, c.description, known[c.id].keywords, c.parent, known[c.id].section,
                 known[c.id].guide, c.color) if c.id in known else c for c in codes]


def read_qdpx(path: str | Path, known: Codebook | None = None) -> QdaProject:
    """Read a REFI-QDA project's text sources, codes, codings, users and cases (after validating it)."""
    xml, files = _read_zip(path)
    problems = validate_project(xml, files)
    if problems:
        raise InputFileError(f"{path}: not a valid REFI-QDA project:\n  " + "\n  ".join(problems[:20]))
    root = _parse(xml, f"{path}: project.qde")  # the parser that read it for validation: no entities
    q = f"{{{NS}}}"
    id_by_guid = {guid("code", known.id, c.id): c.id for c in known} if known else None
    codes_el = root.find(f"{q}CodeBook/{q}Codes")
    codes, code_guids = _codes_from(codes_el, NS, id_by_guid) if codes_el is not None else ([], {})
    sections = known.sections if known else ()
    codebook = Codebook(id=known.id if known else _slug(root.get("name")), title=known.title if known else root.get("name"),
                        codes=tuple(_carry_over(codes, known)), sections=sections)
    users = {u.get("guid").lower(): u.get("name") or u.get("id") or u.get("guid") for u in root.iter(q + "User")}
    sources = []
    for src in root.iter(q + "TextSource"):
        inline = src.find(q + "PlainTextContent")
        path_attr = src.get("plainTextPath") or ""
        if inline is not None:
            text = inline.text or ""
        elif path_attr.startswith("internal://"):
            text = files["sources/" + path_attr[len("internal://"):]]
        else:
            raise InputFileError(f"{path}: source {src.get('name')!r} refers to an external file {path_attr!r}, "
                                 "which is not in the project")
        desc = src.find(q + "Description")
        source = QdaSource(src.get("guid").lower(), src.get("name") or src.get("guid"), text,
                           (desc.text or "") if desc is not None else "")
        for sel in src.findall(q + "PlainTextSelection"):
            codings = [(c.find(q + "CodeRef").get("targetGUID").lower(), (c.get("creatingUser") or sel.get("creatingUser")
                                                                         or "").lower() or None)
                       for c in sel.findall(q + "Coding")]
            source.selections.append(QdaSelection(int(sel.get("startPosition")), int(sel.get("endPosition")), codings))
        sources.append(source)
    variable_name = {v.get("guid").lower(): v.get("name") for v in root.iter(q + "Variable")}
    cases = []
    for case in root.iter(q + "Case"):
        variables = {}
        for vv in case.findall(q + "VariableValue"):
            values = [c for c in vv if isinstance(c.tag, str)][1:]
            variables[variable_name[vv.find(q + "VariableRef").get("targetGUID").lower()]] = (
                values[0].text or "" if values else "")
        cases.append({"name": case.get("name") or "", "variables": variables,
                      "sources": [s.get("targetGUID").lower() for s in case.findall(q + "SourceRef")]})
    return QdaProject(root.get("name"), root.get("origin") or "", codebook, code_guids, users, sources, cases)


def import_project(path: str | Path, known: Codebook | None = None) -> tuple[list[Interview], pd.DataFrame, Codebook]:
    """A REFI-QDA project as interviews, codings and codebook.

    Each text source must be in the turn layout we export ('Speaker [m:ss]: speech' lines, '#' title);
    a selection codes every turn whose speech it overlaps. The informant of a source is its case's
    name (other speakers are interviewers). A project written by this program counts as pseudonymised
    (we only export pseudonymised interviews); any other does not, and must be pseudonymised again."""
    project = read_qdpx(path, known)
    ours = project.origin.startswith("fjernarbeid")
    informant_of = {g: case for case in project.cases for g in case["sources"]}
    interviews, rows = [], []
    for src in project.sources:
        lines = src.text.splitlines(keepends=True)
        raw, notes = parse_turn_lines(lines, f"{path}, source {src.name!r}")
        case = informant_of.get(src.guid)
        role_of = (lambda s: "informant" if s == case["name"] else "interviewer") if case else (lambda s: "informant")
        turns = merge_consecutive(Turn(0, t.speaker, role_of(t.speaker), t.text, t.start, None, t.line) for t in raw)
        title = notes[0] if notes else ""
        interview = Interview(id=src.name, source=f"{src.name}.txt", turns=turns, date=parse_date(src.description),
                              title=title, notes=tuple(notes[1:]),
                              attributes=dict(case["variables"]) if case else {}, pseudonymised=ours)
        interviews.append(interview)
        # Each turn owns the source text from its first line to the next turn's first line; a selection
        # codes every turn whose text it overlaps.
        line_start = pd.Series([len(ln) for ln in lines]).cumsum().shift(fill_value=0)
        regions = pd.DataFrame({"start": line_start.iloc[[t.line - 1 for t in raw]].to_numpy(),
                                "speaker": [t.speaker for t in raw]})
        regions["end"] = regions["start"].shift(-1, fill_value=len(src.text))
        regions["turn"] = (regions["speaker"] != regions["speaker"].shift()).cumsum()
        for sel in src.selections:
            hit = regions.loc[(regions["start"] < max(sel.end, sel.start + 1)) & (regions["end"] > sel.start), "turn"]
            for code_guid, user in sel.codings:
                rows += [{"interview": interview.id, "turn": int(n), "code": project.code_guids[code_guid],
                          "coder": project.users.get(user or "", "ukjent")} for n in hit.unique()]
    codings = pd.DataFrame(rows, columns=CODING_COLUMNS) if rows else empty_codings()
    return interviews, codings.astype({"turn": "int64"}), project.codebook

"""The one YAML loader of the package: safe, and bounded in size, expansion and nesting.

Every YAML file the program reads (questionnaires, findings catalogues, column mappings, interview
codebooks, pseudonym lists, coding tables) goes through :func:`load_yaml`. PyYAML's ``safe_load``
builds no objects but will follow aliases: a 600-byte "billion laughs" file (nine anchors, each a
list of nine aliases to the previous one) describes 9⁹ ≈ 387 million nodes, and whoever walks the
result (``str()``, a copy, a check of every entry) spends minutes and gigabytes on it. Here the
document is composed into its node graph first, its *expanded* size counted with a memo (linear in
the size of the file), and only a document below :data:`MAX_NODES` is constructed. Recursive
aliases (``&a [*a]``), which no configuration file needs, are refused too.

The document is scanned, parsed and composed by libyaml where PyYAML was built with it (ten times
faster than the pure-Python scanner; libyaml refuses control characters and nesting deeper than
1,000 levels itself), and by PyYAML's own reader otherwise; both compose the same node graph, in
which an alias is its anchor's node object, so the checks below are the same for either.
"""

from __future__ import annotations

import re
from typing import Any

import yaml

from fjernarbeid.errors import FjernarbeidError, InputFileError

MAX_BYTES = 10_000_000  # the largest file of the package is 22 kB; a mapping of 10,000 columns is 300 kB
MAX_NODES = 1_000_000  # scalars, lists and mappings after following every alias
MAX_ALIASES = 10_000  # alias uses in one document

_SafeLoader = getattr(yaml, "CSafeLoader", yaml.SafeLoader)  # libyaml's parser, PyYAML's safe constructor


def load_yaml(text: str | bytes, where: str, error: type[FjernarbeidError] = InputFileError) -> Any:
    """The YAML document ``text`` as Python data (``None`` for an empty document).

    Raises ``error`` (an :class:`InputFileError` unless the caller's domain has its own) naming
    ``where`` for invalid YAML, a file over :data:`MAX_BYTES`, more than :data:`MAX_ALIASES` alias
    uses, an expansion over :data:`MAX_NODES` nodes, recursive aliases or too deep nesting.
    """
    if isinstance(text, bytes) and (text[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in text[:4096]):
        # UTF-16/32 (with a byte-order mark, or recognised by its NUL bytes), by the one rule of
        # every text file; read as UTF-8 its NULs would be "unacceptable character #x0000".
        from fjernarbeid._io import decode_text

        try:
            text, _ = decode_text(text, where)
        except FjernarbeidError as exc:
            raise error(str(exc)) from None
    if isinstance(text, bytes):
        try:
            text = text.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            line = text[: exc.start].count(b"\n") + 1
            shown = text[exc.start:exc.start + 1].decode("cp1252", errors="replace")
            raise error(f"{where}: not UTF-8 text at line {line} (byte {exc.start + 1}, {shown!r} in Windows-1252, "
                        "cannot be decoded); YAML files must be saved as UTF-8") from None
    if len(text) > MAX_BYTES:
        raise error(f"{where}: {len(text):,} characters is too large for a YAML file of this program "
                    f"(at most {MAX_BYTES:,})")
    loader = None
    try:
        loader = _SafeLoader(text)  # refuses control characters already here
        node = loader.get_single_node()
        if node is None:
            return None
        _check_expansion(node, where, error)
        _refuse_control_characters(node, where, error)
        return loader.construct_document(node)
    except yaml.YAMLError as exc:
        raise error(f"{where}: not valid YAML: {exc}") from None
    except RecursionError:
        raise error(f"{where}: the YAML is nested too deeply to be a file of this program") from None
    finally:
        if loader is not None:
            loader.dispose()


def _check_expansion(root: yaml.Node, where: str, error: type[FjernarbeidError]) -> None:
    """Refuse a document that expands too far or refers to itself, and repeated keys.

    A document without aliases (every node reached once: a tree, as every file of the program)
    is its own size, known from one quick pass; the first node reached twice sends the document
    to the full count of :func:`_count_expansion`.
    """
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        key = id(node)
        if key in seen:
            _count_expansion(root, where, error)
            return
        seen.add(key)
        if isinstance(node, yaml.MappingNode):
            _refuse_repeated_keys(node, where, error)
            stack.extend(part for pair in node.value for part in pair)
        elif isinstance(node, yaml.SequenceNode):
            stack.extend(node.value)
    if len(seen) > MAX_NODES:
        _count_expansion(root, where, error)  # the same message as for an expansion


def _count_expansion(root: yaml.Node, where: str, error: type[FjernarbeidError]) -> None:
    """Count the nodes ``root`` stands for once every alias is followed, without following them.

    An alias in PyYAML's node graph is the very node object its anchor made, so the expanded size
    of a node is 1 + the sizes of its children, each node's size computed once (iteratively: a
    deeply nested file must not exhaust Python's stack here either).
    """
    size: dict[int, int] = {}
    visits: dict[int, int] = {}  # node → how often it is reached; more than once means an alias
    aliases = 0
    stack: list[tuple[yaml.Node, bool]] = [(root, False)]
    on_path: set[int] = set()
    while stack:
        node, children_done = stack.pop()
        key = id(node)
        if children_done:
            size[key] = 1 + sum(size[id(c)] for c in _children(node))
            on_path.discard(key)
            if size[key] > MAX_NODES:
                raise error(f"{where}: the YAML expands to more than {MAX_NODES:,} values through its aliases "
                            "(*name); this looks like an alias bomb, not a file of this program")
            continue
        if key in on_path:
            raise error(f"{where}: the YAML refers to itself through an alias (line {node.start_mark.line + 1}); "
                        "recursive documents are not accepted")
        if isinstance(node, yaml.MappingNode) and key not in size:
            _refuse_repeated_keys(node, where, error)
        visits[key] = visits.get(key, 0) + 1
        if visits[key] > 1:
            aliases += 1
            if aliases > MAX_ALIASES:
                raise error(f"{where}: more than {MAX_ALIASES:,} alias uses (*name); this looks like an alias "
                            "bomb, not a file of this program")
        if key in size:
            continue
        on_path.add(key)
        stack.append((node, True))
        stack.extend((c, False) for c in _children(node) if id(c) not in size)


# Characters XML 1.0 cannot hold, which a double-quoted YAML string can still spell with an escape ("\\v",
# "\\x01"; a text pasted from Word carries a vertical tab for its line break): a label holding one reaches a workbook,
# a Word document or an SPSS file, and each of them refuses it with an error of its own library.
_NOT_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff\ud800-\udfff]")


def _refuse_control_characters(root: yaml.Node, where: str, error: type[FjernarbeidError]) -> None:
    """Refuse a text holding a control character (or another character no XML file can hold), naming its line."""
    seen: set[int] = set()
    stack = [root]
    while stack:
        node = stack.pop()
        if id(node) in seen:
            continue
        seen.add(id(node))
        if isinstance(node, yaml.ScalarNode):
            found = _NOT_XML.search(node.value)
            if found:
                raise error(f"{where}, line {node.start_mark.line + 1}: the text {node.value[:60]!r} holds the control "
                            f"character U+{ord(found[0]):04X}, which no workbook, Word document or XML file can "
                            "hold; remove it (a line break is written \\n)")
        else:
            stack.extend(_children(node))


def _children(node: yaml.Node) -> list[yaml.Node]:
    if isinstance(node, yaml.SequenceNode):
        return list(node.value)
    if isinstance(node, yaml.MappingNode):
        return [part for pair in node.value for part in pair]
    return []


def _refuse_repeated_keys(node: yaml.MappingNode, where: str, error: type[FjernarbeidError]) -> None:
    """A key given twice in one mapping: YAML forbids it, and PyYAML silently keeps the last one, so
    a second ``findings:`` would replace the first without a word."""
    seen: dict[str, int] = {}
    for key, _ in node.value:
        if isinstance(key, yaml.ScalarNode) and key.tag != "tag:yaml.org,2002:merge":
            line = key.start_mark.line + 1
            if key.value in seen:
                raise error(f"{where}, line {line}: the key {key.value!r} is given twice in the same mapping "
                            f"(first at line {seen[key.value]}); YAML allows each key once")
            seen[key.value] = line

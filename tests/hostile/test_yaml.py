"""The one YAML loader: safe, bounded in size, expansion and nesting (fjernarbeid._yaml)."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

import fjernarbeid
from fjernarbeid import _yaml
from fjernarbeid._yaml import MAX_NODES, load_yaml
from fjernarbeid.errors import InputFileError, InstrumentError

LOADERS = [yaml.SafeLoader] + ([yaml.CSafeLoader] if hasattr(yaml, "CSafeLoader") else [])


@pytest.fixture(autouse=True, params=LOADERS, ids=lambda loader: loader.__name__)
def loader(request, monkeypatch):
    """Every rule below holds with libyaml's parser (used where PyYAML has it) and with PyYAML's own."""
    monkeypatch.setattr(_yaml, "_SafeLoader", request.param)
    return request.param


def bomb(levels: int) -> str:
    """The classic "billion laughs": each level a list of nine aliases to the one before."""
    text = 'a0: &a0 ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n'
    for i in range(1, levels + 1):
        text += f"a{i}: &a{i} [{','.join([f'*a{i - 1}'] * 9)}]\n"
    return text


def test_an_alias_bomb_is_refused_before_it_is_expanded():
    assert len(bomb(8)) < 700
    with pytest.raises(InputFileError, match=r"m\.yaml: the YAML expands to more than 1,000,000 values"):
        load_yaml(bomb(8), "m.yaml")
    with pytest.raises(InputFileError, match="alias bomb"):
        load_yaml(bomb(30), "m.yaml")  # 9^30 values: refused as quickly, the count is linear in the file


def test_anchors_and_aliases_of_ordinary_size_are_read():
    data = load_yaml("base: &b {a: 1, b: [1, 2]}\nother: *b\nmerged: {<<: *b, c: 3}\n", "x.yaml")
    assert data["other"] == {"a": 1, "b": [1, 2]}
    assert data["merged"] == {"a": 1, "b": [1, 2], "c": 3}
    assert 9 ** 6 < MAX_NODES  # a file of six levels of nine is still fine
    assert load_yaml(bomb(5), "x.yaml")["a5"][0][0][0][0][0] == ["lol"] * 9


@pytest.mark.parametrize("text, message", [
    ("a: &a [*a]\n", "refers to itself through an alias"),
    ("[" * 5000, "nested too deeply|not valid YAML"),
    ("\x1b", "not valid YAML"),
    ("a: !!python/object/apply:os.system ['true']\n", "not valid YAML"),
    (b"a: \xff\n", "not UTF-8"),
])
def test_hostile_yaml_is_an_error_naming_the_file(text, message):
    with pytest.raises(InputFileError, match=message) as raised:
        load_yaml(text, "hostile.yaml")
    assert str(raised.value).startswith("hostile.yaml: ")


def test_the_caller_chooses_the_error_of_its_domain():
    with pytest.raises(InstrumentError, match="q.yaml"):
        load_yaml("{", "q.yaml", InstrumentError)


def test_an_empty_document_is_none():
    assert load_yaml("", "e.yaml") is None
    assert load_yaml("# only a comment\n", "e.yaml") is None


def test_a_key_given_twice_is_an_error_naming_both_lines():
    """PyYAML keeps the last of two equal keys without a word: a second ``findings:`` would replace the first."""
    with pytest.raises(InputFileError, match=r"c\.yaml, line 3: the key 'findings' is given twice in the same "
                                             r"mapping \(first at line 1\)"):
        load_yaml("findings: [a]\ncode_sets: {}\nfindings: [b]\n", "c.yaml")
    assert load_yaml("a: {x: 1}\nb: {x: 2}\n", "c.yaml") == {"a": {"x": 1}, "b": {"x": 2}}  # same key, other mappings


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_utf16_yaml_is_read_by_the_rule_of_every_text_file(encoding):
    assert load_yaml("navn: Tønsberg\n".encode(encoding), "u.yaml") == {"navn": "Tønsberg"}


def test_a_binary_yaml_file_is_named_not_text():
    with pytest.raises(InputFileError, match=r"^b\.yaml: not a text file"):
        load_yaml(bytes(range(256)), "b.yaml")


def test_both_parsers_read_every_yaml_file_of_the_package_alike(loader):
    for path in sorted(Path(fjernarbeid.__file__).parent.rglob("*.yaml")):
        assert load_yaml(path.read_bytes(), path.name) == yaml.load(path.read_text("utf-8"), yaml.SafeLoader), path


def test_a_yaml_file_saved_in_windows_1252_names_its_line():
    """Notepad's "ANSI": 'ø' is byte F8, not UTF-8; the message names the line and the character."""
    text = "id: x\ntitle: {nb: \"Spørreundersøkelse\"}\n".encode("cp1252")
    with pytest.raises(InputFileError, match=r"study.yaml: not UTF-8 text at line 2 \(byte 22, 'ø' in Windows-1252"):
        load_yaml(text, "study.yaml")


@pytest.mark.parametrize("escape, code", [("\\v", "000B"), ("\\x01", "0001"), ("\\f", "000C"), ("\\uFFFE", "FFFE")])
def test_a_control_character_spelt_as_an_escape_is_refused_naming_its_line(escape, code):
    """libyaml refuses a control character typed in the file, but not one spelt as an escape in quotes;
    it reached the report and broke its workbook (openpyxl's IllegalCharacterError, a traceback)."""
    with pytest.raises(InputFileError, match=rf"q\.yaml, line 3: the text .* holds the control character U\+{code}"):
        load_yaml(f'a: 1\nb:\n  - "ja{escape}nei"\n', "q.yaml")
    assert load_yaml('a: "tab\\tand\\nline"\n', "q.yaml") == {"a": "tab\tand\nline"}

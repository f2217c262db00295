"""The transcript model: times, merging cues into turns, roles and the JSON file between steps."""

from __future__ import annotations

import json

import pytest

from fjernarbeid.errors import InputFileError
from fjernarbeid.interviews.transcript import (Interview, Turn, assign_roles, format_time, merge_consecutive,
                                               parse_time, read_interview, read_interviews)


@pytest.mark.parametrize("text, seconds", [("0:03", 3), ("12:34", 754), ("1:02:03", 3723),
                                            ("00:01:02.500", 62.5), ("01:00:00.007", 3600.007), ("0:07,25", 7.25)])
def test_parse_time(text, seconds):
    assert parse_time(text) == pytest.approx(seconds)


@pytest.mark.parametrize("bad", ["3", "0:60", "1:75:00", "abc", "1:2"])
def test_parse_time_rejects(bad):
    with pytest.raises(ValueError):
        parse_time(bad)


def test_format_time_as_teams_shows_it():
    assert [format_time(s) for s in (None, 3.9, 754, 3723)] == ["", "0:03", "12:34", "1:02:03"]


def test_consecutive_turns_of_one_speaker_merge_and_are_renumbered():
    cues = [Turn(0, "Kari", "informant", "Ja,", 1.0, 2.0), Turn(0, "Kari", "informant", "det stemmer.", 2.0, 3.5),
            Turn(0, "Anne", "informant", "Takk.", 4.0, 5.0), Turn(0, "Kari", "informant", "Bare hyggelig.", 5.0, 6.0)]
    turns = merge_consecutive(cues)
    assert [(t.number, t.speaker, t.text, t.start, t.end) for t in turns] == [
        (1, "Kari", "Ja, det stemmer.", 1.0, 3.5), (2, "Anne", "Takk.", 4.0, 5.0), (3, "Kari", "Bare hyggelig.", 5.0, 6.0)]
    roles = assign_roles(turns, ["  anne "])
    assert [t.role for t in roles] == ["informant", "interviewer", "informant"]


def test_json_round_trip_and_checks(tmp_path):
    iv = Interview("x", "x.vtt", (Turn(1, "A", "interviewer", "Hei?", 1.0, 2.0, 3), Turn(2, "B", "informant", "Hei!")),
                   title="SYNTETISK test", attributes={"kommune": "Kvam"})
    path = iv.write(tmp_path)
    assert path.name == "x.json" and read_interview(path) == iv and iv.synthetic
    assert read_interviews([tmp_path]) == [iv]
    data = json.loads(path.read_text())
    data["turns"][1]["role"] = "guest"
    bad = tmp_path / "bad.json"
    bad.write_text(json.dumps(data))
    with pytest.raises(InputFileError, match=r"bad.json: turn 2: role must be"):
        read_interview(bad)
    with pytest.raises(InputFileError, match="also used by"):
        read_interviews([path, tmp_path / "copy.json"] if (tmp_path / "copy.json").write_text(path.read_text()) else [])

"""Reading Teams WebVTT, Teams Word and plain-text transcripts; clear errors; originals untouched."""

from __future__ import annotations

import datetime as dt

import docx
import pytest

from fjernarbeid.errors import InputFileError
from fjernarbeid.interviews.importers import parse_date, read_docx, read_transcript, read_txt, read_vtt

VTT = """WEBVTT

NOTE SYNTETISK testfil

1f0e3a52-7e1b-4f0b-9d0a-2b5c7a1e9f10/17-0
00:00:03.120 --> 00:00:06.480
<v Anne Kristin Dahl>Hvorfor startet du</v>

1f0e3a52-7e1b-4f0b-9d0a-2b5c7a1e9f10/17-1
00:00:06.480 --> 00:00:08.000
<v Anne Kristin Dahl>med fjernarbeid?</v>

1f0e3a52-7e1b-4f0b-9d0a-2b5c7a1e9f10/18-0
00:00:09.000 --> 00:00:12.250
<v Kari Haugland>Vi flyttet hjem &amp; tok
jobben med.</v>

1f0e3a52-7e1b-4f0b-9d0a-2b5c7a1e9f10/18-1
00:00:12.250 --> 00:01:02.000
<v Kari Haugland>Det var <i>lett</i>.</v>
"""


def write(path, text):
    path.write_text(text, encoding="utf-8")
    return path


def test_vtt_cues_of_one_speaker_become_one_turn(tmp_path):
    iv = read_vtt(write(tmp_path / "kari.vtt", VTT), interviewers=["Anne Kristin Dahl"])
    assert iv.id == "kari" and iv.source == "kari.vtt" and iv.notes == ("SYNTETISK testfil",) and iv.synthetic
    assert [(t.number, t.speaker, t.role, t.start, t.end, t.text) for t in iv.turns] == [
        (1, "Anne Kristin Dahl", "interviewer", 3.12, 8.0, "Hvorfor startet du med fjernarbeid?"),
        (2, "Kari Haugland", "informant", 9.0, 62.0, "Vi flyttet hjem & tok jobben med. Det var lett."),
    ]
    assert iv.turns[1].timestamp == "0:09" and iv.turns[1].line == 14  # its first timing line


@pytest.mark.parametrize("text, message", [
    ("WEBVT\n\n00:00:01.000 --> 00:00:02.000\n<v A>x</v>\n", r"line 1: expected the 'WEBVTT' header"),
    ("WEBVTT\n\nabc/1-0\n00:00:01.000 -> 00:00:02.000\n<v A>x</v>\n", r"line 4: expected a cue timing line .* after the cue id"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:0x.000\n<v A>x</v>\n", r"line 3: expected a cue timing line"),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:02.000\n<v A>x</v>\n", r"line 3: the cue ends .* before it starts"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\nA: x\n", r"line 4: expected a voice tag '<v Speaker Name>'"),
    ("WEBVTT\n\n00:00:05.000 --> 00:00:06.000\n<v A>x</v>\n\n00:00:01.000 --> 00:00:02.000\n<v B>y</v>\n",
     r"line 6: cue starts at 00:00:01.000, before the previous cue"),
    ("WEBVTT\n\n00:00:01.000 --> 00:00:02.000\n<v A>x</v> and then y\n", r"line 4: text outside a voice tag, 'and then y'"),
])
def test_vtt_errors_name_file_line_and_expectation(tmp_path, text, message):
    path = write(tmp_path / "bad.vtt", text)
    with pytest.raises(InputFileError, match=rf"bad.vtt, {message}" if "line" in message else message):
        read_vtt(path)


def test_every_voice_of_a_cue_is_read(tmp_path):
    """WebVTT lets a cue hold several voices; only the first was read, and the others' words were dropped
    without a word (and their speakers never reached the pseudonym check)."""
    path = write(tmp_path / "k.vtt", "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Kari Haugland>Ja.</v> "
                                     "<v Ole Vik>Nei, ring 912 34 567.</v>\n\n00:00:06.000 --> 00:00:07.000\n"
                                     "<v.loud Ole Vik>Hei <v Kari Haugland>Hallo\n")
    iv = read_vtt(path)
    assert [(t.speaker, t.text) for t in iv.turns] == [("Kari Haugland", "Ja."), ("Ole Vik", "Nei, ring 912 34 567. Hei"),
                                                       ("Kari Haugland", "Hallo")]


def teams_docx(path, turns, header=("Intervju 4", "6. mars 2025, 10:02", "57m 3s"), speech_own_paragraph=False):
    """A Word transcript in Teams' layout: each turn one paragraph, 'Name   m:ss', line break, speech."""
    d = docx.Document()
    for line in header:
        d.add_paragraph(line)
    d.add_paragraph("Anne Kristin Dahl startet transkripsjonen")
    for name, stamp, text in turns:
        p = d.add_paragraph()
        p.add_run(f"{name}   {stamp}").add_break()
        if speech_own_paragraph:
            d.add_paragraph(text)
        else:
            p.add_run(text)
    d.add_paragraph("Anne Kristin Dahl stopped transcription")
    d.save(path)
    return path


def test_docx_paragraph_per_turn_with_line_breaks(tmp_path):
    path = teams_docx(tmp_path / "t.docx", [("Anne Kristin Dahl", "0:03", "Hvor jobber du?"),
                                            ("Magnus Tveit", "0:09", "I et kontorfellesskap."),
                                            ("Magnus Tveit", "0:15", "Med cellekontor."),
                                            ("Anne Kristin Dahl", "1:02:07", "Takk!")])
    iv = read_docx(path, interviewers=["Anne Kristin Dahl"])
    assert iv.title == "Intervju 4" and iv.date == dt.date(2025, 3, 6) and iv.notes == ("6. mars 2025, 10:02", "57m 3s")
    assert [(t.speaker, t.role, t.start, t.end, t.text) for t in iv.turns] == [
        ("Anne Kristin Dahl", "interviewer", 3.0, None, "Hvor jobber du?"),
        ("Magnus Tveit", "informant", 9.0, None, "I et kontorfellesskap. Med cellekontor."),
        ("Anne Kristin Dahl", "interviewer", 3727.0, None, "Takk!"),
    ]
    assert all("transkripsjon" not in t.text and "transcription" not in t.text for t in iv.turns)


def test_docx_with_speech_in_its_own_paragraph(tmp_path):
    path = teams_docx(tmp_path / "t.docx", [("A B", "0:01", "Første."), ("C D", "0:05", "Andre.")],
                      speech_own_paragraph=True)
    assert [(t.speaker, t.text) for t in read_docx(path).turns] == [("A B", "Første."), ("C D", "Andre.")]


def test_docx_errors(tmp_path):
    not_docx = write(tmp_path / "x.docx", "plain text")
    with pytest.raises(InputFileError, match=r"x.docx: not a Word .docx file"):
        read_docx(not_docx)
    empty = docx.Document()
    empty.add_paragraph("Bare en overskrift")
    empty.save(tmp_path / "none.docx")
    with pytest.raises(InputFileError, match=r"none.docx: no turn found; expected paragraphs whose first line is"):
        read_docx(tmp_path / "none.docx")
    backwards = teams_docx(tmp_path / "back.docx", [("A B", "0:09", "x"), ("C D", "0:05", "y")])
    with pytest.raises(InputFileError, match=r"back.docx, paragraph 6: turn time 0:05 is earlier"):
        read_docx(backwards)


def test_txt_forms_continuations_and_notes(tmp_path):
    path = write(tmp_path / "t.txt", "# Intervju 2 (SYNTETISK)\n\n[0:03] Anne Kristin Dahl: Hvorfor flyttet du?\n"
                 "Ole-Martin Berge (0:10): Det er sånn: kona er harding.\nOg vi ville hjem.\n"
                 "1:02:03 Anne Kristin Dahl: Takk.\nInformant 3: uten tid\n")
    iv = read_txt(path, interviewers=["Anne Kristin Dahl"])
    assert iv.title == "Intervju 2 (SYNTETISK)"
    assert [(t.speaker, t.role, t.start, t.text) for t in iv.turns] == [
        ("Anne Kristin Dahl", "interviewer", 3.0, "Hvorfor flyttet du?"),
        ("Ole-Martin Berge", "informant", 10.0, "Det er sånn: kona er harding. Og vi ville hjem."),
        ("Anne Kristin Dahl", "interviewer", 3723.0, "Takk."),
        ("Informant 3", "informant", None, "uten tid"),
    ]


def test_txt_errors(tmp_path):
    with pytest.raises(InputFileError, match=r"t.txt, line 2: expected a turn 'Name: text'"):
        read_txt(write(tmp_path / "t.txt", "\nbare tekst uten taler\nKari: hei\n"))
    with pytest.raises(InputFileError, match=r"e.txt: the file is empty"):
        read_txt(write(tmp_path / "e.txt", "  \n"))
    (tmp_path / "l.txt").write_bytes("Kari: hei\nOle: h\xe5\n".encode("latin-1"))
    with pytest.raises(InputFileError, match=r"l.txt, line 2: not UTF-8"):
        read_txt(tmp_path / "l.txt")
    with pytest.raises(InputFileError, match=r"unknown transcript format '.srt'"):
        read_transcript(write(tmp_path / "t.srt", "1\n"))


def test_originals_are_never_modified(tmp_path):
    files = [write(tmp_path / "a.vtt", VTT), write(tmp_path / "b.txt", "Kari: hei\n"),
             teams_docx(tmp_path / "c.docx", [("A B", "0:01", "x")])]
    before = [(f.read_bytes(), f.stat().st_mtime_ns) for f in files]
    for f in files:
        read_transcript(f).write(tmp_path / "out")
    assert [(f.read_bytes(), f.stat().st_mtime_ns) for f in files] == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["a.vtt", "b.txt", "c.docx", "out"]


@pytest.mark.parametrize("text, date", [("6. mars 2025, 10:02", dt.date(2025, 3, 6)),
                                        ("March 6, 2025, 10:02AM", dt.date(2025, 3, 6)),
                                        ("2025-04-03", dt.date(2025, 4, 3)), ("03.04.2025", dt.date(2025, 4, 3)),
                                        ("57m 3s", None), ("31. februar 2025", None)])
def test_parse_date(text, date):
    assert parse_date(text) == date

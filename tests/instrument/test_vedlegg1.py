"""The study instrument (norce2025.yaml) is Vedlegg 1 of the report, word for word.

The questionnaire is parsed here from the report's own text, independently of the YAML, with a
small reader that knows only the layout of Vedlegg 1:

* ``201. Til å begynne med, …`` starts a question (number, full stop, wording);
* ``1: Ja`` is an answer code; ``=> AVSLUTT`` ends the interview; ``(IKKE LES)`` is not read
  aloud; ``___`` is a write-in line;
* a code list after several numbered items (``6_1`` … ``6_4``) belongs to all of them;
* text after a code list, before the next question, introduces the next question (preamble);
* a line in capitals after a question without codes is an instruction to the interviewer;
* ``HVIS … (SPM 12 < 6)`` in front of the wording is routing.

Every question, wording, code and label must then be found in :func:`load_instrument` verbatim
(whitespace-normalised), and the method chapter's screening questions S1/S2 must match too.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

import pandas as pd
import pytest

from fjernarbeid.instrument import Condition, Instrument

REPORT = "seed/000_2f0da68bd0405d38.txt"

QUESTION = re.compile(r"^(\d+(?:_\d+)?)\.\s+(.*)$")
CODE = re.compile(r"^(\d+):\s*(.*)$")
ROUTING = re.compile(r"^(HVIS .*\(SPM (\d+) ([<>=!]+) (\d+)\))\s*(.*)$")


def norm(text: str) -> str:
    return " ".join(text.split())


@dataclass
class ReportCode:
    code: int
    label: str
    screen_out: bool = False
    not_read: bool = False
    write_in: bool = False


@dataclass
class ReportQuestion:
    number: str
    lines: list[str] = field(default_factory=list)
    routing: str | None = None
    routing_rule: tuple[str, str, int] | None = None
    codes: list[ReportCode] = field(default_factory=list)
    instruction: str | None = None
    preamble: str | None = None

    @property
    def name(self) -> str:
        return "q" + self.number

    @property
    def wording(self) -> str:
        return norm(" ".join(self.lines))


@dataclass
class Vedlegg1:
    title_lines: list[str]
    intro: str
    questions: list[ReportQuestion]
    closing: str


def parse_code(number: str, text: str) -> ReportCode:
    label = norm(text)
    screen_out = label.endswith("=> AVSLUTT")
    label = label.removesuffix("=> AVSLUTT").strip()
    write_in = label.endswith("___")
    label = label.rstrip("_ ").strip()
    return ReportCode(int(number), label, screen_out, "(IKKE LES)" in label, write_in)


def parse_vedlegg1(report_text: str) -> Vedlegg1:
    lines = report_text.splitlines()
    start = next(i for i, line in enumerate(lines) if line.strip() == "Vedlegg 1 – Spørreskjema")
    end = next(i for i, line in enumerate(lines) if line.strip().startswith("Vedlegg 2"))
    body = [line.strip() for line in lines[start + 1 : end]]

    title_lines: list[str] = []
    intro: list[str] = []
    questions: list[ReportQuestion] = []
    paragraph: list[str] = []  # free text after a code list: it introduces what follows
    code_targets: list[ReportQuestion] | None = None  # the questions the current code list belongs to
    state = "title"  # title → intro → questions
    after_blank = False
    for line in body:
        if not line:
            after_blank = True
            continue
        q, c = QUESTION.match(line), CODE.match(line)
        if state == "title":
            if line == "INTRO":
                state = "intro"
            else:
                title_lines.append(line)
        elif state == "intro" and not q:
            intro.append(line)
        elif q:
            state = "questions"
            question = ReportQuestion(q.group(1))
            rest = q.group(2)
            routing = ROUTING.match(rest)
            if routing:
                question.routing = routing.group(1)
                question.routing_rule = ("q" + routing.group(2), routing.group(3), int(routing.group(4)))
                rest = routing.group(5)
            if rest:
                question.lines.append(rest)
            if paragraph:
                question.preamble = norm(" ".join(paragraph))
                paragraph = []
            questions.append(question)
            code_targets = None
        elif c:
            if code_targets is None:
                current = questions[-1]
                if "_" in current.number:  # a battery: one list for every item still without codes
                    prefix = current.number.split("_")[0] + "_"
                    code_targets = [x for x in questions if x.number.startswith(prefix) and not x.codes]
                else:
                    code_targets = [current]
            for target in code_targets:
                target.codes.append(parse_code(c.group(1), c.group(2)))
        elif questions[-1].codes:
            paragraph.append(line)
        elif after_blank and line.isupper():
            questions[-1].instruction = norm(line)
        else:
            questions[-1].lines.append(line)
        after_blank = False
    return Vedlegg1(title_lines, norm(" ".join(intro)), questions, norm(" ".join(paragraph)))


@pytest.fixture(scope="module")
def report_text(shared_dir) -> str:
    return (shared_dir / REPORT).read_text("utf-8")


@pytest.fixture(scope="module")
def vedlegg(report_text) -> Vedlegg1:
    return parse_vedlegg1(report_text)


# -- the reader itself (so that a bug in it cannot hide a bug in the YAML) -------------------


def test_reader_finds_every_question_of_vedlegg1_in_order(vedlegg):
    assert [q.number for q in vedlegg.questions] == [
        "201", "202", "1", "2", "3", "4", "5", "6_1", "6_2", "6_3", "6_4", "10_1", "10_2", "11", "12", "13",
        "14", "16_1", "16_2", "16_3", "16_4", "16_5", "21", "22", "23", "207",
    ]
    assert [len(q.codes) for q in vedlegg.questions] == [
        0, 0, 3, 2, 0, 5, 3, 6, 6, 6, 6, 6, 6, 2, 6, 4, 6, 6, 6, 6, 6, 6, 5, 6, 6, 2,
    ]
    assert vedlegg.intro.startswith("God dag, mitt navn er")
    assert vedlegg.closing.startswith("Det var alle spørsmålene jeg hadde.")


def test_reader_recognises_the_markers(vedlegg):
    by_number = {q.number: q for q in vedlegg.questions}
    assert [c.code for c in by_number["1"].codes if c.screen_out] == [3]
    assert [c.code for c in by_number["2"].codes if c.screen_out] == [2]
    assert [c.code for c in by_number["13"].codes if c.not_read] == [4]
    assert [c.code for c in by_number["5"].codes if c.write_in] == [3]
    assert by_number["13"].routing_rule == ("q12", "<", 6)
    assert by_number["3"].instruction == "REGISTRER ANTALL PERSONER"
    assert by_number["6_1"].preamble.startswith("Jeg skal lese opp")
    assert by_number["16_1"].preamble == "Hvor viktig er følgende forhold for ditt valg av bosted?"


# -- the instrument against the report ----------------------------------------------------------


def test_instrument_has_exactly_the_reports_questions_in_interview_order(vedlegg, instrument: Instrument):
    expected = []
    for q in vedlegg.questions:
        expected.append(q.name)
        if any(c.write_in for c in q.codes):
            expected.append(q.name + "_text")
    assert instrument.names == expected
    for q in vedlegg.questions:
        assert instrument[q.name].number == q.number


def test_wording_is_verbatim(vedlegg, instrument: Instrument):
    for rq in vedlegg.questions:
        q = instrument[rq.name]
        # A clarifying sentence read out after the question is kept as the question's hint.
        wording = norm(q.text["nb"] + " " + q.hint["nb"]) if q.hint else q.text["nb"]
        assert wording == rq.wording, rq.number
        if q.hint:
            assert rq.wording.startswith(q.text["nb"] + " "), rq.number


def test_codes_and_labels_are_verbatim(vedlegg, instrument: Instrument):
    for rq in vedlegg.questions:
        q = instrument[rq.name]
        assert [(c.code, c.label("nb")) for c in q.codes] == [(c.code, c.label) for c in rq.codes], rq.number
        assert q.type == ("single" if rq.codes else q.type)


def test_avslutt_codes_are_screen_out_and_nothing_else_is(vedlegg, instrument: Instrument):
    for rq in vedlegg.questions:
        assert instrument[rq.name].screen_out == {c.code for c in rq.codes if c.screen_out}, rq.number
    assert [q.name for q in instrument.screening_questions] == ["q1", "q2"]


def test_ikke_les_codes_are_missing_and_nothing_else_is(vedlegg, instrument: Instrument):
    for rq in vedlegg.questions:
        assert instrument[rq.name].missing_codes == tuple(c.code for c in rq.codes if c.not_read), rq.number


def test_routing_matches_the_report(vedlegg, instrument: Instrument):
    for rq in vedlegg.questions:
        q = instrument[rq.name]
        if rq.routing_rule is None:
            assert q.ask_if is None, rq.number
            continue
        variable, op, value = rq.routing_rule
        assert q.ask_if is not None and q.ask_if.tree == Condition.parse(f"{variable} {op} {value}").tree
        assert q.condition_text["nb"] == rq.routing


def test_routing_asks_q13_and_q14_exactly_of_those_who_use_a_home_office(instrument: Instrument):
    frame = pd.DataFrame({"q12": [1, 2, 3, 4, 5, 6, None]})
    for name in ("q13", "q14"):
        asked = instrument[name].ask_if.evaluate(frame)
        assert asked.tolist() == [True, True, True, True, True, False, pd.NA]


def test_write_in_code_has_a_text_question_asked_only_for_that_code(vedlegg, instrument: Instrument):
    for rq in vedlegg.questions:
        for code in (c for c in rq.codes if c.write_in):
            follow_up = instrument[rq.name + "_text"]
            assert follow_up.type == "text"
            assert follow_up.text["nb"] == code.label
            frame = pd.DataFrame({rq.name: [c.code for c in rq.codes]})
            assert follow_up.ask_if.evaluate(frame).tolist() == [c.code == code.code for c in rq.codes]


def test_preambles_instructions_intro_and_closing_are_verbatim(vedlegg, instrument: Instrument):
    for rq in vedlegg.questions:
        q = instrument[rq.name]
        assert q.preamble.get("nb") == rq.preamble, rq.number
        assert q.instruction.get("nb") == rq.instruction, rq.number
    assert instrument.intro["nb"] == vedlegg.intro
    assert instrument.closing["nb"] == vedlegg.closing


def test_title_names_the_survey_as_the_report_does(vedlegg, instrument: Instrument):
    title = instrument.title["nb"].casefold()
    for line in vedlegg.title_lines:
        assert line.casefold() in title


def test_open_questions_have_the_types_and_ranges_the_wording_implies(instrument: Instrument):
    assert instrument["q201"].type == "postal_code"
    assert instrument["q202"].type == "integer" and instrument["q202"].range_rule == "birth_year"
    assert instrument.birth_year_range() == (1964, 2000)  # 25-60 during 24 April - 15 May 2025
    assert instrument["q3"].type == "integer" and instrument["q3"].range == (1, 20)


def test_every_text_has_an_english_translation(instrument: Instrument):
    def check(labels: dict, where: str) -> None:
        if labels:
            assert labels.get("en", "").strip(), f"{where} has no English text"

    check(instrument.title, "title")
    check(instrument.intro, "intro")
    check(instrument.closing, "closing")
    for q in instrument:
        for part in ("text", "preamble", "hint", "instruction", "condition_text"):
            check(getattr(q, part), f"{q.name}.{part}")
        for c in q.codes:
            check(c.labels, f"{q.name} code {c.code}")
    for d in instrument.derived:
        check(d.labels, f"derived {d.name}")
        for b in d.bins:
            check(b.labels, f"derived {d.name} bin {b.code}")
        for c in d.codes:
            check(c.labels, f"derived {d.name} code {c.code}")
    for name, codes in instrument.code_lists.items():
        for c in codes:
            check(c.labels, f"code list {name} code {c.code}")


# -- the method chapter's screening questions (S1, S2) ---------------------------------------

SCREENING = re.compile(r"(S\d): [«“\"](.*?)[”»\"]? ?\[Svarkategorier: (.*?)\]", re.S)


def test_screening_questions_of_the_method_chapter_are_the_instruments(report_text, instrument: Instrument):
    method = norm(report_text.split("Vedlegg 1 – Spørreskjema")[0])
    found = SCREENING.findall(method)
    assert [s for s, _, _ in found] == ["S1", "S2"]
    for label, wording, categories in found:
        q = next(q for q in instrument if q.screening == label)
        full = norm(q.text["nb"] + " " + q.hint.get("nb", ""))
        assert norm(wording).rstrip("”» ") == full
        codes = [parse_code(*part.split(": ", 1)) for part in categories.split("; ")]
        assert [c.code for c in codes] == list(q.valid_codes)
        assert {c.code for c in codes if c.screen_out} == q.screen_out
        # The method chapter abbreviates "Ja" as "Ja>" once; compare the labels' words only.
        assert [re.sub(r"\W+$", "", c.label) for c in codes] == [c.label("nb") for c in q.codes]

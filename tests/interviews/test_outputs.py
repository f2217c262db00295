"""Quotes, code × informant matrix, counts by case attribute, co-occurrence and the HTML theme report,
on a small example counted by hand."""

from __future__ import annotations

import pandas as pd
import pytest

from fjernarbeid.errors import DataValidationError
from fjernarbeid.interviews.codebook import load_codebook
from fjernarbeid.interviews.outputs import (attribute_table, code_matrix, cooccurrence, counts_by_attribute, quotes,
                                            theme_report_html, write_outputs)

BOOK = load_codebook()


@pytest.fixture
def study(make_interview):
    ivs = [
        make_interview("A", "Informant 1", ["Hjemme <script>alert(1)</script> & tillit.", "Lederen stoler på meg."],
                       {"flytting": "tok med jobben", "arbeidssted": "hjemmekontor"}),
        make_interview("B", "Informant 2", ["Kontorfellesskap.", "Reiser to ganger i måneden."],
                       {"flytting": "tok med jobben", "arbeidssted": "kontorfellesskap"}),
        make_interview("C", "Informant 3", ["Kontorfellesskap.", "Reiser, og tillit."],
                       {"flytting": "ny jobb", "arbeidssted": "kontorfellesskap"}),
    ]
    rows = [("A", 2, "hjemmekontor", "X"), ("A", 2, "tillit", "X"), ("A", 4, "tillit", "X"),
            ("A", 2, "tillit", "Y"),  # a second coder on the same turn and code: counted once
            ("B", 2, "kontorfellesskap", "X"), ("B", 2, "tillit", "X"), ("B", 4, "jobbreiser", "X"),
            ("C", 2, "kontorfellesskap", "X"), ("C", 4, "jobbreiser", "X"), ("C", 4, "tillit", "X")]
    return ivs, pd.DataFrame(rows, columns=["interview", "turn", "code", "coder"])


def test_code_by_informant_matrix(study):
    m = code_matrix(*study, BOOK)
    # the last column counts informants, not utterances: it says so (it was headed 'Totalt')
    assert list(m.columns) == ["Informant 1", "Informant 2", "Informant 3", "Informanter med koden"]
    assert list(m.index) == BOOK.ids
    assert m.loc["tillit"].tolist() == [2, 1, 1, 3]
    assert m.loc["kontorfellesskap"].tolist() == [0, 1, 1, 2]
    assert m.loc["hjemmekontor"].tolist() == [1, 0, 0, 1]
    assert m.loc["jobbreiser"].tolist() == [0, 1, 1, 2]
    assert m.drop(index=["tillit", "kontorfellesskap", "hjemmekontor", "jobbreiser"]).to_numpy().sum() == 0


def test_counts_by_attribute_say_n_of_N(study):
    t = counts_by_attribute(*study, BOOK, "flytting").set_index(["code", "value"])
    assert t.loc[("kontorfellesskap", "tok med jobben"), "label"] == "1 av 2"
    assert t.loc[("kontorfellesskap", "ny jobb"), "label"] == "1 av 1"
    assert t.loc[("tillit", "tok med jobben"), "label"] == "2 av 2"
    assert t.loc[("hjemmekontor", "ny jobb"), "label"] == "0 av 1"
    with pytest.raises(DataValidationError, match="case attribute 'kommune' is not set"):
        counts_by_attribute(*study, BOOK, "kommune")


def test_typology_table(study):
    t = attribute_table(study[0], "flytting", "arbeidssted")
    assert t.loc["tok med jobben"].tolist() == [1, 1, 2] and t.loc["ny jobb"].tolist() == [0, 1, 1]
    assert t.loc["Totalt"].tolist() == [1, 2, 3]


def test_cooccurrence_in_turns_and_interviews(study):
    _, codings = study
    turn = cooccurrence(codings, BOOK, "turn")
    assert turn.loc["tillit", "tillit"] == 4  # A2, A4, B2, C4
    assert (turn.loc["tillit", "hjemmekontor"], turn.loc["tillit", "kontorfellesskap"],
            turn.loc["tillit", "jobbreiser"], turn.loc["kontorfellesskap", "jobbreiser"]) == (1, 1, 1, 0)
    interview = cooccurrence(codings, BOOK, "interview")
    assert (interview.loc["tillit", "tillit"], interview.loc["kontorfellesskap", "jobbreiser"],
            interview.loc["tillit", "kontorfellesskap"], interview.loc["hjemmekontor", "jobbreiser"]) == (3, 2, 2, 0)
    assert (turn.to_numpy() == turn.to_numpy().T).all()


def test_quotes_carry_pseudonym_and_time(study):
    q = quotes(*study, BOOK)
    first = q[q["code"] == "tillit"].iloc[0]
    assert (first["informant"], first["speaker"], first["interview"], first["turn"], first["timestamp"]) == \
        ("Informant 1", "Informant 1", "A", 2, "0:20")
    assert len(q) == 9  # ten codings, one of them a second coder's duplicate


def test_html_report_escapes_and_mirrors_chapter_3_1(study):
    html = theme_report_html(*study, BOOK, typology=("flytting", "arbeidssted"))
    assert "<script>alert(1)" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; tillit." in html
    for section in BOOK.sections:
        assert f"{section.id} {section.title}" in html
    assert "Nevnt av 3 av 3 informanter (4 ytringer)" in html  # tillit
    assert "flytting: ny jobb 1 av 1, tok med jobben 1 av 2" in html  # kontorfellesskap
    assert "http" not in html.replace("http-equiv", "")  # self-contained: nothing fetched
    assert "SYNTETISK" not in html


def test_outputs_refuse_transcripts_with_real_names(study, tmp_path):
    ivs, codings = study
    with pytest.raises(DataValidationError, match="not pseudonymised"):
        write_outputs(tmp_path, [ivs[0].replace(pseudonymised=False)], codings, BOOK)
    paths = write_outputs(tmp_path, ivs, codings, BOOK, typology=("flytting", "arbeidssted"))
    assert sorted(p.name for p in paths.values()) == sorted(
        ["sitater.csv", "kode_x_informant.csv", "samforekomst_ytring.csv", "samforekomst_intervju.csv",
         "informanter.csv", "koder_etter_egenskap.csv", "typologi.csv", "temarapport.html"])


def test_outputs_refuse_a_transcript_that_says_pseudonymised_but_holds_an_identifier(make_interview, tmp_path):
    from fjernarbeid.interviews.outputs import require_pseudonymised

    edited = make_interview("Informant_1", "Informant 1", ["Ring meg på 912 34 567.", "Jeg bor i Storgata 12B."])
    with pytest.raises(DataValidationError) as error:
        require_pseudonymised([edited])
    message = str(error.value)
    assert "interview Informant_1, turn 2: phone" in message and "turn 4: address" in message
    assert "912" not in message and "Storgata" not in message  # where and what, never the identifier
    clean = make_interview("Informant_2", "Informant 2", ["Ring meg på [telefon] i 2019-2020, kl. 10.30."])
    require_pseudonymised([clean])

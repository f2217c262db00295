"""Codings by hand, keyword suggestions with accept/reject, and case attributes."""

from __future__ import annotations

import pandas as pd
import pytest

from fjernarbeid.errors import DataValidationError
from fjernarbeid.interviews.codebook import load_codebook
from fjernarbeid.interviews.coding import (accepted, combine, merge_suggestions, read_cases, read_codings,
                                           read_suggestions, suggest_codes, write_table)

BOOK = load_codebook()


def test_suggestions_come_from_informant_turns_only(ivs):
    s = suggest_codes(ivs, BOOK)
    assert list(s.columns) == ["interview", "turn", "code", "status", "coder", "keywords", "excerpt"]
    assert set(s["status"]) == {"suggested"}
    assert s[["interview", "turn", "code"]].values.tolist() == [
        ["Informant_1", 2, "hjemmekontor"], ["Informant_1", 2, "tillit"], ["Informant_2", 2, "kontorfellesskap"],
        ["Informant_2", 2, "faglig_fellesskap"]]
    assert s.loc[1, "keywords"] == "stoler på; lederen"


def test_rerunning_suggestions_keeps_decisions(ivs):
    first = suggest_codes(ivs, BOOK)
    first.loc[first["code"] == "tillit", "status"] = "accepted"
    first.loc[first["code"] == "faglig_fellesskap", "status"] = "rejected"
    # An earlier manual decision on a suggestion the keywords no longer produce is kept as well.
    gone = pd.DataFrame([{"interview": "Informant_1", "turn": 4, "code": "effektivitet", "status": "accepted",
                          "coder": "nøkkelord", "keywords": "", "excerpt": ""}])
    merged = merge_suggestions(pd.concat([first, gone], ignore_index=True), suggest_codes(ivs, BOOK))
    assert dict(zip(merged["code"], merged["status"])) == {
        "hjemmekontor": "suggested", "tillit": "accepted", "kontorfellesskap": "suggested",
        "faglig_fellesskap": "rejected", "effektivitet": "accepted"}
    assert accepted(merged)[["code"]].values.ravel().tolist() == ["tillit", "effektivitet"]


def test_hand_codings_csv_and_yaml(tmp_path, ivs):
    csv = tmp_path / "k.csv"
    csv.write_text("interview,turn,code,coder\nInformant_1,2,tillit,AB\nInformant_2,2,kontorfellesskap,AB\n",
                   encoding="utf-8")
    yml = tmp_path / "k.yaml"
    yml.write_text("- {interview: Informant_1, turn: 2, code: tillit, coder: AB}\n", encoding="utf-8")
    both = combine(read_codings(csv, ivs, BOOK), read_codings(yml, ivs, BOOK))
    assert both.values.tolist() == [["Informant_1", 2, "tillit", "AB"], ["Informant_2", 2, "kontorfellesskap", "AB"]]


def test_codings_errors_name_file_row_and_column(tmp_path, ivs):
    bad = tmp_path / "k.csv"
    bad.write_text("interview,turn,code,coder\nInformant_9,1,tillit,AB\nInformant_1,7,tillit,AB\n"
                   "Informant_1,x,tillit,AB\nInformant_2,1,ukjent,AB\nInformant_2,1,tillit,\n", encoding="utf-8")
    with pytest.raises(DataValidationError) as err:
        read_codings(bad, ivs, BOOK)
    assert err.value.report == [
        f"{bad}, row 2, column interview: 'Informant_9' is not one of the interviews (Informant_1, Informant_2)",
        f"{bad}, row 3, column turn: '7' is not a turn of Informant_1 (1-4)",
        f"{bad}, row 4, column turn: 'x' is not a turn of Informant_1 (1-4)",
        f"{bad}, row 5, column code: 'ukjent' is not a code of the codebook fjernarbeid-intervjuer-2025",
        f"{bad}, row 6, column coder: empty (every coding names its coder)",
    ]


def test_suggestion_status_must_be_known(tmp_path, ivs):
    s = suggest_codes(ivs, BOOK)
    s.loc[0, "status"] = "ok"
    path = write_table(s, tmp_path / "s.csv")
    with pytest.raises(DataValidationError, match=r"s.csv, row 2, column status: 'ok' is not one of"):
        read_suggestions(path, ivs, BOOK)


def test_cases(tmp_path, ivs):
    path = tmp_path / "c.csv"
    path.write_text("interview,kommune,arbeidssted\nInformant_1,Kvam,hjemmekontor\nInformant_2,Ulvik,kontorfellesskap\n",
                    encoding="utf-8")
    ivs = read_cases(path, ivs)
    assert [iv.attributes for iv in ivs] == [{"kommune": "Kvam", "arbeidssted": "hjemmekontor"},
                                             {"kommune": "Ulvik", "arbeidssted": "kontorfellesskap"}]
    path.write_text("interview,kommune\nInformant_1,Kvam\nInformant_3,Voss\n", encoding="utf-8")
    with pytest.raises(DataValidationError, match=r"row 3, column interview: 'Informant_3'[\s\S]*no row for interview"):
        read_cases(path, ivs)

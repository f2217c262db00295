"""Microdata export: every format read back with its labels, the codebook, the disclosure statement."""

from __future__ import annotations

from dataclasses import replace
import hashlib
import json

import numpy as np
import pandas as pd
import pyarrow.parquet as pq
import pyreadstat
import pytest

from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.export.microdata import (
    SUPPRESSED_CODE, disclosure_markdown, output_paths, prepare_microdata, write_microdata,
)


@pytest.fixture(scope="module")
def export(demo_csv, refdata_dir):
    return prepare_microdata(demo_csv, refdata=refdata_dir, k=5, seed=3)


def sha(path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def test_prepared_data_are_weighted_protected_and_flagged_synthetic(export, export_weighted):
    data = export.data
    assert export.synthetic and export.disclosure.synthetic
    assert len(data) == 300 and data["id"].tolist() == list(range(1, 301))
    for gone in ("q201", "q202", "q5_text", "age"):
        assert gone not in data.columns
    assert data["q3"].max() <= 6
    # the study's weights, record for record (records are shuffled: compare sorted)
    np.testing.assert_allclose(np.sort(data["weight"].to_numpy()), np.sort(export_weighted.weights.to_numpy()),
                               rtol=1e-12)


@pytest.fixture(scope="module")
def export_with_places(demo_csv, refdata_dir):
    """An export that keeps the municipality: text columns (municipality and county numbers, county
    names) in the data, with blanks."""
    return prepare_microdata(demo_csv, refdata=refdata_dir, k=5, keep=["municipality"], seed=3)


@pytest.mark.parametrize("suffix", [".sav", ".dta", ".parquet", ".csv"])
def test_every_format_reads_back_with_the_same_values(export_with_places, tmp_path, suffix):
    export = export_with_places
    paths = write_microdata(export, tmp_path / f"survey{suffix}")
    assert set(paths) >= {"data", "codebook_json", "codebook_md", "disclosure_json", "disclosure_md"}
    assert all(p.is_file() for p in paths.values())
    assert not [p for p in tmp_path.iterdir() if p.name.startswith(".")]  # no temporary file left
    if suffix == ".sav":
        back, _ = pyreadstat.read_sav(str(paths["data"]), user_missing=True)
    elif suffix == ".dta":
        back, _ = pyreadstat.read_dta(str(paths["data"]))
    elif suffix == ".parquet":
        back = pd.read_parquet(paths["data"])
    else:
        text = [c for c in export.data.columns if not pd.api.types.is_numeric_dtype(export.data[c])]
        back = pd.read_csv(paths["data"], dtype={c: str for c in text})
    assert list(back.columns) == list(export.data.columns)
    text_columns = 0
    for name in export.data.columns:
        column = export.data[name]
        if pd.api.types.is_numeric_dtype(column):
            expected = column.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
            if suffix == ".sav" and name in export.disclosure.suppressed_cells:  # its own user-missing code
                expected[export.disclosure.suppressed_cells[name]] = SUPPRESSED_CODE
            if suffix == ".dta" and name in export.missing_codes:  # "not sure" is Stata's .a: missing
                expected[np.isin(expected, export.missing_codes[name])] = np.nan
            np.testing.assert_allclose(back[name].astype(float).to_numpy(), expected, rtol=1e-12, equal_nan=True,
                                       err_msg=name)
        else:  # SPSS and Stata have no missing text: a blank is ""
            text_columns += 1
            assert back[name].fillna("").astype(str).tolist() == column.fillna("").astype(str).tolist(), name
    assert text_columns >= 2 and "0301" in set(back["municipality"])


def test_spss_file_has_variable_value_labels_and_not_sure_codes_as_user_missing(export, tmp_path, instrument):
    path = write_microdata(export, tmp_path / "s.sav")["data"]
    _, meta = pyreadstat.read_sav(str(path), user_missing=True)
    labels = meta.column_names_to_labels
    assert labels["q12"] == "12. Hvor ofte benytter du normalt hjemmekontor eller fjernarbeid?"
    assert labels["id"].startswith("Løpenummer") and labels["weight"].startswith("Vekt: poststratifisering")
    assert meta.variable_value_labels["q12"] == {float(c): t for c, t in instrument["q12"].code_labels("nb").items()}
    # household size: top-coded, and (a key variable since the study declares it) suppressed where needed
    assert meta.variable_value_labels["q3"][6.0] == "6 eller flere"
    assert set(meta.variable_value_labels["q3"]) <= {6.0, -9.0}
    assert meta.missing_ranges["q6_1"] == [{"lo": 6.0, "hi": 6.0}]
    assert meta.file_label.startswith("SYNTHETIC")  # the marker fjernarbeid.data.synthetic reads
    # the file's documents (SPSS DISPLAY DOCUMENTS) in the export's language, like its labels
    notes = " ".join(meta.notes)
    assert notes.startswith("SYNTETISKE DATA") and "eksport av" in notes and "poststratifisering" in notes
    assert "k-anonymitet holder" in notes or "k-ANONYMITET ER IKKE" in notes.upper()
    assert "records" not in notes and "weights:" not in notes


def test_spss_levels_formats_weights_and_suppressed_values_as_spss_users_need_them(export, tmp_path, instrument):
    """Answer scales ordinal, other codes nominal, numbers scale (as the questionnaire says); codes stored
    as integers (F2.0, not 3.00); a mean-1 analysis weight beside the population weight; a value removed
    for disclosure control its own labelled user-missing code, apart from "not asked" (system-missing)."""
    path = write_microdata(export, tmp_path / "s.sav")["data"]
    data, meta = pyreadstat.read_sav(str(path), user_missing=True)
    levels = meta.variable_measure
    assert levels["q23"] == levels["q6_1"] == levels["q12"] == levels["age_group"] == "ordinal"
    assert levels["q207"] == levels["q13"] == "nominal"
    assert levels["q3"] == levels["weight"] == levels["weight_analysis"] == "scale"
    assert meta.original_variable_types["q23"] == "F2.0" and meta.original_variable_types["q3"].endswith(".0")
    assert data["weight_analysis"].mean() == pytest.approx(1.0, rel=1e-12)
    assert data["weight_analysis"].sum() == pytest.approx(len(data), rel=1e-9)
    np.testing.assert_allclose(data["weight_analysis"] * data["weight"].mean(), data["weight"], rtol=1e-12)
    assert meta.column_names_to_labels["weight_analysis"].startswith("Analysevekt (gjennomsnitt 1")
    hidden = export.disclosure.suppressed_cells
    assert hidden, "the demo export suppresses some values"
    # a coded variable (the geography's text columns are left empty where suppressed)
    name, cells = next((n, c) for n, c in hidden.items() if pd.api.types.is_numeric_dtype(export.data[n]))
    assert (data.loc[cells, name] == SUPPRESSED_CODE).all()
    assert meta.variable_value_labels[name][float(SUPPRESSED_CODE)] == "Skjult av personvernhensyn"
    assert float(SUPPRESSED_CODE) in [r["lo"] for r in meta.missing_ranges[name]]


def test_stata_file_has_extended_missing_values(export, tmp_path):
    """.a "not sure", .b not asked / no answer, .c suppressed for disclosure control."""
    path = write_microdata(export, tmp_path / "s.dta")["data"]
    data, meta = pyreadstat.read_dta(str(path), user_missing=True)
    source = export.data
    not_sure = source["q21"].isin([5]).to_numpy()
    assert not_sure.any() and (data.loc[not_sure, "q21"] == "a").all()
    hidden_q13 = export.disclosure.suppressed_cells.get("q13", np.zeros(len(source), dtype=bool))
    not_asked = source["q13"].isna().to_numpy() & ~hidden_q13
    assert not_asked.any() and (data.loc[not_asked, "q13"] == "b").all()
    name, cells = next((n, c) for n, c in export.disclosure.suppressed_cells.items()
                       if pd.api.types.is_numeric_dtype(export.data[n]))
    assert (data.loc[cells, name] == "c").all()
    assert set(meta.missing_user_values["q21"]) >= {"a"}
    plain, _ = pyreadstat.read_dta(str(path))  # without user_missing they are missing, as in Stata
    assert plain.loc[not_sure, "q21"].isna().all()
    # labelled, as `tab q21, missing` in Stata shows them: the questionnaire's own words for "not sure"
    labels = meta.variable_value_labels
    assert labels["q21"]["a"] == "Ikke sikker, ubesvart (IKKE LES)"
    assert labels["q13"]["b"] == "Ikke spurt eller ikke svart" and labels[name]["c"] == "Skjult av personvernhensyn"


def test_recoded_variables_carry_the_labels_of_their_new_categories(export, tmp_path, instrument):
    """A frame where the education codes are merged: SPSS labels, the CSV labels and the codebook
    name the published categories, not the questionnaire's."""
    import numpy as np

    from fjernarbeid.export.disclosure import protect
    from fjernarbeid.export.microdata import MicrodataExport, build_codebook

    n = 40
    frame = pd.DataFrame({"id": [f"R{i}" for i in range(n)], "q207": 1, "age_group": 3,
                          "q4": np.r_[np.full(30, 2), np.full(3, 1), np.full(7, 5)],
                          "weight": 1.0 + np.arange(n) / n})
    data, disclosure = protect(frame, instrument, k=5, seed=1)
    assert set(disclosure.recoded) == {"q4"} and set(data["q4"]) == {1}
    export = MicrodataExport(data=data, instrument=instrument, disclosure=disclosure, weights=export.weights,
                             lang="en")
    assert export.value_labels["q4"] == {1: "Primary, lower or upper secondary school, or other",
                                         3: instrument["q4"].code_labels("en")[3],
                                         4: instrument["q4"].code_labels("en")[4]}
    path = write_microdata(export, tmp_path / "s.sav")["data"]
    _, meta = pyreadstat.read_sav(str(path))
    assert meta.variable_value_labels["q4"] == {float(c): t for c, t in export.value_labels["q4"].items()}
    book = {v["name"]: v for v in build_codebook(export, "s.sav")["variables"]}
    assert [c["code"] for c in book["q4"]["codes"]] == [1, 3, 4]
    assert book["q4"]["disclosure"].startswith("recoded: global recode to three levels")
    assert [(f["value"], f["n"]) for f in book["q4"]["frequencies"]] == [(1, 40), (3, None), (4, None)]


def test_stata_file_has_labels_within_its_limits(export, tmp_path, instrument):
    path = write_microdata(export, tmp_path / "s.dta")["data"]
    _, meta = pyreadstat.read_dta(str(path))
    assert all(len(v) <= 80 for v in meta.column_names_to_labels.values())
    assert meta.column_names_to_labels["q10_1"].endswith("…")  # cut, the codebook has it whole
    assert meta.variable_value_labels["q207"] == {1: "Mann", 2: "Kvinne"}


def test_names_longer_than_the_format_holds_are_refused_by_name_before_anything_is_written(export, tmp_path):
    """A KoboToolbox name made from a long label (and its choices' 0/1 columns) is too long for Stata's 32
    characters: the message names each, the .sav (64 bytes) is written, no .dta file or sidecar is left."""
    from fjernarbeid.errors import OutputFileError

    name = "hvor_sannsynlig_er_det_at_du_flytter_tilbake"  # 44 characters
    long = replace(export, data=export.data.rename(columns={"q10_1": name}))
    with pytest.raises(OutputFileError, match=rf"at most 32 characters; 1 is longer: {name} \(44\)"):
        write_microdata(long, tmp_path / "s.dta")
    assert list(tmp_path.iterdir()) == []
    assert write_microdata(long, tmp_path / "s.sav")["data"].is_file()


def test_parquet_keeps_labels_in_the_schema(export, tmp_path):
    path = write_microdata(export, tmp_path / "s.parquet")["data"]
    schema = pq.read_schema(path)
    meta = json.loads(schema.metadata[b"fjernarbeid"])
    assert meta["variable_labels"]["q207"] == "207. Kjønn?"
    assert meta["value_labels"]["q207"] == {"1": "Mann", "2": "Kvinne"}
    assert meta["not_sure_codes"]["q21"] == [5] and meta["synthetic"] is True
    assert schema.field("q12").metadata[b"label"].decode() == "12. Hvor ofte benytter du normalt hjemmekontor eller fjernarbeid?"


def test_csv_comes_with_a_labels_sidecar(export, tmp_path):
    paths = write_microdata(export, tmp_path / "s.csv")
    assert paths["labels"].name == "s.csv.labels.json"
    labels = json.loads(paths["labels"].read_text("utf-8"))
    assert labels["value_labels"]["age_group"]["1"] == "25-29 år"
    assert labels["not_sure_codes"]["q13"] == [4]


def test_codebook_documents_every_variable_with_routing_and_non_disclosive_frequencies(export, tmp_path):
    paths = write_microdata(export, tmp_path / "s.sav")
    book = json.loads(paths["codebook_json"].read_text("utf-8"))
    by_name = {v["name"]: v for v in book["variables"]}
    assert list(by_name) == list(export.data.columns)
    assert book["synthetic"] is True and book["records"] == 300
    q13 = by_name["q13"]
    assert q13["routing"] == {"ask_if": "q12 < 6", "text": "HVIS BENYTTER HJEMMEKONTOR (SPM 12 < 6)"}
    assert q13["not_sure_codes"] == [4] and q13["missing"] == (export.data["q12"] == 6).sum()
    # weighted % of a value = its share of the weights among the records with a value
    data, w = export.data, export.data["weight"].to_numpy()
    for f in by_name["q12"]["frequencies"]:
        hit = (data["q12"] == f["value"]).to_numpy()
        assert f["suppressed"] == (hit.sum() < 5)
        if not f["suppressed"]:
            assert f["n"] == hit.sum()
            assert f["weighted_percent"] == pytest.approx(100 * w[hit].sum() / w.sum(), rel=1e-12)
        else:
            assert f["n"] is None and f["weighted_percent"] is None
    q1 = {f["value"]: f for f in by_name["q1"]["frequencies"]}
    assert q1[3]["suppressed"]  # the screened-out code: nobody, not shown as a count
    assert by_name["centrality"]["derivation"] == "postal_lookup(q201).centrality"
    md = paths["codebook_md"].read_text("utf-8")
    assert md.startswith("# Kodebok: s.sav") and "SYNTETISKE DATA" in md and "## `q13`" in md
    # a frequency not shown: Statistics Norway's ':' for both its figures, explained at the top
    assert "| 3 | " in md and any(line.startswith("| 3 |") and line.endswith("| : | : |") for line in md.splitlines())
    assert ": Vises ikke av personvernhensyn: færre enn 5 poster." in md and "| – |" not in md


def test_disclosure_statement_says_what_was_done_and_the_k_reached(export, export_weighted, tmp_path):
    paths = write_microdata(export, tmp_path / "s.parquet")
    statement = json.loads(paths["disclosure_json"].read_text("utf-8"))
    assert statement["synthetic"] is True and statement["k"] == 5
    assert {a["variable"]: a["action"] for a in statement["actions"]}["q5_text"] == "dropped"
    assert statement["k_anonymity"]["keys"][:3] == ["q207", "age_group", "q4"]
    assert statement["weight_is_key"] is True and "weight" in statement["k_anonymity"]["keys"]
    # the demo reaches k = 5; the sidecar's numbers agree with the data written
    data = pd.read_parquet(paths["data"])
    assert statement["holds"] is True and statement["k_anonymity"]["holds"] is True
    sizes = data.groupby(statement["key_variables"], dropna=False).size()
    assert statement["k_achieved"] == statement["smallest_group"] == sizes.min() >= 5
    # the study's recodes in order, after the band the disclosure strategy chose (auto: centrality 1-2/3-4/5-6)
    chain = [s["variable"] for s in statement["global_recoding"] if not s["band"]]
    assert chain == ["geography", "geography", "age_group", "q4", "q3"]
    assert statement["strategy"]["strategy"] == "auto" and statement["alternatives_applied"] == \
        statement["strategy"]["chosen"]
    assert [s["variable"] for s in statement["global_recoding"] if s["band"]] == \
        (["geography"] if "centrality" in statement["strategy"]["chosen"] else [])
    assert {s["status"] for s in statement["global_recoding"]} <= {"applied", "undone", "not needed"}
    suppressed = statement["local_suppression"]
    assert data["q4"].isna().sum() == suppressed["q4"]["values"]
    assert suppressed["q4"]["columns"] == ["q4", "higher_education"]
    loss = statement["information_loss"]
    assert loss["share"] == pytest.approx(sum(v["recoded"] + v["suppressed"] for v in loss["by_variable"].values())
                                          / (len(data) * len(loss["by_variable"])))
    # the statement in the export's language (bokmål by default), every text from the catalogue
    md = paths["disclosure_md"].read_text("utf-8")
    assert "**SYNTETISKE DATA" in md and export.disclosure.conclusion_text("nb") in md
    assert "### Global omkoding" in md and "### Lokal undertrykking" in md and "### Informasjonstap" in md
    assert f"| oppnådd k (minste gruppe) | {statement['k_achieved']} |" in md
    for english in ("SYNTHETIC", "What was done", "Key variables", "records in groups", "k-anonymity holds",
                    "suppressed", "dropped", "undone", "free text", "postal code", "the weight"):
        assert english not in md, english
    md = disclosure_markdown(replace(export, lang="en"), "s.parquet")
    assert "**SYNTHETIC DATA" in md and statement["conclusion"] in md
    assert "### Global recoding" in md and "### Local suppression" in md and "### Information loss" in md
    assert f"| k achieved (smallest group) | {statement['k_achieved']} |" in md
    nn = disclosure_markdown(replace(export, lang="nn"), "s.parquet")
    assert "## Kva som vart gjort" in nn and "postar" in nn and "poster i" not in nn


def test_never_writes_over_the_input(export, demo_csv):
    before = sha(demo_csv)
    with pytest.raises(InputFileError, match="refusing to write over the input"):
        write_microdata(export, demo_csv, inputs=[demo_csv])
    assert sha(demo_csv) == before


def test_invalid_data_are_refused_with_the_problems(demo_csv, tmp_path, refdata_dir):
    bad = tmp_path / "bad.csv"
    frame = pd.read_csv(demo_csv, dtype=str)
    frame.loc[4, "q12"] = "9"
    frame.to_csv(bad, index=False)
    with pytest.raises(DataValidationError) as err:
        prepare_microdata(bad, refdata=refdata_dir)
    assert [(p.rule, p.column, p.row) for p in err.value.report.errors] == [("code_not_in_list", "q12", 6)]


def test_output_paths_follow_the_extension():
    assert set(output_paths("x.csv")) == {"data", "labels", "codebook_json", "codebook_md", "disclosure_json",
                                          "disclosure_md"}
    assert output_paths("x.sav")["disclosure_md"].name == "x.sav.disclosure.md"
    with pytest.raises(ValueError, match="unknown output format '.xlsx'"):
        output_paths("x.xlsx")


def test_a_nynorsk_export_labels_and_documents_in_nynorsk(export):
    from dataclasses import replace

    from fjernarbeid.export.microdata import build_codebook, codebook_markdown

    nn = replace(export, lang="nn")
    labels = nn.variable_labels
    assert labels["id"].startswith("Løpenummer (ikkje ID-en til intervjuet")
    assert "Analysevekt" in labels["weight_analysis"] and "respondentar" in labels["weight_analysis"]
    book = codebook_markdown(build_codebook(nn, "s.sav"), "nn")
    assert "Vekta % er av postane med verdi." in book and "Vektet" not in book


def test_the_codebook_names_a_variables_type_in_the_language_of_the_codebook(export):
    """'Type: kategorisk', not the codebook JSON's key 'categorical', in a bokmål or nynorsk codebook."""
    from dataclasses import replace

    from fjernarbeid.export.microdata import build_codebook, codebook_markdown

    nb = codebook_markdown(build_codebook(export, "s.sav"), "nb")
    assert "- Type: kategorisk" in nb and "- Type: heltall" in nb and "- Type: vekt" in nb
    for english in ("categorical", "integer", "weight |", "number"):
        assert english not in nb, english
    nn = codebook_markdown(build_codebook(replace(export, lang="nn"), "s.sav"), "nn")
    assert "- Type: heiltal" in nn
    en = codebook_markdown(build_codebook(replace(export, lang="en"), "s.sav"), "en")
    assert "- Type: categorical" in en
    assert build_codebook(export, "s.sav")["variables"][1]["type"] == "categorical"  # the JSON keeps its keys


@pytest.mark.parametrize("lang, method, routing", [
    ("nb", "poststratifisering", "spm. 5 omfatter «Møterom»"),
    ("nn", "poststratifisering", "spm. 5 omfattar «Møterom»"),
    ("en", "post-stratification", "Q5 includes ‘Meeting room’"),
])
def test_a_kobo_studys_codebook_says_its_routing_and_weighting_in_words(coworking_study, tmp_path, lang, method,
                                                                        routing):
    """An XLSForm has no printed routing text: the codebook showed `selected(fasiliteter, 1)` as the text, and the
    weight's label read 'Vekt: poststratify etter … × alder (weighting groups)' (the method untranslated in
    nynorsk, an internal column name for an age weighted by ranges)."""
    from fjernarbeid.study import load_study

    export = prepare_microdata(coworking_study.export, study=load_study(coworking_study.study), k=5, seed=3,
                               lang=lang)
    paths = write_microdata(export, tmp_path / "kontor.sav")
    book = json.loads(paths["codebook_json"].read_text("utf-8"))
    by_name = {v["name"]: v for v in book["variables"]}
    assert by_name["antall_moter"]["routing"] == {"ask_if": "selected(fasiliteter, 1)", "text": routing}
    label = by_name["weight"]["label"]
    assert method in label and "weighting groups" not in label and "alder" not in label, label
    _, meta = pyreadstat.read_sav(str(paths["data"]), metadataonly=True)
    assert meta.column_names_to_labels["weight"] == label

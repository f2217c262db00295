"""The synthetic demo end to end: Teams-style sources, pseudonymisation, coding, report and export."""

from __future__ import annotations

import csv
import io
import zipfile

import yaml

from fjernarbeid.interviews import demo_data
from fjernarbeid.interviews.importers import read_vtt


def test_sources_are_teams_style_and_labelled_synthetic(demo_run):
    sources = sorted((demo_run.out / "1_transkripsjoner").iterdir())
    assert sorted(p.suffix for p in sources) == [".docx"] * 3 + [".vtt"] * 4
    for path in sources:
        raw = path.read_bytes() if path.suffix == ".vtt" else zipfile.ZipFile(path).read("word/document.xml")
        assert b"SYNTETISK" in raw
    vtt = sources[-1]
    text = vtt.read_text(encoding="utf-8")
    assert text.count("-->") > 2 * len(read_vtt(vtt).turns)  # many short cues per turn
    assert "SYNTETISK" in (demo_run.out / "0_fortrolig" / "koblingsnokkel.yaml").read_text(encoding="utf-8")
    assert "syntetisk demo" in (demo_run.out / "4_koding" / "informanter.csv").read_text(encoding="utf-8")


def test_stories_follow_the_reports_findings(demo_run):
    t = demo_run.typology
    assert t.loc["tok med jobben", "hjemmekontor"] == 3 and t.loc["tok med jobben", "kontorfellesskap"] == 3
    assert t.loc["ny jobb", "kontorfellesskap"] == 1 and t.loc["Totalt", "Totalt"] == 7
    kommuner = {i["kommune"] for i in demo_data.INFORMANTS}
    assert kommuner == {"Kvam", "Ulvik", "Eidfjord", "Ullensvang"}
    m = demo_run.matrix
    assert list(m.columns) == [f"Informant {i}" for i in range(1, 8)] + ["Informanter med koden"]
    assert m.loc["tok_med_jobben", "Informanter med koden"] == 6 and m.loc["ny_jobb", "Informant 7"] == 1
    assert m.loc["jobbreiser", "Informanter med koden"] == 7 and m.loc["tillit", "Informanter med koden"] == 7


def test_no_real_name_or_contact_detail_leaves_the_confidential_folder(demo_run):
    mapping = yaml.safe_load(demo_run.files["mapping"].read_text(encoding="utf-8"))
    secrets = [name for section in ("informants", "interviewers", "people", "employers", "places")
               for name in mapping[section]]
    secrets += [part for name in mapping["informants"] for part in name.split()]
    secrets += ["912 34 567", "98765432", "415 55 123", "@", "13097248022"]
    out = demo_run.out
    texts = {p: p.read_text(encoding="utf-8") for d in ("3_pseudonymisert", "4_koding", "5_resultater")
             for p in (out / d).iterdir() if p.suffix != ".qdpx"}
    with zipfile.ZipFile(demo_run.files["qdpx"]) as z:
        texts.update({n: z.read(n).decode("utf-8") for n in z.namelist()})
    leaks = [(str(p), s) for p, text in texts.items() for s in secrets
             if any(s == w.strip(".,«»:;!?()") for w in text.split()) or (" " in s and s in text) or s == "@" and s in text]
    assert leaks == []
    report = (out / "0_fortrolig" / "erstatninger.csv").read_text(encoding="utf-8")
    # (a cell starting with + gets an apostrophe: a spreadsheet would read it as a formula)
    for expected in ("email,replaced,kari.haugland@vestfjordenergi.no", "national_id,replaced,13097248022",
                     "phone,replaced,'+47 415 55 123", "eleven_digits,replaced,12345678901,[nummer]",
                     "capitalised,review,Lise",
                     "informant,replaced,Ole-Martins,Informant 2s", "informant,replaced,Karis,Informant 1s"):
        assert expected in report
    # Listed for review: the unmapped "Lise", and capitalised words at the start of a sentence that are
    # not common first words and that the interview does not also write in lower case.
    reviewed = {row["original"] for row in csv.DictReader(io.StringIO(report)) if row["action"] == "review"}
    assert reviewed == {"Lise", "Kommunikasjonen", "Bedre", "Ulempene", "Nærmeste", "Rimelige", "Nettet",
                        "Samboeren", "Sant", "Kurs", "Fordelen", "Opplæringen", "Samlinger"}
    assert demo_run.to_review == 13 and demo_run.replaced > 100


def test_outputs_are_written_valid_and_say_synthetic(demo_run):
    assert demo_run.problems == []
    html = demo_run.files["report"].read_text(encoding="utf-8")
    assert "SYNTETISKE DEMODATA" in html and "godtatt automatisk uten gjennomgang" in html
    assert "«Vi har senket skuldrene kontra det å bo i sentrum av Bergen.»" in html  # a published quote
    with zipfile.ZipFile(demo_run.files["qdpx"]) as z:
        assert "SYNTETISK DEMO" in z.read("project.qde").decode("utf-8")
    assert demo_run.files["qdc"].exists() and (demo_run.out / "LESMEG.txt").exists()

"""Builds the second pseudonymisation test corpus, written by a tester after the detectors to break
them (the first, ``../corpus``, was written with them): Norwegian letters kept, dropped or half dropped
(Ødegård, Ødegaard, Odegård), hyphenated and lower-case names, genitives ("Kari sin", "Oles"),
employers, small Hardanger villages as mapped places, phone numbers in Norwegian groupings (also with
two spaces), fødselsnummer dictated as a date of birth and a "personnummer", e-mail addresses written
against harvesters ("[at]", "(dot)"), post-office boxes, addresses and postal codes.

Same format as ``../corpus/build.py`` (its helpers write the WebVTT and plain-text transcripts), one
marked-up source, identifiers inline as ``[[kind:text]]``; a text may hold single brackets here
("kari [at] tveit [dot] no"). Kinds and promises as there, and one more to flag:
``street_unknown_suffix``, a street name without a suffix the detector knows, listed for review as a
capitalised word (its house number stays). Run it after editing:
``python tests/interviews/corpus_hostile/build.py``.

Everyone and everything here is INVENTED: names, employers, numbers (valid check digits, belonging to
no one we know of), addresses and e-mail addresses.
"""

from __future__ import annotations

import csv
import importlib.util
import io
import re
from pathlib import Path

HERE = Path(__file__).parent
_spec = importlib.util.spec_from_file_location("corpus_build", HERE.parent / "corpus" / "build.py")
_first = importlib.util.module_from_spec(_spec)
_spec.loader.exec_module(_first)
ANNOTATION_COLUMNS = _first.ANNOTATION_COLUMNS
FLAG_KINDS = (*_first.FLAG_KINDS, "street_unknown_suffix")
MARK = re.compile(r"\[\[(?P<kind>\w+):(?P<text>.+?)\]\](?!\])")  # the text may hold "[at]"

MAPPING = """\
# INVENTED hostile test corpus: real name -> pseudonym
informants:
  Åsmund Ødegård: Informant 1
  Anne-Lise Bjørkheim: Informant 2
  Kari Tveit: Informant 3
  Ole Vik: Informant 4
  Sigbjørn Æsøy: Informant 5
interviewers:
  Hilde Brekke: Intervjuer 1
people:
  Torgeir Ødegård: "[bror]"
  Målfrid Skaar: "[nabo]"
  Ståle Haugland: "[sjef]"
employers:
  Hardanger Fjordhotell: "[arbeidsgiver]"
  Kvam herad: "[arbeidsgiver]"
  Fruktlageret Sørfjord: "[arbeidsgiver]"
places:
  Ålvik: "[stad]"
  Herand: "[stad]"
  Tørvikbygd: "[stad]"
keep: [INVENTED]
"""

I = "Hilde Brekke"
TRANSCRIPTS = [
 ("i_asmund", "vtt", "Intervju med Åsmund Ødegård", [
  (I, "Hei [[name:Åsmund]], kor lenge har du budd på [[name:Ålvik]]?"),
  ("Åsmund Ødegård", "Eg heiter [[name:Åsmund]] [[name_shared:Ødegård]], men alle seier [[name_ascii:Aasmund]]. Eg har budd på [[name:Ålvik]] sidan 2015, i [[address:Ålvikvegen 12]], [[postcode:5614]] [[name:Ålvik]]."),
  (I, "Kven bur du saman med?"),
  ("Åsmund Ødegård", "Broren min, [[name:Torgeir]], bur i [[name:Tørvikbygd]]. [[name_genitive:Torgeirs]] dotter [[name_unmapped:Ingebjørg]] går på skulen der. [[name_case:torgeir]] er snekker."),
  (I, "Korleis kan vi nå deg?"),
  ("Åsmund Ødegård", "Mobil [[phone:+47 912 34 567]], eller jobb [[phone:55 55 12 34]]. E-post [[email:asmund.odegard@kvam.kommune.no]], eller den private [[email:Åsmund.Ødegård@hotmail.com]]."),
  (I, "Kvar jobbar du?"),
  ("Åsmund Ødegård", "På [[name:Hardanger Fjordhotell]] i resepsjonen. [[name_genitive:Hardanger Fjordhotells]] eigar er [[name_unmapped:Leif Steinsland]]. Sjefen min, [[name:Ståle]], ringjer frå [[phone:912 34 560]]."),
  (I, "Og papira?"),
  ("Åsmund Ødegård", "Fødselsnummeret mitt er [[national_id:120585 34534]], og [[name_ascii:Odegard]] står det på bankkortet, ikkje [[name_ascii:Oedegaard]]."),
 ]),
 ("i_annelise", "txt", "Intervju med Anne-Lise Bjørkheim", [
  (I, "Velkomen, [[name:Anne-Lise]]. Du bur på [[name:Herand]]?"),
  ("Anne-Lise Bjørkheim", "Ja, [[name_case:anne-lise]] heiter eg, eller [[name:Anne Lise]] som nokre skriv. Vi bur i [[street_unknown_suffix:Heranderskjeret]] 3... nei, [[address:Herandsvegen 118]], [[postcode:5627]] Jondal."),
  (I, "Kven er naboen din?"),
  ("Anne-Lise Bjørkheim", "[[name:Målfrid Skaar]]. [[name_genitive:Målfrids]] hage er fin. Ho har nummer [[phone:91234567]] og [[phone:+47 91 23 45 68]]."),
  (I, "Og jobben?"),
  ("Anne-Lise Bjørkheim", "Eg jobbar for [[name:Kvam herad]], på heimekontor. [[name_case:KVAM HERAD]] har vore greie. Skriv til [[email:anne-lise.bjorkheim@kvam.kommune.no]] eller <[[email:bjorkheim@online.no]]>."),
  (I, "Har du dokumenta?"),
  ("Anne-Lise Bjørkheim", "Fødselsnummer [[national_id:03039212470]], kontonummer [[account_number:3530.12.10009]]. Postadressa er [[address:Postboks 45]], [[postcode:5627]] Jondal."),
 ]),
 ("i_kari", "vtt", "Intervju med Kari Tveit", [
  (I, "Hei [[name:Kari]]. Fortel om deg sjølv."),
  ("Kari Tveit", "[[name:Kari]] [[name:Tveit]] heiter eg, [[name_genitive:Kari]] sin mann er [[name_unmapped:Sveinung]]. Vi driv [[name:Fruktlageret Sørfjord]] saman med [[name_unmapped:Olav Lofthus]]."),
  (I, "Kvar held de til?"),
  ("Kari Tveit", "I [[address:Sørfjordvegen 1502]], [[postcode:5778]] Utne. Før budde vi i [[address:Kong Sverres gate 14]] i Bergen."),
  (I, "Korleis kan vi kontakte deg?"),
  ("Kari Tveit", "Ring [[phone:912-34-561]] eller [[phone:0047 413 22 111]]. Mailen er [[email:kari_tveit+frukt@gmail.com]], eller [[email_spoken:kari krøllalfa tveit punktum no]]."),
  (I, "Og [[name_genitive:Karis]] barn?"),
  ("Kari Tveit", "[[name_unmapped_lower:ingrid]] går i barnehagen, og [[name_unmapped_lower:sindre]] på skulen. [[name_case:tveit]] er eit vanleg namn."),
 ]),
 ("i_ole", "vtt", "Intervju med Ole Vik", [
  (I, "Velkomen, [[name:Ole]]."),
  ("Ole Vik", "Takk. [[name_genitive:Oles]] kontor er i kjellaren. Eg bur i [[address:Vikjavegen 12 B]], [[postcode:5730]] Ulvik."),
  (I, "Kven er sjefen din?"),
  ("Ole Vik", "[[name:Ståle Haugland]]. [[name_case:ståle]] er grei. Han bur i [[address:Brakanesvegen 7a]]."),
  (I, "Nummer?"),
  ("Ole Vik", "[[phone:+4791234562]], eller [[phone:(+47) 55 52 12 00]]. Fødselsnummer [[national_id:241278-50247]]. E-post [[email:OLE.VIK@ULVIK.KOMMUNE.NO]]."),
  (I, "Har [[name:Vik]]-familien budd her lenge?"),
  ("Ole Vik", "[[name:Vik]] har budd her i 200 år. [[name_word_lower:vik]] betyr bukt."),
 ]),
 ("i_sigbjorn", "txt", "Intervju med Sigbjørn Æsøy", [
  (I, "Hei [[name:Sigbjørn]]."),
  ("Sigbjørn Æsøy", "Hei. [[name_ascii:Sigbjorn]] [[name_ascii:Aesoy]] står det i passet. Eg bur i [[address:Storgata 5]], [[postcode:5750]] Odda, og har hytte på [[name:Herand]]."),
  (I, "Kontakt?"),
  ("Sigbjørn Æsøy", "[[phone:47 41 32 21 11]] eller [[phone:+47 413 22 112]]. E-post [[email:sigbjorn@aesoy.no]]. D-nummer [[d_number:45128311185]]."),
  (I, "Og arbeid?"),
  ("Sigbjørn Æsøy", "[[name:Fruktlageret Sørfjord]] kjøper epla mine. [[name_unmapped:Gudmund]] der er grei. Organisasjonsnummer [[organisation_number:974 760 673]]."),
 ]),

 ("r2_asmund", "txt", "Oppfølgingsintervju med Åsmund Ødegård", [
  (I, "Hei igjen, [[name_case:ÅSMUND]]. Har du ny e-post?"),
  ("Åsmund Ødegård", "Ja, skriv til [[email:asmund(at)odegard.no]] eller [[email:asmund [at] odegard [dot] no]]. Gamle [[email:odegard(at)kvam(dot)no]] virkar ikkje."),
  (I, "Og telefonen?"),
  ("Åsmund Ødegård", "Ny mobil: [[phone:912  34 567]], eller [[phone:+47\u00a0912\u00a034\u00a0567]] om du ringjer frå utlandet, eller ([[phone:912 34 568]])."),
  (I, "Adressa?"),
  ("Åsmund Ødegård", "Post til [[address:Pb. 77]], [[postcode:5614]] [[name:Ålvik]], eller [[address:Pb 78]]. Fødd 12.05.85, personnummer [[national_id:34534]]."),
  (I, "Kven andre bur der?"),
  ("Åsmund Ødegård", "[[name_genitive:Ødegårds]] naboar, [[name_unmapped:Gunvor]] og [[name_unmapped_lower:kjell]]. [[name_case:torgeir]] og [[name_genitive:Torgeir's]] kone [[name_unmapped:Synnøve]] kjem innom."),
 ]),
 ("r2_annelise", "vtt", "Oppfølgingsintervju med Anne-Lise Bjørkheim", [
  (I, "Hei [[name:Anne-Lise]]."),
  ("Anne-Lise Bjørkheim", "Hei. [[name_genitive:Anne-Lises]] kontor er flytta til [[address:Sjøvegen 5]] i Ulvik, postnr. [[postcode:5730]]."),
  (I, "Kontaktinfo?"),
  ("Anne-Lise Bjørkheim", "[[phone:47 91 23 45 69]] eller [[phone:912.34.569]]. Fødselsnummer fnr[[national_id:24127850247]]. [[email_spoken:anne bindestrek lise krøllalfa kvam punktum kommune punktum no]]."),
  (I, "Kven jobbar du med?"),
  ("Anne-Lise Bjørkheim", "[[name:Målfrid]] og sjefen, [[name_ascii:Stale Haugland]]. [[name_case:haugland]] er streng. [[name_ascii:Malfrid]] er snill."),
 ]),

 ("r3_sigbjorn", "vtt", "Intervju 2 med Sigbjørn Æsøy", [
  (I, "Hei [[name:Sigbjørn]], korleis går det på [[name_case:herand]]?"),
  ("Sigbjørn Æsøy", "Bra. [[name_genitive:Herands]] beste tid er no. Onkel [[name:Torgeir]] og [[name_unmapped:Brynjulv]] hjelper meg med epla frå [[name:Hardanger Fjordhotell]] AS sin hage."),
  (I, "Kan du gi meg nummeret ditt att?"),
  ("Sigbjørn Æsøy", "Det er [[phone:+47-413-22-111]], eller [[phone:412 34 567]] (privat). Skriv det ned: [[phone:ni en to, tre fire, fem seks sju]]."),
  (I, "Og e-post?"),
  ("Sigbjørn Æsøy", "[[name:Sigbjørn]] [[name:Æsøy]] ([[email:sigbjorn.aesoy@gmail.com]]), eller [[email:post@fjordhotell.no]] på jobb."),
  (I, "Kvar bur du no?"),
  ("Sigbjørn Æsøy", "I [[address:Tørvikbygdvegen 118]], [[postcode:5620]] [[name_case:TØRVIKBYGD]], ved sidan av [[address:Kyrkjevegen 3]], 2. etg. [[name_genitive:Æsøys]] gard er i [[address:Fjordgata 7]]–9."),
  (I, "Papir?"),
  ("Sigbjørn Æsøy", "Kontonr: [[account_number:35301210009]], fnr.: [[national_id:15 03 87 120 52]]. [[name_unmapped:Ragnvald]] på banken har [[phone:55 52 12 01]]. Orgnr [[organisation_number:974 760 673]]."),
 ]),
 ("r3_ole", "txt", "Intervju 2 med Ole Vik", [
  (I, "Velkomen att, [[name:Ole]]."),
  ("Ole Vik", "Takk. [[name_case:OLE VIK]] heiter eg framleis, ha-ha. [[name_unmapped:Tormod]] og [[name_unmapped_lower:ingrid]] var her i går."),
  (I, "Kven andre?"),
  ("Ole Vik", "[[name:Ståle]] kom frå [[name:Ålvik]]. [[name_ascii:Alvik]] er fint. [[name_genitive:Ståles]] bil er ny. Mailen hans er [[email:stale.haugland@ulvik.kommune.no]]."),
  (I, "Har du ny adresse?"),
  ("Ole Vik", "Ja, [[address:Vikjavegen 14]], [[postcode:N-5730]] Ulvik. Gamle nummeret mitt, [[phone:934 56 789]], er sagt opp. Ring [[phone:+47 934 56 780]]."),
 ]),

 ("r4_blandet", "txt", "Intervju 3 med Åsmund Ødegård", [
  (I, "Hei [[name_ascii:Aasmund]]. Er det [[name_ascii:Ødegaard]] eller [[name:Ødegård]] på postkassa?"),
  ("Åsmund Ødegård", "[[name_ascii:Ødegaard]] står det, og broren skriv [[name_ascii:Odegård]]. [[name_ascii:Sigbjørn Aesøy]] og [[name_ascii:Anne-Lise Bjorkheim]] kjem frå [[name_ascii:Torvikbygd]] og [[name_ascii:Aalvik]]. [[name_ascii:Maalfrid]] [[name_unmapped:Skår]] òg."),
 ]),
]


def unmark(text: str) -> tuple[str, list[tuple[int, int, str, str]]]:
    """The text without markup, and each identifier's (start, end, kind, text) in it."""
    out, spans, pos, length = [], [], 0, 0
    for m in MARK.finditer(text):
        out.append(text[pos:m.start()])
        length += m.start() - pos
        spans.append((length, length + len(m["text"]), m["kind"], m["text"]))
        out.append(m["text"])
        length += len(m["text"])
        pos = m.end()
    out.append(text[pos:])
    return "".join(out), spans


def build() -> dict[str, str]:
    """The corpus files (name → content): transcripts, mapping.yaml and annotations.csv."""
    files = {"mapping.yaml": MAPPING}
    rows = []
    for name, fmt, title, marked in TRANSCRIPTS:
        turns = []
        for number, (speaker, text) in enumerate(marked, start=1):
            plain, spans = unmark(text)
            turns.append((speaker, plain))
            rows += [{"file": f"{name}.{fmt}", "turn": number, "start": a, "end": b, "kind": kind,
                      "expect": "flag" if kind in FLAG_KINDS else "replace", "text": ident}
                     for a, b, kind, ident in spans]
        files[f"{name}.{fmt}"] = _first.vtt(name, title, turns) if fmt == "vtt" else _first.txt(title, turns)
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=ANNOTATION_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    files["annotations.csv"] = buffer.getvalue()
    return files


if __name__ == "__main__":
    for file_name, content in build().items():
        (HERE / file_name).write_text(content, encoding="utf-8")
    print(f"wrote {len(TRANSCRIPTS)} transcripts, mapping.yaml and annotations.csv to {HERE}")

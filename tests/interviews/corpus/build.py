"""Builds the pseudonymisation test corpus from one marked-up source: the invented transcripts below
carry their identifiers inline as ``[[kind:text]]``; this writes the transcripts (Teams WebVTT and
plain text, bokmål and nynorsk) without the markup, and ``annotations.csv`` with one row per
identifier (file, kind, expect, text). Run it after editing: ``python tests/interviews/corpus/build.py``.

Everyone and everything here is INVENTED: names, employers, phone, identity and account numbers
(valid check digits, belonging to no one we know of), addresses and e-mail addresses.

Kinds and what the pseudonymiser promises for them (``expect``):
replace: name (a mapped name or name part as written in the mapping), name_genitive, name_compound
(the name inside a hyphen compound: "Johansen" in "Johansen-gården"), name_case (lower or upper case), name_nfd (decomposed Unicode),
name_shared (a name part two mapped people share), name_ascii (written without æ, ø, å), phone,
number_spoken (read out digit by digit), national_id (fødselsnummer), d_number,
eleven_digits (11 digits with wrong check digits), account_number (also IBAN), organisation_number, email, email_spoken, address
(street + house number, post-office box), postcode;
flag (listed for review, left in place): name_unmapped (capitalised, not in the mapping; also at the
start of a sentence), name_unmapped_lower (a common Norwegian name written in lower case, not in the
mapping), name_word_lower (a mapped name that is an ordinary word, in lower case).
"""

from __future__ import annotations

import csv
import io
import re
import unicodedata
import uuid
from pathlib import Path

HERE = Path(__file__).parent
FLAG_KINDS = ("name_unmapped", "name_unmapped_lower", "name_word_lower")
MARK = re.compile(r"\[\[(?P<kind>\w+):(?P<text>[^\]]+)\]\]")

MAPPING = """\
# INVENTED test corpus: real name -> pseudonym
informants:
  Kari Johansen: Informant 1
  Ole-Martin Berge: Informant 2
  Liv Kvamme: Informant 3
  Åse Øvretveit: Informant 4
  Torstein Haugsnes: Informant 5
  Ingvild Rørvik: Informant 6
  Fatima Rahimi: Informant 7
  Sindre Kleppe: Informant 8
  Marte Hauge: Informant 9
  Erlend Bø: Informant 10
  Bjørnar Sæterdal: Informant 11
interviewers:
  Anne Kristin Dahl: Intervjuer 1
  Gunnhild Tveito: Intervjuer 2
people:
  Odd Kvamme: "[ektefelle]"
  Kari Lunde: "[kollega]"
  Per Strand: "[leiar]"
  Håvard Nesbø: "[nabo]"
  Siri Aakre: "[sjef]"
  Ragnhild Åsheim: "[svigermor]"
  Jon Are Hovland: "[kollega]"
  Marius Johansen: "[bror]"
employers:
  Vestfjord Energi: "[arbeidsgiver]"
  Hardangerkraft: "[arbeidsgiver]"
  Nordlys Programvare: "[arbeidsgiver]"
  Fjordtech: "[arbeidsgiver]"
places:
  Vikøy: "[sted]"
keep: [INVENTED, Bergensbanen, Flesland, Folgefonna, Øystese, Lofthus, Kinsarvik, Granvin, Jondal, Rosendal]
"""

I1, I2 = "Anne Kristin Dahl", "Gunnhild Tveito"

# file, format, title, whole file in NFD?, turns (speaker, marked-up text)
TRANSCRIPTS = [
    ("intervju_kari_johansen", "vtt", "Intervju med Kari Johansen", False, [
        (I1, "Hei [[name_shared:Kari]], takk for at du stiller opp. Kan du fortelle litt om deg sjølv?"),
        ("Kari Johansen", "Ja, jeg heter [[name_shared:Kari]] [[name_shared:Johansen]] og jobber i [[name:Vestfjord Energi]]. "
         "Jeg vokste opp på [[name_compound:Johansen]]-gården på [[name:Vikøy]], og [[name_compound:Kari]]-mor kalte de meg i bygda."),
        (I1, "Hvordan kan vi nå deg hvis vi har flere spørsmål?"),
        ("Kari Johansen", "Mobilen min er [[phone:9123 4567]], eller jobbnummeret [[phone:+47 5512 3400]]. "
         "E-posten er [[email_spoken:kari punktum johansen krøllalfa gmail punktum com]], altså [[email:kari.johansen@gmail.com]]."),
        (I1, "Og hvor bor du nå?"),
        ("Kari Johansen", "Vi bor i [[address:Storgata 12B]], [[postcode:5600]] Norheimsund. Før bodde vi i [[address:Fjellveien 101]] i Bergen."),
        (I1, "Hvem andre jobber fra bygda?"),
        ("Kari Johansen", "[[name_unmapped:Lise]] jobber også hjemmefra. Og broren min, [[name:Marius]], og kollegaen min [[name:Kari Lunde]]. "
         "[[name:Lundes]] kontor er rett ved siden av mitt når vi er inne."),
        (I1, "Hvordan fikk dere tilgang til systemene hjemme?"),
        ("Kari Johansen", "Jeg måtte oppgi fødselsnummeret mitt, [[national_id:150387-12052]], og lønna går til "
         "[[account_number:3067.90.37745]]. [[name_unmapped:Sigrid]] i IT hjalp meg, hun har nummer [[phone:912 34 567]]."),
        (I1, "Hva sier familien?"),
        ("Kari Johansen", "[[name_case:marius]] syns det er fint. [[name_genitive:Marius']] kone er fra [[postcode:N-5640]] ute ved fjorden."),
    ]),
    ("intervju_ole_martin", "txt", "Intervju med Ole-Martin Berge (Teams)", False, [
        (I2, "Velkommen, [[name:Ole-Martin]]. Du jobber i [[name:Hardangerkraft]]?"),
        ("Ole-Martin Berge", "Ja, på [[name_compound:Hardangerkraft]]-kontoret i Odda, men mest hjemmefra. "
         "[[name_case:ole-martin]] kaller de meg på jobben, eller bare [[name_case:BERGE]]."),
        (I2, "Kan du gi meg kontaktinformasjon til oppfølginga?"),
        ("Ole-Martin Berge", "Telefon [[phone:912 34567]], eller [[phone:(+47) 400 12 345]]. Mailen er "
         "[[email_spoken:ole bindestrek martin krøllalfa hardangerkraft punktum no]], skrevet [[email:ole-martin.berge@hardangerkraft.no]]."),
        (I2, "Hvor er kontoret ditt hjemme?"),
        ("Ole-Martin Berge", "Jeg har et kontor i kjelleren i [[address:Kyrkjevegen 3]], [[postcode:5750]] Odda. "
         "Posten kommer til [[address:Postboks 12]]."),
        (I2, "Har du kolleger i nærheten?"),
        ("Ole-Martin Berge", "Ja, [[name:Jon Are Hovland]] bor like ved. [[name_genitive:Hovlands]] sønn og [[name_unmapped:Torbjørn Lothe]] "
         "driver et lite firma sammen. [[name_unmapped:Marit]] og [[name_unmapped:Eirik]] er også med."),
        (I2, "Hva med lønn og slikt?"),
        ("Ole-Martin Berge", "Kontonummeret er [[account_number:6875 13 50620]], og det var [[d_number:42117450095]] som sto på "
         "skjemaet, D-nummeret til kona før hun fikk fødselsnummer. Det kostet 12 000 kroner å flytte."),
        (I2, "Hvordan var flyttingen?"),
        ("Ole-Martin Berge", "Vi flyttet i 2019-2020. [[name_unmapped:Bente]] hjalp oss, hun bor i [[address:Strandgaten 4]]. "
         "Ring henne gjerne på [[phone:91234500]] eller [[phone:0047 41234567]]."),
    ]),
    ("intervju_liv_kvamme", "vtt", "Intervju med Liv Kvamme", False, [
        (I2, "Takk for at du vil vere med, [[name:Liv]]. Kan du fortelje kvar du jobbar?"),
        ("Liv Kvamme", "Eg jobbar for [[name:Nordlys Programvare]], eit lite selskap i Bergen. [[name_shared:Kvamme]] er "
         "eit vanleg namn her, så folk trur eg er i slekt med alle."),
        (I2, "Kven bur du saman med?"),
        ("Liv Kvamme", "Eg bur med mannen min, [[name:Odd]]. [[name_genitive:Odds]] mor, [[name:Ragnhild]], bur i "
         "[[address:Prestegardsvegen 40]], [[postcode:5610]] Øystese. [[name_shared:Kvamme]] er no eit heilt lag i bygda."),
        (I2, "Korleis kan eg kontakte deg seinare?"),
        ("Liv Kvamme", "Ring [[phone:926-55-107]] eller send til [[email_spoken:liv punkt kvamme alfakrøll online punkt no]]. "
         "[[name:Odd]] har [[phone:47.11.22.33]], og e-posten hans er [[email:odd.kvamme @ online.no]]."),
        (I2, "Har du nokon kollegaer i nærleiken?"),
        ("Liv Kvamme", "[[name_unmapped:Solveig]] jobbar på same kontorfellesskap, og [[name_unmapped_lower:solveig]] og eg et lunsj saman. Ho bur i [[address:Sjøvegen 8]]. "
         "Leiaren min, [[name:Siri Aakre]], kjem innom ein gong i månaden. [[name_compound:Aakre]]-saka har alle høyrt om."),
        (I2, "Kva med dokument og slikt?"),
        ("Liv Kvamme", "Eg måtte sende inn fødselsnummeret [[national_id:02117440039]] og kontonummeret [[account_number:4644 72 45272]]. "
         "Postadressa er [[address:Postboks 4410]], [[postcode:NO-5779]]."),
        (I2, "Kor ofte reiser du til Bergen?"),
        ("Liv Kvamme", "To gonger i månaden, kl. 07.15 med bussen. Billetten kostar 25 000 000 kroner i året, nei då, eg tullar. "
         "[[name_case:siri]] betaler. Ein gong var [[name_case:ODD]] med og."),
    ]),
    ("intervju_aase_ovretveit", "vtt", "Intervju med Åse Øvretveit", True, [
        (I1, "Velkommen, [[name_nfd:Åse]]. Du flytta heim til Ulvik?"),
        ("Åse Øvretveit", "Ja, [[name_nfd:Åse]] heiter eg, og eg tok med meg jobben frå [[name:Fjordtech]]. Mor mi, "
         "[[name_unmapped:Åslaug]], bur i [[address:Kaigata 2]], og nabo til [[name_nfd:Håvard Nesbø]]."),
        (I1, "Korleis er det å jobbe heimanfrå?"),
        ("Åse Øvretveit", "Fint. [[name_nfd:Håvard]] kjem innom med kaffi. [[name_genitive:Håvards]] hund heiter Tassen. "
         "Svigermora mi, [[name_nfd:Ragnhild Åsheim]], seier at [[name_compound:Åsheim]]-garden er for stor."),
        (I1, "Kan eg få telefonnummeret ditt?"),
        ("Åse Øvretveit", "Ja, [[phone:+47 9123 4560]] på mobil og [[phone:55 30 12 00]] på kontoret. E-post: "
         "[[email:aase.ovretveit@hotmail.com]] eller seie det: [[email_spoken:aase punktum øvretveit krøllalfa hotmail punktum com]]."),
        (I1, "Kvar ligg kontoret?"),
        ("Åse Øvretveit", "I [[address:Skulestien 5]], [[postcode:5730]] Ulvik. Før var eg i [[address:Nygårdsplassen 2]] i Bergen."),
        (I1, "Noko anna vi bør vite?"),
        ("Åse Øvretveit", "Fødselsnummeret mitt er [[national_id:280691 40000]], og D-nummeret til kollegaen min "
         "[[name_unmapped:Jorunn]] er [[d_number:68069150067]]. Eg skreiv feil ein gong: [[eleven_digits:280691 40001]]."),
    ]),
    ("intervju_torstein", "vtt", "Intervju med Torstein Haugsnes", False, [
        (I1, "Hei [[name:Torstein]]. Fortell om jobben din."),
        ("Torstein Haugsnes", "Jeg er utvikler i [[name:Fjordtech]]. [[name_case:TORSTEIN]] står det på døra, haha. "
         "Sjefen min er [[name:Per Strand]], men [[name_word_lower:per]] er mest i Oslo."),
        (I1, "Hvordan kan vi nå deg?"),
        ("Torstein Haugsnes", "På [[phone:91234567]] eller [[email:torstein(at)fjordtech.no]], eller si det "
         "[[email_spoken:torstein at fjordtech dot no]]. Kontoret har [[phone:+4790011223]]."),
        (I1, "Hvor bor du?"),
        ("Torstein Haugsnes", "I [[address:Eikelibakken 9 A]], [[postcode:5700]] Voss, ved siden av [[name_unmapped:Henrik Aasland]]. "
         "Vi bygde om [[name_compound:Haugsnes]]-huset i fjor."),
        (I1, "Har du noen papirer fra flyttingen?"),
        ("Torstein Haugsnes", "Fødselsnummer [[national_id:09016540037]], kontonummer [[account_number:99609032347]], og D-nummer "
         "til kona [[d_number:490165 50093]]. Det var [[eleven_digits:12345678901]] på en gammel lapp."),
        (I1, "Hva synes familien?"),
        ("Torstein Haugsnes", "[[name_unmapped:Geir]], broren min, synes vi er gale. Både [[name_unmapped_lower:geir]] og [[name_unmapped_lower:andersen]] på jobben. [[name_case:per strand]] sa det samme. "
         "[[name_genitive:Strands]] kone er fra [[postcode:5781]] Lofthus."),
    ]),
    ("intervju_ingvild", "txt", "Intervju med Ingvild Rørvik", False, [
        (I2, "Hei, [[name:Ingvild]]. Kvifor flytta du hit?"),
        ("Ingvild Rørvik", "Mannen min fekk jobb her, og eg fekk lov av [[name:Vestfjord Energi]] å jobbe heimanfrå. "
         "[[name_genitive:Rørviks]] familie har budd her i generasjonar."),
        (I2, "Kan du gi meg kontaktinfo?"),
        ("Ingvild Rørvik", "[[phone:41 23 45 67]] er mobilen. E-posten er [[email:Ingvild.Rorvik@Vestfjord-Energi.no]], "
         "eller [[email_spoken:ingvild prikk rørvik krølla hotmail prikk com]]."),
        (I2, "Kvar bur du?"),
        ("Ingvild Rørvik", "I [[address:Tverrvegen 21]], [[postcode:5620]] Tørvikbygd. [[name:Kari Johansen]] bur rett over vegen, "
         "i [[address:Nordnesveien 12]] har ho ei leilegheit òg."),
        (I2, "Har du kollegaer her?"),
        ("Ingvild Rørvik", "[[name_unmapped:Astrid]] frå Jondal og [[name_unmapped:Knut Rolland]]. Dei har telefon "
         "[[phone:934 56 789]] og [[phone:+47 934 56 780]]. [[name_case:ingvild]] kallar dei meg."),
        (I2, "Kva med papir?"),
        ("Ingvild Rørvik", "Fødselsnummer [[national_id:30087940736]] og kontonummer [[account_number:9358.76.71954]]. "
         "Postnummer [[postcode:5630]] står på skjemaet."),
    ]),
    ("intervju_fatima", "vtt", "Intervju med Fatima Rahimi", False, [
        (I1, "Velkommen, [[name:Fatima]]. Kan du fortelle om jobben?"),
        ("Fatima Rahimi", "Jeg jobber for [[name:Nordlys Programvare]] fra Kinsarvik. [[name_case:rahimi]] skrev de feil på kontrakten."),
        (I1, "Hvordan kan vi kontakte deg?"),
        ("Fatima Rahimi", "Ring [[phone:481 23 456]], eller send til [[email_spoken:fatima punktum rahimi krøllalfa outlook punktum com]]. "
         "Skriftlig: [[email:fatima.rahimi@outlook.com]]. Hjemme har vi [[phone:(+47) 53 66 12 34]]."),
        (I1, "Hvor bor du?"),
        ("Fatima Rahimi", "[[address:Smiebakken 3]], [[postcode:5780]] Kinsarvik. Sjefen min, [[name:Siri]], bor i "
         "[[address:Kong Oscars gate 5]] i Bergen."),
        (I1, "Har du noen nære kolleger?"),
        ("Fatima Rahimi", "[[name_unmapped:Yasmin]] og [[name_unmapped:Olav Tjoflot]], og [[name_unmapped_lower:jonas]] [[name_unmapped_lower:hansen]]. [[name_genitive:Siris]] assistent "
         "heter [[name_unmapped:Kristine]]. [[name_genitive:Aakres]] team er stort."),
        (I1, "Papirer?"),
        ("Fatima Rahimi", "Fødselsnummer [[national_id:17128340092]], D-nummer fra før [[d_number:59049050024]], "
         "konto [[account_number:3269 59 21178]]. Et feilskrevet nummer: [[eleven_digits:171283 40093]]."),
    ]),
    ("intervju_marte_hauge", "txt", "Intervju med Marte Hauge, nynorsk", False, [
        (I2, "Hei, [[name:Marte]]. Kor lenge har du jobba frå Jondal?"),
        ("Marte Hauge", "Sidan 2021. Eg jobbar for [[name:Vestfjord Energi]], og sjefen min er [[name_nfd:Håvard]]. "
         "Nei, ikkje han, eg meiner [[name:Siri Aakre]]. [[name_case:marte]] kallar dei meg ikkje, berre [[name_case:MARTE]]."),
        (I2, "Korleis når eg deg?"),
        ("Marte Hauge", "Mobil [[phone:975 12 345]], fast [[phone:53 68 01 02]]. E-post "
         "[[email_spoken:marte punktum hauge krøllalfa vestfjord bindestrek energi punktum no]] eller "
         "[[email:marte.hauge@vestfjord-energi.no]]. Møtet er kl. 20.30-21.45 den 24.12.2023, så det passar."),
        (I2, "Kvar bur du?"),
        ("Marte Hauge", "I [[address:Jondalsvegen 114]], [[postcode:5627]] Jondal. Mor mi, [[name_nfd:Ragnhild Åsheim]], bur i "
         "[[address:Åsvegen 3 B]]. Eg har arbeidsplass 2 dagar i veka på kontoret."),
        (I2, "Kven jobbar du saman med?"),
        ("Marte Hauge", "[[name_unmapped:Vegard]] og [[name_unmapped:Hilde Tufte]]. "
         "Du veit, [[name_genitive:Hauges]] hytte er på Folgefonna. [[name_compound:Hauge]]-familien er stor. "
         "Eg snakka med [[name_word_lower:strand]] om det, altså leiaren."),
        (I2, "Papir?"),
        ("Marte Hauge", "Fødselsnummer [[eleven_digits:211195 40060]] nei, [[national_id:21029540060]]. "
         "Konto [[account_number:8267.38.48792]]. Lønna er 1 250 000 i året, og 12 500 kroner i månaden i husleige. "
         "Postnr. [[postcode:5627]] og D-nummer [[d_number:55038750096]]."),
    ]),
    ("intervju_erlend_bo", "vtt", "Intervju med Erlend Bø", False, [
        (I1, "Hei [[name:Erlend]]. Du startet i ny jobb da du flyttet?"),
        ("Erlend Bø", "Ja, i [[name:Fjordtech]]. [[name_nfd:Åse]] og [[name_unmapped_lower:sverre]] tipset meg om jobben. [[name_nfd:Åses]] mann kjenner sjefen."),
        (I1, "Hvordan når vi deg?"),
        ("Erlend Bø", "[[phone:93 45 67 89]] eller [[phone:+47 46 12 34 56]]. E-post [[email:erlend.bo@fjordtech.no]], "
         "sagt [[email_spoken:erlend punktum bø krøllalfa fjordtech punktum no]]."),
        (I1, "Adresse?"),
        ("Erlend Bø", "[[address:Rosendalsvegen 22]], [[postcode:5470]] Rosendal, og hytta er i [[address:Fjellstien 6]]. "
         "Post til [[address:Pb. 77]]."),
        (I1, "Kolleger?"),
        ("Erlend Bø", "[[name_unmapped:Tone]] og [[name_unmapped:Sverre Indrebø]] sitter i Bergen. [[name_case:erlend bø]] står på "
         "skiltet, og [[name_case:BØ]] på postkassa. Vi snakket med [[name_word_lower:per]] i går."),
        (I1, "Papirer?"),
        ("Erlend Bø", "Fødselsnummer [[national_id:11098840054]], D-nummer [[d_number:590490-50024]], konto "
         "[[account_number:9277 62 68951]], og et gammelt nummer [[eleven_digits:11098840055]]. "
         "I 2019 2020 bodde vi i Bergen, og vi betalte kr 25 000 000 for huset. Nei, 2 500 000."),
    ]),
    ("intervju_bjornar", "vtt", "Intervju med Bjørnar Sæterdal", False, [
        (I1, "Hei [[name:Bjørnar]], kan du fortelle hvordan navnet ditt skrives i systemene?"),
        ("Bjørnar Sæterdal", "I gamle systemer uten æ, ø og å står jeg som [[name_ascii:Bjornar Saeterdal]] eller "
         "[[name_ascii:Bjoernar]]. [[name_ascii:Saeterdals]] eiendom står i matrikkelen som [[name_ascii:Sæterdal]]. Nei, bare "
         "[[name_ascii:Seterdal]]."),
        (I1, "Hvordan kan vi ringe deg?"),
        ("Bjørnar Sæterdal", "Nummeret er [[number_spoken:ni åtte sju seks fem fire tre to]], eller "
         "[[number_spoken:fire en, to tre, fire fem, seks sju]]. Kontoret har [[phone:47 98 76 54 32]]."),
        (I1, "E-post?"),
        ("Bjørnar Sæterdal", "[[email_spoken:bjornar punktum saeterdal krøll alfa gmail punktum kom]]. Eller "
         "[[email:BJORNAR.SAETERDAL@GMAIL.COM]] med store bokstaver."),
        (I1, "Og adressen?"),
        ("Bjørnar Sæterdal", "Jeg har kontor på [[address:Strandkaien nr. 8]] og bor på [[address:Bryggen 15]], "
         "[[postcode:5003]] Bergen. [[name_unmapped:Ragnar]] ringte i går, han bor i [[address:Nedre Korskirkeallmenning 1]]."),
        (I1, "Noe mer?"),
        ("Bjørnar Sæterdal", "Fødselsnummeret leste jeg opp på telefon: [[number_spoken:en fem null tre åtte sju fire null sju null seks]]. "
         "[[name_unmapped:Dagny]] i banken skrev [[account_number:8051 21 97721]], i utlandet "
         "[[account_number:NO93 8601 1117 947]]. Firmaet mitt har organisasjonsnummer [[organisation_number:939 825 975]]."),
    ]),
    ("intervju_sindre", "vtt", "Intervju med Sindre Kleppe", False, [
        (I2, "Hei [[name:Sindre]], kor jobbar du?"),
        ("Sindre Kleppe", "Eg jobbar for [[name:Hardangerkraft]], men sit i Granvin. [[name_genitive:Kleppes]] snekkarverkstad "
         "er i same hus. [[name_case:kleppe]] står det på postkassa."),
        (I2, "Kontaktinformasjon?"),
        ("Sindre Kleppe", "[[phone:+47 912 34 560]] eller [[phone:9988 7766]]. E-post [[email:sindre.kleppe@gmail.com]], "
         "eller [[email_spoken:sindre.kleppe krøllalfa gmail punktum com]]."),
        (I2, "Kvar bur du?"),
        ("Sindre Kleppe", "I [[address:Hauganestunet 7]], [[postcode:5736]] Granvin. Før i [[address:Øvre Ullevål vei 3]] i Oslo."),
        (I2, "Kollegaer?"),
        ("Sindre Kleppe", "[[name:Jon Are]] kjem innom. [[name_unmapped:Bjarte]] og [[name_unmapped:Ingrid Sæle]] òg. "
         "[[name:Hovland]] og eg deler bil til Bergen."),
        (I2, "Papir?"),
        ("Sindre Kleppe", "Fødselsnummer [[national_id:04047040065]], konto [[account_number:70805531477]], og D-nummeret "
         "til svogeren [[d_number:47077750025]]. Feil: [[eleven_digits:040470-40066]]."),
    ]),
]

ANNOTATION_COLUMNS = ("file", "turn", "start", "end", "kind", "expect", "text")


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


def _clock(seconds: float) -> str:
    ms = round(seconds * 1000)
    return f"{ms // 3_600_000:02d}:{ms // 60_000 % 60:02d}:{ms // 1000 % 60:02d}.{ms % 1000:03d}"


def vtt(name: str, title: str, turns: list[tuple[str, str]]) -> str:
    """Teams-style WebVTT: '<GUID>/<n>-<part>' cue ids, a turn split into cues of about twelve words."""
    session = uuid.uuid5(uuid.NAMESPACE_URL, "fjernarbeid-corpus/" + name)
    lines, clock = ["WEBVTT", "", f"NOTE {title}. INVENTED test transcript.", ""], 3.0
    for n, (speaker, text) in enumerate(turns):
        words = text.split(" ")
        chunks = [words[i:i + 12] for i in range(0, len(words), 12)]
        for part, chunk in enumerate(chunks):
            duration = 0.4 * len(chunk)
            lines += [f"{session}/{n + 11}-{part}", f"{_clock(clock)} --> {_clock(clock + duration)}",
                      f"<v {speaker}>{' '.join(chunk)}</v>", ""]
            clock += duration
        clock += 1.1
    return "\n".join(lines)


def txt(title: str, turns: list[tuple[str, str]]) -> str:
    """Plain text as copied from the Teams transcript pane: '[m:ss] Name: text'."""
    lines, clock = [f"# {title}", "# INVENTED test transcript."], 3
    for speaker, text in turns:
        lines.append(f"[{clock // 60}:{clock % 60:02d}] {speaker}: {text}")
        clock += 5 + len(text.split()) // 2
    return "\n".join(lines) + "\n"


def build(directory: Path = HERE) -> dict[str, str]:
    """The corpus files (name → content): transcripts, mapping.yaml and annotations.csv."""
    files = {"mapping.yaml": MAPPING}
    rows = []
    for name, fmt, title, nfd, marked in TRANSCRIPTS:
        turns = []
        for number, (speaker, text) in enumerate(marked, start=1):
            plain, spans = unmark(text)
            written = plain
            for a, b, kind, _ in reversed(spans):  # decomposed Unicode where the kind says so
                if kind == "name_nfd":
                    written = written[:a] + unicodedata.normalize("NFD", written[a:b]) + written[b:]
            turns.append((speaker, written))
            rows += [{"file": f"{name}.{fmt}", "turn": number, "start": a, "end": b, "kind": kind,
                      "expect": "flag" if kind in FLAG_KINDS else "replace", "text": ident}
                     for a, b, kind, ident in spans]
        content = vtt(name, title, turns) if fmt == "vtt" else txt(title, turns)
        files[f"{name}.{fmt}"] = unicodedata.normalize("NFD", content) if nfd else content
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

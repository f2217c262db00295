"""SYNTHETIC demo interviews: seven invented informants in Kvam, Ulvik, Eidfjord and Ullensvang.

Everything here is made up to exercise the software: the people, their employers, phone numbers,
e-mail addresses and the identity number (a number with valid check digits, belonging to no one we
know of). The stories follow the report's findings (chapter 3.1): six took their job along when they
moved, one started a new remote job; of the six, three work from home and three from a coworking
space, the seventh from a coworking space; all travel to the employer, typically once or twice a
month. Sentences in «» are the report's published quotes, reused as such.
"""

from __future__ import annotations

# The mapping a researcher would keep apart from the transcripts.
MAPPING_YAML = """\
# SYNTETISK DEMO-DATA – oppdiktede navn. FORTROLIG i et ekte prosjekt: koblingsnøkkelen
# (ekte navn -> pseudonym) oppbevares atskilt fra transkripsjonene, sammen med erstatningsrapporten.
informants:
  Kari Haugland: Informant 1
  Ole-Martin Berge: Informant 2
  Ingrid Sæbø: Informant 3
  Magnus Tveit: Informant 4
  Silje Nesheim: Informant 5
  Håkon Lid: Informant 6
  Marte Ulvestad: Informant 7
interviewers:
  Anne Kristin Dahl: Intervjuer 1
  Tor Egil Vik: Intervjuer 2
people:
  Per Haugland: "[ektefelle]"
  Jonas Brekke: "[kollega]"
employers:
  Vestfjord Energi: "[arbeidsgiver]"
  Nordlys Programvare: "[arbeidsgiver]"
  Statens kartkontor: "[arbeidsgiver]"
  Fjelltopp Rådgivning: "[arbeidsgiver]"
  Bergen Havnevesen: "[arbeidsgiver]"
  Kystdata: "[arbeidsgiver]"
  Trøndelag Tekniske: "[arbeidsgiver]"
places:
  Vikøy: "[sted]"
keep: [DEMO, DEMO-DATA, SYNTETISK, Personer, Bergensbanen, Gardermoen, Flesland]
"""

INTERVIEWERS = {"I1": "Anne Kristin Dahl", "I2": "Tor Egil Vik"}

# id, name, municipality, moved with job?, workplace, travel, format, date, turns (speaker key, text)
INFORMANTS = [
    {
        "file": "intervju_kari_haugland", "name": "Kari Haugland", "kommune": "Kvam", "flytting": "tok med jobben",
        "arbeidssted": "kontorfellesskap", "jobbreiser": "2 ganger i måneden", "format": "vtt", "date": "2025-03-04",
        "turns": [
            ("I1", "Takk for at du tar deg tid, Kari. Kan du begynne med å fortelle om jobben din og hvor lenge du har hatt den?"),
            ("R", "Ja. Jeg jobber som rådgiver i Vestfjord Energi, i en stilling i økonomiavdelingen. Jeg har hatt jobben i snart ni år, og de siste tre årene har jeg fjernarbeidet herfra Kvam."),
            ("I1", "Hvorfor startet du med fjernarbeid?"),
            ("R", "Vi flyttet hjem, rett og slett. Jeg vokste opp i Norheimsund, og da vi fikk barn ville vi nærmere familien. Jeg spurte om jeg kunne beholde jobben, og jeg fikk lov å flytte så lenge jeg kom inn til Bergen et par ganger i måneden. Så jeg tok med meg jobben."),
            ("I1", "Hva var utslagsgivende?"),
            ("R", "«Vi har senket skuldrene kontra det å bo i sentrum av Bergen.» Mannen min, Per Haugland, sier det samme. Og foreldrene mine bor fem minutter unna, så det er enkelt med henting og bringing."),
            ("I1", "Hvor jobber du til daglig?"),
            ("R", "Jeg sitter i et kontorfellesskap i sentrum av bygda. Vi er en åtte-ti stykker fra forskjellige virksomheter. «Det er lite faglig da, det er såpass variert hva folk jobber med at det blir ikke sånn veldig faglig deling der. Nei, det er først og fremst sosialt.» Vi spiser lunsj sammen hver dag."),
            ("I1", "Hvordan er det å jobbe slik sammenlignet med å være på kontoret i Bergen?"),
            ("R", "Jeg er mer effektiv her, det er færre avbrytelser. Kommunikasjonen går på Teams uansett, det gjorde den før også. Sjefen min stoler på at jeg leverer, og den tilliten er helt avgjørende. Han ringer ikke for å kontrollere."),
            ("I1", "Hvor ofte reiser du inn?"),
            ("R", "Jeg reiser til Bergen to ganger i måneden. Det er greit med bussen, men reiseveien tar en halv dag tur-retur når ferjen ikke passer. Bedre kollektivtilbud hadde vært fint."),
            ("I1", "Hvis noen vil nå deg etter intervjuet, hvordan gjør de det?"),
            ("R", "De kan ringe meg på 912 34 567 eller sende e-post til kari.haugland@vestfjordenergi.no. Ole-Martins erfaring fra Ulvik er forresten ganske lik min, har jeg hørt."),
            ("I1", "Har du forslag til hva kommunen kunne gjøre?"),
            ("R", "Kommunen kunne legge til rette for flere kontorfellesskap i bygdene, med kort avstand for folk. Og gjerne en samling for fjernarbeidere en gang i halvåret, et nettverk der vi kan møtes."),
        ],
    },
    {
        "file": "intervju_ole-martin_berge", "name": "Ole-Martin Berge", "kommune": "Ulvik",
        "flytting": "tok med jobben", "arbeidssted": "hjemmekontor", "jobbreiser": "1 gang i måneden",
        "format": "docx", "date": "2025-03-06",
        "turns": [
            ("I2", "Velkommen, Ole-Martin. Hva er jobben din i dag, og hvor lenge har du hatt den?"),
            ("R", "Jeg er seniorrådgiver i Nordlys Programvare, som holder til i Oslo. Jeg har vært der i femten år, og jeg har hatt hjemmekontor i Ulvik i fire av dem."),
            ("I2", "Hvordan gikk det til at du ble fjernarbeider?"),
            ("R", "Kona mi er harding, og vi hadde lenge snakket om å flytte hit. Da pandemien viste at alt kunne gjøres digitalt, spurte jeg om å få beholde jobben. De sa ja, så jeg tok med meg jobben og vi flyttet."),
            ("I2", "Hvor jobber du fra?"),
            ("R", "«Men som sagt, jeg jobber 100 % fra hjemmekontoret. Og stortrives med det, og jeg får bare skryt fra sjefen og fra andre som er over han igjen for den jobben gjør ved å sitte hjemme og jobbe. Så jeg bare føler meg privilegert.»"),
            ("I2", "Har du vurdert kontorfellesskap?"),
            ("R", "Det har vært snakk om det, men jeg har et eget rom i huset som fungerer godt. Jeg har vært i arbeidslivet i mange år, så jeg trenger ikke så mye folk rundt meg."),
            ("I2", "Hvordan påvirker det effektiviteten?"),
            ("R", "«Jeg går fra møte til møte med bare å trykke på en knapp, og så når jeg er ferdig med møtet, så kan jeg sette meg ned og jobbe umiddelbart. Det er veldig bra, så jeg er mer effektiv på hjemmekontoret.»"),
            ("I2", "Er det ulemper?"),
            ("R", "«Ulempene er jo så klart at jeg sitter jo mye alene... Det er ikke helt det samme som å sitte med kollegaer hver dag.» Men det oppveies av alt det andre."),
            ("I2", "Hvor ofte er du i Oslo?"),
            ("R", "Jeg drar til Oslo en gang i måneden, med Bergensbanen fra Voss eller fly fra Bergen. Det tar gjerne en halv dag hver vei. Nærmeste leder stoler på meg, og den tilliten er grunnen til at det fungerer."),
            ("I2", "Hva kan regionen gjøre for å tiltrekke flere fjernarbeidere?"),
            ("R", "Rimelige boliger og en god barnehage og skole er viktigst. Nettet var ustabilt her før, men nå med fiber er det helt fint. Dere kan nå meg på +47 415 55 123."),
        ],
    },
    {
        "file": "intervju_ingrid_saebo", "name": "Ingrid Sæbø", "kommune": "Eidfjord", "flytting": "tok med jobben",
        "arbeidssted": "hjemmekontor", "jobbreiser": "1-2 ganger i måneden", "format": "vtt", "date": "2025-03-11",
        "turns": [
            ("I1", "Kan du fortelle litt om stillingen din?"),
            ("R", "Jeg er ingeniør i Statens kartkontor, som ligger i Bergen. Jeg har hatt stillingen i tolv år og har fjernarbeidet fra Eidfjord de siste fem."),
            ("I1", "Hvorfor valgte du å fjernarbeide?"),
            ("R", "Jeg vokste opp på en gård her inne, og da foreldrene mine ble eldre ville jeg flytte hjem og ta over. Jeg fikk lov å flytte og beholde jobben, så jeg tok med meg jobben hit."),
            ("I1", "Hvordan ser en vanlig dag ut?"),
            ("R", "«Og så for meg medfører det at jeg har en ganske fleksibel hver dag. Jeg driver jo småbruk her ved siden av jobb, så det gjør det jo litt enklere det.» Jeg kan gå ut og se til dyrene i lunsjen."),
            ("I1", "Har du vurdert å sitte i et kontorfellesskap?"),
            ("R", "«Jeg fikk tilbud om kontorfellesskap, men har ikke behov» Jeg har hjemmekontor i et rom i huset, og jeg sparer både reisetid og kostnader."),
            ("I1", "Hvordan er forholdet til lederen din?"),
            ("R", "«Fra min nærmeste leder, så krever det jo at han er tillitsfull. At selv om han ikke har hørt noe fra meg på noen dager, så stoler han på at jeg jobber og gjør det jeg skal.»"),
            ("I1", "Hvor ofte reiser du til Bergen?"),
            ("R", "Jeg reiser til Bergen en til to ganger i måneden. Jeg har veldig godt av det, for det er der jeg treffer kollegaene. Det var forresten litt styr med IT i starten, jeg måtte oppgi fødselsnummeret mitt, 13097248022, på telefon for å få tilgang, og saksnummeret 12345678901 husker jeg ennå."),
            ("I1", "Er du med på noe lokalt?"),
            ("R", "Jeg sitter i styret i ungdomslaget og er med på dugnader i bygda. Vi har også et lite prosjekt med en lokal bedrift om kartlegging av beiter, i samarbeid med Lise fra landbrukskontoret."),
        ],
    },
    {
        "file": "intervju_magnus_tveit", "name": "Magnus Tveit", "kommune": "Ullensvang", "flytting": "tok med jobben",
        "arbeidssted": "kontorfellesskap", "jobbreiser": "1-2 ganger i måneden", "format": "docx",
        "date": "2025-03-13",
        "turns": [
            ("I2", "Hva jobber du med, Magnus?"),
            ("R", "Jeg er prosjektleder i Fjelltopp Rådgivning i Oslo. Jeg har vært ansatt der i sju år."),
            ("I2", "Og hvorfor ble du fjernarbeider?"),
            ("R", "Samboeren min er fra Odda, og vi ville ha mer natur og fjell rundt oss. Jeg spurte om å beholde jobben og tok med meg jobben da vi flyttet for tre år siden."),
            ("I2", "Hvor sitter du og jobber?"),
            ("R", "«Ja, for det første så vil jeg si at hadde jeg ikke hatt det fysiske arbeidsmiljøet eller kollegium som jeg har på kontorfellesskapet, så hadde jeg nok ikke blitt i jobben min. For jeg trenger folk rundt meg. Det er mange som sitter her, men vi jobber jo ikke med det samme. Og selv om vi ikke jobber direkte med det samme, så har vi veldig mye overlapp og samme. Sant, så hvis det er noe, så går det an å drøfte litt problemstillinger med de. Det å få litt feedback, det er kjempenyttig. Det har jeg hatt veldig god nytte av.»"),
            ("I2", "Hvordan bør et slikt kontorfellesskap være utformet?"),
            ("R", "«Og helst cellekontor i og med jeg har ganske mange møter, så har det vært litt styrete hvis jeg skulle gå og finne en sånn stille rom hver gang jeg skulle ha et møte» Et åpent landskap hadde ikke fungert for meg."),
            ("I2", "Hvor ofte reiser du til Oslo?"),
            ("R", "«Så jeg trives veldig godt når jeg er her. Synes det funker veldig bra og har veldig masse tid med familien. Og så trives jeg veldig godt når jeg er i Oslo. Da får jeg være mye med kollega og treffer gamle venner, og er ute og opplever storbylivet. Det er veldig fint det og.» Jeg reiser til Oslo en til to ganger i måneden, med fly fra Bergen."),
            ("I2", "Hva krever det av ledelsen?"),
            ("R", "Lederen min må ha tillit til at jobben blir gjort. Ellers er det ikke endret så mye, vi jobber på samme måte som før og oppgavene er de samme. Jonas Brekke, en kollega i Oslo, sier at han knapt merker at jeg er borte."),
            ("I2", "Noen forslag til tiltak?"),
            ("R", "Kurs i samhandlingsverktøy og en samling for oss som fjernarbeider i Hardanger hadde vært fint. Og flere kontorfellesskap nær der folk bor."),
        ],
    },
    {
        "file": "intervju_silje_nesheim", "name": "Silje Nesheim", "kommune": "Kvam", "flytting": "tok med jobben",
        "arbeidssted": "hjemmekontor", "jobbreiser": "2 ganger i måneden", "format": "vtt", "date": "2025-03-18",
        "turns": [
            ("I1", "Hva er jobben din, og hvor lenge har du hatt den?"),
            ("R", "Jeg er konsulent i Bergen Havnevesen, og har hatt stillingen i seks år."),
            ("I1", "Hvorfor flyttet du til Hardanger?"),
            ("R", "Jeg hadde egentlig ingen tilknytning hit før jeg flyttet. Jeg ville bare bo nærmere naturen og fjorden, og slippe pendlingen i byen. Jeg fikk lov til å flytte og beholde jobben, så jeg tok med meg jobben."),
            ("I1", "Hvor jobber du til daglig?"),
            ("R", "Jeg har hjemmekontor i stua. «Det har ikke så mye å si om jeg sitter her, eller om jeg skal opp til Tromsø eller hvor enn jeg sitter. Altså jeg kan ta med meg arbeidet overalt. Og det er en veldig stor fordel.»"),
            ("I1", "Merker du forskjell i effektivitet?"),
            ("R", "«Ja, altså det jeg merker er jo at en av færre av de der avbrytelsene i løpet av dagen. Så jeg får gjerne konsentrert meg i lengre perioder av gangen. For ja, folk ringer meg jo på Teams og lignende, men terskelen er jo litt høyere for å ringe noen på Teams enn det er å bare tappe noen på skuldrene når du sitter ved siden av. Så jeg føler jeg blir jo kanskje mer effektiv når jeg jobber da.»"),
            ("I1", "Er det noe du savner?"),
            ("R", "«Det var litt ensomt da... Jeg har veldig godt av å komme meg på jobbreise.» Jeg reiser til Bergen to ganger i måneden, og da er jeg på kontoret hele dagen."),
            ("I1", "Hvordan følger lederen din deg opp?"),
            ("R", "Vi har et fast møte på Teams hver uke. Hun stoler på meg, og jeg har stor frihet til å styre dagen selv. Det er tillit det handler om."),
            ("I1", "Er du engasjert i lokalsamfunnet?"),
            ("R", "Jeg er trener for et lag i idrettslaget og er med i korpset. Jeg har også vært innom Karis kontorfellesskap i Norheimsund, men jeg trives best hjemme. Ring gjerne på 98765432 hvis dere trenger flere informanter."),
        ],
    },
    {
        "file": "intervju_hakon_lid", "name": "Håkon Lid", "kommune": "Ullensvang", "flytting": "tok med jobben",
        "arbeidssted": "kontorfellesskap", "jobbreiser": "1 gang i måneden", "format": "docx", "date": "2025-03-20",
        "turns": [
            ("I2", "Kan du fortelle kort om deg selv og jobben din?"),
            ("R", "Jeg er utvikler i Kystdata i Oslo, og har vært ansatt der i ti år. Jeg tok med meg jobben da vi flyttet til Ullensvang for to år siden."),
            ("I2", "Hva var grunnen til at dere flyttet?"),
            ("R", "«Fordelen for meg er jo at jeg kan bo der jeg vil bo. For meg med min bakgrunn, så er det ikke rett fram og finne relevant arbeid på en så liten plass som dette. Det er jo helst større bedrifter som etterspør den kompetansen som jeg har.» Vi har vært her hver sommer siden jeg var liten, på hytta på Vikøy."),
            ("I2", "Hvordan er hverdagen nå?"),
            ("R", "«Og det er veldig effektivt og fint, så jeg har liksom (...) kvalitetstid med ungene. Så det er veldig fint, så andre fordeler er jo at det er jo en helt annen natur er Hardanger enn i Oslo. Jeg er glad i fjell og sånn så er jo veldig fint selv på sommeren da…. Har det fint, og så føles det mye tryggere for ungene, nå kan jeg sende deg ut i gata uten at det er noe problem.»"),
            ("I2", "Hvor jobber du fra?"),
            ("R", "Jeg leier en kontorplass i et kontorfellesskap i sentrum. Det er godt å ha noen å ta lunsj med, det sosiale betyr mye. Gjennom kontorfellesskapet har jeg også fått et lite oppdrag for en lokal bedrift, så det har blitt litt synergi med næringslivet her."),
            ("I2", "Hvor ofte reiser du til arbeidsgiver?"),
            ("R", "En gang i måneden reiser jeg til Oslo. Det er lang reisevei, nesten en halv dag, men det er verdt det for å treffe kollegaene. Lederen stoler på at vi leverer, og det er den tilliten som gjør at dette går."),
            ("I2", "Hva kunne kommunen gjort?"),
            ("R", "Kommunen burde lage en møteplass for fjernarbeidere, et nettverk der vi kan bli kjent med hverandre og med lokale bedrifter. Og ha gode barnehager og skoler."),
        ],
    },
    {
        "file": "intervju_marte_ulvestad", "name": "Marte Ulvestad", "kommune": "Ulvik", "flytting": "ny jobb",
        "arbeidssted": "kontorfellesskap", "jobbreiser": "1-2 ganger i måneden", "format": "vtt", "date": "2025-03-25",
        "turns": [
            ("I1", "Hva er din nåværende jobb?"),
            ("R", "Jeg er rådgiver i Trøndelag Tekniske, som har hovedkontor i Trondheim. Jeg har hatt stillingen i ett og et halvt år."),
            ("I1", "Hvordan endte du opp som fjernarbeider?"),
            ("R", "Vi skulle flytte til Ulvik fordi samboeren min fikk jobb her, og jeg hadde vokst opp i nabobygda. Jeg søkte på en stilling som var lyst ut som fjernarbeid, og fikk jobben. Så det var en ny jobb helt fra start, jeg har aldri sittet på hovedkontoret."),
            ("I1", "Hvor jobber du fra?"),
            ("R", "Jeg sitter i et kontorfellesskap sammen med folk fra kommunen og noen lokale bedrifter. Det sosiale er viktig for meg, jeg hadde blitt ensom av å sitte alene hjemme."),
            ("I1", "Hvordan var det å starte i jobben på avstand?"),
            ("R", "Opplæringen var krevende i starten, jeg var jo nyansatt og kjente ingen. Men de var flinke med onboarding på Teams, og lederen min viste meg tillit fra første dag."),
            ("I1", "Hvor ofte er du i Trondheim?"),
            ("R", "Jeg reiser til Trondheim en til to ganger i måneden, med fly fra Bergen. Det tar en halv dag hver vei, så det skulle vært bedre kommunikasjoner herfra."),
            ("I1", "Er du engasjert lokalt?"),
            ("R", "Ja, jeg er frivillig i ungdomslaget og med i styret i en forening. Gjennom kontorfellesskapet har vi også startet et prosjekt med næringshagen om kurs for lokale bedrifter."),
            ("I1", "Hva kan regionen gjøre for å tiltrekke flere?"),
            ("R", "Samlinger og nettverk for oss som fjernarbeider, og rimelige boliger. Og at nettet er stabilt overalt, bredbånd er helt avgjørende."),
        ],
    },
]

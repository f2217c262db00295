"""Small Norwegian word lists for the review list of pseudonymisation (bokmål and nynorsk).

Hand-made, kept short on purpose, and meant to be read: the pseudonymiser lists for review every
capitalised word it did not replace, except

* ``FUNCTION_WORDS`` at the start of a sentence: pronouns, determiners, conjunctions, subjunctions,
  prepositions, adverbs, answer words (the closed word classes, as Norsk referansegrammatikk divides
  them), the most frequent verbs, greetings and a few nouns that begin many answers; chosen by hand,
  both written standards;
* ``KNOWN_PROPER_NOUNS`` anywhere: products, institutions and places that identify no one (places
  in the study region are case variables, not identifiers). A mapping's ``keep`` list adds to it.

``NAMES_THAT_ARE_WORDS`` are given names and surnames that are also ordinary lower-case words
("hans", "per", "liv", "berg", "strand"). A mapped name in this list is replaced in any case when
capitalised, but in lower case it is listed for review rather than replaced ("hans" = his); a
sentence-initial word in this list is always listed, even when the interview also uses the word
in lower case.

``COMMON_NAMES`` (below) are frequent names that a lower-case word is listed as.
"""

from __future__ import annotations

FUNCTION_WORDS = frozenset("""
    jeg eg du han hun ho vi me dere de dei den det dette denne disse desse dit hit her der
    meg deg seg oss dykk dem min mitt mine din ditt dine sin sitt sine vår vårt våre deres dykkar hennes hennar
    og eller men for så at om som da då når hvis viss dersom fordi sidan siden mens medan enn enten verken
    ikke ikkje ja nei jo nå no hvor kor hva kva hvem kven hvordan korleis hvorfor kvifor hvilken hvilke kva
    etter før under over med mot til fra frå av på i ved uten utan innen innan mellom gjennom hos blant rundt
    også òg både bare berre litt mye mykje mange fleire flere mer meir mest noen nokon noe noko nokre ingen inga
    alle alt all hele heile begge hver kvar annen anna andre egentlig eigentleg kanskje liksom altså ellers
    elles likevel først fyrst deretter etterpå sånn slik sånt slikt sånne slike veldig ganske helt heilt
    mm hm hmm eh ehm øh ok okei greit takk hei hallo jaha jaja javel nja absolutt akkurat klart
    selvfølgelig sjølvsagt sjølvsagt dessuten derfor difor uansett en ein ei et eit samtidig sist neste
    ett to tre fire fem seks sju syv åtte ni ti elleve tolv tjue hundre tusen første andre tredje siste
    selv sjølv nettopp særlig spesielt vel nok stort sett kjempe mest
    er var har hadde kan kunne skal skulle vil ville må måtte blir ble vart vert bli får fikk fekk gjør gjorde
    går gikk gjekk kom kommer tror trur synes syns tenker tenkjer tenkte vet veit visste sier seier sa ser såg
    tar tok hadde bør burde finnes fins føler kjenner jobber jobbar bor bur
    dag dagen dagar dager i-dag idag morgen kveld uke veke uka veka måned månad år året gang gangen
    tidligere tidlegare seinere senere plutselig heldigvis dessverre faktisk vanligvis vanlegvis gjerne
    mamma pappa mor far mannen kona kone barna ungane familien jobben kontoret sjefen leiaren lederen kollegaene
    velkommen takk ring send skriv fortell fortel gjerne intervju intervjuet transkripsjon transkripsjonen
    hjemme heime hjemmekontor heimekontor ute inne oppe nede borte hjemmefra heimanfrå
""".split()) - {"dag", "per", "hans"}

# Capitalised words that name no person and need no review (the mapping's ``keep`` list adds to these).
KNOWN_PROPER_NOUNS = frozenset("""
    Teams Zoom Skype Outlook Microsoft Google Office Excel Word PowerPoint OneDrive SharePoint Slack Viken
    Hardanger Hardangerfjorden Hardangerregionen Harding Hardingar Vestland Hordaland Vestlandet Norge Noreg
    Norden Europa Sverige Danmark Bergen Oslo Trondheim Stavanger Tromsø Voss Sogn Kvam Ulvik Eidfjord Ullensvang
    Odda Norheimsund NORCE NAV FUS HMS IT HR OK Covid Korona Informant Intervjuer NTNU UiB Vy Skyss Bybanen
    Team Jeg Du Vi De Han Hun Det Den Men Og Så Ja Nei Eg Me Dei Ho Dykk
""".split())

NAMES_THAT_ARE_WORDS = frozenset("""
    hans per liv dag sol stein mai bjørn rune tor siv ørn rein lind storm vår eli kristen frank
    berg berge bakke bakken hagen haugen haug hauge lund lunde moen moe strand lie lien li holm vik strøm tangen
    brekke eide aas dal nes sand foss nord sør øst vest fjell lid vold ness rød hegg heggen
    bo bø ås hov hol ring vang eng myr tone lene knut endre aksel ane vilde helge erlend odd anna ask eik
""".split())

# Common Norwegian given names and surnames (chosen by hand among the most frequent in Norway, cf. SSB's
# name statistics), without those that are also ordinary words ("knut" = knot, "endre" = change, "lene"
# = lean, "tone", "aksel" …, and NAMES_THAT_ARE_WORDS). Written in lower case, as speech recognition
# sometimes writes a name, such a word is listed for review: it is probably a name.
COMMON_NAMES = frozenset("""
    anne inger kari marit ingrid eva berit astrid bjørg hilde anna solveig marianne randi ida nina maria
    elisabeth kristin bente heidi silje hanne gerd linda elin anita wenche ragnhild camilla ellen karin hege
    ann trine mari turid grete sissel julie kirsten siri nora emma sara sofie ingeborg hanna thea maja ella
    frida emilie ingvild marte martine tonje mona guro åse aase torill unni laila janne kjersti gunn reidun
    synnøve jorunn sigrid aud helga magnhild oda amalie aurora olivia ylva tuva kaja malin sunniva selma
    mathilde tiril lise vigdis torunn gunhild gunnhild margrethe margit jenny dagny åslaug bodil lillian
    jan ole lars kjell arne svein geir thomas tor martin erik terje john andreas morten jon trond nils anders
    gunnar olav harald tore jørgen stian kristian espen eirik magnus henrik jonas daniel marius fredrik sindre
    håkon sander emil tobias kristoffer mathias elias noah william oskar filip isak johannes jakob leon
    liam lukas theodor sivert sverre vegard øyvind eivind torbjørn leif roar gisle halvor halvard håvard
    petter pål asbjørn egil einar frode roger kenneth glenn tommy rolf ragnar vidar bjarne ivar ola atle
    steinar arild audun bård jarle kåre ketil torstein torgeir yngve sigurd sigmund reidar ove aslak brage
    trygve njål tarjei sondre ruben adrian markus benjamin sebastian simen joakim jens peder paul karl carl
    arvid bjarte bjørnar christian johan tove monica signe
    hansen johansen olsen larsen andersen pedersen nilsen kristiansen jensen karlsen johnsen pettersen
    eriksen johannessen andreassen jacobsen jakobsen jørgensen halvorsen henriksen sørensen gundersen
    iversen solberg svendsen knutsen martinsen paulsen kristoffersen mathisen amundsen rasmussen solheim
    nygård kristensen fredriksen christensen andresen nielsen knudsen evensen sæther myhre hanssen haugland
    thomassen sivertsen simonsen danielsen berntsen sandvik rønning arnesen antonsen næss ellingsen thorsen
    edvardsen birkeland isaksen gulbrandsen ruud aasen myklebust ødegård eliassen helland aune mikkelsen
    tveit abrahamsen madsen nguyen ahmed khan hussain mohamed ali dahl
""".split()) - NAMES_THAT_ARE_WORDS - FUNCTION_WORDS

"""Every fixed text of the report in bokmål, nynorsk and English, and number formatting by language.

A study's own texts (title, chapters, the methods text of its weighting) come from its study file;
a text missing in nynorsk falls back to bokmål, in any other language to English."""

from __future__ import annotations

import math

LANGS = ("nb", "nn", "en")

TEXT: dict[str, dict[str, str]] = {
    "synthetic": {"nb": "SYNTETISKE DATA – tallene i denne rapporten er laget av en simuleringsmodell, ikke av ekte intervjuer.",
                  "en": "SYNTHETIC DATA – the figures in this report come from a simulation model, not from real interviews."},
    "generated": {"nb": "Laget med fjernarbeid {version} fra {source} ({n} respondenter).",
                  "en": "Made with fjernarbeid {version} from {source} ({n} respondents)."},
    "contents": {"nb": "Innhold", "en": "Contents"},
    "summary": {"nb": "Sammendrag: publiserte tall og denne kjøringen", "en": "Summary: published figures and this run"},
    "summary_intro": {
        "nb": "Tabellen sammenligner hvert tall rapporten publiserte med tallet fra disse dataene. «Stemmer» betyr at det publiserte tallet ligger innenfor vårt 95 %-konfidensintervall (for andeler), eller at sammenhengen har samme fortegn og samme signifikans (for sammenhenger).",
        "en": "The table compares every figure the report published with the figure from these data. 'Agrees' means the published figure lies within our 95 % confidence interval (shares), or the association has the same sign and the same significance (associations)."},
    "col_id": {"nb": "Nr.", "en": "No."},
    "col_finding": {"nb": "Funn", "en": "Finding"},
    "col_published": {"nb": "Publisert", "en": "Published"},
    "col_ours": {"nb": "Denne kjøringen", "en": "This run"},
    "col_verdict": {"nb": "Vurdering", "en": "Verdict"},
    "agrees": {"nb": "Stemmer", "en": "Agrees"},
    "differs": {"nb": "Avviker", "en": "Differs"},
    "not_computed": {"nb": "Ikke beregnet", "en": "Not computed"},
    "fieldwork": {"nb": "2 Gjennomføring", "en": "2 Fieldwork"},
    "respondents": {"nb": "3.2.1 Kjennetegn ved respondentene", "en": "3.2.1 Characteristics of the respondents"},
    "methods": {"nb": "Vedlegg A: Metode", "en": "Appendix A: Methods"},
    "questionnaire": {"nb": "Vedlegg B: Spørreskjema", "en": "Appendix B: Questionnaire"},
    "published_label": {"nb": "Publisert i rapporten", "en": "Published in the report"},
    "ours_label": {"nb": "Denne kjøringen", "en": "This run"},
    "category": {"nb": "Kategori", "en": "Category"},
    "share_w": {"nb": "Vektet %", "en": "Weighted %"},
    "share_u": {"nb": "Uvektet %", "en": "Unweighted %"},
    "ci95": {"nb": "95 % KI", "en": "95 % CI"},
    "n_u": {"nb": "n (uvektet)", "en": "n (unweighted)"},
    "deff": {"nb": "Designeffekt", "en": "Design effect"},
    "test": {"nb": "Test", "en": "Test"},
    "statistic": {"nb": "Observator", "en": "Statistic"},
    "df": {"nb": "Frihetsgrader", "en": "Degrees of freedom"},
    "p": {"nb": "p", "en": "p"},
    "effect": {"nb": "Effektstørrelse", "en": "Effect size"},
    "suppressed": {"nb": "Celler med færre enn {k} respondenter er skjult (–).",
                   "en": "Cells with fewer than {k} respondents are suppressed (–)."},
    "not_computed_reason": {"nb": "Kunne ikke beregnes: {reason}", "en": "Could not be computed: {reason}"},
    "base": {"nb": "Grunnlag", "en": "Base"},
    "weighting": {"nb": "Vekting", "en": "Weighting"},
    "target": {"nb": "Mål (befolkning)", "en": "Target (population)"},
    "weighted": {"nb": "Vektet", "en": "Weighted"},
    "unweighted": {"nb": "Uvektet", "en": "Unweighted"},
    "fieldwork_rates": {"nb": "Utfallsrater (AAPOR)", "en": "Outcome rates (AAPOR)"},
    "no_fieldwork": {"nb": "Ingen kontaktlogg ble oppgitt (--dispositions), så utfall og svarprosent er ikke beregnet.",
                     "en": "No disposition log was given (--dispositions), so outcomes and response rates are not computed."},
    "routing": {"nb": "Stilles hvis", "en": "Asked if"},
    "screen_out": {"nb": "Avslutter intervjuet", "en": "Ends the interview"},
    "not_read": {"nb": "leses ikke opp; mangler i analysen", "en": "not read aloud; missing in analysis"},
    "design_effects": {"nb": "Designeffekter", "en": "Design effects"},
    # table headers
    "h_name": {"nb": "Hva", "en": "What"},
    "h_test": {"nb": "Test", "en": "Test"},
    "h_statistic": {"nb": "Testobservator", "en": "Statistic"},
    "h_df": {"nb": "Frihetsgrader", "en": "Degrees of freedom"},
    "h_effect": {"nb": "Effektmål", "en": "Effect size"},
    "h_effect_value": {"nb": "Verdi", "en": "Value"},
    "h_group": {"nb": "Gruppe", "en": "Group"},
    "h_low": {"nb": "Antall, nedre", "en": "Number, low"},
    "h_high": {"nb": "Antall, øvre", "en": "Number, high"},
    "h_note": {"nb": "Merknad", "en": "Note"},
    "h_share_of_choices": {"nb": "Andel av svarene", "nn": "Del av svara", "en": "Share of choices"},
    "multiple_caption": {"nb": "Andel som valgte hvert svar (flere svar mulig), vektet, med 95 % konfidensintervall.",
                         "nn": "Del som valde kvart svar (fleire svar mogleg), vekta, med 95 % konfidensintervall.",
                         "en": "Share choosing each answer (several answers possible), weighted, with 95 % confidence interval."},
    "h_what": {"nb": "", "en": ""},
    "h_value": {"nb": "Verdi", "en": "Value"},
    "h_count": {"nb": "Antall", "en": "Count"},
    "h_rate": {"nb": "Rate", "en": "Rate"},
    "h_mean": {"nb": "Gjennomsnitt", "en": "Mean"},
    "h_sd": {"nb": "Standardavvik", "en": "SD"},
    "h_item": {"nb": "Ledd", "en": "Item"},
    "h_alpha_if_deleted": {"nb": "Alfa uten leddet", "en": "Alpha if deleted"},
    "h_item_rest_r": {"nb": "Korrelasjon med resten", "en": "Item-rest correlation"},
    "h_variable": {"nb": "Variabel", "en": "Variable"},
    "h_category": {"nb": "Kategori", "en": "Category"},
    "h_target": {"nb": "Mål (befolkning)", "en": "Target (population)"},
    "h_weighted": {"nb": "Vektet", "en": "Weighted"},
    "h_method": {"nb": "Metode", "en": "Method"},
    "h_min": {"nb": "Minste vekt", "en": "Smallest weight"},
    "h_max": {"nb": "Største vekt", "en": "Largest weight"},
    "h_ratio": {"nb": "Største/minste", "en": "Largest/smallest"},
    "h_kish_deff": {"nb": "Kish designeffekt", "en": "Kish design effect"},
    "h_effective_n": {"nb": "Effektivt utvalg", "en": "Effective sample size"},
    # row labels of the methods tables
    "r_records": {"nb": "Poster i kontaktloggen", "en": "Records in the call log"},
    "r_contacts": {"nb": "Kontakter (svarte på S1)", "en": "Contacts (answered S1)"},
    "r_screened_out": {"nb": "Silt ut i {q}", "en": "Screened out at {q}"},
    "r_completes": {"nb": "Gjennomførte intervjuer", "en": "Completed interviews"},
    "r_estimates": {"nb": "Antall estimater", "en": "Number of estimates"},
    "r_median": {"nb": "Median", "en": "Median"},
    "r_min": {"nb": "Minst", "en": "Smallest"},
    "r_max": {"nb": "Størst", "en": "Largest"},
    "e_casro": {"nb": "e er estimert ved proporsjonal fordeling (CASRO): andelen kvalifiserte blant kontakter med kjent kvalifisering",
                "en": "e estimated by proportional allocation (CASRO): the eligible share among cases of known eligibility"},
    "no_rates": {"nb": "Loggen har ingen nektere, ikke-kontakter eller kontakter med ukjent kvalifisering, bare fullførte og utsilte: svar-, samarbeids-, nekte- og kontaktrater kan ikke beregnes fra den (de ville alle vist 100 %).",
                 "en": "The log has no refusals, non-contacts or cases of unknown eligibility, only completes and screen-outs: response, cooperation, refusal and contact rates cannot be computed from it (they would all read 100 %)."},
    "effective_n": {"nb": "Effektivt utvalg", "en": "Effective sample size"},
    "respondents": {"nb": "Kjennetegn ved respondentene", "nn": "Kjenneteikn ved respondentane",
                    "en": "Characteristics of the respondents"},
    "respondents_intro_generic": {"nb": "Uvektet antall og andel, og vektet andel.",
                                  "nn": "Uvekta tal og del, og vekta del.",
                                  "en": "Unweighted number and share, and weighted share."},
    "weighting_generic": {"nb": "Vekting: {method}.", "nn": "Vekting: {method}.", "en": "Weighting: {method}."},
    "questions_chapter": {"nb": "Svar på hvert spørsmål", "nn": "Svar på kvart spørsmål", "en": "Answers to every question"},
    "not_published": {"nb": "Ingen publisert verdi", "nn": "Ingen publisert verdi", "en": "Nothing published"},
    "summary_findings": {"nb": "Sammendrag: funnene", "nn": "Samandrag: funna", "en": "Summary: the findings"},
    "summary_intro_findings": {
        "nb": "Funnene i denne kjøringen. Det finnes ingen publiserte tall å sammenligne med, så ingen vurdering av samsvar gis.",
        "nn": "Funna i denne køyringa. Det finst ingen publiserte tal å samanlikne med, så det blir ikkje gjeve nokon vurdering av samsvar.",
        "en": "The findings of this run. There are no published figures to compare with, so no verdict of agreement is given."},
    "findings_count": {"nb": "{n} funn, {not_computed} ikke beregnet.", "nn": "{n} funn, {not_computed} ikkje rekna ut.",
                       "en": "{n} findings, {not_computed} not computed."},
    "screen_out_self": {"nb": "Avslutter undersøkelsen", "nn": "Avsluttar undersøkinga", "en": "Ends the survey"},
    "not_read_self": {"nb": "«vet ikke»-svar; mangler i analysen", "nn": "«veit ikkje»-svar; manglar i analysen",
                      "en": "'don't know' answer; missing in analysis"},
}

# Nynorsk of the fixed texts (bokmål where a word is the same in both).
NN: dict[str, str] = {
    "synthetic": "SYNTETISKE DATA – tala i denne rapporten er laga av ein simuleringsmodell, ikkje av ekte intervju.",
    "generated": "Laga med fjernarbeid {version} frå {source} ({n} respondentar).",
    "contents": "Innhald",
    "summary": "Samandrag: publiserte tal og denne køyringa",
    "col_id": "Nr.", "col_finding": "Funn", "col_published": "Publisert", "col_ours": "Denne køyringa",
    "col_verdict": "Vurdering", "agrees": "Stemmer", "differs": "Avvik", "not_computed": "Ikkje rekna ut",
    "methods": "Vedlegg A: Metode", "questionnaire": "Vedlegg B: Spørjeskjema",
    "published_label": "Publisert i rapporten", "ours_label": "Denne køyringa",
    "category": "Kategori", "share_w": "Vekta %", "share_u": "Uvekta %", "ci95": "95 % KI", "n_u": "n (uvekta)",
    "deff": "Designeffekt", "suppressed": "Celler med færre enn {k} respondentar er skjulte (–).",
    "not_computed_reason": "Kunne ikkje reknast ut: {reason}", "base": "Grunnlag", "weighting": "Vekting",
    "target": "Mål (folketal)", "weighted": "Vekta", "unweighted": "Uvekta",
    "no_fieldwork": "Ingen kontaktlogg vart gjeven (--dispositions), så utfall og svarprosent er ikkje rekna ut.",
    "routing": "Blir stilt om", "screen_out": "Avsluttar intervjuet", "not_read": "blir ikkje lese opp; manglar i analysen",
    "design_effects": "Designeffektar", "h_variable": "Variabel", "h_category": "Kategori", "h_target": "Mål (folketal)",
    "h_weighted": "Vekta", "h_method": "Metode", "h_min": "Minste vekt", "h_max": "Største vekt",
    "h_ratio": "Største/minste", "h_kish_deff": "Kish designeffekt", "h_effective_n": "Effektivt utval",
    "h_group": "Gruppe", "h_mean": "Gjennomsnitt", "h_count": "Tal", "h_value": "Verdi", "h_note": "Merknad",
    "r_estimates": "Tal på estimat", "r_min": "Minst", "r_max": "Størst", "effective_n": "Effektivt utval",
}
for _key, _text in NN.items():
    if _key in TEXT:
        TEXT[_key].setdefault("nn", _text)


def t(key: str, lang: str, **kw) -> str:
    texts = TEXT[key]
    text = texts.get(lang) or (texts["nb"] if lang in ("nb", "nn") else texts.get("en") or texts["nb"])
    return text.format(**kw) if kw else text


def fmt_number(x: float | int | None, lang: str, decimals: int = 0) -> str:
    """1234567.8 → '1 234 568' (nb, thin space) or '1,234,568' (en)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    s = f"{x:,.{decimals}f}"
    if lang != "en":
        s = s.replace(",", "\u202f").replace(".", ",")
    return s


def fmt_pct(share: float | None, lang: str, decimals: int = 0) -> str:
    """0.623 → '62 %'. Shares below 10 % get one decimal (the report writes '2,3 %')."""
    if share is None or (isinstance(share, float) and not math.isfinite(share)):
        return "–"
    pct = 100 * share
    if decimals == 0 and 0 < abs(pct) < 10:
        decimals = 1
    return f"{fmt_number(pct, lang, decimals)}\u00a0%"


def fmt_ci(lo: float | None, hi: float | None, lang: str) -> str:
    if lo is None or hi is None:
        return "–"
    a, b = fmt_pct(lo, lang).replace("\u00a0%", ""), fmt_pct(hi, lang)
    return f"{a}–{b}"


# Names of test methods, as the analyses write them (English) → bokmål.
METHODS_NB = {
    "weighted Spearman correlation, linearised t test": "vektet Spearman-korrelasjon, linearisert t-test",
    "design-based t test of the difference in means (svyttest)": "designbasert t-test av forskjell i gjennomsnitt (svyttest)",
    "Rao-Scott second-order corrected F (svychisq)": "Rao–Scott-korrigert F, andre orden (svychisq)",
    "uncorrected Pearson chi-square": "ukorrigert Pearson kjikvadrat",
    "difference in weighted proportions, linearised t": "forskjell i vektede andeler, linearisert t",
    "proportional-odds model (svyolr), design-based t test": "ordinal logistisk regresjon (svyolr), designbasert t-test",
    "Spearman rho": "Spearmans rho",
    "Cramér's V (weighted)": "Cramérs V (vektet)",
    "difference in means (first − second group)": "forskjell i gjennomsnitt (første − andre gruppe)",
    "difference (first − second group)": "forskjell (første − andre gruppe)",
    "slope per category": "stigning per kategori",
    "odds ratio of a higher (less relevant) answer per scale point": "oddsforhold for et høyere (mindre aktuelt) svar per skalapoeng",
}


def method_text(text: str, lang: str) -> str:
    if lang == "nb":
        if text in METHODS_NB:
            return METHODS_NB[text]
        if text.startswith("linear trend of "):
            return "lineær trend av " + text[len("linear trend of "):].replace(" across ", " over ").replace("(svyglm slope)", "(svyglm-stigning)")
    return text


def fmt_p(p: float | None, lang: str) -> str:
    if p is None or (isinstance(p, float) and not math.isfinite(p)):
        return "p = –"
    if p < 0.001:
        return "p < 0.001" if lang == "en" else "p < 0,001"
    return "p = " + fmt_number(p, lang, 3)

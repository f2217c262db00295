"""Every fixed text of the report in bokmål and English, and number formatting by language."""

from __future__ import annotations

import math

LANGS = ("nb", "en")

TEXT: dict[str, dict[str, str]] = {
    "report_title": {"nb": "Fjernarbeid og flytting til distriktskommuner – resultater fra spørreundersøkelsen",
                     "en": "Remote work and moving to rural municipalities – survey results"},
    "subtitle": {"nb": "Gjenberegning av kapittel 3.2–3.3 i NORCE-rapporten (2025), vektet etter alder og kjønn",
                 "en": "A rerun of chapter 3.2–3.3 of the NORCE report (2025), weighted by age and sex"},
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
    "respondents_intro": {
        "nb": "Uvektet antall og andel, og vektet andel (vektet etter kjønn og alder til befolkningen 25–60 år 1. januar 2025).",
        "en": "Unweighted number and share, and weighted share (weighted by sex and age to the population aged 25–60 on 1 January 2025)."},
    "s3.2.2": {"nb": "3.2.2 Dagens arbeidssituasjon", "en": "3.2.2 Current work situation"},
    "s3.2.3": {"nb": "3.2.3 Betydning av tilstedeværelse («fabrikkparadigme»)", "en": "3.2.3 The importance of presence (the 'factory paradigm')"},
    "s3.2.4": {"nb": "3.2.4 Preferanser for bosted", "en": "3.2.4 Preferences for place of residence"},
    "s3.2.5": {"nb": "3.2.5 Tilbøyelighet til mobilitet", "en": "3.2.5 Propensity to move"},
    "s3.3": {"nb": "3.3 Sammenfatning av resultater", "en": "3.3 Summary of results"},
    "s2": {"nb": "2 Gjennomføring", "en": "2 Fieldwork"},
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
    "weighting_text": {
        "nb": "Dataene er poststratifisert etter kjønn × aldersgruppe (25–29, 30–34, …, 55–60 år; alder = 2025 − fødselsår) til SSBs befolkningstall 1. januar 2025 (tabell 07459). Standardfeil er beregnet med Taylor-linearisering som tar hensyn til vektingen (som R-pakken survey), konfidensintervaller for andeler med logit-metoden, og tester for krysstabeller med Rao–Scott-korreksjon.",
        "en": "The data are post-stratified by sex × age group (25–29, 30–34, …, 55–60; age = 2025 − birth year) to Statistics Norway's population on 1 January 2025 (table 07459). Standard errors use Taylor linearisation that accounts for the weighting (as R's survey package), confidence intervals for shares the logit method, and tests of cross-tables the Rao–Scott correction."},
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
}


def t(key: str, lang: str, **kw) -> str:
    text = TEXT[key].get(lang) or TEXT[key]["nb"]
    return text.format(**kw) if kw else text


def fmt_number(x: float | int | None, lang: str, decimals: int = 0) -> str:
    """1234567.8 → '1 234 568' (nb, thin space) or '1,234,568' (en)."""
    if x is None or (isinstance(x, float) and not math.isfinite(x)):
        return "–"
    s = f"{x:,.{decimals}f}"
    if lang == "nb":
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
        return "p < 0,001" if lang == "nb" else "p < 0.001"
    return "p = " + fmt_number(p, lang, 3)

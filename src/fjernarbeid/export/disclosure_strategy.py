"""Disclosure control with a choice: coarser bands, rounded weights or local suppression — whichever
loses least information for the k asked.

:func:`~fjernarbeid.export.disclosure.protect` reaches k-anonymity by the study's global recodes and
then local suppression. Local suppression alone can fall hard on one category — in the 2025 demo it
takes the centrality class of every respondent, the report's target group (class 6) included, so
that no analysis by centrality can be reproduced from the exported file. A study may therefore
declare **alternatives** in its study file (``disclosure: alternatives:``):

- ``bands``: coarser categories of a key variable or of a geography column (2025: centrality
  1–2 / 3–4 / 5–6). A band is applied before the global recodes, whether or not k-anonymity holds,
  and is not undone; a band of a geography column publishes the geography at that column's level.
- ``weights: {round_to: R}``: the weight rounded to the nearest multiple of R (at least R). A
  post-stratified weight reveals the respondent's sex × age cell (de Waal & Willenborg 1997,
  *J. Official Statistics* 13:417); rounded, cells of similar weight share one value, so that
  suppressing or recoding the age group protects again. Estimates from the rounded weight differ a
  little from the report's; the statement gives the largest change of a weight and the new total.

``strategy`` chooses among them (:func:`protect_with_strategy`): ``suppress`` applies none (the
recodes and local suppression only), ``coarsen`` applies every alternative the data allow, and
``auto`` (the default) tries every combination — none, each alone, together — each followed by the
recodes and local suppression, and keeps the one that reaches k with the least **information loss
in bits**.

Information loss is measured by entropy, as de Waal & Willenborg (1998, "Information loss through
global recoding and local suppression", *Netherlands Official Statistics* 14:17–20) propose and
Hundepool et al. (2012, *Statistical Disclosure Control*, Wiley, §3.6) describe: for a key variable
X published as Y (recoded, suppressed), a record loses −log₂ p̂(x | y) bits — nothing when its value
is published as it was, log₂ of the number of equally common categories merged when it is recoded,
the whole information −log₂ p̂(x) when it is suppressed — with p̂ the frequencies in the data; the
loss of the file is the sum over records and key variables, n·Ĥ(X | Y). Geography is one variable:
the finest area in the data (the municipality) given every geography column published. The weight
counts only where it cannot be computed again from what is published (its rounded value and the key
variables): rounding loses nothing for a record whose sex and age group are published. A suppressed
value is its own category in Y (the export marks it with its own missing code), apart from "not
asked". A value missing in the data to begin with loses nothing.

Where suppression fell is reported per variable and category (:func:`suppression_by_category`),
with a warning when it is concentrated in one category: half or more of the category suppressed,
and the share of it left at most half the share left of the other categories (all of it suppressed
while the others keep some, 34 of 36 while 64 % of the others are suppressed) — the exported file
then under-represents that category at least twofold, and analyses of it are biased.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from typing import Any, Iterable, Mapping

import numpy as np
import pandas as pd

STRATEGIES = ("auto", "coarsen", "suppress")
DEFAULT_STRATEGY = "auto"
# At most this many alternatives are combined in every way (2^4 = 16 runs); with more, auto tries
# each alone and all together.
MAX_COMBINED = 4
# A category's suppression is "concentrated" when at least this share of it was suppressed and what
# is left of it is at most 1/CONCENTRATION_RATIO of what is left of the other categories (as shares).
CONCENTRATION_SHARE = 0.5
CONCENTRATION_RATIO = 2.0


# -- information loss ------------------------------------------------------------------------------


def _codes(values: pd.Series | pd.DataFrame) -> np.ndarray:
    """One integer per distinct value (row of values), missing values a value of their own."""
    if isinstance(values, pd.Series):
        return pd.factorize(values, use_na_sentinel=True)[0].astype(np.int64)
    if values.shape[1] == 0:
        return np.zeros(len(values), dtype=np.int64)
    matrix = np.column_stack([pd.factorize(values[c], use_na_sentinel=True)[0] for c in values.columns])
    return np.unique(matrix, axis=0, return_inverse=True)[1].ravel().astype(np.int64)


def entropy_loss(original: pd.Series, published: pd.DataFrame, suppressed: np.ndarray | None = None) -> float:
    """Bits of ``original`` lost when the records are published as ``published`` (columns, same row
    order): Σ −log₂ p̂(x_i | y_i) = n·Ĥ(X | Y), empirical (module docstring). ``suppressed`` marks the
    records whose value was suppressed: their own category of Y, apart from values missing anyway.

    >>> x = pd.Series([1, 1, 2, 2])
    >>> entropy_loss(x, pd.DataFrame({"x": [1, 1, 1, 1]}))   # two equal categories merged: 1 bit each
    4.0
    >>> entropy_loss(x, pd.DataFrame({"x": x}))
    0.0
    """
    if len(original) == 0:
        return 0.0
    x = _codes(original.reset_index(drop=True))
    y = _codes(published.reset_index(drop=True))
    if suppressed is not None and suppressed.any():
        y = np.where(suppressed, y.max() + 1, y)
    pairs, pair_counts = np.unique(np.column_stack([y, x]), axis=0, return_counts=True)
    y_counts = np.bincount(y)[pairs[:, 0]]
    return float(np.sum(pair_counts * np.log2(y_counts / pair_counts)))


# -- where suppression fell ------------------------------------------------------------------------


def _labels(instrument, name: str) -> dict[Any, dict[str, str]]:
    """code → {lang: label} of a variable in the catalogue's languages (empty when it has none)."""
    from fjernarbeid.i18n import LANGUAGES

    out: dict[Any, dict[str, str]] = {}
    for lang in LANGUAGES:
        for code, text in (instrument.value_labels(lang).get(name) or {}).items():
            out.setdefault(code, {})[lang] = text
    return out


def _variable_label(instrument, name: str) -> dict[str, str]:
    """{lang: a variable's short label} (the question text, or the derived variable's label)."""
    from fjernarbeid.export._text import variable_label
    from fjernarbeid.i18n import LANGUAGES

    return {lang: variable_label(instrument, name, lang) for lang in LANGUAGES}


def suppression_by_category(frame: pd.DataFrame, masks: Mapping[str, np.ndarray], names: Mapping[str, str],
                            geo: Mapping[str, str], instrument, k: int,
                            top_codes: Mapping[str, int] | None = None) -> dict[str, dict[str, Any]]:
    """For every key variable with suppressed values: per category of its original values (geography:
    the coarsest area published, the centrality class), the records and how many were suppressed,
    and a warning when suppression is concentrated in one category (module docstring); a top code
    (``top_codes``: variable → code) is labelled '6 or more'. Counts of a
    category with fewer than k records are not given (null): they would be a small frequency."""
    from fjernarbeid.export.disclosure import GEOGRAPHY, GEOGRAPHY_LEVELS, Decimal1, Msg

    out: dict[str, dict[str, Any]] = {}
    for name, mask in masks.items():
        if not mask.any():
            continue
        if name == GEOGRAPHY:
            if not geo:
                continue
            column = max(geo, key=lambda n: GEOGRAPHY_LEVELS.index(geo[n]))
        else:
            column = name
        if column not in frame.columns:
            continue
        values = frame[column].reset_index(drop=True)
        labels = _labels(instrument, column)
        if top_codes and column in top_codes:
            from fjernarbeid.i18n import LANGUAGES, message

            labels[top_codes[column]] = {lang: message("microdata", "top", lang, top=top_codes[column])
                                         for lang in LANGUAGES}
        variable = _variable_label(instrument, column)
        n_all, s_all = int(values.notna().sum()), int(mask[values.notna().to_numpy()].sum())
        rows, warnings = [], []
        for code in sorted(values.dropna().unique(), key=lambda v: (isinstance(v, str), v)):
            in_category = (values == code).fillna(False).to_numpy(dtype=bool)
            n, s = int(in_category.sum()), int((mask & in_category).sum())
            code_ = code.item() if isinstance(code, np.generic) else code
            label = labels.get(code_) or labels.get(str(code_)) or {"en": str(code_)}
            rows.append({"code": code_, "label": label, "n": n if n >= k else None,
                         "suppressed": s if n >= k else None, "share": s / n if n >= k else None})
            rest_n, rest_s = n_all - n, s_all - s
            share, rest = s / n, (rest_s / rest_n if rest_n else 0.0)
            # kept: 1 − share of the category against 1 − share of the others (how well it is represented)
            concentrated = (n >= k and share >= CONCENTRATION_SHARE and share > rest
                            and (1 - share) <= (1 - rest) / CONCENTRATION_RATIO)
            if concentrated and rest_n:
                warnings.append(Msg("concentrated", variable=variable, category=label, suppressed=s, n=n,
                                    pct=Decimal1(100 * share), rest=Decimal1(100 * rest)))
        if n_all and s_all == n_all:
            warnings.append(Msg("all_suppressed", variable=variable, n=n_all))
        out[name] = {"variable": column, "label": variable, "n": n_all, "suppressed": s_all, "categories": rows, "warnings": warnings}
    return out


# -- the choice -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Candidate:
    """One combination of alternatives tried, with what it cost."""

    alternatives: tuple[str, ...]
    holds: bool
    k_achieved: int
    suppressed: int  # values set to missing by local suppression
    bits: float  # information lost (entropy, bits)
    bits_by_variable: dict[str, float] = field(default_factory=dict)
    suppressed_by_variable: dict[str, int] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return {"alternatives": list(self.alternatives), "holds": self.holds, "k_achieved": self.k_achieved,
                "values_suppressed": self.suppressed, "bits_lost": self.bits,
                "bits_by_variable": self.bits_by_variable, "suppressed_by_variable": self.suppressed_by_variable}


@dataclass(frozen=True)
class StrategyChoice:
    """The strategy asked, the alternatives the study declares, every combination tried, the one chosen."""

    strategy: str
    declared: tuple[str, ...]
    candidates: tuple[Candidate, ...]
    chosen: tuple[str, ...]
    names: Mapping[str, Any] = field(default_factory=dict)  # alternative → what it does ({lang: text} or Msg)

    def describe(self, alternatives: tuple[str, ...], lang: str) -> str:
        """The alternatives of a combination in words ('none (suppression only)' for none)."""
        from fjernarbeid.export.disclosure import Msg, _render

        if not alternatives:
            return Msg("alt_none").text(lang)
        return "; ".join(_render(self.names.get(a, a), lang) for a in alternatives)

    @property
    def chosen_candidate(self) -> Candidate:
        return next(c for c in self.candidates if c.alternatives == self.chosen)

    @property
    def suppress_only(self) -> Candidate | None:
        """The combination without alternatives, when it was tried (for the comparison)."""
        return next((c for c in self.candidates if not c.alternatives), None)

    def to_dict(self) -> dict[str, Any]:
        return {"strategy": self.strategy, "declared_alternatives": list(self.declared),
                "chosen": list(self.chosen), "chosen_text": self.describe(self.chosen, "en"),
                "candidates": [c.to_dict() for c in self.candidates]}


def applicable(rules, frame: pd.DataFrame) -> tuple[str, ...]:
    """The declared alternatives the data allow: a band of a variable with values, rounding of a weight."""
    from fjernarbeid.export.disclosure import WEIGHT_ALTERNATIVE, WEIGHT_COLUMN

    out = [b.variable for b in rules.bands if b.variable in frame.columns and frame[b.variable].notna().any()]
    if rules.weight_round_to and WEIGHT_COLUMN in frame.columns:
        out.append(WEIGHT_ALTERNATIVE)
    return tuple(dict.fromkeys(out))


def combinations(strategy: str, offered: tuple[str, ...]) -> list[tuple[str, ...]]:
    """The combinations of alternatives a strategy tries, the one without any first.

    >>> combinations("auto", ("centrality", "weight"))
    [(), ('centrality',), ('weight',), ('centrality', 'weight')]
    >>> combinations("coarsen", ("centrality", "weight")), combinations("suppress", ("centrality",))
    ([('centrality', 'weight')], [()])
    """
    if strategy not in STRATEGIES:
        raise ValueError(f"unknown disclosure strategy {strategy!r}: choose from {', '.join(STRATEGIES)}")
    if strategy == "suppress" or not offered:
        return [()]
    if strategy == "coarsen":
        return [offered]
    if len(offered) <= MAX_COMBINED:
        return [c for r in range(len(offered) + 1) for c in itertools.combinations(offered, r)]
    return [(), *((a,) for a in offered), offered]


def protect_with_strategy(frame: pd.DataFrame, instrument, *, strategy: str = DEFAULT_STRATEGY, k: int = 5,
                          keep: Iterable[str] = (), seed: int | None = None, synthetic: bool = False, study=None):
    """:func:`~fjernarbeid.export.disclosure.protect` with the alternatives ``strategy`` chooses (module
    docstring): every combination is protected, and the one that reaches k-anonymity with the fewest
    bits lost wins (ties: fewer alternatives). Returns the protected frame and its report, whose
    ``strategy`` lists every combination tried."""
    from fjernarbeid.export.disclosure import protect, rules_for

    rules = rules_for(instrument, study)
    offered = applicable(rules, frame)
    keep = tuple(keep)
    tried = []
    for combo in combinations(strategy, offered):
        out, report = protect(frame, instrument, k=k, keep=keep, seed=seed, synthetic=synthetic, study=study,
                              alternatives=combo)
        tried.append((combo, out, report))
    candidates = tuple(Candidate(combo, r.holds, r.k_achieved, int(sum(r.suppressed.values())),
                                 round(r.entropy_loss_total, 6), {n: round(b, 6) for n, b in r.entropy_loss.items()},
                                 {n: int(v) for n, v in r.suppressed.items()}) for combo, _, r in tried)
    best = min(range(len(tried)), key=lambda i: (not candidates[i].holds, candidates[i].bits, len(tried[i][0]), i))
    _, out, report = tried[best]
    report.strategy = StrategyChoice(strategy, rules.alternatives, candidates, tried[best][0], alternative_names(rules))
    return out, report


def alternative_names(rules) -> dict[str, Any]:
    """What each declared alternative does, for people: a band's ``to``, the weight's rounding."""
    from fjernarbeid.export.disclosure import WEIGHT_ALTERNATIVE, Msg

    names: dict[str, Any] = {b.variable: dict(b.to_labels) if b.to_labels else {"en": b.to} for b in rules.bands}
    if rules.weight_round_to:
        names[WEIGHT_ALTERNATIVE] = Msg("alt_weight", round_to=rules.weight_round_to)
    return names


def _cell(text: Any) -> str:
    return str(text).replace("|", "\\|").replace("\n", " ")


def strategy_markdown(report, lang: str) -> list[str]:
    """The statement's section on the choice of method and where suppression fell, in ``lang``."""
    from fjernarbeid.export.disclosure import GEOGRAPHY, Decimal1, Msg, _render
    from fjernarbeid.i18n import SUPPRESSED, message

    t = lambda key, **kw: Msg(key, **kw).text(lang)  # noqa: E731
    out = [f"## {t('h_strategy')}", ""]
    choice = report.strategy
    if choice is not None:
        out += [t("strategy_intro", strategy=choice.strategy, chosen=choice.describe(choice.chosen, lang)), ""]
        if len(choice.candidates) == 1 and not choice.chosen:
            out += [t("strategy_none") if not choice.declared or choice.strategy != "suppress" else "", ""]
        out += [f"| {t('col_alternatives')} | {t('col_holds')} | {t('col_values_suppressed')} | {t('col_bits')} | "
                f"{t('col_chosen')} |", "|---|---|---:|---:|---|"]
        for c in choice.candidates:
            mark = t("yes") if c.alternatives == choice.chosen else ""
            out.append(f"| {_cell(choice.describe(c.alternatives, lang))} | {t('yes') if c.holds else t('no')} | "
                       f"{_render(c.suppressed, lang)} | {_render(round(c.bits), lang)} | {mark} |")
        plain, chosen = choice.suppress_only, choice.chosen_candidate
        if plain is not None and chosen is not plain:
            out += ["", t("strategy_saving", suppress_bits=round(plain.bits), bits=round(chosen.bits),
                          saved=round(plain.bits - chosen.bits))]
        out.append("")
    if report.entropy_loss:
        out += [f"| {t('col_variable')} | {t('col_bits')} |", "|---|---:|"]
        out += [f"| {t('geography') if name == GEOGRAPHY else '`' + _cell(name) + '`'} | {_render(round(bits), lang)} |"
                for name, bits in report.entropy_loss.items()]
        out.append("")
    if report.suppression_by_category:
        out += [f"### {t('h_by_category')}", "", t("by_category_intro"), ""]
        advice = False
        for name, v in report.suppression_by_category.items():
            out += [f"**{_cell(_render(v['label'], lang))}** (`{v['variable']}`): {_render(v['suppressed'], lang)} / "
                    f"{_render(v['n'], lang)}", "",
                    f"| {t('col_category')} | {t('col_records')} | {t('col_suppressed')} | {t('col_share')} |",
                    "|---|---:|---:|---:|"]
            for c in v["categories"]:
                small = c["n"] is None  # a category of fewer than k records: its figures are not shown
                out.append(f"| {_cell(_render(c['label'], lang))} | "
                           f"{SUPPRESSED if small else _render(c['n'], lang)} | "
                           f"{SUPPRESSED if small else _render(c['suppressed'], lang)} | "
                           f"{SUPPRESSED if small else _render(Decimal1(100 * c['share']), lang) + ' %'} |")
            if any(c["n"] is None for c in v["categories"]):
                out += ["", message("microdata", "suppressed", lang, k=report.k, symbol=SUPPRESSED)]
            out.append("")
            for w in v["warnings"]:
                out += [f"**{w.text(lang)}**", ""]
                advice = advice or w.key == "concentrated"
        if advice:
            out += [t("concentrated_advice"), ""]
    return out


__all__ = ["Candidate", "DEFAULT_STRATEGY", "STRATEGIES", "StrategyChoice", "alternative_names", "applicable",
           "combinations", "entropy_loss", "protect_with_strategy", "strategy_markdown", "suppression_by_category"]

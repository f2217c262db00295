"""Banner tables: a coded question down the side, background groups across the top.

A banner table shows, for every answer category of one question, the weighted column percentage
in the whole sample (Total) and in each group of each background variable (a *breakdown*: sex,
age group, education, home-office frequency, centrality), with the unweighted base and Kish's
effective base of every column, and *significance letters* as market-research tables print them:
each column of a breakdown has a letter, and a cell lists the letters of the columns of the same
breakdown it is significantly higher than (lower case p < 0.05, upper case p < 0.001).

The test of two columns j, k in row c is the design-based test of the difference of two domain
proportions, exactly :func:`fjernarbeid.survey.compare.svyprop_diff` (the slope of the survey
regression of the 0/1 indicator on the group, Lumley 2010, *Complex Surveys*, §5.2): the
difference p̂_k − p̂_j with the variance of the joint linearisation of the two domain proportions,
whose influence values are w_i (y_i − p̂_g)/Ŵ_g for the rows of column g (Binder 1983, *Int. Stat.
Rev.* 51:279; domains keep the whole design, Lumley §2.4), and Student's t on the design degrees
of freedom of the pair minus one. Here the influence values of all categories × columns of a
question go to :meth:`SurveyDesign.vcov_total` at once, and Var(p̂_k − p̂_j) = V_kk + V_jj − 2V_jk;
the result equals ``svyprop_diff`` on the pair (tested), without a regression per pair.

Within each row and breakdown the p-values of all pairs tested are corrected by Holm's step-down
method (Holm 1979, *Scand. J. Statist.* 6:65). Cells with fewer than ``min_cell`` unweighted
respondents are suppressed: not shown and not tested.
"""

from __future__ import annotations

import string
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
from scipy import stats

from fjernarbeid.export.cell_suppression import banner_suppression
from fjernarbeid.export.nets import nets_of
from fjernarbeid.instrument import Instrument, Question
from fjernarbeid.survey.design import SurveyDesign

Labels = dict[str, str]

# Significance levels of the letters (after the Holm correction): lower case, upper case.
ALPHA_LOWER = 0.05
ALPHA_UPPER = 0.001

TOTAL_LABELS: Labels = {"nb": "Totalt", "en": "Total"}


def _pick(labels: Labels, lang: str) -> str:
    return labels.get(lang) or labels.get("nb") or next(iter(labels.values()), "")


@dataclass(frozen=True)
class BannerColumn:
    """One column: the rows whose ``variable`` is one of ``codes`` (``variable=None``: everyone)."""

    labels: Labels
    variable: str | None = None
    codes: tuple = ()  # the variable's values in this column (codes as stored: 1, or "E")

    def label(self, lang: str = "nb") -> str:
        return _pick(self.labels, lang)

    def mask(self, frame: pd.DataFrame) -> np.ndarray:
        if self.variable is None:
            return np.ones(len(frame), dtype=bool)
        return frame[self.variable].isin(self.codes).to_numpy(dtype=bool)


@dataclass(frozen=True)
class Breakdown:
    """A background variable across the top of the banner, as a set of disjoint columns."""

    variable: str
    labels: Labels
    columns: tuple[BannerColumn, ...]

    def label(self, lang: str = "nb") -> str:
        return _pick(self.labels, lang)


def study_banner(instrument: Instrument, frame: pd.DataFrame, study=None) -> list[Breakdown]:
    """The breakdowns of the study's banner (``banner:`` in the study file; without one, the roles
    sex, age group, education and municipality) that ``frame`` has data for (a variable derived
    from the postal code only when the register was available to derive it)."""
    if study is None:
        from fjernarbeid.study import load_study, study_for_instrument

        default = load_study()
        study = default if instrument.id == default.id else study_for_instrument(instrument)
    specs = [(b.variable, b.title, b.groups) for b in study.banner] or [
        (instrument.role(r), {}, None) for r in ("sex", "age_group", "education", "municipality")
        if instrument.has_role(r)]
    langs = tuple(dict.fromkeys(("nb", "nn", "en", *instrument.languages)))
    out = []
    for variable, title, groups in specs:
        if variable not in frame.columns or frame[variable].isna().all():
            continue
        owner = instrument[variable] if variable in instrument else instrument.derived_variable(variable)
        if not title:
            title = dict(owner.text) if variable in instrument else dict(owner.labels)
        if groups is None:
            by_lang = {lang: owner.code_labels(lang) for lang in langs}
            missing = set(owner.missing_codes) if variable in instrument else set()
            groups = tuple(((code,), {lang: by_lang[lang][code] for lang in by_lang})
                           for code in by_lang["nb"] if code not in missing)
            if not groups:  # a variable without codes (municipality numbers): one column per value
                groups = tuple(((value,), {lang: str(value) for lang in langs})
                               for value in sorted(frame[variable].dropna().unique()))
        columns = tuple(BannerColumn(labels, variable, codes) for codes, labels in groups)
        out.append(Breakdown(variable, title, columns))
    return out


@dataclass(frozen=True)
class PairTest:
    """Column ``high`` against column ``low`` in one row: p̂_high − p̂_low and its design-based t test."""

    category: int | tuple[int, ...]  # the row's code, or a net's codes
    breakdown: str
    first: int  # column index (in BannerTable.columns)
    second: int
    difference: float  # p̂_second − p̂_first
    se: float
    t: float
    df: int
    p: float
    p_holm: float


@dataclass(frozen=True)
class BannerTable:
    """One question's banner: arrays are categories × columns, column 0 is the Total."""

    question: str
    categories: tuple[int, ...]
    columns: tuple[BannerColumn, ...]
    breakdown_of: tuple[int, ...]  # per column: index into ``breakdowns``, −1 for the Total
    breakdowns: tuple[Breakdown, ...]
    letters: tuple[str, ...]  # per column, "" for the Total
    percent: np.ndarray  # weighted column shares (0-1); NaN where the column is empty
    count: np.ndarray  # unweighted respondents in the cell
    base: np.ndarray  # unweighted respondents in the column (valid answers)
    weighted_base: np.ndarray
    effective_base: np.ndarray  # Kish (Σw)²/Σw² of the column's weights
    suppressed: np.ndarray  # count < min_cell
    higher_than: np.ndarray  # object array of letter strings, "" where none
    tests: tuple[PairTest, ...] = field(repr=False)
    min_cell: int = 5
    not_sure: int = 0  # respondents whose answer was a "not sure" code (excluded from the base)
    no_answer: int = 0  # respondents the routing skipped, or with no answer
    # False for a question whose distribution the weighting fixed (sex, age): no letters, a note says why
    tested: bool = True
    nets: tuple[tuple[int, ...], ...] = ()  # top-2 / bottom-2 of a scale, rows below the categories
    net_percent: np.ndarray | None = None  # nets × columns, as percent
    net_count: np.ndarray | None = None
    net_suppressed: np.ndarray | None = None
    net_higher_than: np.ndarray | None = None
    net_tests: tuple[PairTest, ...] = field(default=(), repr=False)
    mean: np.ndarray | None = None  # per column: the weighted mean code of a scale (ordinal questions)


def column_letters(breakdown_of: tuple[int, ...]) -> tuple[str, ...]:
    """A, B, C … across the banner (the Total has none); restarted in every breakdown when the
    banner has more than 26 columns, so that each letter is a single character."""
    n = sum(1 for b in breakdown_of if b >= 0)
    out, i, previous = [], 0, None
    for b in breakdown_of:
        if b < 0:
            out.append("")
            continue
        if n > 26 and b != previous:
            i = 0
        out.append(string.ascii_uppercase[i % 26])
        i += 1
        previous = b
    return tuple(out)


def holm(p: np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (Holm 1979; R ``p.adjust(p, "holm")``); NaN stay NaN
    and do not count in the number of tests."""
    p = np.asarray(p, dtype=float)
    out = np.full_like(p, np.nan)
    ok = np.flatnonzero(~np.isnan(p))
    m = ok.size
    if m == 0:
        return out
    order = ok[np.argsort(p[ok], kind="stable")]
    adjusted = np.minimum(1.0, np.maximum.accumulate((m - np.arange(m)) * p[order]))
    out[order] = adjusted
    return out


def _layout(frame: pd.DataFrame, breakdowns: list[Breakdown]):
    """The Total and every breakdown column, the breakdown of each, and their row masks (n × G)."""
    columns = (BannerColumn(TOTAL_LABELS),) + tuple(c for b in breakdowns for c in b.columns)
    breakdown_of = (-1,) + tuple(i for i, b in enumerate(breakdowns) for _ in b.columns)
    return columns, breakdown_of, np.column_stack([c.mask(frame) for c in columns])


def banner_tables(
    design: SurveyDesign,
    questions: list[Question],
    breakdowns: list[Breakdown],
    *,
    min_cell: int = 5,
    untested: frozenset[str] | set[str] = frozenset(),
) -> list[BannerTable]:
    """:func:`banner_table` of every question, the column masks computed once. Questions in ``untested``
    — those whose margins the weighting fixed, e.g. sex and age group after post-stratification — get no
    significance letters: their weighted shares equal the population's by construction, and a test of
    them would only test the weighting."""
    layout = _layout(design.data, breakdowns)
    return [_banner_table(design, q, breakdowns, layout, min_cell, None, test=q.name not in untested)
            for q in questions]


def banner_table(
    design: SurveyDesign,
    question: Question,
    breakdowns: list[Breakdown],
    *,
    min_cell: int = 5,
    categories: tuple[int, ...] | None = None,
) -> BannerTable:
    """The banner of ``question`` over ``breakdowns``.

    The base of every column is its respondents who were asked the question (its routing
    condition holds) and gave one of ``categories``: "not sure" codes are excluded, and so is an
    answer to a question the routing skipped. ``categories`` defaults to the question's
    substantive codes that do not end the interview.
    """
    return _banner_table(design, question, breakdowns, _layout(design.data, breakdowns), min_cell, categories)


def _rows(design, y, masks, wm, weighted_base, breakdown_of, row_ids, breakdowns, min_cell, test: bool):
    """Percentages, counts, suppression and letters of the rows of ``y`` (n × R 0/1 indicators)."""
    count = (y.T @ masks).round().astype(int)  # R × G
    with np.errstate(invalid="ignore", divide="ignore"):
        percent = (y.T @ wm) / weighted_base
    suppressed = count < min_cell
    tests = (_pairwise_tests(design, y, masks, wm, percent, weighted_base, breakdown_of, row_ids, suppressed,
                             breakdowns) if test else [])
    letters = column_letters(breakdown_of)
    higher = np.full(count.shape, "", dtype=object)
    for t in tests:  # a handful per row; the statistics themselves are vectorised above
        if not t.p_holm < ALPHA_LOWER:
            continue
        winner, loser = (t.second, t.first) if t.difference > 0 else (t.first, t.second)
        letter = letters[loser] if t.p_holm < ALPHA_UPPER else letters[loser].lower()
        c = row_ids.index(t.category)
        higher[c, winner] += letter
    for c in range(higher.shape[0]):  # letters in banner order, whatever order the tests came in
        for g in range(higher.shape[1]):
            if higher[c, g]:
                higher[c, g] = "".join(sorted(higher[c, g], key=lambda ch: ch.upper()))
    return percent, count, suppressed, tests, higher


def _banner_table(design, question, breakdowns, layout, min_cell, categories, test: bool = True) -> BannerTable:
    frame = design.data
    name = question.name
    if categories is None:
        categories = tuple(c for c in question.substantive_codes if c not in question.screen_out)
    w = design.weights
    if question.is_multiple:
        # one row per choice: the share of the column's respondents who chose it (several per respondent)
        from fjernarbeid.data.multiple import any_chosen, for_analysis

        answers = for_analysis(frame[name], question)
        asked = (w != 0) & frame[name].notna().to_numpy()
        y = np.column_stack([any_chosen(answers, question, [c]) for c in categories]).astype(float)
        unsure = asked & answers.isna().to_numpy()
    else:
        x = pd.to_numeric(frame[name], errors="coerce").to_numpy(dtype=float)
        asked = (w != 0) & ~np.isnan(x)
        y = (x[:, None] == np.asarray(categories, dtype=float)[None, :]).astype(float)  # n × C
        unsure = asked & np.isin(x, question.missing_codes)
    if question.ask_if is not None:  # an answer to a question the routing skipped does not count
        asked &= question.ask_if.evaluate(frame).fillna(False).to_numpy(dtype=bool)
        unsure &= asked
    valid = asked & (y.sum(axis=1) > 0)

    columns, breakdown_of, in_column = layout
    masks = in_column & valid[:, None]  # n × G

    base = masks.sum(axis=0)
    wm = masks * w[:, None]
    weighted_base = wm.sum(axis=0)
    sum_w2 = (masks * (w**2)[:, None]).sum(axis=0)
    with np.errstate(invalid="ignore", divide="ignore"):
        effective_base = np.where(sum_w2 > 0, weighted_base**2 / sum_w2, 0.0)
    percent, count, suppressed, tests, higher = _rows(design, y, masks, wm, weighted_base, breakdown_of,
                                                      tuple(categories), breakdowns, min_cell, test)
    if not question.is_multiple:
        # a column's shares add up to 100 %, and in a row a breakdown's groups add up to the Total (weighted
        # bases of weighting variables are public figures): secondary suppression along both, until stable
        margins = [[g for g, b in enumerate(breakdown_of) if b == i] for i in sorted(set(breakdown_of)) if i >= 0]
        suppressed = banner_suppression(count, suppressed, margins)
        higher = np.where(suppressed, "", higher)
    nets = () if question.is_multiple else nets_of(question, tuple(categories))
    net_rows = None
    if nets:
        y_net = np.column_stack([np.isin(x, codes).astype(float) for codes in nets])
        net_rows = _rows(design, y_net, masks, wm, weighted_base, breakdown_of, tuple(nets), breakdowns,
                         min_cell, test)
        # a net with a hidden cell in it would give that cell away (net − its shown cell)
        net_suppressed = net_rows[2] | np.vstack([suppressed[[categories.index(c) for c in codes], :].any(axis=0)
                                                  for codes in nets])
        net_rows = (net_rows[0], net_rows[1], net_suppressed, net_rows[3], np.where(net_suppressed, "", net_rows[4]))
    mean = None
    if question.measurement_level == "ordinal" and not question.is_multiple:  # a scale's mean code, per column
        with np.errstate(invalid="ignore", divide="ignore"):
            mean = (np.nan_to_num(x)[:, None] * wm).sum(axis=0) / weighted_base
        # a column's shares add up to 100 % and its mean is a second equation in the same shares: beside two
        # hidden cells it would give both away, so a column with a hidden cell shows no mean
        mean = np.where(suppressed.any(axis=0), np.nan, mean)

    return BannerTable(
        question=name, categories=tuple(categories), columns=columns, breakdown_of=breakdown_of,
        breakdowns=tuple(breakdowns), letters=column_letters(breakdown_of), percent=percent, count=count,
        base=base, weighted_base=weighted_base, effective_base=effective_base, suppressed=suppressed,
        higher_than=higher, tests=tuple(tests), min_cell=min_cell, net_tests=tuple(net_rows[3]) if net_rows else (),
        not_sure=int(unsure.sum()),
        no_answer=int(((w != 0) & ~asked).sum()),
        tested=test, nets=nets,
        net_percent=net_rows[0] if net_rows else None, net_count=net_rows[1] if net_rows else None,
        net_suppressed=net_rows[2] if net_rows else None, net_higher_than=net_rows[4] if net_rows else None,
        mean=mean,
    )


def _pairwise_tests(design, y, masks, wm, percent, weighted_base, breakdown_of, categories, suppressed,
                    breakdowns) -> list[PairTest]:  # categories: one id per row of y (a code, or a net's codes)
    """Every pair of columns within each breakdown, in every row; Holm within row × breakdown."""
    n, n_cat = y.shape
    n_col = masks.shape[1]
    safe_base = np.where(weighted_base != 0, weighted_base, 1.0)
    # influence values of every domain proportion p̂[c, g]: w_i (y_ic − p̂_cg) / Ŵ_g on column g's rows
    p = np.nan_to_num(percent)
    z = (wm / safe_base)[:, None, :] * (y[:, :, None] - p[None, :, :])  # n × C × G
    z = np.where(masks[:, None, :], z, 0.0).reshape(n, n_cat * n_col)
    v = design.vcov_total(z).reshape(n_cat, n_col, n_cat, n_col)
    rows = np.arange(n_cat)[:, None]
    var = v[rows, np.arange(n_col)[None, :], rows, np.arange(n_col)[None, :]]  # C × G

    out: list[PairTest] = []
    for b, breakdown in enumerate(breakdowns):
        cols = [g for g, bo in enumerate(breakdown_of) if bo == b]
        pairs = [(j, k) for i, j in enumerate(cols) for k in cols[i + 1:]]
        if not pairs:
            continue
        first = np.array([j for j, _ in pairs])
        second = np.array([k for _, k in pairs])
        # design df of each pair's domain (PSUs − strata with a row in it, R degf) + 1 − 2 coefficients
        df = np.array([design.domain(masks[:, j] | masks[:, k]).degrees_of_freedom() - 1 for j, k in pairs])
        cov = v[rows, first[None, :], rows, second[None, :]]  # C × pairs
        diff = percent[:, second] - percent[:, first]
        se = np.sqrt(np.maximum(var[:, first] + var[:, second] - 2 * cov, 0.0))
        with np.errstate(invalid="ignore", divide="ignore"):
            t = diff / se
        p_raw = np.where(df[None, :] > 0, 2 * stats.t.sf(np.abs(t), np.maximum(df, 1)[None, :]), np.nan)
        tested = ~suppressed[:, first] & ~suppressed[:, second] & ~np.isnan(p_raw)
        p_raw = np.where(tested, p_raw, np.nan)
        p_holm = np.vstack([holm(row) for row in p_raw])  # one family per row of this breakdown
        for c, i in zip(*np.nonzero(tested)):
            out.append(PairTest(category=categories[c], breakdown=breakdown.variable, first=int(first[i]),
                                second=int(second[i]), difference=float(diff[c, i]), se=float(se[c, i]),
                                t=float(t[c, i]), df=int(df[i]), p=float(p_raw[c, i]),
                                p_holm=float(p_holm[c, i])))
    return out


__all__ = [
    "ALPHA_LOWER", "ALPHA_UPPER", "BannerColumn", "BannerTable", "Breakdown",
    "PairTest", "banner_table", "banner_tables", "column_letters", "holm",
    "nets_of", "study_banner",
]

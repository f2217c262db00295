"""Comparing two groups: difference in means (R ``svyttest``) and in proportions, with effect sizes.

Both differences are the slope of a survey regression of the outcome on the group indicator,
which equals the difference of the two domain means with the variance of their joint
linearisation (Lumley 2010, *Complex Surveys*, §5.2 and §2.4 on domains); the t test uses R's
df for ``svyttest``: design df − 1. Groups are ordered as ``_levels`` orders them (ordered
Categorical, else sorted), and the difference is *second minus first*, as R reports it.

Effect sizes:

* standardised mean difference d = (ȳ₂ − ȳ₁) / √((s₁² + s₂²)/2), with s² the estimated
  population variance in each group (R ``svyvar``): Cohen 1988, *Statistical Power Analysis*,
  §2.2; the average-variance form recommended for weighted comparisons by Austin 2009
  (*Commun. Stat. Simul. Comput.* 38:1228) and Austin & Stuart 2015 (*Stat. Med.* 34:3661);
* Cohen's h = 2·asin√p₂ − 2·asin√p₁ for proportions (Cohen 1988, §6.2).
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey._distributions import t_ppf
from fjernarbeid.survey.design import SurveyDesign, refuse_negative_weights, shown
from fjernarbeid.survey.estimate import Estimate, GroupIndex, GroupMeans, group_means, svymean_groups
from fjernarbeid.survey.models import _complete, _levels_in, _numeric, _t_p_value, svyglm
from fjernarbeid.survey.replicate import ReplicateDesign


@dataclass(frozen=True)
class GroupDifference:
    """Second group minus first: estimate, SE, t on ``df``, p and a ``level`` CI."""

    estimate: float
    se: float
    statistic: float
    df: int
    p_value: float
    ci_low: float
    ci_high: float
    level: float
    groups: tuple  # (first, second)
    means: tuple  # group means (proportions for svyprop_diff)
    effect_size: float  # standardised mean difference d, or Cohen's h for proportions
    effect_size_name: str


def _two_groups(design: SurveyDesign, outcome_values: np.ndarray, outcome: str, group: str):
    """The design restricted to complete rows, the group's two levels (R's order) and every row's
    group as a code: 0 for the first level, 1 for the second, −1 for neither (outside the domain)."""
    scored = replace(design, data=design.data.assign(**{"__outcome__": outcome_values}))
    d = _complete(scored, ["__outcome__", group])
    values = d.data[group]
    groups = _levels_in(values, d.in_domain)
    if len(groups) != 2:
        raise ComputationError(
            f"{group!r} must have exactly two groups among the rows with {outcome!r} present in "
            f"the domain; found {len(groups)}: {', '.join(map(str, groups[:10]))}")
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":  # codes by comparison, not hashing
        x = values.to_numpy()
        codes = (x == groups[0]).view(np.int8) + 2 * (x == groups[1]).view(np.int8) - 1  # 0, 1; −1: neither
    else:
        # rows outside the two groups (outside the domain, weight 0) have no category: code −1
        codes = pd.Categorical(values.where(values.isin(groups)), categories=groups).codes.astype(np.int8)
    return d, groups, codes


def _difference(d: SurveyDesign, codes: np.ndarray, groups, level: float) -> tuple[float, float, float, int, float, float, float]:
    """Second group's mean of ``__outcome__`` minus the first's: (estimate, SE, t, df, p, CI low, CI high).

    The slope of ``svyglm(outcome ~ group)`` is this difference, and its sandwich influence
    values, x_i·w_i·e_i·(XᵀWX)⁻¹, are for a two-level group those of the difference of the two
    domain means, w_i (y_i − ȳ_g)/Ŵ_g with the sign of the group (Lumley 2010 §2.4, §5.2): so they
    are computed directly, on the rows of the domain, and go to the design's one variance
    primitive. df = design df − 1, as ``svyglm`` (R's ``svyttest``). A replicate design refits the
    regression with every replicate's weights, as R does.
    """
    if isinstance(d, ReplicateDesign):
        category = pd.Categorical.from_codes(codes, categories=groups)
        fit = svyglm(replace(d, data=d.data.assign(__group__=category)), ("__outcome__", ["__group__"]))
        row = fit.table(level).iloc[1]
        return (float(row["estimate"]), float(row["se"]), float(row["t"]), fit.df_residual, float(row["p"]),
                float(row["ci_low"]), float(row["ci_high"]))
    rows = np.flatnonzero(d.in_domain)
    w, g = d.weights[rows], codes[rows].astype(np.intp)
    y = d.data["__outcome__"].to_numpy(dtype=float)[rows]
    totals = np.bincount(g, weights=w, minlength=2)
    means = np.bincount(g, weights=w * y, minlength=2) / totals
    influence = np.zeros(d.n)
    influence[rows] = w * (y - means[g]) * (np.array([-1.0, 1.0]) / totals)[g]
    estimate = float(means[1] - means[0])
    se = float(np.sqrt(d.vcov_total(influence, overwrite=True)[0, 0]))
    return _t_test(estimate, se, d.degrees_of_freedom() - 1, level)


def _joint_difference(joint: GroupMeans, df: int, level: float) -> tuple[float, float, float, int, float, float, float]:
    """:func:`_difference` from the two groups' means and their covariance matrix (one pass of the variance
    primitive for the test and both groups' own estimates): the slope's influence values are the second
    group's minus the first's, so its variance is v₁₁ + v₀₀ − 2 v₀₁ (Lumley 2010 §2.4; R ``svycontrast`` of
    ``svyby(…, covmat = TRUE)``)."""
    v = joint.vcov
    estimate = float(joint.means[1] - joint.means[0])
    # a constant outcome has variance 0, which the sum of three terms gives only to rounding
    se = float(np.sqrt(max(v[0, 0] + v[1, 1] - 2 * v[0, 1], 0.0)))
    return _t_test(estimate, se, df, level)


def _t_test(estimate: float, se: float, df: int, level: float) -> tuple[float, float, float, int, float, float, float]:
    """(estimate, SE, t, df, p, CI low, CI high) of a difference, t on ``df``."""
    with np.errstate(divide="ignore", invalid="ignore"):  # a constant outcome: SE 0, as R (t = ±Inf or NaN)
        t = np.float64(estimate) / se
    q = t_ppf(0.5 + level / 2, df) if df > 0 else np.nan
    return estimate, se, float(t), df, float(_t_p_value(t, df)), float(estimate - q * se), float(estimate + q * se)


def _group_moments(d: SurveyDesign, codes: np.ndarray, groups) -> tuple[np.ndarray, np.ndarray]:
    """Mean and R ``svyvar`` variance (n/(n−1) · weighted mean square) of the outcome per group."""
    rows = np.flatnonzero(d.in_domain & (codes >= 0))  # the two groups' rows in the domain
    g = codes[rows].astype(np.intp)
    w, y = d.weights[rows], d.data["__outcome__"].to_numpy(dtype=float)[rows]
    n = np.bincount(g, minlength=2)
    if (n == 0).any():
        raise ComputationError("the domain is empty: no rows with positive weight")
    total = np.bincount(g, weights=w, minlength=2)
    means = np.bincount(g, weights=w * y, minlength=2) / total  # weighted means (no influence values needed)
    squares = np.bincount(g, weights=w * (y - means[g]) ** 2, minlength=2) / total
    with np.errstate(invalid="ignore", divide="ignore"):
        variances = np.where(n > 1, squares * n / np.maximum(n - 1, 1), np.nan)
    return means, variances


def _test_of_levels(d: SurveyDesign, codes: np.ndarray, groups, level: float):
    """The t test of the second level's mean of ``__outcome__`` minus the first's, and both levels' means and
    variances: on a calibrated design from the two means' covariance matrix (:func:`_joint_difference`),
    otherwise from the regression's influence values (:func:`_difference`)."""
    joint = None
    if d.is_calibrated and not isinstance(d, ReplicateDesign):  # else group_means would say no after a pass
        joint = group_means(d, d.data["__outcome__"].to_numpy(dtype=float), [codes == 0, codes == 1])
    if joint is not None:
        return _joint_difference(joint, d.degrees_of_freedom() - 1, level), joint.means, joint.variances()
    return (_difference(d, codes, groups, level), *_group_moments(d, codes, groups))


def svyttest(design: SurveyDesign, y: str, group: str, level: float = 0.95) -> GroupDifference:
    """Design-based t test of the difference in means of ``y`` between the two groups of ``group``,
    as R's ``svyttest(y ~ group, design)`` (estimate, t, df = design df − 1, p, CI); plus the
    standardised mean difference (module docstring)."""
    refuse_negative_weights(design, "svyttest")
    d, groups, codes = _two_groups(design, _numeric(design, y), y, group)
    (estimate, se, t, df, p, low, high), means, variances = _test_of_levels(d, codes, groups, level)
    d_effect = float(estimate / np.sqrt(variances.mean()))
    return GroupDifference(estimate, se, t, df, p, low, high, level, tuple(groups), tuple(means), d_effect,
                           "standardised mean difference")


def svyttest_groups(design: SurveyDesign, y: str, groups: tuple[np.ndarray, np.ndarray] | GroupIndex, *,
                    names: tuple = ("first", "second"), level: float = 0.95
                    ) -> tuple[GroupDifference, list[Estimate]]:
    """:func:`svyttest` of ``y`` between two disjoint groups of the domain given as boolean masks (the second
    minus the first, as R's order of levels gives it; or a :class:`~fjernarbeid.survey.estimate.GroupIndex` of
    two groups), and each group's mean as :func:`svymean` of its domain
    (R ``svyby(~y, ~g, design, svymean)``) — on a calibrated design from one computation of their
    covariance matrix. ``names`` are the groups' labels in :attr:`GroupDifference.groups`."""
    refuse_negative_weights(design, "svyttest")
    x = _numeric(design, y)
    if isinstance(groups, GroupIndex):  # the two groups as row numbers (0, 1; −1: neither); masks when needed
        joint_groups, masks = groups, groups.masks
    else:
        joint_groups = [np.asarray(m, dtype=bool) for m in groups]
        masks = lambda: joint_groups  # noqa: E731
    # on a calibrated design, both groups' means with their covariance matrix (None for groups that overlap
    # anywhere in the domain, and other designs: the checks below then say what is wrong, or each group
    # is estimated on its own)
    joint = group_means(design, x, joint_groups)
    if joint is not None and (joint.n == 0).any():
        joint = None  # a group without an answer: said below
    if joint is None:
        first, second = masks()
        usable = ~np.isnan(x) & design.in_domain
        if not (usable & first).any() or not (usable & second).any():
            found = [str(name) for name, mask in zip(names, (first, second)) if (usable & mask).any()]
            raise ComputationError(f"a comparison needs two groups with rows that have {y!r} present in the "
                                   f"domain; found {len(found)}{': ' if found else ''}{', '.join(found)}")
        if (usable & first & second).any():
            rows = np.flatnonzero(usable & first & second)[:5] + 1
            raise ComputationError(f"the two groups must not overlap; rows {', '.join(map(str, rows))} … are in both")
        # each group on its own, and the test as svyttest computes it on a group column
        group = np.where(first, 0.0, np.where(second, 1.0, np.nan))
        diff = svyttest(replace(design, data=design.data.assign(__pair__=group)), y, "__pair__", level)
        return replace(diff, groups=tuple(names)), svymean_groups(design, y, [first, second], level=level)
    df = joint.answered_df() - 1
    estimate, se, t, df, p, low, high = _joint_difference(joint, df, level)
    d_effect = float(estimate / np.sqrt(joint.variances().mean()))
    diff = GroupDifference(estimate, se, t, df, p, low, high, level, tuple(names), tuple(joint.means), d_effect,
                           "standardised mean difference")
    return diff, joint.estimates(y, level)


def svyprop_diff(design: SurveyDesign, y: str, group: str, value=None, level: float = 0.95) -> GroupDifference:
    """Difference between two groups in the proportion with ``y == value`` (or, without
    ``value``, in the mean of a 0/1 or boolean ``y``), with SE from the joint linearisation of
    the two domain proportions, a t test on design df − 1 and Cohen's h."""
    refuse_negative_weights(design, "the test of two proportions (R: svyttest)")
    raw = design.column(y)
    if value is None:
        values = _numeric(design, y)
        bad = ~np.isnan(values) & ~np.isin(values, (0.0, 1.0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ComputationError(f"{y!r} must be 0/1 (or give value=…); row {design.data.index[i]} has {shown(raw.iloc[i])}")
    else:
        values = np.where(raw.isna(), np.nan, (raw == value).astype(float))
    d, groups, codes = _two_groups(design, values, y, group)
    (estimate, se, t, df, p, low, high), props, _ = _test_of_levels(d, codes, groups, level)
    h = float(2 * np.arcsin(np.sqrt(props[1])) - 2 * np.arcsin(np.sqrt(props[0])))
    return GroupDifference(estimate, se, t, df, p, low, high, level, tuple(groups), tuple(props), h, "Cohen's h")


__all__ = ["GroupDifference", "svyprop_diff", "svyttest", "svyttest_groups"]

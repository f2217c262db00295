"""Design-based estimates with standard errors, confidence intervals and design effects.

Small estimator functions over one design object, as R's ``survey``:

* :func:`svymean`, :func:`svytotal` — ``svymean``/``svytotal(~x, design, deff=TRUE, na.rm=TRUE)``;
* :func:`svyprop` — the share of every category of a categorical variable (``svymean(~factor(x))``)
  with ``svyciprop`` intervals;
* :func:`svyratio` — ``svyratio(~y, ~x, design)``;
* :func:`svyby` — any of these in every domain (``svyby``; domains keep the whole design), with
  ``covmat=True`` the covariances between domains from their stacked influence values;
* :func:`svycontrast` — linear and (delta method) nonlinear functions of estimates;
* totals of a categorical variable (``svytotal(~factor(x))``).

Quantiles and variances are in :mod:`fjernarbeid.survey.quantile`.

Each works on a linearisation :class:`~fjernarbeid.survey.SurveyDesign` (Taylor series: the
statistic's influence values go to :meth:`SurveyDesign.vcov_total`; Binder 1983, Int. Stat. Rev.
51:279) or a :class:`~fjernarbeid.survey.replicate.ReplicateDesign` (the statistic recomputed
with every set of replicate weights).

Missing values: rows where the variable is missing are left out of the estimate as a domain (R's
``na.rm=TRUE``), which keeps the design's variance structure.

Confidence intervals use the design degrees of freedom of the design (or domain) the estimator is
given: PSUs − strata among its rows with weight ≠ 0, *rows with a missing answer included* (R's
``degf(design)``). That is R's ``svyciprop(…, df = degf(design))``, whose default is evaluated on the
design given before its ``svyglm``/``svymean`` leave the missing rows out (and ``svyttest(x ~ 0)``'s
degf(design) − 1); R gives means, totals and ratios no df (``confint`` is normal), and here they take
the same ``confint(…, df = degf(design))``. Quantiles (R's ``svyquantile``) and models (``svyglm``) count
only the rows with answers, as R does (``tests/fixtures/r/missing_df.R``). So t intervals for means,
totals and ratios; for proportions (R's ``svyciprop``)

* ``"logit"`` (default): expit(logit p̂ ± t_df · se(p̂)/(p̂(1 − p̂))), the Wald interval of the
  intercept-only logistic model R fits;
* ``"beta"``: Korn & Graubard (1998, Survey Methodology 24:193) — Clopper-Pearson with the
  effective sample size n* = p̂(1 − p̂)/v(p̂) · (t_{n−1}/t_df)², n = rows of the design;
* ``"xlogit"``, ``"asin"``, ``"mean"``: R's Wald intervals on the logit, arcsine-square-root and
  identity scales (``svyciprop``; xlogit equals logit);
* ``"likelihood"``: R's profile-likelihood interval of the intercept-only quasi-binomial model,
  scaled by the design effect (:mod:`fjernarbeid.survey._profile`);
* ``"wilson"``: the Wilson score interval with n* = p̂(1 − p̂)/v(p̂) and the t_df quantile (Kott &
  Carr 1997, *Proc. Survey Research Methods*, ASA; Dean & Pagano 2015, J. Surv. Stat. Methodol.
  3:484). R's survey has no Wilson method; the reference values are computed from this formula.

When p̂ is 0 or 1 the variance is 0 and these intervals degenerate (R returns a point or NaN);
here every method then gives the Clopper-Pearson interval with n* = the number of rows
(Korn & Graubard's rule), df-adjusted as for "beta".

Design effects are R's ``deff=TRUE``: the variance over that of a simple random sample of the
same size without replacement, v_srs = s²_w (N̂ − n)/(N̂ n) for a mean (``svymean.survey.design2``).
When the weights do not add up to more than the sample (N̂ ≤ n: equal weights of 1, or weights
scaled to the sample size) there is no population to sample without replacement from — R gives
Inf or NA — and the comparison is with sampling *with* replacement, v_srs = s²_w/n (R's
``deff="replace"``), so that an unweighted simple random sample has a design effect of 1.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field, replace
from typing import Any, Callable, Iterable, Iterator, Sequence, Union

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError, DataValidationError
from fjernarbeid.survey._distributions import beta_ppf, t_ppf
from fjernarbeid.survey.design import (Influence, SurveyDesign, _label_key, _label_sort_key, _row_list,
                                       refuse_negative_weights, whole_number_codes)
from fjernarbeid.survey.replicate import ReplicateDesign

CI_METHODS = ("logit", "beta", "wilson", "xlogit", "asin", "mean", "likelihood")
Design = Union[SurveyDesign, ReplicateDesign]


# -- results -------------------------------------------------------------------------------------


def _plain(v: Any) -> Any:
    if isinstance(v, np.generic):
        return v.item()
    return v


@dataclass(frozen=True)
class Estimate:
    """One estimate with its precision.

    ``n_unweighted`` counts the rows used (in the domain, non-missing); ``weighted_base`` is
    their sum of weights (the estimated population the mean or share refers to); ``df`` the
    design degrees of freedom used for the interval.
    """

    statistic: str  # "mean", "total", "proportion" or "ratio"
    variable: str
    estimate: float
    se: float
    ci_low: float
    ci_high: float
    df: int
    deff: float
    n_unweighted: int
    weighted_base: float
    category: Any = None
    group: tuple[tuple[str, Any], ...] = ()
    level: float = 0.95
    ci_method: str = "t"
    # what the variance was computed from, kept when asked for (``influence=True``, R's
    # ``influence=TRUE``/``return.replicates=TRUE``) so that svyby can estimate covariances
    # between domains: n × 1 weighted influence values, or R × 1 replicate estimates
    influence: np.ndarray | None = field(default=None, repr=False, compare=False)
    replicates: np.ndarray | None = field(default=None, repr=False, compare=False)

    @property
    def cv(self) -> float:
        """Coefficient of variation se/|estimate|."""
        return self.se / abs(self.estimate) if self.estimate else float("nan")

    @property
    def var(self) -> float:
        return self.se**2

    def to_dict(self) -> dict:
        return {
            "statistic": self.statistic, "variable": self.variable, "category": _plain(self.category),
            "group": {k: _plain(v) for k, v in self.group}, "estimate": float(self.estimate), "se": float(self.se),
            "ci_low": float(self.ci_low), "ci_high": float(self.ci_high), "level": self.level,
            "ci_method": self.ci_method, "df": int(self.df), "deff": float(self.deff),
            "n_unweighted": int(self.n_unweighted), "weighted_base": float(self.weighted_base),
        }

    def to_frame(self) -> pd.DataFrame:
        return Estimates((self,)).to_frame()



@dataclass(frozen=True)
class Estimates:
    """Several estimates (categories of a variable, or domains) and their covariance matrix.

    Index by position or by category: ``props["Yes"]``. ``vcov`` is None when not available.
    """

    rows: tuple[Estimate, ...]
    vcov: np.ndarray | None = None
    df: int | None = None  # design degrees of freedom for contrasts (svyby: of the whole design)
    influence: np.ndarray | None = field(default=None, repr=False, compare=False)  # n × k (see Estimate)
    replicates: np.ndarray | None = field(default=None, repr=False, compare=False)  # R × k

    def __len__(self) -> int:
        return len(self.rows)

    def __iter__(self) -> Iterator[Estimate]:
        return iter(self.rows)

    def __getitem__(self, key) -> Estimate:
        """The estimate of category (or domain name, see :attr:`names`) ``key``: ``props[1]`` is
        category 1 whatever its position, as R's ``coef(x)["1"]``. Use ``.rows[i]`` for positions."""
        wanted = _label_key(key)
        for row in self.rows:
            if row.category is not None and _label_key(row.category) == wanted:
                return row
        names = self.names
        if str(key) in names:
            return self.rows[names.index(str(key))]
        raise KeyError(f"no estimate for category {_plain(key)!r} (categories: "
                       f"{[_plain(r.category) for r in self.rows]}; names: {names})")

    @property
    def names(self) -> list[str]:
        """A name per estimate, as R's ``names(coef(svyby(…)))``: the domain's values joined by '.',
        then ':' and the category ("1", "(19,39].2", "E:Yes")."""
        out = []
        for r in self.rows:
            parts = ".".join(str(_plain(v)) for _, v in r.group)
            cat = "" if r.category is None else str(_plain(r.category))
            out.append(parts + (":" if parts and cat else "") + cat if (parts or cat) else r.variable)
        return out

    @property
    def estimate(self) -> np.ndarray:
        return np.array([r.estimate for r in self.rows])

    @property
    def se(self) -> np.ndarray:
        return np.array([r.se for r in self.rows])

    def to_frame(self) -> pd.DataFrame:
        """One row per estimate; domain variables become leading columns."""
        records = []
        for r in self.rows:
            d = r.to_dict()
            group = d.pop("group")
            records.append({**group, **d})
        return pd.DataFrame.from_records(records)

    def to_dict(self) -> dict:
        return {"estimates": [r.to_dict() for r in self.rows],
                "vcov": None if self.vcov is None else np.asarray(self.vcov).tolist()}


# -- input handling ------------------------------------------------------------------------------


def numeric_values(design: Design, variable: str) -> np.ndarray:
    """The column as floats (NaN = missing). Text that is not a number is an error naming the rows."""
    series = design.column(variable)
    if isinstance(series.dtype, np.dtype) and series.dtype.kind in "fiub":  # numpy values: one conversion
        return series.to_numpy(dtype=float, copy=True)
    if pd.api.types.is_bool_dtype(series) or pd.api.types.is_numeric_dtype(series):
        return series.astype("Float64").to_numpy(dtype=float, na_value=np.nan)
    text = series.astype("string").str.strip()
    values = pd.to_numeric(text, errors="coerce")
    bad = (values.isna() & text.notna() & (text != "")).to_numpy(dtype=bool)
    if bad.any():
        example = text[bad].iloc[0]
        raise DataValidationError(
            f"column {variable!r} must be numeric but has text (e.g. {example!r}) in rows {_row_list(bad)}"
        )
    return values.astype("Float64").to_numpy(dtype=float, na_value=np.nan)


def _valid_domain(design: Design, ok: np.ndarray, variable: str, na_rm: bool) -> tuple[Design, np.ndarray]:
    """Restrict to rows where the variable is usable (R's na.rm=TRUE is a domain)."""
    in_domain = design.in_domain
    missing = in_domain & ~ok
    if missing.any():
        if not na_rm:
            raise ComputationError(f"{variable!r} is missing in rows {_row_list(missing)}; pass na_rm=True to "
                                   "estimate from the rows that have it")
        design = design.domain(ok)
    keep = in_domain & ok
    if not keep.any():
        raise ComputationError(f"no observations of {variable!r} in this domain")
    return design, keep


def _variance(design: Design, u: Callable[[], np.ndarray], f: Callable[[np.ndarray], np.ndarray],
              influence: Callable[[], np.ndarray | Influence], keep: bool = False
              ) -> tuple[np.ndarray, np.ndarray | None, np.ndarray | Influence | None]:
    """Variance of θ = f(weighted totals of the columns of ``u()``).

    Linearisation: the influence values (n × k, weighted, or factored as an :class:`Influence`)
    go to ``vcov_total``. Replicates: f of
    every replicate's totals (the replicate estimates are returned too, for logit intervals).
    Only the one that is needed is computed. Returns (vcov, replicate estimates or None,
    influence values when ``keep`` else None).
    """
    if isinstance(design, ReplicateDesign):
        u = u()
        totals = design.replicate_totals(u)
        with np.errstate(invalid="ignore", divide="ignore"):
            thetas = f(totals)
            full = f((u * design.weights[:, None]).sum(axis=0)[None, :])[0]
        return design.vcov_replicates(thetas, full), thetas, None
    infl = influence()
    if keep:
        return design.vcov_total(infl), None, infl
    return design.vcov_total(infl, overwrite=True), None, None  # nobody else holds them: no copy


def mean_and_variance(design: Design, x: np.ndarray) -> tuple[float, float]:
    """Weighted mean of the values ``x`` (one per row; rows outside the domain ignored) and its
    variance (R ``svymean`` on a derived variable, for estimators built on it such as quantiles)."""
    w = design.weights
    xs = np.where(w != 0, x, 0.0)
    base = float(w.sum())
    mean = float(w @ xs) / base
    # dense: a constant's variance stays a rounding error (> 0) here, not the exact 0 of the factored
    # moments (Influence), which the quantile intervals divide by
    v, _, _ = _variance(design, lambda: np.column_stack([xs, np.ones_like(xs)]),
                        lambda t: _ratio(t[:, :1], t[:, 1:2]), lambda: (w * (xs - mean) / base)[:, None])
    return mean, float(v[0, 0])


def _kept(result, influence: bool, infl: np.ndarray | None, reps: np.ndarray | None):
    """``result`` with its influence values or replicate estimates when asked for."""
    if not influence:
        return result
    return replace(result, influence=infl, replicates=reps)


def _t_interval(est: np.ndarray, se: np.ndarray, df: int, level: float) -> tuple[np.ndarray, np.ndarray]:
    q = t_ppf(1 - (1 - level) / 2, df) if df > 0 else np.nan
    return est - q * se, est + q * se


def _srs_variance_of_mean(x: np.ndarray | None, means: np.ndarray, w: np.ndarray, base: float, n: int,
                          spread: np.ndarray | None = None) -> np.ndarray:
    """R's svyvar(x) · (N̂ − n)/(N̂ n): variance of a mean under SRS without replacement; when
    N̂ ≤ n, R's ``deff="replace"`` svyvar(x)/n, under SRS with replacement (see the module notes).

    svyvar(x) = Σw(x − x̄)²/Σw · n/(n − 1); ``spread`` may give Σw(x − x̄)²/Σw directly.
    """
    if n < 2:
        return np.full(means.shape, np.nan)
    if spread is None:
        spread = np.array([w @ (x[:, j] - means[j]) ** 2 for j in range(x.shape[1])]) / base
    s2 = spread * n / (n - 1)
    # weights not scaled to a population: R's deff=TRUE would give Inf (N̂ = n) or NA (N̂ < n). The
    # tolerance: weights scaled to the sample size add up to n only up to rounding.
    if base <= n * (1 + 1e-9):
        return s2 / n
    return s2 * (base - n) / (base * n)


def _ratio(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.divide(a, b)


# -- means and totals ----------------------------------------------------------------------------


def svymean(design: Design, variable: str, *, na_rm: bool = True, level: float = 0.95,
            influence: bool = False) -> Estimate:
    """Mean of a numeric variable: Σwx/Σw (R ``svymean``; influence (x − x̄)w/Σw).

    ``influence=True`` keeps the influence values (or replicate estimates) on the result, for
    covariances with other estimates (:func:`svyby` with ``covmat=True``)."""
    x = numeric_values(design, variable)
    df = design.degrees_of_freedom()  # of the design given, missing answers included (module notes)
    design, keep = _valid_domain(design, ~np.isnan(x), variable, na_rm)
    w = design.weights
    xs = np.where(keep, x, 0.0)
    base = float(w.sum())
    n = int(keep.sum())
    mean = float(w @ xs) / base
    v, reps, infl = _variance(design, lambda: np.column_stack([xs, np.ones_like(xs)]),
                              lambda t: _ratio(t[:, :1], t[:, 1:2]),
                              lambda: Influence.of(w * (xs - mean) / base, None, [1.0]), influence)
    se = float(np.sqrt(v[0, 0]))
    vsrs = _srs_variance_of_mean(xs[:, None], np.array([mean]), w, base, n)[0]
    lo, hi = _t_interval(mean, se, df, level)
    return _kept(Estimate("mean", variable, mean, se, float(lo), float(hi), df, float(_ratio(v[0, 0], vsrs)), n,
                          base, level=level), influence, infl, reps)


@dataclass(frozen=True)
class GroupIndex:
    """Disjoint groups as each row's group number (0 … k − 1; −1: in none) — what :func:`svymean_groups` and
    :func:`group_means` take in place of k boolean masks when the groups are the values of one variable
    (one array instead of k, and no check that they overlap)."""

    index: np.ndarray  # (n,) integers, −1 for a row in no group
    k: int

    @classmethod
    def of_values(cls, values: np.ndarray, codes: Sequence) -> "GroupIndex":
        """Group j: the rows whose value is ``codes[j]`` (NaN and other values: none)."""
        index = np.full(values.shape, -1, dtype=np.intp)
        for j, c in enumerate(codes):
            index += (values == c) * (j + 1)  # the codes are distinct: a row matches one at most
        return cls(index, len(codes))

    def masks(self) -> list[np.ndarray]:
        return [self.index == j for j in range(self.k)]

    def __len__(self) -> int:
        return self.k


def svymean_groups(design: Design, variable: str, groups: Sequence[np.ndarray] | GroupIndex, *,
                   level: float = 0.95) -> list[Estimate | None]:
    """The mean of ``variable`` in each of several disjoint groups of the domain (boolean masks, or a
    :class:`GroupIndex`), each as :func:`svymean` of ``design.domain(group)`` gives it (None for a group without a row
    that has the variable; its df counts the group's rows without an answer too) — R's
    ``svyby(~x, ~g, design, svymean, na.rm = TRUE)``.

    On a calibrated design the groups' influence values go to the variance primitive together, as
    the columns of one factored matrix (the diagonal of its covariance matrix is every group's own
    variance: a calibrated design keeps every stratum in every domain); otherwise, and for
    overlapping groups, one :func:`svymean` per group.
    """
    x = numeric_values(design, variable)
    joint = group_means(design, x, groups)
    if joint is None:
        usable = ~np.isnan(x) & design.in_domain
        masks = groups.masks() if isinstance(groups, GroupIndex) else groups
        return [svymean(design.domain(np.asarray(m, dtype=bool)), variable, level=level)
                if (np.asarray(m, dtype=bool) & usable).any() else None for m in masks]
    return joint.estimates(variable, level)


@dataclass(frozen=True)
class GroupMeans:
    """The means of a variable in disjoint groups of a calibrated design, from one call of the variance
    primitive: their full covariance matrix (R ``svyby(…, covmat = TRUE)``), so that a difference of two
    groups has its variance v_aa + v_bb − 2 v_ab without a second pass over the rows."""

    means: np.ndarray  # per group; NaN for a group without an answer
    base: np.ndarray  # Σw per group
    n: np.ndarray  # answers per group
    spread: np.ndarray  # Σw(x − mean)² per group
    vcov: np.ndarray  # k × k
    df_of: Callable[[int], int]  # each group's design df (its domain's)
    answered_df: Callable[[], int]  # the design df of the domain of every group's answers together

    def variances(self) -> np.ndarray:
        """Each group's estimated population variance of the variable, R ``svyvar``: n/(n − 1) · Σw(x − x̄)²/Σw."""
        with np.errstate(invalid="ignore", divide="ignore"):
            return np.where(self.n > 1, self.spread / self.base * self.n / np.maximum(self.n - 1, 1), np.nan)

    def estimates(self, variable: str, level: float) -> list[Estimate | None]:
        """Every group's :class:`Estimate` (None for a group without an answer), as :func:`svymean` of its domain."""
        out: list[Estimate | None] = []
        for j in range(self.means.size):
            if self.n[j] == 0:
                out.append(None)
                continue
            v = self.vcov[j, j]
            se = float(np.sqrt(v))
            vsrs = _srs_variance_of_mean(None, self.means[j:j + 1], None, float(self.base[j]), int(self.n[j]),
                                         spread=self.spread[j:j + 1] / self.base[j])[0]
            df = self.df_of(j)
            lo, hi = _t_interval(self.means[j], se, df, level)
            out.append(Estimate("mean", variable, float(self.means[j]), se, float(lo), float(hi), df,
                                float(_ratio(v, vsrs)), int(self.n[j]), float(self.base[j]), level=level))
        return out


def group_means(design: Design, x: np.ndarray, groups: Sequence[np.ndarray] | GroupIndex) -> GroupMeans | None:
    """The weighted means of the values ``x`` (NaN: no answer) in each of the disjoint ``groups`` (boolean
    masks, or a :class:`GroupIndex`) of the design's domain, with their covariance matrix — or None where
    that is not one computation: a replicate or uncalibrated design, or groups that overlap
    (:func:`svymean_groups` then estimates each group on its own)."""
    if isinstance(design, ReplicateDesign) or not design.is_calibrated:
        return None
    in_domain = design.in_domain
    if isinstance(groups, GroupIndex):  # each row's group + 1, 0 for none or outside the domain
        member = groups.index + 1
        member *= in_domain
        return _group_means_of(design, x, member, groups.k)
    # each row's group + 1 (0: in none, or outside the domain), by arithmetic on the masks: assigning
    # through a boolean mask costs several times more on masks as irregular as answers
    member = np.zeros(design.n, dtype=np.intp)
    members = np.zeros(design.n, dtype=np.int8) if len(groups) > 1 else None
    for j, mask in enumerate(groups):
        mask = np.asarray(mask, dtype=bool)
        if members is not None:
            members += mask
        member += mask * (j + 1) if j else mask
    member *= in_domain
    if members is not None:
        members *= in_domain
        if members.max() > 1:  # groups that overlap in the domain
            return None
    return _group_means_of(design, x, member, len(groups))


def _group_means_of(design: SurveyDesign, x: np.ndarray, member: np.ndarray, k: int) -> GroupMeans:
    """:func:`group_means` of ``member``: each row's group + 1 (0: in none, or outside the domain)."""
    code = member * ~np.isnan(x)  # each answer's group + 1 (0: no answer, in no group, or outside the domain)
    w = design.weights
    # sums per group over all rows at once (no gather of the answering rows): group 0 collects the rest,
    # NaN products included, and is dropped
    base = np.bincount(code, weights=w, minlength=k + 1)[1:]
    n = np.bincount(code, minlength=k + 1)[1:]
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.bincount(code, weights=w * x, minlength=k + 1)[1:] / base
        inverse = np.where(base != 0, 1 / base, 0.0)  # a group can weigh less than 0 (negative weights)
    # w(x − m_g)/W_g in column g: the scale w(x − m_g) (each value centred at its own group's mean, so that
    # the moments the variance is computed from lose no digits) with coefficient 1/W_g; the weights are a
    # scale too (coefficient 0), the one a calibration's residuals subtract. Group 0 (no answer, or in no
    # group) has coefficients 0, so the scales need not be zero there.
    coef = np.zeros((k + 1, 2, k))
    coef[np.arange(1, k + 1), 0, np.arange(k)] = inverse
    centre = np.zeros(k + 1)
    centre[1:] = np.nan_to_num(means)
    deviation = x - centre[code]
    scale_x = deviation * w
    scale_x[code == 0] = 0.0  # no NaN in the scale (infinities stay, and show)
    vcov = design.vcov_total(Influence((scale_x, w), code, coef))
    deviation *= scale_x
    spread = np.bincount(code, weights=deviation, minlength=k + 1)[1:]  # Σ w(x − m_g)² per group
    df_of = _groups_degrees_of_freedom(design, member, k)

    def answered_df() -> int:  # design.domain(code > 0).degrees_of_freedom(), counted on the codes at hand
        if not design._struct.own_psu:
            return design._psus_minus_strata(code > 0)
        nstrata = design._struct.n_psu.size
        strata_in = int(n.sum() > 0) if nstrata == 1 else \
            int(np.count_nonzero(np.bincount((code > 0) * (design.strata + 1), minlength=nstrata + 1)[1:]))
        return int(n.sum()) - strata_in

    return GroupMeans(means, base, n, spread, vcov, df_of, answered_df)


def _groups_degrees_of_freedom(design: SurveyDesign, member: np.ndarray, k: int) -> Callable[[int], int]:
    """Each group's design df (its domain's :meth:`~SurveyDesign.degrees_of_freedom`; ``member`` each row's
    group + 1, 0 for none): for a design whose PSUs are its rows, the group's rows minus its strata,
    counted for all groups at once."""
    if not design._struct.own_psu:
        def clustered(j: int) -> int:
            return design._psus_minus_strata(member == j + 1)

        return clustered
    nstrata = design._struct.n_psu.size
    if nstrata == 1:  # one stratum: in every group that has a row
        n = np.bincount(member, minlength=k + 1)[1:]
        strata_in = (n > 0).astype(int)
    else:
        present = np.bincount(member * nstrata + design.strata, minlength=(k + 1) * nstrata).reshape(k + 1, nstrata)[1:]
        n = present.sum(axis=1)
        strata_in = (present > 0).sum(axis=1)
    return lambda j: int(n[j]) - int(strata_in[j])


def svytotal(design: Design, variable: str, *, na_rm: bool = True, level: float = 0.95,
             influence: bool = False, factor: bool | None = None, missing: Iterable = (),
             categories: Sequence | None = None) -> Estimate | Estimates:
    """Total of a numeric variable: Σwx (R ``svytotal``; influence wx). ``influence`` as
    :func:`svymean`.

    A categorical variable (a categorical dtype, text that is not all numbers, or any variable
    with ``factor=True``) gives the estimated number
    in every category, Σw·1[x = c], with their covariance matrix (R ``svytotal(~factor(x))``);
    ``missing`` and ``categories`` as :func:`svyprop`.
    """
    if factor or (factor is None and _is_categorical(design.column(variable))):
        return _factor_total(design, variable, missing, categories, level, influence)
    x = numeric_values(design, variable)
    df = design.degrees_of_freedom()
    design, keep = _valid_domain(design, ~np.isnan(x), variable, na_rm)
    w = design.weights
    xs = np.where(keep, x, 0.0)
    base = float(w.sum())
    n = int(keep.sum())
    total = float(w @ xs)
    v, reps, infl = _variance(design, lambda: xs[:, None], lambda t: t, lambda: Influence.of(w * xs, None, [1.0]),
                              influence)
    se = float(np.sqrt(v[0, 0]))
    # R: svyvar(x) · N̂² (N̂ − n)/(N̂ n)
    vsrs = _srs_variance_of_mean(xs[:, None], np.array([total / base]), w, base, n)[0] * base**2
    lo, hi = _t_interval(total, se, df, level)
    return _kept(Estimate("total", variable, total, se, float(lo), float(hi), df, float(_ratio(v[0, 0], vsrs)), n,
                          base, level=level), influence, infl, reps)


def _is_categorical(series: pd.Series) -> bool:
    """A categorical dtype, or text that is not all numbers (numbers read as text stay numbers)."""
    if isinstance(series.dtype, pd.CategoricalDtype):
        return True
    if pd.api.types.is_numeric_dtype(series) or pd.api.types.is_bool_dtype(series):
        return False
    text = series.dropna().astype(str).str.strip()
    text = text[text != ""]
    return bool(pd.to_numeric(text, errors="coerce").isna().any())


def _factor_total(design: Design, variable: str, missing, categories, level: float, influence: bool) -> Estimates:
    """Σw·1[x = c] for every category c (R ``svytotal(~factor(x), na.rm=TRUE)``)."""
    row_cat, cat_keys, label_of = _category_codes(design, variable, missing, False, categories)
    df = design.degrees_of_freedom()
    design, keep = _valid_domain(design, row_cat >= 0, variable, True)
    w = design.weights
    k = len(cat_keys)
    rows = np.flatnonzero(keep)
    base = float(w.sum())
    n = int(keep.sum())

    def indicators() -> np.ndarray:
        x = np.zeros((len(w), k), order="F")
        x[rows, row_cat[rows]] = 1.0
        return x

    totals = np.bincount(row_cat[rows], weights=w[rows], minlength=k)
    # w·1[x = c]: the weight times a unit vector per category (rows without a category have weight 0)
    coef = np.vstack([np.zeros(k), np.eye(k)])
    v, reps, infl = _variance(design, indicators, lambda t: t, lambda: Influence.of(w, row_cat + 1, coef), influence)
    se = np.sqrt(np.clip(np.diag(v), 0, None))
    p = totals / base
    vsrs = _srs_variance_of_mean(None, p, w, base, n, spread=p * (1 - p)) * base**2
    deff = _ratio(np.diag(v), vsrs)
    lo, hi = _t_interval(totals, se, df, level)
    out = tuple(Estimate("total", variable, float(totals[j]), float(se[j]), float(lo[j]), float(hi[j]), df,
                         float(deff[j]), n, base, category=label_of.get(cat_keys[j]), level=level)
                for j in range(k))
    return _kept(Estimates(out, v), influence, infl, reps)


def svyratio(design: Design, numerator: str, denominator: str, *, na_rm: bool = True,
             level: float = 0.95, influence: bool = False) -> Estimate:
    """Ratio of totals Σwy/Σwx (R ``svyratio``; influence w(y − R̂x)/Σwx; design effect that of
    the total of the linearised variable, as R)."""
    y = numeric_values(design, numerator)
    x = numeric_values(design, denominator)
    name = f"{numerator}/{denominator}"
    df = design.degrees_of_freedom()
    design, keep = _valid_domain(design, ~np.isnan(y) & ~np.isnan(x), name, na_rm)
    w = design.weights
    ys, xs = np.where(keep, y, 0.0), np.where(keep, x, 0.0)
    tx = float(w @ xs)
    if tx == 0:
        raise ComputationError(f"the weighted total of {denominator!r} is zero: the ratio is undefined")
    ratio = float(w @ ys) / tx
    r = (ys - ratio * xs) / tx
    v, reps, infl = _variance(design, lambda: np.column_stack([ys, xs]), lambda t: _ratio(t[:, :1], t[:, 1:2]),
                              lambda: Influence.of(w * r, None, [1.0]), influence)
    se = float(np.sqrt(v[0, 0]))
    base = float(w.sum())
    n = int(keep.sum())
    vsrs = _srs_variance_of_mean(r[:, None], np.array([float(w @ r) / base]), w, base, n)[0] * base**2
    lo, hi = _t_interval(ratio, se, df, level)
    return _kept(Estimate("ratio", name, ratio, se, float(lo), float(hi), df, float(_ratio(v[0, 0], vsrs)), n,
                          base, level=level), influence, infl, reps)


# -- proportions ---------------------------------------------------------------------------------


def _category_codes(design: Design, variable: str, missing: Iterable, include_missing: bool,
                    categories: Sequence | None) -> tuple[np.ndarray, list, dict]:
    """Category index per row (−1: no usable answer), the categories' keys in order and their
    labels (see :func:`svyprop` for ``missing``, ``include_missing`` and ``categories``)."""
    series = design.column(variable)
    whole = whole_number_codes(series.to_numpy()) if isinstance(series.dtype, np.dtype) else None
    codes, uniques = whole if whole is not None else pd.factorize(series, sort=False, use_na_sentinel=True)  # −1 = empty
    ukeys = [_label_key(u) for u in uniques]
    missing_keys = {_label_key(m) for m in missing} - {None}
    label_of: dict[Any, Any] = {None: None}
    for raw, key in zip(uniques, ukeys):
        label_of.setdefault(key, _plain(raw))
    if categories is None:
        cat_keys = sorted({k for k in ukeys if include_missing or k not in missing_keys}, key=_label_sort_key)
        if include_missing and (codes < 0).any():
            cat_keys.append(None)
    else:
        cat_keys = [_label_key(c) for c in categories]
        label_of.update({_label_key(c): c for c in categories})
    index = {key: j for j, key in enumerate(cat_keys)}
    u_cat = np.array([index.get(k, -1) for k in ukeys] + [index.get(None, -1)], dtype=int)
    row_cat = u_cat[codes]  # code −1 picks the last entry: the category of an empty value
    if categories is not None:
        u_stray = np.array([k not in index and k not in missing_keys for k in ukeys] + [False])
        stray = u_stray[codes] & design.in_domain
        if stray.any():
            raise DataValidationError(f"{variable!r} has values outside the categories given in rows {_row_list(stray)}")
    return row_cat, cat_keys, label_of


def svyprop(
    design: Design,
    variable: str,
    *,
    missing: Iterable = (),
    include_missing: bool = False,
    categories: Sequence | None = None,
    ci: str = "logit",
    level: float = 0.95,
    influence: bool = False,
) -> Estimates:
    """Share of every category of ``variable`` among the rows that answered (R ``svymean(~factor(x))``
    with ``svyciprop`` intervals).

    ``missing`` lists codes that count as no answer ("not sure", e.g. an instrument question's
    ``missing_codes``); they and empty values are left out unless ``include_missing=True``, which
    reports them as categories (an empty value as category ``None``). ``categories`` fixes the
    categories and their order; by default every value found in the whole data set (also outside
    the domain, as R's factor levels) — so a category absent from a domain is reported as 0.
    """
    if ci not in CI_METHODS:
        raise ValueError(f"ci must be one of {CI_METHODS}, not {ci!r}")
    row_cat, cat_keys, label_of = _category_codes(design, variable, missing, include_missing, categories)
    usable = row_cat >= 0
    # R's svyciprop(…, df = degf(design)): the design given, rows without an answer included; "beta" takes
    # nrow(design) of it too (a calibrated design keeps every row, an uncalibrated one its domain's)
    df = design.degrees_of_freedom()
    n_rows = design.n if design.is_calibrated else int(np.count_nonzero(design.in_domain))
    mean_weight = float(design.weights.sum()) / n_rows  # R's svyglm scales the weights by this mean
    design, keep = _valid_domain(design, usable, variable, True)
    w = design.weights
    k = len(cat_keys)
    base = float(w.sum())
    # rows outside the domain have weight 0 and add nothing; bin 0 collects the unusable rows
    code = row_cat + 1
    p = np.bincount(code, weights=w, minlength=k + 1)[1:] / base
    # each category's rows in the domain (bin 0: no answer, or outside)
    in_rows = np.bincount(code * design.in_domain, minlength=k + 1)[1:]
    n = int(in_rows.sum())
    # a category of every row with weight is a share of exactly 1 (the two sums of the same weights, added
    # in another order, may differ in the last bit), so that the rule for 0 and 1 below applies
    p[in_rows == n] = 1.0

    def indicators(extra: int = 0) -> np.ndarray:
        rows = np.flatnonzero(keep)
        x = np.zeros((len(w), k + extra), order="F")
        x[rows, row_cat[rows]] = 1.0
        return x

    def influence_values() -> Influence:
        """w(1[x = c] − p_c)/Σw for every category c: the scale w/Σw times the vector 1[c = x] − p of
        the row's category (rows without one have weight 0 here), kept factored."""
        return Influence.of(w, code, np.vstack([-p, np.eye(k) - p]) / base)

    def with_ones() -> np.ndarray:
        x = indicators(1)
        x[:, k] = 1.0
        return x

    v, reps, infl = _variance(design, with_ones, lambda t: _ratio(t[:, :k], t[:, k:k + 1]), influence_values,
                              influence)
    se = np.sqrt(np.clip(np.diag(v), 0, None))
    vsrs = _srs_variance_of_mean(None, p, w, base, n, spread=p * (1 - p))  # Σw(1[x=c] − p)²/Σw = p(1 − p)
    deff = _ratio(np.diag(v), vsrs)
    logit_var = None
    if reps is not None and ci == "logit":
        with np.errstate(divide="ignore", invalid="ignore"):
            lr = np.log(reps / (1 - reps))
            full = np.log(p / (1 - p))
        # a replicate whose share is 0 or 1 has an infinite logit: no logit variance from the replicates
        # (R's svyciprop fits a glm that stops at some large logit instead; its interval then spans ~0–1)
        finite = np.isfinite(full) & np.isfinite(lr).all(axis=0)
        lost = np.isfinite(full) & ~finite
        if lost.any():
            shown = ", ".join(str(_plain(label_of.get(cat_keys[j]))) for j in np.flatnonzero(lost)[:5])
            warnings.warn(f"{variable} = {shown}: a replicate has a share of 0 or 100 %, whose logit is infinite, "
                          "so the logit interval is not given (--ci beta or mean gives one)", stacklevel=2)
        logit_var = np.full(k, np.nan)
        if finite.any():
            logit_var[finite] = np.diag(design.vcov_replicates(lr[:, finite], full[finite]))
    likelihood = None
    if ci == "likelihood":
        refuse_negative_weights(design, "the likelihood interval (R: svyciprop, a quasi-binomial svyglm)")
        frame_rows = int(np.count_nonzero(usable)) if design.is_calibrated else n  # R's rows of the glm's data
        mean_answered = base / (design.n if design.is_calibrated else n)  # the same mean without them
        likelihood = _likelihood_parts(row_cat, keep, w, p, mean_weight, mean_answered, frame_rows)
    lows, highs = proportion_ci(p, se, df, level=level, method=ci, n_rows=n_rows, logit_var=logit_var,
                                likelihood=likelihood)
    rows = tuple(
        Estimate("proportion", variable, float(p[j]), float(se[j]), float(lows[j]), float(highs[j]), df,
                 float(deff[j]), n, base, category=label_of.get(cat_keys[j]), level=level, ci_method=ci)
        for j in range(k)
    )
    return _kept(Estimates(rows, v), influence, infl, reps)


def svyprop_union_applies(props: Estimates) -> bool:
    """Whether :func:`svyprop_union` can combine these shares: a covariance matrix, and an
    interval computed from the share and its SE alone (not a replicate design's logit variance
    nor a likelihood profile)."""
    return (props.vcov is not None and props.influence is None and props.replicates is None and len(props) > 0
            and all(r.statistic == "proportion" and r.ci_method in ("logit", "beta", "mean", "asin", "wilson")
                    for r in props.rows))


def svyprop_union(props: Estimates, categories: Sequence, design: Design) -> Estimate:
    """The share answering any of ``categories``, from :func:`svyprop`'s shares of every category
    (``props``, estimated on ``design``): their sum, with the variance 1ᵀV1 of its covariance matrix —
    the influence values of the union's 0/1 indicator are the sum of its categories', so this is what
    ``svyprop`` of the indicator gives (its category 1.0), without another pass over the rows.
    Not for replicate designs' logit intervals or likelihood intervals (:func:`svyprop_union_applies`)."""
    if not svyprop_union_applies(props):
        raise ValueError("svyprop_union needs svyprop estimates with a covariance matrix and a "
                         "logit, beta, mean, asin or wilson interval")
    keys = {_label_key(c) for c in categories}
    pick = np.array([_label_key(r.category) in keys for r in props.rows], dtype=float)
    first = props.rows[0]
    p = float(pick @ props.estimate)
    v = float(pick @ np.asarray(props.vcov) @ pick)
    se = float(np.sqrt(max(v, 0.0)))
    n, base, df = first.n_unweighted, first.weighted_base, first.df
    vsrs = _srs_variance_of_mean(None, np.array([p]), None, base, n, spread=np.array([p * (1 - p)]))[0]
    n_rows = design.n if design.is_calibrated else n  # as svyprop: R's nrow(design)
    lows, highs = proportion_ci(p, se, df, level=first.level, method=first.ci_method, n_rows=n_rows)
    return Estimate("proportion", first.variable, p, se, float(lows[0]), float(highs[0]), df,
                    float(_ratio(max(v, 0.0), vsrs)), n, base, category=1.0, level=first.level,
                    ci_method=first.ci_method)


def _likelihood_parts(row_cat: np.ndarray, keep: np.ndarray, w: np.ndarray, p: np.ndarray, mean_weight: float,
                      mean_answered: float, frame_rows: int) -> list[tuple]:
    """For each category, what R's intercept-only ``svyglm(quasibinomial)`` profile needs: the sums of
    the scaled weights over the category's rows and over all rows with an answer, the number of rows
    of the model's data, and the dispersion — ``svyvar`` of the Pearson residuals (y − p)/√(p(1 − p))
    times √(w̃/w̄), R's ``residuals.svyglm``.

    R's svyglm divides the weights by their mean over the rows of the design it is given
    (``mean_weight``), before the rows without an answer are dropped from the model's data; a
    calibrated design's domain keeps its other rows there with weight 0 (``frame_rows`` counts them).
    The Pearson residuals take the prior weights w̃ over the sampling weights scaled by their mean
    once those rows are dropped (``mean_answered``): with answers missing, w̃/w̄ is not 1."""
    ww = w[keep]
    n = ww.size
    scaled = ww / mean_weight
    out = []
    for j, pj in enumerate(p):
        y = (row_cat[keep] == j).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            r = (y - pj) / np.sqrt(pj * (1 - pj))
        mean = float(ww @ r) / float(ww.sum())
        dispersion = float(ww @ (r - mean) ** 2) / float(ww.sum()) * n / (n - 1) if n > 1 else float("nan")
        out.append((float(scaled @ y), float(scaled.sum()), frame_rows, dispersion * mean_answered / mean_weight))
    return out


def proportion_ci(p, se, df: int, *, level: float = 0.95, method: str = "logit", n_rows: int | None = None,
                  logit_var=None, likelihood=None) -> tuple[np.ndarray, np.ndarray]:
    """Confidence limits for proportions ``p`` with standard errors ``se`` (see the module notes).

    ``n_rows`` is the number of rows of the design (for "beta" and for p̂ ∈ {0, 1});
    ``logit_var`` the variance of logit p̂ when known directly (replicate designs), else
    (se/(p̂(1 − p̂)))². ``likelihood`` (for that method): per proportion (s1, total, rows, dispersion)
    as :func:`fjernarbeid.survey._profile.likelihood_interval` takes them.
    """
    p = np.atleast_1d(np.asarray(p, dtype=float))
    se = np.atleast_1d(np.asarray(se, dtype=float))
    alpha = 1 - level
    q = t_ppf(1 - alpha / 2, df) if df > 0 else np.nan
    # the df adjustment of Korn & Graubard's effective sample size
    adj = (t_ppf(alpha / 2, n_rows - 1) / t_ppf(alpha / 2, df)) ** 2 \
        if (n_rows is not None and n_rows > 1 and df > 0) else np.nan
    with np.errstate(divide="ignore", invalid="ignore"):
        n_eff = p * (1 - p) / se**2
        if method in ("logit", "xlogit"):
            eta = np.log(p / (1 - p))
            s = np.sqrt(logit_var) if logit_var is not None else se / (p * (1 - p))
            low, high = _expit(eta - q * s), _expit(eta + q * s)
        elif method == "beta":
            ne = n_eff * adj
            low = beta_ppf(alpha / 2, ne * p, ne * (1 - p) + 1)
            high = beta_ppf(1 - alpha / 2, ne * p + 1, ne * (1 - p))
            # a share the design fixes (SE zero up to rounding): the beta distribution collapses on
            # p̂, and R's qbeta gives p̂ for both limits
            fixed = np.asarray((ne > 1e15) & (p > 0) & (p < 1))
            low, high = np.where(fixed, p, low), np.where(fixed, p, high)
        elif method == "mean":
            low, high = p - q * se, p + q * se
        elif method == "asin":  # R: svycontrast(asin(√p)), derivative 1/(2√(p(1 − p)))
            a, s = np.arcsin(np.sqrt(p)), se / (2 * np.sqrt(p * (1 - p)))
            low, high = np.sin(a - q * s) ** 2, np.sin(a + q * s) ** 2
        elif method == "likelihood":
            from fjernarbeid.survey._profile import likelihood_interval

            if likelihood is None:
                raise ValueError("the likelihood interval needs the sums of weights and dispersions")
            limits = [likelihood_interval(pj, sj, df, level, *parts) for pj, sj, parts in zip(p, se, likelihood)]
            low, high = np.array([a for a, _ in limits]), np.array([b for _, b in limits])
        elif method == "wilson":
            centre = (p + q**2 / (2 * n_eff)) / (1 + q**2 / n_eff)
            half = q / (1 + q**2 / n_eff) * np.sqrt(p * (1 - p) / n_eff + q**2 / (4 * n_eff**2))
            low, high = centre - half, centre + half
            # a share outside [0, 1] (negative weights in the domain) has no Wilson interval: its n* = p(1 − p)/v is
            # negative; NaN, as the logit and arcsine intervals give it
            outside = (p < 0) | (p > 1)
            low, high = np.where(outside, np.nan, low), np.where(outside, np.nan, high)
        else:
            raise ValueError(f"method must be one of {CI_METHODS}, not {method!r}")
    low, high = np.array(low, dtype=float), np.array(high, dtype=float)
    edge = (p == 0) | (p == 1)
    if edge.any():  # Korn & Graubard: n* = n when p̂ is 0 or 1
        ne = (n_rows or np.nan) * adj
        low[edge] = np.where(p[edge] == 0, 0.0, beta_ppf(alpha / 2, ne, 1))
        high[edge] = np.where(p[edge] == 1, 1.0, beta_ppf(1 - alpha / 2, 1, ne))
    return low, high


def _expit(x):
    return 1 / (1 + np.exp(-x))


# -- domains -------------------------------------------------------------------------------------


def svyby(design: Design, fn: Callable[..., Estimate | Estimates], by: str | Sequence[str], *args,
          covmat: bool = False, **kwargs) -> Estimates:
    """Apply the estimator ``fn`` (e.g. :func:`svymean`) in every domain defined by ``by`` (R ``svyby``).

    Each domain keeps the whole design (weights zero outside it), so standard errors account for
    the domain size being random. Domains are the combinations of ``by`` present among rows with
    weight ≠ 0, sorted; rows with a missing ``by`` value belong to none. ``args``/``kwargs`` go
    to ``fn``.

    ``covmat=False``: the covariance matrix is block-diagonal (covariances between domains are
    not estimated; R's default). ``covmat=True`` (R's ``svyby(…, covmat=TRUE)``): every domain's
    influence values are stacked into one n × k matrix, which goes to the design's one variance
    primitive — so the full matrix, covariances between domains included, comes from the same
    PSU totals (R ``svyby.survey.design2`` → ``svyrecvar``; with replicate weights the replicate
    estimates of all domains together, ``svrVar``). ``fn`` must accept ``influence=True``.
    The result's ``df`` is the design degrees of freedom of all the domains together, for
    :func:`svycontrast`.
    """
    names = [by] if isinstance(by, str) else list(by)
    frame = pd.DataFrame({n: design.column(n).reset_index(drop=True) for n in names})
    valid = frame.notna().all(axis=1).to_numpy() & design.in_domain
    if not valid.any():
        raise ComputationError(f"no rows with a value of {', '.join(names)} in this design")
    groups = frame[valid].drop_duplicates()
    groups = groups.sort_values(names, key=lambda s: s.map(_label_sort_key)).itertuples(index=False, name=None)
    if covmat:
        import inspect

        if "influence" not in inspect.signature(fn).parameters:
            raise ValueError(f"{getattr(fn, '__name__', fn)} gives no influence values, which covmat=True needs "
                             "(svymean, svytotal, svyratio and svyprop do)")
        kwargs = {**kwargs, "influence": True}
    rows: list[Estimate] = []
    blocks: list[np.ndarray] = []
    parts: list[np.ndarray] = []  # influence values (n × k_d) or replicate estimates (R × k_d) per domain
    centres: list[np.ndarray] = []
    for values in groups:
        mask = valid & np.logical_and.reduce([(frame[n] == v).to_numpy() for n, v in zip(names, values)])
        group = tuple((n, _plain(v)) for n, v in zip(names, values))
        try:
            result = fn(design.domain(mask), *args, **kwargs)
        except ComputationError as exc:
            where = ", ".join(f"{n}={_plain(v)!r}" for n, v in group)
            raise ComputationError(f"in the domain {where}: {exc}") from None
        if isinstance(result, Estimate):
            rows.append(_with_group(result, group))
            blocks.append(np.array([[result.se**2]]))
            centres.append(np.array([result.estimate]))
        else:
            rows.extend(_with_group(r, group) for r in result)
            blocks.append(np.asarray(result.vcov) if result.vcov is not None else np.diag(result.se**2))
            centres.append(result.estimate)
        if covmat:
            part = result.replicates if isinstance(design, ReplicateDesign) else result.influence
            if part is None:
                raise ValueError(f"{getattr(fn, '__name__', fn)!r} gives no influence values; covmat=True needs them")
            parts.append(part if isinstance(part, Influence) or isinstance(design, ReplicateDesign)
                         else np.asarray(part).reshape(part.shape[0], -1))
    rows = [replace(r, influence=None, replicates=None) for r in rows]
    whole = design.domain(valid)
    if covmat:
        if isinstance(design, ReplicateDesign):
            vcov = whole.vcov_replicates(np.concatenate([np.asarray(p).reshape(p.shape[0], -1) for p in parts], axis=1),
                                         np.concatenate(centres))
        else:  # the domains' influence values side by side, factored (an array becomes k scales)
            vcov = whole.vcov_total(Influence.hstack([p if isinstance(p, Influence) else Influence.wrap(p)
                                                      for p in parts]))
    else:
        size = sum(b.shape[0] for b in blocks)
        vcov = np.zeros((size, size))
        at = 0
        for b in blocks:
            vcov[at:at + b.shape[0], at:at + b.shape[0]] = b
            at += b.shape[0]
    return Estimates(tuple(rows), vcov, df=whole.degrees_of_freedom())


# -- contrasts -----------------------------------------------------------------------------------


def svycontrast(estimates: Estimates, contrasts, *, names: Sequence[str] | None = None,
                level: float = 0.95) -> Estimates:
    """Linear or nonlinear functions of estimates with their covariance (R ``svycontrast``).

    ``contrasts`` is one of

    * a vector of coefficients, one per estimate (``[1, -1, 0, 0]``: the first minus the second);
    * a dict {estimate name: coefficient} (names as :attr:`Estimates.names`; missing names weigh 0);
    * a list of such vectors or dicts, or a matrix (one contrast per row): several contrasts
      and their covariance;
    * a function of the vector of estimates returning a number or a vector: a nonlinear contrast
      by the delta method, V = J Σ Jᵀ with J the Jacobian of the function at the estimates
      (Lumley 2010, §2.6; R differentiates the expression symbolically, here J is found by
      central differences with Richardson extrapolation, accurate to about 1e-10 relative).

    A linear contrast Lθ has covariance L Σ Lᵀ (Σ = ``estimates.vcov``, e.g. from
    ``svyby(…, covmat=True)``). Intervals and p-values (of the hypothesis that the contrast is 0)
    use t on the design degrees of freedom ``estimates.df`` (R reports normal ones; with many
    PSUs they agree).
    """
    if estimates.vcov is None:
        raise ValueError("the estimates have no covariance matrix (use svyby(…, covmat=True))")
    theta = estimates.estimate
    sigma = np.asarray(estimates.vcov, dtype=float)
    k = theta.size
    if callable(contrasts):
        value = np.atleast_1d(np.asarray(contrasts(theta.copy()), dtype=float))
        jac = _jacobian(contrasts, theta)
        labels = list(names) if names is not None else [f"contrast{i + 1}" if value.size > 1 else "contrast"
                                                        for i in range(value.size)]
    else:
        items = [contrasts] if isinstance(contrasts, dict) or np.ndim(contrasts) == 1 else list(contrasts)
        jac = np.array([_coefficients(c, estimates) for c in items], dtype=float)
        if jac.shape[1] != k:
            raise ValueError(f"a contrast needs {k} coefficients, one per estimate; got {jac.shape[1]}")
        value = jac @ theta
        labels = list(names) if names is not None else [
            "contrast" if len(items) == 1 else f"contrast{i + 1}" for i in range(len(items))]
    v = jac @ sigma @ jac.T
    se = np.sqrt(np.clip(np.diag(v), 0, None))
    df = estimates.df if estimates.df is not None else min(r.df for r in estimates.rows)
    lo, hi = _t_interval(value, se, df, level)
    rows = tuple(Estimate("contrast", labels[i], float(value[i]), float(se[i]), float(lo[i]), float(hi[i]), df,
                          float("nan"), sum(r.n_unweighted for r in estimates.rows), float("nan"), level=level)
                 for i in range(value.size))
    return Estimates(rows, v, df=df)


def contrast_test(estimate: Estimate) -> tuple[float, float]:
    """t statistic and two-sided p-value of the hypothesis that ``estimate`` is 0 (on its df)."""
    from fjernarbeid.survey._distributions import t_sf

    t = estimate.estimate / estimate.se if estimate.se > 0 else float("nan")
    return float(t), float(2 * t_sf(abs(t), estimate.df)) if estimate.df > 0 and np.isfinite(t) else float("nan")


def _coefficients(contrast, estimates: Estimates) -> np.ndarray:
    if isinstance(contrast, dict):
        names = estimates.names
        unknown = [key for key in contrast if str(key) not in names]
        if unknown:
            raise KeyError(f"no estimates named {unknown} (names: {names})")
        return np.array([float(contrast.get(n, contrast.get(_numeric_name(n), 0.0))) for n in names])
    return np.asarray(contrast, dtype=float)


def _numeric_name(name: str):
    try:
        return int(name)
    except ValueError:
        return name


def _jacobian(fn: Callable, theta: np.ndarray) -> np.ndarray:
    """∂fn/∂θ by central differences with one Richardson step (error O(h⁴))."""
    base = np.atleast_1d(np.asarray(fn(theta.copy()), dtype=float))
    jac = np.empty((base.size, theta.size))
    for j in range(theta.size):
        h = 1e-3 * max(abs(theta[j]), 1e-8)

        def diff(step):
            up, down = theta.copy(), theta.copy()
            up[j] += step
            down[j] -= step
            return (np.atleast_1d(fn(up)) - np.atleast_1d(fn(down))) / (2 * step)

        jac[:, j] = (4 * diff(h / 2) - diff(h)) / 3
    return jac


def _with_group(e: Estimate, group: tuple) -> Estimate:
    return replace(e, group=group + e.group)


__all__ = [
    "CI_METHODS", "Estimate", "Estimates", "contrast_test", "numeric_values", "proportion_ci", "svyby",
    "svycontrast", "svymean", "svyprop", "svyratio", "svytotal",
]


# -- multiple response ---------------------------------------------------------------------------


@dataclass(frozen=True)
class MultipleResponse:
    """One choice of a select-multiple question: the share of respondents who chose it and its
    share of all choices made."""

    column: str
    respondents: Estimate
    responses: Estimate

    def to_dict(self) -> dict:
        return {"column": self.column, "respondents": self.respondents.to_dict(),
                "responses": self.responses.to_dict()}


def svymultiple(design: Design, columns: Sequence[str], *, ci: str = "logit", level: float = 0.95
                ) -> list[MultipleResponse]:
    """Multiple-response shares of the 0/1 ``columns`` (one per choice; NaN: no answer).

    Among the rows that answered (every column non-missing), the share of respondents choosing
    choice k is the mean of its indicator, p̂_k = Σ w y_k / Σ w — a domain proportion with the
    interval of ``ci`` as :func:`svyprop` (R ``svyciprop(~I(y_k == 1), subset(design, answered))``);
    the shares add up to more than 1 when people choose several. The share of responses is the
    ratio of totals R̂_k = Σ w y_k / Σ w m, m = Σ_k y_k the number of choices a respondent made
    (R ``svyratio(~y_k, ~m, …)``; Lumley 2010, *Complex Surveys*, §2.3), and these add up to 1.
    """
    columns = list(columns)
    if not columns:
        raise ComputationError("a multiple-response table needs at least one choice")
    values = np.column_stack([numeric_values(design, c) for c in columns])
    answered = ~np.isnan(values).any(axis=1)
    if not (answered & design.in_domain).any():
        raise ComputationError(f"nobody in the base answered ({', '.join(columns)})")
    chosen = np.where(answered, np.nansum(values, axis=1), np.nan)
    d = replace(design, data=design.data.assign(__choices_made__=chosen)).domain(answered & design.in_domain)
    out = []
    for c in columns:
        share = svyprop(d, c, categories=[0.0, 1.0], ci=ci, level=level)[1.0]
        out.append(MultipleResponse(c, share, svyratio(d, c, "__choices_made__", level=level)))
    return out

"""The survey design object and the variance of estimated totals it implies.

One :class:`SurveyDesign` holds the data, the weights and the sampling structure (strata,
primary sampling units, finite population corrections) plus the calibration steps applied to
its weights. Every estimator reduces its statistic to *influence values* (one row per
observation, already multiplied by the weight, as R's ``svyrecvar(x * pweights, …)``), and
:meth:`SurveyDesign.vcov_total` turns them into a variance-covariance matrix.

Formulas follow R's ``survey`` package (T. Lumley, *Complex Surveys: A Guide to Analysis Using
R*, Wiley 2010, ch. 2 and 7; functions ``svydesign``, ``svyrecvar``, ``onestage``, ``onestrat``):

* with-replacement (or fpc-corrected) between-PSU variance within strata, the "ultimate
  cluster" approximation for multistage designs (Wolter 2007, *Introduction to Variance
  Estimation*, §1.5):  V = Σ_h (1 − f_h) n_h/(n_h − 1) Σ_i (z_hi − z̄_h)(z_hi − z̄_h)ᵀ,
  where z_hi is the PSU total of the influence values and f_h = n_h/N_h;
* strata with a single PSU are handled as R's ``options(survey.lonely.psu=…)``;
* multistage designs with a finite population correction at every stage add, for each later
  stage, the variance between its units within each earlier unit, times the earlier stages'
  sampling fractions (R's ``multistage``; Särndal, Swensson & Wretman 1992, result 4.3.1) — the
  same stratified primitive applied to the later stage's units;
* PPS sampling without replacement: Brewer's approximation weights each PSU's squared deviation by
  its own 1 − π_i in that primitive; Overton's, Hartley & Rao's and exact joint inclusion
  probabilities give the Horvitz–Thompson or Yates–Grundy quadratic form of the PSU totals
  (:class:`JointInclusion`);
* after calibration, influence values are first replaced by the residuals of the
  calibration model (Deville & Särndal 1992, JASA 87:376; Lumley 2010 §7.4), exactly as R
  does for ``calibrate`` (GREG projection), ``postStratify`` and ``rake`` (backfitting).

Domains keep the whole design (:meth:`SurveyDesign.domain` zeroes the weights outside the
domain), so variances of subgroup estimates are correct. As in R, a stratum with no
observation in the domain of an uncalibrated design takes no part in the variance (R's
``subset`` drops its rows), while a calibrated design keeps every stratum (R keeps the rows
with weight zero).
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from functools import cached_property
import math
from typing import Any, Protocol, Sequence

import numpy as np
import pandas as pd

from fjernarbeid.errors import ComputationError, DataValidationError

LONELY_PSU_OPTIONS = ("fail", "remove", "adjust", "average", "certainty")


# -- vectorised helpers ------------------------------------------------------------------------


def group_sums(codes: np.ndarray, x: np.ndarray, ngroups: int) -> np.ndarray:
    """Column sums of ``x`` (n × k) within groups ``codes`` (0..ngroups-1): a (ngroups × k) array.

    ``np.bincount`` on contiguous columns is several times faster than ``np.add.at`` or a
    sparse indicator product for the few-column case every estimator has.
    """
    if x.ndim == 1:
        return np.bincount(codes, weights=x, minlength=ngroups)
    xf = np.asfortranarray(x)
    out = np.empty((ngroups, x.shape[1]))
    for j in range(x.shape[1]):
        out[:, j] = np.bincount(codes, weights=xf[:, j], minlength=ngroups)
    return out


def _label_key(value: Any) -> str | None:
    """A label both data and targets agree on: 1, 1.0, '1' and np.int64(1) are all '1'."""
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        return str(int(value))
    text = str(value).strip()
    try:
        number = float(text)
    except ValueError:
        return text
    if math.isnan(number):
        return text
    return str(int(number)) if number.is_integer() else repr(number)


def shown(value: Any) -> str:
    """A value as a message shows it: numpy scalars as plain Python values (1, not np.int64(1);
    2.0, not np.float64(2.0))."""
    if isinstance(value, np.generic):
        value = value.item()
    return repr(value)


def _plain_label(value: Any) -> Any:
    """1.0 read from a file shows as 1."""
    if isinstance(value, (float, np.floating)) and float(value).is_integer():
        return int(value)
    return value


def _label_sort_key(key: str | None) -> tuple:
    """Order of category keys: numbers numerically, then text, then missing (as R's factor levels)."""
    if key is None:
        return (2, 0.0, "")
    try:
        return (0, float(key), "")
    except ValueError:
        return (1, 0.0, key)


def _minus_cell_values(x: np.ndarray, values: np.ndarray, cells: np.ndarray, scale: np.ndarray,
                       overwrite: bool = False) -> np.ndarray:
    """x − scale · values[cells], column by column into a new column-major array, or into ``x``
    itself when ``overwrite`` (``x`` then must be a column-major float array).

    One row-length buffer is reused for every column: at a million rows, fresh temporaries cost
    more (page faults) than the arithmetic — a new n × k array for the residuals took a third of
    the time of 40 post-stratified proportions (BENCHMARKS.md), hence ``overwrite``.
    """
    out = x if overwrite else np.empty(x.shape, order="F")
    buf = np.empty(x.shape[0])
    for j in range(x.shape[1]):
        np.take(values[:, j], cells, out=buf, mode="clip")  # cells are valid indices: no checks
        buf *= scale
        np.subtract(x[:, j], buf, out=out[:, j])
    return out


# -- factored influence values -------------------------------------------------------------------


def _combine(a: np.ndarray, na: int, b: np.ndarray, nb: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """One code per present pair (a, b) of codes: (codes per row, a and b of every new code).

    Pairs that occur get consecutive codes in (a, b) order; a bincount marks them, unless there
    are far more possible pairs than rows (then a sort does)."""
    if na == 1:  # nothing to combine: every b its own code
        return b, np.zeros(nb, dtype=np.intp), np.arange(nb)
    pair = a.astype(np.int64, copy=False) * nb  # a new array: b is added in place
    pair += b
    if na * nb <= 4 * max(a.size, 1024):
        used = np.bincount(pair, minlength=na * nb) > 0
        ids = np.flatnonzero(used)
        remap = np.cumsum(used) - 1
        codes = remap[pair]
    else:
        ids, codes = np.unique(pair, return_inverse=True)
    return codes, ids // nb, ids % nb


@dataclass(frozen=True, eq=False)
class Influence:
    """Weighted influence values (n × k) kept factored, as sums over a few cells instead of an
    n × k matrix: row i's values are Σ_t scales[t][i] · coef[group[i], t, :].

    A share's influence values w_i(1[x_i = c] − p_c)/Σw are one row scale (w/Σw) times a vector
    per answer category; a post-stratification residual subtracts the scale w times a vector per
    cell, a raking residual w0 times a vector per joint cell, so the residuals stay factored (one
    more scale; groups = category × cell). Everything the variance needs — cell sums for the
    calibration residuals, the PSU totals, their sums of squares and products — then comes from
    sums over groups (``np.bincount``) of the scales and their products: O(n·T²) for T scales (one
    or two) instead of O(n·k) and n × k temporaries. :meth:`dense` gives the n × k matrix (and
    ``np.asarray`` does), for a design or step that needs it.

    Scales are kept as a tuple of arrays and shared by identity (every domain's residuals share
    the weights), so stacking the estimates of many domains (``svyby(covmat=True)``) adds one
    scale per domain, not one column per estimate.
    """

    scales: tuple[np.ndarray, ...]  # T arrays of n
    group: np.ndarray  # group per row, 0..G-1
    coef: np.ndarray  # G × T × k

    @classmethod
    def wrap(cls, x: np.ndarray) -> "Influence":
        """A dense n × k matrix as an :class:`Influence` (k scales, one group)."""
        x = np.asarray(x, dtype=float)
        x = x[:, None] if x.ndim == 1 else x
        return cls(tuple(np.ascontiguousarray(x[:, j]) for j in range(x.shape[1])),
                   np.zeros(x.shape[0], dtype=np.intp), np.eye(x.shape[1])[None, :, :])

    @classmethod
    def of(cls, scale: np.ndarray, group: np.ndarray | None, coef: np.ndarray) -> "Influence":
        """scale[i] · coef[group[i]] (``coef``: G × k; ``group`` None: one group)."""
        scale = np.asarray(scale, dtype=float)
        coef = np.asarray(coef, dtype=float)
        if group is None:  # one group: a zero-stride view, not n zeros
            group = np.broadcast_to(np.intp(0), scale.shape)
            coef = coef.reshape(1, -1)
        return cls((scale,), np.asarray(group, dtype=np.intp), coef[:, None, :])

    @property
    def shape(self) -> tuple[int, int]:
        return (self.group.size, self.coef.shape[2])

    ndim = 2

    @property
    def k(self) -> int:
        return self.coef.shape[2]

    def dense(self) -> np.ndarray:
        """The n × k matrix (column-major)."""
        n, k = self.shape
        if k == 1 and len(self.scales) == 1 and self.coef.shape[0] == 1:
            return (self.scales[0] * self.coef[0, 0, 0])[:, None]
        out = np.zeros((n, k), order="F")
        buf = np.empty(n)
        for t, s in enumerate(self.scales):
            for j in range(k):
                np.take(self.coef[:, t, j], self.group, out=buf, mode="clip")
                buf *= s
                out[:, j] += buf
        return out

    def __array__(self, dtype=None, copy=None):
        out = self.dense()
        return out if dtype is None else out.astype(dtype)

    def _scale_sums(self, codes: np.ndarray | None, ncodes: int, weight: np.ndarray | None) -> np.ndarray:
        """Σ over rows of (code, group) of weight · scale_t: (ncodes, G, T)."""
        g = self.coef.shape[0]
        if codes is None:
            pair = self.group
        elif g == 1:
            pair = codes
        else:
            pair = codes.astype(np.int64, copy=False) * g  # a new array: the groups are added in place
            pair += self.group
        out = np.empty((ncodes * g, len(self.scales)))
        buf = np.empty(self.group.size) if weight is not None else None
        for t, s in enumerate(self.scales):
            if codes is None and g == 1 and weight is None:  # one sum
                out[0, t] = s.sum()
                continue
            if weight is not None:
                np.multiply(s, weight, out=buf)
            out[:, t] = np.bincount(pair, weights=s if weight is None else buf, minlength=ncodes * g)
        return out.reshape(ncodes, g, -1)

    def group_sums(self, codes: np.ndarray, ncodes: int, weight: np.ndarray | None = None) -> np.ndarray:
        """Σ weight_i · x_i within groups ``codes`` (0..ncodes-1): (ncodes × k), as :func:`group_sums`
        of the dense matrix. Falls back to it when codes × groups would outnumber the rows."""
        if ncodes * self.coef.shape[0] > 4 * max(self.group.size, 1024):
            x = self.dense()
            return group_sums(codes, x if weight is None else x * weight[:, None], ncodes)
        return np.einsum("cgt,gtk->ck", self._scale_sums(codes, ncodes, weight), self.coef)

    def total(self) -> np.ndarray:
        """Σ_i x_i (k,)."""
        return np.einsum("gt,gtk->k", self._scale_sums(None, 1, None)[0], self.coef)

    def gram(self, weight: np.ndarray | None = None) -> np.ndarray:
        """Σ_i weight_i · x_i x_iᵀ (k × k), from the groups' sums of products of scales."""
        scales, t_count, g = self.scales, len(self.scales), self.coef.shape[0]
        m = np.empty((g, t_count, t_count))
        a = np.empty(self.group.size)
        b = np.empty(self.group.size)
        for t in range(t_count):
            if weight is None:
                left = scales[t]
            else:
                left = np.multiply(scales[t], weight, out=a)
            for u in range(t, t_count):
                if g == 1:  # one group: a dot product
                    m[0, t, u] = m[0, u, t] = left @ scales[u]
                    continue
                np.multiply(left, scales[u], out=b)
                m[:, t, u] = m[:, u, t] = np.bincount(self.group, weights=b, minlength=g)
        return np.einsum("gtk,gtu,gul->kl", self.coef, m, self.coef)

    def minus(self, scale: np.ndarray, cells: np.ndarray, values: np.ndarray) -> "Influence":
        """x − scale · values[cells] (``values``: ncell × k), still factored: one more scale, groups
        = (group, cell) pairs that occur."""
        ncell = values.shape[0]
        codes, old, cell = _combine(self.group, self.coef.shape[0], cells, ncell)
        known = [i for i, s in enumerate(self.scales) if s is scale]
        t_count = len(self.scales) + (0 if known else 1)
        coef = np.zeros((old.size, t_count, self.k))
        coef[:, :len(self.scales), :] = self.coef[old]
        coef[:, known[0] if known else -1, :] -= values[cell]
        return Influence(self.scales + (() if known else (scale,)), codes, coef)

    @classmethod
    def hstack(cls, parts: Sequence["Influence"]) -> "Influence":
        """The columns of every part side by side (scales shared by identity stay one)."""
        scales: list[np.ndarray] = []
        where: list[list[int]] = []
        for p in parts:
            index = []
            for s in p.scales:
                found = next((i for i, q in enumerate(scales) if q is s), None)
                if found is None:
                    scales.append(s)
                    found = len(scales) - 1
                index.append(found)
            where.append(index)
        group = parts[0].group
        combos = np.arange(parts[0].coef.shape[0])[:, None]  # every part's group of every new group
        for p in parts[1:]:
            group, prev, new = _combine(group, combos.shape[0], p.group, p.coef.shape[0])
            combos = np.column_stack([combos[prev], new])
        k_total = sum(p.k for p in parts)
        coef = np.zeros((combos.shape[0], len(scales), k_total))
        at = 0
        for j, (p, index) in enumerate(zip(parts, where)):
            for t, i in enumerate(index):
                coef[:, i, at:at + p.k] += p.coef[combos[:, j], t, :]
            at += p.k
        return cls(tuple(scales), group, coef)


def refuse_negative_weights(design, what: str) -> None:
    """Stop, as R does, where an estimator is a model fit: R's ``glm()`` refuses negative weights ("negative
    weights not allowed"), and with it ``svyglm``, ``svyolr``, ``svyttest``, the trend test and ``svyciprop``'s
    likelihood interval. (R's logit interval is a glm too; ours is its closed form, xlogit, and is given.) A
    linear calibration without bounds gives such weights."""
    weights = getattr(design, "weights", None)
    negative = int(np.count_nonzero(weights < 0)) if weights is not None else 0
    if negative:
        from fjernarbeid.errors import ComputationError

        raise ComputationError(
            f"{what}: {negative} row(s) have a negative weight (a linear calibration without bounds gives them), "
            "and this is a model fit, which R refuses too ('negative weights not allowed'). Calibrate with bounds "
            "(bounds=(lo, hi) with lo > 0; on the command line --bounds) or with calfun 'raking' or 'logit'")


def whole_number_codes(x: np.ndarray, limit: int = 1 << 16) -> tuple[np.ndarray, np.ndarray] | None:
    """For floats that are whole numbers in 0..limit-1 or NaN (answer codes): (code per value, −1 for NaN;
    the distinct numbers, sorted), as ``pd.factorize(x, sort=True)`` gives them, counted with a
    bincount instead of hashing or sorting every value (a third of the time on 300,000 answers);
    None for anything else."""
    if not (isinstance(x, np.ndarray) and x.dtype.kind == "f") or x.size == 0:
        return None
    with np.errstate(invalid="ignore"):
        low, high = np.fmin.reduce(x), np.fmax.reduce(x)  # NaN only when every value is
        if not (low >= 0 and high < limit):
            return None
    filled = np.fmax(x, -1.0)  # NaN → −1 (fmax takes the number where one side is NaN); the rest stay
    shifted = filled.astype(np.intp)
    if not np.array_equal(shifted, filled):  # a value with a fraction
        return None
    shifted += 1  # 0 for NaN
    present = np.bincount(shifted, minlength=int(high) + 2) > 0
    present[0] = False
    levels = np.flatnonzero(present)
    remap = np.full(present.size, -1, dtype=np.intp)
    remap[levels] = np.arange(levels.size)
    return remap[shifted], (levels - 1).astype(float)


def _codes(values) -> np.ndarray:
    """Integer codes 0..k-1 for any labels, in sorted order (missing values must be caught first)."""
    return pd.factorize(pd.Series(values), sort=True)[0]


def _row_list(mask: np.ndarray, limit: int = 10) -> str:
    rows = np.flatnonzero(mask)
    shown = ", ".join(str(r + 1) for r in rows[:limit])
    more = f" … ({rows.size} in all)" if rows.size > limit else ""
    return shown + more


# -- calibration adjustments -------------------------------------------------------------------


class Adjustment(Protocol):
    """A calibration step that changes the influence values before the variance is computed."""

    def residualise(self, x: np.ndarray, overwrite: bool = False) -> np.ndarray:  # pragma: no cover - protocol
        """The residuals of ``x`` (n × k, column-major, or an :class:`Influence`, whose residuals
        are an :class:`Influence` too); ``overwrite=True`` allows writing them into ``x``."""
        ...


@dataclass(frozen=True, eq=False)
class PostStratAdjustment:
    """R's ``postStratify`` correction (``svyrecvar``): x − cell mean of (x·w_old/w), weighted by
    w_old, times w.

    ``summary`` describes the targets and is used by :class:`~fjernarbeid.survey.WeightReport`.
    """

    cells: np.ndarray  # integer cell index per row
    weights: np.ndarray  # weights after post-stratification
    old_weights: np.ndarray  # weights before
    summary: object = None

    @cached_property
    def _parts(self) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """What every call needs and no call changes (a design's domains share the adjustment):
        psw (R's, with 0/0 rows set to 1), w_old/psw, and the cells' sums of w_old."""
        psw = self.weights
        zero = (psw == 0) & (self.old_weights == 0)
        if zero.any():  # else the weights themselves: a share's scale is then psw too (one scale fewer)
            psw = psw.copy()
            psw[zero] = 1.0
        ncell = int(self.cells.max()) + 1
        den = np.bincount(self.cells, weights=self.old_weights, minlength=ncell)
        return psw, self.old_weights / psw, np.where(den == 0, 1.0, den)

    def cell_form(self) -> "CellForm":
        """The correction as subtractions per cell (for the variance from cell sums, :func:`_vcov_from_cells`)."""
        psw, ratio, den = self._parts
        return CellForm(self.cells, den.size, psw, ratio, lambda sums: sums / den[:, None],
                        ((psw, None if self._old_are_ones else self.old_weights),))

    @cached_property
    def _old_are_ones(self) -> bool:
        """Post-stratified from equal weights of 1 (an unweighted sample): ratio · psw is then 1 on every row."""
        return bool((self.old_weights == 1.0).all())

    def residualise(self, x: np.ndarray | Influence, overwrite: bool = False) -> np.ndarray | Influence:
        psw, ratio, den = self._parts
        if isinstance(x, Influence):  # the same cell sums, from the groups' sums
            return x.minus(psw, self.cells, x.group_sums(self.cells, den.size, ratio) / den[:, None])
        num = np.empty((den.size, x.shape[1]))
        buf = np.empty(x.shape[0])
        for j in range(x.shape[1]):  # column by column: no n × k temporary
            np.multiply(x[:, j], ratio, out=buf)
            num[:, j] = np.bincount(self.cells, weights=buf, minlength=den.size)
        means = num / den[:, None]
        return _minus_cell_values(x, means, self.cells, psw, overwrite)


@dataclass(frozen=True, eq=False)
class RakingAdjustment:
    """R's ``rake`` correction (``svyrecvar``): 10 rounds of backfitting over the margins, each
    subtracting psw_m · (unweighted mean of x/psw_m in the row's category of margin m), where
    psw_m are the weights stored after margin m's post-stratification in the last raking sweep.

    Those weights are w0 · F_m(joint cell), w0 the weights before raking and F_m a factor per cell
    of the joint cross-classification of the margins. So with y = x/w0 every step changes y by
    an amount that depends only on the row's joint cell, and the backfitting runs on joint-cell
    sums (a few hundred numbers) instead of on every row — the same arithmetic, regrouped.
    """

    joint: np.ndarray  # joint cell per row (n,)
    joint_margins: tuple[np.ndarray, ...]  # category of margin m of every joint cell (J,)
    factors: tuple[np.ndarray, ...]  # raking factor F_m of every joint cell after margin m's step (J,)
    base_weights: np.ndarray  # w0, the weights before raking (n,)
    iterations: int = 10
    summary: object = None

    def margin_weights(self, m: int) -> np.ndarray:
        """R's ``attr(margin, "weights")`` of margin ``m``: w0 · F_m."""
        return self.base_weights * self.factors[m][self.joint]

    @cached_property
    def _joint_counts(self) -> np.ndarray:
        return np.bincount(self.joint, minlength=self.factors[0].size).astype(float)

    @cached_property
    def _inverse_base(self) -> np.ndarray:
        w0 = self.base_weights
        return 1 / np.where(w0 == 0, 1.0, w0)

    def cell_form(self) -> "CellForm":
        """The backfitting as subtractions of w0 · (a value per joint cell), from the joint cells' sums of x/w0."""
        return CellForm(self.joint, self.factors[0].size, self.base_weights, self._inverse_base, self._backfit,
                        ((self.base_weights, self._base_present),))

    @cached_property
    def _base_present(self) -> np.ndarray | None:
        """(x/w0)·w0 per row: 1, or 0 where w0 = 0 (None: 1 everywhere)."""
        present = self.base_weights != 0
        return None if present.all() else present * 1.0

    def _backfit(self, y_sums: np.ndarray) -> np.ndarray:
        """The total change of y = x/w0 in every joint cell after the sweeps, from the cells' sums of y."""
        y_sums = y_sums.copy()
        counts = self._joint_counts
        shift = np.zeros_like(y_sums)
        for _ in range(self.iterations):
            for cells, factor in zip(self.joint_margins, self.factors):
                k = int(cells.max()) + 1
                n_cat = np.bincount(cells, weights=counts, minlength=k)
                means = group_sums(cells, y_sums / factor[:, None], k) / np.where(n_cat == 0, 1.0, n_cat)[:, None]
                step = factor[:, None] * means[cells]
                y_sums -= counts[:, None] * step
                shift += step
        return shift

    def residualise(self, x: np.ndarray | Influence, overwrite: bool = False) -> np.ndarray | Influence:
        w0 = self.base_weights
        if isinstance(x, Influence):
            y_sums = x.group_sums(self.joint, self.factors[0].size, self._inverse_base)
        else:
            y_sums = group_sums(self.joint, x / np.where(w0 == 0, 1.0, w0)[:, None], self.factors[0].size)
        shift = self._backfit(y_sums)  # total change of y in every joint cell
        if isinstance(x, Influence):
            return x.minus(w0, self.joint, shift)
        return _minus_cell_values(x, shift, self.joint, w0, overwrite)


@dataclass(frozen=True, eq=False)
class GregAdjustment:
    """R's ``calibrate`` correction: residuals of the regression of x/(g·√d) on the calibration
    model matrix scaled by √d, times g·√d (``qr.resid(qr(mm·√d), x/w)·w``; Deville & Särndal
    1992)."""

    model_matrix: np.ndarray  # n × p calibration variables
    design_weights: np.ndarray  # weights before calibration (d_k)
    g: np.ndarray  # calibration factors g_k (w_k = g_k d_k)
    summary: object = None

    @cached_property
    def _basis(self) -> np.ndarray:
        """Orthonormal basis of the column space of mm·√d (pivoted QR, R's rank tolerance 1e-7)."""
        import scipy.linalg  # here, not at the top: only calibration needs it (import time)

        a = self.model_matrix * np.sqrt(self.design_weights)[:, None]
        q, r, _ = scipy.linalg.qr(a, mode="economic", pivoting=True)
        diag = np.abs(np.diag(r))
        rank = int(np.sum(diag > 1e-7 * diag[0])) if diag.size else 0
        return q[:, :rank]

    def residualise(self, x: np.ndarray | Influence, overwrite: bool = False) -> np.ndarray:  # always a new array
        if isinstance(x, Influence):  # a projection on n-long basis vectors: dense
            x = x.dense()
        w = self.g * np.sqrt(self.design_weights)
        y = x / np.where(w == 0, 1.0, w)[:, None]
        q = self._basis
        projection = ((q.T @ y).T @ q.T).T  # q qᵀ y, computed so that it stays column-major like y
        return (y - projection) * w[:, None]


@dataclass(frozen=True, eq=False)
class CellForm:
    """A calibration correction as R computes it (``svyrecvar``), written per cell: the residuals are
    x − scale · values(S)[cell], S the cells' sums of ratio · x. Post-stratification: scale = the
    weights, ratio = w_old/w, values = S/Σ_cell w_old; raking: scale = w0, ratio = 1/w0, values = the
    backfitting's total change per joint cell. ``known`` gives ratio · a for arrays a the design holds
    (None: 1 on every row), so that their products need no pass over the rows."""

    cells: np.ndarray  # cell per row (n,)
    ncell: int
    scale: np.ndarray  # (n,)
    ratio: np.ndarray  # (n,)
    values: Any  # (ncell × k sums) → ncell × k
    known: tuple = ()  # ((a, ratio·a or None), …)


# -- the variance from sums over cells ---------------------------------------------------------------


def _sums(codes: np.ndarray, values: np.ndarray | None, size: int) -> np.ndarray:
    """Σ values (None: the number of rows) per code 0..size-1."""
    if size == 1:
        return np.array([float(codes.size) if values is None else float(values.sum())])
    return np.bincount(codes, weights=values, minlength=size).astype(float, copy=False)


# _vcov_from_cells: at most this many numbers per array of cells × scales × estimates (else the primitive on
# PSU totals); a variance below this fraction of the size of its products is recomputed on the rows
_CELL_BUDGET = 2_000_000
_PRECISION = 1e-6
_ROWS_NEEDED = "rows"  # what _vcov_from_cells returns when the rows must be centred themselves


def _vcov_from_cells(design: "SurveyDesign", x: Influence) -> np.ndarray | str | None:
    """The variance of the total of factored influence values from sums over cells — or None where
    this does not apply (clustered, multistage or PPS designs, a GREG calibration, too many cells).

    For a design whose PSUs are its rows, every quantity of the variance primitive is a sum over
    rows: the calibration cells' sums of ratio·x (for the residuals), each stratum's sum of the
    residuals e_i and of e_i e_iᵀ. With x_i = Σ_t s_t[i] C[g_i, t] (scales s_t, coefficients per
    group g) and the residual e_i = x_i − scale_i · m[c_i] (post-stratification or raking, cell c),
    e_i is again Σ_t s_t[i] C'[K_i, t] with a coefficient per cell K = (group, calibration cell,
    stratum). So every sum is Σ_K C'_Kᵀ (Σ_{i∈K} s_t s_u) C'_K — one ``np.bincount`` per scale and
    per pair of scales over the code K, and coefficient algebra on a few hundred cells: the same
    formulas as :func:`_stratified_vcov` (Lumley 2010 §2.2, 7.4; R's ``svyrecvar``), regrouped.

    Returns None where this does not apply, and ``_ROWS_NEEDED`` where the moments would lose digits
    (the variance far below the size of the products it is the difference of): the caller then centres
    the dense values row by row.

    A domain's weights are the design's full weights times the domain's mask: a scale that is the
    domain's weights is taken as the full weights with the rows outside in a group of their own
    (coefficients 0), so that the products of the design's arrays (w², w·w_old) are computed once
    per design rather than once per estimate.
    """
    s = design._struct
    if not s.own_psu or design.pps is not None or design.stages or s.psu_f is not None or len(design.adjustments) > 1:
        return None
    form = None
    if design.adjustments:
        form_of = getattr(design.adjustments[0], "cell_form", None)
        if form_of is None:
            return None
        form = form_of()
    nstrata = s.n_psu.size
    ncell = form.ncell if form is not None else 1
    stride = ncell * nstrata
    scales = list(x.scales)
    coef = x.coef
    group = x.group
    n = design.n
    shared = design._shared
    dom = design._domain_of
    stable = [design.weights] if dom is None else []
    if dom is not None and dom[2] is design.weights and any(t is design.weights for t in scales):
        root, mask, _ = dom
        scales = [root if t is design.weights else t for t in scales]
        coef = np.concatenate([np.zeros((1,) + coef.shape[1:]), coef])  # group 0: outside the domain
        stable = [root]
        shift, offset = design._domain_codes(stride)
        codes = np.multiply(group, shift)  # (g + 1)·stride·mask + cell·H + stratum
        codes += offset
    else:
        cell_stratum = _cell_stratum(shared, form, design.strata, nstrata)
        if stride == 1:
            codes = group
        else:
            codes = np.multiply(group, stride)
            codes += cell_stratum
    g_count = coef.shape[0]
    size = g_count * stride
    if size > 4 * max(n, 1024):
        return None
    # the cells that have rows: the grid of every (group, cell, stratum) can be far larger (many groups
    # and strata), and every array below is per cell, × scales × estimates
    used = slice(None)  # every cell of the grid (empty ones add nothing) while the grid is small
    cells = np.arange(size)
    if size * (coef.shape[1] + 1) * coef.shape[2] > _CELL_BUDGET:
        cells = used = np.flatnonzero(np.bincount(codes, minlength=size))
        if used.size * (coef.shape[1] + 1) * coef.shape[2] > _CELL_BUDGET:
            return None  # the primitive on PSU totals, as before, costs less here
    if form is not None:
        stable += [form.scale, form.ratio]
        at = next((i for i, t in enumerate(scales) if t is form.scale), None)
        if at is None:  # the correction's scale is a new one (coefficient 0 until the residuals)
            scales.append(form.scale)
            coef = np.concatenate([coef, np.zeros((g_count, 1, coef.shape[2]))], axis=1)
            at = len(scales) - 1
    t_count, k = len(scales), coef.shape[2]
    firsts = np.empty((size, t_count))
    seconds = np.empty((size, t_count, t_count))
    for t in range(t_count):
        firsts[:, t] = _sums(codes, scales[t], size)
        for u in range(t, t_count):
            seconds[:, t, u] = seconds[:, u, t] = _sums(codes, _product(shared, scales[t], scales[u], stable), size)
    firsts, seconds = firsts[used], seconds[used]
    c_coef = coef[cells // stride]  # cells × T × k
    if form is not None:  # the residuals: the cells' sums of ratio·x, then the correction's values per cell
        ratio_sums = np.empty((cells.size, t_count))
        known = dict((id(a), (a, r)) for a, r in form.known)
        for t in range(t_count):
            a, r = known.get(id(scales[t]), (None, None))
            if a is scales[t]:
                ratio_sums[:, t] = _sums(codes, r, size)[used]
            else:
                ratio_sums[:, t] = _sums(codes, _product(shared, scales[t], form.ratio, stable), size)[used]
        cell = (cells // nstrata) % ncell
        per_cell = np.zeros((ncell, k))
        np.add.at(per_cell, cell, np.einsum("ct,ctj->cj", ratio_sums, c_coef))
        c_coef[:, at, :] -= form.values(per_cell)[cell]
    stratum = cells % nstrata
    totals = np.zeros((nstrata, k))
    np.add.at(totals, stratum, np.einsum("ct,ctj->cj", firsts, c_coef))
    present = design._present(design.strata, nstrata)
    factor, centre, _, finish = _stratum_terms(s, present, design.lonely_psu)
    weighted = c_coef * (factor ** 2)[stratum][:, None, None]
    v = weighted.reshape(cells.size * t_count, k).T @ np.matmul(seconds, c_coef).reshape(cells.size * t_count, k)
    t = totals * np.where(centre, factor / np.sqrt(np.maximum(s.n_psu, 1)), 0.0)[:, None]
    v -= t.T @ t
    v = (v + v.T) / 2
    # The variance is a difference of sums of products (moments): where it is small beside the products'
    # size (a total of values far from 0, a constant, groups whose means lie far apart) digits are lost —
    # about ε · size/variance of them. Then the rows themselves are centred (the dense computation).
    size_of = np.einsum("ctj,ctu,cuj->j", np.abs(weighted), np.abs(seconds), np.abs(c_coef))
    if (np.diag(v) < _PRECISION * size_of).any():
        return _ROWS_NEEDED
    return finish(v)


def _product(shared: dict, a: np.ndarray, b: np.ndarray, stable: list) -> np.ndarray:
    """a · b, kept in the design's shared store when both are arrays of the design (its weights, a
    calibration's arrays), which many estimates use."""
    if not (any(a is q for q in stable) and any(b is q for q in stable)):
        return a * b
    key = ("product", id(a), id(b))
    hit = _stored(shared, key, (a, b))
    if hit is not None:
        return hit
    return _store(shared, key, (a, b), a * b)


def _stored(shared: dict, key: tuple, factors: tuple):
    """The value kept under ``key`` if it was made from these very arrays."""
    hit = shared.get(key)
    if hit is not None and all(r() is f for r, f in zip(hit[0], factors)):
        return hit[1]
    return None


def _store(shared: dict, key: tuple, factors: tuple, value):
    """Keep ``value`` (made from the arrays ``factors``) until one of them is freed: the store is shared by
    every design made from one (its domains, and designs re-weighted from it), so it must not keep the
    arrays of a design nobody uses any more; the ids in the key stay theirs while they live."""
    import weakref

    shared[key] = (tuple(weakref.ref(f) for f in factors), value)
    for f in factors:
        weakref.finalize(f, shared.pop, key, None)
    return value


def _cell_stratum(shared: dict, form: CellForm | None, strata: np.ndarray, nstrata: int) -> np.ndarray | int:
    """Each row's (calibration cell, stratum) as one code: cell · H + stratum (kept per design)."""
    if form is None:
        return strata if nstrata > 1 else 0
    if nstrata == 1:
        return form.cells
    key = ("cell_stratum", id(form.cells), id(strata))
    hit = _stored(shared, key, (form.cells, strata))
    if hit is not None:
        return hit
    return _store(shared, key, (form.cells, strata), form.cells.astype(np.int64) * nstrata + strata)


# -- the design ------------------------------------------------------------------------------


@dataclass(frozen=True)
class _Structure:
    """PSU and stratum bookkeeping computed once per design (shared by its domains)."""

    psu: np.ndarray  # global PSU index per row (0..P-1)
    psu_stratum: np.ndarray  # stratum of each PSU (P,)
    n_psu: np.ndarray  # PSUs per stratum in the full design (H,)
    popsize: np.ndarray | None  # population PSUs per stratum (H,), inf = no fpc
    own_psu: bool  # every row its own PSU (no cluster variable)
    # PPS without replacement, Brewer's approximation: 1 − π of every PSU (P,), in place of the
    # stratum's 1 − n_h/N_h (R's fpc with pps="brewer")
    psu_f: np.ndarray | None = None


def _structure(strata: np.ndarray, cluster: np.ndarray, fpc: np.ndarray | None,
               brewer: bool = False) -> _Structure:
    n = strata.size
    nstrata = int(strata.max()) + 1 if n else 0
    own = bool(np.array_equal(cluster, np.arange(n)))
    if own:
        psu = np.arange(n)
        psu_stratum = strata.copy()
    else:
        pairs = strata.astype(np.int64) * (int(cluster.max()) + 1) + cluster
        psu = pd.factorize(pairs, sort=True)[0]
        psu_stratum = np.zeros(int(psu.max()) + 1, dtype=int)
        psu_stratum[psu] = strata
    n_psu = np.bincount(psu_stratum, minlength=nstrata)
    popsize = psu_f = None
    if fpc is not None and brewer:  # fpc per row is n_h/π_i: f_i = 1 − π_i for its PSU
        psu_f = np.ones(psu_stratum.size)
        psu_f[psu] = 1 - n_psu[strata] / fpc
    elif fpc is not None:
        popsize = np.full(nstrata, np.inf)
        popsize[strata] = fpc
    return _Structure(psu=psu, psu_stratum=psu_stratum, n_psu=n_psu, popsize=popsize, own_psu=own, psu_f=psu_f)


@dataclass(frozen=True)
class _Stage:
    """A later sampling stage (R's multistage ``svyrecvar``): its units within the previous
    stage's units. Its variance within every earlier unit, times the earlier stages' sampling
    fractions n/N of that unit (``multiplier`` per stratum of this stage), adds to the first
    stage's (Särndal, Swensson & Wretman 1992, *Model Assisted Survey Sampling*, §4.3, result
    4.3.1; Lumley 2010 §3.2)."""

    struct: _Structure  # strata = (earlier unit, this stage's stratum); PSUs = this stage's units
    strata: np.ndarray  # stratum per row (n,)
    multiplier: np.ndarray  # (H_k,)
    unit: np.ndarray | None = None  # the earlier unit each stratum lies in (H_k,)
    # to name a stratum in messages: the stage's number (2, 3, …), the cluster columns of every stage up
    # to this one and the strata columns of every stage up to this one (None: no strata at that stage)
    number: int = 2
    cluster_names: tuple = ()
    strata_names: tuple = ()

    def average_weights(self, present: np.ndarray) -> np.ndarray:
        """lonely_psu="average" at this stage, as R: R's multistage() computes this stage's variance
        unit by unit (onestage within each earlier unit), so a lonely stratum takes the average of
        the other strata *of its own unit*; a unit whose every present stratum is lonely has none,
        and R's variance is then NaN. Returns per stratum the factor (strata present)/(strata not
        lonely) of its unit (NaN where no stratum is left), for a "remove" computation."""
        s = self.struct
        f = np.ones(s.n_psu.size) if s.popsize is None else np.where(np.isinf(s.popsize), 1.0,
                                                                     (s.popsize - s.n_psu) / s.popsize)
        lonely = (s.n_psu == 1) & present & (f >= 1e-7)
        units = int(self.unit.max()) + 1
        n_present = np.bincount(self.unit, weights=present.astype(float), minlength=units)
        n_ok = n_present - np.bincount(self.unit, weights=lonely.astype(float), minlength=units)
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(n_ok > 0, n_present / np.where(n_ok > 0, n_ok, 1.0), np.nan)
        return np.where(n_present[self.unit] > n_ok[self.unit], ratio[self.unit], 1.0)


@dataclass(frozen=True)
class JointInclusion:
    """PPS sampling without replacement with (approximate) joint inclusion probabilities: the
    Horvitz–Thompson (``"HT"``) or Yates–Grundy–Sen (``"YG"``) variance of PSU totals z (of the
    weighted influence values), zᵀ Ď z, with Ď_ij = 1 − π_i π_j / π_ij (R's ``Dcheck``; Särndal,
    Swensson & Wretman 1992, §2.8; YG subtracts Σ_i (Ď 1)_i z_i z_iᵀ)."""

    dcheck: np.ndarray  # P × P, PSUs in the design's PSU order
    variance: str = "HT"
    method: str = "exact"

    def vcov(self, z: np.ndarray) -> np.ndarray:
        v = z.T @ (self.dcheck @ z)
        if self.variance == "YG":
            row = self.dcheck.sum(axis=1)
            v = v - z.T @ (z * row[:, None])
        return v



@dataclass(frozen=True)
class SurveyDesign:
    """Data + weights + sampling structure. Build it with :func:`svydesign`.

    ``strata`` and ``cluster`` are integer codes per row (``None``: one stratum / each row its
    own PSU); ``fpc`` is the population size (number of PSUs) of each row's stratum, or ``None``.
    """

    data: pd.DataFrame
    weights: np.ndarray
    strata: np.ndarray
    cluster: np.ndarray
    fpc: np.ndarray | None = None
    lonely_psu: str = "fail"
    adjustments: tuple = ()
    weight_name: str = "weight"
    strata_name: str | None = None  # the stratum column, to name a stratum in messages
    stages: tuple = ()  # later sampling stages (_Stage) whose variance adds to the first's
    pps: JointInclusion | None = None  # PPS without replacement with joint inclusion probabilities
    # PSUs per stratum in the full design, per row (kept when a domain zeroes weights)
    _n_psu: np.ndarray = field(default=None, repr=False)
    _struct: _Structure = field(default=None, repr=False)
    # a domain's (full weights, mask, the domain's weights = full × mask), from :meth:`domain`
    _domain_of: tuple | None = field(default=None, repr=False)
    # what the variance computes once per design and its domains share (products of weights, codes)
    _shared: dict = field(default=None, repr=False)

    def __post_init__(self):
        if self.lonely_psu not in LONELY_PSU_OPTIONS:
            raise ValueError(f"lonely_psu must be one of {LONELY_PSU_OPTIONS}, not {self.lonely_psu!r}")
        if self._struct is None:
            object.__setattr__(self, "_struct", _structure(self.strata, self.cluster, self.fpc))
        if self._n_psu is None:
            object.__setattr__(self, "_n_psu", self._struct.n_psu[self.strata])
        if self._shared is None:
            object.__setattr__(self, "_shared", {})

    # -- basics --------------------------------------------------------------------------------
    @property
    def n(self) -> int:
        """Number of rows (observations) in the design, including those outside a domain."""
        return len(self.weights)

    @cached_property
    def in_domain(self) -> np.ndarray:
        """True for the rows of the domain: weight not 0, as R's (``subset()`` sets the weights outside a domain
        to 0; a linear calibration may give a row a negative weight, and the row stays in the design and
        its estimates). Computed once per design (estimators ask for it many times), and read-only, since
        every caller shares it."""
        mask = self.weights != 0
        mask.setflags(write=False)
        return mask

    @property
    def is_calibrated(self) -> bool:
        """True once post-stratified, raked or calibrated (R's ``is.calibrated``)."""
        return bool(self.adjustments)

    def with_weights(self, weights: np.ndarray, adjustment=None) -> "SurveyDesign":
        """A new design with other weights (and optionally one more calibration step)."""
        adj = self.adjustments + ((adjustment,) if adjustment is not None else ())
        return replace(self, weights=np.asarray(weights, dtype=float), adjustments=adj)

    def domain(self, mask) -> "SurveyDesign":
        """The subgroup ``mask`` as a domain: rows outside keep their place with weight 0."""
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != self.weights.shape:
            raise ValueError("domain mask must have one value per row")
        # weights are finite (svydesign, calibration): a product is the masked copy, without the
        # branch per row that makes np.where several times slower on a mask as irregular as answers
        weights = self.weights * mask
        if self._domain_of is not None and self._domain_of[2] is self.weights:  # a domain of a domain
            root, mask = self._domain_of[0], self._domain_of[1] & mask
        else:
            root = self.weights
        return replace(self, weights=weights, _domain_of=(root, mask, weights))

    def _domain_codes(self, stride: int) -> tuple[np.ndarray, np.ndarray]:
        """For :func:`_vcov_from_cells` on a domain: mask · stride and mask · stride + cell · H + stratum
        (int64, n), computed once per domain and stride."""
        key = ("domain_codes", stride)
        cache = self.__dict__.setdefault("_local", {})
        if key not in cache:
            # Kept as long as the domain: 32-bit where the codes fit, half the memory of 64-bit ones.
            # What uses them multiplies or adds them to 64-bit groups, so every code it makes is
            # 64-bit as before.
            form = self.adjustments[0].cell_form() if self.adjustments else None
            cell_stratum = _cell_stratum(self._shared, form, self.strata, self._struct.n_psu.size)
            small = 2 * stride < np.iinfo(np.int32).max
            shift = self._domain_of[1] * (np.int32(stride) if small else np.int64(stride))
            offset = shift + cell_stratum
            if small and offset.dtype != np.int32:
                offset = offset.astype(np.int32)
            cache[key] = (shift, offset)
        return cache[key]

    def column(self, name: str) -> pd.Series:
        if name not in self.data.columns:
            raise KeyError(f"no column {name!r} in the design's data (columns: {', '.join(map(str, self.data.columns))})")
        return self.data[name]

    # -- variance ------------------------------------------------------------------------------
    def vcov_total(self, x: np.ndarray | Influence, overwrite: bool = False) -> np.ndarray:
        """Variance-covariance of Σ x over the sample, for weighted influence values ``x`` (n × k).

        ``x`` must already include the weights (R: ``svyrecvar(x * pweights, …)``). Rows outside
        a domain must be zero. ``overwrite=True`` says the caller no longer needs ``x``: residuals
        and centred values are then computed in its place, without an n × k temporary.

        ``x`` may be an :class:`Influence` (the values factored into per-cell sums): calibration
        residuals and PSU totals are then computed from sums over its cells, and the variance
        primitive gets the PSU totals (for a design whose PSUs are its rows, the factored values
        themselves) — the same formulas without n × k arrays.
        """
        given = x
        if isinstance(x, Influence):
            try:
                v = _vcov_from_cells(self, x)
            except LonelyStratumError as exc:
                raise self._lonely_message(exc.stratum) from None
            if isinstance(v, np.ndarray):
                return v
            # rows centred themselves (see above); one column of one scale (a mean, a total) costs less dense
            # than in sums over groups; PSU-level weights (PPS) need the PSU totals dense
            if v is _ROWS_NEEDED or x.k * len(x.scales) <= 1 or self.pps is not None \
                    or self._struct.psu_f is not None:
                x = x.dense()
            overwrite = True  # nobody else holds what is computed from it
        else:
            x = np.asarray(x, dtype=float)
            if x.ndim == 1:
                x = x[:, None]
            x = np.asfortranarray(x)  # every step below works column by column
        for adj in self.adjustments:
            x = adj.residualise(x, overwrite or not np.may_share_memory(x, given))
        if self.pps is not None:  # one quadratic form in the PSU totals
            s = self._struct
            return self.pps.vcov(x if s.own_psu else group_sums(s.psu, x, s.psu_stratum.size))
        present = self._present(self.strata, self._struct.n_psu.size)
        # a working copy (residuals, a converted array) may be overwritten; the caller's array never
        scratch = not isinstance(x, Influence) and (overwrite or not np.may_share_memory(x, given)) \
            and not self.stages
        try:
            v = _stratified_vcov(x, self._struct, present, self.lonely_psu, overwrite=scratch)
        except LonelyStratumError as exc:
            raise self._lonely_message(exc.stratum) from None
        for stage in self.stages:  # R's multistage(): each later stage within the earlier units
            present = self._present(stage.strata, stage.multiplier.size)
            if self.lonely_psu == "average" and stage.unit is not None:
                factor = stage.average_weights(present)
                if np.isnan(factor[present]).any():  # a unit with only lonely strata: R's NaN
                    import warnings

                    warnings.warn("lonely_psu='average' (--lonely-psu average): an earlier-stage unit has only lonely strata at a later "
                                  "stage, so there is no average to take and (as in R) the variance is NaN; use "
                                  "'adjust', 'remove' or 'certainty'", stacklevel=2)
                    return np.full_like(v, np.nan)
                v = v + _stratified_vcov(x, stage.struct, present, "remove",
                                         weight=stage.multiplier * np.nan_to_num(factor, nan=0.0))
                continue
            try:
                v = v + _stratified_vcov(x, stage.struct, present, self.lonely_psu, weight=stage.multiplier)
            except LonelyStratumError as exc:
                raise self._stage_lonely_message(stage, exc.stratum) from None
        return v

    def _stage_lonely_message(self, stage: _Stage, stratum: int) -> LonelyStratumError:
        """A stratum of a later stage with one unit: the stage, the earlier units (and strata) it lies
        in by their values, its rows, and what to do (R: "Stratum (1.15) has only one PSU at stage 2")."""
        rows = stage.strata == stratum
        first = int(np.flatnonzero(rows)[0])

        def value(column: str) -> str:
            return f"{shown(_plain_label(self.data[column].iloc[first]))} of {column!r}"

        earlier = stage.number - 1
        places = []
        for k in range(earlier):  # outermost first: stratum and cluster of stage 1, then of stage 2 …
            strata_k = stage.strata_names[k] if k < len(stage.strata_names) else None
            if strata_k and strata_k in self.data.columns:
                places.append(f"stratum {value(strata_k)}")
            if k < len(stage.cluster_names) and stage.cluster_names[k] in self.data.columns:
                places.append(f"cluster {value(stage.cluster_names[k])}")
        unit = stage.cluster_names[earlier] if len(stage.cluster_names) > earlier else None
        own = stage.strata_names[earlier] if len(stage.strata_names) > earlier else None
        where = " in ".join(reversed(places)) or "an earlier-stage unit"
        what = f"the stage-{stage.number} stratum {value(own)} within {where}" if own and own in self.data.columns \
            else where
        units = f"unit ({unit!r})" if unit else "unit"
        return LonelyStratumError(stratum, (
            f"at stage {stage.number} of the design, {what} (data row{'s' if rows.sum() > 1 else ''} "
            f"{_row_list(rows)}) has only one stage-{stage.number} {units}, so its variance at stage {stage.number} "
            "cannot be estimated; choose how to treat it: lonely_psu (on the command line --lonely-psu) 'remove', "
            "'adjust', 'average' or 'certainty', as R's options(survey.lonely.psu=…)"))

    def _lonely_message(self, stratum: int) -> LonelyStratumError:
        """Which stratum has one PSU: its label and its rows (only its own), and what to do."""
        rows = self.strata == stratum
        label = f"{shown(_plain_label(self.data[self.strata_name][rows].iloc[0]))} of {self.strata_name!r}" \
            if self.strata_name in self.data.columns else f"{stratum + 1} (in sorted order)"
        return LonelyStratumError(stratum, (
            f"stratum {label} (data rows {_row_list(rows)}) has only one PSU, so its variance cannot be estimated; "
            "choose how to treat it: lonely_psu (on the command line --lonely-psu) 'remove', 'adjust', 'average' "
            "or 'certainty', as R's options(survey.lonely.psu=…)"))

    def _present(self, strata: np.ndarray, nstrata: int) -> np.ndarray:
        if self.is_calibrated:
            return np.ones(nstrata, dtype=bool)
        # R's subset() drops the rows, and with them the strata, outside the domain
        return np.bincount(strata[self.in_domain], minlength=nstrata) > 0

    def degrees_of_freedom(self) -> int:
        """Design degrees of freedom: PSUs minus strata (R ``degf``), counting rows with weight ≠ 0."""
        return self._psus_minus_strata(self.in_domain)

    def _psus_minus_strata(self, rows: np.ndarray) -> int:
        """Distinct PSUs minus distinct strata among ``rows`` (a boolean mask)."""
        s = self._struct
        if s.own_psu:  # every row its own PSU
            n_psus = int(np.count_nonzero(rows))
        else:
            n_psus = int(np.count_nonzero(np.bincount(s.psu[rows], minlength=s.psu_stratum.size)))
        if s.n_psu.size == 1:
            n_strata = int(n_psus > 0)
        else:
            n_strata = int(np.count_nonzero(np.bincount(self.strata[rows], minlength=s.n_psu.size)))
        return n_psus - n_strata


class LonelyStratumError(ComputationError):
    """A stratum with a single PSU under lonely_psu='fail'; the design names it (label and rows)."""

    def __init__(self, stratum: int, message: str | None = None):
        self.stratum = stratum
        super().__init__(message or f"stratum {stratum + 1} (in sorted order) has only one PSU; choose lonely_psu="
                         "'remove', 'adjust', 'average' or 'certainty' (as R's options(survey.lonely.psu=…))")


def _stratified_vcov(x: np.ndarray, s: _Structure, present: np.ndarray, lonely_psu: str,
                     overwrite: bool = False, weight: np.ndarray | None = None) -> np.ndarray:
    """R's ``onestage``/``onestrat`` for all strata at once (one stage, ultimate clusters).

    ``x``: the influence values (n × k) or an :class:`Influence`; the variance is that of their
    PSU totals z. ``overwrite=True`` lets it centre ``x`` in place (when ``x`` is a working copy).
    ``weight`` multiplies each stratum's part (a later stage: the earlier stages' sampling
    fractions). With ``s.psu_f`` (Brewer) each PSU's squared deviation is weighted by its own 1 − π_i.

    PSU totals given factored (an :class:`Influence` whose PSUs are its rows) give the same sum of
    squares from their moments, Σ_h a_h (Σ_i z_i z_iᵀ − c_h t_h t_hᵀ/n_h) with t_h the stratum's
    total, a_h its factor and c_h whether it is centred; every other choice (lonely PSUs, fpc,
    certainty, absent strata) is shared with the dense computation.
    """
    nstrata = s.n_psu.size
    if s.own_psu:
        z = x
    elif isinstance(x, Influence):  # PSU totals from the cells' sums
        z, overwrite = x.group_sums(s.psu, s.psu_stratum.size), True
    else:  # PSU totals: a new array
        z, overwrite = group_sums(s.psu, x, s.psu_stratum.size), True
    if isinstance(z, Influence) and s.psu_f is not None:
        z = z.dense()
    zs = s.psu_stratum
    n_h = s.n_psu.astype(float)
    factor, centre, contributes, finish = _stratum_terms(s, present, lonely_psu, weight)
    if isinstance(z, Influence):  # own PSUs, factored: from the moments
        zs_sq = factor**2
        if nstrata == 1:
            v = z.gram() * zs_sq[0]
            if centre[0]:
                t = z.total()
                v -= zs_sq[0] * np.outer(t, t) / max(n_h[0], 1)
        else:
            v = z.gram(zs_sq[zs])
            t = z.group_sums(zs, nstrata) * np.where(centre, factor / np.sqrt(np.maximum(n_h, 1)), 0.0)[:, None]
            v -= t.T @ t
        v = (v + v.T) / 2
        # a variance that is 0 (a constant) comes out of the difference of moments as ±1e-17 or so
        np.fill_diagonal(v, np.maximum(np.diag(v), 0.0))
    elif s.psu_f is not None:  # per PSU: √((1 − π_i) n_h/(n_h − 1))
        ratio = np.where(n_h > 1, n_h / np.maximum(n_h - 1, 1), 1.0) * (weight if weight is not None else 1.0)
        psu_factor = np.where(contributes[zs], np.sqrt(s.psu_f * ratio[zs]), 0.0)
        means = group_sums(zs, z, nstrata) / np.maximum(n_h, 1)[:, None]
        d = z - (means[zs] if centre.all() else np.where(centre[zs, None], means[zs], 0.0))
        d *= psu_factor[:, None]
    elif nstrata == 1:  # no per-row gathers of one stratum's mean and factor
        d = z if overwrite else z.copy(order="F")
        if centre[0]:
            d -= d.sum(axis=0) / max(n_h[0], 1)
        d *= factor[0]
    else:
        means = group_sums(zs, z, nstrata) / np.maximum(n_h, 1)[:, None]
        d = z - (means[zs] if centre.all() else np.where(centre[zs, None], means[zs], 0.0))
        d *= factor[zs][:, None]
    if not isinstance(z, Influence):
        v = d.T @ d
    return finish(v)


def _stratum_terms(s: _Structure, present: np.ndarray, lonely_psu: str, weight: np.ndarray | None = None):
    """Per stratum, what the variance primitive does with its PSU totals z_hi: (factor, centre, contributes,
    finish)
    with V = finish(Σ_h factor_h² Σ_i (z_hi − centre_h z̄_h)(…)ᵀ). factor² is (1 − f_h) n_h/(n_h − 1)
    (0 for a census stratum, one outside the domain, or a lonely PSU under "average"); centre_h is
    False for a lonely PSU under "adjust" (compared with zero, as R); ``finish`` scales by the strata
    present ÷ strata with a variance ("average") and gives NaN when none has one; ``contributes`` says
    which strata take part (Brewer's factors per PSU use it). Raises
    :class:`LonelyStratumError` for a lonely PSU under "fail"."""
    nstrata = s.n_psu.size
    n_h = s.n_psu.astype(float)
    zs = s.psu_stratum
    f = np.ones(nstrata) if s.popsize is None else np.where(np.isinf(s.popsize), 1.0, (s.popsize - n_h) / s.popsize)
    if s.psu_f is not None:  # Brewer: a stratum is exhausted only when all its PSUs are certain
        f = np.bincount(zs, weights=s.psu_f, minlength=nstrata) / np.maximum(n_h, 1)
        exhausted = np.bincount(zs, weights=(s.psu_f >= 1e-7).astype(float), minlength=nstrata) == 0
    else:
        exhausted = f < 1e-7  # census strata contribute exactly zero (checked before lonely PSUs, as R)
    scale = np.where(n_h > 1, f * n_h / np.maximum(n_h - 1, 1), f)
    if weight is not None:
        scale = scale * weight
    lonely = (n_h == 1) & ~exhausted & present
    if lonely_psu == "fail" and lonely.any():
        raise LonelyStratumError(int(np.flatnonzero(lonely)[0]))
    # centre PSU totals at the stratum mean over all its PSUs (absent ones have total 0), except
    # a lonely PSU under "adjust", which is compared with zero (R: not swept)
    centre = ~((n_h == 1) & (lonely_psu == "adjust"))
    contributes = present & ~exhausted & ~(lonely & (lonely_psu == "average"))
    factor = np.where(contributes, np.sqrt(scale), 0.0)
    n_present = int(present.sum())
    n_ok = n_present - int((lonely & (lonely_psu == "average")).sum())

    def finish(v: np.ndarray) -> np.ndarray:
        if n_ok == 0:
            return np.full_like(v, np.nan) if n_present else v
        return v * n_present / n_ok

    return factor, centre, contributes, finish


PPS_METHODS = ("brewer", "overton", "hartley-rao")


def svydesign(
    data: pd.DataFrame,
    weights: str | np.ndarray | None = None,
    *,
    strata: str | Sequence[str | None] | None = None,
    cluster: str | Sequence[str] | None = None,
    fpc: str | Sequence[str] | None = None,
    lonely_psu: str = "fail",
    nest: bool = False,
    pps: str | np.ndarray | None = None,
    variance: str = "HT",
    p2bar: float | None = None,
    probs: str | np.ndarray | None = None,
) -> SurveyDesign:
    """Build a design, as R's ``svydesign(ids=~cluster, strata=~strata, weights=~w, fpc=~fpc)``.

    ``weights`` is a column name or an array; ``None`` means the population size over the sample
    size of the stratum when ``fpc`` is given (as R), else equal weights of 1. ``fpc`` is a
    column holding either the population number of PSUs in the stratum (all ≥ 1) or the sampling
    fraction (all ≤ 1), as R accepts. ``nest=True`` makes cluster labels local to their stratum
    (R's ``nest=TRUE``); otherwise a cluster found in two strata is an error, as in R.
    Weights must be positive and finite; strata, clusters and fpc must not be missing.

    **Multistage** (R's ``ids=~psu+ssu, fpc=~N1+N2``): ``cluster`` and ``fpc`` as lists, one per
    stage (``strata`` too, optionally; a later stage's strata and units are nested in the earlier
    units). With an fpc at the first stage the variance adds, for every later stage, the
    within-unit variance times the earlier sampling fractions (R's default
    ``survey.ultimate.cluster = FALSE``); without weights the weight is Π N_k/n_k.

    **PPS without replacement** (R's ``pps=``): ``fpc`` then holds each PSU's inclusion
    probability π_i (or n_h/π_i), and ``pps`` is

    * ``"brewer"``: Brewer's approximation, Σ_h n_h/(n_h − 1) Σ_i (1 − π_i)(z_i − z̄_h)²
      (Brewer 2002, *Combined Survey Sampling Inference*, eq. 9.13; R ``pps="brewer"``);
    * ``"overton"``: Overton's (1985) joint probabilities π_ij ≈ … Ď_ij = 1 − (n − (π_i + π_j)/2)/(n − 1);
    * ``"hartley-rao"``: Hartley & Rao (1962, *Ann. Math. Stat.* 33:350), Ď_ij = 1 − (n − π_i − π_j +
      p2bar)/(n − 1), ``p2bar`` = Σπ²/n (R ``HR(psum)``; by default the stratum's mean π, as R's
      ``HR()``);
    * an n_PSU × n_PSU array of exact joint inclusion probabilities π_ij (diagonal π_i; R
      ``ppsmat``), PSUs in sorted order;

    with the Horvitz–Thompson (``variance="HT"``) or Yates–Grundy (``"YG"``) form for the last three.

    ``probs`` (R's ``probs=~p``): the sampling probabilities (a column name or an array), in place of
    ``weights``; the weight of a row is 1/p (0 < p ≤ 1).
    """
    n = len(data)
    data = data.reset_index(drop=True)
    if probs is not None:
        weights = _weights_from_probs(data, probs, weights, n)
    clusters = _as_list(cluster)
    fpcs = _as_list(fpc)
    stratas = _as_list(strata)
    if len(clusters) > 1 or len(fpcs) > 1 or len(stratas) > 1:
        if pps is not None:
            raise ValueError("PPS without replacement is implemented for one stage")
        return _multistage(data, weights, stratas, clusters, fpcs, lonely_psu, nest)
    strata, cluster, fpc = (stratas or [None])[0], (clusters or [None])[0], (fpcs or [None])[0]
    if pps is not None and (fpc is None):
        raise ValueError("PPS without replacement needs the inclusion probabilities as fpc")
    for role, col in (("strata", strata), ("cluster", cluster), ("fpc", fpc)):
        if col is not None:
            if col not in data.columns:
                raise KeyError(f"{role} column {col!r} is not in the data")
            bad = data[col].isna().to_numpy()
            if bad.any():
                raise DataValidationError(f"{role} column {col!r} is missing in rows {_row_list(bad)}")
    s = _codes(data[strata]) if strata else np.zeros(n, dtype=int)
    if cluster:
        c = _codes(data[cluster])
        if nest:
            c = _codes(s.astype(np.int64) * (int(c.max()) + 1) + c)
        else:
            strata_per_cluster = pd.Series(s).groupby(c).nunique().to_numpy()
            if (strata_per_cluster > 1).any():
                label = pd.Series(data[cluster]).iloc[np.flatnonzero(strata_per_cluster[c] > 1)[0]]
                raise DataValidationError(
                    f"cluster {_label_key(label)!r} of column {cluster!r} appears in more than one stratum of "
                    f"{strata!r}; pass nest=True (on the command line `--nest`) if cluster labels are only unique "
                    "within strata"
                )
    else:
        c = np.arange(n)
    if n == 0 or (c.min() == c.max() and not (nest and strata)):  # one PSU (min = max: no hashing of n ids)
        raise ComputationError("the design has only one primary sampling unit; no variance can be estimated")
    if cluster:
        n_psu = pd.Series(c).groupby(s).transform("nunique").to_numpy()
    else:  # every row its own PSU: a stratum's PSUs are its rows
        n_psu = np.bincount(s)[s]
    f = _population_sizes(data, fpc, s, strata, n_psu, per_unit=pps is not None) if fpc else None
    w, wname = _weights(data, weights, n, None if f is None else f / n_psu)
    design = SurveyDesign(data=data, weights=w, strata=s, cluster=c, fpc=None if pps is not None else f,
                          lonely_psu=lonely_psu, weight_name=wname, strata_name=strata)
    if pps is None:
        return design
    return _with_pps(design, pps, n_psu / f, variance, p2bar)


def _weights_from_probs(data, probs, weights, n: int) -> np.ndarray:
    """1/p for the sampling probabilities ``probs``, checked (R's ``svydesign(probs=)``)."""
    if weights is not None:
        raise ValueError("give weights or probs, not both")
    if isinstance(probs, str):
        if probs not in data.columns:
            raise KeyError(f"probs column {probs!r} is not in the data")
        p = pd.to_numeric(data[probs], errors="coerce").to_numpy(dtype=float)
        name = probs
    else:
        p = np.asarray(probs, dtype=float)
        name = "probs"
        if p.shape != (n,):
            raise ValueError(f"probs must have one value per row ({n}), got shape {p.shape}")
    bad = ~np.isfinite(p) | (p <= 0) | (p > 1)
    if bad.any():
        raise DataValidationError(f"sampling probabilities {name!r} must be numbers in (0, 1]; missing or outside "
                                  f"in rows {_row_list(bad)}")
    return 1.0 / p


def _as_list(value) -> list:
    if value is None:
        return []
    return [value] if isinstance(value, str) else list(value)


def _population_sizes(data, fpc: str, s, strata, n_sampled, per_unit: bool = False) -> np.ndarray:
    """The fpc column as population sizes N per row (a fraction f becomes n/f); checked."""
    raw = pd.to_numeric(data[fpc], errors="coerce").to_numpy(dtype=float)
    if np.isnan(raw).any():
        raise DataValidationError(f"fpc column {fpc!r} is not a number in rows {_row_list(np.isnan(raw))}")
    if (raw > 1).any() and (raw < 1).any():
        raise DataValidationError(
            f"fpc column {fpc!r} mixes population sizes (> 1, rows {_row_list(raw > 1, 3)}) and sampling "
            f"fractions (< 1, rows {_row_list(raw < 1, 3)}); use one or the other"
        )
    f = raw if (raw > 1).any() else n_sampled / np.where(raw <= 0, np.nan, raw)
    if not (f >= n_sampled).all():
        bad = ~(f >= n_sampled)
        raise DataValidationError(
            f"fpc column {fpc!r} implies more than 100% sampling (population smaller than the "
            f"number of sampled PSUs, or a fraction ≤ 0) in rows {_row_list(bad)}"
        )
    if not per_unit:
        varies = pd.Series(f).groupby(s).nunique().to_numpy() > 1  # R warns; a stratum has one size
        if varies.any():
            rows = varies[s]
            where = f" of stratum {_label_key(data[strata][rows].iloc[0])!r}" if strata else ""
            raise DataValidationError(f"fpc column {fpc!r} differs between rows{where} (rows {_row_list(rows)}); "
                                      "it must be the same for every row of a stratum (unless the sample is "
                                      "PPS: pps='brewer' and others)")
    return f


def _weights(data, weights, n: int, default: np.ndarray | None) -> tuple[np.ndarray, str]:
    if weights is None:
        w = default if default is not None else np.ones(n)
        wname = "weight"
    elif isinstance(weights, str):
        if weights not in data.columns:
            raise KeyError(f"weight column {weights!r} is not in the data")
        w = pd.to_numeric(data[weights], errors="coerce").to_numpy(dtype=float)
        wname = weights
    else:
        w = np.asarray(weights, dtype=float)
        wname = "weight"
        if w.shape != (n,):
            raise ValueError(f"weights must have one value per row ({n}), got shape {w.shape}")
    bad = ~np.isfinite(w) | (w <= 0)
    if bad.any():
        raise DataValidationError(
            f"weights {wname!r} must be positive numbers; missing, zero or negative in rows {_row_list(bad)}"
        )
    return w, wname


def _with_pps(design: SurveyDesign, pps, prob_rows: np.ndarray, variance: str, p2bar: float | None) -> SurveyDesign:
    """The design with PPS-without-replacement variance (see :func:`svydesign`)."""
    if variance not in ("HT", "YG"):
        raise ValueError(f"variance must be 'HT' or 'YG', not {variance!r}")
    st = design._struct
    prob = np.zeros(st.psu_stratum.size)
    prob[st.psu] = prob_rows
    if isinstance(pps, str):
        if pps not in PPS_METHODS:
            raise ValueError(f"pps must be one of {PPS_METHODS} or a matrix of joint probabilities, not {pps!r}")
        if pps == "brewer":
            s = replace(st, psu_f=1 - prob, popsize=None)
            return replace(design, _struct=s, fpc=None)
        same = st.psu_stratum[:, None] == st.psu_stratum[None, :]
        n_h = st.n_psu[st.psu_stratum].astype(float)[:, None]
        if pps == "overton":  # R overton2Dcheck
            fbar = (prob[:, None] + prob[None, :]) / 2
            dcheck = 1 - (n_h - fbar) / (n_h - 1)
            diag = 1 - prob
        else:  # R HRDcheck
            if p2bar is None:
                means = np.bincount(st.psu_stratum, weights=prob) / st.n_psu
                pb = means[st.psu_stratum][:, None]
            else:
                pb = p2bar
            fbar = prob[:, None] + prob[None, :]
            dcheck = 1 - (n_h - fbar + pb) / (n_h - 1)
            diag = 1 - prob
        dcheck = np.where(same & (fbar != 1), dcheck, 0.0)
        np.fill_diagonal(dcheck, diag)
        return replace(design, pps=JointInclusion(dcheck, variance, pps))
    joint = np.asarray(pps, dtype=float)
    if joint.shape != (prob.size, prob.size):
        raise ValueError(f"the joint inclusion probabilities must be {prob.size} × {prob.size} (one row per PSU)")
    pii = np.diag(joint)
    dcheck = (joint - np.outer(pii, pii)) / joint  # R pi2Dcheck, with its tolerance min(π_ij)/10⁴
    dcheck[np.abs(dcheck) < joint.min() / 10000] = 0.0
    return replace(design, pps=JointInclusion(dcheck, variance, "exact"))


def _multistage(data, weights, stratas, clusters, fpcs, lonely_psu, nest) -> SurveyDesign:
    """A multistage design (see :func:`svydesign`): the first stage as usual, each later stage
    as a :class:`_Stage` nested in the units of the stage before."""
    n = len(data)
    stages = max(len(clusters), len(fpcs), len(stratas))
    if len(clusters) != stages:
        raise ValueError("a multistage design needs a cluster column for every stage")
    if len(fpcs) not in (0, 1, stages) or len(stratas) not in (0, 1, stages):
        raise ValueError("give fpc and strata for the first stage only or for every stage")
    for role, cols in (("strata", stratas), ("cluster", clusters), ("fpc", fpcs)):
        for col in cols:
            if col is None:
                continue
            if col not in data.columns:
                raise KeyError(f"{role} column {col!r} is not in the data")
            bad = data[col].isna().to_numpy()
            if bad.any():
                raise DataValidationError(f"{role} column {col!r} is missing in rows {_row_list(bad)}")
    first = svydesign(data, np.ones(n), strata=stratas[0] if stratas else None, cluster=clusters[0],
                      fpc=fpcs[0] if fpcs else None, lonely_psu=lonely_psu, nest=nest)
    unit = first._struct.psu  # the previous stage's unit of every row
    sampled = first._n_psu.astype(float)
    population = first.fpc if first.fpc is not None else np.full(n, np.inf)
    fraction = sampled / population  # the product of the earlier stages' n/N (R's nPSUs/fpcs)
    w = population / sampled
    later = []
    for k in range(1, stages):
        sk = _codes(data[stratas[k]]) if len(stratas) > k and stratas[k] else np.zeros(n, dtype=int)
        strata_k = _codes(unit.astype(np.int64) * (int(sk.max()) + 1) + sk)
        c = _codes(data[clusters[k]])
        cluster_k = _codes(strata_k.astype(np.int64) * (int(c.max()) + 1) + c)
        n_k = pd.Series(cluster_k).groupby(strata_k).transform("nunique").to_numpy().astype(float)
        fpc_k = _population_sizes(data, fpcs[k], strata_k, None, n_k) if len(fpcs) > k else None
        struct = _structure(strata_k, cluster_k, fpc_k)
        mult = np.zeros(struct.n_psu.size)
        mult[strata_k] = fraction
        if np.any(mult > 0):
            unit_of = np.zeros(struct.n_psu.size, dtype=int)
            unit_of[strata_k] = unit
            later.append(_Stage(struct=struct, strata=strata_k, multiplier=mult, unit=unit_of, number=k + 1,
                                cluster_names=tuple(clusters[:k + 1]),
                                strata_names=tuple(stratas[j] if j < len(stratas) else None for j in range(k + 1))))
        w = w * (fpc_k / n_k if fpc_k is not None else 1.0)
        fraction = fraction * (n_k / fpc_k if fpc_k is not None else 0.0)
        unit = struct.psu
    if weights is not None:
        w, wname = _weights(data, weights, n, None)
    else:
        w, wname = _weights(data, w, n, None)
        wname = "weight"
    return replace(first, weights=w, weight_name=wname, stages=tuple(later))

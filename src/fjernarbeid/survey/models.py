"""Survey-weighted regression: linear and logistic models (R ``svyglm``) and the
proportional-odds model for ordered answers such as Likert items (R ``svyolr``).

Point estimates solve the weighted estimating equations (the pseudo-likelihood of Binder 1983,
*Int. Stat. Rev.* 51:279, and Skinner, Holt & Smith 1989); standard errors are the design-based
sandwich ("linearisation") of Lumley 2010, *Complex Surveys*, §5.2 and §6.2.1:

    V(β̂) = A⁻¹ · V_design(Σ U_i) · A⁻¹,   A = −∂ΣU/∂β (weighted information),

computed as R does: the influence values ``U_i · A⁻¹`` (weights already inside ``U_i``) go to
:meth:`SurveyDesign.vcov_total` (R ``svy.varcoef`` → ``svyrecvar``), so strata, clusters,
finite population corrections and calibration all enter the variance. Tests use Student's t
with the residual degrees of freedom R uses: design df + 1 − number of coefficients
(``svyglm``) and design df − number of slopes (``svyolr``).

Formulas are R-like strings (``"api00 ~ ell + stype"``, ``"y ~ a * b"``, ``"y ~ C(code) - 1"``)
or a pair ``(outcome, [predictors])``. Numeric columns enter as they are; text, categorical and
boolean columns become treatment-coded dummies with the first level as reference, named as R
names them (``stypeH``). Rows with a missing value in any variable used are left out (R's
``na.omit``) but keep their place in the design, so the variance stays correct.

Differences from R, on purpose: an aliased (collinear) column raises :class:`ComputationError`
naming it, where R would report ``NA``; unused levels of a categorical are dropped.
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass, field
from itertools import combinations
from typing import Callable

import numpy as np
import pandas as pd
from scipy import special

from fjernarbeid.errors import ComputationError
from fjernarbeid.survey._distributions import f_sf, logistic_ppf, norm_cdf, norm_pdf, norm_ppf, t_ppf, t_sf
from fjernarbeid.survey.design import Influence, SurveyDesign, refuse_negative_weights, shown, whole_number_codes
from fjernarbeid.survey.replicate import ReplicateDesign

FAMILIES = ("gaussian", "binomial", "quasibinomial", "poisson", "quasipoisson", "Gamma")
OLR_LINKS = ("logistic", "probit", "cloglog", "cauchit")

Formula = str | tuple[str, list[str] | tuple[str, ...]]


# -- small shared helpers (also used by association, compare and scale) ----------------------
def _numeric(design: SurveyDesign, name: str) -> np.ndarray:
    """A column as floats (NaN for missing); a clear error if it is not numeric."""
    col = design.column(name)
    if pd.api.types.is_bool_dtype(col):
        return col.astype(float).to_numpy()
    if not pd.api.types.is_numeric_dtype(col):
        bad = col[col.notna() & pd.to_numeric(col, errors="coerce").isna()]
        if len(bad):
            raise ComputationError(
                f"column {name!r} must be numeric; row {bad.index[0]} has {shown(bad.iloc[0])}")
    return pd.to_numeric(col, errors="coerce").to_numpy(dtype=float)


def _complete(design: SurveyDesign, columns) -> SurveyDesign:
    """The design restricted (as a domain) to rows where every column is present (R ``na.omit``)."""
    missing = np.zeros(design.n, dtype=bool)
    for name in columns:  # a column at a time: no frame of the columns is built
        col = design.data[name]
        missing |= np.isnan(col.to_numpy()) if isinstance(col.dtype, np.dtype) and col.dtype.kind == "f" \
            else col.isna().to_numpy()
    return design.domain(~missing & design.in_domain) if missing.any() else design


def _mean_influence(design: SurveyDesign, z: np.ndarray, overwrite: bool = False) -> tuple[np.ndarray, np.ndarray]:
    """Weighted means of the columns of ``z`` and their influence values w·(z − z̄)/Σw
    (R ``svymean``), zero outside the domain. ``z`` must be free of NaN inside the domain.

    The influence values come column-major, as :meth:`SurveyDesign.vcov_total` works; with
    ``overwrite=True`` a column-major ``z`` that the caller no longer needs becomes them (no copy
    of a large matrix).
    """
    w = design.weights
    total = w.sum()
    if total <= 0:
        raise ComputationError("the domain is empty: no rows with positive weight")
    if overwrite and z.flags.f_contiguous and z.dtype == float:
        out = z
        out[~design.in_domain] = 0.0
    else:
        out = np.zeros(z.shape, order="F")
        np.copyto(out, z, where=design.in_domain[:, None])
    if not np.isfinite(out).all():  # one pass to check, rather than three to replace nothing
        np.nan_to_num(out, copy=False)
    means = (w @ out) / total
    out -= means
    out *= (w / total)[:, None]
    return means, out


def _t_p_value(t: np.ndarray, df: float) -> np.ndarray:
    """Two-sided p-value of Student's t (normal if df is infinite), NaN when df ≤ 0 (as R)."""
    if df <= 0:
        return np.full_like(np.asarray(t, dtype=float), np.nan)
    return 2 * t_sf(np.abs(t), df)


# -- formulas and model matrices -----------------------------------------------------------
@dataclass(frozen=True)
class _Term:
    variables: tuple[str, ...]  # one for a main effect, several for an interaction
    forced_factor: frozenset[str]  # variables wrapped in C(...)


def _parse_formula(formula: Formula) -> tuple[str, list[_Term], bool]:
    """(outcome, terms ordered as R orders them, intercept?) for a formula or (outcome, predictors)."""
    if isinstance(formula, tuple):
        outcome, predictors = formula
        return outcome, [_Term((p,), frozenset()) for p in predictors], True
    # a name in backticks (R's `sch.wide`, `my column`) is one name, whatever characters it holds
    quoted: list[str] = []

    def hide(match: re.Match) -> str:
        quoted.append(match.group(1))
        return f"\x00{len(quoted) - 1}\x00"

    original, formula = formula, re.sub(r"`([^`]*)`", hide, formula)
    if "`" in formula:
        raise ValueError(f"formula {original!r}: a backtick without its closing one")
    if "~" not in formula:
        raise ValueError(f"formula {original!r} needs an outcome: 'y ~ x1 + x2'")
    lhs, rhs = (s.strip() for s in formula.split("~", 1))
    intercept = True
    terms: list[_Term] = []
    # '- 1' / '+ 0' remove the intercept; everything else is a '+'-separated list of terms
    rhs_clean = re.sub(r"-\s*1\b", "+ 0", rhs)
    if "-" in rhs_clean:
        raise ValueError(f"formula {original!r}: only '- 1' is supported as a subtraction")
    for raw in (t.strip() for t in rhs_clean.split("+")):
        if raw in ("0",):
            intercept = False
            continue
        if raw in ("1", ""):
            continue
        if "*" in raw:  # a*b*c → every sub-interaction, as R expands it
            parts = [p.strip() for p in raw.split("*")]
            for size in range(1, len(parts) + 1):
                for combo in combinations(parts, size):
                    terms.append(_make_term(":".join(combo)))
        else:
            terms.append(_make_term(raw))
    unique: list[_Term] = []
    for t in terms:
        if t not in unique:
            unique.append(t)
    unique.sort(key=lambda t: len(t.variables))  # R: main effects first, then by order
    for t in unique:
        if len(t.variables) > 1:
            for v in t.variables:
                if not any(u.variables == (v,) for u in unique):
                    raise ValueError(
                        f"formula {original!r}: interaction {':'.join(t.variables)} needs the main "
                        f"effect {v} too (other codings are not supported)")
    if quoted:  # the names in backticks back, without them
        def shown(text: str) -> str:
            return re.sub("\x00(\\d+)\x00", lambda m: quoted[int(m.group(1))], text)

        unique = [_Term(tuple(shown(v) for v in t.variables), frozenset(shown(v) for v in t.forced_factor))
                  for t in unique]
        lhs = shown(lhs)
    return lhs, unique, intercept


def _make_term(text: str) -> _Term:
    names, forced = [], set()
    for part in (p.strip() for p in text.split(":")):
        m = re.fullmatch(r"C\((.+)\)", part)
        if m:
            part = m.group(1).strip()
            forced.add(part)
        if not part:
            raise ValueError(f"empty variable name in term {text!r}")
        names.append(part)
    return _Term(tuple(names), frozenset(forced))


def _levels(values: pd.Series) -> list:
    """Levels of a categorical variable in R's order: categories order, else sorted; unused dropped."""
    present = values.dropna()
    if isinstance(values.dtype, pd.CategoricalDtype):
        used = set(present.unique())
        return [c for c in values.cat.categories if c in used]
    return sorted(present.unique())


def _levels_in(values: pd.Series, rows: np.ndarray) -> list:
    """``_levels(values[rows])`` for a boolean mask ``rows``, without copying the column: a categorical's
    levels from its codes, a column of numpy floats or integers by ``np.unique``."""
    if isinstance(values.dtype, pd.CategoricalDtype):
        codes = values.cat.codes.to_numpy()
        chosen = codes[rows]
        used = np.bincount(chosen[chosen >= 0], minlength=len(values.cat.categories)) > 0
        return [c for c, u in zip(values.cat.categories, used) if u]
    if isinstance(values.dtype, np.dtype) and values.dtype.kind == "f":
        whole = whole_number_codes(values.to_numpy())  # answer codes: counted, not sorted
        if whole is not None:
            codes, levels = whole
            used = np.bincount(codes + 1, weights=rows, minlength=levels.size + 1)[1:] > 0
            return list(levels[used])
    if isinstance(values.dtype, np.dtype) and values.dtype.kind in "fiu":
        chosen = values.to_numpy()[rows]
        if chosen.dtype.kind == "f":
            chosen = chosen[~np.isnan(chosen)]
        return list(np.unique(chosen))  # sorted, numpy scalars as pandas' unique gives them
    return _levels(values[rows])


def _is_factor(values: pd.Series, forced: bool) -> bool:
    return forced or not pd.api.types.is_numeric_dtype(values) or pd.api.types.is_bool_dtype(values)


def _level_name(level) -> str:
    if isinstance(level, (bool, np.bool_)):
        return "TRUE" if level else "FALSE"
    if isinstance(level, float) and level.is_integer():
        return str(int(level))
    return str(level)


def _variable_columns(data: pd.DataFrame, name: str, forced: bool, rows: np.ndarray):
    """Columns (names, matrix) a single variable contributes: itself, or its dummies."""
    if name not in data.columns:
        raise KeyError(f"no column {name!r} in the design's data")
    values = data[name]
    if _is_factor(values, forced):
        levels = _levels_in(values, rows)
        if len(levels) < 2:
            raise ComputationError(f"{name!r} has fewer than two levels among the rows used")
        if isinstance(values.dtype, pd.CategoricalDtype):  # a level's rows are those of its code
            codes = values.cat.codes.to_numpy()
            position = {c: i for i, c in enumerate(values.cat.categories)}
            mat = np.column_stack([(codes == position[lev]).astype(float) for lev in levels[1:]])
        else:
            mat = np.column_stack([(values == lev).to_numpy(dtype=float) for lev in levels[1:]])
        return [f"{name}{_level_name(lev)}" for lev in levels[1:]], mat
    return [name], pd.to_numeric(values, errors="coerce").to_numpy(dtype=float)[:, None]


def _model_matrix(data: pd.DataFrame, terms: list[_Term], intercept: bool, rows: np.ndarray,
                  assign: list[int] | None = None):
    """(column names, matrix); ``assign`` (a list, filled when given) gets each column's term
    number as R's ``attr(model.matrix, "assign")``: 0 for the intercept, i for the i-th term."""
    names: list[str] = ["(Intercept)"] if intercept else []
    blocks: list[np.ndarray] = [np.ones((len(data), 1))] if intercept else []
    if assign is not None and intercept:
        assign.append(0)
    for number, term in enumerate(terms, start=1):
        tnames, tmat = [""], np.ones((len(data), 1))
        for v in term.variables:  # first variable varies fastest, as in R
            vnames, vmat = _variable_columns(data, v, v in term.forced_factor, rows)
            tnames = [f"{a}:{b}" if a else b for b in vnames for a in tnames]
            tmat = np.column_stack([tmat[:, i] * vmat[:, j]
                                    for j in range(vmat.shape[1]) for i in range(tmat.shape[1])])
        names += tnames
        blocks.append(tmat)
        if assign is not None:
            assign.extend([number] * len(tnames))
    return names, np.column_stack(blocks)


_CELLS_FROM_ROWS = 1000  # below this, a model is fitted row by row
_HASH = np.random.default_rng(20261205).standard_normal(64)  # fixed: the same cells in every run


def _cells(x: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray] | None:
    """(cell per row, the distinct rows, rows per cell) of a matrix whose rows take few distinct
    values — the model matrix of categorical predictors or coded answers — else None.

    Every sum a fit needs over rows is then a sum over cells: the rows of a cell are the same
    numbers, so Σ_i c_i x_i x_iᵀ = Σ_cells (Σ_{i in cell} c_i) x_c x_cᵀ. Rows are grouped by a fixed
    random projection and the grouping is checked against the matrix itself, so equal projections
    of different rows (a collision) or NaN only send the fit back to the rows.
    """
    n, p = x.shape
    if n < _CELLS_FROM_ROWS or p > _HASH.size:
        return None
    codes, uniques = pd.factorize(x @ _HASH[:p])
    if uniques.size > n // 20 or (codes < 0).any():
        return None
    first = np.empty(uniques.size, dtype=np.intp)
    first[codes[::-1]] = np.arange(n)[::-1]
    distinct = x[first]
    if not np.array_equal(distinct[codes], x):
        return None
    return codes, distinct, np.bincount(codes, minlength=uniques.size).astype(float)


def _check_rank(x: np.ndarray, names: list[str]) -> None:
    """Raise naming the columns R would report as aliased (NA coefficient): like R's QR with
    limited pivoting, a column is aliased when it lies in the span of the columns before it."""
    scale = np.linalg.norm(x, axis=0)
    kept: list[int] = []
    aliased: list[str] = []
    for j in range(x.shape[1]):  # a loop over columns (few), not rows
        col = x[:, j]
        if kept:
            basis = x[:, kept]
            col = col - basis @ np.linalg.lstsq(basis, col, rcond=None)[0]
        if np.linalg.norm(col) <= 1e-7 * max(scale[j], 1e-300):
            aliased.append(names[j])
        else:
            kept.append(j)
    if aliased:
        raise ComputationError(
            "the model matrix is rank deficient (collinear predictors, or a level with no "
            f"observations): {', '.join(aliased)} cannot be estimated; drop or merge them")


def _design_rows(design: SurveyDesign, outcome: str, terms: list[_Term]) -> tuple[SurveyDesign, np.ndarray]:
    used = [outcome] + [v for t in terms for v in t.variables]
    for c in used:
        design.column(c)  # clear KeyError for an unknown column
    d = _complete(design, dict.fromkeys(used))
    refuse_negative_weights(d, "the model")
    return d, d.in_domain


# -- svyglm --------------------------------------------------------------------------------
@dataclass(frozen=True)
class GlmResult:
    """A fitted survey-weighted GLM. ``coefficients`` and ``vcov`` are labelled by term name."""

    formula: str
    family: str
    coefficients: pd.Series
    vcov: pd.DataFrame
    df_residual: int
    n: int  # rows used (positive weight, no missing value)
    fitted: np.ndarray  # fitted mean per row of the design (NaN for rows not used)
    # for regTermTest: the term of every coefficient (0 = intercept, i = terms[i − 1]), the
    # model-based ("naive") covariance and deviance with the weights scaled to mean 1 (R's
    # svyglm), and what is needed to refit without a term
    assign: tuple[int, ...] = field(default=(), repr=False, compare=False)
    terms: tuple[str, ...] = field(default=(), repr=False, compare=False)
    naive_vcov: np.ndarray | None = field(default=None, repr=False, compare=False)
    deviance: float = field(default=float("nan"), repr=False, compare=False)
    _refit: tuple | None = field(default=None, repr=False, compare=False)

    @property
    def se(self) -> pd.Series:
        return pd.Series(np.sqrt(np.diag(self.vcov.to_numpy())), index=self.coefficients.index)

    def table(self, level: float = 0.95) -> pd.DataFrame:
        """Estimate, SE, t, p (t with ``df_residual``) and Wald CI — R's ``summary``/``confint``."""
        est, se = self.coefficients.to_numpy(), self.se.to_numpy()
        t = est / se
        q = t_ppf(0.5 + level / 2, self.df_residual) if self.df_residual > 0 else np.nan
        return pd.DataFrame({"estimate": est, "se": se, "t": t,
                             "p": _t_p_value(t, self.df_residual),
                             "ci_low": est - q * se, "ci_high": est + q * se},
                            index=self.coefficients.index)

    def odds_ratios(self, level: float = 0.95) -> pd.DataFrame:
        """exp(β) with exp of the Wald CI (logistic models only)."""
        if self.family != "binomial":
            raise ValueError("odds ratios are defined for family='binomial' only")
        tab = self.table(level)
        return pd.DataFrame({"odds_ratio": np.exp(tab["estimate"]), "ci_low": np.exp(tab["ci_low"]),
                             "ci_high": np.exp(tab["ci_high"]), "p": tab["p"]})


@dataclass(frozen=True)
class _Family:
    """Variance function V(μ) and link (canonical, or R's default: Gamma's inverse link) of a GLM
    family (McCullagh & Nelder 1989, Table 2.1)."""

    variance: Callable[[np.ndarray], np.ndarray]
    link: Callable[[np.ndarray], np.ndarray]  # η = g(μ)
    inverse: Callable[[np.ndarray], np.ndarray]  # μ = g⁻¹(η)
    dmu_deta: Callable[[np.ndarray], np.ndarray]
    start: Callable[[np.ndarray], np.ndarray]  # R's family$initialize: μ to start from


_POISSON = _Family(variance=lambda mu: mu, link=np.log, inverse=np.exp, dmu_deta=np.exp,
                   start=lambda y: y + 0.1)
_FAMILY_PARTS = {
    "poisson": _POISSON,
    "quasipoisson": _POISSON,
    "Gamma": _Family(variance=lambda mu: mu**2, link=lambda mu: 1 / mu, inverse=lambda eta: 1 / eta,
                     dmu_deta=lambda eta: -1 / eta**2, start=lambda y: y),
}


def _expit(eta: np.ndarray) -> np.ndarray:
    """R's binomial()$linkinv: the logistic function, kept inside (ε, 1 − ε)."""
    eps = np.finfo(float).eps
    return np.clip(1 / (1 + np.exp(-eta)), eps, 1 - eps)


def _logit_dmu_deta(eta: np.ndarray) -> np.ndarray:
    """R's binomial()$mu.eta: e^η/(1 + e^η)², at least ε."""
    e = np.exp(-np.abs(eta))
    return np.maximum(e / (1 + e) ** 2, np.finfo(float).eps)


_BINOMIAL = _Family(variance=lambda mu: mu * (1 - mu), link=lambda mu: np.log(mu / (1 - mu)), inverse=_expit,
                    dmu_deta=_logit_dmu_deta, start=lambda y: y)  # start: R's (w·y + 0.5)/(w + 1), in _fit_irls


def _wls(x: np.ndarray, z: np.ndarray, w: np.ndarray, cells) -> np.ndarray:
    """argmin_β Σ_i w_i (z_i − x_iβ)², on the rows or, with ``cells`` (:func:`_cells`), on the cells:
    Σ_i w_i(z_i − x_cβ)² = Σ_c W_c(z̄_c − x_cβ)² + a constant, W_c the cell's Σw and z̄_c its weighted
    mean of z — the same normal equations on a few rows."""
    if cells is not None:
        cell, x, count = cells
        wc = np.bincount(cell, weights=w, minlength=count.size)
        z = np.bincount(cell, weights=w * z, minlength=count.size) / np.where(wc == 0, 1.0, wc)
        w = wc
    sw = np.sqrt(w)
    return np.linalg.lstsq(x * sw[:, None], z * sw, rcond=None)[0]


def _linear(x: np.ndarray, beta: np.ndarray, cells) -> np.ndarray:
    """xβ per row (from the cells' values when there are cells)."""
    return x @ beta if cells is None else (cells[1] @ beta)[cells[0]]


def _fit_glm(x: np.ndarray, y: np.ndarray, w: np.ndarray, family: str, scale: float = 1.0, cells=None):
    """Weighted (pseudo-)ML fit, as R's ``glm.fit``. Returns (β, μ, working weights, working residuals).

    The working weights w·(dμ/dη)²/V(μ) are those of the last iteration's weighted least squares
    and the working residuals (y − μ)/(dμ/dη) those of the final μ, as R's ``glm.fit`` returns them
    and ``svyglm`` uses them (its ``svy.varcoef``: estfun = x · residual · weight, bread = (XᵀWX)⁻¹);
    ``scale`` is the mean weight, by which R divides the weights before fitting (its starting
    values depend on it).
    """
    if family == "gaussian":
        beta = _wls(x, y, w, cells)
        mu = _linear(x, beta, cells)
        return beta, mu, w, y - mu
    if family == "binomial":
        return _fit_irls(x, y, w, _BINOMIAL, family, scale, cells)
    return _fit_irls(x, y, w, _FAMILY_PARTS[family], family, scale, cells)


def _fit_irls(x: np.ndarray, y: np.ndarray, w: np.ndarray, fam: _Family, name: str, scale: float = 1.0,
              cells=None):
    """Iteratively reweighted least squares (McCullagh & Nelder 1989 §2.5; R's glm.fit), from R's
    starting values, until the deviance changes by less than 1e-12 relative."""
    if name == "binomial":  # R's binomial()$initialize, with the weights R fits with (mean 1)
        ws = w / scale
        mu = (ws * y + 0.5) / (ws + 1)
    else:
        mu = fam.start(y)
    eta = fam.link(mu)
    previous = np.inf
    for _ in range(100):
        d = fam.dmu_deta(eta)
        z = eta + (y - mu) / d
        ww = w * d**2 / fam.variance(mu)
        beta = _wls(x, z, ww, cells)
        eta = _linear(x, beta, cells)
        mu = fam.inverse(eta)
        if name == "Gamma" and np.any(mu <= 0):
            raise ComputationError("the Gamma model with inverse link gave a non-positive mean; the data do not "
                                   "fit this link")
        dev = _deviance(y, mu, w, name)
        if abs(dev - previous) < 1e-12 * (abs(dev) + 0.1):
            break
        previous = dev
    else:
        if name == "binomial":
            raise ComputationError("the logistic regression did not converge in 100 iterations; usually a "
                                   "predictor category in which every outcome is 0 (or every one 1) — complete "
                                   "separation; merge or drop that category")
        raise ComputationError(f"the {name} regression did not converge in 100 iterations")
    if name == "binomial" and np.any((w != 0) & ((mu < 1e-10) | (mu > 1 - 1e-10))):
        warnings.warn("fitted probabilities numerically 0 or 1 occurred (separation?)", stacklevel=4)
    return beta, mu, ww, (y - mu) / fam.dmu_deta(eta)


def svyglm(design: SurveyDesign, formula: Formula, family: str = "gaussian", *,
           predictors: list[str] | None = None) -> GlmResult:
    """Survey-weighted generalised linear model, as R's ``svyglm(formula, design, family)``.

    ``formula`` is ``"y ~ x1 + x2"``, a pair ``("y", ["x1", "x2"])``, or the outcome's name with
    ``predictors=["x1", "x2"]``.

    ``family="gaussian"`` is linear regression; ``"binomial"`` (or ``"quasibinomial"``) is
    logistic regression (R's ``quasibinomial()``: same estimates and SEs as ``binomial()``,
    without its warning) and needs a 0/1 or boolean outcome; ``"poisson"``/``"quasipoisson"``
    (log link, same estimates and SEs in a survey) need counts ≥ 0; ``"Gamma"`` (R's default
    inverse link, 1/μ = xβ) needs positive outcomes. SEs are the design-based sandwich (module
    docstring).
    """
    if family not in FAMILIES:
        raise ValueError(f"family must be one of {FAMILIES}")
    if predictors is not None:
        formula = (formula, list(predictors))
    outcome, terms, intercept = _parse_formula(formula)
    label = formula if isinstance(formula, str) else f"{outcome} ~ {' + '.join(formula[1])}"
    return _svyglm_fit(design, outcome, terms, intercept, family, label)


def _svyglm_fit(design: SurveyDesign, outcome: str, terms: list[_Term], intercept: bool, family: str,
                label: str) -> GlmResult:
    d, rows = _design_rows(design, outcome, terms)
    if not rows.any():
        raise ComputationError("no rows left: every row is outside the domain or has a missing value")
    assign: list[int] = []
    names, x = _model_matrix(d.data, terms, intercept, rows, assign)
    y = _numeric(d, outcome)
    if family == "quasibinomial":
        family = "binomial"
    if family == "binomial":
        bad = rows & ~np.isin(y, (0.0, 1.0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            raise ComputationError(f"family='binomial' needs a 0/1 outcome; {outcome!r} is "
                                   f"{shown(d.data[outcome].iloc[i])} in row {d.data.index[i]}")
    if family in ("poisson", "quasipoisson", "Gamma"):
        bad = rows & ~((y > 0) if family == "Gamma" else (y >= 0))
        if bad.any():
            i = int(np.flatnonzero(bad)[0])
            need = "positive" if family == "Gamma" else "non-negative"
            raise ComputationError(f"family={family!r} needs a {need} outcome; {outcome!r} is "
                                   f"{shown(d.data[outcome].iloc[i])} in row {d.data.index[i]}")
    # Rows outside the domain (weight 0) add nothing to any sum: fit on the rows used, and give
    # the others influence 0 — at a million rows, a domain is often a fraction of the data.
    used = np.flatnonzero(rows)
    x, y, w = x[used], y[used], d.weights[used]
    # categorical predictors (few distinct rows of x): every weighted least squares step, the
    # bread and the influence values on the cells (test_influence: the same fit as on the rows)
    cells = _cells(x)
    if cells is None:
        _check_rank(x, names)
    else:
        _check_rank(cells[1] * np.sqrt(cells[2])[:, None], names)  # the same xᵀx, the same verdict
    # R's svyglm fits glm() with the weights over their mean in the design it was given (rows
    # with weight zero count when the design keeps them, i.e. when calibrated)
    scale = float(np.mean(design.weights if design.is_calibrated else design.weights[design.in_domain]))
    beta, mu, working, residuals = _fit_glm(x, y, w, family, scale, cells)
    if cells is None:
        bread = np.linalg.inv(x.T @ (x * working[:, None]))
    else:
        xc = cells[1]
        bread = np.linalg.inv(xc.T @ (xc * np.bincount(cells[0], weights=working, minlength=xc.shape[0])[:, None]))
    if isinstance(d, ReplicateDesign):
        # R's svyglm.svyrep.design: the model refitted with every replicate's weights, and the
        # replicate coefficients' variance (svrVar)
        multipliers = d.multipliers[d.psu[used]]
        thetas = np.array([_fit_glm(x, y, w * multipliers[:, r], family, scale, cells)[0]
                           for r in range(d.replicates)])
        vcov = d.vcov_replicates(thetas, beta)
    elif cells is not None:  # the row's working weight × residual times its cell's x·bread: factored
        row_scale, group = np.zeros(d.n), np.zeros(d.n, dtype=np.intp)
        row_scale[used], group[used] = working * residuals, cells[0]
        vcov = d.vcov_total(Influence.of(row_scale, group, cells[1] @ bread))
    else:
        influence = np.zeros((d.n, len(beta)), order="F")
        # estfun %*% Ainv (R svy.varcoef): estfun = x · working residual · working weight, i.e.
        # x·w(y − μ)(dμ/dη)/V(μ) at convergence (x·w(y − μ) for the canonical links)
        influence[used] = (x * (working * residuals)[:, None]) @ bread
        vcov = d.vcov_total(influence)
    # R: a replicate design's df before rows with missing values are left out (degf(design))
    df = (design if isinstance(d, ReplicateDesign) else d).degrees_of_freedom() + 1 - len(beta)
    fitted = np.full(d.n, np.nan)
    fitted[used] = mu
    return GlmResult(formula=label, family=family, coefficients=pd.Series(beta, index=names),
                     vcov=pd.DataFrame(vcov, index=names, columns=names), df_residual=df,
                     n=int(rows.sum()), fitted=fitted, assign=tuple(assign),
                     terms=tuple(":".join(t.variables) for t in terms), naive_vcov=bread * scale,
                     deviance=_deviance(y, mu, w / scale, family),
                     _refit=(design, outcome, tuple(terms), intercept, family))


def _deviance(y: np.ndarray, mu: np.ndarray, w: np.ndarray, family: str) -> float:
    """Σ w·d(y, μ) (McCullagh & Nelder 1989 §2.3): squared residuals (gaussian), −2 log-likelihood
    of 0/1 outcomes (binomial), 2[y log(y/μ) − (y − μ)] (poisson), −2[log(y/μ) − (y − μ)/μ] (Gamma)."""
    if family == "gaussian":
        return float(w @ (y - mu) ** 2)
    if family in ("poisson", "quasipoisson"):
        with np.errstate(divide="ignore", invalid="ignore"):
            term = np.where(y > 0, y * np.log(y / mu), 0.0)
        return float(2 * (w @ (term - (y - mu))))
    if family == "Gamma":
        return float(-2 * (w @ (np.log(y / mu) - (y - mu) / mu)))
    with np.errstate(divide="ignore", invalid="ignore"):
        ll = np.where(y == 1, np.log(mu), np.log1p(-mu))
    return float(-2 * (w @ ll))


@dataclass(frozen=True)
class TermTest:
    """A test that the coefficients of some terms are all zero (R ``regTermTest``).

    Wald: ``statistic`` is F = βᵀV⁻¹β/k on (k, ``ddf``) df. LRT: ``statistic`` (also ``chisq``) is the
    working likelihood ratio, the deviance difference (R's ``$chisq``), its null distribution Σ λ_j χ²_1
    over χ²_ddf/ddf, with λ the eigenvalues of V₀⁻¹V (``lambdas``, R's ``$lambda``: the design effects of
    the tested coefficients); :attr:`working_2logLR` is what R's print shows as "Working 2logLR",
    chisq/mean(λ), and :attr:`scale_factors` its "scale factors" λ/mean(λ). The p-value is R's ``$p``.
    """

    terms: tuple[str, ...]
    method: str
    statistic: float
    df: int
    ddf: float
    p_value: float
    lambdas: tuple[float, ...] = ()
    chisq: float | None = None  # LRT: the deviance difference (R's $chisq)

    @property
    def working_2logLR(self) -> float | None:  # noqa: N802 (R's label)
        """LRT: chisq/mean(λ), the number R's print of ``regTermTest(method = "LRT")`` shows."""
        mean = self.mean_lambda
        return float(self.chisq / mean) if self.chisq is not None and mean else None

    @property
    def mean_lambda(self) -> float | None:
        return float(np.mean(self.lambdas)) if self.lambdas else None

    @property
    def scale_factors(self) -> tuple[float, ...]:
        """λ/mean(λ), what R's print of an LRT calls "scale factors" (shown there to two digits)."""
        mean = self.mean_lambda
        return tuple(x / mean for x in self.lambdas) if mean else ()

    def to_dict(self) -> dict:
        out = {"terms": list(self.terms), "method": self.method, "statistic": self.statistic, "df": self.df,
               "ddf": self.ddf, "p_value": self.p_value, "lambdas": list(self.lambdas)}
        if self.method == "LRT":  # labelled as R's print and object: Working 2logLR = chisq / mean(lambda)
            out.update({"working_2logLR": self.working_2logLR, "chisq": self.chisq, "mean_lambda": self.mean_lambda,
                        "scale_factors": list(self.scale_factors)})
        return out


def regTermTest(model: GlmResult | OlrResult, terms: str | list[str], method: str = "Wald") -> TermTest:  # noqa: N802 (R's name)
    """Test that every coefficient of ``terms`` is zero in a fitted :func:`svyglm` (R
    ``regTermTest(model, ~terms, method=…)``): a design-based Wald F test, or ``method="LRT"``,
    the Rao–Scott working likelihood-ratio test (Lumley & Scott 2013, *Stat. Methodol.*
    10:...; "Partial likelihood ratio tests for the Cox model under complex sampling", and
    Rao & Scott 1984, *Ann. Stat.* 12:46), whose p-value comes from the saddlepoint
    approximation to a linear combination of χ² variables (R's ``pFsum``).

    ``terms`` are term labels as written in the formula ("stype", "ell:stype"); the order of the
    variables in an interaction does not matter. The denominator df is the model's residual df.
    """
    if method not in ("Wald", "LRT"):
        raise ValueError(f"method must be 'Wald' or 'LRT', not {method!r}")
    if isinstance(model, OlrResult) and method == "LRT":
        raise ValueError("the likelihood-ratio test is implemented for svyglm models; use method='Wald'")
    wanted = [terms] if isinstance(terms, str) else list(terms)
    canonical = {":".join(sorted(t.split(":"))): i + 1 for i, t in enumerate(model.terms)}
    numbers = []
    for t in wanted:
        key = ":".join(sorted(p.strip() for p in t.split(":")))
        if key not in canonical:
            raise KeyError(f"no term {t!r} in the model (terms: {', '.join(model.terms)})")
        numbers.append(canonical[key])
    index = [i for i, a in enumerate(model.assign) if a in numbers]
    beta = model.coefficients.to_numpy()[index]
    v = model.vcov.to_numpy()[np.ix_(index, index)]
    ddf = model.df_residual
    k = len(index)
    if method == "Wald":
        chisq = float(beta @ np.linalg.solve(v, beta))
        f = chisq / k
        p = float(f_sf(f, k, ddf)) if ddf > 0 else float("nan")
        return TermTest(tuple(wanted), "Wald", f, k, ddf, p)
    from fjernarbeid.survey.association import _pfsum_saddlepoint

    design, outcome, all_terms, intercept, family = model._refit
    kept = [t for i, t in enumerate(all_terms, start=1) if i not in numbers]
    reduced = _svyglm_fit(design, outcome, kept, intercept, family, "")
    chisq = reduced.deviance - model.deviance
    v0 = model.naive_vcov[np.ix_(index, index)]
    if not np.isfinite(v).all():  # no design variance (lonely_psu="average" with nothing to average)
        return TermTest(tuple(wanted), "LRT", float(chisq), k, ddf, float("nan"), (float("nan"),) * k,
                        chisq=float(chisq))
    lambdas = np.sort(np.linalg.eigvals(np.linalg.solve(v0, v)).real)[::-1]
    p = _pfsum_saddlepoint(chisq, lambdas, ddf) if ddf > 0 else float("nan")
    return TermTest(tuple(wanted), "LRT", float(chisq), k, ddf, float(p), tuple(float(x) for x in lambdas),
                    chisq=float(chisq))


# -- svyolr --------------------------------------------------------------------------------
@dataclass(frozen=True)
class OlrResult:
    """A fitted proportional-odds model: P(Y ≤ k | x) = F(ζ_k − xβ), as R ``svyolr``/``MASS::polr``."""

    formula: str
    link: str
    coefficients: pd.Series  # slopes β
    zeta: pd.Series  # thresholds ζ, named "lower|upper" as in R
    vcov: pd.DataFrame  # of (β, ζ)
    df_residual: int  # design df − number of slopes (R)
    n: int
    assign: tuple[int, ...] = field(default=(), repr=False, compare=False)  # term of every slope (1, 2, …)
    terms: tuple[str, ...] = field(default=(), repr=False, compare=False)

    def table(self) -> pd.DataFrame:
        """Value, SE, t (R ``summary.svyolr``) and a two-sided p-value from t(``df_residual``)."""
        est = np.concatenate([self.coefficients.to_numpy(), self.zeta.to_numpy()])
        se = np.sqrt(np.diag(self.vcov.to_numpy()))
        t = est / se
        return pd.DataFrame({"estimate": est, "se": se, "t": t, "p": _t_p_value(t, self.df_residual)},
                            index=list(self.coefficients.index) + list(self.zeta.index))

    def odds_ratios(self, level: float = 0.95) -> pd.DataFrame:
        """exp(β): the odds of a *higher* category per unit (logistic link only)."""
        if self.link != "logistic":
            raise ValueError("odds ratios need link='logistic'")
        tab = self.table().loc[self.coefficients.index]
        q = t_ppf(0.5 + level / 2, self.df_residual)
        return pd.DataFrame({"odds_ratio": np.exp(tab["estimate"]),
                             "ci_low": np.exp(tab["estimate"] - q * tab["se"]),
                             "ci_high": np.exp(tab["estimate"] + q * tab["se"]), "p": tab["p"]})


def _link_functions(link: str):
    """(F, density) of the link: F(z) and, given z and F(z), the density f(z) and its derivative f'(z)."""
    if link == "logistic":
        # scipy.stats.logistic's own formulas (cdf = expit; pdf = exp(y − 2·log1p(e^y)), y = −|z|),
        # called directly: the distribution objects' argument checks cost more than the sums here.
        def pdf(z, cdf_z):
            y = -np.abs(z)
            f = np.exp(y - 2.0 * special.log1p(np.exp(y)))
            return f, f * (1 - 2 * cdf_z)  # f and f'
        return special.expit, pdf

    if link == "cloglog":
        # R's svyolr(method = "cloglog") uses survey:::pgumbel, F(z) = exp(−e^{−z}) (what MASS::polr
        # calls "loglog"), not 1 − exp(−e^z); as R's: f = exp(−z − e^{−z}), f' = f(e^{−z} − 1)
        def gumbel_cdf(z):
            return np.exp(-np.exp(-z))

        def gumbel_pdf(z, cdf_z):
            zf = np.where(np.isfinite(z), z, 0.0)
            f = np.where(np.isfinite(z), np.exp(-zf - np.exp(-zf)), 0.0)
            return f, np.where(np.isfinite(z), f * (np.exp(-zf) - 1), 0.0)
        return gumbel_cdf, gumbel_pdf
    if link == "cauchit":  # F(z) = ½ + atan(z)/π, f = 1/(π(1 + z²)), f' = −2z/(π(1 + z²)²)
        def cauchit_cdf(z):
            return 0.5 + np.arctan(z) / np.pi

        def cauchit_pdf(z, cdf_z):
            zf = np.where(np.isfinite(z), z, 0.0)
            f = np.where(np.isfinite(z), 1 / (np.pi * (1 + zf**2)), 0.0)
            return f, np.where(np.isfinite(z), -2 * zf * f / (1 + zf**2), 0.0)
        return cauchit_cdf, cauchit_pdf

    def npdf(z, cdf_z):
        f = norm_pdf(z)
        return f, np.where(np.isfinite(z), -np.where(np.isfinite(z), z, 0.0) * f, 0.0)
    return norm_cdf, npdf


def _olr_parts(params, x, y, q, w, link, hessian=False, gradient=True):
    """−log-likelihood, per-row gradient (R's ``gmini``, in (β, ζ)) and optionally the Hessian
    (``gradient=False``: the −log-likelihood alone, for the step-halving search).

    Row i in category y (1..q+1) has P = F(a) − F(b), a = ζ_y − xβ, b = ζ_{y−1} − xβ, with
    ζ_0 = −∞ and ζ_{q+1} = +∞ (McCullagh 1980, JRSS B 42:109); ∓100 for the cauchit link, as R.
    """
    cdf, pdf = _link_functions(link)
    p = x.shape[1]
    beta, zeta = params[:p], params[p:]
    eta = x @ beta
    # R's svyolr puts the outer thresholds at ∓100, not ∓∞: negligible for every link but the
    # heavy-tailed cauchit (F(−100) = 0.003), where R's likelihood is that of the truncated model;
    # we follow R there
    outer = 100.0 if link == "cauchit" else np.inf
    cuts = np.concatenate([[-outer], zeta, [outer]])
    a, b = cuts[y] - eta, cuts[y - 1] - eta
    cdf_a, cdf_b = cdf(a), cdf(b)
    prob = cdf_a - cdf_b
    if np.any(prob[w > 0] <= 0):
        return np.inf, None, None
    if not gradient:
        return -np.sum(w * np.log(np.where(w > 0, prob, 1.0))), None, None
    fa, dfa = (np.nan_to_num(v) for v in pdf(a, cdf_a))
    fb, dfb = (np.nan_to_num(v) for v in pdf(b, cdf_b))
    # ∂a/∂θ and ∂b/∂θ: −x for β, a unit vector at the row's upper / lower threshold
    k = p + q
    da = np.zeros((len(y), k))
    db = np.zeros((len(y), k))
    da[:, :p] = -x
    db[:, :p] = -x
    idx = np.arange(len(y))
    up, lo = y - 1, y - 2  # threshold index (0-based) of ζ_y and ζ_{y−1}
    da[idx[up < q], p + up[up < q]] = 1.0
    db[idx[lo >= 0], p + lo[lo >= 0]] = 1.0
    dprob = fa[:, None] * da - fb[:, None] * db
    safe = np.where(w > 0, prob, 1.0)
    nll = -np.sum(w * np.log(safe))
    grad_rows = -(w / safe)[:, None] * dprob
    if not hessian:
        return nll, grad_rows, None
    # Σ_i c_i u_i u_iᵀ as matrix products (BLAS) rather than einsum's elementwise loop
    d2 = da.T @ (da * (w * dfa / safe)[:, None]) - db.T @ (db * (w * dfb / safe)[:, None])
    outer = dprob.T @ (dprob * (w / safe**2)[:, None])
    return nll, grad_rows, -(d2 - outer)


def svyolr(design: SurveyDesign, formula: Formula, predictors: list[str] | None = None,
           link: str = "logistic") -> OlrResult:
    """Proportional-odds (cumulative link) model for an ordered outcome, as R's ``svyolr``.

    Call it as ``svyolr(design, "y ~ x1 + x2")``, ``svyolr(design, ("y", ["x1", "x2"]))`` or
    ``svyolr(design, "y", ["x1", "x2"])``.

    The outcome's levels are ordered as a pandas ordered Categorical says, else sorted; at least
    three are needed (R). Parameterisation as R: logit P(Y ≤ k) = ζ_k − xβ, so a positive β
    means higher categories. Estimated by Newton-Raphson on the weighted log-likelihood to
    machine precision; the variance is the design-based sandwich with R's influence values
    ``gmini(θ̂) · H⁻¹`` (H the weighted Hessian).

    ``link``: "logistic", "probit", "cloglog" — as R's svyolr, the Gumbel distribution
    F(z) = exp(−e^{−z}) (MASS::polr's "loglog") — or "cauchit".

    R's own fit stops early: its optimiser (``optim`` BFGS, reltol 1e-8) leaves the estimates
    about 1e-5 from the maximum, and with the flat cauchit likelihood further. Our Newton steps go
    to machine precision; the tests compare with R fits rerun at reltol 1e-15 (and, for cauchit,
    restarted until they stop moving).
    """
    if link not in OLR_LINKS:
        raise ValueError(f"link must be one of {OLR_LINKS}")
    if predictors is not None:
        formula = (formula, list(predictors))
    outcome, terms, _ = _parse_formula(formula)
    d, rows = _design_rows(design, outcome, terms)
    if not rows.any():
        raise ComputationError("no rows left: every row is outside the domain or has a missing value")
    levels = _levels(d.data[outcome][rows])
    if len(levels) < 3:
        raise ComputationError(f"{outcome!r} needs three or more levels for a proportional-odds "
                               f"model (found {len(levels)}); use svyglm(family='binomial')")
    assign: list[int] = []
    names, x = _model_matrix(d.data, terms, True, rows, assign)
    names, x, assign = names[1:], x[:, 1:], assign[1:]  # thresholds replace the intercept
    code = {lev: i + 1 for i, lev in enumerate(levels)}
    # fit on the rows used (the others have weight 0 and add nothing); they get influence 0
    used = np.flatnonzero(rows)
    y = d.data[outcome].map(code).to_numpy()[used].astype(int)
    x = x[used]
    w = d.weights[used]
    q = len(levels) - 1
    # categorical predictors: every sum of the likelihood is over cells (x, y) with their sums of
    # weights; a row's gradient is its weight's share of its cell's (not for replicate weights,
    # which differ between the rows of a cell)
    cells = None if isinstance(d, ReplicateDesign) else _cells(np.column_stack([x, y]).astype(float))
    if cells is not None:
        cell, distinct, count = cells
        share = w / np.bincount(cell, weights=w, minlength=count.size)[cell]
        x, y, w = distinct[:, :-1], distinct[:, -1].astype(int), np.bincount(cell, weights=w, minlength=count.size)
        _check_rank(np.column_stack([np.ones(count.size), x]) * np.sqrt(count)[:, None], ["(Intercept)"] + names)
    else:
        _check_rank(np.column_stack([np.ones(used.size), x]), ["(Intercept)"] + names)
    params = _olr_newton(_olr_start(x, y, q, w, link), x, y, q, w, link)
    if isinstance(d, ReplicateDesign):
        # R's svyolr.svyrep.design: refitted with every replicate's weights from the full-sample fit
        multipliers = d.multipliers[d.psu[used]]
        thetas = np.array([_olr_newton(params, x, y, q, w * multipliers[:, r], link) for r in range(d.replicates)])
        vcov = d.vcov_replicates(thetas, params)
    elif cells is not None:  # R's gmini · H⁻¹ per row: its share of its cell's, factored
        _, g, h = _olr_parts(params, x, y, q, w, link, hessian=True)
        row_scale, group = np.zeros(d.n), np.zeros(d.n, dtype=np.intp)
        row_scale[used], group[used] = share, cell
        vcov = d.vcov_total(Influence.of(row_scale, group, g @ np.linalg.inv(h)))
    else:
        _, g, h = _olr_parts(params, x, y, q, w, link, hessian=True)
        influence = np.zeros((d.n, g.shape[1]), order="F")
        influence[used] = g @ np.linalg.inv(h)
        vcov = d.vcov_total(influence)
    zeta_names = [f"{_level_name(a)}|{_level_name(b)}" for a, b in zip(levels[:-1], levels[1:])]
    allnames = names + zeta_names
    p = len(names)
    label = formula if isinstance(formula, str) else f"{outcome} ~ {' + '.join(formula[1])}"
    return OlrResult(formula=label, link=link, coefficients=pd.Series(params[:p], index=names),
                     zeta=pd.Series(params[p:], index=zeta_names),
                     vcov=pd.DataFrame(vcov, index=allnames, columns=allnames),
                     df_residual=d.degrees_of_freedom() - p, n=int(rows.sum()), assign=tuple(assign),
                     terms=tuple(":".join(t.variables) for t in terms))


def _olr_newton(params, x, y, q, w, link) -> np.ndarray:
    """Newton-Raphson from ``params`` to machine precision (step halving keeps the thresholds
    ordered and the likelihood improving)."""
    for _ in range(200):
        nll, g, h = _olr_parts(params, x, y, q, w, link, hessian=True)
        step = np.linalg.solve(h, g.sum(axis=0))
        t = 1.0
        while True:
            trial = params - t * step
            if np.all(np.diff(trial[x.shape[1]:]) > 0):
                new = _olr_parts(trial, x, y, q, w, link, gradient=False)[0]
                if new <= nll + 1e-12 * abs(nll):
                    break
            t /= 2
            if t < 1e-10:
                break
        params = trial
        if np.max(np.abs(t * step)) < 1e-11 * (1 + np.max(np.abs(params))):
            return params
    raise ComputationError("the proportional-odds model did not converge")


def _olr_start(x, y, q, w, link) -> np.ndarray:
    """Start values: zero slopes, thresholds at the link's quantiles of the weighted cumulative shares."""
    cum = np.cumsum(np.bincount(y, weights=w, minlength=q + 2)[1:q + 1]) / w.sum()
    cum = np.clip(cum, 1e-4, 1 - 1e-4)
    zeta = {"logistic": logistic_ppf, "probit": norm_ppf, "cloglog": lambda c: -np.log(-np.log(c)),
            "cauchit": lambda c: np.tan(np.pi * (c - 0.5))}[link](cum)
    zeta = np.maximum.accumulate(zeta + np.arange(q) * 1e-6)
    return np.concatenate([np.zeros(x.shape[1]), zeta])


__all__ = ["FAMILIES", "GlmResult", "OLR_LINKS", "OlrResult", "TermTest", "regTermTest", "svyglm", "svyolr"]

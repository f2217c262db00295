"""Agreement between two coders: per code, presence or absence over the turns (units) both coded.

* Cohen's kappa: κ = (p_o − p_e) / (1 − p_e), p_o the share of units where the coders agree,
  p_e = Σ_k p_A(k)·p_B(k) from each coder's own marginal shares. Source: Cohen, J. (1960), "A
  coefficient of agreement for nominal scales", Educational and Psychological Measurement 20(1), 37-46.
* Krippendorff's alpha, nominal metric: α = 1 − D_o/D_e from the coincidence matrix
  o_ck = Σ_u (number of c-k pairs of values in unit u)/(m_u − 1), n_c = Σ_k o_ck, n = Σ_c n_c,
  D_o ∝ Σ_{c≠k} o_ck, D_e ∝ Σ_{c≠k} n_c·n_k/(n − 1); units with fewer than two values are not pairable
  and left out. Source: Krippendorff, K. (2011), "Computing Krippendorff's Alpha-Reliability",
  Annenberg School for Communication, University of Pennsylvania, section on nominal data.
  For two coders, binary values and no missing data this is α = 1 − (n − 1)·d / (n₀·n₁) with
  d the units where they disagree, n = 2·units, n₀/n₁ the pooled counts of absent/present.

Both are undefined (NaN) when every value is the same (p_e = 1, D_e = 0): the code was never used,
or always, and agreement on it says nothing.
"""

from __future__ import annotations

from typing import Sequence

import numpy as np
import pandas as pd

from fjernarbeid.errors import DataValidationError
from fjernarbeid.interviews.codebook import Codebook
from fjernarbeid.interviews.coding import turns_frame
from fjernarbeid.interviews.transcript import Interview


def cohen_kappa(a: Sequence, b: Sequence) -> float:
    """Cohen's kappa of two coders' nominal values for the same units (no missing values)."""
    a, b = np.asarray(a, dtype=object), np.asarray(b, dtype=object)
    if a.shape != b.shape or a.ndim != 1 or a.size == 0:
        raise ValueError("two equally long, non-empty sequences of values are needed")
    categories = pd.unique(np.concatenate([a, b]))
    p_o = float(np.mean(a == b))
    p_e = float(sum(np.mean(a == k) * np.mean(b == k) for k in categories))
    return float("nan") if np.isclose(p_e, 1.0) else (p_o - p_e) / (1.0 - p_e)


def krippendorff_alpha_nominal(values: Sequence[Sequence]) -> float:
    """Krippendorff's alpha for nominal data; ``values`` is coders × units, with None/NaN for missing."""
    frame = pd.DataFrame(values, dtype=object)
    if frame.empty:
        raise ValueError("no values")
    counts = frame.apply(lambda unit: unit.dropna().value_counts(), axis=0).T.fillna(0.0)  # units × categories
    m = counts.sum(axis=1)
    counts = counts[m >= 2]  # only pairable units
    m = m[m >= 2]
    if counts.empty:
        return float("nan")
    n_uc = counts.to_numpy(dtype=float)
    weight = 1.0 / (m.to_numpy() - 1.0)
    coincidence = (n_uc * weight[:, None]).T @ n_uc - np.diag((n_uc * weight[:, None]).sum(axis=0))
    n_c = coincidence.sum(axis=1)
    n = n_c.sum()
    observed = coincidence.sum() - np.trace(coincidence)
    expected = (np.outer(n_c, n_c).sum() - (n_c ** 2).sum()) / (n - 1.0)
    return float("nan") if np.isclose(expected, 0.0) else 1.0 - observed / expected


def agreement_by_code(interviews: Sequence[Interview], codings: pd.DataFrame, codebook: Codebook,
                      coder_a: str, coder_b: str, roles: Sequence[str] = ("informant", "interviewer")) -> pd.DataFrame:
    """Per code: units, both, only A, only B, neither, percent agreement, Cohen's kappa and
    Krippendorff's alpha, over the turns (of ``roles``) of the interviews that both coders coded."""
    coders = set(codings["coder"])
    for coder in (coder_a, coder_b):
        if coder not in coders:
            raise DataValidationError(f"coder {coder!r} has no codings (coders: {', '.join(sorted(coders))})")
    both_coded = (set(codings.loc[codings["coder"] == coder_a, "interview"])
                  & set(codings.loc[codings["coder"] == coder_b, "interview"]))
    if not both_coded:
        raise DataValidationError(f"coders {coder_a!r} and {coder_b!r} have no interview in common")
    turns = turns_frame([iv for iv in interviews if iv.id in both_coded])
    units = pd.MultiIndex.from_frame(turns.loc[turns["role"].isin(roles), ["interview", "turn"]])

    def indicator(coder: str) -> pd.DataFrame:
        own = codings[codings["coder"] == coder].drop_duplicates(["interview", "turn", "code"])
        table = pd.crosstab([own["interview"], own["turn"]], own["code"]) > 0
        return table.reindex(index=units, columns=codebook.ids, fill_value=False)

    a, b = indicator(coder_a), indicator(coder_b)
    n = len(units)
    both = (a & b).sum()
    only_a = (a & ~b).sum()
    only_b = (~a & b).sum()
    neither = n - both - only_a - only_b
    p_o = (both + neither) / n
    pa, pb = a.mean(), b.mean()
    p_e = pa * pb + (1 - pa) * (1 - pb)
    kappa = ((p_o - p_e) / (1 - p_e)).where(~np.isclose(p_e, 1.0))
    n1 = a.sum() + b.sum()
    n0 = 2 * n - n1
    alpha = (1 - (2 * n - 1) * (only_a + only_b) / (n0 * n1)).where((n0 * n1) > 0)
    out = pd.DataFrame({"units": n, "both": both, "only_a": only_a, "only_b": only_b, "neither": neither,
                        "percent_agreement": 100 * p_o, "kappa": kappa.astype(float), "alpha": alpha.astype(float)})
    out.index.name = "code"
    out.attrs.update(coder_a=coder_a, coder_b=coder_b)
    return out

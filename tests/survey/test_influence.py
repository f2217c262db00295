"""Factored influence values (design.Influence): the variance primitive gets the same PSU totals
from sums over cells as from the n × k matrix — for every design, calibration and lonely-PSU rule."""

from __future__ import annotations

from dataclasses import replace

import numpy as np
import pandas as pd
import pytest

from fjernarbeid.survey import calibrate, poststratify, rake, svyby, svydesign, svymean, svyprop, svytotal
from fjernarbeid.survey.design import Influence, SurveyDesign

N = 3000


@pytest.fixture(scope="module")
def frame() -> pd.DataFrame:
    rng = np.random.default_rng(12)
    df = pd.DataFrame({"st": rng.integers(0, 5, N), "cl": rng.integers(0, 200, N), "a": rng.integers(0, 3, N),
                       "b": rng.integers(0, 4, N), "y": rng.integers(0, 5, N), "w": rng.uniform(1, 3, N),
                       "x": rng.normal(10, 2, N)})
    df["fpc"] = 20000
    df.loc[df["st"] == 4, "st"] = 3
    df.loc[0, "st"] = 4  # a stratum with one row: one PSU (lonely)
    return df


def _designs(df: pd.DataFrame) -> dict[str, SurveyDesign]:
    base = {
        "srs": svydesign(df, "w"),
        "strata": svydesign(df, "w", strata="st", lonely_psu="adjust"),
        "strata-fpc-average": svydesign(df, "w", strata="st", fpc="fpc", lonely_psu="average"),
        "strata-remove": svydesign(df, "w", strata="st", lonely_psu="remove"),
        "strata-certainty": svydesign(df, "w", strata="st", lonely_psu="certainty"),
        "clusters": svydesign(df, "w", strata="st", cluster="cl", nest=True, lonely_psu="adjust"),
        "two-stage": svydesign(df.assign(n1=400, n2=100, psu=df["cl"] // 4), None, cluster=["psu", "cl"],
                               fpc=["n1", "n2"]),
    }
    cells = df.groupby(["a", "b"]).size().rename("Freq").reset_index()
    cells["Freq"] *= 9
    margins = {"a": (df.groupby("a").size() * 9).to_dict(), "b": (df.groupby("b").size() * 9).to_dict()}
    out = dict(base)
    for name in ("srs", "strata", "clusters"):
        out[name + "+poststratify"] = poststratify(base[name], ["a", "b"], cells, column="Freq")
        out[name + "+rake"] = rake(base[name], margins)
    out["srs+calibrate"] = calibrate(base["srs"], {"a": margins["a"], "x": float((df["x"] * 9).sum())},
                                     calfun="linear")
    return out


def _shares(design: SurveyDesign, y: np.ndarray) -> Influence:
    w = design.weights
    p = np.bincount(y, weights=w, minlength=5) / w.sum()
    return Influence.of(w / w.sum(), y, np.eye(5) - p)


@pytest.mark.parametrize("name", ["srs", "strata", "strata-fpc-average", "strata-remove", "strata-certainty",
                                  "clusters", "two-stage", "srs+poststratify", "srs+rake", "strata+poststratify",
                                  "strata+rake", "clusters+poststratify", "clusters+rake", "srs+calibrate"])
def test_factored_influence_gives_the_dense_variance(frame, name):
    design = _designs(frame)[name]
    y = frame["y"].to_numpy()
    for mask in (None, frame["a"].to_numpy() == 1, frame["st"].to_numpy() != 2):
        d = design if mask is None else design.domain(mask)
        infl = _shares(d, y)
        dense = infl.dense()
        p = np.bincount(y, weights=d.weights, minlength=5) / d.weights.sum()
        want = (d.weights / d.weights.sum())[:, None] * ((y[:, None] == np.arange(5)) - p)
        np.testing.assert_allclose(dense, want, rtol=0, atol=1e-15)
        v_dense = d.vcov_total(dense)
        v_factored = d.vcov_total(infl)
        assert np.abs(v_factored - v_dense).max() <= 1e-12 * np.abs(v_dense).max()
        # two estimates side by side (svyby covmat): shared scales stay one
        other = Influence.of(d.weights * frame["x"].to_numpy(), None, [1.0])
        both = Influence.hstack([infl, other])
        assert both.shape == (N, 6)
        v_both = d.vcov_total(np.column_stack([dense, other.dense()]))
        assert np.abs(d.vcov_total(both) - v_both).max() <= 1e-12 * np.abs(v_both).max()


@pytest.mark.parametrize("name", ["srs", "strata", "strata-fpc-average", "strata-remove", "strata-certainty",
                                  "srs+poststratify", "srs+rake", "strata+poststratify", "strata+rake"])
def test_the_variance_from_cell_sums_equals_the_dense_variance(frame, name):
    """For a design whose PSUs are its rows, the variance comes from sums over (group, calibration cell,
    stratum) cells (design._vcov_from_cells): the same matrix as the dense influence values give, for
    the whole sample, a domain, a domain of a domain (the domain's weights taken as the full weights
    there) and scales that are not the weights."""
    from fjernarbeid.survey import design as design_module

    design = _designs(frame)[name]
    y = frame["y"].to_numpy()
    x = frame["x"].to_numpy() + 1e6  # far from 0: the moments must not cancel
    first = frame["a"].to_numpy() == 1
    for d in (design, design.domain(first), design.domain(frame["st"].to_numpy() != 2),
              design.domain(first).domain(frame["b"].to_numpy() > 0)):
        w = d.weights
        p = np.bincount(y, weights=w, minlength=5) / w.sum()
        shares = Influence.of(w, y, (np.eye(5) - p) / w.sum())  # the weights themselves as the scale
        mean = float(w @ x / w.sum())
        means = Influence((w * (x - 1e6), w), y, np.stack([np.eye(5), -np.eye(5) * (mean - 1e6)], axis=1) / w.sum())
        for infl in (shares, means, _shares(d, y)):
            v_cells = design_module._vcov_from_cells(d, infl)
            assert v_cells is not None
            v_dense = d.vcov_total(infl.dense())
            assert np.abs(v_cells - v_dense).max() <= 1e-11 * np.abs(v_dense).max()


def _cells_equal_dense(d: SurveyDesign, y: np.ndarray) -> None:
    """The shares of ``y`` with the design's weights as the scale: the variance from cell sums equals the dense one."""
    from fjernarbeid.survey import design as design_module

    w = d.weights
    p = np.bincount(y, weights=w, minlength=5) / w.sum()
    infl = Influence.of(w, y, (np.eye(5) - p) / w.sum())
    v_cells = design_module._vcov_from_cells(d, infl)
    v_dense = d.vcov_total(infl.dense())
    assert np.abs(v_cells - v_dense).max() <= 1e-12 * np.abs(v_dense).max()


def test_post_stratification_with_empty_rows_keeps_its_own_scale(frame):
    """Rows with weight 0 before and after post-stratification take psw = 1 (R): a copy of the weights,
    a scale of its own in the variance from cell sums — the same variance as the dense values."""
    cells = frame.groupby(["a", "b"]).size().rename("Freq").reset_index()
    base = svydesign(frame, "w", strata="st", lonely_psu="adjust").domain(np.arange(N) >= 50)  # 50 rows of weight 0
    d = poststratify(base, ["a", "b"], cells, column="Freq")
    assert d.adjustments[0]._parts[0] is not d.weights
    y = frame["y"].to_numpy()
    _cells_equal_dense(d, y)
    # raking a domain: base weights 0 outside it (x/w0 is taken as 0 there, as R)
    margins = {"a": (frame.groupby("a").size() * 9).to_dict(), "b": (frame.groupby("b").size() * 9).to_dict()}
    _cells_equal_dense(rake(base, margins), y)


def test_clustered_and_gregged_designs_use_the_primitive_on_psu_totals(frame):
    from fjernarbeid.survey import design as design_module

    designs = _designs(frame)
    y = frame["y"].to_numpy()
    for name in ("clusters", "two-stage", "clusters+poststratify", "srs+calibrate"):
        assert design_module._vcov_from_cells(designs[name], _shares(designs[name], y)) is None


def test_influence_sums_and_stacking_match_the_matrix(frame):
    y = frame["y"].to_numpy()
    w = frame["w"].to_numpy()
    a = Influence.of(w, y, np.arange(10.0).reshape(5, 2))
    b = Influence.wrap(np.column_stack([w * frame["x"], -w]))
    resid = a.minus(w, frame["a"].to_numpy(), np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]]))
    assert len(resid.scales) == 1  # the same weights array: no second scale
    for f in (a, b, resid, Influence.hstack([a, b, resid])):
        x = f.dense()
        codes = frame["b"].to_numpy()
        np.testing.assert_allclose(f.group_sums(codes, 4), np.array([x[codes == c].sum(axis=0) for c in range(4)]),
                                   rtol=1e-13)
        np.testing.assert_allclose(f.total(), x.sum(axis=0), rtol=1e-13)
        np.testing.assert_allclose(f.gram(w), (x * w[:, None]).T @ x, rtol=1e-12)
        np.testing.assert_array_equal(np.asarray(f), x)
    np.testing.assert_allclose(resid.dense(), a.dense() - w[:, None] * np.array([[1.0, 2.0], [3.0, 4.0], [5.0, 6.0]])
                               [frame["a"].to_numpy()], rtol=1e-15)


def test_shares_totals_and_domains_hand_the_primitive_factored_values(frame, monkeypatch):
    """svyprop, a factor's totals and svyby(covmat=True) pass an Influence (no n × k matrix), and
    their standard errors are those of the dense influence values."""
    design = _designs(frame)["strata+poststratify"]
    seen = []
    original = SurveyDesign.vcov_total

    def spy(self, x, overwrite=False):
        seen.append(type(x).__name__)
        return original(self, x, overwrite)

    monkeypatch.setattr(SurveyDesign, "vcov_total", spy)
    props = svyprop(design, "y")
    totals = svytotal(design, "y", factor=True)
    by = svyby(design, svyprop, "a", "y", covmat=True)
    assert seen == ["Influence"] * 6  # 1 + 1 + 3 domains + the stacked
    monkeypatch.setattr(SurveyDesign, "vcov_total", original)
    y = frame["y"].to_numpy()
    w = design.weights
    dense = (w / w.sum())[:, None] * ((y[:, None] == np.arange(5)) - props.estimate)
    np.testing.assert_allclose(props.vcov, design.vcov_total(dense), rtol=1e-10, atol=1e-18)
    np.testing.assert_allclose(totals.vcov, design.vcov_total(w[:, None] * (y[:, None] == np.arange(5))),
                               rtol=1e-10)
    blocks = []
    for level in range(3):
        dom = design.domain(frame["a"].to_numpy() == level)
        wd = dom.weights
        blocks.append((wd / wd.sum())[:, None] * ((y[:, None] == np.arange(5)) - svyprop(dom, "y").estimate))
    np.testing.assert_allclose(by.vcov, design.vcov_total(np.column_stack(blocks)), rtol=1e-9, atol=1e-17)
    # a mean's influence values (one column) go the dense way and are unchanged
    m = svymean(design, "x")
    x = frame["x"].to_numpy()
    assert m.se == pytest.approx(float(np.sqrt(design.vcov_total((w * (x - m.estimate) / w.sum())[:, None])[0, 0])),
                                 rel=1e-14)


def _models(design: SurveyDesign) -> dict[str, np.ndarray]:
    from fjernarbeid.survey import svycor, svyglm, svyolr

    out = {}
    for family, outcome in (("gaussian", "x"), ("binomial", "hit")):
        fit = svyglm(design, f"{outcome} ~ C(a) + b", family=family)
        out[family] = np.concatenate([fit.coefficients.to_numpy(), fit.vcov.to_numpy().ravel(), [fit.deviance]])
    olr = svyolr(design, "y ~ C(a) + b")
    out["olr"] = np.concatenate([olr.coefficients.to_numpy(), olr.zeta.to_numpy(), olr.vcov.to_numpy().ravel()])
    for method in ("pearson", "spearman"):
        r = svycor(design, "a", "y", method=method)
        out[method] = np.array([r.estimate, r.se])
    return out


@pytest.mark.parametrize("name", ["strata+poststratify", "clusters+rake", "srs"])
def test_models_on_cells_equal_the_fit_on_rows(frame, name, monkeypatch):
    """With categorical predictors (N ≥ 1000 rows, few distinct rows of the model matrix) svyglm,
    svyolr and svycor fit on the cells' sums and pass factored influence values; estimates, SEs and
    deviances are those of the row-by-row fit (svychisq's factored values: test_association against R)."""
    from fjernarbeid.survey import models

    df = frame.assign(hit=(frame["y"] >= 2).astype(float))
    design = _designs(df)[name] if name != "srs" else svydesign(df, "w")
    calls = []
    original = models._cells
    monkeypatch.setattr(models, "_cells", lambda x: calls.append(x.shape) or original(x))
    import fjernarbeid.survey.association as association

    monkeypatch.setattr(association, "_cells", models._cells)
    on_cells = _models(design)
    # svycor's Spearman correlation takes its cells from the pairs of its ridits' codes, not from _cells
    assert len(calls) == 4 and all(shape[0] == N for shape in calls)
    monkeypatch.setattr(models, "_CELLS_FROM_ROWS", 10**9)  # every fit row by row
    on_rows = _models(design)
    for key, values in on_rows.items():
        np.testing.assert_allclose(on_cells[key], values, rtol=1e-9, atol=1e-13, err_msg=key)


def test_cells_are_found_only_when_rows_repeat():
    from fjernarbeid.survey.models import _cells

    rng = np.random.default_rng(3)
    coded = rng.integers(0, 4, (5000, 3)).astype(float)
    cell, distinct, count = _cells(coded)
    np.testing.assert_array_equal(distinct[cell], coded)
    assert count.sum() == 5000 and len(distinct) == len(np.unique(coded, axis=0))
    assert _cells(rng.normal(size=(5000, 2))) is None  # continuous: as many cells as rows
    assert _cells(coded[:500]) is None  # small data: the rows themselves
    with_nan = coded.copy()
    with_nan[7, 1] = np.nan
    assert _cells(with_nan) is None


@pytest.mark.parametrize("name", ["srs", "strata", "clusters", "two-stage", "srs+poststratify", "strata+rake",
                                  "clusters+poststratify", "clusters+rake", "srs+calibrate"])
def test_means_of_several_groups_at_once_equal_one_mean_per_group(frame, name):
    """svymean_groups gives each group what svymean gives on its domain: on a calibrated design from
    one factored matrix of all groups' influence values, otherwise one svymean per group."""
    from fjernarbeid.survey import svymean_groups

    design = _designs(frame)[name].domain(frame["st"].to_numpy() != 2)
    groups = [frame["y"].to_numpy() == c for c in range(5)] + [np.zeros(N, dtype=bool)]
    for offset in (0.0, 1e6):  # values far from 0 (a year, an income) lose no digits
        x = frame["x"].to_numpy() + offset
        x[::7] = np.nan  # missing answers are left out of every group
        d = replace(design, data=design.data.assign(xm=x))
        together = svymean_groups(d, "xm", groups)
        assert together[-1] is None  # an empty group has no mean
        for mask, got in zip(groups[:-1], together):
            alone = svymean(d.domain(mask), "xm")  # its df counts the rows without an answer too
            assert (got.n_unweighted, got.df) == (alone.n_unweighted, alone.df)
            for field in ("estimate", "se", "ci_low", "ci_high", "deff", "weighted_base"):
                assert getattr(got, field) == pytest.approx(getattr(alone, field), rel=1e-10), field


@pytest.mark.parametrize("name", ["srs", "strata", "clusters", "two-stage", "srs+poststratify", "strata+rake",
                                  "clusters+rake", "srs+calibrate"])
@pytest.mark.parametrize("ci", ["logit", "beta", "wilson"])
def test_the_share_of_several_categories_equals_svyprop_of_their_indicator(frame, name, ci):
    from fjernarbeid.survey import svyprop_union

    design = _designs(frame)[name].domain(frame["a"].to_numpy() != 0)
    y = frame["y"].to_numpy().astype(float)
    y[::9] = np.nan
    union = np.where(np.isnan(y), np.nan, np.isin(y, [1.0, 3.0, 4.0]).astype(float))
    d = replace(design, data=design.data.assign(ym=y, union=union))
    d = d.domain(~np.isnan(y))
    props = svyprop(d, "ym", categories=[0.0, 1.0, 2.0, 3.0, 4.0], ci=ci)
    got = svyprop_union(props, [1, 3, 4], d)
    want = svyprop(d, "union", categories=[0.0, 1.0], ci=ci)[1.0]
    assert (got.n_unweighted, got.df, got.ci_method) == (want.n_unweighted, want.df, want.ci_method)
    for field in ("estimate", "se", "ci_low", "ci_high", "deff", "weighted_base"):
        assert getattr(got, field) == pytest.approx(getattr(want, field), rel=1e-10), field


@pytest.mark.parametrize("name", ["srs", "srs+poststratify", "strata+rake", "clusters"])
def test_groups_given_as_an_index_equal_the_groups_given_as_masks(frame, name):
    """svymean_groups and svyttest_groups take the groups as each row's group number (GroupIndex, the values of
    one variable) as well as boolean masks: the same estimates."""
    from fjernarbeid.survey import svymean_groups
    from fjernarbeid.survey.compare import svyttest_groups
    from fjernarbeid.survey.estimate import GroupIndex

    design = _designs(frame)[name].domain(frame["st"].to_numpy() != 2)
    y = frame["y"].to_numpy().astype(float)
    y[::11] = np.nan  # a value that is in no group
    index = GroupIndex.of_values(y, [0.0, 1.0, 2.0, 3.0, 4.0])
    assert [m.tolist() for m in index.masks()] == [(y == c).tolist() for c in range(5)]
    by_index = svymean_groups(design, "x", index)
    by_masks = svymean_groups(design, "x", index.masks())
    assert [e.estimate for e in by_index] == pytest.approx([e.estimate for e in by_masks], rel=1e-12)
    assert [e.se for e in by_index] == pytest.approx([e.se for e in by_masks], rel=1e-12)
    two = GroupIndex(np.where(y == 1, 0, np.where(y == 3, 1, -1)), 2)
    diff, means = svyttest_groups(design, "x", two)
    diff_masks, _ = svyttest_groups(design, "x", tuple(two.masks()))
    assert (diff.estimate, diff.se, diff.df) == pytest.approx((diff_masks.estimate, diff_masks.se, diff_masks.df), rel=1e-12)

import pytest

from fjernarbeid.findings.projection import ProjectionBase, default_base, project


def test_default_base_is_40_to_50_percent_of_employed_persons():
    base = default_base()
    assert base.low == pytest.approx(0.40 * 2_863_316)
    assert base.high == pytest.approx(0.50 * 2_863_316)
    assert "Ingelsrud" in base.source


def test_the_issues_worked_example():
    # "15 % (95 % CI 12-18 %) of 1.15-1.43 million ⇒ 140,000-260,000 workers"
    p = project(0.15, (0.12, 0.18))
    assert round(p.low, -4) == 140_000
    assert round(p.high, -4) == 260_000
    assert p.central == pytest.approx(0.15 * 0.45 * 2_863_316)


def test_the_reports_one_third_projection():
    # "ca. 1/3 … tilsvarer et sted mellom 400.000 og en halv million arbeidstakere" (1.2-1.4 million base)
    base = ProjectionBase("report", 1.2e6, 1.4e6, "report")
    p = project(1 / 3, (1 / 3, 1 / 3), base)
    assert (p.low, round(p.high)) == (400_000, 466_667)


def test_small_groups_warn_and_bad_intervals_fail():
    assert "too wide" in project(0.2, (0.1, 0.3), n_unweighted=20).warning
    assert project(0.2, (0.1, 0.3), n_unweighted=400).warning is None
    with pytest.raises(ValueError):
        project(0.2, (0.25, 0.3))

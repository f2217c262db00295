from fjernarbeid.findings.verdict import (
    AGREES, DIFFERS, NOT_COMPUTED, check_association, check_exact, check_interval, check_share, check_value, overall,
)


def test_approx_share_uses_the_ci_and_the_reports_rounding():
    assert check_share("agree", {"comparator": "approx", "value": 62}, 0.60, (0.55, 0.615)).ok  # 61.5 reaches 62 - 0.5
    assert not check_share("agree", {"comparator": "approx", "value": 62}, 0.55, (0.50, 0.61)).ok


def test_one_sided_shares():
    assert check_share("x", {"comparator": "gt", "value": 50}, 0.51, (0.46, 0.56)).ok
    assert not check_share("x", {"comparator": "gt", "value": 50}, 0.49, (0.44, 0.54)).ok
    assert check_share("x", {"comparator": "lt", "value": 25}, 0.22, (0.15, 0.30)).ok


def test_associations_need_sign_and_significance_to_match():
    pub = {"expect": "negative", "significant": True}
    assert check_association("r", pub, -0.3, 0.001).ok
    assert not check_association("r", pub, 0.3, 0.001).ok
    assert not check_association("r", pub, -0.05, 0.20).ok
    assert check_association("r", {"significant": False}, 0.02, 0.6).ok


def test_intervals_counts_and_values():
    assert check_interval("w", {"comparator": "range", "low": 400000, "high": 500000}, 380000, 420000).ok
    assert check_interval("w", {"comparator": "approx_count", "value": 200000}, 140000, 260000).ok
    assert not check_interval("w", {"comparator": "approx_count", "value": 200000}, 210000, 260000).ok
    assert check_exact("contacts", 1074, 1074).ok and not check_exact("contacts", 1074, 1073).ok
    assert check_value("alpha", {"comparator": "ge", "value": 0.7}, 0.78).ok


def test_overall_never_passes_what_was_not_computed():
    ok = check_exact("a", 1, 1)
    bad = check_exact("a", 1, 2)
    missing = check_share("x", {"value": 3}, None, None)
    assert overall([ok]) == AGREES
    assert overall([ok, bad]) == DIFFERS
    assert overall([ok, missing]) == NOT_COMPUTED
    assert overall([]) == NOT_COMPUTED

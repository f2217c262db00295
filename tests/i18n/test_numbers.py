"""Numbers as the language writes them, with the same decimals on both ends of an interval."""

from fjernarbeid.i18n import fmt_ci


def test_an_interval_has_the_same_decimals_at_both_ends():
    # '6,9–12 %' reads as two different precisions; an end under 10 % gives both ends one decimal
    assert fmt_ci(0.069, 0.12, "nb") == "6,9–12,0\u00a0%"
    assert fmt_ci(0.26, 0.33, "nb") == "26–33\u00a0%"
    assert fmt_ci(0.26, 0.33, "en", decimals=1) == "26.0–33.0\u00a0%"
    assert fmt_ci(0.069, 0.12, "nb", decimals=1) == "6,9–12,0\u00a0%"


def test_a_chart_data_table_writes_its_interval_as_precisely_as_its_share(demo_results, instrument):
    from fjernarbeid.report.view import build_view

    view = build_view(demo_results, instrument, lang="nb")
    tables = [c.data for s in view.sections for f in s.findings for c in f.charts
              if c.data is not None and c.data.headers[1:] == ["Vektet %", "95 % KI"]]
    assert tables
    for table in tables:
        for _label, share, ci in table.rows:
            assert share.count(",") == 1 and ci.count(",") == 2, (share, ci)


def test_an_interval_with_a_negative_end_is_written_with_a_word_not_a_dash():
    """'-0,40–-0,23' reads as a subtraction; Norwegian writes 'fra … til' for negative numbers."""
    from fjernarbeid.i18n import fmt_interval

    assert fmt_interval(0.742, 1.573, "nb", 2) == "0,74–1,57"
    assert fmt_interval(-0.397, -0.231, "nb", 2) == "-0,40 til -0,23"
    assert fmt_interval(-0.2, 0.3, "nn", 1) == "-0,2 til 0,3"
    assert fmt_interval(-0.2, 0.3, "en", 1) == "-0.2 to 0.3"

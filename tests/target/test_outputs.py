"""How the target chapter prints numbers and draws its charts."""

from __future__ import annotations

import re

from fjernarbeid.target.outputs import bar_chart, fmt_num


def test_a_difference_that_rounds_to_zero_is_printed_without_a_minus_sign():
    assert fmt_num(-0.4, "nn", 0) == "0"
    assert fmt_num(-0.4, "en", 0) == "0"
    assert fmt_num(-1.4, "nb", 0) == "−1"


def test_a_chart_has_an_accessible_name():
    svg = bar_chart([{"name": "Voss", "potential": 120, "ci_low": 80, "ci_high": 170}], lambda r: r["name"],
                    lang="nn", title="Potensial & KI")
    assert 'role="img"' in svg and 'aria-label="Potensial &amp; KI"' in svg
    assert re.search(r"<title>Potensial &amp; KI</title>", svg)


def test_every_chart_of_the_demo_chapter_is_named_in_its_language(target_doc):
    from fjernarbeid.target.outputs import render_section

    html = render_section(target_doc, "nn")
    labels = re.findall(r'<svg[^>]*aria-label="([^"]*)"', html)
    assert labels and all(labels)
    assert any("Kvar bur dei?" in label for label in labels)
    # two target groups draw the same kinds of chart: each chart's name says whose it is
    assert len(set(labels)) == len(labels), labels
    assert "−0 (" not in html


def test_csv_tables_write_rounded_counts_as_whole_numbers(target_doc):
    import csv
    import io

    from fjernarbeid.target.outputs import _csv, municipality_table

    move = next(o for o in target_doc["outcomes"] if o["name"] == "move")
    text = _csv(*municipality_table(move, "nb"), caveat="syntetisk")
    lines = text.splitlines()
    assert lines[0] == "# syntetisk"  # the caveat travels with the table
    rows = list(csv.DictReader(io.StringIO("\n".join(lines[1:]))))
    shown = [r for r in rows if r["status"] != "suppressed"]
    assert shown and all(r["potential"].isdigit() and r["ci_low"].isdigit() for r in shown)
    assert all("." in r["propensity"] or r["propensity"] in ("0", "1") for r in shown)

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
    assert any("kommunane med størst potensial" in label for label in labels)
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


def test_the_chapters_captions_are_numbered_on_and_in_nynorsk(target_doc):
    """Chapter 4.5 in a report: its figures and tables numbered from where the report has come to, each with a
    caption and a source line in the report's language — nynorsk words in a nynorsk report, never bokmål."""
    import lxml.html

    from fjernarbeid.target.outputs import render_section

    chapter = render_section(target_doc, "nn", first_figure=20, first_table=30, source="undersoking.csv")
    page = lxml.html.fromstring(str(chapter))
    figures = [" ".join(c.text_content().split()) for c in page.xpath("//figcaption")]
    tables = [" ".join(c.text_content().split()) for c in page.xpath("//table/caption")]
    sources = [" ".join(p.text_content().split()) for p in page.xpath('//p[@class="source"]')]
    assert [f.split(".")[0] for f in figures] == [f"Figur {n}" for n in range(20, 20 + len(figures))]
    assert [t.split(".")[0] for t in tables] == [f"Tabell {n}" for n in range(30, 30 + len(tables))]
    assert len(figures) >= 4 and len(tables) >= 8 and len(sources) == len(figures) + len(tables)
    assert all(re.fullmatch(r"Kjelde: undersoking\.csv\. n = \d+ \(uvekta\)\.", s) for s in sources), sources
    said = " ".join(figures + tables)
    assert "kommunane med størst potensial" in said and "Anslått tal på personar" in said and "dei 10 høgaste" in said
    for bokmaal in ("kommunene", "antall personer", "høyeste", "Kilde", "uvektet", "segmentene"):
        assert bokmaal not in said + " ".join(sources), bokmaal
    # the charts for Word: one per figure, numbered and captioned as the HTML, with the same source line
    assert [c.number for c in chapter.charts] == list(range(20, 20 + len(figures)))
    assert [f"Figur {c.number}. {c.caption}" for c in chapter.charts] == figures
    assert all(c.source in sources and c.n > 0 for c in chapter.charts)
    assert {c.function for c in chapter.charts} == {"interval_bars"}
    assert chapter.tables == len(tables)

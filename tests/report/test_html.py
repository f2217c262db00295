"""The HTML report: self-contained, every finding present, charts drawn, small cells suppressed."""

import re
import shutil
import subprocess
from pathlib import Path

import pytest

from fjernarbeid.report.html import render_html, render_view


@pytest.fixture(scope="module")
def view_nb(demo_results, instrument):
    from fjernarbeid.report.view import build_view

    return build_view(demo_results, instrument, lang="nb")


@pytest.fixture(scope="module")
def html_nb(demo_results, instrument):
    return render_html(demo_results, instrument, lang="nb")


def test_report_is_self_contained(html_nb):
    # no script, stylesheet, image or font fetched from anywhere
    assert not re.search(r'(src|href)="(https?:)?//', html_nb)
    assert "<script" not in html_nb and "@import" not in html_nb
    assert not re.search(r"url\((?!#)", html_nb)  # only references inside the page, e.g. SVG clip paths


def test_every_finding_and_section_is_there(html_nb, demo_results):
    for f in demo_results.findings:
        assert f'id="{f.id}"' in html_nb
    for heading in ("Kjennetegn ved respondentene", "3.2.3 Betydning av tilstedeværelse", "Vedlegg A: Metode",
                    "Vedlegg B: Spørreskjema", "SYNTETISKE DATA"):
        assert heading in html_nb
    assert html_nb.count("<svg") >= 12  # Likert blocks, distributions, group comparisons, the donut effect


def test_questionnaire_appendix_lists_routing_and_screening(html_nb):
    # routing in words, never as the instrument's expression (q12 &lt; 6)
    assert "Stilles hvis: spm. 12 er «Hver dag», «3-4 dager i uken»" in html_nb and "q12 &lt; 6" not in html_nb
    assert "Avslutter intervjuet" in html_nb
    assert "leses ikke opp" in html_nb


def test_english_report(html_en):
    html = html_en
    assert '<html lang="en">' in html and "Appendix B: Questionnaire" in html and "SYNTHETIC DATA" in html


def test_small_cells_are_suppressed(demo_results, instrument):
    import copy

    demo_results = copy.deepcopy(demo_results)
    table = demo_results.respondents[0]
    idx = {c: i for i, c in enumerate(table.columns)}
    small = [r for r in table.rows if r[idx["n_unweighted"]] < 5]
    if not small:  # make one: pretend a category has 3 respondents
        row = list(table.rows[0])
        row[idx["n_unweighted"]], row[idx["suppressed"]] = 3, True
        table.rows.append(row)
    html = render_html(demo_results, instrument, lang="nb", min_cell=5)
    # Statistics Norway's symbol ':' in every hidden cell (the small one and the one hidden with it), never
    # '–' (SSB's 'nothing to report') nor '< 5'; the note says what it means
    assert html.count('<td class="num">:</td>') >= 6
    assert "&lt; 5" not in html
    assert ": Vises ikke av personvernhensyn: færre enn 5 respondenter" in html


CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")


@pytest.mark.skipif(CHROMIUM is None, reason="headless Chromium is not installed (Debian package 'chromium'); "
                                            "the browser check of report.html is skipped")
def test_report_renders_in_headless_chromium(tmp_path, html_nb):
    """Open the report offline in Chromium, fail on console errors, and check every chart is visible."""
    page = tmp_path / "report.html"
    page.write_text(html_nb, encoding="utf-8")
    # a tiny script appended to a copy of the page reports console errors and chart sizes in the title
    probe = html_nb.replace("</body>", """<script>
      const errors = [];
      window.addEventListener('error', e => errors.push(String(e.message)));
      window.addEventListener('load', () => {
        const charts = [...document.querySelectorAll('figure svg.chart')];
        const hidden = charts.filter(s => { const r = s.getBoundingClientRect(); return r.width < 50 || r.height < 30; });
        document.title = 'PROBE charts=' + charts.length + ' hidden=' + hidden.length + ' errors=' + errors.length;
      });
    </script></body>""")
    probe_page = tmp_path / "probe.html"
    probe_page.write_text(probe, encoding="utf-8")
    flags = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking", "--no-first-run",
             "--disable-component-update", "--disable-sync", f"--user-data-dir={tmp_path / 'profile'}"]
    dom = subprocess.run([CHROMIUM, *flags, "--enable-logging=stderr", "--v=0", "--dump-dom", probe_page.as_uri()],
                         capture_output=True, text=True, timeout=120)
    title = re.search(r"<title>(PROBE[^<]*)</title>", dom.stdout)
    assert title, dom.stderr[-2000:]
    charts, hidden, errors = (int(x) for x in re.findall(r"=(\d+)", title.group(1)))
    assert charts >= 12 and hidden == 0 and errors == 0, title.group(1)
    console_errors = [line for line in dom.stderr.splitlines() if "CONSOLE" in line and "ERROR" in line.upper()]
    assert not console_errors, console_errors
    shot = tmp_path / "report.png"
    subprocess.run([CHROMIUM, *flags, "--window-size=1200,2400", f"--screenshot={shot}", page.as_uri()],
                   capture_output=True, timeout=120)
    assert shot.exists() and shot.stat().st_size > 50_000
    docs = Path(__file__).resolve().parents[2] / "docs"
    assert (docs / "report-screenshot.png").exists(), "keep a current screenshot of the demo report in docs/"


def test_contents_list_every_chapter_once_numbered_by_its_own_title(view_nb):
    """The list of contents shows a chapter's own number ('3.2.2 Dagens arbeidssituasjon'), not a list number in
    front of it ('3. 3.2.2 …'), and names a finished chapter added to the report (4.5) with the others."""
    import lxml.html

    chapter = '<section class="target" id="malgrupper"><h2>4.5 Målgrupper</h2><p>…</p></section>'
    html = render_view(view_nb, extra_sections=(chapter,))
    nav = lxml.html.fromstring(html).xpath("//nav")[0]
    entries = [(a.get("href"), a.text_content()) for a in nav.xpath(".//a")]
    assert ("#malgrupper", "4.5 Målgrupper") in entries
    assert [href for href, _ in entries][-3:] == ["#malgrupper", "#methods", "#questionnaire"]
    assert not nav.xpath(".//ol"), "a numbered list would put '3.' in front of '3.2.2'"

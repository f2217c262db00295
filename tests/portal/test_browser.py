"""The portal in a real browser: Debian's headless Chromium driven by Playwright, against the demo network
served by `fjernarbeid portal demo`; accessibility checked with axe-core (axe-playwright-python)."""

from __future__ import annotations

import datetime as dt
import shutil
import subprocess
from pathlib import Path

import pytest

from .conftest import PYTHON, free_port, portal_env, wait_for_port

CHROMIUM = Path("/usr/bin/chromium")
PASSWORD = "demo-passord-2025"
MAIN_PAGES = ["/", "/spaces/eksempel-odda/", "/events/", "/interest/", "/coverage/", "/login/", "/register/",
              "/privacy/", "/open-data/"]

pytestmark = pytest.mark.skipif(not CHROMIUM.exists() or shutil.which("chromium") is None,
                                reason="Chromium from Debian (/usr/bin/chromium) is not installed")


@pytest.fixture(scope="module")
def demo_server(tmp_path_factory):
    data = tmp_path_factory.mktemp("browser-demo")
    port = free_port()
    proc = subprocess.Popen([PYTHON, "-m", "fjernarbeid", "portal", "demo", "--port", str(port), "--tiles", "",
                             "--db", str(data / "demo.sqlite3")], env=portal_env(data / "data"),
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        wait_for_port(port, proc, timeout=120)
        yield f"http://127.0.0.1:{port}"
    finally:
        proc.terminate()
        proc.wait(timeout=30)


@pytest.fixture(scope="module")
def browser():
    playwright_api = pytest.importorskip("playwright.sync_api")
    with playwright_api.sync_playwright() as p:
        chromium = p.chromium.launch(executable_path=str(CHROMIUM), args=["--no-sandbox", "--disable-gpu"])
        yield chromium
        chromium.close()


@pytest.fixture
def page(browser):
    context = browser.new_context(locale="nn-NO", viewport={"width": 1280, "height": 900})
    page = context.new_page()
    page.set_default_timeout(20_000)
    yield page
    context.close()


def login(page, base: str, user: str) -> None:
    page.goto(f"{base}/login/")
    page.fill("#id_username", user)
    page.fill("#id_password", PASSWORD)
    page.click("main button[type=submit]")
    page.wait_for_url(f"{base}/")


def logout(page) -> None:
    page.click("header form button.link")


def test_map_shows_a_marker_for_every_space_and_a_plain_fallback(page, demo_server):
    page.goto(demo_server + "/")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".leaflet-marker-icon").count() == 8
    assert page.locator(".space-card").count() == 8
    assert "enkel bakgrunn" in page.inner_text("#map-status")  # no tile server configured: plain background


def test_search_narrows_the_list_and_the_markers(page, demo_server):
    page.goto(demo_server + "/")
    page.fill("#id_q", "Odda")
    page.click("form.search button[type=submit]")
    page.wait_for_url("**/?q=Odda*")
    page.wait_for_selector(".leaflet-marker-icon")
    assert page.locator(".space-card").count() == 1
    assert page.locator(".leaflet-marker-icon").count() == 1
    page.click(".space-card a")
    assert page.inner_text("h1").startswith("Eksempelverket Odda")


def _next_tuesday(after_days: int) -> str:
    day = dt.date.today() + dt.timedelta(days=after_days)
    while day.isoweekday() != 2:
        day += dt.timedelta(days=1)
    return day.isoformat()


NN_MONTHS = ["januar", "februar", "mars", "april", "mai", "juni", "juli", "august", "september", "oktober",
             "november", "desember"]


def _nn_date(iso: str) -> str:
    """A date as the nynorsk pages write it: 22. desember 2026."""
    day = dt.date.fromisoformat(iso)
    return f"{day.day}. {NN_MONTHS[day.month - 1]} {day.year}"


def test_member_books_a_guest_day_and_the_host_confirms_it(page, demo_server):
    day = _next_tuesday(15)
    shown = _nn_date(day)
    login(page, demo_server, "medlem1@example.org")
    page.goto(demo_server + "/spaces/eksempel-odda/")
    page.click("a[href$='/book/']")
    page.fill("#id_day", day)
    page.fill("#id_note", "Treng eit cellekontor")
    page.click("main button[type=submit]")
    page.wait_for_url("**/me/")
    row = page.locator("tr", has_text=shown)
    assert "førespurd" in row.inner_text()
    logout(page)

    login(page, demo_server, "vert.odda@example.org")
    page.goto(demo_server + "/me/")
    page.locator("tr", has_text=shown).locator("button[value=confirm]").click()
    page.wait_for_url("**/me/")
    assert "stadfesta" in page.inner_text(".messages")
    logout(page)

    login(page, demo_server, "medlem1@example.org")
    page.goto(demo_server + "/me/")
    assert "stadfesta" in page.locator("tr", has_text=shown).inner_text()


def test_signing_up_for_an_event_takes_a_place(page, demo_server):
    login(page, demo_server, "medlem2@example.org")
    page.goto(demo_server + "/events/")
    page.click("text=Kurs: Leiing av distribuerte team")
    before = page.inner_text("#places")
    page.click("main form button[type=submit]")
    page.wait_for_selector(".messages")
    after = page.inner_text("#places")
    assert int(after.split()[0]) == int(before.split()[0]) - 1


def test_language_switch(page, demo_server):
    page.goto(demo_server + "/")
    assert page.inner_text("h1") == "Kontorfellesskap i Hardanger"
    assert page.get_attribute("html", "lang") == "nn"
    page.select_option("#language", "en")
    page.click("form.language button")
    page.wait_for_load_state()
    assert page.inner_text("h1") == "Coworking spaces in Hardanger"
    page.select_option("#language", "nb")
    page.click("form.language button")
    page.wait_for_load_state()
    assert page.get_attribute("html", "lang") == "nb"
    assert "Søk i kontorfellesskap" == page.get_attribute("form.search", "aria-label")


def test_no_serious_accessibility_violations(page, demo_server):
    from axe_playwright_python.sync_playwright import Axe

    axe = Axe()
    found = {}
    login(page, demo_server, "radet@example.org")  # the council sees every page, with its forms
    for path in MAIN_PAGES + ["/me/", "/dashboard/", "/council/interest/", "/events/1/"]:
        page.goto(demo_server + path)
        results = axe.run(page)
        serious = [v["id"] for v in results.response["violations"] if v["impact"] in ("serious", "critical")]
        if serious:
            found[path] = serious
    assert found == {}


def test_pages_reflow_at_320_css_pixels(browser, demo_server):
    """WCAG 1.4.10: at 320 px wide no page scrolls sideways (a data table scrolls inside its own box)."""
    context = browser.new_context(locale="nn-NO", viewport={"width": 320, "height": 640})
    page = context.new_page()
    page.set_default_timeout(20_000)
    try:
        login(page, demo_server, "radet@example.org")
        wide = {}
        for path in MAIN_PAGES + ["/me/", "/dashboard/", "/council/interest/", "/council/audit/", "/events/1/",
                                  "/spaces/eksempel-odda/use/", "/spaces/eksempel-odda/edit/", "/no-such-page/"]:
            page.goto(demo_server + path)
            width = page.evaluate("document.documentElement.scrollWidth")
            if width > 320:
                wide[path] = width
        assert wide == {}
    finally:
        context.close()

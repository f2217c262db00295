"""Screenshots of the portal's main pages (docs/portal/*.png), from a running demo network.

Usage (from the repository root)::

    .venv/bin/fjernarbeid portal demo --port 8771 --tiles "" &
    .venv/bin/python scripts/portal_screenshots.py http://127.0.0.1:8771 docs/portal

Headless Chromium from Debian (/usr/bin/chromium), driven by Playwright. The map shows the plain background
(no tile server is reachable from the build machine).
"""

from __future__ import annotations

import sys
from pathlib import Path

from playwright.sync_api import sync_playwright

PASSWORD = "demo-passord-2025"
# file name, path, account (None: not logged in), browser language[, window width (default 1280)]
SHOTS = [
    ("home-nn.png", "/", None, "nn-NO"),
    ("home-en.png", "/?municipality=4622", None, "en-GB"),
    ("space-nn.png", "/spaces/eksempel-odda/", None, "nn-NO"),
    ("events-nb.png", "/events/", None, "nb-NO"),
    ("interest-nn.png", "/interest/", None, "nn-NO"),
    ("coverage-nn.png", "/coverage/", None, "nn-NO"),
    ("host-inbox-nn.png", "/me/", "vert.alvik@example.org", "nn-NO"),
    ("dashboard-nn.png", "/dashboard/", "radet@example.org", "nn-NO"),
    ("space-320px-nn.png", "/spaces/eksempel-odda/", None, "nn-NO", 320),  # reflow: a phone held upright
]


def main(base: str, out: Path) -> None:
    out.mkdir(parents=True, exist_ok=True)
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=["--no-sandbox", "--disable-gpu"])
        for name, path, account, locale, *width in SHOTS:
            context = browser.new_context(locale=locale, viewport={"width": (width or [1280])[0], "height": 900})
            page = context.new_page()
            if account:
                page.goto(base + "/login/")
                page.fill("#id_username", account)
                page.fill("#id_password", PASSWORD)
                page.click("main button[type=submit]")
                page.wait_for_url(base + "/")
            page.goto(base + path)
            page.wait_for_load_state("networkidle")
            page.screenshot(path=str(out / name), full_page=True)
            context.close()
            print(out / name)
        browser.close()


if __name__ == "__main__":
    main(sys.argv[1].rstrip("/"), Path(sys.argv[2]))

"""Fixtures of the report tests: renderings several test files read."""

from __future__ import annotations

import pytest


@pytest.fixture(scope="session")
def html_en(demo_results, instrument) -> str:
    """The demo's report in English as render_html makes it, its charts drawn in this process."""
    from fjernarbeid.report.html import render_html

    return render_html(demo_results, instrument, lang="en")


@pytest.fixture(scope="session")
def pdf_nb(demo_results, instrument, tmp_path_factory):
    """The PDF write_pdf makes from the results (its own view), in bokmål, printed in this process."""
    from fjernarbeid.report.pdf import write_pdf

    return write_pdf(demo_results, instrument, tmp_path_factory.mktemp("pdf") / "report.pdf", lang="nb")

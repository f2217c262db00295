"""Fixtures for the interview tests: small transcripts written on the fly, and one demo run per session."""

from __future__ import annotations

import pytest

from fjernarbeid.interviews.transcript import Interview, Turn


def _make_interview(iv_id: str, informant: str, texts: list[str], attributes: dict | None = None) -> Interview:
    """An interview alternating interviewer questions and informant answers (texts are the answers)."""
    turns, n = [], 0
    for i, text in enumerate(texts):
        n += 1
        turns.append(Turn(n, "Intervjuer", "interviewer", f"Spørsmål {i + 1}?", start=10.0 * n))
        n += 1
        turns.append(Turn(n, informant, "informant", text, start=10.0 * n))
    return Interview(id=iv_id, source=f"{iv_id}.vtt", turns=tuple(turns), attributes=attributes or {},
                     pseudonymised=True)


@pytest.fixture(scope="session")
def make_interview():
    return _make_interview


@pytest.fixture(scope="session")
def ivs(make_interview):
    """Two small pseudonymised interviews (4 and 2 turns)."""
    return [make_interview("Informant_1", "Informant 1", ["Jeg har hjemmekontor og stoler på lederen.", "Nei."]),
            make_interview("Informant_2", "Informant 2", ["Kontorfellesskapet er sosialt."])]


@pytest.fixture(scope="session")
def demo_run(tmp_path_factory):
    from fjernarbeid.interviews.demo import run_demo

    return run_demo(tmp_path_factory.mktemp("interview-demo"))

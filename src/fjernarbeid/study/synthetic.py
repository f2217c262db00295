"""Synthetic answers for any study: a file to try the whole pipeline on before fieldwork.

:func:`synthesise` draws ``n`` respondents from the questionnaire alone, in interview order: a
code of every single-choice question (the "don't know" codes rarely), one to three codes of a
select-multiple question (an exclusive one alone), a whole number in an integer question's range
(birth years such that the age lies in the study's target ages), a postal code from the study's
list (``synthetic: {postal_codes: {municipality code: [postal codes]}}``, matched to the answer of
the municipality question when there is one), and an occasional comment. Routing is followed
(``ask_if`` evaluated on the answers drawn so far), screen-out codes end the interview, and an
optional question is sometimes left empty. Every value is drawn from a seeded generator, so the
same study and seed give the same file. The data are SYNTHETIC and carry no real person.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

SCREEN_OUT_SHARE = 0.0  # the file holds completed interviews: nobody answers a screen-out code
DONT_KNOW_SHARE = 0.04  # share answering a "don't know" code
OPTIONAL_EMPTY_SHARE = 0.3  # share leaving an optional question empty
COMMENTS = ("Fint å slippe pendling.", "Treg straum på vinteren.", "Ingen kommentar.", "Godt tilbod.")


def _filtered(q, values, parent: pd.Series, rng: np.random.Generator):
    """A cascading select's answers among the choices its filter offers for the earlier answer (a village
    of the municipality given); none where it offers none or the earlier question was not answered."""
    parent_name, allowed = q.choice_filter
    out = pd.array(values, dtype="Int64")
    for i, answer in enumerate(parent.to_numpy(dtype=object)):
        offered = sorted(allowed.get(int(answer), ())) if pd.notna(answer) else []
        if pd.isna(out[i]) or int(out[i]) in q.missing_codes:
            continue  # "don't know" is offered whatever the earlier answer
        out[i] = rng.choice(offered) if offered else pd.NA
    return out


def _draw_codes(q, rng: np.random.Generator, n: int) -> np.ndarray:
    substantive = [c.code for c in q.codes if not c.missing and c.code not in q.screen_out]
    missing = [c.code for c in q.codes if c.missing]
    screen = sorted(q.screen_out)
    # a gently uneven distribution over the substantive codes (not uniform: real answers are not)
    weights = np.linspace(1.6, 0.6, len(substantive)) if substantive else np.array([])
    probs = [*(weights / weights.sum() * (1 - DONT_KNOW_SHARE * bool(missing) - SCREEN_OUT_SHARE * bool(screen)))]
    choices = [*substantive]
    if missing:
        choices += missing
        probs += [DONT_KNOW_SHARE / len(missing)] * len(missing)
    if screen:
        choices += screen
        probs += [SCREEN_OUT_SHARE / len(screen)] * len(screen)
    probs = np.array(probs) / np.sum(probs)
    return rng.choice(np.array(choices), size=n, p=probs)


def _draw_multiple(q, rng: np.random.Generator, n: int) -> np.ndarray:
    ordinary = [c.code for c in q.codes if c.code not in q.exclusive and not c.missing]
    alone = [c.code for c in q.codes if c.code in q.exclusive or c.missing]
    out = np.empty(n, dtype=object)
    for i in range(n):
        if alone and rng.random() < 0.06:
            out[i] = str(rng.choice(alone))
            continue
        k = int(rng.integers(1, min(3, len(ordinary)) + 1))
        picked = sorted(rng.choice(ordinary, size=k, replace=False).tolist())
        out[i] = " ".join(str(c) for c in picked)
    return out


def _clock_times(inst, kind: str, rng, n: int) -> list[str]:
    """ISO times of day ('09:30:00.000+01:00') or date-times in the fieldwork, as KoboToolbox writes them."""
    start = np.datetime64(str(inst.fieldwork_start or "2026-01-01"), "D")
    days = np.datetime_as_string(start + rng.integers(0, 30, size=n).astype("timedelta64[D]"), unit="D")
    minutes = rng.integers(8 * 60, 20 * 60, size=n)
    times = [f"{m // 60:02d}:{m % 60:02d}:00.000+01:00" for m in minutes]
    return times if kind == "time" else [f"{d}T{t}" for d, t in zip(days, times)]


def _locations(kind: str, rng, n: int) -> list[str]:
    """Points (or lines, or closed areas) around 60.4 N 5.3 E, 'lat lon alt accuracy' as KoboToolbox writes them."""
    def point(lat, lon):
        return f"{lat:.6f} {lon:.6f} 0 5"

    out = []
    for _ in range(n):
        lat, lon = 60.4 + rng.normal(0, 0.2), 5.3 + rng.normal(0, 0.3)
        if kind == "geopoint":
            out.append(point(lat, lon))
        elif kind == "geotrace":
            out.append(";".join(point(lat + 0.01 * i, lon) for i in range(3)))
        else:  # a small square, closed
            corners = [(0, 0), (0.01, 0), (0.01, 0.01), (0, 0.01), (0, 0)]
            out.append(";".join(point(lat + a, lon + b) for a, b in corners))
    return out


def synthesise(study, n: int = 300, seed: int = 1) -> pd.DataFrame:
    """``n`` synthetic respondents of ``study`` (module docstring), with the questionnaire's column names."""
    inst = study.instrument
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame({inst.id_variable: np.arange(1, n + 1)})
    ended = np.zeros(n, dtype=bool)  # screened out: no more questions
    settings = study.synthetic or {}
    postal_by_municipality = {str(k): [str(p) for p in v] for k, v in (settings.get("postal_codes") or {}).items()}
    municipality = inst.roles.get("municipality")
    for q in inst.questions:
        asked = ~ended
        if q.ask_if is not None:
            asked &= q.ask_if.evaluate(frame).fillna(False).to_numpy(dtype=bool)
        if not q.required:
            asked &= rng.random(n) >= OPTIONAL_EMPTY_SHARE
        if q.type == "single":
            values = pd.array(_draw_codes(q, rng, n), dtype="Int64")
            if q.choice_filter is not None and q.choice_filter[0] in frame.columns:
                values = _filtered(q, values, frame[q.choice_filter[0]], rng)
        elif q.type == "multiple":
            values = pd.array(_draw_multiple(q, rng, n), dtype=object)
        elif q.type == "integer":
            lo, hi = inst.range_of(q) or (0, 10)
            if q.range_rule == "birth_year":  # ages well inside the target ages
                lo, hi = lo + 1, hi - 1
            values = pd.array(rng.integers(lo, hi + 1, size=n), dtype="Int64")
        elif q.type == "decimal":
            lo, hi = inst.range_of(q) or (0, 10)
            values = pd.array(np.round(rng.uniform(lo, hi, size=n), 2), dtype="Float64")
        elif q.type == "date":  # days of the year after the fieldwork's start (or of 2026)
            start = np.datetime64(str(inst.fieldwork_start or "2026-01-01"), "D")
            days = start + rng.integers(0, 365, size=n).astype("timedelta64[D]")
            values = pd.array(np.datetime_as_string(days, unit="D"), dtype="string")
        elif q.type in ("time", "datetime"):  # during the fieldwork's working days, as the device writes them
            values = pd.array(_clock_times(inst, q.type, rng, n), dtype="string")
        elif q.type in ("geopoint", "geotrace", "geoshape"):  # made-up places: nobody's home
            values = pd.array(_locations(q.type, rng, n), dtype="string")
        elif q.type in ("audio", "image", "video", "file"):
            suffix = {"audio": "m4a", "image": "jpg", "video": "mp4", "file": "pdf"}[q.type]
            values = pd.array([f"{q.name}-{i + 1}.{suffix}" for i in range(n)], dtype="string")
        elif q.type == "postal_code":
            if municipality and municipality in frame.columns and postal_by_municipality:
                answer = frame[municipality].astype("string")
                values = pd.array([rng.choice(postal_by_municipality.get(str(a), sum(postal_by_municipality.values(), [])))
                                   if pd.notna(a) else None for a in answer], dtype="string")
            else:
                pool = sum(postal_by_municipality.values(), []) or ["5600"]
                values = pd.array(rng.choice(pool, size=n), dtype="string")
        else:
            values = pd.array(rng.choice(COMMENTS, size=n), dtype="string")
            asked &= rng.random(n) < 0.25
        column = pd.Series(values).where(pd.Series(asked))
        frame[q.name] = column
        if q.screen_out and q.type == "single":
            ended |= column.isin(list(q.screen_out)).fillna(False).to_numpy(dtype=bool)
    return frame


__all__ = ["synthesise"]

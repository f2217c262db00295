"""Generate the synthetic demo fieldwork: the disposition log and the completed interviews.

:func:`generate_demo` is deterministic: the same ``n`` and ``seed`` give the same data (and
:func:`fjernarbeid.studies.norce2025.demo.write.write_demo` the same bytes). Random numbers come from NumPy's PCG64
generator, with independent streams (``SeedSequence.spawn``) for the contacts, the interviews and
the call log, so a change in one part of the model does not reshuffle the others.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import pyarrow as pa

from fjernarbeid.studies.norce2025.demo import DEFAULT_N, DEFAULT_SEED
from fjernarbeid.studies.norce2025.demo import dispositions as dispo
from fjernarbeid.studies.norce2025.demo import frame as sampling_frame
from fjernarbeid.studies.norce2025.demo import model
from fjernarbeid.instrument import Instrument, load_instrument

MODEL_VERSION = "2"  # bump when a change to the model changes the data of a given seed

SYNTHETIC_STATEMENT = (
    "SYNTHETIC DATA. Every record in these files was made up by a statistical model "
    "(fjernarbeid demo); none is a real person or a real answer. The model is tuned to resemble "
    "the NORCE/Hardangerrådet 2025 survey of remote-capable workers; use the files to try the "
    "software, never to draw conclusions about Norway."
)
SYNTHETIC_STATEMENT_NB = (
    "SYNTETISKE DATA. Alle postene i disse filene er laget av en statistisk modell (fjernarbeid "
    "demo); ingen er en virkelig person eller et virkelig svar. Modellen er innstilt til å likne "
    "NORCE/Hardangerrådets undersøkelse fra 2025 blant yrkesaktive med mulighet for fjernarbeid; "
    "bruk filene til å prøve programvaren, aldri til å trekke konklusjoner om Norge."
)


@dataclass(frozen=True)
class DemoFieldwork:
    """A generated demo: the disposition log, the interviews and the facts about how they were made."""

    n: int
    seed: int
    survey: pd.DataFrame  # one row per completed interview, the instrument's canonical names
    dispositions: pd.DataFrame  # one row per contact (sampled phone number), AAPOR final codes
    generated: dt.date  # fixed from the seed, so repeated runs give identical files
    counts: dict[str, int] = field(default_factory=dict)  # contacts per disposition code

    @property
    def metadata(self) -> dict:
        from fjernarbeid import __version__

        inst = load_instrument()
        return {
            "synthetic": True,
            "statement": SYNTHETIC_STATEMENT,
            "statement_nb": SYNTHETIC_STATEMENT_NB,
            "generator": "fjernarbeid demo",
            "fjernarbeid_version": __version__,
            "model_version": MODEL_VERSION,
            "seed": self.seed,
            "n": self.n,
            "generated": self.generated.isoformat(),
            "instrument": {"id": inst.id, "version": inst.version},
            "fieldwork": {
                "records": int(len(self.dispositions)),
                "contacts_screened": int(sum(v for k, v in self.counts.items() if dispo.BY_CODE[k].screened)),
                "screened_out_s1": self.counts[dispo.SCREENED_OUT_S1],
                "screened_out_s2": self.counts[dispo.SCREENED_OUT_S2],
                "completes": self.counts[dispo.COMPLETE],
                "dispositions": {
                    code: {"label": dispo.BY_CODE[code].label, "label_nb": dispo.BY_CODE[code].label_nb, "count": k}
                    for code, k in self.counts.items()
                },
            },
            "sampling_frame": "real postal codes with SSB municipality and centrality class; "
                              "see fjernarbeid/studies/norce2025/demo/sampling_frame.csv",
            "weighting_note": "the sample over-represents women and older people, as phone samples do; "
                              "weight by sex × age group to the population (the report's weighting)",
        }


def generation_date(seed: int, instrument: Instrument | None = None) -> dt.date:
    """The date stamped on a demo: a day after the fieldwork, fixed by the seed (not the clock)."""
    inst = instrument or load_instrument()
    end = inst.fieldwork_end or inst.fieldwork_start
    return end + dt.timedelta(days=1 + seed % 365)


def generate_demo(n: int = DEFAULT_N, seed: int = DEFAULT_SEED) -> DemoFieldwork:
    """Make a synthetic fieldwork with ``n`` completed interviews (report: 500) from ``seed``."""
    if n < 1:
        raise ValueError(f"the demo needs at least one interview, not n={n}")
    if seed < 0:
        raise ValueError(f"the seed must be a non-negative integer, not {seed}")
    instrument = load_instrument()
    counts = dispo.disposition_counts(n)
    contacts_rng, interview_rng, log_rng = (np.random.default_rng(s) for s in np.random.SeedSequence(seed).spawn(3))

    people, picked = _screened_contacts(contacts_rng, counts, instrument)
    log, complete_rows = _disposition_log(log_rng, counts, people, picked, instrument)
    completes = {k: v[complete_rows] for k, v in people.items()}  # respondent id order
    answers = model.interview(interview_rng, completes, instrument)
    survey = _survey_frame(completes, answers, instrument)
    return DemoFieldwork(n=n, seed=seed, survey=survey, dispositions=log,
                         generated=generation_date(seed, instrument), counts=counts)


def _screened_contacts(rng: np.random.Generator, counts: dict[str, int], instrument: Instrument):
    """Draw contacts until every screening outcome has its count, and people for the break-offs.

    Keeps the first contacts of each outcome in drawing order, so each outcome's people are a
    random sample of what the model gives for that outcome. Break-offs before S1 are taken from
    the contacts left over (their screening outcome is never observed).
    """
    wanted = {model.OUTCOME_COMPLETE: counts[dispo.COMPLETE], model.OUTCOME_S1: counts[dispo.SCREENED_OUT_S1],
              model.OUTCOME_S2: counts[dispo.SCREENED_OUT_S2]}
    break_offs = counts[dispo.BROKE_OFF]
    batch = int(1.3 * sum(wanted.values())) + break_offs + 100
    parts: list[dict[str, np.ndarray]] = []
    while True:
        parts.append(model.draw_contacts(rng, batch, instrument))
        outcome = np.concatenate([p["outcome"] for p in parts])
        have = {k: int((outcome == k).sum()) for k in wanted}
        spare = len(outcome) - sum(wanted.values())
        if all(have[k] >= wanted[k] for k in wanted) and spare >= break_offs:
            break
    people = {k: np.concatenate([p[k] for p in parts]) for k in parts[0]}
    used = np.zeros(len(outcome), dtype=bool)
    picked: dict[str, np.ndarray] = {}
    for code, k in ((dispo.COMPLETE, model.OUTCOME_COMPLETE), (dispo.SCREENED_OUT_S1, model.OUTCOME_S1),
                    (dispo.SCREENED_OUT_S2, model.OUTCOME_S2)):
        rows = np.flatnonzero(outcome == k)[: wanted[k]]
        picked[code] = rows
        used[rows] = True
    picked[dispo.BROKE_OFF] = np.flatnonzero(~used)[:break_offs]
    return people, picked


def _disposition_log(rng: np.random.Generator, counts: dict[str, int], people: dict[str, np.ndarray],
                     picked: dict[str, np.ndarray], instrument: Instrument) -> tuple[pd.DataFrame, np.ndarray]:
    """One record per contact in a random order: code, label, call attempts, date, screening answers.

    Also returns the rows of ``people`` who completed, in the log's order: respondent ``id`` k is
    the k-th complete of the log.
    """
    codes = list(counts)
    position = {code: i for i, code in enumerate(codes)}
    outcome = np.repeat(np.arange(len(codes), dtype=np.int8), [counts[c] for c in codes])
    total = len(outcome)
    person = np.full(total, -1, dtype=np.int64)  # row in `people`, for those who gave answers
    start = np.cumsum([0] + [counts[c] for c in codes])
    for code, rows in picked.items():
        person[start[position[code]]: start[position[code] + 1]] = rows

    def has(*which: str) -> np.ndarray:
        return np.isin(outcome, [position[c] for c in which])

    # call attempts (at most six, a usual callback limit) and the day of the last one: numbers
    # never reached were tried six times until late in the fieldwork, dead numbers once early on
    days = ((instrument.fieldwork_end or instrument.fieldwork_start) - instrument.fieldwork_start).days + 1
    attempts = np.minimum(rng.geometric(0.55, total), 6).astype(np.int8)
    day = rng.integers(0, days, total)
    unreached = has(dispo.NO_ANSWER, dispo.VOICEMAIL)
    attempts[unreached] = 6
    day[unreached] = days - 1 - rng.integers(0, max(days // 3, 1), int(unreached.sum()))
    dead = has(dispo.NON_WORKING)
    attempts[dead] = 1
    day[dead] = rng.integers(0, min(5, days), int(dead.sum()))
    broke_off = has(dispo.BROKE_OFF)
    gave_birth_year = rng.random(total) < 0.5  # half of those who broke off had given it

    order = rng.permutation(total)  # the log lists contacts in sample order, outcomes mixed
    outcome, person, attempts, day = outcome[order], person[order], attempts[order], day[order]
    broke_off, gave_birth_year = broke_off[order], gave_birth_year[order]

    answered = person >= 0
    screened = answered & ~broke_off
    row = person.clip(0)
    complete = outcome == position[dispo.COMPLETE]
    frame = sampling_frame.load_frame()

    def answer(values: np.ndarray, given: np.ndarray) -> pd.arrays.IntegerArray:
        v = values[row]
        return pd.arrays.IntegerArray(np.where(given, v, 0).astype(v.dtype), ~given)

    log = pd.DataFrame({
        "contact_id": np.arange(1, total + 1, dtype=np.int64),
        "disposition": pd.Categorical.from_codes(outcome, categories=codes),
        "disposition_label": pd.Categorical.from_codes(outcome, categories=[dispo.BY_CODE[c].label for c in codes]),
        "attempts": attempts,
        "final_date": pd.array(np.datetime64(instrument.fieldwork_start) + day.astype("timedelta64[D]"),
                               dtype=pd.ArrowDtype(pa.date32())),
        "q201": pd.Categorical.from_codes(np.where(answered, people["frame_row"][row], -1),
                                          categories=frame["postal_code"].tolist()),
        "q202": answer(people["birth_year"], screened | (broke_off & gave_birth_year)),
        "q1": answer(people["q1"], screened),
        "q2": answer(people["q2"], screened & (people["q2"][row] > 0)),
        "id": pd.arrays.IntegerArray(np.where(complete, np.cumsum(complete), 0), ~complete),
    })
    return log, person[complete]


def _survey_frame(people: dict[str, np.ndarray], answers: dict[str, np.ndarray],
                  instrument: Instrument) -> pd.DataFrame:
    """The completed interviews under the instrument's names, in the instrument's order.

    ``people`` and ``answers`` are in respondent-id order (id 1 first).
    """
    frame = sampling_frame.load_frame()
    n = len(people["sex"])
    columns: dict[str, object] = {instrument.id_variable: np.arange(1, n + 1, dtype=np.int64)}
    given = {
        "q201": frame["postal_code"].to_numpy(dtype=object)[people["frame_row"]],
        "q202": people["birth_year"], "q1": people["q1"], "q2": people["q2"], "q4": people["q4"],
        "q207": people["sex"],
    }
    for q in instrument:
        if q.name in given:
            values = given[q.name]
        elif q.name in answers:
            values = answers[q.name]
        else:
            raise NotImplementedError(f"the demo model does not generate {q.name!r}; extend demo/model.py")
        if q.type in ("postal_code", "text"):
            columns[q.name] = pd.array(values, dtype="string")
        else:
            columns[q.name] = pd.array(np.where(pd.isna(values), np.nan, values), dtype="Float64").astype("Int64")
    return pd.DataFrame(columns)

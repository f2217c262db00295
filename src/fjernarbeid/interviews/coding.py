"""Codings: which code applies to which turn of which interview, and by whom.

Three sources, one table (columns ``interview, turn, code, coder``):

* **by hand**: a CSV (or YAML list) the researcher edits, one row per coded turn
  (:func:`read_codings`); the CLI appends rows too (``interviews code --add``);
* **suggested** from the codebook's keyword lists (:func:`suggest_codes`), written to a file with a
  ``status`` column that the researcher sets to ``accepted`` or ``rejected``
  (:func:`read_suggestions`); re-running the suggestions keeps every decision already taken
  (:func:`merge_suggestions`); only accepted suggestions become codings (:func:`accepted`);
* **case variables** (informant attributes such as moved with job / new job, home office /
  coworking, municipality) are not codings but attributes of the interview (:func:`read_cases`).

Every file is checked against the interviews and the codebook; problems are reported all at once
with file, row, column and the rule broken.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Iterable, Sequence

import pandas as pd

from fjernarbeid._yaml import load_yaml
from fjernarbeid._cells import neutralise_frame, restore
from fjernarbeid._io import read_text_file, universal_newlines, write_text_atomic
from fjernarbeid.errors import DataValidationError, InputFileError
from fjernarbeid.interviews.codebook import Codebook, code_pattern
from fjernarbeid.interviews.transcript import Interview

CODING_COLUMNS = ["interview", "turn", "code", "coder"]
SUGGESTION_COLUMNS = ["interview", "turn", "code", "status", "coder", "keywords", "excerpt"]
STATUSES = ("suggested", "accepted", "rejected")
KEYWORD_CODER = "nøkkelord"


def turns_frame(interviews: Iterable[Interview]) -> pd.DataFrame:
    """One row per turn: interview, turn, speaker, role, start (s), timestamp, text, informant."""
    rows = [{"interview": iv.id, "turn": t.number, "speaker": t.speaker, "role": t.role, "start": t.start,
             "timestamp": t.timestamp, "text": t.text, "informant": iv.informant}
            for iv in interviews for t in iv.turns]
    return pd.DataFrame(rows, columns=["interview", "turn", "speaker", "role", "start", "timestamp", "text",
                                       "informant"])


def empty_codings() -> pd.DataFrame:
    return pd.DataFrame({"interview": pd.Series(dtype=str), "turn": pd.Series(dtype="int64"),
                         "code": pd.Series(dtype=str), "coder": pd.Series(dtype=str)})


# -- keyword suggestions ----------------------------------------------------------------------------


def suggest_codes(interviews: Sequence[Interview], codebook: Codebook,
                  roles: Sequence[str] = ("informant",)) -> pd.DataFrame:
    """Suggest codes for turns whose text contains one of a code's keywords (informants' turns only by
    default: an interviewer's question names the topic whatever the answer). Status 'suggested'."""
    turns = turns_frame(interviews)
    turns = turns[turns["role"].isin(roles)].reset_index(drop=True)
    found = []
    for code in codebook:
        pattern = code_pattern(code)
        if pattern is None or turns.empty:
            continue
        matches = turns["text"].str.findall(pattern)
        hit = matches.str.len() > 0
        if not hit.any():
            continue
        first = turns.loc[hit, "text"].str.extract(f"(?P<m>{pattern.pattern})", flags=pattern.flags)["m"]
        found.append(pd.DataFrame({
            "interview": turns.loc[hit, "interview"], "turn": turns.loc[hit, "turn"], "code": code.id,
            "status": "suggested", "coder": KEYWORD_CODER,
            "keywords": matches[hit].map(lambda ms: "; ".join(dict.fromkeys(m.lower() for m in ms))),
            "excerpt": [_excerpt(text, m) for text, m in zip(turns.loc[hit, "text"], first)],
        }))
    if not found:
        return pd.DataFrame(columns=SUGGESTION_COLUMNS)
    out = pd.concat(found, ignore_index=True)
    order = {c: i for i, c in enumerate(codebook.ids)}
    iv_order = {iv.id: i for i, iv in enumerate(interviews)}
    out = out.assign(_iv=out["interview"].map(iv_order), _code=out["code"].map(order))
    return out.sort_values(["_iv", "turn", "_code"]).drop(columns=["_iv", "_code"]).reset_index(drop=True)


def _excerpt(text: str, match: str, width: int = 60) -> str:
    at = text.lower().find(str(match).lower())
    start, end = max(0, at - width), min(len(text), at + len(str(match)) + width)
    return ("…" if start else "") + text[start:end] + ("…" if end < len(text) else "")


def merge_suggestions(previous: pd.DataFrame | None, new: pd.DataFrame) -> pd.DataFrame:
    """New suggestions with the decisions already taken kept: a row accepted or rejected before keeps
    its status (and stays even if its keywords no longer match); stale undecided rows are dropped."""
    if previous is None or previous.empty:
        return new.reset_index(drop=True)
    key = ["interview", "turn", "code"]
    decided = previous[previous["status"] != "suggested"]
    merged = new.merge(decided[key + ["status"]], on=key, how="left", suffixes=("", "_decided"))
    merged["status"] = merged["status_decided"].fillna(merged["status"])
    merged = merged.drop(columns="status_decided")
    kept = decided.merge(new[key], on=key, how="left", indicator=True)
    kept = kept[kept["_merge"] == "left_only"].drop(columns="_merge")
    return pd.concat([merged, kept[SUGGESTION_COLUMNS]], ignore_index=True)[SUGGESTION_COLUMNS]


def accept_all(suggestions: pd.DataFrame, coder: str) -> pd.DataFrame:
    """Mark every suggestion accepted, under ``coder`` (used by the demo, which says so everywhere)."""
    return suggestions.assign(status="accepted", coder=coder)


def accepted(suggestions: pd.DataFrame) -> pd.DataFrame:
    """The accepted suggestions as codings."""
    rows = suggestions[suggestions["status"] == "accepted"]
    return rows[CODING_COLUMNS].reset_index(drop=True)


def combine(*codings: pd.DataFrame) -> pd.DataFrame:
    """Codings from several sources in one table; a turn coded twice with one code by one coder counts once."""
    frames = [c[CODING_COLUMNS] for c in codings if c is not None and not c.empty]
    if not frames:
        return empty_codings()
    out = pd.concat(frames, ignore_index=True).drop_duplicates(CODING_COLUMNS).reset_index(drop=True)
    return out.astype({"turn": "int64"})


# -- files ------------------------------------------------------------------------------------------


def read_codings(path: str | Path, interviews: Sequence[Interview], codebook: Codebook) -> pd.DataFrame:
    """Read hand codings (CSV with columns interview, turn, code, coder; or a YAML list of such
    mappings) and check every row against the interviews and the codebook."""
    frame = _read_table(path, CODING_COLUMNS)
    _check(path, frame, interviews, codebook)
    return frame[CODING_COLUMNS].astype({"turn": "int64"}).reset_index(drop=True)


def read_suggestions(path: str | Path, interviews: Sequence[Interview], codebook: Codebook) -> pd.DataFrame:
    """Read a (reviewed) suggestions file and check it, including that every status is one of
    suggested, accepted, rejected."""
    frame = _read_table(path, SUGGESTION_COLUMNS[:4])
    for col in SUGGESTION_COLUMNS:
        if col not in frame:
            frame[col] = KEYWORD_CODER if col == "coder" else ""
    frame["status"] = frame["status"].str.strip().str.lower()
    problems = [f"{path}, row {row}, column status: {value!r} is not one of {', '.join(STATUSES)}"
                for row, value in zip(frame["_row"], frame["status"]) if value not in STATUSES]
    _check(path, frame, interviews, codebook, problems)
    return frame[SUGGESTION_COLUMNS].astype({"turn": "int64"}).reset_index(drop=True)


def write_table(frame: pd.DataFrame, path: str | Path, *, overwrite: bool = True) -> Path:
    """Write codings or suggestions as UTF-8 CSV, atomically (without ``overwrite`` never over an
    existing file)."""
    buffer = io.StringIO()
    neutralise_frame(frame).to_csv(buffer, index=False, lineterminator="\n")
    return write_text_atomic(path, buffer.getvalue(), overwrite=overwrite)


def _read_table(path: str | Path, required: list[str]) -> pd.DataFrame:
    path = Path(path)
    if not path.is_file():
        raise InputFileError(f"{path}: no such file")
    if path.suffix.lower() in (".yaml", ".yml"):
        data = load_yaml(path.read_bytes(), str(path)) or []
        if not isinstance(data, list) or not all(isinstance(r, dict) for r in data):
            raise InputFileError(f"{path}: expected a list of entries with {', '.join(required)}")
        frame = pd.DataFrame(data, dtype=object).astype(str) if data else pd.DataFrame(columns=required, dtype=str)
        frame["_row"] = [f"entry {i}" for i in range(1, len(frame) + 1)]
    else:
        # By the one rule of every text file and delimiter, as the survey reader: a table saved again from
        # Excel (status set to accepted) is Windows-1252 with semicolons in Norway.
        from fjernarbeid.data.read import sniff_delimiter

        text, _ = universal_newlines(read_text_file(path, str(path))[0].lstrip("\ufeff"))
        try:
            frame = pd.read_csv(io.StringIO(text), sep=sniff_delimiter(text), dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, csv.Error, ValueError) as exc:
            raise InputFileError(f"{path}: not a readable CSV file ({exc})") from None
        except pd.errors.EmptyDataError:
            raise InputFileError(f"{path}: the file is empty (expected the header {','.join(required)})") from None
        frame["_row"] = range(2, len(frame) + 2)  # the file's line numbers: line 1 is the header
    missing = [c for c in required if c not in frame]
    if missing:
        raise InputFileError(f"{path}: missing column(s) {', '.join(missing)} (expected {', '.join(required)})")
    for col in frame.columns.drop("_row"):
        # restore: the apostrophe write_table put before formula-like text is not part of the text
        frame[col] = frame[col].astype(str).map(restore).str.strip()
    return frame


def _check(path, frame: pd.DataFrame, interviews: Sequence[Interview], codebook: Codebook,
           problems: list[str] | None = None) -> None:
    problems = list(problems or [])
    n_turns = {iv.id: len(iv.turns) for iv in interviews}
    known = frame["interview"].isin(list(n_turns))
    last = frame["interview"].map(n_turns)
    number = pd.to_numeric(frame["turn"].where(frame["turn"].str.fullmatch(r"\d+")), errors="coerce")
    bad_turn = known & ~number.between(1, last)
    bad_code = ~frame["code"].isin(codebook.ids)
    where = str(path) + ", row " + frame["_row"].astype(str)
    problems += (where[~known] + ", column interview: " + frame["interview"][~known].map(repr)
                 + f" is not one of the interviews ({', '.join(sorted(n_turns))})").tolist()
    problems += (where[bad_turn] + ", column turn: " + frame["turn"][bad_turn].map(repr) + " is not a turn of "
                 + frame["interview"][bad_turn] + " (1-" + last[bad_turn].astype("Int64").astype(str) + ")").tolist()
    problems += (where[bad_code] + ", column code: " + frame["code"][bad_code].map(repr)
                 + f" is not a code of the codebook {codebook.id}").tolist()
    no_coder = frame["coder"] == ""
    problems += (where[no_coder] + ", column coder: empty (every coding names its coder)").tolist()
    if problems:
        raise DataValidationError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems[:50])
                                  + ("\n  …" if len(problems) > 50 else ""), report=problems)


# -- case variables ---------------------------------------------------------------------------------


def read_cases(path: str | Path, interviews: Sequence[Interview]) -> list[Interview]:
    """Attach informant attributes from a CSV (column ``interview`` plus one column per attribute,
    e.g. kommune, flytting, arbeidssted) to the interviews; every interview needs a row."""
    frame = _read_table(path, ["interview"])
    ids = {iv.id for iv in interviews}
    problems = [f"{path}, row {row}, column interview: {iv!r} is not one of the interviews"
                for row, iv in zip(frame["_row"], frame["interview"]) if iv not in ids]
    dupes = frame["interview"][frame["interview"].duplicated()]
    problems += [f"{path}, column interview: {iv!r} has more than one row" for iv in dupes]
    missing = sorted(ids - set(frame["interview"]))
    if missing:
        problems.append(f"{path}: no row for interview(s) {', '.join(missing)}")
    if problems:
        raise DataValidationError(f"{len(problems)} problem(s) in {path}:\n  " + "\n  ".join(problems),
                                  report=problems)
    attrs = frame.drop(columns="_row").set_index("interview")
    return [iv.replace(attributes={**iv.attributes, **attrs.loc[iv.id].to_dict()}) for iv in interviews]


def cases_frame(interviews: Sequence[Interview]) -> pd.DataFrame:
    """Informants and their attributes: one row per interview, indexed by interview id."""
    rows = [{"interview": iv.id, "informant": iv.informant, **iv.attributes} for iv in interviews]
    return pd.DataFrame(rows).set_index("interview")

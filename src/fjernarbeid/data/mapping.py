"""Which column of a delivered file is which variable of the instrument.

Fieldwork firms rarely use the questionnaire's own names: one delivers ``Q6_1``, another
``spm6_1`` or ``V6_1``, a KoboToolbox export writes ``grp_arbeid/spm6_1`` and ODK Central
``grp_arbeid-spm6_1``. :func:`resolve_columns` decides, for every column of a file, whether it is

1. form metadata of a KoboToolbox / ODK Central export (``_uuid``, ``KEY``, ``meta/instanceID``,
   ``start``, ``deviceid`` …) — ignored;
2. named by an explicit mapping (:func:`load_mapping`: a YAML or CSV file ``source,target``);
3. already a canonical name (the instrument's id variable or a question name);
4. a canonical name after removing a Kobo/ODK group path (silent: that is how those tools write
   names) or after the automatic normalisation — case-insensitive, ``.``/``-``/space → ``_``,
   prefix ``spm``/``q``/``v`` before a digit dropped — used only when exactly one column of the
   file normalises to that variable, and reported as a ``column_renamed`` warning so the user
   sees what was mapped;
5. anything else: kept under its own name and reported (``unknown_column``, ``derived_column``,
   ``ambiguous_column``).

Everything here works on column *names* only; reading values is :mod:`fjernarbeid.data.read`'s job.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Iterable, Mapping

from fjernarbeid._io import read_text_file, universal_newlines
from fjernarbeid._yaml import load_yaml
from fjernarbeid.errors import InputFileError
from fjernarbeid.instrument import Instrument

# Columns that mark a file as a KoboToolbox or ODK Central export. Kobo writes `_uuid`,
# `_submission_time`, `_id`, `meta/instanceID`, `formhub/uuid`, `__version__`; ODK Central writes
# `SubmissionDate`, `KEY` and `meta-instanceID`.
EXPORT_SIGNATURE = frozenset(
    {"_uuid", "_submission_time", "_id", "meta/instanceID", "meta-instanceID", "formhub/uuid",
     "__version__", "SubmissionDate", "KEY", "_index"}
)

# Form metadata of such exports: XLSForm's metadata question types (start, end, today, deviceid …)
# and the servers' own columns. Any name starting with "_" and any `meta/…`/`formhub/…` path is
# metadata too.
EXPORT_METADATA = frozenset(
    {"start", "end", "today", "deviceid", "subscriberid", "simserial", "phonenumber", "username",
     "email", "audit", "instanceID", "SubmissionDate", "KEY", "SubmitterID", "SubmitterName",
     "AttachmentsPresent", "AttachmentsExpected", "Status", "ReviewState", "DeviceID", "Edits",
     "FormVersion"}
)

# When an export has no respondent-id column, its submission identifier stands in (in this order).
EXPORT_ID_COLUMNS = ("_id", "KEY", "_uuid", "meta/instanceID", "meta-instanceID")

# The instance id of a submission (the same for an interview sent twice, when the server gave each copy its own
# ``_id``): checked for duplicates when another column is the respondent id.
SUBMISSION_COLUMNS = ("_uuid", "meta/instanceID", "meta-instanceID", "KEY")

_PREFIX = re.compile(r"^(spm|q|v)_?(?=\d)")
_SEPARATORS = re.compile(r"[.\-\s]+")


@dataclass(frozen=True)
class ReadNote:
    """Something the reader noticed about the file as a whole or one column (not one row).

    Whether it is an error or a warning is decided in one place, the rule table of
    :mod:`fjernarbeid.data.validate`.
    """

    rule: str
    message: str
    column: str | None = None


@dataclass(frozen=True)
class ColumnMapping:
    """An explicit ``source → target`` mapping; a target of ``None`` means "drop this column"."""

    pairs: dict[str, str | None]
    path: Path | None = None

    def where(self) -> str:
        return f"mapping file {self.path}" if self.path else "column mapping"


@dataclass(frozen=True)
class ColumnResolution:
    """The outcome of :func:`resolve_columns` for a file's header.

    ``targets[i]`` is the canonical name for source column ``i`` or ``None`` when that column is
    not kept under a canonical name; ``keep[i]`` says whether the column stays in the frame at all
    (metadata, deliberately dropped and repeated columns do not).
    """

    sources: tuple[str, ...]
    targets: tuple[str | None, ...]
    keep: tuple[bool, ...]
    ignored: tuple[str, ...]
    is_export: bool
    notes: tuple[ReadNote, ...] = field(default=())
    # Select-multiple questions delivered as one 0/1 column per choice: question → {code: source index}.
    options: dict[str, dict[int, int]] = field(default_factory=dict)
    # The header holds the questions' labels (KoboToolbox's "Labels" export): the cells hold choice labels too.
    labels: bool = False
    # A geopoint's parts as KoboToolbox's export splits them beside it (``_sted_latitude`` …, in a group
    # ``grp/_sted_latitude``): question → {part: source index}; read with the geopoint, not as columns.
    parts: dict[str, dict[str, int]] = field(default_factory=dict)

    @property
    def mapping(self) -> dict[str, str]:
        """Source name → canonical name, for every column kept under a canonical name."""
        return {s: t for s, t in zip(self.sources, self.targets) if t is not None}

    @property
    def unknown(self) -> tuple[str, ...]:
        return tuple(s for s, t, k in zip(self.sources, self.targets, self.keep) if k and t is None)


def normalise_name(name: str) -> str:
    """The key two names must share to be matched automatically: ``'Spm6.1'`` → ``'6_1'``."""
    key = _SEPARATORS.sub("_", str(name).strip().lower()).strip("_")
    return _PREFIX.sub("", key)


def _group_tails(name: str, is_export: bool) -> list[str]:
    """The name without its Kobo (``a/b/x``) or, in exports, ODK Central (``a-b-x``) group path."""
    tails = []
    if "/" in name:
        tails.append(name.rsplit("/", 1)[1])
    if is_export and "-" in name:
        tails.append(name.rsplit("-", 1)[1])
    return tails


def option_column_codes(sources: tuple[str, ...], instrument: Instrument, keep: list[bool], is_export: bool
                        ) -> dict[str, dict[int, int]]:
    """The 0/1 columns of select-multiple choices: Kobo's ``v7/3`` or ``group/v7/3``, ODK Central's
    ``v7-3`` or ``group-v7-3`` (exports only), and ``v7_3`` — matched on the whole path tail, so
    that ``group/v7/3`` is never taken for a question ``v3``. Choice names and codes both match."""
    out: dict[str, dict[int, int]] = {}
    for q in instrument:
        if not q.is_multiple:
            continue
        wanted: dict[str, int] = {}
        for name, code in q.codes_by_name().items():
            wanted[f"{q.name}/{name}"] = code
            if is_export:
                wanted[f"{q.name}-{name}"] = code
        wanted.update({column: code for code, column in q.option_columns.items()})
        for i, source in enumerate(sources):
            if not keep[i]:
                continue
            for pattern, code in wanted.items():
                if source == pattern or source.endswith("/" + pattern) or (is_export and source.endswith("-" + pattern)):
                    # Kobo group/q/choice; ODK Central group-q-choice or, split, group-q/choice
                    out.setdefault(q.name, {}).setdefault(code, i)  # a second column for one choice stays extra
                    break
    return out


GEOPOINT_PARTS = ("latitude", "longitude", "altitude", "precision")


def geopoint_part_columns(sources: tuple[str, ...], instrument: Instrument, keep: list[bool]
                          ) -> dict[str, dict[str, int]]:
    """KoboToolbox's export writes a geopoint ``sted`` as ``sted`` ("lat lon alt acc") and beside it
    ``_sted_latitude``, ``_sted_longitude``, ``_sted_altitude``, ``_sted_precision`` (in a group
    ``grp/_sted_latitude``): question → {part: source index}."""
    out: dict[str, dict[str, int]] = {}
    for q in instrument:
        if q.type != "geopoint":
            continue
        for part in GEOPOINT_PARTS:
            wanted = f"_{q.name}_{part}"
            for i, source in enumerate(sources):
                if keep[i] and (source == wanted or source.endswith("/" + wanted)):
                    out.setdefault(q.name, {}).setdefault(part, i)
                    break
    return out


def is_export_metadata(name: str) -> bool:
    first = re.split(r"[/\-]", name, maxsplit=1)[0]
    return name.startswith("_") or name in EXPORT_METADATA or (first in ("meta", "formhub") and first != name)


def canonical_names(instrument: Instrument) -> list[str]:
    return [instrument.id_variable, *instrument.names]


def _label_key(text: str) -> str:
    return " ".join(str(text).split()).casefold()


# What KoboToolbox and pyxform call the text question of an ``or_other`` choice, in a "Labels" export.
_SPECIFY_OTHER = frozenset({"specify other.", "specify other", "spesifiser annet", "annet, spesifiser"})


def label_headers(sources: tuple[str, ...], instrument: Instrument) -> tuple[tuple[str, ...], int]:
    """A KoboToolbox "Labels" export names its columns by the questions' labels (``Hvilken kommune bor du
    i?``, with a group's label before a ``/`` when groups are included), a select-multiple choice's 0/1
    column ``Question label/Choice label`` and an ``or_other`` text ``Specify other.``: the names of the
    questionnaire for such columns (``kommune``, ``brukt/kollektiv``, ``brukt_other``), and how many were
    read so. A label two questions share names neither; any other column keeps its name."""
    by_label: dict[str, str | None] = {}
    for q in instrument:
        for text in {_label_key(t) for t in q.text.values() if t}:
            by_label[text] = None if text in by_label and by_label[text] != q.name else q.name
    names = set(canonical_names(instrument))
    out, found, last = list(sources), 0, None
    for i, source in enumerate(sources):
        if source in names or is_export_metadata(source):
            continue
        parts = source.split("/")
        if parts[-1] in names or (len(parts) > 2 and parts[-2] in names):
            continue  # a group path of names ("bruk/kommune", "bruk/grunn/ro"), even where a label is the name
        target = None
        for k in range(len(parts)):  # the whole header first (a label may hold '/'), then without group labels
            name = by_label.get(_label_key("/".join(parts[k:])))
            if name is not None:
                target = name
                break
        if target is None and len(parts) > 1:  # Question label/Choice label
            for k in range(len(parts) - 1):
                name = by_label.get(_label_key("/".join(parts[k:-1])))
                if name is not None and instrument[name].is_multiple:
                    q = instrument[name]
                    choice = _label_key(parts[-1])
                    code = next((c for c in q.codes if choice in {_label_key(t) for t in c.labels.values()}), None)
                    if code is not None:
                        target = f"{name}/{code.name or code.code}"
                    break
        if target is None and _label_key(parts[-1]) in _SPECIFY_OTHER and last is not None \
                and f"{last}_other" in names:
            target = f"{last}_other"
        if target is not None:
            out[i] = target
            found += 1
            last = target.split("/")[0]
    return tuple(out), found


def resolve_columns(
    sources: Iterable[str],
    instrument: Instrument,
    mapping: ColumnMapping | None = None,
) -> ColumnResolution:
    """Decide which source column is which instrument variable (see the module docstring)."""
    sources = tuple(str(s) for s in sources)
    original = sources
    by_labels = 0
    if any(s in EXPORT_SIGNATURE for s in sources):
        sources, by_labels = label_headers(sources, instrument)
    canonical = canonical_names(instrument)
    canonical_set = set(canonical)
    derived = {d.name for d in instrument.derived}
    notes: list[ReadNote] = []
    n = len(sources)
    targets: list[str | None] = [None] * n
    keep = [True] * n
    how: list[str] = [""] * n  # "explicit" | "exact" | "group" | "normalised"

    # Repeated header names: the first is used, the others dropped and reported.
    seen: dict[str, int] = {}
    for i, name in enumerate(sources):
        if name in seen:
            keep[i] = False
            notes.append(ReadNote(
                "duplicate_column",
                f"column {name!r} appears more than once (columns {seen[name] + 1} and {i + 1}); "
                "only the first is read",
                column=name))
        else:
            seen[name] = i

    is_export = any(s in EXPORT_SIGNATURE for s in sources)
    parts = geopoint_part_columns(sources, instrument, keep)
    for columns in parts.values():
        for i in columns.values():
            keep[i] = False  # read into the geopoint itself
    ignored: list[str] = []
    if is_export:
        for i, name in enumerate(sources):
            # form metadata the questionnaire declares (start, end, today) is carried, not ignored
            if keep[i] and is_export_metadata(name) and name not in canonical_set:
                keep[i] = False
                ignored.append(name)

    taken: dict[str, int] = {}

    def assign(i: int, target: str, kind: str) -> None:
        targets[i], how[i] = target, kind
        taken[target] = i

    # 1. explicit mapping
    if mapping is not None:
        for source, target in mapping.pairs.items():
            matches = [i for i in range(n) if keep[i] and sources[i] == source]
            if not matches:
                matches = [i for i in range(n) if keep[i] and sources[i].lower() == source.lower()]
            if not matches:
                notes.append(ReadNote("mapping_unused", f"{mapping.where()} maps {source!r}, which is not a column of the file",
                                      column=source))
                continue
            if len(matches) > 1:
                raise InputFileError(
                    f"{mapping.where()}: {source!r} matches several columns "
                    f"({', '.join(sources[i] for i in matches)}); write the exact name")
            i = matches[0]
            if target is None:
                keep[i] = False
                ignored.append(sources[i])
                continue
            if target not in canonical_set:
                raise InputFileError(
                    f"{mapping.where()}: target {target!r} (for {source!r}) is not a variable of the "
                    f"instrument {instrument.id}; expected one of {', '.join(canonical)}")
            assign(i, target, "explicit")

    # 2. exact canonical names, then the 0/1 columns of select-multiple choices (whole paths)
    for i, name in enumerate(sources):
        if keep[i] and targets[i] is None and name in canonical_set and name not in taken:
            assign(i, name, "exact")
    options = option_column_codes(sources, instrument, [k and t is None for k, t in zip(keep, targets)], is_export)
    for columns in options.values():
        for i in columns.values():
            keep[i] = False  # folded into the question's answer

    # 3. group paths (exact names after the path), then the automatic normalisation, only where
    # unambiguous. A path ending in a number (group/v7/3) is a choice column, never question v3.
    key_to_name: dict[str, str | None] = {}
    for name in canonical:
        key = normalise_name(name)
        key_to_name[key] = None if key in key_to_name else name  # a key two variables share is unusable
    proposals: dict[str, list[tuple[int, str]]] = {}
    for i, name in enumerate(sources):
        if not keep[i] or targets[i] is not None:
            continue
        for tail in _group_tails(name, is_export):
            if tail in canonical_set:
                proposals.setdefault(tail, []).append((i, "group"))
                break
    claimed = {i for claims in proposals.values() for i, _ in claims}
    for i, name in enumerate(sources):
        if not keep[i] or targets[i] is not None or i in claimed:
            continue
        candidates = [name] + [t for t in _group_tails(name, is_export) if not t.isdigit()]
        for candidate in candidates:
            target = key_to_name.get(normalise_name(candidate))
            if target is not None:
                if target not in proposals or all(kind == "normalised" for _, kind in proposals[target]):
                    proposals.setdefault(target, []).append((i, "normalised"))
                break
    for target, claims in proposals.items():
        if target in taken or len(claims) > 1:
            holder = f"column {sources[taken[target]]!r} already is {target}" if target in taken else (
                f"so do {', '.join(repr(sources[j]) for j, _ in claims)}")
            for i, _ in claims:
                notes.append(ReadNote(
                    "ambiguous_column",
                    f"column {sources[i]!r} looks like {target}, but {holder}; it is kept as an extra "
                    "column (use a mapping file to choose)",
                    column=sources[i]))
            continue
        i, kind = claims[0]
        assign(i, target, kind)
        if kind == "normalised":
            notes.append(ReadNote("column_renamed", f"column {sources[i]!r} was read as {target}", column=sources[i]))

    # 4. a Kobo/ODK export without an id column: its submission id stands in
    id_var = instrument.id_variable
    if is_export and id_var not in taken:
        for meta in EXPORT_ID_COLUMNS:
            if meta in seen and meta in ignored:
                i = seen[meta]
                keep[i] = True
                ignored.remove(meta)
                assign(i, id_var, "explicit")
                notes.append(ReadNote(
                    "id_from_metadata",
                    f"the export has no {id_var!r} column; its submission id {meta!r} is used as respondent id",
                    column=meta))
                break

    # 5. what is left
    ambiguous = {n.column for n in notes if n.rule == "ambiguous_column"}  # a set: 10,000 columns are no rarity
    for i, name in enumerate(sources):
        if not keep[i] or targets[i] is not None:
            continue
        if name in ambiguous:
            continue
        if name in derived:
            notes.append(ReadNote("derived_column",
                                  f"column {name!r} is a derived variable; it is kept as delivered, and "
                                  "recomputed from the answers when derived variables are added",
                                  column=name))
        else:
            notes.append(ReadNote("unknown_column", f"column {name!r} is not a variable of the instrument "
                                  f"{instrument.id}; it is kept as an extra column", column=name))

    if by_labels:
        # which columns, so that a header taken for a label by mistake can be seen (and given a --mapping)
        renamed = [f"{a!r} → {b}" for a, b in zip(original, sources) if a != b]
        shown = ", ".join(renamed[:3]) + (f" … ({len(renamed)} in all)" if len(renamed) > 3 else "")
        notes.insert(0, ReadNote("label_headers", f"the export names {by_labels} column(s) by the questions' labels "
                                 "(KoboToolbox's 'Labels' export): they are read as those questions, and their "
                                 f"choice labels as codes: {shown}"))
    return ColumnResolution(original, tuple(targets), tuple(keep), tuple(ignored), is_export, tuple(notes), options,
                            labels=bool(by_labels), parts=parts)


# -- mapping files ----------------------------------------------------------------------------


def _target(value: object) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return text or None


def mapping_from_pairs(pairs: Iterable[tuple[object, object]], where: str = "column mapping",
                       path: Path | None = None) -> ColumnMapping:
    out: dict[str, str | None] = {}
    targets: dict[str, str] = {}
    for source, target in pairs:
        source = "" if source is None else str(source).strip()
        if not source:
            raise InputFileError(f"{where}: an entry has no source column name")
        if source in out:
            raise InputFileError(f"{where}: source column {source!r} is mapped twice")
        t = _target(target)
        if t is not None and t in targets:
            raise InputFileError(f"{where}: {targets[t]!r} and {source!r} are both mapped to {t!r}")
        if t is not None:
            targets[t] = source
        out[source] = t
    return ColumnMapping(out, path)


def load_mapping(path: str | Path | Mapping[str, str | None] | ColumnMapping | None) -> ColumnMapping | None:
    """Read a column mapping: YAML (``source: target`` pairs, optionally under ``columns:``, or a list
    of ``{source, target}``) or CSV with a ``source,target`` header. An empty target drops the column.
    A dict or :class:`ColumnMapping` is accepted as is."""
    if path is None or isinstance(path, ColumnMapping):
        return path
    if isinstance(path, Mapping):
        return mapping_from_pairs(path.items())
    path = Path(path)
    where = f"mapping file {path}"
    if path.suffix.lower() not in (".yaml", ".yml", ".csv", ".tsv", ".txt"):
        raise InputFileError(f"{where}: unknown mapping file type {path.suffix!r} (use .yaml, .yml or .csv)")
    text, _ = read_text_file(path, where)
    text, _ = universal_newlines(text)
    if not text.strip():
        raise InputFileError(f"{where}: the file is empty")
    if path.suffix.lower() in (".yaml", ".yml"):
        raw = load_yaml(text, where)
        if isinstance(raw, dict) and set(raw) == {"columns"}:
            raw = raw["columns"]
        if isinstance(raw, dict):
            return mapping_from_pairs(raw.items(), where, path)
        if isinstance(raw, list) and all(isinstance(e, dict) and "source" in e for e in raw):
            return mapping_from_pairs(((e["source"], e.get("target")) for e in raw), where, path)
        raise InputFileError(f"{where}: expected 'source: target' pairs (a mapping), or a list of "
                             "{source, target} entries")
    if path.suffix.lower() in (".csv", ".tsv", ".txt"):
        first = text.lstrip("\n").split("\n", 1)[0]
        delimiter = max(",;\t|", key=first.count)
        try:
            rows = [row for row in csv.reader(io.StringIO(text), delimiter=delimiter)]
        except csv.Error as exc:
            raise InputFileError(f"{where}: not a readable CSV mapping ({exc})") from None
        if not rows:
            raise InputFileError(f"{where}: the file is empty")
        header = [h.strip().lower() for h in rows[0]]
        if "source" not in header or "target" not in header:
            raise InputFileError(f"{where}, line 1: expected a header with columns 'source' and 'target', "
                                 f"found {rows[0]}")
        s, t = header.index("source"), header.index("target")
        pairs = []
        for line, row in enumerate(rows[1:], start=2):
            if not any(cell.strip() for cell in row):
                continue
            if len(row) <= s or not row[s].strip():
                raise InputFileError(f"{where}, line {line}: no source column name")
            pairs.append((row[s], row[t] if len(row) > t else None))
        return mapping_from_pairs(pairs, where, path)
    raise AssertionError(path.suffix)  # pragma: no cover - the suffix was checked above

"""Nets: categories of a question counted together ("Helt eller delvis enig" = codes 1 and 2).

An answer scale of the questionnaire (``level: ordinal``) of at least four codes gets its top-2 and
bottom-2 boxes automatically (:func:`nets_of`, also the banner's nets); ``tab --net "Enig=1,2"`` adds
nets of one's own (:func:`parse_net`), also of a text column's categories (``--net "EM=E,M"``, R's
``svyciprop(~I(stype %in% c("E", "M")), design)``). A net's share is estimated as the share of an indicator
(1 = one of the net's codes, 0 = another answer, missing = no answer) with the design's standard
error and the interval of R's ``svyciprop`` (:func:`estimate_nets`), so it equals
``svyciprop(~I(q %in% c(1, 2)), design)`` on the respondents who answered.

>>> parse_net("Enig=1,2")
Net(label='Enig', codes=(1, 2), automatic=None)
>>> parse_net("3-5")
Net(label='3–5', codes=(3, 4, 5), automatic=None)
>>> parse_net("EM=E,M")
Net(label='EM', codes=('E', 'M'), automatic=None)
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, Sequence

from fjernarbeid.errors import EXIT_USAGE, FjernarbeidError

NET_COLUMN = "__fjernarbeid_net__"


class NetError(FjernarbeidError):
    """A ``--net`` that cannot be read or does not fit the variable (exit code of a usage error)."""

    exit_code = EXIT_USAGE


@dataclass(frozen=True)
class Net:
    """A net: its label and its codes; ``automatic`` is 'top' or 'bottom' for the scale's own boxes."""

    label: str
    codes: tuple[int | str, ...]  # text: the categories of a text column
    automatic: str | None = None
    # the categories as written (``01`` stays "01"), for a column of text whose categories look like numbers
    written: tuple[str, ...] = field(default=(), repr=False, compare=False)


def nets_of(question, categories: tuple[int, ...]) -> tuple[tuple[int, ...], ...]:
    """Top-2 and bottom-2 boxes of an answer scale of at least four codes (e.g. 'Helt eller delvis enig'),
    none for other questions."""
    if question.measurement_level != "ordinal" or len(categories) < 4:
        return ()
    return (tuple(categories[:2]), tuple(categories[-2:]))


def _codes(text: str, whole: str) -> tuple[int | str, ...]:
    out: list[int | str] = []
    for part in (p.strip() for p in text.split(",")):
        if not part:
            raise NetError(f"--net {whole!r}: an empty category between commas; write e.g. --net \"Enig=1,2\"")
        bounds = part.replace("–", "-").split("-") if part.count("-") == 1 and not part.startswith("-") else [part]
        try:
            numbers = [int(b.strip()) for b in bounds]
        except ValueError:
            # a category of a text column ('E', 'Nord-Norge'): checked against the column's categories
            if part not in out:
                out.append(part)
            continue
        if len(numbers) == 2:
            if numbers[1] < numbers[0]:
                raise NetError(f"--net {whole!r}: the range {part!r} runs backwards")
            numbers = list(range(numbers[0], numbers[1] + 1))
        out += [n for n in numbers if n not in out]
    return tuple(out)


def parse_net(text: str) -> Net:
    """``LABEL=CODES`` (codes separated by commas, ranges as 4-5; the categories of a text column as they are
    written, ``EM=E,M``), or only CODES (labelled by its codes)."""
    label, sep, codes = text.rpartition("=")
    if not sep:
        label, codes = "", text
    label = label.strip()
    if not codes.strip():
        raise NetError(f"--net {text!r}: no codes; write e.g. --net \"Enig=1,2\"")
    parsed = _codes(codes, text)
    written = tuple(dict.fromkeys(_written(codes)))
    if not label:
        numeric = all(isinstance(c, int) for c in parsed)
        label = (f"{parsed[0]}–{parsed[-1]}" if numeric and len(parsed) > 1
                 and parsed == tuple(range(parsed[0], parsed[-1] + 1)) else ", ".join(map(str, parsed)))
    return Net(label, parsed, written=written)


def _written(text: str) -> list[str]:
    """The categories of ``CODES`` as written: each part, or each number of a range as it is written in full."""
    out: list[str] = []
    for part in (p.strip() for p in text.split(",")):
        bounds = part.replace("–", "-").split("-") if part.count("-") == 1 and not part.startswith("-") else [part]
        try:
            first, last = int(bounds[0]), int(bounds[-1])
        except ValueError:
            out.append(part)
            continue
        out.extend([part] if len(bounds) == 1 else [str(n) for n in range(first, last + 1)])
    return out


def is_text_net(net: Net) -> bool:
    """A net of a text column's categories ('E', 'M'), not of numeric codes."""
    return any(isinstance(c, str) for c in net.codes)


def check_text_net(net: Net, variable: str, categories: Sequence[str], numeric: bool, file: str = "") -> Net:
    """A net of a column read from a file that is no question of the questionnaire, checked against the
    categories present (``categories``; ``numeric``: the column holds numbers). A text column's net has
    its categories as text (``--net EM=E,M``, a category written as a number ``1`` as "1"); a category the
    column does not have is an error naming the column and its categories."""
    shown = f"--net {net.label}={','.join(map(str, net.codes))}"
    column = f"{variable} of {file}" if file else variable
    listed = ", ".join(categories[:20]) + (f", … ({len(categories)} in all)" if len(categories) > 20 else "")
    if numeric:
        text = [c for c in net.codes if isinstance(c, str)]
        if text:
            raise NetError(f"{shown}: {text[0]!r} is not a code of {column}, which holds numbers "
                           f"(its values: {listed})")
        return net
    codes = net.written or tuple(str(c) for c in net.codes)  # '01' as written, not the number 1
    unknown = [c for c in codes if c not in categories]
    if unknown:
        raise NetError(f"{shown}: {column} has no category {', '.join(map(repr, unknown))} "
                       f"(its categories: {listed})")
    return Net(net.label, codes, net.automatic, codes)


def check_net(net: Net, variable: str, codes: Sequence[int] | None) -> None:
    """A net's codes must be answers of the question (``codes``: its substantive codes, None when the
    variable is no question of the questionnaire)."""
    if codes is None:
        return
    text = [c for c in net.codes if isinstance(c, str)]
    if text:
        raise NetError(f"--net {net.label}={','.join(map(str, net.codes))}: {text[0]!r} is not a code of {variable} "
                       f"(its codes: {', '.join(map(str, codes))})")
    unknown = [c for c in net.codes if c not in codes]
    if unknown:
        raise NetError(f"--net {net.label}={','.join(map(str, net.codes))}: {variable} has no answer code "
                       f"{', '.join(map(str, unknown))} (its codes: {', '.join(map(str, codes))})")


def automatic_nets(question, categories: Sequence[int], labels: dict[str, str]) -> list[Net]:
    """The top-2 and bottom-2 nets of an answer scale, labelled with ``labels['top']``/``['bottom']``
    (texts with ``{codes}``, e.g. 'Topp 2 ({codes})')."""
    out = []
    for which, codes in zip(("top", "bottom"), nets_of(question, tuple(categories))):
        out.append(Net(labels[which].format(codes=f"{codes[0]}–{codes[-1]}"), tuple(codes), which))
    return out


def estimate_nets(design, variable: str, nets: Sequence[Net], group: str | None, *, ci: str, level: float
                  ) -> list[dict[str, Any]]:
    """Each net's share of the respondents who answered ``variable`` (in every group of ``group``): the
    estimate, SE, interval (R's svyciprop with ``ci``), deff, the unweighted count in the net and the base."""
    import numpy as np
    import pandas as pd
    from dataclasses import replace

    from fjernarbeid.survey import svyby, svyprop

    column = design.column(variable)
    values = pd.to_numeric(column, errors="coerce").to_numpy(dtype=float)
    text = column.astype("string").str.strip()
    text = text.mask(text == "")
    in_design = design.in_domain
    groups = design.column(group) if group else None
    out = []
    for net in nets:
        if is_text_net(net):  # the categories of a text column, compared as text
            answered = text.notna().to_numpy(dtype=bool)
            hit = text.isin([str(c) for c in net.codes]).fillna(False).to_numpy(dtype=bool)
        else:
            answered = ~np.isnan(values)
            hit = np.isin(values, np.asarray(net.codes, dtype=float))
        d = replace(design, data=design.data.assign(**{NET_COLUMN: np.where(answered, hit.astype(float), np.nan)}))
        options = {"categories": (1.0, 0.0), "ci": ci, "level": level}
        if group:
            rows = svyby(d, svyprop, group, NET_COLUMN, **options).to_dict()["estimates"]
        else:
            rows = svyprop(d, NET_COLUMN, **options).to_dict()["estimates"]
        for row in rows:
            if row["category"] != 1.0:
                continue
            inside = in_design & answered
            if group:
                (value,) = row["group"].values()
                inside = inside & (groups == value).fillna(False).to_numpy(dtype=bool)
            out.append({"label": net.label, "codes": list(net.codes), "automatic": net.automatic,
                        "group": row.get("group", {}), "estimate": row["estimate"], "se": row["se"],
                        "ci_low": row["ci_low"], "ci_high": row["ci_high"], "deff": row["deff"], "df": row["df"],
                        "n_cell": int((inside & hit).sum()), "n_unweighted": row["n_unweighted"],
                        "weighted_base": row["weighted_base"]})
    return out

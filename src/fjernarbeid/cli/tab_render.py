"""The text output of ``fjernarbeid tab``: tables a researcher can read in a terminal and hand on.

Every text comes from the message catalogue (context ``tab``, ``tab.po``) in one language (``--lang``), numbers
and p-values in that language's form ('12,4', 'p < 0,001'), questions and categories by their labels from
the questionnaire. A table wider than the terminal is never cut: its columns are split into parts that
each repeat the label column (as R prints a wide matrix), and a long label wraps within its column.
A cell hidden by small-cell suppression shows ':' (Statistics Norway's symbol for a figure withheld
for confidentiality), explained under the table.
"""

from __future__ import annotations

import json
import math
import textwrap
from dataclasses import dataclass, field
from typing import Any

from rich.table import Table

from fjernarbeid.cli._console import console as make_console, styled
from fjernarbeid.i18n import SUPPRESSED, fmt_number, fmt_p, message, one_of

HIDDEN = SUPPRESSED  # the one symbol of every output (fjernarbeid.i18n)
MISSING = "–"  # a figure that cannot be computed (fmt_number's mark); a note under the table says why
STUB_MIN = 12  # a label column narrower than this is unreadable
STUB_MAX = 34
HEADER_MIN = 16  # a value column's header may be this wide on one line before it wraps ("95 % KI (logit)")


def t(key: str, lang: str, **kw) -> str:
    return message("tab", key, lang, **kw)


def num(x, lang: str, digits: int) -> str:
    return "–" if x is None or (isinstance(x, float) and math.isnan(x)) else fmt_number(x, lang, digits)


def pct(x, lang: str) -> str:
    return num(None if x is None else 100 * x, lang, 1)


def _missing(x) -> bool:
    return x is None or (isinstance(x, float) and math.isnan(x))


def ci_text(low, high, lang: str, scale: float = 100, digits: int = 1) -> str:
    """'12,3–45,6'; with a negative end '-0,839 til -0,206' (not '-0,839–-0,206'); with one end missing
    '840,000 til –' (not '840,000––'), with both a single '–'."""
    if _missing(low) and _missing(high):
        return MISSING
    a = MISSING if _missing(low) else num(scale * low, lang, digits)
    b = MISSING if _missing(high) else num(scale * high, lang, digits)
    if _missing(low) or _missing(high) or a.startswith(("-", "\u2212")) or b.startswith(("-", "\u2212")):
        return f"{a} {message('numbers', 'interval_to', lang)} {b}"
    return f"{a}–{b}"


def p_text(p: float | None, lang: str, bare: bool = False) -> str:
    """'p = 0,023', 'p < 0,001' (decimal comma in Norwegian), never '9.447e-17'; ``bare`` leaves out
    'p = ' for a table column ('0,023', '< 0,001')."""
    text = fmt_p(None if p is None or (isinstance(p, float) and math.isnan(p)) else p, lang)
    return text.removeprefix("p = ").removeprefix("p ") if bare else text


def say(console, text: str, style: str = "") -> None:
    """A line of narration, wrapped at the terminal's width between words only: a number ('1 994,4', with
    a non-breaking space) and 'p < 0,001' stay whole."""
    glue = "\x00"  # 'F = 3,5', 'p < 0,001' are not broken either: their spaces are held together while wrapping
    text = text.replace(" = ", f"{glue}={glue}").replace(" < ", f"{glue}<{glue}")
    for line in textwrap.wrap(text, console.width, break_long_words=False, break_on_hyphens=False) or [""]:
        line = line.replace(glue, " ")
        console.print(styled((line, style)) if style else line)


# -- a table that splits into parts instead of cutting ---------------------------------------------------


@dataclass
class TextTable:
    """Label columns (``stub``) and value columns; each row: its label cells, its values, a style, and
    whether a rule follows it."""

    stub: list[str]
    columns: list[str]
    rows: list[tuple[list[str], list[str], str, bool]] = field(default_factory=list)
    title: str | None = None

    def add(self, labels: list[str], values: list[str], style: str = "", rule_after: bool = False) -> None:
        self.rows.append((labels, values, style, rule_after))


def _table_width(widths: list[int]) -> int:
    """What rich takes for columns of these widths: one space either side of a cell and a rule
    between two columns (no outer edge)."""
    return sum(widths) + 3 * len(widths) - 1


def _value_width(header: str, cells: list[str]) -> int:
    longest_cell = max((len(c) for c in cells), default=1)
    longest_word = max((len(w) for w in header.split()), default=1)
    return max(longest_cell, longest_word, min(len(header), HEADER_MIN))


def print_table(console, table: TextTable, lang: str) -> None:
    """Print ``table`` in as many parts as the terminal's width needs (value columns split, label
    columns repeated), never cutting a number."""
    width = console.width
    values = [_value_width(h, [r[1][j] for r in table.rows]) for j, h in enumerate(table.columns)]
    natural = [max([len(h) for h in [table.stub[i]]] + [len(r[0][i]) for r in table.rows]) for i in range(len(table.stub))]
    stub = [min(max(n, 1), STUB_MAX) for n in natural]
    # the label columns as wide as they can be for the fewest parts (narrowed down to STUB_MIN; a label
    # then wraps within its column): a table split in two to spare a label a line break reads worse
    best = (_parts(stub, values, width), stub[:])
    while stub and max(stub) > STUB_MIN:
        i = stub.index(max(stub))
        stub[i] = max(STUB_MIN, stub[i] - 1)
        parts = _parts(stub, values, width)
        if len(parts) < len(best[0]):
            best = (parts, stub[:])
    parts, stub = best
    if table.title:
        say(console, table.title, "bold")
    for number, part in enumerate(parts, 1):
        if len(parts) > 1:
            say(console, t("part", lang, part=number, parts=len(parts)), "italic")
        out = Table(show_edge=False, pad_edge=True)
        for i, name in enumerate(table.stub):
            out.add_column(name, width=stub[i], overflow="fold")
        for j in part:
            out.add_column(_wrap_header(table.columns[j], values[j]), justify="right", no_wrap=True, width=values[j])
        for labels, cells, style, rule_after in table.rows:
            out.add_row(*labels, *[cells[j] for j in part], style=style or None, end_section=rule_after)
        console.print(out)


def _parts(stub: list[int], values: list[int], width: int) -> list[list[int]]:
    """The value columns in parts, each as many as fit beside the label columns (at least one)."""
    parts: list[list[int]] = []
    for j, w in enumerate(values):
        if parts and _table_width(stub + [values[k] for k in parts[-1]] + [w]) <= width:
            parts[-1].append(j)
        else:
            parts.append([j])
    return parts or [[]]


def _wrap_header(text: str, width: int) -> str:
    return "\n".join(textwrap.wrap(text, width, break_long_words=False)) or text


# -- the parts of a result ---------------------------------------------------------------------------------


def print_results(results: list[dict[str, Any]], lang: str) -> None:
    console = make_console(soft_wrap=False)
    for i, result in enumerate(results):
        if i:
            console.print()
        print_result(console, result, lang)


def print_result(console, result: dict[str, Any], lang: str) -> None:
    name = result["variable"]
    say(console, (result["label"] + f" ({name})") if result["label"] else name, "bold")
    say(console, t("source", lang, file=result["file"], weights=_weights_text(result, lang),
                    design=_design_text(result["design"], lang)))
    if result.get("where"):
        say(console, t("within", lang, expression=result["where"]["expression"],
                        n=num(result["where"]["n"], lang, 0)))
    if result["statistic"] == "multiple response":
        _print_multiple(console, result, lang)
    elif result["crosstab"]:
        _print_crosstab(console, result, lang)
    elif result["statistic"] == "proportion":
        _print_proportions(console, result, lang)
    else:
        _print_numeric(console, result, lang)
    if result.get("differences"):
        _print_differences(console, result, lang)
    for reason in missing_reasons(result):
        say(console, t(reason, lang, symbol=MISSING))
    if result.get("suppressed_cells"):
        say(console, t("suppressed_note", lang, symbol=HIDDEN, k=result["min_n"]))


def _weights_text(result, lang: str) -> str:
    """Where the weights come from: the study's weighting, a weight column, sampling probabilities (1/p),
    the finite population correction (R's svydesign without weights: N/n, at every stage), or none."""
    kind = result.get("weights_from") or ("study" if result["weighting"] else "column" if result["weights"]
                                          else "equal")
    if kind == "calibrated":  # --targets on an ordinary file's own columns (cli/_calibration.py)
        from fjernarbeid.cli._calibration import weights_text

        return weights_text(result["weighting"], result["design"], lang)
    if kind == "study":
        # the methods text without its last sentence on standard errors (which starts "Standard…" in every language)
        return t("weights_study", lang, text=result["weighting"]["text"].split(" Standard")[0],
                 deff=num(result["weighting"]["kish_deff"], lang, 2))
    if kind == "probs":
        return t("weights_probs", lang, column=result["weights"].removeprefix("1/"))
    if kind == "column":
        return t("weights_column", lang, column=result["weights"])
    if kind == "fpc":
        return _fpc_weights_text(result["design"], lang)
    return t("unweighted", lang)


def _fpc_weights_text(design: dict, lang: str) -> str:
    """The weights svydesign makes from --fpc: N/n per stratum (of rows, or of PSUs with --cluster), and with
    an fpc for every stage of --cluster psu,ssu the product N1/n1 × N2/n2."""
    clusters = [c.strip() for c in (design.get("cluster") or "").split(",") if c.strip()]
    fpcs = [c.strip() for c in design["fpc"].split(",") if c.strip()]
    where = t("per_stratum", lang) if design.get("strata") else ""
    if len(fpcs) > 1:
        product = " × ".join(f"N{k}/n{k}" for k in range(1, len(fpcs) + 1))
        return t("weights_fpc_stages", lang, column=design["fpc"], product=product)
    if len(clusters) > 1:
        return t("weights_fpc_first", lang, column=design["fpc"], where=where)
    return t("weights_fpc_psu" if clusters else "weights_fpc_rows", lang, column=design["fpc"], where=where)


def weights_description(result: dict, lang: str) -> dict[str, str]:
    """The JSON's account of the weights: ``weights_from`` (study, column, probs, fpc or equal) and
    ``weights_text``, the sentence the text output prints."""
    return {"weights_from": result["weights_from"], "weights_text": _weights_text(result, lang)}


def _design_text(design: dict, lang: str) -> str:
    if design.get("replicate"):
        return _replicate_text(design, lang)
    if design.get("calibrated") and not design.get("calibration"):
        return t("design_calibrated", lang)
    parts = [t(f"design_{k}", lang, column=design[k]) for k in ("strata", "cluster", "fpc") if design[k]]
    if design.get("nest"):
        parts.append(t("design_nest", lang))
    lonely = design.get("lonely_psu")
    if lonely and lonely != "fail":  # fail (the default) fails on a lonely PSU: an estimate had none
        parts.append(t("design_lonely", lang, how=t(f"lonely_{lonely}", lang), choice=lonely))
    if design.get("calibration"):  # calibrated to --targets of the file's own columns
        from fjernarbeid.cli._calibration import design_words

        return ", ".join([*(parts or [t("design_srs", lang)]), design_words(design["calibration"], lang)])
    return ", ".join(parts) if parts else t("design_srs", lang)


def _replicate_text(design: dict, lang: str) -> str:
    """'80 replicate weights PWGTP1 … PWGTP80: successive difference replication (SDR), variance scale 0.05,
    squared deviations from the full-sample estimate (--mse); 79 degrees of freedom …', or for --replicates the
    replicates made from the design the other options describe."""
    rep = design["replicate"]
    kind = t(f"rep_kind_{rep['type']}", lang, rho=_significant(rep.get("fay_rho"), lang))
    if not rep.get("type_given"):
        kind = t("rep_kind_default", lang, kind=kind)
    rscales = sorted(set(rep["rscales"]))
    if rscales == [1.0]:
        factors = ""
    elif len(rscales) == 1:
        factors = t("rep_rscales", lang, values=_significant(rscales[0], lang))
    else:
        to = message("numbers", "interval_to", lang)
        factors = t("rep_rscales", lang, values=f"{_significant(rscales[0], lang)} {to} {_significant(rscales[-1], lang)}")
    if rep.get("seed") is not None:
        factors += t("rep_seed", lang, seed=rep["seed"])
    words = {"n": num(rep["replicates"], lang, 0), "kind": kind, "scale": _significant(rep["scale"], lang),
             "rscales": factors, "centre": t("rep_centre_mse" if rep["mse"] else "rep_centre_mean", lang),
             "df": num(rep["df"], lang, 0)}
    if rep["source"] == "columns":
        columns = rep["columns"]
        shown = ", ".join(columns) if len(columns) <= 3 else f"{columns[0]} … {columns[-1]}"
        return t("design_repweights", lang, columns=shown, **words)
    made_from = {**design, "replicate": None}
    if "fpc_used" in rep:  # R's as.svrepdesign drops the fpc for BRR and Fay, and later stages' for JK1, JKn
        made_from["fpc"] = rep["fpc_used"]
    made = t("design_replicates", lang, design=_design_text(made_from, lang), **words)
    matrix = rep.get("hadamard")
    if matrix:
        key = "rep_hadamard_given" if matrix["construction"] == "given" else "rep_hadamard_own"
        made += t(key, lang, order=num(matrix["order"], lang, 0), construction=matrix["construction"],
                  file=matrix.get("file"))
    return made


def _significant(x, lang: str, digits: int = 4) -> str:
    """x to ``digits`` significant digits without trailing zeros ('0,05', '0,9148', '0,3')."""
    if x is None:
        return ""
    if x == 0:
        return num(0, lang, 0)
    decimals = max(0, digits - 1 - math.floor(math.log10(abs(x))))
    text = num(round(x, decimals), lang, decimals)
    if decimals:
        text = text.rstrip("0")
        text = text[:-1] if text[-1] in ".," else text
    return text


def missing_reasons(result: dict) -> list[str]:
    """Why an estimate, SE or interval end printed is missing (the message keys of the notes, once each):
    no design degrees of freedom (a group of one PSU: no t quantile; a share of 0 or 100 % keeps its end at 0 or
    100 %), a quantile's limit beyond the data (R's svyquantile gives NaN), else no reason the table knows (the
    warnings above may tell)."""
    reasons = []
    rows = [*result["estimates"], *result.get("totals", []), *result.get("nets", []),
            *result.get("differences", [])]
    for row in rows:
        if _hidden(row) or not any(_missing(row.get(k)) for k in ("estimate", "difference", "se", "ci_low", "ci_high")
                                   if k in row):
            continue
        df = row.get("df")
        if df is not None and not _missing(df) and df <= 0:
            reason = "missing_no_df"
        elif result["statistic"] == "quantile" and result["ci_method"] != "score":  # Woodruff's: R's NaN
            reason = "missing_quantile"
        else:
            reason = "missing_other"
        if reason not in reasons:
            reasons.append(reason)
    return reasons


def variable_name(result, name: str) -> str:
    """A variable as the reader knows it: the question's label, else its name."""
    return result.get("variable_labels", {}).get(name) or name


def _group_text(row: dict) -> str:
    """The group's value (its label when the questionnaire has one)."""
    return ", ".join(str(row["group_labels"].get(k) or v) for k, v in row["group"].items())


def _ci_header(result, lang: str) -> str:
    return t("ci", lang, level=round(result["level"] * 100), method=result["ci_method"])


def _hidden(row) -> bool:
    return bool(row.get("suppressed"))


def _category_text(row, lang: str) -> str:
    """A category by its label, else its code; the missing answers of --include-missing as '(mangler)'."""
    return category_text(row.get("label"), row["category"], lang)


def category_text(label, category, lang: str) -> str:
    if label:
        return str(label)
    return t("missing_category", lang) if category is None else str(category)


def _share_cells(row, lang: str) -> list[str]:
    if _hidden(row):
        return [HIDDEN] * 5
    return [pct(row["estimate"], lang), pct(row["se"], lang), ci_text(row["ci_low"], row["ci_high"], lang),
            num(row["deff"], lang, 2), num(row["n_cell"], lang, 0) if row.get("n_cell") is not None else ""]


def _print_proportions(console, result, lang: str) -> None:
    by = result["by"]
    table = TextTable(([variable_name(result, by)] if by else []) + [t("answer", lang)],
                      ["%", t("se", lang), _ci_header(result, lang), "deff", "n"])
    groups = list(dict.fromkeys(_group_text(r) for r in result["estimates"]))
    for g in groups:
        rows = [r for r in result["estimates"] if _group_text(r) == g]
        nets = [n for n in result.get("nets", []) if _net_group(n, result) == g]
        for i, row in enumerate(rows):
            table.add(([g if i == 0 else ""] if by else []) + [_category_text(row, lang)], _share_cells(row, lang))
        n = rows[0]["n_unweighted"]
        table.add(([""] if by else []) + [t("total", lang)], [num(100.0, lang, 1), "", "", "", num(n, lang, 0)],
                  "bold", rule_after=not nets)
        for i, net in enumerate(nets):
            table.add(([""] if by else []) + [net["label"]], _share_cells(net, lang), "italic",
                      rule_after=i == len(nets) - 1)
    print_table(console, table, lang)
    _print_bases(console, result, lang)


def _net_group(net, result) -> str:
    labels = result.get("labels", {})
    return ", ".join(str(labels.get(k, {}).get(str(_code(v))) or v) for k, v in net["group"].items())


def _code(value):
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _print_bases(console, result, lang: str) -> None:
    seen = {}
    for row in result["estimates"]:
        seen.setdefault(_group_text(row), (row["n_unweighted"], row["weighted_base"], row["df"]))
    for group, (n, base, df) in seen.items():
        # a weighted count of thousands is whole ('1 333 762', not '1 333 762,3'); a small one keeps a decimal
        digits = 0 if base is not None and abs(base) >= 1000 else 1
        text = t("bases", lang, n=num(n, lang, 0), base=num(base, lang, digits), df=num(df, lang, 0))
        say(console, f"{group}: {text}" if group else text)
    _print_left_out(console, result, lang)


def _print_left_out(console, result, lang: str) -> None:
    """'utelatt: 12 «vet ikke» og 0 tomme svar på …' in the language of the output."""
    if result.get("empty_groups"):
        group = result["by"] or result["crosstab"]
        names = result.get("labels", {}).get(group, {})
        say(console, t("empty_groups", lang, variable=result["variable"], group=variable_name(result, group),
                       values=", ".join(str(names.get(str(v)) or v) for v in result["empty_groups"])))
    left = result.get("left_out")
    if not left or not any(left.values()):
        return
    if left.get("unweighted"):
        say(console, t("left_unweighted", lang, n=num(left["unweighted"], lang, 0)))
    if left.get("no_group"):
        # rows without a value of --by/--crosstab are in no group (R's svyby drops them from the domains; they
        # stay in the design); with --include-missing the crosstab's total column has them
        option = "--by" if result["by"] else "--crosstab"
        key = "left_no_column_total" if result["crosstab"] and _total_has_more(result) else \
            "left_no_column" if result["crosstab"] else "left_no_group"
        say(console, t(key, lang, n=num(left["no_group"], lang, 0), group=variable_name(result, result["by"] or
                                                                                        result["crosstab"]),
                       option=option, total=t("total", lang)))
    if left.get("not_asked"):
        say(console, t("left_not_asked", lang, n=num(left["not_asked"], lang, 0),
                       variable=result.get("reference") or result["variable"]))
    if not any(left.get(k) for k in ("not_sure", "skipped", "empty")):
        return
    # "not sure" answers by the questionnaire's own label for the code (there are none without such a code)
    unsure = _not_sure_text(result, lang)
    parts = ([t("left_not_sure", lang, n=num(left["not_sure"], lang, 0), answers=unsure)]
             if unsure and (left["not_sure"] or not left["empty"]) else []) \
        + ([t("left_skipped", lang, n=num(left["skipped"], lang, 0))] if left["skipped"] else [])
    empty = t("left_empty", lang, n=num(left["empty"], lang, 0), variable=result.get("reference") or result["variable"])
    listed = ", ".join(parts)
    say(console, t("left_out", lang, parts=(listed + " " + t("and", lang) + " " if parts else "") + empty))


def _total_has_more(result) -> bool:
    """Whether a crosstab's total column rests on more respondents than its columns together (with
    --include-missing it has those without a value of the column variable)."""
    totals = result.get("totals") or []
    bases = {json.dumps(r["group"], sort_keys=True, default=str): r["n_unweighted"] for r in result["estimates"]}
    return bool(totals) and totals[0]["n_unweighted"] > sum(bases.values())


def _not_sure_text(result, lang: str) -> str:
    """The questionnaire's own labels of the "not sure" codes, quoted: '«Ikke sikker»', '«Vet ikke» eller
    «Vil ikke svare»' ('' for a variable without such codes)."""
    return one_of(result.get("not_sure_labels") or (), lang)


def _print_multiple(console, result, lang: str) -> None:
    by = result["by"]
    table = TextTable(([variable_name(result, by)] if by else []) + [t("choice", lang)],
                      [t("pct_respondents", lang), t("se", lang), _ci_header(result, lang), t("pct_choices", lang),
                       t("n_chose", lang)])
    previous = None
    for row in result["estimates"]:
        group = _group_text(row)
        labels = ([group if group != previous else ""] if by else []) + [_category_text(row, lang)]
        previous = group
        if _hidden(row):
            cells = [HIDDEN] * 5
        else:
            cells = [pct(row["estimate"], lang), pct(row["se"], lang), ci_text(row["ci_low"], row["ci_high"], lang),
                     pct(row["share_of_responses"], lang), num(row["n_chosen"], lang, 0)]
        table.add(labels, cells)
    print_table(console, table, lang)
    say(console, t("multiple_note", lang))
    _print_bases(console, result, lang)


def _print_numeric(console, result, lang: str) -> None:
    by = result["by"]
    quantiles = result["statistic"] == "quantile"
    if result["statistic"] == "ratio":
        name = f"{result['variable']}/{result['denominator']}"
    else:  # a quantile's probability is in its own label column ("Kvantil 0,50"), its estimate is a value
        name = t("value" if quantiles else f"statistic_{result['statistic']}", lang)
    # the total of a text column has a row per category (R's svytotal of a factor)
    categories = not quantiles and any(row.get("category") is not None for row in result["estimates"])
    stub = ([variable_name(result, by)] if by else []) + ([t("statistic_quantile", lang)] if quantiles else []) \
        + ([result["variable"]] if categories else [])
    columns = [name, t("se", lang), _ci_header(result, lang), "deff", "n", t("df", lang)]
    if not stub:
        stub, columns = [columns[0]], columns[1:]
    table = TextTable(stub, columns)
    for row in result["estimates"]:
        labels = ([_group_text(row)] if by else []) + ([num(row["category"], lang, 2)] if quantiles else []) \
            + ([category_text(row.get("label"), row["category"], lang)] if categories else [])
        cells = [num(row["estimate"], lang, 3), num(row["se"], lang, 3),
                 ci_text(row["ci_low"], row["ci_high"], lang, 1, 3), num(row["deff"], lang, 2),
                 num(row["n_unweighted"], lang, 0), num(row["df"], lang, 0)]
        if _hidden(row):
            cells = [HIDDEN] * 4 + cells[4:]
        if not labels:
            labels, cells = [cells[0]], cells[1:]
        table.add(labels, cells)
    print_table(console, table, lang)
    _print_left_out(console, result, lang)


def _print_crosstab(console, result, lang: str) -> None:
    columns = list(dict.fromkeys(_group_text(r) for r in result["estimates"]))
    categories = list(dict.fromkeys((r["category"], r["label"]) for r in result["estimates"]))
    totals = {r["category"]: r for r in result.get("totals", [])}
    title = t("crosstab_title", lang, column=variable_name(result, result["crosstab"]), ci=_ci_header(result, lang))
    table = TextTable([t("answer", lang)], columns + ([t("total", lang)] if totals else []), title=title)

    def cell(r) -> str:
        if r is None:
            return ""
        if _hidden(r):
            return HIDDEN
        return f"{pct(r['estimate'], lang)} ({ci_text(r['ci_low'], r['ci_high'], lang)})"

    for code, label in categories:
        cells = []
        for c in columns:
            hit = [r for r in result["estimates"] if _group_text(r) == c and r["category"] == code]
            cells.append(cell(hit[0] if hit else None))
        if totals:
            cells.append(cell(totals.get(code)))
        table.add([category_text(label, code, lang)], cells)
    bases = {}
    for r in result["estimates"]:
        bases.setdefault(_group_text(r), r["n_unweighted"])
    total_base = [next(iter(totals.values()))["n_unweighted"]] if totals else []
    hundred = num(100.0, lang, 1)
    nets = result.get("nets", [])
    table.add([t("total", lang)], [hundred] * (len(columns) + (1 if totals else 0)), "bold")
    table.add([t("base", lang)], [num(bases[c], lang, 0) for c in columns] + [num(n, lang, 0) for n in total_base],
              "dim", rule_after=bool(nets))
    for label in dict.fromkeys(n["label"] for n in nets):
        cells = []
        for c in columns:
            hit = [n for n in nets if n["label"] == label and n["group"] and _net_group(n, result) == c]
            cells.append(cell(hit[0] if hit else None))
        if totals:
            hit = [n for n in nets if n["label"] == label and not n["group"]]
            cells.append(cell(hit[0] if hit else None))
        table.add([label], cells, "italic")
    print_table(console, table, lang)
    test = result["test"]
    if test.get("negative_cells"):
        say(console, t("rao_scott_negative", lang, negative=test["negative_cells"]))
    elif test.get("not_computed"):
        say(console, t("rao_scott_singular", lang, empty=test["empty_cells"]))
    else:
        say(console, t("rao_scott", lang, f=num(test["statistic"], lang, 3), ndf=num(test["ndf"], lang, 2),
                        ddf=num(test["ddf"], lang, 1), p=p_text(test["p_value"], lang)))
    _print_left_out(console, result, lang)


def _print_differences(console, result, lang: str) -> None:
    """One row per pair of groups: second − first, SE, interval, t, p."""
    share = result["statistic"] == "proportion"
    scale, digits = (100, 1) if share else (1, 3)
    # the pair (and a share's category) are the label columns, repeated in every part of a table split to
    # the terminal's width, so that each part's numbers can be matched to their pair
    stub = ([t("category", lang)] if share else []) + [t("second", lang), t("first", lang)]
    columns = [t("difference_points" if share else "difference", lang),
               t("se", lang), t("ci", lang, level=round(result["level"] * 100), method="t"), "t", t("df", lang), "p"]
    table = TextTable(stub, columns, title=t("differences_title", lang, group=variable_name(result, result["by"])))
    labels = result.get("labels", {}).get(result["by"], {})
    categories = result.get("labels", {}).get(result["variable"], {})
    for d in result["differences"]:
        names = [str(labels.get(str(_code(v)), v)) for v in (d["second"][result["by"]], d["first"][result["by"]])]
        cells = names + [num(scale * d["difference"], lang, digits), num(scale * d["se"], lang, digits),
                         ci_text(d["ci_low"], d["ci_high"], lang, scale, digits), num(d["t"], lang, 2),
                         num(d["df"], lang, 0), p_text(d["p_value"], lang, bare=True)]
        if share:
            table.add([category_text(categories.get(str(_code(d["category"]))), d["category"], lang), *names],
                      cells[2:])
        else:
            table.add(names, cells[2:])
    print_table(console, table, lang)

"""Outputs of the coded interviews: quotes per code, a code × informant matrix, counts by case
attribute ("3 av 6 jobber hjemmefra"), code co-occurrence, and a self-contained HTML theme report in
bokmål that follows the report's chapter 3.1.

All tables are pandas DataFrames built from three inputs: the (pseudonymised) interviews, the
codings (``interview, turn, code, coder``) and the codebook. Counting rules, stated once here:

* a code's **turns** are the distinct turns it was applied to (several coders applying it to one turn
  count once);
* an informant **has** a code if at least one turn of their interview has it;
* "n av N" counts informants with the code among the N informants in a group of a case attribute;
* co-occurrence counts units (turns, or whole interviews) that have both codes; the diagonal counts
  units with the code (the usual code co-occurrence table of QDA programs, e.g. ATLAS.ti's).
"""

from __future__ import annotations

import datetime as _dt
from importlib import resources
from pathlib import Path
from typing import Sequence

import jinja2
import pandas as pd

from fjernarbeid import __version__
from fjernarbeid._io import write_text_atomic
from fjernarbeid.errors import DataValidationError
from fjernarbeid.interviews.codebook import Codebook
from fjernarbeid.interviews.coding import cases_frame, turns_frame, write_table
from fjernarbeid.interviews.transcript import Interview

TOTAL = "Totalt"


def require_pseudonymised(interviews: Sequence[Interview]) -> None:
    """Refuse to analyse transcripts that still carry real names, or that say they are pseudonymised
    but still hold a phone number, identity, account or organisation number, e-mail address, street
    address or postal code written as such ("N-5600", "postnummer 5600") (a file edited by hand, or pseudonymised by an older version): the detectors run again
    before anything is written. The message says where and what, never the identifier itself."""
    raw = [iv.id for iv in interviews if not iv.pseudonymised]
    if raw:
        raise DataValidationError(f"interview(s) {', '.join(raw)} are not pseudonymised; run "
                                  "'fjernarbeid interviews pseudonymise' first (outputs never show real names)")
    from fjernarbeid.interviews.identifiers import normalise_text, remaining_identifiers
    from fjernarbeid.interviews.wordlists import FUNCTION_WORDS

    problems = []
    for iv in interviews:
        fields = [(f"turn {t.number}", t.text) for t in iv.turns]
        fields += [("title", iv.title)] + [(f"note {i}", n) for i, n in enumerate(iv.notes, start=1)]
        for where, text in fields:
            kinds = sorted({h.kind for h in remaining_identifiers(normalise_text(text), FUNCTION_WORDS)})
            if kinds:
                problems.append(f"interview {iv.id}, {where}: {', '.join(k.replace('_', ' ') for k in kinds)}")
    if problems:
        raise DataValidationError(
            f"{len(problems)} pseudonymised field(s) still hold what looks like an identifier; run "
            "'fjernarbeid interviews pseudonymise' again on the imported transcripts:\n  "
            + "\n  ".join(problems[:20]), report=problems)


def _unique(codings: pd.DataFrame) -> pd.DataFrame:
    return codings.drop_duplicates(["interview", "turn", "code"])


def quotes(interviews: Sequence[Interview], codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Every coded turn as a quote: code, informant pseudonym, speaker, interview, turn, time stamp, text;
    in codebook order, then interview and turn order."""
    turns = turns_frame(interviews)
    out = _unique(codings)[["interview", "turn", "code"]].merge(turns, on=["interview", "turn"], how="inner")
    out["code_name"] = out["code"].map({c.id: c.name for c in codebook})
    out["section"] = out["code"].map({c.id: c.section or "" for c in codebook})
    order = {c: i for i, c in enumerate(codebook.ids)}
    iv_order = {iv.id: i for i, iv in enumerate(interviews)}
    out = out.assign(_c=out["code"].map(order), _i=out["interview"].map(iv_order))
    out = out.sort_values(["_c", "_i", "turn"]).drop(columns=["_c", "_i"])
    return out[["code", "code_name", "section", "informant", "speaker", "interview", "turn", "timestamp",
                "text"]].reset_index(drop=True)


def informants_column(codebook: Codebook) -> str:
    """The heading of the matrix's last column, in the codebook's language: it counts informants, where the
    other columns count coded turns (it was headed 'Totalt', read as the row's sum)."""
    from fjernarbeid.i18n import message

    return message("interviews", "matrix_informants", codebook.language)


def code_matrix(interviews: Sequence[Interview], codings: pd.DataFrame, codebook: Codebook) -> pd.DataFrame:
    """Codes (rows, codebook order) × informants (columns, interview order): number of coded turns,
    and a last column (:func:`informants_column`) with the number of informants who have the code."""
    informant = {iv.id: iv.informant for iv in interviews}
    coded = _unique(codings)
    table = pd.crosstab(coded["code"], coded["interview"].map(informant))
    columns = list(dict.fromkeys(informant[iv.id] for iv in interviews))  # a follow-up interview: one column
    table = table.reindex(index=codebook.ids, columns=columns, fill_value=0).astype("int64")
    table[informants_column(codebook)] = (table[columns] > 0).sum(axis=1)
    table.index.name, table.columns.name = "code", "informant"
    return table


def _informants(interviews: Sequence[Interview]) -> pd.DataFrame:
    """The case attributes once per informant (of their first interview): an informant interviewed twice
    is one informant in every count."""
    cases = cases_frame(interviews)
    return cases[~cases["informant"].duplicated()]


def attribute_table(interviews: Sequence[Interview], row: str, column: str) -> pd.DataFrame:
    """Informants cross-tabulated by two case attributes, with totals (the report's 2 × 2 typology:
    took the job along / new job × home office / coworking)."""
    cases = _informants(interviews)
    for attr in (row, column):
        if attr not in cases:
            raise DataValidationError(f"case attribute {attr!r} is not set for the interviews "
                                      f"(known: {', '.join(c for c in cases.columns if c != 'informant') or 'none'})")
    return pd.crosstab(cases[row], cases[column], margins=True, margins_name=TOTAL)


def counts_by_attribute(interviews: Sequence[Interview], codings: pd.DataFrame, codebook: Codebook,
                        attribute: str) -> pd.DataFrame:
    """For each code and each value of a case attribute: informants with the code, informants in the
    group, and the label 'n av N'."""
    cases = _informants(interviews)
    if attribute not in cases:
        raise DataValidationError(f"case attribute {attribute!r} is not set for the interviews")
    group = cases.set_index("informant")[attribute]
    sizes = group.value_counts()
    informant = {iv.id: iv.informant for iv in interviews}
    present = _unique(codings)[["interview", "code"]].assign(informant=lambda f: f["interview"].map(informant))
    present = present[["informant", "code"]].drop_duplicates()
    present = present.assign(value=present["informant"].map(group))
    n = present.groupby(["code", "value"]).size()
    full = pd.MultiIndex.from_product([codebook.ids, sorted(sizes.index)], names=["code", "value"])
    out = n.reindex(full, fill_value=0).rename("informants_with_code").reset_index()
    out["informants_in_group"] = out["value"].map(sizes).astype("int64")
    out["label"] = out["informants_with_code"].astype(str) + " av " + out["informants_in_group"].astype(str)
    out.insert(1, "attribute", attribute)
    return out


def cooccurrence(codings: pd.DataFrame, codebook: Codebook, level: str = "turn") -> pd.DataFrame:
    """Code × code counts of units (``turn`` or ``interview``) that have both codes."""
    if level not in ("turn", "interview"):
        raise ValueError("level must be 'turn' or 'interview'")
    unit = ["interview", "turn"] if level == "turn" else ["interview"]
    coded = _unique(codings)
    keys = coded[unit].astype(str).agg("/".join, axis=1) if not coded.empty else pd.Series(dtype=str)
    indicator = (pd.crosstab(keys, coded["code"]) > 0).astype("int64")
    indicator = indicator.reindex(columns=codebook.ids, fill_value=0)
    matrix = indicator.T @ indicator
    matrix.index.name, matrix.columns.name = "code", "code"
    return matrix


# -- HTML theme report --------------------------------------------------------------------------------


def theme_report_html(interviews: Sequence[Interview], codings: pd.DataFrame, codebook: Codebook,
                      typology: tuple[str, str] | None = None, max_quotes: int = 4,
                      notes: Sequence[str] = (), generated: _dt.date | None = None) -> str:
    """The theme report (bokmål), one self-contained HTML file: informants, the typology table, then for
    each section of chapter 3.1 its codes with 'n av N informanter', counts by attribute and quotes
    (pseudonym and time stamp), and the code × informant matrix. All text is HTML-escaped."""
    require_pseudonymised(interviews)
    matrix = code_matrix(interviews, codings, codebook)
    informants = informants_column(codebook)
    quote_table = quotes(interviews, codings, codebook)
    cases = cases_frame(interviews)
    attributes = [c for c in cases.columns if c != "informant"]
    by_attr = {a: counts_by_attribute(interviews, codings, codebook, a) for a in attributes
               if 2 <= cases[a].nunique() <= 4}
    sections = []
    for section in codebook.sections:
        codes = []
        for code in codebook.in_section(section.id):
            q = quote_table[quote_table["code"] == code.id]
            groups = []
            for attr, table in by_attr.items():
                rows = table[table["code"] == code.id]
                groups.append((attr, list(zip(rows["value"], rows["label"]))))
            codes.append({"code": code, "n_informants": int(matrix.loc[code.id, informants]),
                          "n_turns": int(matrix.loc[code.id].drop(informants).sum()),
                          "groups": groups, "quotes": q.head(max_quotes).to_dict("records"),
                          "more": max(0, len(q) - max_quotes)})
        sections.append({"section": section, "codes": codes})
    co = cooccurrence(codings, codebook, "turn")
    pairs = [(codebook[a].name, codebook[b].name, int(co.loc[a, b]))
             for i, a in enumerate(co.index) for b in co.columns[i + 1:] if co.loc[a, b] > 0]
    pairs.sort(key=lambda p: -p[2])
    env = jinja2.Environment(autoescape=True, undefined=jinja2.StrictUndefined, trim_blocks=True,
                             lstrip_blocks=True)
    template = env.from_string(resources.files("fjernarbeid.interviews").joinpath(
        "theme_report.html.j2").read_text(encoding="utf-8"))
    typology_table = attribute_table(interviews, *typology) if typology else None
    return template.render(
        synthetic=any(iv.synthetic for iv in interviews), interviews=interviews, cases=cases,
        attributes=attributes, codebook=codebook, sections=sections, matrix=matrix, total=informants,
        typology=typology, typology_table=typology_table, pairs=pairs[:15], notes=list(notes),
        coders=sorted(codings["coder"].unique()), n_codings=len(_unique(codings)),
        version=__version__, generated=(generated or _dt.date.today()).isoformat())


def write_outputs(out_dir: str | Path, interviews: Sequence[Interview], codings: pd.DataFrame,
                  codebook: Codebook, typology: tuple[str, str] | None = None,
                  notes: Sequence[str] = ()) -> dict[str, Path]:
    """Write every output table (CSV) and the HTML theme report into ``out_dir``; return their paths."""
    require_pseudonymised(interviews)
    out = Path(out_dir)
    paths = {
        "quotes": write_table(quotes(interviews, codings, codebook), out / "sitater.csv"),
        "matrix": write_table(code_matrix(interviews, codings, codebook).reset_index(), out / "kode_x_informant.csv"),
        "cooccurrence_turn": write_table(cooccurrence(codings, codebook, "turn").reset_index(),
                                         out / "samforekomst_ytring.csv"),
        "cooccurrence_interview": write_table(cooccurrence(codings, codebook, "interview").reset_index(),
                                              out / "samforekomst_intervju.csv"),
    }
    cases = cases_frame(interviews)
    attributes = [c for c in cases.columns if c != "informant"]
    if attributes:
        paths["cases"] = write_table(cases.reset_index(), out / "informanter.csv")
        paths["by_attribute"] = write_table(
            pd.concat([counts_by_attribute(interviews, codings, codebook, a) for a in attributes], ignore_index=True),
            out / "koder_etter_egenskap.csv")
    if typology:
        paths["typology"] = write_table(attribute_table(interviews, *typology).reset_index(), out / "typologi.csv")
    paths["report"] = write_text_atomic(out / "temarapport.html",
                                        theme_report_html(interviews, codings, codebook, typology, notes=notes))
    return paths

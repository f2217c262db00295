"""Write the hostile corpus of ``tests/hostile/files/`` (run from the repository: ``python
tests/hostile/make_corpus.py``). Each file is a SYNTHETIC demo survey (``fjernarbeid demo``, 120
respondents, seed 11) broken in one way a red-team run found, or a hostile side file (mapping,
catalogue). ``test_hostile_corpus.py`` says, for each, the command, the exit code and the message.
The files are committed, so that the corpus stays as it is when the demo generator changes.
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

HERE = Path(__file__).resolve().parent / "files"
SEED, N = 11, 120


def base_rows() -> list[list[str]]:
    from fjernarbeid.studies.norce2025.demo.generate import generate_demo
    from fjernarbeid.studies.norce2025.demo.write import write_csv

    path = HERE / "survey.csv"
    write_csv(generate_demo(n=N, seed=SEED).survey, path)
    return list(csv.reader(io.StringIO(path.read_text("utf-8"))))


def text(rows: list[list[str]], newline: str = "\n") -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator=newline).writerows(rows)
    return buffer.getvalue()


def column(rows, name: str) -> int:
    return rows[0].index(name)


def with_cell(rows, row: int, name: str, value: str) -> list[list[str]]:
    out = [list(r) for r in rows]
    out[row][column(rows, name)] = value
    return out


def main() -> None:
    HERE.mkdir(exist_ok=True)
    rows = base_rows()
    write = lambda name, data: (HERE / name).write_bytes(data if isinstance(data, bytes) else data.encode("utf-8"))  # noqa: E731

    # a quoted lone CR inside a free-text answer; a file with old-Mac CR line endings
    asked = [i for i, r in enumerate(rows) if i and r[column(rows, "q5")] == "3"]  # rows where q5_text is asked
    write("lone_cr_in_quoted_field.csv", text(with_cell(rows, asked[0], "q5_text", "Bergen\rsentrum"), "\r\n"))
    write("lone_cr_unquoted.csv", text(with_cell(rows, asked[0], "q5_text", "Bergen\rsentrum")))
    write("cr_line_endings.csv", text(rows, "\r"))
    write("utf16_with_bom.csv", text(rows).encode("utf-16"))
    # one Windows-1252 ø pasted into a UTF-8 file with other ø's: named by line, never mojibake
    utf8 = text(with_cell(with_cell(rows, 2, "q5_text", "Tønsberg"), 5, "q5_text", "Bodø")).encode("utf-8")
    write("stray_cp1252_byte.csv", utf8.replace("Bodø".encode("utf-8"), "Bodø".encode("cp1252")))
    write("header_only.csv", text(rows[:1]))
    weighted = [rows[0] + ["w"]] + [r + ["1e308" if i == 2 else "1.5"] for i, r in enumerate(rows[1:], start=1)]
    write("weight_1e308.csv", text(weighted))
    write("huge_integers.csv", text(with_cell(with_cell(rows, 3, "q3", "12345678901234567890123"), 4, "q3", "1e308")))
    write("postal_code_lost_zero.csv", text(with_cell(rows, 2, "q201", "150")))
    # rich console markup in a value, an id and a column name
    marked = with_cell(with_cell(rows, 2, "q5_text", "[/bold] :smile: [red]"), 3, "id", "[/]")
    marked[0] = marked[0] + ["[/bold]col"]
    marked[1:] = [r + ["x"] for r in marked[1:]]
    write("markup_everywhere.csv", text(marked))
    # terminal control sequences in a value (clear the screen) and a column name (set the window's title)
    escapes = with_cell(rows, 3, "q3", "\x1b[2J9")
    escapes[0] = escapes[0] + ["\x1b]0;owned\x07col"]
    escapes[1:] = [r + ["x"] for r in escapes[1:]]
    write("terminal_escapes.csv", text(escapes))
    (HERE / "[").mkdir(exist_ok=True)  # the path files/[/bold].csv: markup in a path
    write("[/bold].csv", text(rows))
    # free text a spreadsheet would run
    formulas = rows
    for i, payload in zip(asked, ['=HYPERLINK("http://example.invalid","klikk")', "+cmd|' /C calc'!A0",
                                  "@SUM(A1:A9)", "\t=1+1", "-2+3"]):
        formulas = with_cell(formulas, i, "q5_text", payload)
    write("formula_injection.csv", text(formulas))
    # a column name with backticks, and an empty group for tab --by
    ticks = [r + (["a`b``c"] if i == 0 else ["1"]) for i, r in enumerate(rows)]
    write("backtick_column.csv", text(ticks))
    sex, q23 = column(rows, "q207"), column(rows, "q23")
    write("empty_group.csv", text([rows[0]] + [r[:q23] + ([""] if r[sex] == "2" else [r[q23]]) + r[q23 + 1:]
                                                for r in rows[1:]]))
    # found by a second red-team run: lines ending in a mix of CRLF, CR and LF (files pasted together);
    # a full-width digit (U+FF13), which Python's \d accepts but int64 parsing does not; a 5,000-digit cell
    line_ends = ("\r\n", "\r", "\n")
    write("mixed_line_endings.csv", "".join(line + line_ends[i % 3] for i, line in enumerate(text(rows).splitlines())))
    write("infinity_in_a_number.csv", text(with_cell(rows, 3, "q3", "inf")))
    write("fullwidth_digit.csv", text(with_cell(rows, 3, "q3", "\uff13")))
    write("huge_number_cell.csv", text(with_cell(rows, 3, "q3", "9" * 5_000)))
    # hostile side files
    write("catalogue_repeated_key.yaml", "findings:\n  - id: P1\n    analysis: share\nfindings: []\n")
    write("catalogue_utf16_no_bom.yaml", "findngs: []\n".encode("utf-16-le"))
    write("binary_mapping.csv", bytes(range(256)) * 4)
    write("binary_mapping.yaml", bytes(range(256)) * 4)
    # a Teams transcript saved as "Unicode text" without a byte-order mark; a VTT with a NUL byte in a turn
    vtt = "WEBVTT\n\n00:00:01.000 --> 00:00:05.000\n<v Kari>Hei fra Tønsberg\n"
    write("transcript_utf16_no_bom.vtt", vtt.encode("utf-16-le"))
    write("transcript_nul.vtt", vtt.replace("Hei", "H\x00ei"))
    bomb = 'a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]\n' + "".join(
        f"{n}: &{n} [{','.join([f'*{p}'] * 9)}]\n" for p, n in zip("abcdefgh", "bcdefghi"))
    write("alias_bomb.yaml", bomb)
    write("catalogue_misspelt_key.yaml", "findngs:\n  - id: P1\n    analysis: share\n")
    write("catalogue_empty.yaml", "code_sets: {}\nfindings: []\n")
    write("catalogue_unrelated.yaml", "name: not a catalogue\nitems: [1, 2, 3]\n")
    # a title pasted from Word: its line break is a vertical tab, which YAML writes "\v" and no workbook can hold
    write("catalogue_control_character.yaml", 'schema_version: 1\nfindings:\n  - id: P02\n    section: "3.2.2"\n'
          '    analysis: distribution\n    variable: q12\n    title: {nb: "Bruk av\\vhjemmekontor", en: "Home office"}\n'
          '    sentence: {nb: "Det vanligste er {mode_label}.", en: "The most common is {mode_label}."}\n')


if __name__ == "__main__":
    main()

"""Regenerate docs/tab-nb.png: `fjernarbeid tab` on the synthetic demo as an 80-column terminal shows it
(bokmål, study weighting, a cross-table with its "I alt" column, base row and nets).

Runs the command with COLUMNS=80 and colours forced on, renders its output as HTML with rich (the
terminal's own colours) and photographs that with Debian's chromium. Usage: .venv/bin/python scripts/screenshot_tab.py
"""

from __future__ import annotations

import io
import os
import subprocess
import sys
import tempfile
from pathlib import Path

from rich.terminal_theme import MONOKAI
from rich.text import Text

from fjernarbeid.cli._console import console

REPO = Path(__file__).resolve().parents[1]
OUT = REPO / "docs" / "tab-nb.png"
WIDTH = 80


def main() -> None:
    fjernarbeid = Path(sys.executable).parent / "fjernarbeid"
    with tempfile.TemporaryDirectory() as tmp:
        tmp = Path(tmp)
        subprocess.run([fjernarbeid, "demo", "--out", tmp / "demo", "--no-sav"], check=True, capture_output=True)
        env = {**os.environ, "COLUMNS": str(WIDTH), "FORCE_COLOR": "1", "TERM": "xterm-256color"}
        command = ["tab", "demo_survey.csv", "q23", "--crosstab", "q207", "--study-weighting", "--refdata", "refdata"]
        ran = subprocess.run([fjernarbeid, *command], cwd=tmp / "demo", env=env, check=True, capture_output=True,
                             text=True)
        screen = console(record=True, width=WIDTH, file=io.StringIO(), force_terminal=True)
        shown = ["fjernarbeid", *command[:5], "\\\n   ", *command[5:]]
        screen.print(Text.assemble(("$ ", "bold green"), " ".join(shown).replace(" \n", "\n")))
        screen.print(Text.from_ansi(ran.stdout))
        lines = len(screen.export_text(clear=False).splitlines())
        html = screen.export_html(inline_styles=True, theme=MONOKAI, code_format=(
            "<!DOCTYPE html><html lang='nb'><head><meta charset='utf-8'><style>"
            "body{{margin:0;background:{background};color:{foreground}}}"
            "pre{{margin:0;padding:14px 16px;font:15px/1.17 'DejaVu Sans Mono',monospace}}"
            "</style></head><body><pre><code>{code}</code></pre></body></html>"))
        page = tmp / "tab.html"
        page.write_text(html, encoding="utf-8")
        height = 28 + round(lines * 15 * 1.17) + 40
        width = 32 + round(WIDTH * 9.05) + 8
        subprocess.run(["chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
                        "--no-first-run", "--disable-component-update", "--disable-sync",
                        f"--user-data-dir={tmp / 'profile'}", "--hide-scrollbars", f"--window-size={width},{height}",
                        f"--screenshot={OUT}", page.as_uri()], check=True, capture_output=True)
    _crop(OUT)
    print(OUT.relative_to(REPO))


def _crop(path: Path) -> None:
    """Cut the empty background below the last line of text (the window is taken a little too tall)."""
    from PIL import Image, ImageChops

    image = Image.open(path).convert("RGB")
    background = Image.new("RGB", image.size, image.getpixel((1, image.height - 1)))
    box = ImageChops.difference(image, background).getbbox()
    if box:
        image.crop((0, 0, image.width, min(image.height, box[3] + 14))).save(path, optimize=True)


if __name__ == "__main__":
    main()

"""Regenerate docs/screenshots/: the demo report as a reader sees it in every medium.

    .venv/bin/python scripts/screenshots.py [--out docs/screenshots] [--keep DIR]

* report-nb-<chapter>.png, report-en-<chapter>.png: the HTML report at each chapter (Chromium, headless);
* pdf-page-NN.png: pages of the PDF report (pdftoppm): the title page, the contents, a page of each chapter
  (of chapter 4.5 its first page and the page of its first figure);
* docx-page-NN.png: pages of the Word report, printed by LibreOffice (headless) then pdftoppm;
* banner-q207.png, banner-q23.png: the banner sheets of q207 (sex, fixed by the weighting: no letters) and
  q23 (a scale: nets and a mean row) as Excel prints them (LibreOffice, the sheet's own print set-up).

Needs Debian's chromium, poppler-utils and libreoffice (with libreoffice-calc for the workbook). The files it wrote before are replaced; the script
prints each file it writes. The demo and reports are made in a temporary directory (``--keep`` keeps them).
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
FJERNARBEID = [sys.executable, "-m", "fjernarbeid"]
RESOLUTION = 60  # dpi of the page images: a page is 496 × 702 pixels


def run(*args, **kw) -> subprocess.CompletedProcess:
    done = subprocess.run([str(a) for a in args], capture_output=True, text=True, **kw)
    if done.returncode != 0:
        sys.exit(f"{' '.join(map(str, args))} failed (exit {done.returncode}):\n{done.stderr[-2000:]}")
    return done


def chromium(url: str, png: Path, profile: Path, height: int = 1500) -> None:
    run("chromium", "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking",
        "--no-first-run", "--disable-component-update", "--disable-sync", f"--user-data-dir={profile}",
        "--hide-scrollbars", f"--window-size=1100,{height}", f"--screenshot={png}", url, timeout=120)


def chapter_pages(html: Path, work: Path) -> list[tuple[str, Path]]:
    """One page per chapter of the HTML report: the report with every other chapter hidden (a screenshot
    shows a page from its top; an anchor in the URL is not scrolled to by headless Chromium)."""
    text = html.read_text("utf-8")
    ids = re.findall(r'<section[^>]* id="([^"]+)"', text)
    pages = []
    for section in ids:
        hide = ", ".join(f"#{other}" for other in ids if other != section) + ", header, nav"
        page = work / f"{html.stem}-{section}.html"
        page.write_text(text.replace("</style>", f"{hide} {{ display: none !important; }}\n</style>", 1), "utf-8")
        pages.append((section.removeprefix("sec-"), page))
    return [("front", html)] + pages


def first_figure_of(html: Path, section: str) -> str:
    """The label of the first figure of a chapter of the HTML report ('Figur 20.'), to find its page by."""
    text = html.read_text("utf-8")
    found = re.search(r'<figcaption><span class="label">([^<]+)</span>', text[text.index(f'id="{section}"'):])
    return found.group(1) if found else f"id={section}"


def pdf_pages(pdf: Path, out: Path, prefix: str, wanted: list[int]) -> list[Path]:
    written = []
    for page in wanted:
        stem = out / f"{prefix}-page-{page:02d}"
        run("pdftoppm", "-png", "-r", RESOLUTION, "-f", page, "-l", page, "-singlefile", pdf, stem)
        written.append(stem.with_suffix(".png"))
    return written


def pages_of(pdf: Path) -> int:
    return int(re.search(r"Pages:\s+(\d+)", run("pdfinfo", pdf).stdout).group(1))


def page_with(pdf: Path, text: str, after: int = 1) -> int | None:
    """The first page (from ``after``) whose text contains ``text``."""
    for page in range(after, pages_of(pdf) + 1):
        if text in run("pdftotext", "-f", page, "-l", page, pdf, "-").stdout:
            return page
    return None


def libreoffice_pdf(document: Path, work: Path) -> Path:
    run("soffice", "--headless", f"-env:UserInstallation=file://{work / 'lo-profile'}", "--convert-to", "pdf",
        "--outdir", work, document, timeout=300)
    return work / f"{document.stem}.pdf"


def banner(workbook: Path, sheet: str, png: Path, work: Path) -> None:
    """One banner sheet as Excel prints it: a copy of the workbook with only that sheet, printed."""
    from openpyxl import load_workbook

    book = load_workbook(workbook)
    for ws in list(book.worksheets):
        if ws.title != sheet:
            book.remove(ws)
    single = work / f"{png.stem}.xlsx"
    book.save(single)
    printed = libreoffice_pdf(single, work)
    run("pdftoppm", "-png", "-r", 200, "-f", 1, "-l", 1, "-singlefile", printed, png.with_suffix(""))
    trim(png)


def trim(png: Path, margin: int = 24) -> None:
    """Crop the printed page to what is printed on it (plus a margin): a landscape sheet fitted to the
    page's width is legible only at a resolution whose blank paper would dwarf it."""
    from PIL import Image, ImageOps

    with Image.open(png) as page:
        box = ImageOps.invert(page.convert("L")).getbbox()
        if box is None:
            return
        left, top, right, bottom = box
        cropped = page.crop((max(left - margin, 0), max(top - margin, 0),
                             min(right + margin, page.width), min(bottom + margin, page.height)))
    cropped.save(png)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--out", type=Path, default=REPO / "docs" / "screenshots")
    parser.add_argument("--keep", type=Path, help="keep the demo and the reports in this directory")
    args = parser.parse_args(argv)
    missing = [tool for tool in ("chromium", "pdftoppm", "pdftotext", "pdfinfo", "soffice") if not shutil.which(tool)]
    if missing:
        print(f"missing: {', '.join(missing)} (Debian: chromium, poppler-utils, libreoffice-writer, libreoffice-calc)", file=sys.stderr)
        return 2
    work = Path(tempfile.mkdtemp(prefix="fjernarbeid-screens-")) if args.keep is None else args.keep
    work.mkdir(parents=True, exist_ok=True)
    demo = work / "demo"
    run(*FJERNARBEID, "demo", "--out", demo)
    reports = {}
    for lang, formats in (("nb", "html,pdf,docx,xlsx"), ("en", "html")):
        reports[lang] = work / f"report-{lang}"
        run(*FJERNARBEID, "report", demo / "demo_survey.csv", "--dispositions", demo / "demo_dispositions.csv",
            "--refdata", demo / "refdata", "--out", reports[lang], "--lang", lang, "--format", formats)
    args.out.mkdir(parents=True, exist_ok=True)
    for old in args.out.glob("*.png"):  # this script's own earlier files, not others' (disclosure-nb.png …)
        if old.name.startswith(("report-", "pdf-page-", "docx-page-", "banner-")):
            old.unlink()
    written: list[Path] = []

    for lang in ("nb", "en"):
        for chapter, page in chapter_pages(reports[lang] / "report.html", work):
            png = args.out / f"report-{lang}-{chapter}.png"
            chromium(page.as_uri(), png, work / "chromium")
            written.append(png)

    # the page with chapter 4.5's first figure (numbered on from chapter 3's) too
    chapter_figure = first_figure_of(reports["nb"] / "report.html", "malgrupper")
    pdf = reports["nb"] / "report.pdf"
    wanted = [1, 2] + [p for p in (page_with(pdf, t, 3) for t in ("3.2.2", "P12 ", "P25 ", "4.5 Målgrupper",
                                                                   chapter_figure, "Metode", "Vedlegg B")) if p]
    written += pdf_pages(pdf, args.out, "pdf", sorted(set(wanted)))

    word = libreoffice_pdf(reports["nb"] / "report.docx", work)
    wanted = [1, 2] + [p for p in (page_with(word, t, 3) for t in ("Figur 1.", "P25 ", "4.5 Målgrupper",
                                                                    chapter_figure, "Vedlegg B")) if p]
    written += pdf_pages(word, args.out, "docx", sorted(set(wanted)))

    for question, sheet in (("q207", "Spm 207"), ("q23", "Spm 23")):
        png = args.out / f"banner-{question}.png"
        banner(reports["nb"] / "report.xlsx", sheet, png, work)
        written.append(png)

    for path in written:
        print(path.relative_to(REPO) if path.is_relative_to(REPO) else path)
    if args.keep is None:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())

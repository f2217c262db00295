#!/usr/bin/env bash
# Regenerate docs/kobo-study-report.png: the report of a study made in KoboToolbox (the Sunnhordland residents'
# survey of tests/fixtures/studies/sunnhordland_kobo: its XLSForm, its export and targets, no findings catalogue),
# its first screens (the summary of findings and who answered). Needs Debian's chromium. Usage: scripts/screenshot_kobo_study.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
study=tests/fixtures/studies/sunnhordland_kobo
.venv/bin/fjernarbeid report "$study/kobo_export.csv" --study "$study" --completes-only --out "$tmp/report" \
  > /dev/null 2>&1
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --hide-scrollbars \
  --window-size=1100,2200 --screenshot=docs/kobo-study-report.png "file://$tmp/report/report.html" \
  2> /dev/null
rm -rf "$tmp"
echo docs/kobo-study-report.png

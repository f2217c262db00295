#!/usr/bin/env bash
# Regenerate docs/report-screenshot.png: the demo report's first screen as a reader sees it.
# Needs Debian's chromium. Usage: scripts/screenshot_report.sh
set -euo pipefail
cd "$(dirname "$0")/.."
tmp="$(mktemp -d)"
.venv/bin/fjernarbeid demo --out "$tmp/demo" > /dev/null
.venv/bin/fjernarbeid report "$tmp/demo/demo_survey.csv" --dispositions "$tmp/demo/demo_dispositions.csv" \
  --refdata "$tmp/demo/refdata" --out "$tmp/report" > /dev/null
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --no-first-run \
  --disable-component-update --disable-sync --user-data-dir="$tmp/profile" --hide-scrollbars \
  --window-size=1100,2200 --screenshot=docs/report-screenshot.png "file://$tmp/report/report.html" 2> /dev/null
rm -rf "$tmp"
echo docs/report-screenshot.png

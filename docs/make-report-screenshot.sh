#!/usr/bin/env bash
# Regenerates docs/report.png: the cross-source matrix of the seed articles
# (`corroborate report seeds --html …`, one story, so one page), with a
# verified and a disputed review mark to show the badges, photographed by
# headless Chromium (Debian's `chromium`, installed here when missing).
# Usage: bash docs/make-report-screenshot.sh [OUT.png]   (default docs/report.png)
set -euo pipefail
cd "$(dirname "$0")/.."
root=$PWD
out=${1:-$root/docs/report.png}
target=${CARGO_TARGET_DIR:-$root/target}
if [ -z "${CORROBORATE_BIN:-}" ]; then cargo build --release --quiet --bin corroborate; fi
bin=${CORROBORATE_BIN:-$target/release/corroborate}

need=()
for p in chromium fonts-dejavu-core; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null; }
fi

ws=$(mktemp -d)
trap 'rm -rf "$ws"' EXIT
mkdir -p "$ws/seeds" "$ws/.git"
cp seeds/*.txt "$ws/seeds/"
chmod u+w "$ws"/seeds/*.txt
(
  cd "$ws"
  "$bin" annotate seeds/000_d708aa83a71d4e9b.txt --claim "he will lead a trade delegation of more than 200 members" \
    --status disputed --note "the presidential office listed 212 members" --author ana >/dev/null
  "$bin" annotate seeds/002_69854c8e9be16728.txt --claim "delegation of nearly 200 members" \
    --status verified --source "https://example.org/briefing" --author ana >/dev/null
  "$bin" report seeds --html report.html --title "Lee Jae-myung's visit to China: five sources" 2>/dev/null
)
chromium --headless --no-sandbox --disable-gpu --disable-background-networking --disable-component-update \
  --disable-sync --no-first-run --hide-scrollbars --window-size=1400,900 \
  --screenshot="$out" "file://$ws/report.html" >/dev/null 2>&1
echo "wrote $out"

#!/usr/bin/env bash
# The HTML report in a real browser: `corroborate report` on two stories (the
# seeds and a dev story) writes an index and a page per story; headless
# Chromium (Debian's `chromium`, driven by playwright-core) opens the index
# from disk, follows a story link, clicks the column headings and checks the
# sort order, the "only conflicts and tensions" filter and that nothing is
# fetched from the network (tests/editors/report_sort.js). Installs what it
# needs (apt, npm); runs without standard input. CORROBORATE_BIN=/path tests
# another binary (and skips the build).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
target=${CARGO_TARGET_DIR:-$root/target}
if [ -z "${CORROBORATE_BIN:-}" ]; then cargo build --release --quiet --bin corroborate; fi
bin=${CORROBORATE_BIN:-$target/release/corroborate}

log() { printf 'report.sh: %s\n' "$*" >&2; }

need=()
for p in chromium fonts-dejavu-core; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null; }
fi
# playwright-core (no browser download: it drives /usr/bin/chromium), from the
# lock file the VS Code end-to-end test uses too.
if ! (cd tests/editors/vscode-e2e && node -e 'require("playwright-core")') >/dev/null 2>&1; then
  (cd tests/editors/vscode-e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)
fi

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
"$bin" report seeds tests/data/dev/carabao-cup-final-2022 --html "$work/report.html" 2>"$work/report.log" || {
  cat "$work/report.log" >&2
  log "FAIL: corroborate report failed"
  exit 1
}
out=$(NODE_PATH="$root/tests/editors/vscode-e2e/node_modules" timeout 120 node tests/editors/report_sort.js "$work/report.html" "$work/story.png" || true)
if ! python3 - "$out" <<'PY'
import json, sys
try:
    r = json.loads(sys.argv[1].strip().splitlines()[-1])
except Exception as e:
    print(f"report.sh: FAIL: no result from the browser ({e}): {sys.argv[1][-300:]!r}"); sys.exit(1)
if not r.get("ok"):
    print("report.sh: FAIL"); [print("  " + e) for e in r.get("errors", [])]; sys.exit(1)
print(f"  Chromium: ok: index of {r['stories']} stories, {r['page']}: {r['rows']} rows sorted by verdict (both ways), "
      f"by source and by fact; filter; {r['counts']} sources with counts; nothing fetched")
PY
then
  mkdir -p "$target/editors"
  cp "$work"/*.png "$target/editors/" 2>/dev/null || true
  exit 1
fi

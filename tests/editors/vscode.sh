#!/usr/bin/env bash
# VS Code end-to-end test: build and package the extension, install it into
# the real VS Code workbench (code-server 4.100.3 = VS Code 1.100.3), drive it
# with headless Chromium, and check that the conflict reaches the Problems
# panel, the hover and the "Show Sources for Claim" peek, that the quick fixes
# "Mark this claim verified/disputed" ask for a note (Escape: no mark). Installs what it needs
# (cached under target/editors). CORROBORATE_BIN=/path tests another server
# binary (e.g. CORROBORATE_BIN=/bin/true must make this script fail).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
# Installs are cached here; CORROBORATE_EDITORS_CACHE=/elsewhere times a fresh install.
cache=${CORROBORATE_EDITORS_CACHE:-$root/target/editors}
mkdir -p "$cache"
if [ -z "${CORROBORATE_BIN:-}" ]; then cargo build --release --quiet --bin corroborate; fi
bin=${CORROBORATE_BIN:-${CARGO_TARGET_DIR:-$root/target}/release/corroborate}

log() { printf 'vscode.sh: %s\n' "$*" >&2; }

# System packages: Chromium, fonts, ripgrep and what code-server's native modules build with.
need=()
for p in chromium fonts-dejavu-core ripgrep build-essential pkg-config libkrb5-dev libxkbfile-dev libsecret-1-dev; do
  dpkg -s "$p" >/dev/null 2>&1 || need+=("$p")
done
if [ ${#need[@]} -gt 0 ]; then
  log "installing ${need[*]}"
  apt-get install -y -qq "${need[@]}" >/dev/null 2>&1 || { apt-get update -qq >/dev/null && apt-get install -y -qq "${need[@]}" >/dev/null; }
fi

# code-server, installed offline-safe (its postinstall downloads; we do its steps by hand).
cs=$cache/code-server
if ! "$cs/node_modules/.bin/code-server" --version >/dev/null 2>&1; then
  log "installing code-server 4.100.3"
  rm -rf "$cs"
  npm_config_unsafe_perm=true npm install --prefix "$cs" code-server@4.100.3 --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null
  (cd "$cs/node_modules/code-server/lib/vscode" && npm install --omit=dev --ignore-scripts --no-audit --no-fund --loglevel=error >/dev/null)
  mkdir -p "$cs/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin"
  cp /usr/bin/rg "$cs/node_modules/code-server/lib/vscode/node_modules/@vscode/ripgrep/bin/"
  mods="argon2 kerberos @parcel/watcher node-pty @vscode/spdlog native-watchdog @vscode/deviceid"
  for d in "$cs" "$cs/node_modules/code-server" "$cs/node_modules/code-server/lib/vscode"; do
    (cd "$d" && npm_config_yes=true npm rebuild $mods --loglevel=error >/dev/null 2>&1) || true
  done
  "$cs/node_modules/.bin/code-server" --version >/dev/null
fi

# The extension: unit tests, bundle, package.
build_log=$cache/vscode-build.log
if ! (cd editors/vscode && npm ci --no-audit --no-fund --loglevel=error && npm test && npm run package) >"$build_log" 2>&1; then
  cat "$build_log" >&2
  log "FAIL: the extension's unit tests, build or packaging failed (log above)"
  exit 1
fi
grep -E '^# (pass|fail)' "$build_log" | tr '\n' ' ' | sed 's/^/  extension unit tests: /; s/$/\n/' | tr -s ' '
(cd tests/editors/vscode-e2e && npm ci --no-audit --no-fund --loglevel=error >/dev/null)

work=$(mktemp -d)
cs_pid=
trap '[ -n "$cs_pid" ] && kill -- -"$cs_pid" 2>/dev/null; rm -rf "$work"' EXIT
mkdir -p "$work/ws" "$work/user/User" "$work/ext" "$work/shots"
cp seeds/*.txt "$work/ws/"
# A second story: the matrix command must show the active article's story page.
mkdir -p "$work/ws/cup" && cp tests/data/dev/carabao-cup-final-2022/*.txt "$work/ws/cup/"
cat > "$work/user/User/settings.json" <<JSON
{
  "corroborate.server.path": "$bin",
  "workbench.startupEditor": "none",
  "security.workspace.trust.enabled": false,
  "workbench.tips.enabled": false,
  "extensions.ignoreRecommendations": true,
  "update.mode": "none",
  "telemetry.telemetryLevel": "off"
}
JSON
"$cs/node_modules/.bin/code-server" --extensions-dir "$work/ext" --user-data-dir "$work/user" \
  --install-extension editors/vscode/corroborate.vsix >/dev/null 2>&1

port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1]); s.close()')
# No corroborate on PATH and no $CORROBORATE_SERVER: the driver's last step
# checks the message for a missing server.
setsid env -u CORROBORATE_SERVER PATH=/usr/local/bin:/usr/bin:/bin \
  "$cs/node_modules/.bin/code-server" --auth none --bind-addr "127.0.0.1:$port" --disable-workspace-trust \
  --disable-telemetry --extensions-dir "$work/ext" --user-data-dir "$work/user" "$work/ws" >"$work/code-server.log" 2>&1 &
cs_pid=$!
up=
for _ in $(seq 1 60); do
  if curl -fsS "http://127.0.0.1:$port/healthz" >/dev/null 2>&1; then up=1; break; fi
  kill -0 "$cs_pid" 2>/dev/null || break
  sleep 1
done
if [ -z "$up" ]; then
  log "FAIL: code-server did not answer on 127.0.0.1:$port; its log:"
  tail -30 "$work/code-server.log" >&2
  exit 1
fi

file=000_d708aa83a71d4e9b.txt
line=$(grep -n 'more than 200 members' "seeds/$file" | head -1 | cut -d: -f1)
out=$(timeout 300 node tests/editors/vscode-e2e/drive.js "http://127.0.0.1:$port/?folder=$work/ws" "$file" "$line" "$work/shots" "$work/user/User/settings.json" "$work/ws" || true)
if [ "${CORROBORATE_SCREENSHOTS:-}" != "" ]; then
  cp "$work"/shots/*.png "$CORROBORATE_SCREENSHOTS"/ 2>/dev/null || true
fi
if ! python3 - "$out" <<'PY'
import json, sys
try:
    r = json.loads(sys.argv[1].strip().splitlines()[-1])
except Exception as e:
    print(f"vscode.sh: FAIL: no result from the driver ({e}): {sys.argv[1][-300:]!r}"); sys.exit(1)
problems, hover = r.get("problems", ""), r.get("hover", "")
errors = []
if r.get("error"): errors.append("driver error: " + r["error"])
if "corroborate" not in problems or "200 members" not in problems:
    errors.append("the Problems panel does not show corroborate's conflict: " + problems[:300].replace("\n", " | "))
if "conflicts" not in hover or "200" not in hover:
    errors.append("the hover does not show the sources: " + hover[:300].replace("\n", " | "))
if not __import__("re").search(r"corroborate: \d+ conflicts?", r.get("status", "")):
    errors.append("the status bar does not count the conflicts: " + r.get("status", "")[:200].replace("\n", " | "))
if "002_69854c8e9be16728" not in r.get("sources", ""):
    errors.append("'Corroborate: Show Sources for Claim' did not show the other source: " + r.get("sources", "")[:300].replace("\n", " | "))
missing = r.get("missing", "")
if "not found" not in missing or "corroborate.server.path" not in missing:
    errors.append("with corroborate.server.path pointing nowhere, no message said how to fix it: " + missing[:300].replace("\n", " | "))
marks = r.get("marks") or []
want = [{"status": "verified", "note": "checked the press release", "source": "https://example.org/r"},
        {"status": "verified", "note": "second look", "source": None}]
if [{k: m.get(k) for k in ("status", "note", "source")} for m in marks] != want:
    errors.append("marking from the quick fixes with a note (then cancelling a dispute) stored: " + json.dumps(marks)
                  + " (prompts: " + json.dumps(r.get("prompts", []))[:300] + ")")
if not r.get("matrix"):
    errors.append("the command 'Corroborate: Show Cross-Source Matrix' did not show the matrix")
if errors:
    print("vscode.sh: FAIL"); [print("  " + e) for e in errors]; sys.exit(1)
first = [l for l in problems.splitlines() if "200 members" in l][0]
print("  VS Code 1.100.3 (code-server): ok: " + first[:100])
PY
then
  # Keep what the failure looked like: the driver's screenshots and code-server's log.
  rm -rf "$cache/vscode-failure" && mkdir -p "$cache/vscode-failure"
  cp "$work"/shots/*.png "$work/code-server.log" "$cache/vscode-failure/" 2>/dev/null || true
  log "screenshots and code-server.log kept in $cache/vscode-failure/"
  exit 1
fi

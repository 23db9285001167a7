#!/usr/bin/env bash
# Emacs end-to-end test: the server in a real (batch) Emacs through eglot, with
# the eglot-server-programs snippet of editors/README.md, in text-mode and in
# markdown-mode: the conflict diagnostic (Flymake) on the right line and the
# hover. Uses Debian's Emacs 28 + elpa-eglot, installed when missing (apt);
# skipped, saying so, only where apt cannot install them.
# CORROBORATE_BIN=/path tests another server binary.
set -euo pipefail
cd "$(dirname "$0")/../.."
root=$PWD
cargo build --release --quiet --bin corroborate
bin=${CORROBORATE_BIN:-$root/target/release/corroborate}
export DEBIAN_FRONTEND=noninteractive

have_eglot() { command -v emacs >/dev/null && emacs --batch -q --eval "(require 'eglot)" >/dev/null 2>&1; }
pkgs="emacs-nox elpa-eglot elpa-markdown-mode"
if ! have_eglot && [ "$(id -u)" = 0 ] && command -v apt-get >/dev/null; then
  echo "emacs.sh: installing $pkgs" >&2
  apt-get install -y -qq $pkgs >/dev/null 2>&1 || { apt-get update -qq >/dev/null 2>&1 && apt-get install -y -qq $pkgs >/dev/null 2>&1; } || true
fi
if ! have_eglot; then
  echo "emacs.sh: SKIP: Emacs with eglot is not installed and apt-get could not install it ($pkgs)" >&2
  exit 0
fi

fail=0
for mode in text-mode markdown-mode; do
  ws=$(mktemp -d)
  cp seeds/*.txt "$ws/"
  out=$ws/result.json
  CORROBORATE_TEST_WS="$ws" CORROBORATE_TEST_OUT="$out" CORROBORATE_TEST_MODE="$mode" CORROBORATE_BIN="$bin" \
    timeout 120 emacs --batch -q -l "$root/tests/editors/emacs_test.el" >"$ws/emacs.log" 2>&1 || true
  if ! python3 - "$out" "$mode" <<'PY'
import json, sys
path, mode = sys.argv[1], sys.argv[2]
try:
    r = json.load(open(path))
except Exception as e:
    print(f"  Emacs {mode}: FAIL: no result ({e})"); sys.exit(1)
name = f"Emacs {r.get('emacs')} + eglot, {mode}"
problems = []
if r.get("error"): problems.append("error: " + r["error"])
if r.get("connected") is not True: problems.append("eglot did not connect to the server")
if "corroborate" not in r.get("diagnostic", "") or "200 members" not in r.get("diagnostic", ""):
    problems.append(f"no corroborate diagnostic on line {r.get('line')}: {r.get('diagnostics')}")
if "200" not in r.get("hover", "") or "conflicts" not in r.get("hover", ""):
    problems.append(f"the hover does not show the sources: {r.get('hover', '')[:200]!r}")
if problems:
    print(f"  {name}: FAIL"); [print("    " + p) for p in problems]; sys.exit(1)
print(f"  {name} (languageId {r.get('languageId')}): ok: line {r['line']}: {r['diagnostic'][:80]}")
PY
  then
    tail -120 "$ws/emacs.log" >&2
    fail=1
  fi
  rm -rf "$ws"
done
exit $fail

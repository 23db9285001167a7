#!/usr/bin/env bash
# The whole test suite: what the README calls "run all tests" and what CI runs.
# Installs what it needs on a fresh machine (idempotent), then runs every layer.
set -euo pipefail
cd "$(dirname "$0")/.."

step() { printf '\n=== %s\n' "$*"; }

step "build"
cargo build --release --locked 2>/dev/null || cargo build --release

step "rust tests (unit, integration, accuracy floors, language server over stdio)"
if cargo nextest --version >/dev/null 2>&1; then
  cargo nextest run --release --no-fail-fast
  cargo test --release --doc
else
  cargo test --release --no-fail-fast
fi

step "lint"
cargo fmt --all -- --check
cargo clippy --release --all-targets -- -D warnings

# Editor tests (Neovim, VS Code) are added below by tests/editors/*.sh when present.
for t in tests/editors/*.sh; do
  [ -e "$t" ] || continue
  step "editor test: $t"
  bash "$t"
done
echo
echo "all tests passed"

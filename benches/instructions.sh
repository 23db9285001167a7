#!/usr/bin/env bash
# Instruction counts of `corroborate check --format json` on the generated
# 1,000-article corpus (`gencorpus --stories 200 --outlets 5 --seed 1`), one
# thread, under callgrind: without the cache, with an empty cache (cold: the
# run that fills it), again (warm), and with one article changed since the
# run before (edited). On a shared machine, whose speed swings between
# sessions, a count is what tells a change of a percent from the noise; the
# rounds in the README's "Performance" section quote these counts. They are
# no timing (`benches/whole.sh` gives the times).
#
# Usage: bash benches/instructions.sh [OUT_DIR]   (needs valgrind; the
# callgrind profiles are left in OUT_DIR, default $CARGO_TARGET_DIR/callgrind,
# for `callgrind_annotate`)
set -euo pipefail
cd "$(dirname "$0")/.."
command -v valgrind >/dev/null || { echo "valgrind is needed (apt-get install valgrind)" >&2; exit 2; }
target=${CARGO_TARGET_DIR:-target}
out=${1:-$target/callgrind}
mkdir -p "$out"
cargo build --release --quiet --bins
bin="$target/release/corroborate"
corpus="$target/bench-corpora/s200"
[ -d "$corpus" ] || "$target/release/gencorpus" --stories 200 --outlets 5 --seed 1 --out "$corpus" 2>/dev/null
# The edited run changes an article: a copy of the corpus is edited, never
# the corpus the other benches read.
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
cp -r "$corpus" "$work/c"
bytes=$(cat "$work"/c/*.txt | wc -c)
first=$(find "$work/c" -name '*.txt' | sort | sed -n 1p)
export CORROBORATE_CACHE_DIR="$work/cache"
count() {
  # The instructions callgrind counted: its summary line on standard error.
  RAYON_NUM_THREADS=1 valgrind --tool=callgrind --callgrind-out-file="$out/callgrind.$1.out" \
    "$bin" check --format json "${@:2}" "$work/c" 2>&1 >/dev/null |
    sed -n 's/.*Collected : \([0-9]*\).*/\1/p'
}
printf '%-9s %14s %10s\n' mode instructions 'per byte'
for mode in no-cache cold warm edited; do
  case $mode in
    no-cache) n=$(count "$mode" --no-cache) ;;
    cold) rm -rf "$CORROBORATE_CACHE_DIR"; n=$(count "$mode") ;;
    warm) n=$(count "$mode") ;;
    edited)
      printf '\nA sentence added for the bench.\n' >> "$first"
      n=$(count "$mode") ;;
  esac
  awk -v m="$mode" -v n="$n" -v b="$bytes" 'BEGIN { printf "%-9s %14.0f %10.1f\n", m, n, n / b }'
done

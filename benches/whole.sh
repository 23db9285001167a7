#!/usr/bin/env bash
# Whole-process figures for `corroborate check --format json`: wall time, CPU
# time, throughput and peak memory on generated corpora of 10, 1,000 and
# 10,000 articles; without the cache, then with an empty cache (cold: the
# run that fills it), again (warm: every entry valid), and with one article
# changed since the run before (edited: that article parsed, its story
# compared, the folder regrouped from the grouping the run before saved).
# Usage: bash benches/whole.sh [OUT_DIR]   (default $CARGO_TARGET_DIR/bench-corpora)
# MB/s per core is bytes / CPU seconds (user + sys): on a shared machine it
# is steadier than the wall clock.
set -euo pipefail
cd "$(dirname "$0")/.."
target=${CARGO_TARGET_DIR:-target}
out=${1:-$target/bench-corpora}
cargo build --release --quiet --bins
bin="$target/release/corroborate"
cache=$(mktemp -d)
saved=$(mktemp)
trap 'rm -rf "$cache" "$saved" /tmp/corroborate-time.$$' EXIT
printf '%-10s %10s %-8s %8s %8s %8s %11s %10s %9s\n' \
  articles bytes mode wall_s cpu_s 'MB/s' 'MB/s/core' 'articles/s' 'RSS_MB'
for stories in 2 200 2000; do
  dir="$out/s$stories"
  [ -d "$dir" ] || "$target/release/gencorpus" --stories "$stories" --outlets 5 --seed 1 --out "$dir" 2>/dev/null
  n=$(find "$dir" -name '*.txt' | wc -l)
  bytes=$(cat "$dir"/*.txt | wc -c)
  rm -rf "${cache:?}"/*
  # (sed reads all of its input: `head` would end the pipe early, and
  # pipefail would take the sort's broken pipe for a failure.)
  first=$(find "$dir" -name '*.txt' | sort | sed -n 1p)
  for mode in no-cache cold warm edited; do
    args=()
    [ "$mode" = no-cache ] && args=(--no-cache)
    # A run of a small corpus is shorter than the timer's hundredth of a
    # second: it is repeated, and the figures are per run (the peak is the
    # largest run's). The cold run is one run (it fills the cache).
    reps=1
    [ "$n" -lt 100 ] && [ "$mode" != cold ] && reps=100
    if [ "$mode" = edited ]; then
      # Each run finds the first article other than the run before left it:
      # a sentence added, then taken away (written by the shell, no process).
      cp "$first" "$saved"
      CORROBORATE_CACHE_DIR="$cache" /usr/bin/time -f '%e %U %S %M' -o /tmp/corroborate-time.$$ \
        bash -c 'a=$(cat "$4"); for i in $(seq "$1"); do
            if [ $((i % 2)) = 1 ]; then printf "%s\n\nA sentence added for the bench.\n" "$a" > "$4"
            else printf "%s\n" "$a" > "$4"; fi
            "$2" check --format json "$3" >/dev/null; done' \
        _ "$reps" "$bin" "$dir" "$first"
      cp "$saved" "$first"
    else
      CORROBORATE_CACHE_DIR="$cache" /usr/bin/time -f '%e %U %S %M' -o /tmp/corroborate-time.$$ \
        bash -c 'for _ in $(seq "$1"); do "$2" check --format json "${@:4}" "$3" >/dev/null; done' \
        _ "$reps" "$bin" "$dir" "${args[@]}"
    fi
    read -r secs user sys kb < /tmp/corroborate-time.$$
    awk -v n="$n" -v b="$bytes" -v m="$mode" -v s="$secs" -v u="$user" -v y="$sys" -v kb="$kb" -v r="$reps" 'BEGIN {
      s = s / r; u = u / r; y = y / r;
      c = u + y; s = (s < 0.0001 ? 0.0001 : s); c = (c < 0.0001 ? 0.0001 : c);
      printf "%-10d %10d %-8s %8.3f %8.3f %8.2f %11.2f %10.0f %9.1f\n", n, b, m, s, c, b/s/1e6, b/c/1e6, n/s, kb/1024 }'
  done
done

#!/usr/bin/env bash
# Whole-process figures for `corroborate check`: wall time, throughput and
# peak memory on generated corpora of 10, 1,000 and 10,000 articles.
# Usage: bash benches/whole.sh [OUT_DIR]   (default target/bench-corpora)
set -euo pipefail
cd "$(dirname "$0")/.."
out=${1:-target/bench-corpora}
cargo build --release --quiet --bins
printf '%-10s %10s %9s %10s %10s %12s\n' articles bytes seconds 'MB/s' 'articles/s' 'peak RSS MB'
for stories in 2 200 2000; do
  dir="$out/s$stories"
  [ -d "$dir" ] || target/release/gencorpus --stories "$stories" --outlets 5 --seed 1 --out "$dir" 2>/dev/null
  n=$(find "$dir" -name '*.txt' | wc -l)
  bytes=$(cat "$dir"/*.txt | wc -c)
  /usr/bin/time -f '%e %M' -o /tmp/corroborate-time.$$ target/release/corroborate check "$dir" >/dev/null
  read -r secs kb < /tmp/corroborate-time.$$
  rm -f /tmp/corroborate-time.$$
  awk -v n="$n" -v b="$bytes" -v s="$secs" -v kb="$kb" 'BEGIN { s = (s < 0.01 ? 0.01 : s); printf "%-10d %10d %9.2f %10.2f %10.0f %12.1f\n", n, b, s, b/s/1e6, n/s, kb/1024 }'
done

#!/usr/bin/env bash
# Times `xmppcert status --json` over a state dir holding 10,000 certificates.
# Target: < 1 s on the project's 2-core machine. Peak RSS needs /usr/bin/time (package time).
# usage: bench/status_10k.sh [BUILD_DIR] [COUNT]
set -euo pipefail
build=${1:-build}
count=${2:-10000}
state=$(mktemp -d /tmp/xmppcert-bench-XXXXXX)
trap 'rm -rf "$state" "$state.out"' EXIT
ms_since() { echo $(( ($(date +%s%N) - $1) / 1000000 )); }

start=$(date +%s%N)
"$build/bench_make_state" "$state" "$count"
echo "made $count certificates in $(ms_since "$start") ms"

runs=5
best=999999
for _ in $(seq $runs); do
  start=$(date +%s%N)
  "$build/xmppcert" status --json --state-dir "$state" > "$state.out"
  t=$(ms_since "$start")
  (( t < best )) && best=$t
done
listed=$(grep -c '"name"' "$state.out")
rss="n/a"
if [ -x /usr/bin/time ]; then
  rss="$( { /usr/bin/time -f '%M' "$build/xmppcert" status --json --state-dir "$state" >/dev/null; } 2>&1 | tail -1) KB"
fi
echo "status --json over $count certificates ($listed listed): best of $runs = $best ms, peak RSS $rss (target < 1000 ms)"

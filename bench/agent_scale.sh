#!/usr/bin/env bash
# One xmppcertd managing COUNT certificates (local CA, records made in-process, no config:
# the agent manages the store): time from start to planned (its "managing N" line), RSS
# once idle, CPU burned over an idle period. Targets (issue 5): idle RSS < 8 MB at 10
# certificates and < 64 MB at 10,000; no CPU while idle; plan < 1 s.
# usage: bench/agent_scale.sh [BUILD_DIR] [COUNT] [IDLE_SECONDS]
set -euo pipefail
build=${1:-build}
count=${2:-10000}
idle=${3:-60}
state=$(mktemp -d /tmp/xmppcert-agent-bench-XXXXXX)
pid=""
trap '[ -n "$pid" ] && kill "$pid" 2>/dev/null; rm -rf "$state"' EXIT
"$build/bench_make_state" "$state" "$count"

ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
start=$(date +%s%N)
"$build/xmppcertd" --state-dir "$state" 2> "$state/agent.log" &
pid=$!
for _ in $(seq 600); do  # 60 s at most
  grep -q "managing" "$state/agent.log" && break
  sleep 0.1
done
planned_ms=$(( ($(date +%s%N) - start) / 1000000 ))
sleep 1
before=$(ticks "$pid")
sleep "$idle"
after=$(ticks "$pid")
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
anon=$(awk '/RssAnon/ {print $2}' "/proc/$pid/status")
file=$(awk '/RssFile/ {print $2}' "/proc/$pid/status")
hz=$(getconf CLK_TCK)
echo "xmppcertd with $count certificates: started and planned in ${planned_ms} ms," \
     "idle RSS $((rss / 1024)) MB ($rss KB: $anon KB anonymous, $file KB shared-library pages), CPU over ${idle} s idle: $(( (after - before) * 1000 / hz )) ms"

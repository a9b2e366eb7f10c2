#!/usr/bin/env bash
# Idle RSS of xmppcertd after it issued and installed COUNT certificates from the local CA
# itself (a config of `files` installs), the figure issue 11 tracks (target < 8 MB at 10).
# usage: bench/agent_issued_rss.sh [BUILD_DIR] [COUNT] [IDLE_SECONDS]
set -euo pipefail
build=${1:-build}
count=${2:-10}
idle=${3:-5}
dir=$(mktemp -d /tmp/xmppcert-agent-rss-XXXXXX)
pid=""
trap '[ -n "$pid" ] && { kill "$pid" 2>/dev/null; wait "$pid" 2>/dev/null || true; }; rm -rf "$dir"' EXIT
mkdir -p "$dir/out"
{
  echo '{"certificates": {'
  for i in $(seq "$count"); do
    [ "$i" -gt 1 ] && echo ','
    echo "\"c$i.example.test\": {\"install\": {\"plugin\": \"files\","
    echo "  \"key\": \"$dir/out/c$i.key\", \"fullchain\": \"$dir/out/c$i.crt\"}}"
  done
  echo '}}'
} > "$dir/config.json"
"$build/xmppcertd" --config "$dir/config.json" --state-dir "$dir/state" 2> "$dir/agent.log" &
pid=$!
for _ in $(seq 600); do  # 60 s at most
  [ "$(ls "$dir/out" | grep -c '\.crt$')" -ge "$count" ] && break
  sleep 0.1
done
sleep "$idle"
rss=$(awk '/VmRSS/ {print $2}' "/proc/$pid/status")
anon=$(awk '/RssAnon/ {print $2}' "/proc/$pid/status")
file=$(awk '/RssFile/ {print $2}' "/proc/$pid/status")
echo "xmppcertd after issuing and installing $count certificates: idle RSS" \
     "$((rss / 1024)).$(( (rss % 1024) * 10 / 1024 )) MB ($rss KB: $anon KB anonymous, $file KB shared-library pages)"

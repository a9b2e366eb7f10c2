#!/bin/bash
# Certificates per second from xmppcert-ca vs pebble on this machine, in the same run: 8
# concurrent lego clients, each obtaining N certificates with real http-01 validation (a
# webroot served on loopback), names resolved through pebble-challtestsrv's DNS. Prints
# certificates/s, p50 and p99 issuance latency (one `lego run`, process start included)
# and each CA's peak RSS. Contacts only 127.0.0.1. lego polls a challenge after the
# Retry-After its CA sends (xmppcert-ca: 1 s while validating), 5 s when there is none
# (pebble): with validation this fast, that poll interval is most of the latency.
#   bench/ca_throughput.sh [BUILD_DIR] [CERTIFICATES_PER_CLIENT]
set -euo pipefail
build=${1:-build}
per_client=${2:-5}
clients=8
for tool in lego pebble pebble-challtestsrv python3; do
  command -v "$tool" >/dev/null || { echo "ca_throughput: $tool is not installed" >&2; exit 2; }
done
work=$(mktemp -d)
pids=()
cleanup() { for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])'
}
wait_port() {
  for _ in $(seq 100); do (echo >/dev/tcp/127.0.0.1/"$1") 2>/dev/null && return 0; sleep 0.1; done
  echo "ca_throughput: nothing listens on $1" >&2; exit 1
}

dns=$(free_port); validation=$(free_port); ca_port=$(free_port); pebble_port=$(free_port)
pebble-challtestsrv -dns01 127.0.0.1:"$dns" -defaultIPv6 "" -http01 "" -https01 "" \
  -tlsalpn01 "" -management 127.0.0.1:"$(free_port)" >"$work/dns.log" 2>&1 &
pids+=($!)
mkdir -p "$work/webroot"
python3 -m http.server "$validation" --bind 127.0.0.1 --directory "$work/webroot" \
  >"$work/web.log" 2>&1 &
pids+=($!)

"$build/xmppcert-ca" init --state-dir "$work/ca" --hostname 127.0.0.1 >/dev/null
echo '{"validation_networks": ["127.0.0.0/8"]}' >"$work/ca.json"
"$build/xmppcert-ca" serve --state-dir "$work/ca" --listen 127.0.0.1:"$ca_port" \
  --config "$work/ca.json" \
  --validation-http-port "$validation" --resolver 127.0.0.1:"$dns" >"$work/ca.log" 2>&1 &
ca_pid=$!
pids+=($ca_pid)
# pebble serves HTTPS with the same loopback certificate, so one trust file fits both.
cat >"$work/pebble.json" <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$pebble_port",
  "managementListenAddress": "127.0.0.1:$(free_port)",
  "certificate": "$work/ca/https.pem", "privateKey": "$work/ca/https.key",
  "httpPort": $validation, "tlsPort": $(free_port), "ocspResponderURL": "",
  "externalAccountBindingRequired": false}}
JSON
PEBBLE_VA_NOSLEEP=1 PEBBLE_WFE_NONCEREJECT=0 PEBBLE_AUTHZREUSE=0 \
  pebble -config "$work/pebble.json" -dnsserver 127.0.0.1:"$dns" >"$work/pebble.log" 2>&1 &
pebble_pid=$!
pids+=($pebble_pid)
wait_port "$ca_port"; wait_port "$pebble_port"; wait_port "$validation"; sleep 0.5

client() {  # NAME URL CLIENT
  for j in $(seq "$per_client"); do
    local start end
    start=$(date +%s.%N)
    if LEGO_CA_CERTIFICATES="$work/ca/root.pem" lego --server "$2" --accept-tos \
        --email bench@example.test --path "$work/lego-$1-$3" \
        --domains "c$3-$j.$1.example.test" --http --http.webroot "$work/webroot" run \
        >>"$work/lego-$1-$3.log" 2>&1; then
      end=$(date +%s.%N)
      echo "$start $end" >>"$work/latency-$1"
    else
      echo "failed" >>"$work/failures-$1"
    fi
  done
}

measure() {  # NAME URL PID
  local start end workers=()
  start=$(date +%s.%N)
  for c in $(seq "$clients"); do client "$1" "$2" "$c" & workers+=($!); done
  wait "${workers[@]}"
  end=$(date +%s.%N)
  local rss
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$3/status")
  python3 - "$1" "$start" "$end" "$work/latency-$1" "$work/failures-$1" "$rss" <<'PY'
import os, sys
name, start, end, lat_file, fail_file, rss = sys.argv[1:]
lat = sorted(float(e) - float(s) for s, e in (l.split() for l in open(lat_file))) if os.path.exists(lat_file) else []
failed = sum(1 for _ in open(fail_file)) if os.path.exists(fail_file) else 0
pct = lambda p: lat[min(len(lat) - 1, int(round(p * (len(lat) - 1))))] if lat else float("nan")
rate = len(lat) / (float(end) - float(start))
print(f"{name:12s} {len(lat):4d} certs {failed:3d} failed  {rate:6.2f} certs/s  "
      f"p50 {pct(0.5):5.2f} s  p99 {pct(0.99):5.2f} s  peak RSS {int(rss) // 1024} MiB")
with open(os.environ.get("BENCH_RATES", "/dev/null"), "a") as f:
    f.write(f"{name} {rate}\n")
PY
}

export BENCH_RATES="$work/rates"
echo "8 lego clients x $per_client certificates each, http-01 through a loopback webroot"
measure xmppcert-ca "https://127.0.0.1:$ca_port/directory" "$ca_pid"
measure pebble "https://127.0.0.1:$pebble_port/dir" "$pebble_pid"
awk '{rate[$1]=$2} END {if (rate["pebble"] > 0) printf "xmppcert-ca / pebble: %.2fx\n", rate["xmppcert-ca"] / rate["pebble"]}' "$work/rates"

#!/bin/bash
# Certificates per second from xmppcert-ca vs pebble on this machine, in the same run: 8
# concurrent lego clients, each obtaining N certificates with real http-01 validation (a
# webroot served on loopback), names resolved through pebble-challtestsrv's DNS. Prints
# certificates/s, p50 and p99 issuance latency (one `lego run`, process start included)
# and each CA's peak RSS. Contacts only 127.0.0.1. lego polls a challenge after the
# Retry-After its CA sends, 5 s when there is none (pebble); xmppcert-ca answers a challenge
# with its outcome when validation finishes within 250 ms, so lego needs no second look.
# CPU is the CA process's user + system time during its run (and its share of one core).
# xmppcert-ca runs on SQLite, and (ca-postgres) on a PostgreSQL the script starts when
# /usr/lib/postgresql/*/bin is installed.
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
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # PostgreSQL: a fast shutdown (SIGINT), waited for, before its folder goes.
  if [ -n "${pg_pid:-}" ]; then kill -INT "$pg_pid" 2>/dev/null || true; wait "$pg_pid" || true; fi
  rm -rf "$work"
}
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

# The same CA on PostgreSQL (one instance; fsync on), when its server binaries are installed:
# a server of our own in $work, run as nobody (PostgreSQL refuses root).
pg_bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
pg_pid=""
if [ -n "$pg_bin" ] && [ -x "$pg_bin/initdb" ]; then
  chmod 755 "$work"
  mkdir -p "$work/pg/data" "$work/pg/socket"
  chmod 700 "$work/pg/data"
  echo bench-only-password >"$work/pg/initdb-password"
  chown -R nobody:nogroup "$work/pg"
  (umask 077 && echo bench-only-password >"$work/pg-password")
  as_nobody=(setpriv --reuid=nobody --regid=nogroup --clear-groups)
  "${as_nobody[@]}" "$pg_bin/initdb" -D "$work/pg/data" -U xmppcert \
    --pwfile="$work/pg/initdb-password" --auth=scram-sha-256 >"$work/initdb.log" 2>&1
  pg_port=$(free_port); ca_pg_port=$(free_port)
  "${as_nobody[@]}" "$pg_bin/postgres" -D "$work/pg/data" -p "$pg_port" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories="$work/pg/socket" \
    >"$work/postgres.log" 2>&1 &
  pg_pid=$!
  cat >"$work/ca-pg.json" <<JSON
{"storage": {"postgresql": "host=127.0.0.1 port=$pg_port user=xmppcert dbname=postgres",
             "password_file": "$work/pg-password"}}
JSON
  for _ in $(seq 100); do
    "$build/xmppcert-ca" migrate --config "$work/ca-pg.json" >/dev/null 2>&1 && break
    sleep 0.1
  done
  "$build/xmppcert-ca" init --state-dir "$work/ca-pg" --hostname 127.0.0.1 \
    --config "$work/ca-pg.json" >/dev/null
  "$build/xmppcert-ca" serve --state-dir "$work/ca-pg" --config "$work/ca-pg.json" \
    --listen 127.0.0.1:"$ca_pg_port" --validation-http-port "$validation" \
    --resolver 127.0.0.1:"$dns" >"$work/ca-pg.log" 2>&1 &
  ca_pg_pid=$!
  pids+=($ca_pg_pid)
  wait_port "$ca_pg_port"
  cat "$work/ca-pg/root.pem" >>"$work/roots.pem"
fi
cat "$work/ca/root.pem" >>"$work/roots.pem"

client() {  # NAME URL CLIENT
  for j in $(seq "$per_client"); do
    local start end
    start=$(date +%s.%N)
    if LEGO_CA_CERTIFICATES="$work/roots.pem" lego --server "$2" --accept-tos \
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

cpu_seconds() {  # PID: user + system CPU time so far
  awk -v hz="$(getconf CLK_TCK)" '{print ($14 + $15) / hz}' "/proc/$1/stat"
}

measure() {  # NAME URL PID
  local start end cpu_start cpu_end workers=()
  cpu_start=$(cpu_seconds "$3")
  start=$(date +%s.%N)
  for c in $(seq "$clients"); do client "$1" "$2" "$c" & workers+=($!); done
  wait "${workers[@]}"
  end=$(date +%s.%N)
  cpu_end=$(cpu_seconds "$3")
  local rss
  rss=$(awk '/VmHWM/ {print $2}' "/proc/$3/status")
  python3 - "$1" "$start" "$end" "$work/latency-$1" "$work/failures-$1" "$rss" \
    "$(awk -v a="$cpu_start" -v b="$cpu_end" 'BEGIN {print b - a}')" <<'PY'
import os, sys
name, start, end, lat_file, fail_file, rss, cpu = sys.argv[1:]
lat = sorted(float(e) - float(s) for s, e in (l.split() for l in open(lat_file))) if os.path.exists(lat_file) else []
failed = sum(1 for _ in open(fail_file)) if os.path.exists(fail_file) else 0
pct = lambda p: lat[min(len(lat) - 1, int(round(p * (len(lat) - 1))))] if lat else float("nan")
rate = len(lat) / (float(end) - float(start))
print(f"{name:12s} {len(lat):4d} certs {failed:3d} failed  {rate:6.2f} certs/s  "
      f"p50 {pct(0.5):5.2f} s  p99 {pct(0.99):5.2f} s  CPU {float(cpu):5.2f} s "
      f"({100 * float(cpu) / (float(end) - float(start)):3.0f}%)  peak RSS {int(rss) // 1024} MiB")
with open(os.environ.get("BENCH_RATES", "/dev/null"), "a") as f:
    f.write(f"{name} {rate}\n")
PY
}

export BENCH_RATES="$work/rates"
echo "8 lego clients x $per_client certificates each, http-01 through a loopback webroot"
measure xmppcert-ca "https://127.0.0.1:$ca_port/directory" "$ca_pid"
if [ -n "$pg_pid" ]; then
  measure ca-postgres "https://127.0.0.1:$ca_pg_port/directory" "$ca_pg_pid"
fi
measure pebble "https://127.0.0.1:$pebble_port/dir" "$pebble_pid"
awk '{rate[$1]=$2} END {if (rate["pebble"] > 0) printf "xmppcert-ca / pebble: %.2fx\n", rate["xmppcert-ca"] / rate["pebble"]}' "$work/rates"

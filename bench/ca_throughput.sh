#!/bin/bash
# Certificates per second from xmppcert-ca (SQLite one instance, PostgreSQL one instance,
# PostgreSQL two instances behind haproxy) and pebble, in the same run on this machine, with
# real http-01 validation: bench_ca_load_client (bench/ca_load_client.cc) runs CLIENTS ACME
# clients in one process, each obtaining N certificates one after another; it starts no
# process per certificate and never sleeps out a poll interval (2 ms between looks unless
# the CA sends a Retry-After), so the CA, not the client, sets the pace. Names resolve to
# 127.0.0.1 through pebble-challtestsrv's DNS; the client answers http-01 itself on the
# validation port. Prints certificates/s, p50 and p99 latency per certificate (newOrder to
# download), the CA processes' CPU (user + system, and its share of the wall time), peak
# RSS, how busy the whole machine was (the load client, haproxy and pebble-challtestsrv
# included: near 100%, more CA instances cannot be faster) and, for PostgreSQL, how many
# transactions it failed with a serialization conflict (each one run again after a pause),
# then the ratios the issue asks about. When a certificate fails, the logs (each CA
# instance's, PostgreSQL's, haproxy's, and the client's errors, which name the URL, status
# and body of the reply it could not use) are kept in a /tmp/ca_throughput-logs.* folder. With --pkcs11, also (pkcs11-1) SQLite with its
# keys in a SoftHSM2 token the script makes in its temp dir: issuance through the token and
# from files side by side. Contacts only 127.0.0.1. Not a CI test.
#   bench/ca_throughput.sh [--pkcs11] [BUILD_DIR] [CERTIFICATES_PER_CLIENT] [CLIENTS]
set -euo pipefail
pkcs11=""
if [ "${1:-}" = "--pkcs11" ]; then pkcs11=1; shift; fi
build=${1:-build}
per_client=${2:-25}
clients=${3:-8}
for tool in pebble pebble-challtestsrv python3 haproxy; do
  command -v "$tool" >/dev/null || { echo "ca_throughput: $tool is not installed" >&2; exit 2; }
done
[ -x "$build/bench_ca_load_client" ] || {
  echo "ca_throughput: build bench_ca_load_client and xmppcert-ca first" >&2; exit 2; }
work=$(mktemp -d)
pids=()
keep_logs=""  # set when a run failed: the CA's, PostgreSQL's and the client's logs stay
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  # PostgreSQL: a fast shutdown (SIGINT), waited for, before its folder goes.
  if [ -n "${pg_pid:-}" ]; then kill -INT "$pg_pid" 2>/dev/null || true; wait "$pg_pid" || true; fi
  if [ -n "$keep_logs" ]; then
    local kept
    kept=$(mktemp -d /tmp/ca_throughput-logs.XXXXXX)
    cp "$work"/*.log "$work"/*.json "$work"/haproxy.cfg "$kept"/ 2>/dev/null || true
    echo "a run failed: its logs are kept in $kept" >&2
  fi
  rm -rf "$work"
}
trap cleanup EXIT
bench_name=ca_throughput
# shellcheck source=bench/loopback.sh
source "$(dirname "$0")/loopback.sh"

dns=$(free_port); validation=$(free_port)
pebble-challtestsrv -dns01 127.0.0.1:"$dns" -defaultIPv6 "" -http01 "" -https01 "" \
  -tlsalpn01 "" -management 127.0.0.1:"$(free_port)" >"$work/dns.log" 2>&1 &
pids+=($!)

serve() {  # STATE CONFIG PORT LOG: an xmppcert-ca instance; prints its pid
  "$build/xmppcert-ca" serve --state-dir "$1" --config "$2" --listen 127.0.0.1:"$3" \
    --validation-http-port "$validation" --resolver 127.0.0.1:"$dns" >"$4" 2>&1 &
  echo $!
}

# SQLite, one instance.
sqlite_port=$(free_port)
"$build/xmppcert-ca" init --state-dir "$work/ca" --hostname 127.0.0.1 >/dev/null
echo '{"validation_networks": ["127.0.0.0/8"]}' >"$work/ca.json"
sqlite_pid=$(serve "$work/ca" "$work/ca.json" "$sqlite_port" "$work/ca.log")
pids+=($sqlite_pid)
cat "$work/ca/root.pem" >"$work/roots.pem"

# PostgreSQL: a server of our own in $work (fsync on), run as nobody (it refuses root); one
# instance on its own port, and two behind haproxy (TCP, TLS passed through) naming its URL.
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
  pg_port=$(free_port)
  "${as_nobody[@]}" "$pg_bin/postgres" -D "$work/pg/data" -p "$pg_port" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories="$work/pg/socket" \
    >"$work/postgres.log" 2>&1 &
  pg_pid=$!
  front=$(free_port); one_port=$(free_port); a_port=$(free_port); b_port=$(free_port)
  for db in one two; do
    cat >"$work/ca-$db.json" <<JSON
{"storage": {"postgresql": "host=127.0.0.1 port=$pg_port user=xmppcert dbname=$db",
             "password_file": "$work/pg-password"},
 "validation_networks": ["127.0.0.0/8"]$([ "$db" = two ] && echo ", \"base_url\": \"https://127.0.0.1:$front\"")}
JSON
  done
  for _ in $(seq 100); do
    PGPASSWORD=bench-only-password psql -h 127.0.0.1 -p "$pg_port" -U xmppcert -d postgres \
      -qc "CREATE DATABASE one" >/dev/null 2>&1 && break
    sleep 0.1
  done
  PGPASSWORD=bench-only-password psql -h 127.0.0.1 -p "$pg_port" -U xmppcert -d postgres \
    -qc "CREATE DATABASE two" >/dev/null
  for db in one two; do
    "$build/xmppcert-ca" init --state-dir "$work/ca-$db" --hostname 127.0.0.1 \
      --config "$work/ca-$db.json" >/dev/null
    cat "$work/ca-$db/root.pem" >>"$work/roots.pem"
  done
  one_pid=$(serve "$work/ca-one" "$work/ca-one.json" "$one_port" "$work/ca-one.log")
  a_pid=$(serve "$work/ca-two" "$work/ca-two.json" "$a_port" "$work/ca-two-a.log")
  b_pid=$(serve "$work/ca-two" "$work/ca-two.json" "$b_port" "$work/ca-two-b.log")
  pids+=($one_pid $a_pid $b_pid)
  cat >"$work/haproxy.cfg" <<CFG
global
  maxconn 1024
defaults
  mode tcp
  timeout connect 2s
  timeout client 60s
  timeout server 60s
frontend acme
  bind 127.0.0.1:$front
  default_backend xmppcert_ca
backend xmppcert_ca
  balance roundrobin
  server a 127.0.0.1:$a_port
  server b 127.0.0.1:$b_port
CFG
  haproxy -db -f "$work/haproxy.cfg" >"$work/haproxy.log" 2>&1 &
  pids+=($!)
  wait_port "$one_port"; wait_port "$a_port"; wait_port "$b_port"; wait_port "$front"
fi

# The same CA with its keys in a SoftHSM2 token of the script's own (SOFTHSM2_CONF in $work).
if [ -n "$pkcs11" ]; then
  softhsm_module=/usr/lib/softhsm/libsofthsm2.so
  mkdir -p "$work/tokens"
  printf 'directories.tokendir = %s\nobjectstore.backend = file\nlog.level = ERROR\n' \
    "$work/tokens" >"$work/softhsm2.conf"
  export SOFTHSM2_CONF="$work/softhsm2.conf"
  (umask 077 && echo bench-pin-1234 >"$work/token-pin")
  softhsm2-util --init-token --free --label bench --pin bench-pin-1234 --so-pin bench-so-1234 \
    >/dev/null
  hsm_port=$(free_port)
  "$build/xmppcert-ca" init --state-dir "$work/ca-pkcs11" --hostname 127.0.0.1 \
    --pkcs11-module "$softhsm_module" --pkcs11-token bench \
    --pkcs11-pin-file "$work/token-pin" >/dev/null
  hsm_pid=$(serve "$work/ca-pkcs11" "$work/ca.json" "$hsm_port" "$work/ca-pkcs11.log")
  pids+=($hsm_pid)
  wait_port "$hsm_port"
  cat "$work/ca-pkcs11/root.pem" >>"$work/roots.pem"
fi

# pebble serves HTTPS with the same loopback certificate, so one trust file fits all.
pebble_port=$(free_port)
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
wait_port "$sqlite_port"; wait_port "$pebble_port"

cpu_seconds() {  # PID...: user + system CPU time so far, summed
  local hz total=0
  hz=$(getconf CLK_TCK)
  for pid in "$@"; do
    [ -r "/proc/$pid/stat" ] || continue
    total=$(awk -v t="$total" -v hz="$hz" '{print t + ($14 + $15) / hz}' "/proc/$pid/stat")
  done
  echo "$total"
}

machine_jiffies() {  # "BUSY IDLE": every core's time so far, in clock ticks
  awk '/^cpu / {print $2 + $3 + $4 + $7 + $8, $5 + $6}' /proc/stat
}

serialization_failures() {  # so far, as PostgreSQL logged them (every database of the run)
  [ -r "$work/postgres.log" ] || { echo 0; return; }
  grep -c 'could not serialize access' "$work/postgres.log" || true
}

measure() {  # NAME DIRECTORY_URL PID...: PIDs' children (PostgreSQL's backends) count too
  local name=$1 url=$2
  shift 2
  local parents=("$@")
  set -- "$@" $(for pid in "$@"; do pgrep -P "$pid" || true; done)
  local cpu_start cpu_end start end line rss=0 status=0 machine_start machine_end conflicts
  cpu_start=$(cpu_seconds "$@")
  machine_start=$(machine_jiffies)
  conflicts=$(serialization_failures)
  start=$(date +%s.%N)
  line=$("$build/bench_ca_load_client" --name "$name" --directory "$url" \
    --trust "$work/roots.pem" --http01-port "$validation" --clients "$clients" \
    --certificates "$per_client" 2>>"$work/client-errors.log") || status=$?
  [ "$status" = 0 ] || keep_logs=1
  end=$(date +%s.%N)
  machine_end=$(machine_jiffies)
  conflicts=$(($(serialization_failures) - conflicts))
  # Backends a CA connected meanwhile started at 0 s: counted from here on.
  set -- $(printf '%s\n' "$@" $(for pid in "${parents[@]}"; do pgrep -P "$pid" || true; done) | sort -u)
  cpu_end=$(cpu_seconds "$@")
  for pid in "$@"; do
    [ -r "/proc/$pid/status" ] && rss=$((rss + $(awk '/VmHWM/ {print $2}' "/proc/$pid/status")))
  done
  echo "$line" >>"$work/rates"
  # NAME CERTS FAILED RATE P50 P99
  awk -v cpu="$(awk -v a="$cpu_start" -v b="$cpu_end" 'BEGIN {print b - a}')" \
    -v wall="$(awk -v a="$start" -v b="$end" 'BEGIN {print b - a}')" -v rss="$rss" \
    -v machine="$machine_start $machine_end" -v conflicts="$conflicts" \
    '{split(machine, m, " "); busy = m[3] - m[1]; idle = m[4] - m[2]
      printf "%-18s %5d certs %3d failed %7.2f certs/s  p50 %7.1f ms  p99 %7.1f ms  CA CPU %6.2f s (%3.0f%% of one core)  peak RSS %d MiB  machine busy %3.0f%%", $1, $2, $3, $4, $5, $6, cpu, 100 * cpu / wall, rss / 1024, 100 * busy / (busy + idle)
      if ($1 ~ /^postgresql/) printf "  serialization failures %d", conflicts
      printf "\n"}' \
    <<<"$line"
}

echo "$clients clients x $per_client certificates each, http-01 on loopback, $(nproc) cores"
measure sqlite-1 "https://127.0.0.1:$sqlite_port/directory" "$sqlite_pid"
if [ -n "$pg_pid" ]; then
  measure postgresql-1 "https://127.0.0.1:$one_port/directory" "$one_pid" "$pg_pid"
  measure postgresql-2 "https://127.0.0.1:$front/directory" "$a_pid" "$b_pid" "$pg_pid"
fi
if [ -n "$pkcs11" ]; then
  measure pkcs11-1 "https://127.0.0.1:$hsm_port/directory" "$hsm_pid"
fi
measure pebble "https://127.0.0.1:$pebble_port/dir" "$pebble_pid"
awk '{rate[$1] = $4}
  END {
    if (rate["pebble"] > 0) printf "sqlite-1 / pebble: %.2fx\n", rate["sqlite-1"] / rate["pebble"]
    if (rate["postgresql-1"] > 0)
      printf "postgresql-2 / postgresql-1: %.2fx (aim 1.6x)\n", rate["postgresql-2"] / rate["postgresql-1"]
    if (rate["pkcs11-1"] > 0)
      printf "keys in a SoftHSM2 token / keys in files: %.2fx\n", rate["pkcs11-1"] / rate["sqlite-1"]
  }' "$work/rates"
if [ -s "$work/client-errors.log" ]; then
  echo "client errors (first 5):"; head -5 "$work/client-errors.log"
fi

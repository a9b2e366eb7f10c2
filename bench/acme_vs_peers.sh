#!/usr/bin/env bash
# Issues 20 certificates (EC P-256, one name each) from one local pebble with xmppcert, lego,
# certbot and uacme (Debian packages; a missing client is skipped), each registering once
# first, and prints wall time, CPU time and peak RSS per client plus ratios to xmppcert.
# Loopback only. Needs root for uacme (it has no trust option: its run gets the bench CA
# through a private mount namespace). usage: bench/acme_vs_peers.sh [BUILD_DIR] [COUNT]
# CLIENTS="xmppcert lego" measures only those.
set -euo pipefail
build=$(cd "${1:-build}" && pwd)
count=${2:-20}
work=$(mktemp -d /tmp/xmppcert-acme-bench-XXXXXX)
pids=()
cleanup() { for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done; rm -rf "$work"; }
trap cleanup EXIT
cd "$work"
port() { shuf -i 20000-60000 -n 1; }

# pebble's HTTPS, from a CA made here.
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 1 -subj /CN=bench-ca \
  -keyout ca.key -out ca.pem 2>/dev/null
openssl req -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -subj /CN=localhost \
  -keyout pebble.key -out pebble.csr 2>/dev/null
printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\n' > san.ext
openssl x509 -req -in pebble.csr -CA ca.pem -CAkey ca.key -CAcreateserial -days 1 -extfile san.ext \
  -out pebble.crt 2>/dev/null
chmod 0644 pebble.key
listen=$(port); mgmt=$(port); http01=$(port); tlsport=$(port)
cat > pebble.json <<JSON
{"pebble": {"listenAddress": "127.0.0.1:$listen", "managementListenAddress": "127.0.0.1:$mgmt",
 "certificate": "$work/pebble.crt", "privateKey": "$work/pebble.key", "httpPort": $http01,
 "tlsPort": $tlsport, "ocspResponderURL": "", "externalAccountBindingRequired": false}}
JSON
PEBBLE_VA_NOSLEEP=1 PEBBLE_VA_ALWAYS_VALID=1 PEBBLE_AUTHZREUSE=0 PEBBLE_WFE_NONCEREJECT=0 \
  pebble -config pebble.json > pebble.log 2>&1 &
pids+=($!)
for _ in $(seq 100); do curl -s --cacert ca.pem "https://localhost:$listen/dir" >/dev/null && break; sleep 0.1; done
dir="https://localhost:$listen/dir"
cat /etc/ssl/certs/ca-certificates.crt ca.pem > bundle.pem

# measure NAME CMD...: appends "wall user sys maxrss_kb" of one run to NAME.times
measure() {
  local name=$1; shift
  /usr/bin/time -f '%e %U %S %M' -o "$name.one" "$@" > "$name.out" 2>&1 || { echo "$name failed:"; tail -5 "$name.out"; return 1; }
  cat "$name.one" >> "$name.times"
}

printf '#!/bin/sh\nexit 0\n' > uacme-hook && chmod +x uacme-hook  # pebble validates nothing here
# command_for CLIENT NAME: sets CMD to the argv (no shell functions: /usr/bin/time runs it)
command_for() {
  case $1 in
    xmppcert) CMD=("$build/xmppcert" enroll "$2" --state-dir "$work/xmppcert" --issuer acme
      --acme-directory "$dir" --acme-trust "$work/ca.pem" --acme-agree-tos
      --http01-address 127.0.0.1 --http01-port "$http01") ;;
    lego) CMD=(env LEGO_CA_CERTIFICATES="$work/ca.pem" lego --server "$dir" --accept-tos
      --email bench@example.test --path "$work/lego" --key-type ec256 --http
      --http.port "127.0.0.1:$http01" --domains "$2" run) ;;
    certbot) CMD=(env REQUESTS_CA_BUNDLE="$work/ca.pem" certbot certonly --non-interactive --agree-tos
      -m bench@example.test --server "$dir" --standalone --http-01-port "$http01"
      --http-01-address 127.0.0.1 --config-dir "$work/certbot/conf" --work-dir "$work/certbot/work"
      --logs-dir "$work/certbot/logs" --key-type ecdsa --elliptic-curve secp256r1 -d "$2") ;;
    uacme) CMD=(unshare -m sh -c "mount --bind '$work/bundle.pem' /etc/ssl/certs/ca-certificates.crt &&
      exec uacme -a '$dir' -c '$work/uacme' -t EC -b 256 -h '$work/uacme-hook' -y $2") ;;
  esac
}

results=()
for client in ${CLIENTS:-xmppcert lego certbot uacme}; do
  case $client in
    xmppcert) [ -x "$build/xmppcert" ] || continue ;;
    *) command -v "$client" >/dev/null || { echo "skipping $client: not installed"; continue; } ;;
  esac
  # register once (an untimed first issuance for xmppcert and lego, which register on demand)
  case $client in
    xmppcert|lego) command_for "$client" register.example.test; "${CMD[@]}" > /dev/null 2>&1 ;;
    certbot) REQUESTS_CA_BUNDLE="$work/ca.pem" certbot register --non-interactive --agree-tos -m bench@example.test \
      --server "$dir" --config-dir "$work/certbot/conf" --work-dir "$work/certbot/work" \
      --logs-dir "$work/certbot/logs" > /dev/null 2>&1 ;;
    uacme) command_for uacme "new bench@example.test"; "${CMD[@]}" > /dev/null 2>&1 ;;
  esac
  rm -f "$client.times"
  ok=1
  for i in $(seq "$count"); do
    name="$client-$i.example.test"
    if [ "$client" = uacme ]; then command_for uacme "issue $name"; else command_for "$client" "$name"; fi
    measure "$client" "${CMD[@]}" || ok=0
    [ $ok = 1 ] || break
  done
  [ $ok = 1 ] || continue
  results+=("$client $(awk '{w+=$1; c+=$2+$3; if ($4>m) m=$4} END {printf "%.2f %.2f %d", w, c, m}' "$client.times")")
done

printf '\n%d certificates, EC P-256, one pebble (NOSLEEP, ALWAYS_VALID, AUTHZREUSE=0, NONCEREJECT=0)\n' "$count"
printf '%-9s %10s %10s %12s %12s %12s\n' client "wall s" "cpu s" "peak RSS MB" "wall/xmppcert" "RSS/xmppcert"
base_wall=""; base_rss=""
for line in "${results[@]}"; do
  read -r client wall cpu rss <<< "$line"
  [ -z "$base_wall" ] && { base_wall=$wall; base_rss=$rss; }
  awk -v c="$client" -v w="$wall" -v u="$cpu" -v r="$rss" -v bw="$base_wall" -v br="$base_rss" \
    'BEGIN {printf "%-9s %10.2f %10.2f %12.1f %12.2f %12.2f\n", c, w, u, r/1024, w/bw, r/br}'
done

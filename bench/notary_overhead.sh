#!/bin/bash
# What notaries cost (issue 27): issuance latency p50/p99 from three xmppcert-ca on this
# machine in the same run, asking 0, 2 and 3 notaries (`xmppcert-ca notary serve`, on
# loopback, default quorum: all but one agree). One lego client obtains N certificates from
# each CA in turn (round robin, so that load drifts hit every CA alike), real http-01 through
# one loopback webroot, names resolved through pebble-challtestsrv's DNS (every name:
# 127.0.0.1) by the CAs and the notaries alike. Latency is one `lego run`, process start
# included; the CA's own "audit: perspectives" lines give the notaries' answer times, whose
# p50/p99 are printed too. Contacts only 127.0.0.1.
#   bench/notary_overhead.sh [BUILD_DIR] [CERTIFICATES_PER_CA]
set -euo pipefail
build=${1:-build}
per_ca=${2:-20}
for tool in lego pebble-challtestsrv python3; do
  command -v "$tool" >/dev/null || { echo "notary_overhead: $tool is not installed" >&2; exit 2; }
done
work=$(mktemp -d)
pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill "$pid" 2>/dev/null || true; done
  wait 2>/dev/null || true
  rm -rf "$work"
}
trap cleanup EXIT
bench_name=notary_overhead
# shellcheck source=bench/loopback.sh
source "$(dirname "$0")/loopback.sh"

dns=$(free_port); validation=$(free_port)
pebble-challtestsrv -dns01 127.0.0.1:"$dns" -defaultIPv6 "" -http01 "" -https01 "" \
  -tlsalpn01 "" -management 127.0.0.1:"$(free_port)" >"$work/dns.log" 2>&1 &
pids+=($!)
mkdir -p "$work/webroot"
python3 -m http.server "$validation" --bind 127.0.0.1 --directory "$work/webroot" \
  >"$work/web.log" 2>&1 &
pids+=($!)

# The CAs first: the notaries trust their three roots (one --ca-root file).
for n in 0 2 3; do
  "$build/xmppcert-ca" init --state-dir "$work/ca$n" --hostname 127.0.0.1 >/dev/null
  cat "$work/ca$n/root.pem" >>"$work/roots.pem"
done
entries=()
for i in 1 2 3; do
  key=$("$build/xmppcert-ca" notary init --state-dir "$work/notary$i" | awk '/key_sha256:/ {print $2}')
  port=$(free_port)
  "$build/xmppcert-ca" notary serve --state-dir "$work/notary$i" --listen 127.0.0.1:"$port" \
    --ca-root "$work/roots.pem" --resolver 127.0.0.1:"$dns" \
    --validation-http-port "$validation" --validation-networks 127.0.0.0/8 \
    >"$work/notary$i.log" 2>&1 &
  pids+=($!)
  wait_port "$port"
  entries+=("{\"url\": \"https://127.0.0.1:$port\", \"key_sha256\": \"$key\"}")
done
declare -A ca_port
for n in 0 2 3; do
  list=$(IFS=,; echo "${entries[*]:0:$n}")
  echo "{\"validation_networks\": [\"127.0.0.0/8\"], \"notaries\": [$list]}" >"$work/ca$n.json"
  [ "$n" = 0 ] && echo '{"validation_networks": ["127.0.0.0/8"]}' >"$work/ca$n.json"
  ca_port[$n]=$(free_port)
  "$build/xmppcert-ca" serve --state-dir "$work/ca$n" --listen 127.0.0.1:"${ca_port[$n]}" \
    --config "$work/ca$n.json" --validation-http-port "$validation" \
    --resolver 127.0.0.1:"$dns" >"$work/ca$n.log" 2>&1 &
  pids+=($!)
done
for n in 0 2 3; do wait_port "${ca_port[$n]}"; done
wait_port "$validation"

obtain() {  # N J
  local start end
  start=$(date +%s.%N)
  if LEGO_CA_CERTIFICATES="$work/roots.pem" lego \
      --server "https://127.0.0.1:${ca_port[$1]}/directory" --accept-tos \
      --email bench@example.test --path "$work/lego$1" --domains "c$2.n$1.example.test" \
      --http --http.webroot "$work/webroot" run >>"$work/lego$1.log" 2>&1; then
    end=$(date +%s.%N)
    echo "$start $end" >>"$work/latency$1"
  else
    echo failed >>"$work/failures$1"
  fi
}
echo "lego x $per_ca certificates from each CA, round robin; http-01 through a loopback webroot"
for j in $(seq "$per_ca"); do
  for n in 0 2 3; do obtain "$n" "$j"; done
done

python3 - "$work" <<'PY'
import os, re, sys
work = sys.argv[1]
def pct(values, p):
    return values[min(len(values) - 1, int(round(p * (len(values) - 1))))] if values else float("nan")
p50 = {}
for n in (0, 2, 3):
    path = f"{work}/latency{n}"
    lat = sorted(float(e) - float(s) for s, e in (l.split() for l in open(path))) if os.path.exists(path) else []
    failures = f"{work}/failures{n}"
    failed = sum(1 for _ in open(failures)) if os.path.exists(failures) else 0
    p50[n] = pct(lat, 0.5)
    # The notaries' answer times, as the CA logged them ("NAME valid [..] 12 ms;").
    notary_ms = sorted(int(m) for line in open(f"{work}/ca{n}.log") if "audit: perspectives" in line
                       for name, m in re.findall(r" (https://\S+) \S+.*? \[[^\]]*\] (\d+) ms", line))
    extra = (f"  notary answers p50 {pct(notary_ms, 0.5):4.0f} ms  p99 {pct(notary_ms, 0.99):4.0f} ms"
             if notary_ms else "")
    print(f"{n} notaries: {len(lat):3d} certs {failed:2d} failed  issuance p50 {pct(lat, 0.5):5.3f} s"
          f"  p99 {pct(lat, 0.99):5.3f} s{extra}")
for n in (2, 3):
    if p50[0] == p50[0] and p50[0] > 0:
        print(f"p50 with {n} notaries / without: {p50[n] / p50[0]:.2f}x (+{1000 * (p50[n] - p50[0]):.0f} ms)")
PY

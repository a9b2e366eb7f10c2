#!/usr/bin/env bash
# Runs every libFuzzer target under tests/fuzz for a while and prints, per target, the
# executions, execs/s, coverage (cov: edges) and whether it found a crash, a leak or a timeout.
# Builds them first with clang, ASan and UBSan in BUILD_DIR (default build-fuzz).
# usage: bench/fuzz.sh MINUTES [BUILD_DIR] [TARGET...]   (MINUTES may be a fraction: 0.5)
# JOBS=N runs N targets at once (default: the number of cores); FUZZ_SEED=N makes the runs
# repeatable (libFuzzer -seed): CI runs each target for one minute with FUZZ_SEED=1, the same
# run a developer can replay. FUZZ_PREBUILT=1 skips the build: BUILD_DIR then only needs the
# fuzz_NAME binaries (a copy, so a long run goes on while the build dir is rebuilt);
# FUZZ_BUILD_ONLY=1 builds and runs nothing (CI builds while other stages run).
# A finding is saved as BUILD_DIR/fuzz-out/NAME/crash-* (or leak-*, timeout-*); exit 1 then.
set -euo pipefail
minutes=${1:?usage: bench/fuzz.sh MINUTES [BUILD_DIR] [TARGET...]}
build=${2:-build-fuzz}
shift $(( $# >= 2 ? 2 : 1 ))
jobs=${JOBS:-$(nproc)}
source_dir=$(cd "$(dirname "$0")/.." && pwd)
seconds=$(awk -v m="$minutes" 'BEGIN { s = int(m * 60); print (s < 1 ? 1 : s) }')

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
  for source in "$source_dir"/tests/fuzz/*_fuzz.cc; do
    name=$(basename "$source" _fuzz.cc)
    targets+=("$name")
  done
fi
if [ -z "${FUZZ_PREBUILT:-}" ]; then
  cmake -S "$source_dir" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DXMPPCERT_FUZZ=ON \
    -DXMPPCERT_TESTS=OFF -DCMAKE_C_COMPILER=clang -DCMAKE_CXX_COMPILER=clang++ \
    $(command -v ccache > /dev/null && echo -DCMAKE_CXX_COMPILER_LAUNCHER=ccache) > /dev/null
  cmake --build "$build" -j"$(nproc)" --target "${targets[@]/#/fuzz_}" > "$build/fuzz-build.log" 2>&1 ||
    { tail -40 "$build/fuzz-build.log"; exit 1; }
  [ -z "${FUZZ_BUILD_ONLY:-}" ] || exit 0
fi

run_target() {
  local name=$1 out="$build/fuzz-out/$1" corpus="$build/fuzz-corpus/$1"  # corpus grows; seeds stay
  rm -rf "$out"
  mkdir -p "$out" "$corpus"
  local log="$out/log" rc=0
  ASAN_OPTIONS=detect_leaks=1 "$build/fuzz_$name" "$corpus" "$source_dir/tests/fuzz/corpus/$name" \
    -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 -max_len=65536 \
    -print_final_stats=1 -artifact_prefix="$out/" ${FUZZ_SEED:+-seed="$FUZZ_SEED"} \
    > "$log" 2>&1 || rc=$?
  local runs speed cov result=ok
  runs=$(awk '/stat::number_of_executed_units/ { print $2 }' "$log" | tail -1)
  speed=$(awk '/stat::average_exec_per_sec/ { print $2 }' "$log" | tail -1)
  cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1 | awk '{ print $2 }')
  [ "$rc" -eq 0 ] || result="FINDING (see $log and $out/)"
  printf '%-18s %12s %10s %8s  %s\n' "$name" "${runs:-?}" "${speed:-?}" "${cov:-?}" "$result" \
    > "$out/result"
}

for name in "${targets[@]}"; do
  while [ "$(jobs -rp | wc -l)" -ge "$jobs" ]; do wait -n || true; done
  run_target "$name" &
done
wait

failed=0
printf '%-18s %12s %10s %8s  %s\n' target executions execs/s cov result
for name in "${targets[@]}"; do
  cat "$build/fuzz-out/$name/result"
  grep -q FINDING "$build/fuzz-out/$name/result" && failed=1
done
# What each finding was, so a CI log alone says it: the first report lines and the saved input.
for name in "${targets[@]}"; do
  grep -q FINDING "$build/fuzz-out/$name/result" || continue
  echo "---- $name"
  grep -m1 -A16 -E 'terminate called|runtime error|==ERROR|ERROR: libFuzzer' \
    "$build/fuzz-out/$name/log" | grep -v -E '^ +#([2-9]|1[0-9]) .* in (fuzzer::|std::|__)' || true
  grep -E 'Test unit written to' "$build/fuzz-out/$name/log" || true
  for input in "$build/fuzz-out/$name"/crash-* "$build/fuzz-out/$name"/leak-* \
    "$build/fuzz-out/$name"/timeout-*; do
    if [ -f "$input" ]; then echo "input (base64): $(head -c 4096 "$input" | base64 -w0)"; fi
  done
done
exit $failed

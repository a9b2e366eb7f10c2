#!/usr/bin/env bash
# Mutation check: do the tests catch what they claim? Each entry of bench/mutants.txt is a
# one-line change to code that guards keys, names, rollback, trust or timing, with the tests
# that must fail when it is made. On a scratch copy of the tree (never the developer's), each
# mutation is applied alone, only the test binary it names is rebuilt (incrementally, through
# ccache and the machine-wide build lock), the named tests run with a time limit, and the
# change is reverted. Prints a table; exits 1 when a mutation survived, its snippet was not
# found exactly once, it did not build, or its filter names no test.
#
# usage: bench/mutants.sh [BUILD_DIR]
#   BUILD_DIR  the scratch copy, built in BUILD_DIR/build (default: build-mutants in the
#              tree, ignored by git; kept, so that a second run only rebuilds what changed;
#              under the tree, ccache's base_dir makes the first build mostly cache hits)
# environment:
#   MUTANTS_LIST     the list (default bench/mutants.txt)
#   MUTANTS_ONLY     a grep -E regex: only the entries whose line matches
#   MUTANTS_TIMEOUT  seconds per test run (default 180; a hang counts as killed)
#   MUTANTS_LOCK_SLICE  seconds the build lock is kept over consecutive mutations (default 60)
set -uo pipefail

src=$(cd "$(dirname "$0")/.." && pwd)
scratch=${1:-$src/build-mutants}
list=${MUTANTS_LIST:-$src/bench/mutants.txt}
only=${MUTANTS_ONLY:-}
test_timeout=${MUTANTS_TIMEOUT:-180}
lock_slice=${MUTANTS_LOCK_SLICE:-60}
lock=/tmp/xmppcert-build.lock
build=$scratch/build
report=$scratch/mutants-report.txt

die() { echo "mutants: $*" >&2; exit 2; }
[ -r "$list" ] || die "cannot read the list $list"
mkdir -p "$scratch" || die "cannot create $scratch"
scratch=$(cd "$scratch" && pwd)
build=$scratch/build
report=$scratch/mutants-report.txt
[ "$scratch" != "$src" ] || die "BUILD_DIR must not be the source tree itself"

# --- the scratch copy: tracked and untracked (not ignored) files of the working tree. Only
# files whose content differs are copied (fresh mtime, so ninja rebuilds exactly those);
# files gone from the tree are removed from the copy.
sync_tree() {
  local wanted have
  wanted=$(mktemp) have=$(mktemp)
  git -C "$src" ls-files -co --exclude-standard | sort > "$wanted"
  (cd "$scratch" && find . -path ./build -prune -o -type f -print | sed 's|^\./||' |
     grep -v '^mutants-report.txt$' | sort) > "$have"
  comm -13 "$wanted" "$have" | while IFS= read -r f; do rm -f "$scratch/$f"; done
  while IFS= read -r f; do
    [ -f "$src/$f" ] || continue  # deleted in the work tree, not yet in git
    if ! cmp -s "$src/$f" "$scratch/$f"; then
      { mkdir -p "$(dirname "$scratch/$f")" && cp "$src/$f" "$scratch/$f"; } || die "copy $f"
    fi
  done < "$wanted"
  rm -f "$wanted" "$have"
}

# occurrences FILE: how often $ORIG occurs in FILE (exact text, no pattern).
occurrences() {
  ORIG=$orig perl -0777 -ne '$o = $ENV{ORIG}; $n = 0; $p = 0;
    while (($p = index($_, $o, $p)) >= 0) { $n++; $p += length $o } print $n' "$1"
}
# line_of FILE: the line the snippet starts on.
line_of() {
  ORIG=$orig perl -0777 -ne '$p = index($_, $ENV{ORIG}); print 1 + (substr($_, 0, $p) =~ tr/\n//)' "$1"
}
# replace FILE: $ORIG -> $REPL, once.
replace() {
  ORIG=$orig REPL=$repl perl -0777 -i -pe '$o = $ENV{ORIG}; $p = index($_, $o);
    substr($_, $p, length $o) = $ENV{REPL} if $p >= 0' "$1"
}

# The machine-wide build lock (one compile at a time on this machine). Taken once and kept
# for a slice of MUTANTS_LOCK_SLICE seconds over consecutive mutations (a rebuild is seconds,
# a unit test run less than one): with other builds queued on it, taking it anew for each
# mutation made the waits, not the work, most of the run.
exec 9>> "$lock"
holding=0
slice_start=0
take_lock() {
  [ "$holding" = 0 ] || return 0
  flock 9
  holding=1
  slice_start=$(date +%s)
}
release_lock() { [ "$holding" = 1 ] && flock -u 9; holding=0; }
release_lock_after_slice() {
  [ "$(($(date +%s) - slice_start))" -lt "$lock_slice" ] || release_lock
}
build_targets() {
  take_lock
  cmake --build "$build" -j2 --target "$@" > "$scratch/build.log" 2>&1
}

# --- read the list: file @@ original @@ replacement @@ binary @@ gtest filter
files=() origs=() repls=() binaries=() filters=() lines=()
n=0
while IFS= read -r line || [ -n "$line" ]; do
  n=$((n + 1))
  case "$line" in '' | '#'*) continue ;; esac
  [ -z "$only" ] || echo "$line" | grep -Eq -- "$only" || continue
  rest=$line
  f=${rest%% @@ *}; rest=${rest#* @@ }
  o=${rest%% @@ *}; rest=${rest#* @@ }
  r=${rest%% @@ *}; rest=${rest#* @@ }
  b=${rest%% @@ *}; t=${rest#* @@ }
  if [ "$t" = "$rest" ] || [ -z "$f" ] || [ -z "$o" ] || [ -z "$b" ] || [ -z "$t" ]; then
    die "$list:$n: expected 'file @@ original @@ replacement @@ binary @@ gtest filter'"
  fi
  files+=("$f") origs+=("$o") repls+=("$r") binaries+=("$b") filters+=("$t") lines+=("$n")
done < "$list"
count=${#files[@]}
[ "$count" -gt 0 ] || die "no entries in $list${only:+ matching $only}"

start_all=$(date +%s)
echo "mutants: copying $src to $scratch" >&2
sync_tree

# --- every snippet must occur exactly once, before anything is built
problems=0
status=()
for ((i = 0; i < count; i++)); do
  orig=${origs[i]}
  status[i]=""
  if [ ! -f "$scratch/${files[i]}" ]; then
    echo "mutants: $list:${lines[i]}: ${files[i]} does not exist" >&2
    status[i]="NOT FOUND"
  else
    k=$(occurrences "$scratch/${files[i]}")
    if [ "$k" != 1 ]; then
      echo "mutants: $list:${lines[i]}: ${files[i]}: the original text occurs $k times, not once: ${origs[i]}" >&2
      status[i]="NOT FOUND"
    fi
  fi
  [ -z "${status[i]}" ] || problems=$((problems + 1))
done

targets=$(printf '%s\n' "${binaries[@]}" | sort -u | tr '\n' ' ')
echo "mutants: configuring and building $targets(unmutated)" >&2
# lld links the 100 MB test binaries several times faster than bfd: most of each mutation's time.
linker=()
if command -v ld.lld > /dev/null; then linker=(-DCMAKE_EXE_LINKER_FLAGS=-fuse-ld=lld); fi
cmake -S "$scratch" -B "$build" -DCMAKE_BUILD_TYPE=RelWithDebInfo \
  -DCMAKE_CXX_COMPILER_LAUNCHER=ccache "${linker[@]}" > "$scratch/configure.log" 2>&1 ||
  die "configure failed: $scratch/configure.log"
# shellcheck disable=SC2086
build_targets $targets || { tail -30 "$scratch/build.log" >&2; die "the unmutated tree does not build"; }
release_lock

# --- the unmutated tree passes every named test, and every filter names at least one
for b in $targets; do
  all=""
  for ((i = 0; i < count; i++)); do
    [ "${binaries[i]}" = "$b" ] || continue
    listed=$("$build/$b" --gtest_list_tests --gtest_filter="${filters[i]}" | grep -c '^  ')
    if [ "$listed" = 0 ] && [ -z "${status[i]}" ]; then
      echo "mutants: $list:${lines[i]}: $b --gtest_filter=${filters[i]} names no test" >&2
      status[i]="NO TEST"
      problems=$((problems + 1))
    fi
    all+="${all:+:}${filters[i]}"
  done
  echo "mutants: baseline: $b --gtest_filter=<all its filters>" >&2
  (cd "$build" && timeout "$((test_timeout * 4))" "./$b" --gtest_filter="$all" \
     > "$scratch/baseline-$b.log" 2>&1) ||
    die "the unmutated tree fails its tests: $scratch/baseline-$b.log"
done

# --- one mutation at a time
backup=$scratch/.mutant-original
current=""
revert() {
  if [ -n "$current" ]; then cp "$backup" "$scratch/$current" && current=""; fi
}
trap revert EXIT
trap 'revert; exit 130' INT TERM

survived=0
rows=()
for ((i = 0; i < count; i++)); do
  f=${files[i]} orig=${origs[i]} repl=${repls[i]} b=${binaries[i]} t=${filters[i]}
  where="$f"
  [ "${status[i]}" = "NOT FOUND" ] || where="$f:$(line_of "$scratch/$f")"
  result=${status[i]} build_s=0 test_s=0
  if [ -z "$result" ]; then
    cp "$scratch/$f" "$backup"
    current=$f
    replace "$scratch/$f"
    t0=$(date +%s)
    if build_targets "$b"; then
      t1=$(date +%s)
      build_s=$((t1 - t0))
      (cd "$build" && timeout "$test_timeout" "./$b" --gtest_filter="$t" \
         > "$scratch/mutant-${lines[i]}.log" 2>&1)
      rc=$?
      test_s=$(($(date +%s) - t1))
      by=$(sed -n 's/^\[  FAILED  \] \([A-Za-z0-9_/]*\.[A-Za-z0-9_./]*\) .*/\1/p' \
        "$scratch/mutant-${lines[i]}.log" | sort -u | tr '\n' ' ')
      case $rc in
        0) result=SURVIVED; survived=$((survived + 1)) ;;
        124) result="killed (timeout)" ;;
        *) result="killed by ${by:-a crash (exit $rc)}" ;;
      esac
    else
      build_s=$(($(date +%s) - t0))
      result="BUILD FAILED"
      problems=$((problems + 1))
      cp "$scratch/build.log" "$scratch/mutant-${lines[i]}.log"
    fi
    revert
    release_lock_after_slice
  fi
  rows+=("| $((i + 1)) | $where | \`${repl:-<nothing>}\` | $result | $build_s | $test_s | $b: $t |")
  echo "mutants: [$((i + 1))/$count] $where: $result (build ${build_s}s, test ${test_s}s)" >&2
done
trap - EXIT INT TERM
release_lock

total=$(($(date +%s) - start_all))
{
  echo "| # | where | mutation (replacement) | result | build s | test s | test that must fail |"
  echo "| - | - | - | - | - | - | - |"
  printf '%s\n' "${rows[@]}"
  echo
  echo "$count mutations: $((count - survived - problems)) killed, $survived survived, $problems not run (snippet not found, no test or no build); ${total} s in all"
} | tee "$report"
[ "$survived" = 0 ] && [ "$problems" = 0 ]

#!/usr/bin/env bash
# A long chaos run (tests/chaos/): xmppcertd, the CLI and a real prosody under a seeded random
# driver for MINUTES; prints the seed, the count of each kind of operation, and any invariant
# broken (exit 1). SEED replays a run's sequence of operations.
# usage: bench/chaos.sh MINUTES [BUILD_DIR] [SEED]
set -euo pipefail
minutes=${1:?usage: bench/chaos.sh MINUTES [BUILD_DIR] [SEED]}
build=${2:-build}
cmake --build "$build" --target chaos_tests xmppcert xmppcertd >/dev/null
export CHAOS_SECONDS=$((minutes * 60))
if [ -n "${3:-}" ]; then export CHAOS_SEED=$3; fi
exec "$build/chaos_tests"

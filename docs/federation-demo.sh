#!/usr/bin/env bash
# Federation demo: prosody (a.example.test) and ejabberd (b.example.test) on loopback, in a
# network namespace of their own, provisioned by xmppcert from one local CA, exchanging
# messages over s2s authenticated with SASL EXTERNAL; then the certificates that must be
# refused (another CA, expired, no clientAuth, another domain) and what `xmppcert check`
# says about each. It is the federation test, telling what it does. Run as root (the
# namespace) after building: bash docs/federation-demo.sh [BUILD_DIR]
set -euo pipefail
build=${1:-build}
XMPPCERT_DEMO=1 "$build/federation_tests" --gtest_brief=1 2>&1 |
  grep -v -e '^20[0-9][0-9]-' -e '^[A-Z][a-z][a-z] [0-9 ][0-9] ' -e 'lua-unbound' \
    -e '^\*\*\*' -e '^  *\(Debian\|luarocks\|Source\) ' -e 'Old DNS resolver' \
    -e 'prosody.im/doc/depends' -e 'can be obtained' -e '^$'

# Sourced by the scripts of tests/package/: what they share to build, install and purge the
# Debian packages on this machine. Set `tier` (the name step and fail print) first.
# shellcheck shell=bash
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
export DEBIAN_FRONTEND=noninteractive
state=/var/lib/xmppcert
etc=/etc/xmppcert
leftover=$state/package-tests-leftover  # /etc/xmppcert and $state are a package tier's own
version="$(dpkg-parsechangelog -l "$root/debian/changelog" -S Version)"

step() { echo "== ${tier:?}: $*"; }
fail() { echo "FAILED: $tier: $*" >&2; exit 1; }

# Root only, one package tier at a time on this machine (they install and purge the same
# packages), and a clean machine or only a package tier's leftovers.
take_machine() {
  [ "$(id -u)" = 0 ] || fail "run as root (it installs and purges the package)"
  exec {package_lock}> /tmp/xmppcert-package-tests.lock
  flock -w 1800 "$package_lock" || fail "another package tier holds /tmp/xmppcert-package-tests.lock"
  if dpkg-query -W -f='${db:Status-Status}' xmppcert 2>/dev/null | grep -qv not-installed ||
     [ -e $state ] || [ -e $etc ]; then
    [ -e "$leftover" ] || fail "xmppcert is installed or $etc / $state exist; not touching them"
    purge_packages
  fi
}

purge_packages() {
  apt-get purge -y -q xmppcert xmppcert-ca > /dev/null 2>&1 || true
  rm -rf $state $etc
}

# dpkg-buildpackage in a copy of the tree (not its build folders): it writes into the copy and
# into its parent, OUT.
build_debs() {
  local out="$1" src start
  mkdir -p "$out"
  src="$out/xmppcert-${version%-*}"
  rm -rf "$src"
  mkdir -p "$src"
  tar -C "$root" --exclude=./.git --exclude='./build*' --exclude='./obj-*' -cf - . |
    tar -C "$src" -xf -
  step "dpkg-buildpackage -us -uc -b ($version)"
  start=$SECONDS
  export DEB_BUILD_OPTIONS="${DEB_BUILD_OPTIONS:-parallel=$(nproc)}"
  (cd "$src" && dpkg-buildpackage -us -uc -b > "$out/build.log" 2>&1) ||
    { tail -40 "$out/build.log"; fail "dpkg-buildpackage (log: $out/build.log)"; }
  echo "built in $((SECONDS - start)) s:"
  ls "$out"/*.deb
}

# [--debs DIR | OUTDIR]: the folder holding the .debs, built now unless --debs names it.
debs_from_arguments() {
  if [ "${1:-}" = --debs ]; then
    out="$2"
  else
    out="${1:-$(mktemp -d)}"
    build_debs "$out"
  fi
}

deb_of() { ls "$out/$1_${version}"_*.deb; }

install_deb() {  # install_deb FILE: apt-get install, the log shown on failure
  local log
  log="$out/install-$(basename "$1").log"
  apt-get install -y -q "$1" > "$log" 2>&1 || { cat "$log"; fail "install $(basename "$1")"; }
  touch "$leftover"
}

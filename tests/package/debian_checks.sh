#!/usr/bin/env bash
# The Debian packages as a distribution and an admin meet them: build debian/ with
# dpkg-buildpackage, lintian (any error or warning fails), install with apt, then upgrade,
# remove + reinstall and purge, checking what README.Debian promises at each step.
#
#   sudo bash tests/package/debian_checks.sh [OUTDIR]
#   sudo bash tests/package/debian_checks.sh --debs DIR   (the checks on .debs built before)
#
# Root only: it installs and purges the package on this machine, so it refuses to run where
# xmppcert is already installed or /etc/xmppcert or /var/lib/xmppcert exist, unless they are
# this script's own leftovers. The .debs are left in OUTDIR (default: a temporary folder).
set -euo pipefail
tier="debian package"
# shellcheck source=tests/package/package_steps.sh
source "$(dirname "$0")/package_steps.sh"
take_machine
debs_from_arguments "$@"
deb="$(deb_of xmppcert)"

step "lintian (errors and warnings fail)"
lintian --fail-on error,warning "$out"/*.deb || fail "lintian"
for package in "$out"/*.deb; do
  echo "$(basename "$package"): installed size $(dpkg-deb -f "$package" Installed-Size) KiB," \
    "download $(( $(stat -c %s "$package") / 1024 )) KiB"
done

# --- install -------------------------------------------------------------------------
step "apt install $(basename "$deb")"
install_deb "$deb"
xmppcert --version
xmppcertd --help > /dev/null
[ "$(stat -c '%a %U %G' $state)" = "700 root root" ] || fail "$state is $(stat -c '%a %U %G' $state)"
dpkg-query -W -f='${Conffiles}\n' xmppcert | grep -q " $etc/xmppcert.json " ||
  fail "$etc/xmppcert.json is not a conffile"
[ -d $etc/conf.d ] || fail "$etc/conf.d missing"
for binary in /usr/bin/xmppcert /usr/sbin/xmppcertd; do
  file -L "$binary" | grep -q ', stripped' || fail "$binary is not stripped"
done
units="/lib/systemd/system/xmppcertd.service /lib/systemd/system/xmppcert-renew.service
       /lib/systemd/system/xmppcert-renew.timer"
if command -v systemd-analyze > /dev/null; then
  # shellcheck disable=SC2086
  systemd-analyze verify $units
  # Reported, not enforced: the exposure score of the agent's hardening.
  systemd-analyze security --offline=true /lib/systemd/system/xmppcertd.service | tail -1 || true
fi
# The agent is enabled (whether or not systemd runs here); the timer is not.
[ -L /etc/systemd/system/multi-user.target.wants/xmppcertd.service ] ||
  fail "xmppcertd.service not enabled"
[ ! -e /etc/systemd/system/timers.target.wants/xmppcert-renew.timer ] ||
  fail "xmppcert-renew.timer enabled by default"

step "the shipped config manages nothing; a conf.d snippet adds a certificate"
xmppcert renew --config $etc/xmppcert.json
echo '{ "certificates": { "snippet.test": {} } }' > $etc/conf.d/debian-checks.json
xmppcert renew --config $etc/xmppcert.json
xmppcert enroll example.test --component conference
echo '// edited by the admin' >> $etc/xmppcert.json
fingerprint() { sha256sum $state/certs/example.test/v1/privkey.pem $state/ca/local/root.key; }
before="$(fingerprint)"
config_before="$(sha256sum $etc/xmppcert.json)"
kept() {  # what every step below must keep: keys, root CA, the admin's config and snippet
  [ "$(fingerprint)" = "$before" ] || fail "$1: the keys changed or went away"
  [ "$(sha256sum $etc/xmppcert.json)" = "$config_before" ] || fail "$1: the config changed"
  [ -f $etc/conf.d/debian-checks.json ] || fail "$1: the conf.d snippet went away"
  [ "$(stat -c '%a' $state)" = 700 ] || fail "$1: $state is no longer 0700"
}

# --- upgrade -------------------------------------------------------------------------
# The same build repacked as a higher version: dpkg runs the full upgrade path (old prerm,
# new preinst/postinst configure with the old version, conffile merge).
step "upgrade to ${version}+upgrade1"
repack="$out/repack"
rm -rf "$repack"
dpkg-deb -R "$deb" "$repack"
sed -i "s/^Version: .*/Version: ${version}+upgrade1/" "$repack/DEBIAN/control"
dpkg-deb -b "$repack" "$out/upgrade.deb" > /dev/null
apt-get install -y -q "$out/upgrade.deb" > "$out/upgrade.log" || { cat "$out/upgrade.log"; fail "upgrade"; }
[ "$(dpkg-query -W -f='${Version}' xmppcert)" = "${version}+upgrade1" ] || fail "not upgraded"
kept "upgrade"
xmppcert status | grep -q '^example.test' || xmppcert status | grep -q 'example.test' ||
  fail "upgrade: status lost example.test"

# --- remove + reinstall ----------------------------------------------------------------
step "remove keeps config and certificates; reinstall uses them"
apt-get remove -y -q xmppcert > /dev/null
[ ! -e /usr/bin/xmppcert ] || fail "remove left /usr/bin/xmppcert"
kept "remove"
apt-get install -y -q "$deb" --allow-downgrades > /dev/null
kept "reinstall"
xmppcert renew --config $etc/xmppcert.json | grep -q 'up to date' ||
  fail "reinstall: the kept certificates are not recognised as current"

# --- purge ---------------------------------------------------------------------------
step "purge deletes the config and keeps $state"
apt-get purge -y -q xmppcert > /dev/null
[ ! -e $etc/xmppcert.json ] || fail "purge left $etc/xmppcert.json"
[ "$(fingerprint)" = "$before" ] || fail "purge: the keys went away"
step "purge after touch $state/remove-on-purge deletes $state"
apt-get install -y -q "$deb" > /dev/null
touch $state/remove-on-purge
apt-get purge -y -q xmppcert > /dev/null
[ ! -e $state ] || fail "purge with remove-on-purge left $state"
# The admin's own snippet is not the package's: dpkg leaves it, so does this script's cleanup.
rm -rf $etc

# --- the foundation CA's own package ---------------------------------------------------
ca_deb="$(deb_of xmppcert-ca)"
step "apt install $(basename "$ca_deb"): installed, its service neither enabled nor started"
apt-get install -y -q "$ca_deb" > "$out/install-ca.log" || { cat "$out/install-ca.log"; fail "install xmppcert-ca"; }
xmppcert-ca --help > /dev/null || fail "xmppcert-ca --help"
file -L /usr/sbin/xmppcert-ca | grep -q ', stripped' || fail "/usr/sbin/xmppcert-ca is not stripped"
[ -f /lib/systemd/system/xmppcert-ca.service ] || fail "xmppcert-ca.service missing"
for doc in closed-federation.md transparency-log.md examples/haproxy-xmppcert-ca.cfg; do
  [ -f /usr/share/doc/xmppcert-ca/$doc ] || fail "/usr/share/doc/xmppcert-ca/$doc (named in xmppcert-ca(8)) missing"
done
if command -v systemd-analyze > /dev/null; then
  systemd-analyze verify /lib/systemd/system/xmppcert-ca.service
fi
[ ! -e /etc/systemd/system/multi-user.target.wants/xmppcert-ca.service ] ||
  fail "xmppcert-ca.service enabled by default"
[ -f /lib/systemd/system/xmppcert-ca-notary.service ] || fail "xmppcert-ca-notary.service missing"
if command -v systemd-analyze > /dev/null; then
  systemd-analyze verify /lib/systemd/system/xmppcert-ca-notary.service
fi
[ ! -e /etc/systemd/system/multi-user.target.wants/xmppcert-ca-notary.service ] ||
  fail "xmppcert-ca-notary.service enabled by default"
[ ! -e /usr/bin/xmppcert ] || fail "xmppcert-ca pulled in the client"
apt-get purge -y -q xmppcert-ca > /dev/null
[ ! -e /usr/sbin/xmppcert-ca ] || fail "purge left /usr/sbin/xmppcert-ca"
echo "debian package checks: all passed"

#!/usr/bin/env bash
# The "as installed" tier: the .debs installed with apt, Debian's own prosody and ejabberd with
# their stock files, owners and modes, the README's quick start run as it is written, and
# xmppcertd started with exactly the ExecStart line (and environment, umask) of the installed
# unit, as systemd would. Certificates come from xmppcert-ca (the xmppcert-ca .deb) on
# 127.0.0.1, resolving names through an unbound on loopback (the CA reads no /etc/hosts),
# with a 3-minute lifetime and a 60 s renewalInfo Retry-After. It shows that:
#   - the agent of the package's config manages and renews what the CLI enrolled;
#   - an edit of prosody's conf.avail file (linked from conf.d) is served within 10 s;
#   - `xmppcert-ca renew-now` is picked up by the agent within its poll bound (Retry-After +
#     the window), and by the timer's `xmppcert renew` at once;
#   - a renewal that failed while prosody was stopped is retried once after prosody is
#     started, and the agent is quiet after (its forks counted);
#   - `enroll --server ejabberd` works on the stock ejabberd.yml (ejabberd:ejabberd 0600),
#     and `delete --remove-files` leaves ejabberd able to `reload_config`.
#
#   sudo bash tests/package/as_installed.sh [OUTDIR]        (builds the .debs into OUTDIR)
#   sudo bash tests/package/as_installed.sh --debs DIR      (the .debs debian_checks.sh built)
#
# Root only, one package tier at a time (package_steps.sh). It leaves the machine as it found
# it: the packages purged, /etc/prosody, /etc/ejabberd and their /var/lib and /var/log folders
# restored byte for byte with owners and modes, and every process it started stopped.
set -euo pipefail
tier="as installed"
# shellcheck source=tests/package/package_steps.sh
source "$(dirname "$0")/package_steps.sh"
take_machine
debs_from_arguments "$@"
started=$SECONDS
work="$(mktemp -d /tmp/xmppcert-as-installed.XXXXXX)"
chmod 0755 "$work"
domain=example.test       # prosody's, from the quick start
ejabberd_domain=ej.example.test
unit=/lib/systemd/system/xmppcertd.service
timer_unit=/lib/systemd/system/xmppcert-renew.service

# --- what is put back at the end ---------------------------------------------------------
saved_paths=(etc/prosody etc/ejabberd var/lib/prosody var/lib/ejabberd var/log/prosody
             var/log/ejabberd)
for path in "${saved_paths[@]}"; do [ -e "/$path" ] || fail "/$path missing: are prosody and ejabberd installed?"; done
tar -C / --xattrs --acls -cpf "$work/saved.tar" "${saved_paths[@]}"
had_run_prosody=no; [ -e /run/prosody ] && had_run_prosody=yes
epmd_before="$(pgrep -u ejabberd -x epmd || true)"
agent_pid=""; ca_pid=""; unbound_pid=""; prosody_started=no; ejabberd_started=no

stop_pid() {  # stop_pid PID: SIGTERM, then SIGKILL after 10 s
  local pid="$1"
  [ -n "$pid" ] && kill -0 "$pid" 2> /dev/null || return 0
  kill "$pid" 2> /dev/null || true
  for _ in $(seq 100); do kill -0 "$pid" 2> /dev/null || return 0; sleep 0.1; done
  kill -9 "$pid" 2> /dev/null || true
}
prosody_pid() { cat /run/prosody/prosody.pid 2> /dev/null || true; }
cleanup() {
  local rc=$?
  set +e
  stop_pid "$agent_pid"
  if [ $prosody_started = yes ]; then
    local pid; pid="$(prosody_pid)"
    prosodyctl stop > /dev/null 2>&1
    stop_pid "$pid"
  fi
  if [ $ejabberd_started = yes ]; then
    ejabberdctl stop > /dev/null 2>&1 && timeout 30 ejabberdctl stopped > /dev/null 2>&1
  fi
  for pid in $(pgrep -u ejabberd -x epmd); do
    grep -qw "$pid" <<< "$epmd_before" || stop_pid "$pid"
  done
  stop_pid "$ca_pid"
  stop_pid "$unbound_pid"
  if [ $rc != 0 ]; then
    for log in "$work"/*.log /var/log/prosody/prosody.log; do
      echo "--- $log (last 40 lines)"; tail -40 "$log"
    done
  fi
  purge_packages
  for path in "${saved_paths[@]}"; do rm -rf "/${path:?}"; done
  tar -C / --xattrs --acls -xpf "$work/saved.tar"
  [ $had_run_prosody = yes ] || rm -rf /run/prosody
  rm -rf "$work"
  echo "== $tier: $( [ $rc = 0 ] && echo passed || echo FAILED ) in $((SECONDS - started)) s;" \
    "/etc/prosody, /etc/ejabberd restored, packages purged"
  exit $rc
}
trap cleanup EXIT

free_port() { python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])'; }
# wait_until SECONDS WHAT COMMAND...: polls COMMAND every 0.2 s until it succeeds.
wait_until() {
  local limit="$1" what="$2" deadline=$((SECONDS + $1))
  shift 2
  until "$@" > /dev/null 2>&1; do
    [ $SECONDS -lt $deadline ] || fail "not within $limit s: $what"
    sleep 0.2
  done
}
port_closed() { ! ss -ltnH "sport = :$1" | grep -q .; }
port_open() { ss -ltnH "sport = :$1" | grep -q .; }

# --- install ------------------------------------------------------------------------------
step "apt install xmppcert and xmppcert-ca"
install_deb "$(deb_of xmppcert)"
install_deb "$(deb_of xmppcert-ca)"
[ "$(stat -c '%U:%G %a' /etc/ejabberd/ejabberd.yml)" = "ejabberd:ejabberd 600" ] ||
  fail "ejabberd.yml is not Debian's stock ejabberd:ejabberd 0600"
for port in 5222 5269 80; do port_closed $port || fail "port $port is taken on this machine"; done

# --- the foundation CA and a resolver on loopback ------------------------------------------
step "xmppcert-ca on 127.0.0.1 (lifetime 3m, Retry-After 60s), unbound for *.example.test"
dns_port="$(free_port)"
mkdir -p "$work/unbound"
cat > "$work/unbound/unbound.conf" << END
server:
  interface: 127.0.0.1@$dns_port
  port: $dns_port
  do-ip6: no
  username: ""
  chroot: ""
  directory: "$work/unbound"
  pidfile: ""
  use-syslog: no
  do-daemonize: no
  local-zone: "example.test." redirect
  local-data: "example.test. A 127.0.0.1"
remote-control:
  control-enable: no
END
unbound -d -c "$work/unbound/unbound.conf" > "$work/unbound.log" 2>&1 &
unbound_pid=$!
wait_until 10 "unbound listening" port_open "$dns_port"

ca_port="$(free_port)"
cat > "$work/ca.json" << END
{ "lifetime": "3m", "ari_retry_after": "60s", "validation_networks": ["127.0.0.0/8"] }
END
xmppcert-ca init --state-dir "$work/ca" --hostname 127.0.0.1 > "$work/ca-init.log"
xmppcert-ca serve --state-dir "$work/ca" --config "$work/ca.json" --listen "127.0.0.1:$ca_port" \
  --resolver "127.0.0.1:$dns_port" > "$work/ca.log" 2>&1 &
ca_pid=$!
wait_until 10 "xmppcert-ca listening" port_open "$ca_port"
renew_now() { xmppcert-ca renew-now --state-dir "$work/ca" --within 10s; }

# --- prosody as Debian ships it, then the README's quick start as it is written -------------
step "prosody started by its init script (stock config)"
/etc/init.d/prosody start
prosody_started=yes
wait_until 20 "prosody listening on 5222" port_open 5222

step "the README's quick start, line for line"
# The block between the quick start markers of README.md, run as written, with the values
# the admin is told to set (their domain, the CA's directory and root fingerprint).
# shellcheck disable=SC2016
sed -n '/^<!-- quick start: begin/,/^<!-- quick start: end/p' "$root/README.md" |
  sed -n '/^.``sh$/,/^.``$/p' | sed '1d;$d' > "$work/quick-start.sh"
[ -s "$work/quick-start.sh" ] || fail "README.md has no quick start block"
CA="https://127.0.0.1:$ca_port/directory"
FP="$(xmppcert-ca root --state-dir "$work/ca" | openssl x509 -noout -fingerprint -sha256 | cut -d= -f2)"
# No systemd runs here: `systemctl restart prosody` does what prosody.service would, through
# prosodyctl (Debian's init script stops a lua5.2 that is not there) and the init script.
mkdir -p "$work/bin"
cat > "$work/bin/systemctl" << 'END'
#!/bin/sh
[ "$*" = "restart prosody" ] || { echo "systemctl $*: not in this test" >&2; exit 1; }
prosodyctl stop > /dev/null 2>&1
for _ in $(seq 100); do ss -ltnH 'sport = :5222' | grep -q . || break; sleep 0.2; done
/etc/init.d/prosody start
for _ in $(seq 100); do ss -ltnH 'sport = :5222' | grep -q . && exit 0; sleep 0.2; done
exit 1
END
chmod 0755 "$work/bin/systemctl"
PATH="$work/bin:$PATH" DOMAIN=$domain CA="$CA" FP="$FP" bash -euo pipefail "$work/quick-start.sh" > "$work/quick-start.log" 2>&1 ||
  fail "the README's quick start (log: quick-start.log)"
[ "$(stat -c '%U:%G %a' /etc/prosody/conf.avail/$domain.cfg.lua)" = "root:root 644" ] ||
  fail "conf.avail/$domain.cfg.lua is not as an admin's file"
[ "$(readlink /etc/prosody/conf.d/$domain.cfg.lua)" = "../conf.avail/$domain.cfg.lua" ] ||
  fail "conf.d/$domain.cfg.lua is not Debian's link to ../conf.avail"
# What prosody (user prosody, in /etc/prosody/certs: root:prosody 0750) reads: the key for
# its group only.
[ "$(stat -c '%U:%G %a' /etc/prosody/certs/$domain.key)" = "root:prosody 640" ] ||
  fail "certs/$domain.key is $(stat -c '%U:%G %a' /etc/prosody/certs/$domain.key)"
[ "$(stat -c '%U:%G %a' /etc/prosody/certs/$domain.crt)" = "root:prosody 644" ] ||
  fail "certs/$domain.crt is $(stat -c '%U:%G %a' /etc/prosody/certs/$domain.crt)"
[ "$(stat -c '%U:%G %a' $state)" = "root:root 700" ] || fail "$state is $(stat -c '%U:%G %a' $state)"

served_names() {  # the DNS names prosody (or ejabberd) serves for $1 on c2s
  openssl s_client -starttls xmpp -xmpphost "$1" -servername "$1" -connect 127.0.0.1:5222 < /dev/null 2> /dev/null |
    openssl x509 -noout -ext subjectAltName 2> /dev/null
}
serves() { served_names "$1" | grep -q "DNS:$2\b"; }
version_of() { sed -n 's/.*"current_version": *\([0-9]*\).*/\1/p' "$state/certs/$1/record.json"; }
version_above() { [ "$(version_of "$1")" -gt "$2" ]; }
serves $domain conference.$domain || fail "prosody does not serve the quick start's certificate"

# --- the agent, exactly as the unit starts it ------------------------------------------------
# systemd starts ExecStart with a clean environment (PATH, Environment= lines), the unit's
# UMask, no shell; stderr not being the journal, log lines carry the time.
unit_value() { sed -n "s/^$1=//p" "$2"; }
exec_start="$(unit_value ExecStart $unit)"
[ -n "$exec_start" ] || fail "no ExecStart in $unit"
read -r -a agent_argv <<< "$exec_start"
read -r -a unit_environment <<< "$(unit_value Environment $unit)"
unit_umask="$(unit_value UMask $unit)"
start_agent() {
  (
    umask "${unit_umask:-0022}"
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin \
      "${unit_environment[@]}" "${agent_argv[@]}"
  ) >> "$work/agent.log" 2>&1 &
  agent_pid=$!
  wait_until 10 "the agent's first 'next action'" grep -q "next action" "$work/agent.log"
}
stop_agent() {
  kill -TERM "$agent_pid"
  local rc=0
  wait "$agent_pid" || rc=$?
  [ $rc = 0 ] || fail "xmppcertd exited $rc on SIGTERM"
  agent_pid=""
}
count() { grep -c -- "$1" "$work/agent.log" || true; }

step "xmppcertd as $unit starts it: ${agent_argv[*]}"
start_agent
grep -q "managing 1 certificate(s)" "$work/agent.log" ||
  fail "the agent does not manage the quick start's certificate"
xmppcert status | grep -q "renewed_from=stored-request" || fail "status does not say who renews it"

step "an edit of conf.avail/$domain.cfg.lua (behind the conf.d link) is served within 10 s"
v="$(version_of $domain)"
echo "Component \"rooms.$domain\" \"muc\"" >> /etc/prosody/conf.avail/$domain.cfg.lua
edited=$SECONDS
wait_until 10 "rooms.$domain served" serves $domain rooms.$domain
echo "served $((SECONDS - edited)) s after the edit"

step "renew-now: the agent renews within its poll bound (Retry-After 60 s + the 10 s window)"
v="$(version_of $domain)"
windows=$(count "renewal window now")
renew_now
moved=$SECONDS
wait_until 90 "the agent renewing after renew-now" version_above $domain "$v"
[ "$(count "renewal window now")" -gt "$windows" ] || fail "the agent renewed, but not for renewalInfo"
echo "renewed by the agent $((SECONDS - moved)) s after renew-now"

step "a host on the timer instead: renew-now, then the timer's 'xmppcert renew' renews at once"
stop_agent
read -r -a renew_argv <<< "$(unit_value ExecStart $timer_unit)"
v="$(version_of $domain)"
renew_now
env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin "${renew_argv[@]}" > "$work/timer.log" 2>&1 ||
  fail "the timer's ${renew_argv[*]} (log: timer.log)"
version_above $domain "$v" || fail "the timer's run did not renew after renew-now"

step "prosody stopped, renew --force fails (nothing ordered), prosody started: one retry, then quiet"
pid="$(prosody_pid)"
prosodyctl stop > /dev/null
wait_until 20 "prosody stopped" port_closed 5222
v="$(version_of $domain)"
if xmppcert renew $domain --force > "$work/forced.log" 2>&1; then fail "renew --force into a stopped prosody succeeded"; fi
grep -q "not ordered" "$work/forced.log" || fail "renew --force into a stopped prosody ordered"
/etc/init.d/prosody start
wait_until 20 "prosody listening again" port_open 5222
before="$(count "next action")"
start_agent
wait_until 60 "the agent's retry renewing" version_above $domain "$v"
settled=$SECONDS
wait_until 5 "the agent's next action after the retry" test "$(count "next action")" -ge $((before + 2))
forks=$(( $(count "next action") - before - 1 ))  # one line at start, one per child after
sleep 10  # the quiet period measured: a busy loop forked every second
quiet=$(( $(count "next action") - before - 1 - forks ))
echo "forks: $forks for the retry, $quiet in the $((SECONDS - settled)) s after"
if [ $forks != 1 ] || [ $quiet != 0 ]; then fail "the agent forked $forks + $quiet times"; fi
xmppcert status | grep -q "last=ok" || fail "status still shows the failure"

step "the agent renews the 3-minute certificate on time (two thirds of its lifetime)"
v="$(version_of $domain)"
issued=$(count ": issued v")
wait_until 200 "the agent's renewal on time" version_above $domain "$v"
[ "$(count ": issued v")" -gt "$issued" ] || fail "renewed, but not by the agent"
stop_agent

# --- ejabberd as Debian ships it ------------------------------------------------------------
step "ejabberd: a host added to the stock ejabberd.yml, started by its init script"
prosodyctl stop > /dev/null
wait_until 20 "prosody stopped" port_closed 5222
prosody_started=no
sed -i "s/^  - localhost$/  - localhost\n  - $ejabberd_domain/" /etc/ejabberd/ejabberd.yml
[ "$(stat -c '%U:%G %a' /etc/ejabberd/ejabberd.yml)" = "ejabberd:ejabberd 600" ] ||
  fail "the edit changed ejabberd.yml's owner or mode"
ejabberd_started=yes
/etc/init.d/ejabberd start > "$work/ejabberd-start.log" 2>&1 || fail "ejabberd start"
wait_until 30 "ejabberd listening on 5222" port_open 5222

step "enroll --server ejabberd on the stock file"
xmppcert enroll --server ejabberd --edit-config --issuer foundation --acme-directory "$CA" \
  --acme-root-sha256 "$FP" --acme-agree-tos > "$work/ejabberd-enroll.log" 2>&1 ||
  fail "enroll --server ejabberd (log: ejabberd-enroll.log)"
serves $ejabberd_domain $ejabberd_domain || fail "ejabberd does not serve the enrolled certificate"
pem=/etc/ejabberd/xmppcert/$ejabberd_domain.pem
[ "$(stat -c '%U:%G %a' $pem)" = "root:ejabberd 640" ] || fail "$pem is $(stat -c '%U:%G %a' $pem)"
[ "$(stat -c '%U:%G %a' /etc/ejabberd/ejabberd.yml)" = "ejabberd:ejabberd 600" ] ||
  fail "--edit-config changed ejabberd.yml's owner or mode"

step "delete --remove-files, then ejabberdctl reload_config"
xmppcert delete $ejabberd_domain --remove-files
ejabberdctl reload_config || fail "ejabberd cannot reload after delete --remove-files"
echo "as-installed checks: all passed"

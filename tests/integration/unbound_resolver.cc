#include "tests/integration/unbound_resolver.h"

#include <unistd.h>

#include "engine/fs.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {

bool UnboundResolver::available() { return ::access("/usr/sbin/unbound", X_OK) == 0; }

UnboundResolver::UnboundResolver(const UnboundOptions& options) : port_(options.port) {
  std::filesystem::path d = dir_ / "unbound";
  std::filesystem::create_directories(d);
  std::filesystem::create_directories(dir_ / "anchor");
  write_text(trust_anchor_file(), options.trust_anchor + "\n");
  std::filesystem::permissions(trust_anchor_file(), std::filesystem::perms(0644));
  if (::geteuid() == 0) (void)!::chown(d.c_str(), 65534, 65534);  // nobody:nogroup
  // Unbound answers "test." and a few more names itself (RFC 6761); the stub zone and the
  // nodefault line make it ask BIND instead. Short cache times keep it close to the zone.
  write_text(d / "unbound.conf",
             "server:\n"
             "  interface: 127.0.0.1@" +
                 std::to_string(port_) + "\n  port: " + std::to_string(port_) +
                 "\n"
                 "  do-ip6: no\n  username: \"\"\n  chroot: \"\"\n  directory: \"" +
                 d.string() + "\"\n  pidfile: \"" + d.string() +
                 "/unbound.pid\"\n"
                 "  use-syslog: no\n  logfile: \"\"\n  verbosity: 1\n  do-daemonize: no\n"
                 "  do-not-query-localhost: no\n  cache-max-ttl: 2\n  cache-max-negative-ttl: 1\n"
                 "  local-zone: \"test.\" nodefault\n"
                 "  trust-anchor-file: \"" +
                 trust_anchor_file().string() +
                 "\"\n"
                 "stub-zone:\n  name: \"" +
                 options.zone + ".\"\n  stub-addr: 127.0.0.1@" +
                 std::to_string(options.zone_server_port) +
                 "\n"
                 "remote-control:\n  control-enable: no\n");
  pid_ = spawn_unprivileged({"unbound", "-d", "-c", (d / "unbound.conf").string()}, {},
                            d / "unbound.log");
  wait_for_port(port_, "unbound", pid_);
}

UnboundResolver::~UnboundResolver() { stop_process(pid_); }

std::string UnboundResolver::log() const { return read_file(dir_ / "unbound" / "unbound.log"); }

}  // namespace xmppcert::testing

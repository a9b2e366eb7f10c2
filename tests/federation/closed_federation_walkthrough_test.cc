// docs/closed-federation.md, followed word for word (issue 23, item 11). Three network
// namespaces on a bridge (virtual_network.h) are the page's hosts: ca.fed.example (192.0.2.1),
// a.fed.example (192.0.2.2, prosody) and b.fed.example (192.0.2.3, ejabberd). Each host also
// gets a mount namespace of its own in which /etc and /var/lib are overlays (nothing reaches
// the real ones), so the page's paths (/etc/unbound, /var/lib/xmppcert-ca, /etc/xmppcert, ...)
// are the host's own. Every fenced block of the page is read here, in order: a shell block
// marked "run on HOST" runs as written (bash -euo pipefail) on that host, and must exit 0;
// the prosody and ejabberd blocks are the lines the host's server is started with; any other
// block must say why it is not run. A block added to the page without a marker fails the test.
//
// What the test supplies, as a Debian host would have it: the built binaries on PATH, a
// `systemctl` that starts the units with their ExecStart lines (systemd/*.service.in), the
// package's /etc/xmppcert/xmppcert.json, /etc/resolv.conf naming the CA host's resolver (no
// XMPP name in /etc/hosts), and `FP`, read from what the CA's block printed. Its servers run
// as the test user in temp dirs (xmpp_servers.h), so the snippet a member block writes gets the
// keys that point at them ("config", "group", "reload", ...) before xmppcertd starts: the
// agent, which the package starts at install, starts here once the snippet is complete.
// Then it checks what the page promises: messages flow both ways over s2s authenticated with
// SASL EXTERNAL, both agents manage their certificate, and after the emergency renewal each
// host serves a new certificate that new s2s links authenticate with.
#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <string>
#include <vector>

#include "engine/fs.h"
#include "tests/federation/federation_site.h"
#include "tests/federation/test_namespace.h"
#include "tests/federation/virtual_network.h"
#include "tests/integration/pebble_fixture.h"  // spawn_unprivileged

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::seconds;

const fs::path kSource = XMPPCERT_SOURCE_DIR;
const fs::path kPage = kSource / "docs" / "closed-federation.md";
const std::string kResolver = "192.0.2.1";
std::string namespace_problem = "not set up";

// A fenced block of the page and the marker comment on the line before it.
struct Block {
  std::string marker;  // "run on ca", "prosody.cfg.lua on a", "not run: why", ...
  std::string text;
  std::string section;  // the "## " heading it is under
};

std::vector<Block> blocks_of(const std::string& page) {
  std::vector<Block> blocks;
  std::istringstream lines(page);
  std::string line, previous, section;
  static const std::regex marker(R"(^<!-- (.*) -->$)");
  while (std::getline(lines, line)) {
    if (line.rfind("## ", 0) == 0) section = line.substr(3);
    if (line.rfind("```", 0) == 0) {
      std::smatch m;
      Block block{std::regex_match(previous, m, marker) ? m[1].str() : "", "", section};
      while (std::getline(lines, line) && line.rfind("```", 0) != 0) block.text += line + "\n";
      blocks.push_back(block);
      previous.clear();
      continue;
    }
    if (!line.empty()) previous = line;
  }
  return blocks;
}

std::string missing() {
  if (!namespace_problem.empty()) return namespace_problem;
  if (!ProsodyServer::available()) return "prosody is not installed";
  if (!EjabberdServer::available()) return "ejabberd is not installed";
  for (const char* tool : {"unbound", "nsenter", "unshare", "ss"})
    if (run_process({"sh", "-c", std::string("command -v ") + tool}).exit_code != 0)
      return std::string(tool) + " is not installed";
  return "";
}

// The ExecStart line of a unit of systemd/, with the programs from the build tree.
std::string exec_start(const std::string& unit, const fs::path& bin) {
  std::smatch m;
  std::string text = read_file(kSource / "systemd" / (unit + ".service.in"));
  static const std::regex line(R"(\nExecStart=@CMAKE_INSTALL_FULL_SBINDIR@/([^\n]*))");
  if (!std::regex_search(text, m, line)) throw std::runtime_error("no ExecStart in " + unit);
  return (bin / m[1].str()).string();
}

// The page's `systemctl`: start, restart, reload and `enable --now` of the units in
// $WALKTHROUGH_UNITS (NAME.exec: the ExecStart line, NAME.port: the port it is ready on),
// started in the caller's namespaces as root, their pids and logs in $WALKTHROUGH_RUN.
const char* kSystemctl = R"sh(#!/bin/bash
set -euo pipefail
[ "${1:-}" = enable ] && [ "${2:-}" = --now ] && shift 2 && set -- start "$@"
verb="${1:?verb}" unit="${2:?unit}"
unit="${unit%.service}"
[ -f "$WALKTHROUGH_UNITS/$unit.exec" ] || { echo "systemctl: no unit $unit in this test" >&2; exit 5; }
pidfile="$WALKTHROUGH_RUN/$unit.pid"
running() { [ -f "$pidfile" ] && kill -0 "$(cat "$pidfile")" 2> /dev/null; }
stop() {
  running || return 0
  local pid; pid="$(cat "$pidfile")"
  kill "$pid"
  while kill -0 "$pid" 2> /dev/null; do sleep 0.1; done
}
start() {
  read -r -a argv < "$WALKTHROUGH_UNITS/$unit.exec"
  setsid "${argv[@]}" >> "$WALKTHROUGH_RUN/$unit.log" 2>&1 < /dev/null &
  echo $! > "$pidfile"
  [ -f "$WALKTHROUGH_UNITS/$unit.port" ] || return 0
  local port; port="$(cat "$WALKTHROUGH_UNITS/$unit.port")"
  for _ in $(seq 150); do  # ready when it listens (30 s at most)
    ss -ltnH "sport = :$port" | grep -q . && return 0
    running || break
    sleep 0.2
  done
  echo "systemctl: $unit is not listening on port $port" >&2
  tail "$WALKTHROUGH_RUN/$unit.log" >&2
  exit 1
}
case "$verb" in
  start) running || start ;;
  restart) stop; start ;;
  reload) running && kill -HUP "$(cat "$pidfile")" ;;
  *) echo "systemctl $verb: not in this test" >&2; exit 1 ;;
esac
)sh";

// A host of the page: its network namespace and a mount namespace (held by a process that
// sleeps) with /etc and /var/lib overlaid by a tmpfs at `root`, seen from the test through
// /proc/PID/root.
struct LanHost {
  VirtualHost* net = nullptr;
  TempDir root;
  pid_t holder = -1;

  fs::path seen(const std::string& path) const {
    return fs::path("/proc/" + std::to_string(holder) + "/root") / fs::path(path).relative_path();
  }
  std::string run_dir() const { return (root / "run").string(); }

  void start() {
    const std::string r = root.path().string();
    OnHost on(*net);
    holder = spawn_unprivileged(
        {"unshare", "--mount", "--propagation", "private", "--", "sh", "-ec",
         "mount -t tmpfs -o mode=0755 walkthrough " + r + "; cd " + r +
             "; mkdir etc etc.work lib lib.work run"
             "; mount -t overlay walkthrough -o lowerdir=/etc,upperdir=" +
             r + "/etc,workdir=" + r + "/etc.work /etc" +
             "; mount -t overlay walkthrough -o lowerdir=/var/lib,upperdir=" + r +
             "/lib,workdir=" + r + "/lib.work /var/lib; touch run/ready; exec sleep infinity"},
        {}, root / "holder.log", "root", "root");
    if (!eventually([&] { return fs::exists(seen(r + "/run/ready")); }, seconds(10)))
      throw std::runtime_error("host " + net->name() +
                               ": overlays not mounted: " + read_file(root / "holder.log"));
    // What every host of the page has: DNS from the CA host's resolver, no XMPP name in
    // /etc/hosts. (The files are removed first: a symlink is not followed out of the overlay.)
    for (const auto& [file, text] : std::map<std::string, std::string>{
             {"/etc/hosts", "127.0.0.1 localhost\n"},
             {"/etc/resolv.conf", "nameserver " + kResolver + "\n"}}) {
      fs::remove(seen(file));
      write_text(seen(file), text);
    }
  }

  // bash -euo pipefail -c `script` on this host, as root in a clean environment.
  ProcessResult run(const std::string& script, const std::map<std::string, std::string>& env,
                    const fs::path& bin) const {
    std::vector<std::string> argv = {"nsenter",
                                     "--target",
                                     std::to_string(holder),
                                     "--mount",
                                     "--",
                                     "env",
                                     "-i",
                                     "PATH=" + bin.string() + ":/usr/sbin:/usr/bin:/sbin:/bin",
                                     "HOME=/root",
                                     "WALKTHROUGH_RUN=" + run_dir(),
                                     "WALKTHROUGH_UNITS=" + (bin / "units").string()};
    for (const auto& [name, value] : env) argv.push_back(name + "=" + value);
    for (const char* word : {"bash", "-euo", "pipefail", "-c"}) argv.push_back(word);
    argv.push_back(script);
    OnHost on(*net);
    return run_process(argv);
  }
};

class ClosedFederationWalkthrough : public ::testing::Test {
 protected:
  void SetUp() override {
    if (std::string why = missing(); !why.empty()) GTEST_SKIP() << why;
    network = std::make_unique<VirtualNetwork>();
    hosts["ca"].net = &network->add_host("ca", "192.0.2.1");
    hosts["a"].net = a.host = &network->add_host("a", "192.0.2.2");
    hosts["b"].net = b.host = &network->add_host("b", "192.0.2.3");
    for (auto& [name, host] : hosts) host.start();
    install_programs();
    // unbound as Debian starts it reads unbound.conf, which includes unbound.conf.d/; here the
    // page's file only (the machine's others need unbound's own keys and trust anchor).
    write_text(hosts["ca"].seen("/etc/unbound/unbound.conf"),
               "server:\n  username: \"\"\n  chroot: \"\"\n  directory: \"/etc/unbound\"\n"
               "  pidfile: \"\"\n  use-syslog: no\n  do-daemonize: no\n  do-ip6: no\n"
               "include: \"/etc/unbound/unbound.conf.d/fed-example.conf\"\n");
    // The xmppcert package on the members: its config (managing nothing) and state dir.
    for (const char* member : {"a", "b"}) {
      LanHost& host = hosts[member];
      fs::create_directories(host.seen("/etc/xmppcert/conf.d"));
      write_text(host.seen("/etc/xmppcert/xmppcert.json"),
                 read_file(kSource / "debian" / "xmppcert.json"));
      fs::create_directories(host.seen("/var/lib/xmppcert"));
      fs::permissions(host.seen("/var/lib/xmppcert"), fs::perms(0700));
    }
  }

  void TearDown() override {
    if (ejabberd) {
      OnHost on(*b.host);  // ejabberdctl stop finds the node through epmd on b
      ejabberd.reset();
    }
    prosody.reset();
    network.reset();  // kills every daemon the page started, and the holders with their mounts
  }

  // The built programs and the page's systemctl in one folder, and the units it knows.
  void install_programs() {
    fs::path units = bin.path() / "units";
    fs::create_directories(units);
    for (const char* program : {XMPPCERT_BINARY, XMPPCERTD_BINARY, XMPPCERT_CA_BINARY})
      fs::create_symlink(program, bin.path() / fs::path(program).filename());
    write_text(bin.path() / "systemctl", kSystemctl);
    fs::permissions(bin.path() / "systemctl", fs::perms(0755));
    write_text(units / "unbound.exec", "unbound -d -c /etc/unbound/unbound.conf\n");
    write_text(units / "unbound.port", "53\n");
    write_text(units / "xmppcert-ca.exec", exec_start("xmppcert-ca", bin.path()) + "\n");
    write_text(units / "xmppcert-ca.port", "14000\n");
    write_text(units / "xmppcertd.exec", exec_start("xmppcertd", bin.path()) + "\n");
  }

  // Runs one block of the page as its marker says.
  void follow(const Block& block) {
    static const std::regex run_on(R"(run on (ca|a|b))");
    std::smatch m;
    if (block.marker == "prosody.cfg.lua on a") {
      OnHost on(*a.host);
      prosody = std::make_unique<ProsodyServer>(a.domain, block.text, a.host->address());
      a.server = prosody.get();
      ProcessResult r = run_process(prosody->ctl({"register", a.user, a.domain, a.password}));
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    } else if (block.marker == "ejabberd.yml on b") {
      OnHost on(*b.host);
      ejabberd = std::make_unique<EjabberdServer>(b.domain, block.text, b.host->address());
      b.server = ejabberd.get();
      ProcessResult r = run_process(ejabberd->ctl({"register", b.user, b.domain, b.password}));
      ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    } else if (std::regex_match(block.marker, m, run_on)) {
      const std::string name = m[1].str();
      std::map<std::string, std::string> env;
      if (name != "ca") env["FP"] = fingerprint;
      ProcessResult r = hosts[name].run(block.text, env, bin.path());
      std::cout << "== on " << name << ":\n" << block.text << r.out << r.err;
      printed[name] += r.out;
      ASSERT_EQ(r.exit_code, 0) << "on " << name << ":\n" << block.text << r.out << r.err << logs();
      static const std::regex printed(R"(sha256 Fingerprint=([0-9A-F:]+))");
      if (std::regex_search(r.out, m, printed)) fingerprint = m[1].str();
      if (name != "ca") {
        ASSERT_NO_FATAL_FAILURE(point_snippet_at_test_servers(name));
      }
    } else {
      ASSERT_EQ(block.marker.rfind("not run: ", 0), 0u)
          << "a block of " << kPage << " without a marker saying where it runs:\n"
          << block.text;
    }
  }

  // The member's snippet, once a block wrote it: its "install" gets the keys of the test's
  // server (where its config is, the group it runs as, how to reload it), then the agent
  // starts as the package's unit would have it running.
  void point_snippet_at_test_servers(const std::string& name) {
    Site& site = name == "a" ? a : b;
    LanHost& host = hosts[name];
    fs::path snippet = host.seen("/etc/xmppcert/conf.d/federation.json");
    if (agent_started[name] || !fs::exists(snippet)) return;
    ASSERT_NE(site.server, nullptr) << "the page enrolls " << name << " before its server runs";
    nlohmann::json config = nlohmann::json::parse(read_file(snippet));
    const nlohmann::json settings = site.server->install_settings();
    for (auto& entry : config["certificates"])
      for (const auto& [key, value] : settings.items())
        if (!entry["install"].contains(key)) entry["install"][key] = value;
    write_text(snippet, config.dump(2));
    ProcessResult r = host.run("systemctl start xmppcertd", {}, bin.path());
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
    agent_started[name] = true;
  }

  std::string agent_log(const std::string& name) {
    fs::path log = hosts[name].seen(hosts[name].run_dir() + "/xmppcertd.log");
    return fs::exists(log) ? read_file(log) : "";
  }
  // The current version in the host's state dir (0: none), read from its record.json.
  int version(const std::string& name) {
    const Site& site = name == "a" ? a : b;
    fs::path record = hosts[name].seen("/var/lib/xmppcert/certs/" + site.domain + "/record.json");
    if (!fs::exists(record)) return 0;
    return nlohmann::json::parse(read_file(record)).value("current_version", 0);
  }
  std::string logs() {
    std::string text;
    for (auto& [name, host] : hosts)
      for (const char* unit : {"unbound", "xmppcert-ca", "xmppcertd"}) {
        fs::path log = host.seen(host.run_dir() + "/" + unit + ".log");
        if (fs::exists(log)) text += "\n--- " + name + ": " + unit + "\n" + read_file(log);
      }
    for (const XmppServer* server : {a.server, b.server})
      if (server) text += "\n--- server\n" + server->log();
    return text;
  }

  std::unique_ptr<VirtualNetwork> network;
  std::map<std::string, LanHost> hosts;
  TempDir bin;
  std::unique_ptr<ProsodyServer> prosody;
  std::unique_ptr<EjabberdServer> ejabberd;
  std::string fingerprint;
  std::map<std::string, bool> agent_started;
  std::map<std::string, std::string> printed;  // what each host's blocks printed
  Site a{"a.fed.example", "bob", "secret-a"}, b{"b.fed.example", "alice", "secret-b"};
};

TEST_F(ClosedFederationWalkthrough,
       ThePageRunAsWrittenFederatesTwoServersWithSaslExternalAndRenewsBothInAnEmergency) {
  std::vector<Block> blocks = blocks_of(read_file(kPage));
  ASSERT_GE(blocks.size(), 10u) << kPage;
  size_t next = 0;
  for (; next < blocks.size() && blocks[next].section.rfind("Emergency", 0) != 0; ++next)
    ASSERT_NO_FATAL_FAILURE(follow(blocks[next])) << blocks[next].text;
  ASSERT_FALSE(fingerprint.empty()) << "the CA's block printed no fingerprint";
  ASSERT_TRUE(agent_started["a"] && agent_started["b"]) << "a member block wrote no snippet";

  // The federation the page promises: messages both ways, servers authenticated by their
  // certificates from the CA, and each host's agent managing its certificate.
  messages_flow_both_ways(a, b, "before");
  authenticated_with_sasl_external(a, b, 1);
  for (const char* name : {"a", "b"}) {
    EXPECT_EQ(version(name), 1) << name << logs();
    EXPECT_NE(printed[name].find("renewed_from=config"), std::string::npos)
        << "status names the package's config as what renews it\n"
        << printed[name];
    EXPECT_TRUE(eventually(
        [&] { return agent_log(name).find("managing 1 certificate(s)") != std::string::npos; },
        seconds(20)))
        << agent_log(name);
  }

  // The emergency: the rest of the page. Every member serves a new certificate.
  for (; next < blocks.size(); ++next) ASSERT_NO_FATAL_FAILURE(follow(blocks[next]));
  for (const char* name : {"a", "b"}) {
    EXPECT_GE(version(name), 2) << name << logs();
    EXPECT_TRUE(eventually([&] { return agent_log(name).find("SIGHUP") != std::string::npos; },
                           seconds(10)))
        << "the agent saw the page's systemctl reload\n"
        << agent_log(name);
  }
  new_links_federate(a, b, *ejabberd, "after", 2);  // authenticated with the new certificates
}

}  // namespace
}  // namespace xmppcert::testing

int main(int argc, char** argv) {
  // DNS comes from the CA host's unbound; /etc/hosts names no XMPP host (the page's point).
  return xmppcert::testing::run_federation_tests(
      argc, argv, xmppcert::testing::namespace_problem,
      {.hosts = "127.0.0.1 localhost\n", .nameserver = xmppcert::testing::kResolver});
}

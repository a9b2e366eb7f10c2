#include "tests/federation/foundation_federation_fixture.h"

#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/fs.h"
#include "engine/store.h"
#include "tests/integration/agent_fixture.h"  // eventually()
#include "tests/integration/cli_runner.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert::testing {
namespace {

const std::string kCa = "192.0.2.1", kA = "192.0.2.2", kB = "192.0.2.3";
constexpr size_t npos = std::string::npos;

std::string missing() {
  if (!FoundationFederation::namespace_problem.empty())
    return FoundationFederation::namespace_problem;
  if (!ProsodyServer::available()) return "prosody is not installed";
  if (!EjabberdServer::available()) return "ejabberd is not installed";
  if (!FoundationCa::available()) return "xmppcert-ca is not built or bind9 is not installed";
  if (::access(XMPPCERTD_BINARY, X_OK) != 0) return "xmppcertd is not built";
  if (run_process({"ip", "-V"}).exit_code != 0) return "iproute2 (ip) is not installed";
  return "";
}

}  // namespace

const NamespaceNames kFoundationFederationNames{
    .hosts = "127.0.0.1 localhost\n" + kCa + " ca.example.test\n" + kA + " a.example.test\n" + kB +
             " b.example.test\n",
    .nameserver = kCa};
std::string FoundationFederation::namespace_problem = "not set up";

std::time_t logged_at(const std::string& log, const std::string& needle) {
  size_t at = log.find(needle);
  if (at == npos) return 0;
  size_t line = log.rfind('\n', at);
  return parse_utc(log.substr(line == npos ? 0 : line + 1, 20));
}

std::time_t time_in_line(const std::string& log, const std::string& line,
                         const std::string& marker) {
  size_t start = log.find(line);
  if (start == npos) return 0;
  size_t at = log.find(marker, start);
  if (at == npos || at > log.find('\n', start)) return 0;
  return parse_utc(log.substr(at + marker.size(), 20));
}

void FoundationFederation::SetUp() {
  if (std::string why = missing(); !why.empty()) GTEST_SKIP() << why;
  network = std::make_unique<VirtualNetwork>();
  ca_host = &network->add_host("ca", kCa);
  a.host = &network->add_host("a", kA);
  b.host = &network->add_host("b", kB);
  {
    OnHost on(*ca_host);
    ca = std::make_unique<FoundationCa>(FoundationCaOptions{
        .bind_records = "ca IN A " + kCa + "\na IN A " + kA + "\nconference.a IN A " + kA +
                        "\nb IN A " + kB + "\nconference.b IN A " + kB + "\n",
        .config_json = R"({"ari_retry_after": "60s"})",
        .hostname = "ca.example.test",
        .listen_address = "0.0.0.0",
        .bind_port = 53,
        .bind_also_listen_on = kCa,
        .http01_port = 80});
  }
  {
    ProcessResult list = run_xmppcert_ca({"log-list", "--state-dir", ca->state_dir()});
    ASSERT_EQ(list.exit_code, 0) << list.err;
    log_list_file = (ca->dir() / "log-list.json").string();
    write_file_atomically(log_list_file, list.out, with_mode(0644));
  }
  {
    // As in federation_test: prosody reads /etc/hosts (libunbound answers test. itself).
    OnHost on(*a.host);
    prosody = std::make_unique<ProsodyServer>(
        a.domain,
        "s2s_secure_auth = true\ns2s_require_encryption = true\nunbound = { hoststxt = true }\n",
        kA);
    a.server = prosody.get();
  }
  {
    OnHost on(*b.host);
    ejabberd = std::make_unique<EjabberdServer>(b.domain, "s2s_use_starttls: required\n", kB);
    b.server = ejabberd.get();
  }
  // ejabberd 23.01 crashes verifying a peer certificate with XmppAddr: prosody's leaves it out.
  ASSERT_NO_FATAL_FAILURE(enroll(a, false));
  ASSERT_NO_FATAL_FAILURE(enroll(b, true));
  {
    OnHost on(*a.host);
    ASSERT_EQ(run_process(prosody->ctl({"register", a.user, a.domain, a.password})).exit_code, 0);
  }
  {
    OnHost on(*b.host);
    ProcessResult r = run_process(ejabberd->ctl({"register", b.user, b.domain, b.password}));
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  for (Site* site : {&a, &b}) {
    OnHost on(*site->host);
    site->agent = spawn_unprivileged({XMPPCERTD_BINARY, "--config", site->config(), "--state-dir",
                                      site->state(), "--metrics-file", site->metrics()},
                                     {}, site->dir / "agent.log", "root", "root");
  }
  for (Site* site : {&a, &b})
    ASSERT_TRUE(
        eventually([&] { return site->agent_log().find("next action") != npos; }, seconds(20)))
        << site->agent_log();
}

void FoundationFederation::TearDown() {
  for (Site* site : {&a, &b}) stop_process(site->agent);
  if (ejabberd) {
    OnHost on(*b.host);  // ejabberdctl stop finds the node through epmd on b
    ejabberd.reset();
  }
  prosody.reset();
  ca.reset();
  network.reset();  // kills whatever is left on the hosts
}

void FoundationFederation::enroll(Site& site, bool xmpp_addr) {
  std::string root = ca->root_file();
  nlohmann::json install = site.server->install_settings();
  install["trust_anchor"] = "foundation";
  install["edit_config"] = true;
  nlohmann::json acme = {
      {"directory", ca->directory_url()},
      {"root_sha256", sha256_fingerprint(parse_certificate(read_file(root), root).get())},
      {"agree_tos", true},
      {"transparency_log", log_list_file},
      {"transparency_log_poll", std::to_string(kLogPollSeconds) + "s"},
      {"on_unexpected", {"/bin/sh", "-c", "env | grep ^XMPPCERT_ >> " + site.on_unexpected_env()}}};
  nlohmann::json entry = {
      {"issuer", "foundation"}, {"acme", acme}, {"xmpp_addr", xmpp_addr}, {"install", install}};
  nlohmann::json config = {{"state_dir", site.state()}, {"certificates", {{site.domain, entry}}}};
  write_file_atomically(site.config(), config.dump(2), with_mode(0644));
  OnHost on(*site.host);
  ProcessResult r = run_xmppcert({"enroll", "--config", site.config()});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err << "\nCA log:\n" << ca->log() << site.server->log();
}

nlohmann::json FoundationFederation::served(const Site& site) {
  OnHost on(*(&site == &a ? b : a).host);
  ProcessResult r = run_xmppcert({"check", site.domain, "--s2s", "--trust", ca->root_file(),
                                  "--state-dir", site.state(), "--json"});
  nlohmann::json seen = nlohmann::json::parse(r.out, nullptr, false);
  if (seen.is_discarded()) seen = {{"stdout", r.out}};
  seen["exit_code"] = r.exit_code;
  if (!r.err.empty()) seen["stderr"] = r.err;
  return seen;
}

std::string FoundationFederation::installed_trust_anchor(const Site& site) const {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(site.server->dir()))
    if (entry.path().filename() == "xmppcert-trust-anchor.pem") return read_file(entry.path());
  return "not installed";
}

}  // namespace xmppcert::testing

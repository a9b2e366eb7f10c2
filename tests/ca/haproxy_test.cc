// Two xmppcert-ca instances on one PostgreSQL behind haproxy (TCP, TLS passed through; both
// instances serve the same HTTPS certificate from the shared state dir and name the one
// base_url): xmppcert enrolls through the single directory URL, one instance is killed with
// SIGKILL, and enrolling goes on through the other, each certificate recorded once. Eight
// clients enrolling in a loop while one instance dies at a random moment all finish (a
// failed run is run again, as a timer would), and nothing acknowledged is lost or doubled.
// Backend: PostgreSQL only: several instances on one database is what it is for (SQLite is
// one machine's file).
#include <gtest/gtest.h>
#include <openssl/x509.h>

#include <algorithm>
#include <atomic>
#include <cctype>
#include <chrono>
#include <nlohmann/json.hpp>
#include <random>
#include <thread>

#include "engine/fs.h"
#include "engine/http.h"
#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"
#include "tests/ca/webroot_server.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert {
namespace {

using testing::Backend;
using testing::FoundationCa;
using testing::ProcessResult;

// haproxy in front of two ports, as docs/haproxy-xmppcert-ca.cfg shows it.
class Haproxy {
 public:
  Haproxy(int port, int first, int second) {
    std::string cfg = (dir_.path() / "haproxy.cfg").string();
    testing::write_text(cfg,
                        "global\n  maxconn 256\n"
                        "defaults\n  mode tcp\n  timeout connect 2s\n  timeout client 60s\n"
                        "  timeout server 60s\n  retries 3\n  option redispatch\n"
                        "frontend acme\n  bind 127.0.0.1:" +
                            std::to_string(port) +
                            "\n  default_backend xmppcert_ca\n"
                            "backend xmppcert_ca\n  balance roundrobin\n"
                            "  server a 127.0.0.1:" +
                            std::to_string(first) +
                            " check inter 500ms fall 1 rise 2\n"
                            "  server b 127.0.0.1:" +
                            std::to_string(second) + " check inter 500ms fall 1 rise 2\n");
    pid_ =
        testing::spawn_unprivileged({"haproxy", "-db", "-f", cfg}, {}, dir_.path() / "haproxy.log");
    testing::wait_for_port(port, "haproxy", pid_);
  }
  ~Haproxy() { testing::stop_process(pid_); }

 private:
  testing::TempDir dir_;
  pid_t pid_ = -1;
};

// Why two instances behind haproxy cannot run here, or "" when they can.
std::string missing_for_two_instances() {
  if (!FoundationCa::available()) return "xmppcert-ca or bind9 missing";
  if (auto missing = testing::backend_missing(Backend::kPostgres); !missing.empty())
    return missing;
  if (!testing::installed("/usr/sbin/haproxy")) return "haproxy is not installed";
  return "";
}

// Two xmppcert-ca instances on one PostgreSQL behind haproxy: one base URL, the first
// instance the fixture's own (ca), the second started beside it.
struct TwoInstancesBehindHaproxy {
  int front = testing::free_port();
  std::string base = "https://127.0.0.1:" + std::to_string(front);
  FoundationCa ca{
      {.backend = Backend::kPostgres, .config_json = nlohmann::json{{"base_url", base}}.dump()}};
  int second = ca.start_another_instance();
  Haproxy haproxy{front, ca.port(), second};
};

ProcessResult enroll(const FoundationCa& ca, const std::string& directory,
                     const testing::TempDir& state, const std::string& domain) {
  return testing::run_xmppcert({"enroll", domain, "--state-dir", state.path().string(), "--issuer",
                                "foundation", "--acme-directory", directory, "--acme-trust",
                                ca.root_file(), "--acme-agree-tos", "--http01-address", "127.0.0.1",
                                "--http01-port", std::to_string(ca.http01_port())});
}

TEST(FoundationCaHaproxy, TwoInstancesOnOnePostgresqlServeOneUrlAndSurviveAKillNine) {
  if (auto missing = missing_for_two_instances(); !missing.empty()) GTEST_SKIP() << missing;
  TwoInstancesBehindHaproxy instances;
  FoundationCa& ca = instances.ca;
  const std::string& base = instances.base;
  const std::string directory = base + "/directory";

  for (int i = 0; i < 3; ++i) {
    testing::TempDir state;
    ProcessResult r = enroll(ca, directory, state, "h" + std::to_string(i) + ".example.test");
    ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  }
  ca.kill_hard();  // the first instance; haproxy redispatches to the second
  for (int i = 3; i < 5; ++i) {
    testing::TempDir state;
    ProcessResult r = enroll(ca, directory, state, "h" + std::to_string(i) + ".example.test");
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  EXPECT_EQ(ca.sql("SELECT count(*) FROM certificates"), "5");
  EXPECT_EQ(ca.sql("SELECT count(DISTINCT order_id) FROM certificates"), "5");
}

// Clients nobody here wrote, given only the one URL: every request after the directory goes
// to whichever instance haproxy picks, so an account made on one signs orders the other
// finalizes, and a revocation through one is in the CRL of both.
TEST(FoundationCaHaproxy, LegoAndCertbotObtainAndRevokeThroughTheOneDirectoryUrl) {
  if (auto missing = missing_for_two_instances(); !missing.empty()) GTEST_SKIP() << missing;
  if (!testing::installed("/usr/bin/lego") || !testing::installed("/usr/bin/certbot"))
    GTEST_SKIP() << "lego or certbot is not installed";
  TwoInstancesBehindHaproxy instances;
  FoundationCa& ca = instances.ca;
  const std::string directory = instances.base + "/directory";
  testing::lego_obtains_and_revokes(
      ca, {}, "lego.example.test",
      {"--http", "--http.port", "127.0.0.1:" + std::to_string(ca.http01_port())}, directory);
  testing::certbot_obtains_and_revokes(ca, "certbot.example.test", directory);
  EXPECT_EQ(ca.sql("SELECT count(*) FROM certificates WHERE revoked_at <> 0"), "2");
}

// One enrollment of `domain` by a client whose state (and so account) is `state`, answering
// http-01 through the shared webroot so that several clients can validate at once.
ProcessResult enroll_through_webroot(const FoundationCa& ca, const std::string& directory,
                                     const std::filesystem::path& state,
                                     const std::filesystem::path& webroot,
                                     const std::string& domain) {
  return testing::run_xmppcert({"enroll", domain, "--state-dir", state.string(), "--issuer",
                                "foundation", "--acme-directory", directory, "--acme-trust",
                                ca.root_file(), "--acme-agree-tos", "--webroot", webroot.string()});
}

std::string lower(std::string text) {
  std::transform(text.begin(), text.end(), text.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return text;
}

// Seconds from now to the CRL's nextUpdate and from its lastUpdate to now.
std::pair<long, long> crl_times(const std::string& der) {
  const unsigned char* cursor = reinterpret_cast<const unsigned char*>(der.data());
  X509_CRL* crl = d2i_X509_CRL(nullptr, &cursor, static_cast<long>(der.size()));
  if (!crl) return {0, 0};
  int days = 0, seconds = 0;
  ASN1_TIME_diff(&days, &seconds, nullptr, X509_CRL_get0_nextUpdate(crl));
  long to_next = days * 86400L + seconds;
  ASN1_TIME_diff(&days, &seconds, X509_CRL_get0_lastUpdate(crl), nullptr);
  long since_last = days * 86400L + seconds;
  X509_CRL_free(crl);
  return {to_next, since_last};
}

TEST(FoundationCaHaproxy, EightClientsEnrollingInALoopAllFinishWhenAnInstanceIsKilledMidRun) {
  if (auto missing = missing_for_two_instances(); !missing.empty()) GTEST_SKIP() << missing;
  TwoInstancesBehindHaproxy instances;
  FoundationCa& ca = instances.ca;
  const std::string& base = instances.base;
  testing::TempDir work;
  std::filesystem::path webroot = work.path() / "webroot";
  std::filesystem::create_directories(webroot / ".well-known" / "acme-challenge");
  testing::WebrootServer web(ca.http01_port(), webroot / ".well-known" / "acme-challenge");
  const std::string directory = base + "/directory";

  constexpr int kClients = 8;
  constexpr int kCertificatesEach = 3;
  constexpr int kRunsPerCertificate = 4;  // a run cut off by the kill is run again
  struct Client {
    std::vector<std::string> serials;  // of the certificates it got (acknowledged)
    int runs = 0;
    std::string last_error;
  };
  std::vector<Client> clients(kClients);
  std::atomic<int> acknowledged_so_far = 0;
  auto started = std::chrono::steady_clock::now();
  std::vector<std::thread> threads;
  for (int c = 0; c < kClients; ++c)
    threads.emplace_back([&, c] {
      std::filesystem::path state = work.path() / ("client" + std::to_string(c));
      for (int i = 0; i < kCertificatesEach; ++i) {
        std::string domain = "c" + std::to_string(c) + "-" + std::to_string(i) + ".example.test";
        for (int run = 0; run < kRunsPerCertificate; ++run) {
          ++clients[c].runs;
          ProcessResult r = enroll_through_webroot(ca, directory, state, webroot, domain);
          if (r.exit_code == 0) {
            clients[c].serials.push_back(
                lower(testing::serial_of(testing::find_file(state / "certs" / domain, "cert.pem"))));
            ++acknowledged_so_far;
            break;
          }
          clients[c].last_error = domain + ": " + r.err;
        }
      }
    });
  // A random moment within the runs: after a random number of certificates (at most half of
  // them, so the kill always lands mid-run), then a random delay (the point of the test, not
  // a wait for a condition) so that it also lands between two of the steps of an issuance.
  unsigned seed = std::random_device{}();
  std::mt19937 generator(seed);
  int after = std::uniform_int_distribution<int>(1, kClients * kCertificatesEach / 2)(generator);
  int delay_ms = std::uniform_int_distribution<int>(0, 300)(generator);
  SCOPED_TRACE("killed after " + std::to_string(after) + " certificates + " +
               std::to_string(delay_ms) + " ms (seed " + std::to_string(seed) + ")");
  // (EXPECT, not ASSERT: the clients' threads must be joined either way.)
  EXPECT_TRUE(testing::eventually([&] { return acknowledged_so_far.load() >= after; },
                                  std::chrono::seconds(120)))
      << "no " << after << " certificates in 120 s\nCA log:\n"
      << ca.log();
  // The random part of the kill moment (the point of the test), not a wait for a condition.
  std::this_thread::sleep_for(std::chrono::milliseconds(delay_ms));
  int at_kill = acknowledged_so_far.load();
  ca.kill_hard();  // the first instance; haproxy sends everything to the second from now on
  for (auto& thread : threads) thread.join();
  auto took = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() -
                                                               started);
  RecordProperty("acknowledged_at_kill", at_kill);
  // Without the kill this takes seconds. Work the dead instance left "processing" is taken
  // up after 30 s (ra/orders.cc, abandoned_after); before, a client polled it for its whole
  // 120 s poll limit and then ran again.
  EXPECT_LT(took.count(), 100) << "a client waited out work the dead instance left behind";

  int acknowledged = 0, runs = 0;
  for (int c = 0; c < kClients; ++c) {
    EXPECT_EQ(clients[c].serials.size(), static_cast<size_t>(kCertificatesEach))
        << "client " << c << " did not finish: " << clients[c].last_error;
    for (const auto& serial : clients[c].serials)
      EXPECT_EQ(ca.sql("SELECT count(*) FROM certificates WHERE serial = '" + serial + "'"), "1")
          << "client " << c << " got " << serial;
    acknowledged += static_cast<int>(clients[c].serials.size());
    runs += clients[c].runs;
  }
  RecordProperty("runs", runs);
  // No order finalized twice; no valid order without its certificate and none the other way.
  EXPECT_EQ(ca.sql("SELECT count(*) - count(DISTINCT order_id) FROM certificates"), "0");
  EXPECT_EQ(ca.sql("SELECT count(*) FROM documents d WHERE kind = 'order' AND "
                   "(doc::json ->> 'status') = 'valid' AND NOT EXISTS (SELECT 1 FROM "
                   "certificates c WHERE c.serial = (doc::json ->> 'certificate'))"),
            "0");
  EXPECT_GE(std::stoi(ca.sql("SELECT count(*) FROM certificates")), acknowledged);

  // The CRL through the one URL is current: signed within the day, days from its nextUpdate.
  CurlHttpClient http(HttpOptions{ca.root_file()});
  HttpResponse crl = http.get(base + "/crl");
  ASSERT_EQ(crl.status, 200);
  auto [to_next, since_last] = crl_times(crl.body);
  EXPECT_GT(to_next, 6 * 86400L);
  EXPECT_LE(since_last, 86400L);
}

}  // namespace
}  // namespace xmppcert

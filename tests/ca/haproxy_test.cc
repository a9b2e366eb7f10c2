// Two xmppcert-ca instances on one PostgreSQL behind haproxy (TCP, TLS passed through; both
// instances serve the same HTTPS certificate from the shared state dir and name the one
// base_url): xmppcert enrolls through the single directory URL, one instance is killed with
// SIGKILL, and enrolling goes on through the other, each certificate recorded once.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/fs.h"
#include "tests/ca/ca_fixture.h"
#include "tests/ca/interop_support.h"
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

ProcessResult enroll(const FoundationCa& ca, const std::string& directory,
                     const testing::TempDir& state, const std::string& domain) {
  return testing::run_xmppcert({"enroll", domain, "--state-dir", state.path().string(), "--issuer",
                                "foundation", "--acme-directory", directory, "--acme-trust",
                                ca.root_file(), "--acme-agree-tos", "--http01-address", "127.0.0.1",
                                "--http01-port", std::to_string(ca.http01_port())});
}

TEST(FoundationCaHaproxy, TwoInstancesOnOnePostgresqlServeOneUrlAndSurviveAKillNine) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  if (auto missing = testing::backend_missing(Backend::kPostgres); !missing.empty())
    GTEST_SKIP() << missing;
  if (!testing::installed("/usr/sbin/haproxy")) GTEST_SKIP() << "haproxy is not installed";
  int front = testing::free_port();
  std::string base = "https://127.0.0.1:" + std::to_string(front);
  FoundationCa ca(
      {.backend = Backend::kPostgres, .config_json = nlohmann::json{{"base_url", base}}.dump()});
  int second = ca.start_another_instance();
  Haproxy haproxy(front, ca.port(), second);
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

}  // namespace
}  // namespace xmppcert

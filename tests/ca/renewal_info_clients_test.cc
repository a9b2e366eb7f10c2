// Issue 23 item 4: an emergency renewal (`xmppcert-ca renew-now`) reaches every host. The
// Retry-After the CA sent at issuance is kept in the record (the agent's first poll after
// its own issuance follows it, not a fixed 6 h); `xmppcert renew`, and so the timer, asks
// renewalInfo at each run and renews at once; SIGHUP makes a running agent ask at once,
// where it would otherwise wait for the CA's Retry-After (1 h by default).
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include "engine/fs.h"
#include "engine/store.h"
#include "tests/ca/ca_fixture.h"
#include "tests/integration/cli_runner.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using std::chrono::seconds;
using testing::FoundationCa;
using testing::ProcessResult;

// On both storage backends: the renewalInfo window is the operator's override, stored.
class RenewalInfoClients : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
    ca = std::make_unique<FoundationCa>(testing::FoundationCaOptions{.backend = GetParam()});
    ProcessResult r = xmppcert({"enroll", "xmpp.example.test", "--issuer", "foundation",
                                "--acme-directory", ca->directory_url(), "--acme-root-sha256",
                                ca->root_sha256(), "--acme-agree-tos", "--http01-address", "127.0.0.1",
                                "--http01-port", std::to_string(ca->http01_port())});
    ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  }
  void TearDown() override {
    if (agent > 0) {
      ::kill(agent, SIGKILL);
      ::waitpid(agent, nullptr, 0);
    }
  }

  ProcessResult xmppcert(std::vector<std::string> args) {
    args.insert(args.end(), {"--state-dir", state().string()});
    return testing::run_xmppcert(args);
  }
  void renew_now() {
    std::vector<std::string> args{"renew-now", "--state-dir", ca->state_dir(), "--within", "0s"};
    for (const auto& arg : ca->config_args()) args.push_back(arg);
    ProcessResult r = testing::run_xmppcert_ca(args);
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  CertificateRecord record() {
    auto loaded = StateDirStore(state()).load("xmpp.example.test");
    if (!loaded) throw std::runtime_error("no record of xmpp.example.test");
    return *loaded;
  }
  std::filesystem::path state() const { return dir / "state"; }
  std::string agent_log() {
    return std::filesystem::exists(dir / "agent.log") ? read_file(dir / "agent.log") : "";
  }
  void start_agent() {
    auto log = dir / "agent.log";
    agent = ::fork();
    if (agent == 0) {
      FILE* out = std::fopen(log.c_str(), "w");
      if (out) {
        ::dup2(fileno(out), 1);
        ::dup2(fileno(out), 2);
      }
      ::execl(XMPPCERTD_BINARY, "xmppcertd", "--state-dir", state().c_str(), nullptr);
      ::_exit(127);
    }
  }

  std::unique_ptr<FoundationCa> ca;
  testing::TempDir dir;
  pid_t agent = -1;
};

TEST_P(RenewalInfoClients, TheRetryAfterSeenAtIssuanceIsKeptInTheRecord) {
  EXPECT_EQ(record().renewal_info_retry_after, 3600);  // the foundation CA's default, 1 h
}

TEST_P(RenewalInfoClients, RenewAsksRenewalInfoSoATimerHostRenewsAtOnceAfterRenewNow) {
  ProcessResult before = xmppcert({"renew"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  EXPECT_NE(before.out.find("up to date"), std::string::npos) << before.out;
  // Issue 23 item 9: status shows the issuer's window and the next poll (the CA's Retry-After).
  ProcessResult status = xmppcert({"status"});
  EXPECT_NE(status.out.find(" renewal_window="), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(" next_poll="), std::string::npos) << status.out;
  EXPECT_NE(status.out.find(" next_action="), std::string::npos) << status.out;
  ASSERT_NO_FATAL_FAILURE(renew_now());
  ProcessResult after = xmppcert({"renew"});
  EXPECT_EQ(after.exit_code, 0) << after.out << after.err;
  EXPECT_NE(after.out.find("issued v2"), std::string::npos) << after.out << after.err;
  EXPECT_NE(after.err.find("renewal window now"), std::string::npos) << after.err;
}

TEST_P(RenewalInfoClients, SighupMakesARunningAgentAskRenewalInfoAtOnce) {
  start_agent();
  // Its first poll, at start: the CA's window holds the renewal, next poll in an hour.
  ASSERT_TRUE(testing::eventually(
      [&] { return agent_log().find("asking again at") != std::string::npos; }, seconds(20)))
      << agent_log();
  ASSERT_NO_FATAL_FAILURE(renew_now());
  ASSERT_EQ(::kill(agent, SIGHUP), 0);
  EXPECT_TRUE(testing::eventually([&] { return record().current_version >= 2; }, seconds(30)))
      << agent_log();
  EXPECT_NE(agent_log().find("renewal window now"), std::string::npos) << agent_log();
}

INSTANTIATE_TEST_SUITE_P(Storage, RenewalInfoClients,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

}  // namespace
}  // namespace xmppcert

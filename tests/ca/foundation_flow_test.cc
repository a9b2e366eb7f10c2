// Issue 23 item 7: the documented foundation flow passes the tool's own checks. The dry run
// with --acme-root-sha256 trusts the pinned root as the real run does (not the system's
// store), and without a pin the failure says to pin the root.
// Backend: SQLite only: the client's checks and renew-now's message; renew-now's effect on
// both backends is
// Storage/FoundationCaProtocol.RenewalInfoWindowMovesEarlierWhenTheOperatorSaysRenewNow.
#include <gtest/gtest.h>

#include "tests/ca/ca_fixture.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert {
namespace {

using testing::FoundationCa;
using testing::ProcessResult;

std::vector<std::string> dry_run(const FoundationCa& ca, const testing::TempDir& state) {
  return {"enroll",           "xmpp.example.test",
          "--dry-run",        "--state-dir",
          state.path(),       "--issuer",
          "foundation",       "--acme-directory",
          ca.directory_url(), "--acme-agree-tos",
          "--http01-address", "127.0.0.1",
          "--http01-port",    std::to_string(ca.http01_port())};
}

TEST(FoundationFlow, TheDryRunWithARootPinTrustsThePinnedRootAndWritesNothing) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  FoundationCa ca;
  testing::TempDir state;
  std::vector<std::string> args = dry_run(ca, state);
  args.insert(args.end(), {"--acme-root-sha256", ca.root_sha256()});
  ProcessResult r = testing::run_xmppcert(args);
  EXPECT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("matches root_sha256: ok"), std::string::npos) << r.out;
  EXPECT_EQ(r.out.find("system's trust store"), std::string::npos) << r.out;
  EXPECT_TRUE(std::filesystem::is_empty(state.path()) ||
              !std::filesystem::exists(state.path() / "accounts"));
}

TEST(FoundationFlow, WithoutAPinTheTrustFailureSuggestsPinningTheRoot) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  FoundationCa ca;
  testing::TempDir state;
  ProcessResult r = testing::run_xmppcert(dry_run(ca, state));
  EXPECT_EQ(r.exit_code, 1) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("--acme-root-sha256"), std::string::npos) << r.out << r.err;
}

}  // namespace
}  // namespace xmppcert

namespace xmppcert {
namespace {

// Issue 23 item 4 (the CA's part): renew-now says when agents see it at the latest, with the
// default Retry-After of one hour.
TEST(FoundationFlow, RenewNowSaysWhenAgentsSeeItAtTheLatest) {
  if (!testing::FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  testing::FoundationCa ca;
  testing::ProcessResult r =
      testing::run_xmppcert_ca({"renew-now", "--state-dir", ca.state_dir(), "--within", "2m"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("at the latest"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("(1h;"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace xmppcert

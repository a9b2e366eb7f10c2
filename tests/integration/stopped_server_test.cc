// Issue 23 item 8: a stopped server wastes no issuance. `renew --force` with prosody stopped
// orders nothing (a public CA counts every order against its rate limits) and says why,
// once; the dry run reports the stopped server.
#include <gtest/gtest.h>

#include "engine/fs.h"
#include "engine/store.h"
#include "tests/integration/agent_fixture.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/xmpp_servers.h"

namespace xmppcert::testing {
namespace {

TEST(StoppedServer, ARenewalIntoAStoppedProsodyOrdersNothingAndTheDryRunSaysItIsStopped) {
  if (!ProsodyServer::available()) GTEST_SKIP() << "prosody is not installed";
  ProsodyServer server("example.test");
  TempDir dir;
  nlohmann::json config = {
      {"certificates", {{"example.test", {{"install", server.install_settings()}}}}}};
  write_file_atomically(dir / "config.json", config.dump(2), with_mode(0644));
  const std::vector<std::string> where{"--config", (dir / "config.json").string(), "--state-dir",
                                       (dir / "state").string()};
  auto xmppcert = [&](std::vector<std::string> args) {
    args.insert(args.end(), where.begin(), where.end());
    return run_xmppcert(args);
  };
  ProcessResult enroll = xmppcert({"enroll"});
  ASSERT_EQ(enroll.exit_code, 0) << enroll.err << server.log();

  run_process(server.ctl({"stop"}));
  ASSERT_TRUE(eventually([&] { return !server.running(); }, seconds(20)));
  ProcessResult renew = xmppcert({"renew", "example.test", "--force"});
  EXPECT_EQ(renew.exit_code, 1) << renew.out;
  EXPECT_NE(renew.err.find("not ordered"), std::string::npos) << renew.err;
  EXPECT_EQ(occurrences(renew.err, "is prosody running?"), 1u) << renew.err;
  StateDirStore store(dir / "state");
  EXPECT_FALSE(fs::exists(store.certificate_dir("example.test") / "v2")) << "a version was issued";

  ProcessResult dry_run = xmppcert({"renew", "example.test", "--force", "--dry-run"});
  EXPECT_EQ(dry_run.exit_code, 1) << dry_run.out << dry_run.err;
  EXPECT_NE(dry_run.out.find("prosody running: 127.0.0.1:"), std::string::npos) << dry_run.out;
}

}  // namespace
}  // namespace xmppcert::testing

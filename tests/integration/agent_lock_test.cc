// The agent and the CLI decide about a certificate only under the state-dir lock, from the
// record read under it: a CLI renewal made while the agent runs stays installed (the agent
// once read the record before the lock and put the previous version back).
#include <gtest/gtest.h>

#include "tests/integration/agent_fixture.h"
#include "tests/integration/cli_runner.h"

namespace xmppcert::testing {
namespace {

TEST_F(AgentTest, CliRenewalWhileTheAgentRunsStaysInstalled) {
  fs::create_directories(dir / "out");
  const std::string name = "a.example.test";
  // A reload that takes a second widens the window between installing and saving the record.
  write_config({name}, {"/bin/sleep", "1"}, "1h");
  start();
  ASSERT_TRUE(eventually([&] { return current_version(name) == 1; }, seconds(15))) << log();

  ProcessResult renew =
      run_xmppcert({"renew", name, "--force", "--config", (dir / "config.json").string(),
                    "--state-dir", (dir / "state").string()});
  ASSERT_EQ(renew.exit_code, 0) << renew.err << log();
  ASSERT_EQ(current_version(name), 2);

  StateDirStore store(dir / "state");
  const std::string current = read_file(store.version(name, 2).fullchain_path());
  int differing = 0;
  for (int sample = 0; sample < 50; ++sample) {
    if (read_file(dir / "out" / (name + ".crt")) != current) ++differing;
    // Sampling what stays installed over 5 s (the claim is "never differs"), not a wait.
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  EXPECT_EQ(differing, 0) << log();
  EXPECT_EQ(current_version(name), 2);
  EXPECT_EQ(log().find("reinstalling v1"), std::string::npos) << log();
}

}  // namespace
}  // namespace xmppcert::testing

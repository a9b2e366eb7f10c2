#include "engine/process.h"

#include <gtest/gtest.h>

#include "engine/errors.h"

namespace xmppcert {
namespace {

TEST(RunCommand, PassesArgumentsLiterallyWithoutAShell) {
  CommandResult result = run_command({"/bin/echo", "a; rm -rf /", "$HOME", "`id`"});
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, "a; rm -rf / $HOME `id`\n");
}

TEST(RunCommand, MissingProgramIsExitCode127WithTheReason) {
  CommandResult result = run_command({"/nonexistent/reload-daemon"});
  EXPECT_EQ(result.exit_code, 127);
  EXPECT_NE(result.output.find("/nonexistent/reload-daemon"), std::string::npos);
}

TEST(RunCommand, IsKilledAtItsTimeLimit) {
  EXPECT_THROW(run_command({"/bin/sleep", "30"}, std::chrono::seconds(1)), OperationError);
}

}  // namespace
}  // namespace xmppcert

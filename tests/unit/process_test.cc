#include "engine/process.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>

#include "engine/errors.h"
#include "tests/unit/test_support.h"

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

// Issue 12 #16: a reload command inherited root's whole environment and every open socket.
TEST(RunCommand, GetsACleanEnvironmentPlusTheXmppcertVariablesItIsGiven) {
  ::setenv("XMPPCERT_LEAK_TEST", "root's secret", 1);
  ::setenv("LD_PRELOAD_LEAK_TEST", "x", 1);
  CommandResult result =
      run_command({"/usr/bin/env"}, std::chrono::seconds(10), "", {"XMPPCERT_NAME=example.org"});
  ::unsetenv("XMPPCERT_LEAK_TEST");
  ::unsetenv("LD_PRELOAD_LEAK_TEST");
  EXPECT_EQ(result.output,
            std::string("PATH=") + kCommandPath + "\nLANG=C\nXMPPCERT_NAME=example.org\n");
}

TEST(RunCommand, RefusesEnvironmentEntriesThatAreNotXmppcertVariables) {
  EXPECT_THROW(run_command({"/bin/true"}, std::chrono::seconds(10), "", {"LD_PRELOAD=/tmp/x.so"}),
               UsageError);
}

TEST(RunCommand, OnlyDescriptorsZeroToTwoReachTheCommand) {
  int inherited = ::open("/dev/null", O_RDONLY);  // no O_CLOEXEC, like a leaked socket
  ASSERT_GE(inherited, 3);
  CommandResult result = run_command({"/bin/ls", "/proc/self/fd"}, std::chrono::seconds(10));
  ::close(inherited);
  // ls itself holds one descriptor on /proc/self/fd (3).
  EXPECT_EQ(result.output, "0\n1\n2\n3\n");
}

// A reload argv "prosodyctl" came from root's PATH: a folder a user controls at its front
// chose what root ran.
TEST(RunCommand, ABareProgramNameIsFoundInTheFixedPathNotTheCallersPath) {
  testing::TempDir dir;
  testing::write_text(dir / "true", "#!/bin/sh\necho hijacked\n");
  ::chmod((dir / "true").c_str(), 0755);
  std::string saved = std::getenv("PATH") ? std::getenv("PATH") : "";
  ::setenv("PATH", dir.path().c_str(), 1);
  CommandResult result = run_command({"true"}, std::chrono::seconds(10));
  ::setenv("PATH", saved.c_str(), 1);
  EXPECT_EQ(result.exit_code, 0);
  EXPECT_EQ(result.output, "");
  EXPECT_EQ(resolve_command("true").front(), '/');
}

}  // namespace
}  // namespace xmppcert

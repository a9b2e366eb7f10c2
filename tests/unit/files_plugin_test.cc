#include "plugins/servers/files/files_plugin.h"

#include <gtest/gtest.h>

#include "engine/errors.h"
#include "tests/support/fake_command_runner.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

std::string usage_error_of(const nlohmann::json& settings) {
  try {
    FilesPlugin plugin(settings, "c.json: certificates.\"a.org\".install");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(FilesPlugin, InstallsEachFileWithItsModeAndRunsTheReloadArgv) {
  TempDir dir;
  testing::MemoryStore store(dir / "versions");
  StoredVersion v = store.write_version("a.org", {"KEY\n", "CERT\n", "CHAIN\n"});
  nlohmann::json settings{
      {"key", (dir / "k.pem").string()},
      {"fullchain", (dir / "f.pem").string()},
      {"combined", (dir / "c.pem").string()},
      {"key_mode", "0640"},
      {"reload", {"/bin/sh", "-c", "echo reloaded > " + (dir / "reloaded").string()}}};
  FilesPlugin plugin(settings, "test");
  plugin.install(v);
  plugin.reload();
  EXPECT_EQ(read_file(dir / "k.pem"), "KEY\n");
  EXPECT_EQ(read_file(dir / "f.pem"), "CERT\nCHAIN\n");
  EXPECT_EQ(read_file(dir / "c.pem"), "KEY\nCERT\nCHAIN\n");
  EXPECT_EQ(testing::file_mode(dir / "k.pem"), 0640u);
  EXPECT_EQ(testing::file_mode(dir / "c.pem"), 0640u);
  EXPECT_EQ(testing::file_mode(dir / "f.pem"), 0644u);
  EXPECT_EQ(read_file(dir / "reloaded"), "reloaded\n");
}

TEST(FilesPlugin, ReloadFailureIsAnErrorWithTheCommandAndItsLastLine) {
  testing::FakeCommandRunner commands;
  commands.answer("reload-daemon", {3, "starting\nno such daemon\n"});
  FilesPlugin plugin({{"key", "/tmp/never-written"}, {"reload", {"reload-daemon", "--now"}}}, "t",
                     commands);
  try {
    plugin.reload();
    FAIL();
  } catch (const OperationError& e) {
    std::string message = e.what();
    EXPECT_NE(message.find("exit code 3"), std::string::npos) << message;
    EXPECT_NE(message.find("no such daemon"), std::string::npos) << message;
    EXPECT_EQ(message.find("starting"), std::string::npos) << "the last line only: " << message;
    EXPECT_NE(message.find("\"reload-daemon --now\""), std::string::npos) << message;
  }
}

TEST(FilesPlugin, BadSettingsAreUsageErrorsNamingTheKey) {
  EXPECT_NE(
      usage_error_of({{"key", "/k"}, {"key_mode", "0644"}}).find("must not be readable by others"),
      std::string::npos);
  EXPECT_NE(usage_error_of({{"key", "relative.pem"}})
                .find("install.key: path \"relative.pem\" must be absolute"),
            std::string::npos);
  EXPECT_NE(usage_error_of({{"keyfile", "/k"}}).find("unknown key \"keyfile\""), std::string::npos);
  EXPECT_NE(usage_error_of(nlohmann::json::object()).find("at least one of"), std::string::npos);
  EXPECT_NE(usage_error_of({{"key", "/k"}, {"owner", "no-such-user-xmppcert"}})
                .find("install.owner: unknown user"),
            std::string::npos);
}

}  // namespace
}  // namespace xmppcert

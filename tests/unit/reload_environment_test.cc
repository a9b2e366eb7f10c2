// What a server plugin's reload command is told: the version whose files are in place, also
// after a rollback put the previous files back.
#include <gtest/gtest.h>

#include "engine/fs.h"
#include "engine/store.h"
#include "plugins/servers/common/xmpp_server_plugin.h"
#include "plugins/servers/prosody/prosody_plugin.h"
#include "tests/support/fake_command_runner.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

class ReloadEnvironmentTest : public ::testing::Test {
 protected:
  StoredVersion write_version() {
    return store.write_version("example.org", {"KEY\n", "CERT\n", "CHAIN\n"});
  }
  // prosody, whose reload command `commands` answers and records.
  XmppServerPlugin plugin() {
    write_text(dir / "prosody.cfg.lua", "VirtualHost \"example.org\"\n");
    return XmppServerPlugin(
        kProsodyKind,
        {{"config", (dir / "prosody.cfg.lua").string()}, {"reload", {"prosodyctl", "reload"}}},
        "test.install", {}, commands);
  }
  // The environment of the last reload.
  std::string seen(const std::string& name) { return commands.calls().back().variable(name); }
  TempDir dir;
  FakeCommandRunner commands;
  MemoryStore store{dir / "versions"};
};

TEST_F(ReloadEnvironmentTest, AReloadAfterAnInstallNamesThatVersion) {
  XmppServerPlugin p = plugin();
  p.install(write_version());
  p.reload();
  // prosody reloads a second time when the files are new
  // (ServerKind::new_files_need_second_reload).
  ASSERT_FALSE(commands.calls().empty());
  for (const auto& call : commands.calls())
    EXPECT_EQ(call.argv, (std::vector<std::string>{"prosodyctl", "reload"}));
  EXPECT_EQ(seen("XMPPCERT_NAME"), "example.org");
  EXPECT_EQ(seen("XMPPCERT_VERSION"), "1");
  EXPECT_EQ(seen("XMPPCERT_DOMAINS"), "") << "the stored certificate is no certificate";
  EXPECT_EQ(seen("XMPPCERT_KEY"), store.version("example.org", 1).key_path().string());
  EXPECT_NE(seen("XMPPCERT_INSTALLED").find((dir / "certs" / "example.org.key").string()),
            std::string::npos)
      << seen("XMPPCERT_INSTALLED");
}

TEST_F(ReloadEnvironmentTest, AReloadAfterARollbackNamesThePreviousVersionOrNone) {
  XmppServerPlugin p = plugin();
  p.install(write_version());
  ASSERT_TRUE(p.rollback());  // nothing of ours was there before v1
  p.reload();
  EXPECT_EQ(seen("XMPPCERT_VERSION"), "") << "no version of ours is installed";

  p.install(write_version());  // v2
  p.install(write_version());  // v3 replaces v2's files
  ASSERT_TRUE(p.rollback());
  p.reload();
  EXPECT_EQ(seen("XMPPCERT_VERSION"), "2");
}

}  // namespace
}  // namespace xmppcert::testing

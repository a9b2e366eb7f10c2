// What a server plugin's reload command is told: the version whose files are in place, also
// after a rollback put the previous files back.
#include <gtest/gtest.h>

#include "engine/fs.h"
#include "engine/store.h"
#include "plugins/servers/common/xmpp_server_plugin.h"
#include "plugins/servers/prosody/prosody_plugin.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

class ReloadEnvironmentTest : public ::testing::Test {
 protected:
  StoredVersion write_version() {
    return StateDirStore(dir / "state")
        .write_version("example.org", {"KEY\n", "CERT\n", "CHAIN\n"});
  }
  // prosody, with a reload that writes its environment to `seen` (the shell only redirects).
  XmppServerPlugin plugin() {
    write_text(dir / "prosody.cfg.lua", "VirtualHost \"example.org\"\n");
    return XmppServerPlugin(
        kProsodyKind,
        {{"config", (dir / "prosody.cfg.lua").string()},
         {"reload", {"/bin/sh", "-c", "/usr/bin/env > " + (dir / "seen").string()}}},
        "test.install");
  }
  std::string seen() { return read_file(dir / "seen"); }
  TempDir dir;
};

TEST_F(ReloadEnvironmentTest, AReloadAfterAnInstallNamesThatVersion) {
  XmppServerPlugin p = plugin();
  p.install(write_version());
  p.reload();
  EXPECT_NE(seen().find("XMPPCERT_NAME=example.org\n"), std::string::npos) << seen();
  EXPECT_NE(seen().find("XMPPCERT_VERSION=1\n"), std::string::npos) << seen();
  EXPECT_NE(seen().find("XMPPCERT_INSTALLED=" + (dir / "certs" / "example.org.key").string()),
            std::string::npos)
      << seen();
}

TEST_F(ReloadEnvironmentTest, AReloadAfterARollbackNamesThePreviousVersionOrNone) {
  XmppServerPlugin p = plugin();
  p.install(write_version());
  ASSERT_TRUE(p.rollback());  // nothing of ours was there before v1
  p.reload();
  EXPECT_EQ(seen().find("XMPPCERT_VERSION="), std::string::npos) << seen();

  p.install(write_version());  // v2
  p.install(write_version());  // v3 replaces v2's files
  ASSERT_TRUE(p.rollback());
  p.reload();
  EXPECT_NE(seen().find("XMPPCERT_VERSION=2\n"), std::string::npos) << seen();
}

}  // namespace
}  // namespace xmppcert::testing

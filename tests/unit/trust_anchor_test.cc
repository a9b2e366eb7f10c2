// "trust_anchor": "foundation": the server gets the root the issuer sent with the version it
// installs, so a root change travels with the certificate (and back, on rollback).
#include <gtest/gtest.h>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/store.h"
#include "plugins/servers/common/xmpp_server_plugin.h"
#include "plugins/servers/ejabberd/ejabberd_plugin.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

struct TrustAnchorTest : ::testing::Test {
  TrustAnchorTest() {
    write_text(dir / "ejabberd.yml", "hosts: [example.org]\n");
  }
  XmppServerPlugin plugin() {
    return XmppServerPlugin(kEjabberdKind,
                            {{"config", (dir / "ejabberd.yml").string()},
                             {"trust_anchor", "foundation"}},
                            "test.install");
  }
  TempDir dir;
  MemoryStore store{dir / "versions"};
};

TEST_F(TrustAnchorTest, FoundationInstallsTheRootStoredWithEachVersion) {
  XmppServerPlugin server = plugin();
  fs::path anchor = dir / "xmppcert" / "xmppcert-trust-anchor.pem";
  StoredVersion v1 = store.write_version("example.org", {"KEY\n", "CERT\n", "CHAIN\n", "ROOT1\n"});
  server.install(v1);
  EXPECT_EQ(read_file(anchor), "ROOT1\n");
  StoredVersion v2 = store.write_version("example.org", {"KEY\n", "CERT\n", "CHAIN\n", "ROOT2\n"});
  server.install(v2);
  EXPECT_EQ(read_file(anchor), "ROOT2\n");
  server.rollback();
  EXPECT_EQ(read_file(anchor), "ROOT1\n");
}

TEST_F(TrustAnchorTest, FoundationWithoutARootInTheVersionFailsSayingWhy) {
  XmppServerPlugin server = plugin();
  StoredVersion v = store.write_version("example.org", {"KEY\n", "CERT\n", "CHAIN\n"});
  std::string error = error_message_of<OperationError>([&] { server.install(v); });
  EXPECT_NE(error.find("root_sha256"), std::string::npos) << error;
  EXPECT_NE(error.find(v.dir.string()), std::string::npos) << error;
}

}  // namespace
}  // namespace xmppcert::testing

// `xmppcert enroll-client` certificates log a user in with SASL EXTERNAL on a real prosody
// (mod_auth_ccert from Debian's prosody-modules: prosody 0.12 has no c2s EXTERNAL of its
// own), and a certificate from another CA does not.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/integration/cli_runner.h"
#include "tests/integration/xmpp_servers.h"
#include "tests/integration/xmpp_test_client.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

bool ccert_available() {
  return ProsodyServer::available() &&
         ::access("/usr/lib/prosody/modules/mod_auth_ccert/mod_auth_ccert.lua", R_OK) == 0;
}

XmppLogin certificate_login(const fs::path& dir, const std::string& jid) {
  return {jid, "", (dir / (jid + ".crt")).string(), (dir / (jid + ".key")).string()};
}

TEST(ClientCertificate, EnrollClientCertificateLogsInWithSaslExternalOnProsody) {
  if (!ccert_available()) GTEST_SKIP() << "prosody or prosody-modules (mod_auth_ccert) missing";
  TempDir dir;
  std::string state = (dir / "state").string();
  std::string root = (dir / "root.pem").string();
  write_text(root, run_xmppcert({"ca", "init", "--state-dir", state}).out);
  fs::permissions(dir.path(), fs::perms(0755));
  ProsodyServer server("a.example.test",
                       "authentication = \"ccert\"\n"
                       "c2s_ssl = { cafile = \"" +
                           root + "\"; verify = { \"peer\"; \"client_once\" } }\n");
  fs::create_directories(dir / "clients");
  ProcessResult enrolled = run_xmppcert({"enroll-client", "alice@a.example.test", "--out",
                                         (dir / "clients").string(), "--state-dir", state});
  ASSERT_EQ(enrolled.exit_code, 0) << enrolled.err;
  // The client reads its own key: as the test, not as the server.
  XmppTestClient alice("127.0.0.1", server.c2s_port(),
                       certificate_login(dir / "clients", "alice@a.example.test"));
  EXPECT_NE(alice.received().find("<jid>alice@a.example.test/test</jid>"), std::string::npos)
      << alice.received();

  // The same JID from another CA is refused.
  std::string other = (dir / "other").string();
  fs::create_directories(dir / "other-clients");
  ASSERT_EQ(run_xmppcert({"enroll-client", "alice@a.example.test", "--out",
                          (dir / "other-clients").string(), "--state-dir", other})
                .exit_code,
            0);
  EXPECT_THROW(XmppTestClient("127.0.0.1", server.c2s_port(),
                              certificate_login(dir / "other-clients", "alice@a.example.test")),
               std::runtime_error)
      << server.log();
}

}  // namespace
}  // namespace xmppcert::testing

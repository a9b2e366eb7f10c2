// Issue 12 #7: a name the daemon's user added to c2s.xml (jabberd2's folder is
// jabber:jabber) was signed into root's certificate automatically. Names from a server config
// anyone but root can write are not signed unless the certificate lists them or its install
// settings say "discovered_names": "allow".
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/errors.h"
#include "engine/log.h"
#include "engine/request.h"
#include "renewal/renewal.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

using Names = std::vector<std::string>;

class DiscoveredNamesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    write_text(dir / "sm.xml", "<sm><local><id>example.org</id></local></sm>");
    write_text(dir / "c2s.xml",
               "<c2s><local><id>example.org</id><id>attacker.example</id></local></c2s>");
    write_text(dir / "s2s.xml", "<s2s><local></local></s2s>");
  }
  CertificateRequest request(const std::string& allow = "") {
    CertificateRequest r;
    r.name = "example.org";
    r.domains = {"example.org"};
    nlohmann::json settings = {{"config", dir.path().string()},
                               {"cert_dir", (dir / "certs").string()}};
    if (!allow.empty()) settings["discovered_names"] = allow;
    r.install = InstallTarget{"jabberd2", settings};
    return r;
  }
  void let_another_user_write_c2s_xml() { ::chmod((dir / "c2s.xml").c_str(), 0666); }
  TempDir dir;
};

TEST_F(DiscoveredNamesTest, NamesFromAConfigOnlyRootCanWriteAreAdded) {
  CertificateRequest r = request();
  add_discovered_names(r, "test");
  EXPECT_EQ(r.domains, (Names{"example.org", "attacker.example"}));
}

TEST_F(DiscoveredNamesTest, NamesFromAConfigAnotherUserCanWriteAreNotSigned) {
  let_another_user_write_c2s_xml();
  CertificateRequest r = request();
  add_discovered_names(r, "test");
  EXPECT_EQ(r.domains, (Names{"example.org"})) << "attacker.example must not be signed";
}

TEST_F(DiscoveredNamesTest, AConfigOwnedByTheDaemonUserIsNotTrustedEither) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give c2s.xml away";
  ASSERT_EQ(::chown((dir / "c2s.xml").c_str(), 65534, 65534), 0);
  CertificateRequest r = request();
  add_discovered_names(r, "test");
  EXPECT_EQ(r.domains, (Names{"example.org"}));
}

// Issue 23 item 6: stock Debian's ejabberd.yml is ejabberd:ejabberd 0600. An ACME (or
// foundation) CA validates every name before it signs, so the names are taken as they are.
TEST_F(DiscoveredNamesTest, NamesFromADaemonOwnedConfigAreSignedWhenTheIssuerValidatesEachName) {
  let_another_user_write_c2s_xml();
  for (const char* issuer : {"acme", "foundation"}) {
    CertificateRequest r = request();
    r.issuer = issuer;
    add_discovered_names(r, "test");
    EXPECT_EQ(r.domains, (Names{"example.org", "attacker.example"})) << issuer;
  }
}

TEST_F(DiscoveredNamesTest, TheRefusalNamesTheUserAndTheFlagThatAcceptsTheNames) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give c2s.xml away";
  ASSERT_EQ(::chown((dir / "c2s.xml").c_str(), 65534, 65534), 0);
  CertificateRequest r = request();
  r.name.clear();
  r.domains.clear();
  try {
    add_discovered_names(r, "test");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("uid 65534 (nobody)"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("--accept-discovered"), std::string::npos) << e.what();
  }
}

TEST_F(DiscoveredNamesTest, AnExplicitAllowSignsThem) {
  let_another_user_write_c2s_xml();
  CertificateRequest r = request("allow");
  add_discovered_names(r, "test");
  EXPECT_EQ(r.domains, (Names{"example.org", "attacker.example"}));
}

TEST_F(DiscoveredNamesTest, NothingLeftToSignIsAUsageErrorNamingTheFileAndTheKey) {
  let_another_user_write_c2s_xml();
  CertificateRequest r = request();
  r.name.clear();
  r.domains.clear();
  try {
    add_discovered_names(r, "test");
    FAIL() << "expected a UsageError";
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("c2s.xml"), std::string::npos) << e.what();
    EXPECT_NE(std::string(e.what()).find("discovered_names"), std::string::npos) << e.what();
  }
}

// Issue 23 item 12: Debian's prosody serves VirtualHost "localhost", which no CA certifies;
// the agent re-reads the config at every change and plans every turn, and said so each time.
TEST_F(DiscoveredNamesTest, ANameThatCannotBeCertifiedIsReportedOncePerProcess) {
  write_text(dir / "c2s.xml", "<c2s><local><id>example.org</id><id>localhost</id></local></c2s>");
  std::string log;
  set_log_sink([&](const std::string& line) { log += line + "\n"; });
  for (int read = 0; read < 3; ++read) {
    CertificateRequest r = request();
    add_discovered_names(r, "test");
    EXPECT_EQ(r.domains, (Names{"example.org"}));
  }
  set_log_sink(nullptr);
  EXPECT_EQ(occurrences(log, "not certifying localhost"), 1u) << log;
}

}  // namespace
}  // namespace xmppcert::testing

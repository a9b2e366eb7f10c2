// xmppcert enrolling from xmppcert-ca, the foundation CA, over ACME with real http-01
// validation: the certificate carries every XMPP identity and clientAuth, which no public
// ACME CA issues.
// Backends: the issuance itself runs on both (Storage/FoundationCaEnrollOn); the
// FoundationCaEnroll tests prove the profile option, the VA's DNS-only resolution, the
// client's root pinning and `init`/`root` on the state dir's files, none of which reads or
// writes the records differently per backend, so they run on SQLite only.
#include <gtest/gtest.h>

#include <filesystem>

#include "engine/fs.h"
#include "tests/ca/ca_fixture.h"
#include "tests/integration/cli_runner.h"
#include "tests/integration/pebble_fixture.h"

namespace xmppcert {
namespace {

using testing::FoundationCa;
using testing::ProcessResult;

std::filesystem::path find_file(const std::filesystem::path& root, const std::string& name) {
  for (const auto& entry : std::filesystem::recursive_directory_iterator(root))
    if (entry.path().filename() == name) return entry.path();
  return {};
}

class FoundationCaEnrollOn : public ::testing::TestWithParam<testing::Backend> {};

TEST_P(FoundationCaEnrollOn, EnrollGetsDnsIdsSrvIdsXmppAddrAndClientAuth) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
    GTEST_SKIP() << missing;
  FoundationCa ca({.backend = GetParam()});
  testing::TempDir state;
  ProcessResult r = testing::run_xmppcert(
      {"enroll", "xmpp.example.test", "--component", "conference", "--state-dir",
       state.path().string(), "--issuer", "foundation", "--acme-directory", ca.directory_url(),
       "--acme-trust", ca.root_file(), "--acme-agree-tos", "--http01-address", "127.0.0.1",
       "--http01-port", std::to_string(ca.http01_port())});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  EXPECT_EQ(r.err.find("dropped requested identities"), std::string::npos) << r.err;
  auto cert = find_file(state.path(), "cert.pem");
  ASSERT_FALSE(cert.empty());
  ProcessResult text = testing::run_process({"openssl", "x509", "-noout", "-text", "-in", cert});
  ASSERT_EQ(text.exit_code, 0) << text.err;
  for (const char* expected :
       {"DNS:xmpp.example.test", "DNS:conference.xmpp.example.test",
        "_xmpp-client.xmpp.example.test", "_xmpp-server.xmpp.example.test",
        "_xmpp-server.conference.xmpp.example.test", "XmppAddr", "TLS Web Server Authentication",
        "TLS Web Client Authentication", "CRL Distribution Points"})
    EXPECT_NE(text.out.find(expected), std::string::npos) << expected << "\n" << text.out;
  // The chain the CA sent verifies up to its root.
  auto chain = find_file(state.path(), "chain.pem");
  ProcessResult verify = testing::run_process(
      {"openssl", "verify", "-CAfile", ca.root_file(), "-untrusted", chain, cert});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
  EXPECT_NE(ca.log().find("audit: issued serial"), std::string::npos) << ca.log();
}

// Issue 23: a federation with ejabberd 23.01 members (it cannot verify a peer certificate
// carrying a domain XmppAddr) sets "xmpp_addr": "omit" in the CA config: every certificate is
// issued without it, the directory's meta says so, and the client reports the XmppAddr as
// dropped (a warning, not a failure).
TEST(FoundationCaEnroll, AFederationThatOmitsXmppAddrGetsCertificatesWithoutItAndSaysSo) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  FoundationCa ca({.config_json = R"({"xmpp_addr": "omit"})"});
  ProcessResult directory = testing::run_process(
      {"curl", "-sS", "--fail", "--cacert", ca.root_file(), ca.directory_url()});
  ASSERT_EQ(directory.exit_code, 0) << directory.err;
  EXPECT_NE(directory.out.find(R"("xmppAddr":"omit")"), std::string::npos) << directory.out;
  testing::TempDir state;
  ProcessResult r = testing::run_xmppcert(
      {"enroll", "xmpp.example.test", "--state-dir", state.path().string(), "--issuer",
       "foundation", "--acme-directory", ca.directory_url(), "--acme-trust", ca.root_file(),
       "--acme-agree-tos", "--http01-address", "127.0.0.1", "--http01-port",
       std::to_string(ca.http01_port())});
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  EXPECT_NE(r.err.find("dropped requested identities: XmppAddr:xmpp.example.test"),
            std::string::npos)
      << r.err;
  ProcessResult text = testing::run_process(
      {"openssl", "x509", "-noout", "-ext", "subjectAltName", "-in",
       find_file(state.path(), "cert.pem").string()});
  EXPECT_NE(text.out.find("DNS:xmpp.example.test"), std::string::npos) << text.out;
  EXPECT_EQ(text.out.find("XmppAddr"), std::string::npos) << text.out;
}

// Issue 23 item 11: on a closed network a name that only /etc/hosts knows fails validation;
// the refusal says that the CA asks DNS only, and where to add the name.
TEST(FoundationCaEnroll, ANameWithoutADnsRecordIsRefusedSayingTheCaReadsNoEtcHosts) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  FoundationCa ca({.bind_records = "known IN A 127.0.0.1\n"});
  testing::TempDir state;
  ProcessResult r = testing::run_xmppcert(
      {"enroll", "unknown.example.test", "--state-dir", state.path().string(), "--issuer",
       "foundation", "--acme-directory", ca.directory_url(), "--acme-trust", ca.root_file(),
       "--acme-agree-tos", "--http01-address", "127.0.0.1", "--http01-port",
       std::to_string(ca.http01_port())});
  EXPECT_NE(r.exit_code, 0);
  EXPECT_NE(r.err.find("no A or AAAA record for unknown.example.test in DNS"), std::string::npos)
      << r.err;
  EXPECT_NE(r.err.find("never reads /etc/hosts"), std::string::npos) << r.err;
}

std::vector<std::string> enroll_args(const FoundationCa& ca, const testing::TempDir& state,
                                     const std::string& pin) {
  return {"enroll",
          "xmpp.example.test",
          "--state-dir",
          state.path().string(),
          "--issuer",
          "foundation",
          "--acme-directory",
          ca.directory_url(),
          "--acme-root-sha256",
          pin,
          "--acme-agree-tos",
          "--http01-address",
          "127.0.0.1",
          "--http01-port",
          std::to_string(ca.http01_port())};
}

INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaEnrollOn,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         [](const auto& info) { return testing::backend_name(info.param); });

// Client side of issue 13: the admin hands out the directory URL and the root's fingerprint;
// xmppcert fetches the root, checks it, trusts only it, and keeps it with each version.
TEST(FoundationCaEnroll, TheRootPinnedBySha256IsFetchedTrustedAndStoredWithTheCertificate) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  FoundationCa ca;
  std::string pin = ca.root_sha256();
  ASSERT_FALSE(pin.empty());

  testing::TempDir wrong_state;
  std::string wrong(pin);
  wrong[0] = wrong[0] == '0' ? '1' : '0';
  ProcessResult refused = testing::run_xmppcert(enroll_args(ca, wrong_state, wrong));
  EXPECT_EQ(refused.exit_code, 1) << refused.err;
  EXPECT_NE(refused.err.find("root_sha256"), std::string::npos) << refused.err;
  EXPECT_TRUE(find_file(wrong_state.path(), "cert.pem").empty());

  testing::TempDir state;
  ProcessResult r = testing::run_xmppcert(enroll_args(ca, state, pin));
  ASSERT_EQ(r.exit_code, 0) << r.err << "\nCA log:\n" << ca.log();
  auto cert = find_file(state.path() / "certs", "cert.pem");
  ASSERT_FALSE(cert.empty());
  EXPECT_EQ(read_file(cert.parent_path() / "root.pem"), read_file(ca.root_file()));
  ProcessResult verify = testing::run_process(
      {"openssl", "verify", "-CAfile", (cert.parent_path() / "root.pem").string(), "-untrusted",
       (cert.parent_path() / "chain.pem").string(), cert});
  EXPECT_EQ(verify.exit_code, 0) << verify.out << verify.err;
}

TEST(FoundationCaEnroll, RootCommandPrintsTheRootAndInitRefusesToOverwrite) {
  if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
  testing::TempDir dir;
  std::string state = (dir / "ca").string();
  ProcessResult missing = testing::run_xmppcert_ca({"root", "--state-dir", state});
  EXPECT_EQ(missing.exit_code, 2);
  ASSERT_EQ(testing::run_xmppcert_ca({"init", "--state-dir", state, "--hostname", "ca.example.test",
                                      "--permitted-domain", "example.test"})
                .exit_code,
            0);
  ProcessResult root = testing::run_xmppcert_ca({"root", "--state-dir", state});
  EXPECT_EQ(root.exit_code, 0);
  EXPECT_NE(root.out.find("BEGIN CERTIFICATE"), std::string::npos);
  ProcessResult again =
      testing::run_xmppcert_ca({"init", "--state-dir", state, "--hostname", "ca.example.test"});
  EXPECT_EQ(again.exit_code, 2);
  EXPECT_NE(again.err.find("already exists"), std::string::npos) << again.err;
  testing::write_text(dir / "root.pem", root.out);
  ProcessResult text = testing::run_process(
      {"openssl", "x509", "-noout", "-text", "-in", (dir / "root.pem").string()});
  EXPECT_NE(text.out.find("Permitted"), std::string::npos) << text.out;
  ProcessResult usage = testing::run_xmppcert_ca({"serve", "--state-dir", state});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("--listen"), std::string::npos) << usage.err;
}

}  // namespace
}  // namespace xmppcert

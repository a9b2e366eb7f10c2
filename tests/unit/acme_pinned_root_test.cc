// The foundation CA's root pinned by "root_sha256": fetched once, kept only when its digest
// matches, never replaced by what a CA (or whoever answers in its place) sends otherwise.
#include <gtest/gtest.h>

#include "engine/certificate.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "plugins/issuers/acme/pinned_root.h"
#include "tests/unit/scripted_http_server.h"
#include "tests/unit/test_certificates.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

using acme::AcmeSettings;

std::string digest_of(const std::string& pem) {
  return hex_encode(sha256_digest(parse_certificate(pem, "test").get()));
}

struct PinnedRootTest : ::testing::Test {
  PinnedRootTest() : cert(issue_test_certificate(dir / "ca", {"example.org"})) {}
  AcmeSettings settings_for(const ScriptedHttpServer& server, const std::string& pin) {
    AcmeSettings s;
    s.directory = server.url("/directory");
    s.root_sha256 = pin;
    return s;
  }
  TempDir dir;
  TestCertificate cert;
};

TEST(PinnedRoot, FingerprintsAreAcceptedWithColonsInEitherCaseAndOtherwiseNamed) {
  std::string hex(64, 'a');
  std::string colons;
  for (size_t i = 0; i < 64; i += 2) colons += (i ? ":" : "") + std::string("AB");
  std::string lower;
  for (int i = 0; i < 32; ++i) lower += "ab";
  EXPECT_EQ(acme::normalized_sha256(colons, "x"), lower);
  EXPECT_EQ(acme::normalized_sha256(hex, "x"), hex);
  std::string short_error = error_message_of<UsageError>(
      [] { acme::normalized_sha256(std::string(63, 'a'), "config.json: acme.root_sha256"); });
  EXPECT_NE(short_error.find("config.json: acme.root_sha256"), std::string::npos) << short_error;
  EXPECT_NE(short_error.find("63 digits"), std::string::npos) << short_error;
  EXPECT_THROW(acme::normalized_sha256(std::string(64, 'g'), "x"), UsageError);
}

TEST(PinnedRoot, TheRootIsFetchedBesideTheDirectoryUnlessARootUrlIsGiven) {
  AcmeSettings s;
  s.directory = "https://ca.example.test:8443/directory";
  EXPECT_EQ(acme::root_url_for(s), "https://ca.example.test:8443/root.pem");
  s.directory = "https://ca.example.test/acme/dir";
  EXPECT_EQ(acme::root_url_for(s), "https://ca.example.test/acme/root.pem");
  s.root_url = "https://pki.example.test/foundation.pem";
  EXPECT_EQ(acme::root_url_for(s), "https://pki.example.test/foundation.pem");
}

TEST_F(PinnedRootTest, AMatchingRootIsKeptAndNotFetchedAgain) {
  ScriptedHttpServer server({{200, {}, cert.chain_pem}});
  AcmeSettings s = settings_for(server, digest_of(cert.chain_pem));
  auto file = acme::ensure_pinned_root(s, dir / "account");
  EXPECT_EQ(read_file(file), cert.chain_pem);
  EXPECT_EQ(server.request_lines(), std::vector<std::string>{"GET /root.pem"});
  EXPECT_EQ(acme::ensure_pinned_root(s, dir / "account"), file);  // the script is empty now
  EXPECT_EQ(server.request_lines().size(), 1u);
}

TEST_F(PinnedRootTest, ARootWithAnotherDigestIsRefusedNamingBothAndNothingIsStored) {
  ScriptedHttpServer server({{200, {}, cert.chain_pem}});
  std::string pin(64, '0');
  std::string error = error_message_of<OperationError>(
      [&] { acme::ensure_pinned_root(settings_for(server, pin), dir / "account"); });
  EXPECT_NE(error.find(digest_of(cert.chain_pem)), std::string::npos) << error;
  EXPECT_NE(error.find(pin), std::string::npos) << error;
  EXPECT_NE(error.find(server.url("/root.pem")), std::string::npos) << error;
  EXPECT_FALSE(std::filesystem::exists(dir / "account" / "root.pem"));
}

TEST_F(PinnedRootTest, ALeafOrSeveralCertificatesAreNoRootEvenWithTheRightDigest) {
  ScriptedHttpServer leaf_server({{200, {}, cert.cert_pem}});
  EXPECT_THROW(acme::ensure_pinned_root(settings_for(leaf_server, digest_of(cert.cert_pem)),
                                        dir / "account"),
               OperationError);
  ScriptedHttpServer two_server({{200, {}, cert.chain_pem + cert.chain_pem}});
  EXPECT_THROW(acme::ensure_pinned_root(settings_for(two_server, digest_of(cert.chain_pem)),
                                        dir / "account"),
               OperationError);
  EXPECT_FALSE(std::filesystem::exists(dir / "account" / "root.pem"));
}

TEST_F(PinnedRootTest, AChangedPinFetchesTheRootAgain) {
  ScriptedHttpServer server({{200, {}, cert.chain_pem}, {200, {}, cert.chain_pem}});
  AcmeSettings s = settings_for(server, digest_of(cert.chain_pem));
  acme::ensure_pinned_root(s, dir / "account");
  s.root_sha256 = std::string(64, '1');
  EXPECT_THROW(acme::ensure_pinned_root(s, dir / "account"), OperationError);
  EXPECT_EQ(server.request_lines().size(), 2u);
  EXPECT_EQ(read_file(dir / "account" / "root.pem"), cert.chain_pem) << "the old root stays";
}

}  // namespace
}  // namespace xmppcert::testing

#include "engine/certificate.h"

#include <gtest/gtest.h>

#include "engine/errors.h"
#include "engine/keys.h"
#include "tests/unit/test_certificates.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

TEST(Certificate, InspectReportsNamesDatesUsesAndFingerprint) {
  TempDir dir;
  auto cert = testing::issue_test_certificate(dir / "ca", {"example.org"});
  CertificateInfo info = inspect_certificate(cert.leaf.get());
  EXPECT_EQ(info.identities, cert.identities);
  EXPECT_TRUE(info.server_auth);
  EXPECT_TRUE(info.client_auth);
  EXPECT_LT(info.not_before, info.not_after);
  EXPECT_FALSE(info.serial_hex.empty());
  EXPECT_EQ(info.sha256_fingerprint, sha256_fingerprint(cert.leaf.get()));
  EXPECT_EQ(info.sha256_fingerprint.size(), 32u * 3 - 1) << "AB:CD:... over 32 bytes";
  EXPECT_EQ(sha256_digest(cert.leaf.get()).size(), 32u);
}

TEST(Certificate, ChainsParseInOrderAndPemRoundTrips) {
  TempDir dir;
  auto cert = testing::issue_test_certificate(dir / "ca", {"example.org"});
  auto chain = parse_certificate_chain(cert.cert_pem + cert.chain_pem, "test");
  ASSERT_EQ(chain.size(), 2u);
  EXPECT_EQ(sha256_fingerprint(chain[0].get()), sha256_fingerprint(cert.leaf.get()));
  EXPECT_EQ(certificate_pem(chain[0].get()), cert.cert_pem);
}

TEST(Certificate, MatchesOnlyItsOwnKey) {
  TempDir dir;
  auto cert = testing::issue_test_certificate(dir / "ca", {"example.org"});
  EXPECT_TRUE(certificate_matches_key(cert.leaf.get(), cert.key.get()));
  PKeyPtr other = generate_private_key(KeyType::kEcP256);
  EXPECT_FALSE(certificate_matches_key(cert.leaf.get(), other.get()));
}

TEST(Certificate, GarbageIsAnOperationErrorNamingTheOrigin) {
  try {
    parse_certificate("not a certificate", "cert.pem of example.org");
    FAIL() << "parsed";
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("cert.pem of example.org"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xmppcert

#include "dane/posh.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "engine/certificate.h"
#include "engine/encoding.h"
#include "tests/unit/test_certificates.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

TEST(Posh, FingerprintIsThePaddedBase64OfTheSha256OfTheDer) {
  TempDir dir;
  auto cert = testing::issue_test_certificate(dir / "ca", {"example.org"});
  std::string fingerprint = certificate_sha256_base64(cert.leaf.get());
  EXPECT_EQ(fingerprint, base64_encode(sha256_digest(cert.leaf.get())));
  EXPECT_EQ(fingerprint.size(), 44u);
  EXPECT_EQ(fingerprint.back(), '=');
}

TEST(Posh, DocumentNamesTheFingerprintAndTheExpiryInSeconds) {
  TempDir dir;
  auto cert = testing::issue_test_certificate(dir / "ca", {"example.org"});
  std::string text = posh_document(cert.leaf.get(), std::chrono::hours(24));
  EXPECT_EQ(text.back(), '\n');
  nlohmann::json document = nlohmann::json::parse(text);
  EXPECT_EQ(document["expires"], 86400);
  ASSERT_EQ(document["fingerprints"].size(), 1u);
  EXPECT_EQ(document["fingerprints"][0]["sha-256"], certificate_sha256_base64(cert.leaf.get()));
}

}  // namespace
}  // namespace xmppcert

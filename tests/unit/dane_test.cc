#include "dane/dane.h"

#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/x509.h>

#include "engine/encoding.h"
#include "tests/unit/test_certificates.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

std::string expected_spki_hex(X509* cert) {
  unsigned char* der = nullptr;
  int length = i2d_PUBKEY(X509_get0_pubkey(cert), &der);
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int digest_length = 0;
  EVP_Digest(der, static_cast<size_t>(length), digest, &digest_length, EVP_sha256(), nullptr);
  OPENSSL_free(der);
  return hex_encode(std::string_view(reinterpret_cast<char*>(digest), digest_length));
}

TEST(Dane, SpkiDigestIsTheSha256OfTheCertificatesPublicKey) {
  TempDir dir;
  auto cert = testing::issue_test_certificate(dir / "ca", {"example.org"});
  std::string hex = spki_sha256_hex(cert.leaf.get());
  EXPECT_EQ(hex.size(), 64u);
  EXPECT_EQ(hex, expected_spki_hex(cert.leaf.get()));
}

TEST(Dane, RecordsAre311ForS2sThenC2s) {
  TempDir dir;
  auto cert = testing::issue_test_certificate(dir / "ca", {"example.org"});
  std::string hex = spki_sha256_hex(cert.leaf.get());
  EXPECT_EQ(tlsa_records("example.org", cert.leaf.get()),
            (std::vector<std::string>{"_5269._tcp.example.org. IN TLSA 3 1 1 " + hex,
                                      "_5222._tcp.example.org. IN TLSA 3 1 1 " + hex}));
}

TEST(Dane, TheRecordNamesTheKeySoItSurvivesAReissueWithTheSameKey) {
  TempDir dir;
  auto a = testing::issue_test_certificate(dir / "ca", {"example.org"});
  auto b = testing::issue_test_certificate(dir / "ca", {"example.org"});
  EXPECT_NE(spki_sha256_hex(a.leaf.get()), spki_sha256_hex(b.leaf.get())) << "new keys differ";
}

}  // namespace
}  // namespace xmppcert

#include "plugins/issuers/local/local_ca.h"

#include <gtest/gtest.h>
#include <openssl/x509_vfy.h>

#include <set>

#include "engine/certificate.h"
#include "engine/csr.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/san.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

struct Issued {
  PKeyPtr key;
  X509Ptr leaf;
  X509Ptr root;
  XmppIdentities ids;
};

Issued issue_from(LocalCa& ca, std::chrono::seconds validity = std::chrono::hours(24 * 90)) {
  Issued out;
  auto domain = parse_domain("example.org");
  out.ids = identities_for({domain}, {resolve_component("conference", domain)});
  out.key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr = build_csr(out.key.get(), out.ids);
  IssuedCertificate issued = ca.issue({"example.org", out.ids, csr.get(), validity});
  out.leaf = parse_certificate(issued.cert_pem, "leaf");
  out.root = parse_certificate(issued.chain_pem, "chain");
  return out;
}

bool verifies(X509* leaf, X509* root, int purpose) {
  X509_STORE* store = X509_STORE_new();
  X509_STORE_add_cert(store, root);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, store, leaf, nullptr);
  X509_STORE_CTX_set_purpose(ctx, purpose);
  bool ok = X509_verify_cert(ctx) == 1;
  X509_STORE_CTX_free(ctx);
  X509_STORE_free(store);
  return ok;
}

TEST(LocalCa, LeafVerifiesAgainstTheRootForServerAndClientUse) {
  TempDir dir;
  LocalCa ca(dir / "ca");
  Issued issued = issue_from(ca);
  EXPECT_TRUE(verifies(issued.leaf.get(), issued.root.get(), X509_PURPOSE_SSL_SERVER));
  EXPECT_TRUE(verifies(issued.leaf.get(), issued.root.get(), X509_PURPOSE_SSL_CLIENT));
  CertificateInfo info = inspect_certificate(issued.leaf.get());
  EXPECT_TRUE(info.server_auth);
  EXPECT_TRUE(info.client_auth);
  EXPECT_TRUE(certificate_matches_key(issued.leaf.get(), issued.key.get()));
}

TEST(LocalCa, LeafCarriesExactlyTheRequestedSans) {
  TempDir dir;
  LocalCa ca(dir / "ca");
  Issued issued = issue_from(ca);
  EXPECT_EQ(identities_in_certificate(issued.leaf.get()), issued.ids);
}

TEST(LocalCa, LeafIsNotACaAndHasKeyIdentifiers) {
  TempDir dir;
  LocalCa ca(dir / "ca");
  Issued issued = issue_from(ca);
  EXPECT_EQ(X509_check_ca(issued.leaf.get()), 0);
  const ASN1_OCTET_STRING* ski = X509_get0_subject_key_id(issued.leaf.get());
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(issued.leaf.get());
  const ASN1_OCTET_STRING* root_ski = X509_get0_subject_key_id(issued.root.get());
  ASSERT_TRUE(ski && aki && root_ski);
  EXPECT_EQ(ASN1_OCTET_STRING_cmp(aki, root_ski), 0);
}

TEST(LocalCa, SerialsAreRandomAndAtLeast120Bits) {
  TempDir dir;
  LocalCa ca(dir / "ca");
  std::set<std::string> serials;
  for (int i = 0; i < 20; ++i) {
    Issued issued = issue_from(ca);
    std::string serial = inspect_certificate(issued.leaf.get()).serial_hex;
    EXPECT_GE(serial.size(), 30u);
    serials.insert(serial);
  }
  EXPECT_EQ(serials.size(), 20u);
}

TEST(LocalCa, ValidityIsTheRequestedOne) {
  TempDir dir;
  LocalCa ca(dir / "ca");
  Issued issued = issue_from(ca, std::chrono::minutes(5));
  CertificateInfo info = inspect_certificate(issued.leaf.get());
  std::time_t now = std::time(nullptr);
  EXPECT_NEAR(static_cast<double>(info.not_after - now), 300, 5);
}

TEST(LocalCa, RootIsAnEcP384CaValidForTenYearsWithAPrivateKey) {
  TempDir dir;
  LocalCa ca(dir / "ca");
  X509Ptr root = parse_certificate(ca.root_pem(), "root");
  EXPECT_EQ(X509_check_ca(root.get()), 1);
  EXPECT_EQ(key_type_of(X509_get0_pubkey(root.get())), KeyType::kEcP384);
  CertificateInfo info = inspect_certificate(root.get());
  EXPECT_GE(info.not_after - info.not_before, 10L * 365 * 86400);
  EXPECT_EQ(testing::file_mode(dir / "ca" / "root.key"), 0600u);
}

TEST(LocalCa, RootIsCreatedOnceAndReusedAcrossInstances) {
  TempDir dir;
  std::string first = LocalCa(dir / "ca").root_pem();
  std::string second = LocalCa(dir / "ca").root_pem();
  EXPECT_EQ(first, second);
}

}  // namespace
}  // namespace xmppcert

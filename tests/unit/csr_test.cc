#include "engine/csr.h"

#include <gtest/gtest.h>
#include <openssl/x509.h>

#include "engine/keys.h"
#include "engine/san.h"

namespace xmppcert {
namespace {

XmppIdentities server_identities() {
  return identities_for({parse_domain("example.org")}, {parse_domain("conference.example.org")});
}

std::string subject_cn(X509_REQ* csr) {
  char cn[256] = {};
  X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(csr), NID_commonName, cn, sizeof cn);
  return cn;
}

TEST(Csr, IsSignedByTheKeyAndNamesTheFirstDnsIdAsCommonName) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr = build_csr(key.get(), server_identities());
  EXPECT_EQ(X509_REQ_verify(csr.get(), key.get()), 1);
  EXPECT_EQ(subject_cn(csr.get()), "example.org");
}

TEST(Csr, PemRoundTripKeepsTheRequest) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr = build_csr(key.get(), server_identities());
  std::string pem = csr_pem(csr.get());
  EXPECT_EQ(pem.rfind("-----BEGIN CERTIFICATE REQUEST-----", 0), 0u);
  X509ReqPtr parsed = parse_csr_pem(pem);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(csr_der(parsed.get()), csr_der(csr.get()));
}

TEST(Csr, AClientCsrCarryingOnlyAnXmppAddrUsesItAsCommonName) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  XmppIdentities client;
  client.xmpp_addrs = {"juliet@example.org"};
  X509ReqPtr csr = build_csr(key.get(), client);
  EXPECT_EQ(subject_cn(csr.get()), "juliet@example.org");
}

TEST(Csr, DerIsNonEmptyBinary) {
  PKeyPtr key = generate_private_key(KeyType::kRsa2048);
  X509ReqPtr csr = build_csr(key.get(), server_identities());
  std::string der = csr_der(csr.get());
  ASSERT_FALSE(der.empty());
  EXPECT_EQ(static_cast<unsigned char>(der[0]), 0x30) << "a DER SEQUENCE";
}

}  // namespace
}  // namespace xmppcert

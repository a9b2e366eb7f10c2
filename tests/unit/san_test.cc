#include "engine/san.h"

#include <gtest/gtest.h>
#include <openssl/objects.h>

#include "engine/csr.h"
#include "engine/keys.h"

namespace xmppcert {
namespace {

XmppIdentities sample_ids() {
  auto domain = parse_domain("bücher.example");
  return identities_for({domain}, {resolve_component("conference", domain)});
}

TEST(SubjectAltNames, RoundTripThroughDerKeepsEveryIdentity) {
  auto ids = sample_ids();
  GeneralNamesPtr names = encode_subject_alt_names(ids);
  unsigned char* der = nullptr;
  int length = i2d_GENERAL_NAMES(names.get(), &der);
  ASSERT_GT(length, 0);
  const unsigned char* cursor = der;
  GeneralNamesPtr parsed(d2i_GENERAL_NAMES(nullptr, &cursor, length));
  OPENSSL_free(der);
  ASSERT_TRUE(parsed);
  EXPECT_EQ(decode_subject_alt_names(parsed.get()), ids);
}

TEST(SubjectAltNames, SrvIdIsIa5StringUnderIdOnDnsSrvAndXmppAddrIsUtf8StringUnderIdOnXmppAddr) {
  GeneralNamesPtr names = encode_subject_alt_names(sample_ids());
  int srv = 0, xmpp = 0;
  for (int i = 0; i < sk_GENERAL_NAME_num(names.get()); ++i) {
    const GENERAL_NAME* name = sk_GENERAL_NAME_value(names.get(), i);
    if (name->type != GEN_OTHERNAME) continue;
    char oid[64];
    OBJ_obj2txt(oid, sizeof oid, name->d.otherName->type_id, 1);
    if (std::string(oid) == "1.3.6.1.5.5.7.8.7") {
      EXPECT_EQ(name->d.otherName->value->type, V_ASN1_IA5STRING);
      ++srv;
    } else if (std::string(oid) == "1.3.6.1.5.5.7.8.5") {
      EXPECT_EQ(name->d.otherName->value->type, V_ASN1_UTF8STRING);
      ++xmpp;
    }
  }
  EXPECT_EQ(srv, 3);
  EXPECT_EQ(xmpp, 2);
}

TEST(SubjectAltNames, OpenSslPrintsTheCsrSansAsDnsSrvNameAndXmppAddr) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr = build_csr(key.get(), sample_ids());
  STACK_OF(X509_EXTENSION)* extensions = X509_REQ_get_extensions(csr.get());
  ASSERT_EQ(sk_X509_EXTENSION_num(extensions), 1);
  BioPtr bio(BIO_new(BIO_s_mem()));
  X509V3_EXT_print(bio.get(), sk_X509_EXTENSION_value(extensions, 0), 0, 0);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  char* data = nullptr;
  long size = BIO_get_mem_data(bio.get(), &data);
  std::string text(data, static_cast<size_t>(size));
  EXPECT_NE(text.find("DNS:xn--bcher-kva.example"), std::string::npos) << text;
  EXPECT_NE(text.find("SRVName::_xmpp-client.xn--bcher-kva.example"), std::string::npos) << text;
  EXPECT_NE(text.find("SRVName::_xmpp-server.conference.xn--bcher-kva.example"), std::string::npos)
      << text;
  EXPECT_NE(text.find("XmppAddr::"), std::string::npos) << text;
}

TEST(Csr, IsSignedByItsKeyAndNamesTheFirstDnsIdAsCommonName) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr = build_csr(key.get(), sample_ids());
  EXPECT_EQ(X509_REQ_verify(csr.get(), key.get()), 1);
  char cn[256];
  X509_NAME_get_text_by_NID(X509_REQ_get_subject_name(csr.get()), NID_commonName, cn, sizeof cn);
  EXPECT_STREQ(cn, "xn--bcher-kva.example");
  X509ReqPtr reparsed = parse_csr_pem(csr_pem(csr.get()));
  EXPECT_EQ(csr_der(reparsed.get()), csr_der(csr.get()));
}

}  // namespace
}  // namespace xmppcert

// The foundation CA's XMPP profile (ca/ra/policy.h): what a CSR may ask for, given the names
// the order validated.
// Backend: none (a pure function of the CSR and the order).
#include "ca/ra/policy.h"

#include <gtest/gtest.h>
#include <openssl/rsa.h>

#include "ca/problem.h"
#include "engine/csr.h"
#include "engine/keys.h"
#include "engine/x509_build.h"

namespace xmppcert::ca {
namespace {

std::string refusal(X509_REQ* csr, const std::vector<std::string>& validated,
                    EVP_PKEY* account_key = nullptr) {
  try {
    approve_csr(csr, validated, account_key);
  } catch (const AcmeProblem& problem) {
    EXPECT_EQ(problem.type(), "badCSR");
    return problem.what();
  }
  return "";
}

TEST(CaPolicy, ApprovesEveryXmppIdentityOfValidatedDomains) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  auto ids =
      identities_for({parse_domain("example.test")}, {parse_domain("conference.example.test")});
  X509ReqPtr csr = build_csr(key.get(), ids);
  EXPECT_EQ(approve_csr(csr.get(), {"example.test", "conference.example.test"}, nullptr), ids);
}

TEST(CaPolicy, RefusesNamesTheOrderDidNotValidateNamingThem) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  auto ids = identities_for({parse_domain("example.test")}, {});
  X509ReqPtr csr = build_csr(key.get(), ids);
  EXPECT_NE(refusal(csr.get(), {"other.test"}).find("example.test"), std::string::npos);

  // DNS-IDs alone (no SRV-ID or XmppAddr that would be refused for the same name): the extra
  // name is refused by the DNS-ID check itself.
  XmppIdentities dns_only;
  dns_only.dns_ids = {"example.test", "evil.test"};
  csr = build_csr(key.get(), dns_only);
  EXPECT_NE(refusal(csr.get(), {"example.test"}).find("DNS:evil.test, not validated"),
            std::string::npos);

  XmppIdentities srv = ids;
  srv.srv_ids.push_back("_xmpp-server.evil.test");
  csr = build_csr(key.get(), srv);
  EXPECT_NE(refusal(csr.get(), {"example.test"}).find("_xmpp-server.evil.test"), std::string::npos);

  XmppIdentities addr = ids;
  addr.xmpp_addrs.push_back("evil.test");
  csr = build_csr(key.get(), addr);
  EXPECT_NE(refusal(csr.get(), {"example.test"}).find("XmppAddr evil.test"), std::string::npos);

  XmppIdentities missing = ids;
  csr = build_csr(key.get(), missing);
  EXPECT_NE(refusal(csr.get(), {"example.test", "second.test"}).find("lacks DNS:second.test"),
            std::string::npos);
}

TEST(CaPolicy, RefusesOtherNameKindsAndTheAccountKey) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr(X509_REQ_new());
  X509_REQ_set_pubkey(csr.get(), key.get());
  STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
  sk_X509_EXTENSION_push(extensions, X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name,
                                                         "DNS:example.test,IP:192.0.2.1"));
  X509_REQ_add_extensions(csr.get(), extensions);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  X509_REQ_sign(csr.get(), key.get(), EVP_sha256());
  EXPECT_NE(refusal(csr.get(), {"example.test"}).find("192.0.2.1"), std::string::npos);

  X509ReqPtr plain = build_csr(key.get(), identities_for({parse_domain("example.test")}, {}));
  EXPECT_NE(refusal(plain.get(), {"example.test"}, key.get()).find("account key"),
            std::string::npos);
}

TEST(CaPolicy, OrderIdentifiersMustBeFullyQualifiedAndPermitted) {
  EXPECT_EQ(check_order_identifier("dns", "XMPP.Example.Test", {}), "xmpp.example.test");
  EXPECT_THROW(check_order_identifier("ip", "192.0.2.1", {}), AcmeProblem);
  EXPECT_THROW(check_order_identifier("dns", "localhost", {}), AcmeProblem);
  EXPECT_THROW(check_order_identifier("dns", "*.example.test", {}), AcmeProblem);
  EXPECT_EQ(check_order_identifier("dns", "a.corp.test", {"corp.test"}), "a.corp.test");
  EXPECT_THROW(check_order_identifier("dns", "a.other.test", {"corp.test"}), AcmeProblem);
  EXPECT_THROW(check_order_identifier("dns", "evilcorp.test", {"corp.test"}), AcmeProblem);
  EXPECT_THROW(check_order_identifier("dns", std::string("a.corp.test\0.evil.test", 22), {}),
               AcmeProblem);
}

TEST(CaPolicy, NamesWithControlCharactersOrInANonCanonicalFormOrTwiceAreRefused) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  auto base = identities_for({parse_domain("csr1.example.org")}, {});
  auto refused_with = [&](const XmppIdentities& ids) {
    X509ReqPtr csr = build_csr(key.get(), ids);
    return refusal(csr.get(), {"csr1.example.org"});
  };
  XmppIdentities nul = base;
  nul.xmpp_addrs = {std::string("csr1.example.org\0.victim.example.net", 37)};
  EXPECT_NE(refused_with(nul).find("control character"), std::string::npos);
  XmppIdentities nul_dns = base;
  nul_dns.dns_ids.push_back(std::string("csr1.example.org\0.victim.example.net", 37));
  EXPECT_NE(refused_with(nul_dns).find("control character"), std::string::npos);
  for (const std::string& variant :
       {std::string("CSR1.example.org"), std::string("csr1.example.org."),
        std::string("csr1.exa\xc2\xadmple.org"), std::string("\xef\xbd\x83sr1.example.org")}) {
    XmppIdentities addr = base;
    addr.xmpp_addrs = {variant};
    EXPECT_NE(refused_with(addr), "") << variant;
    XmppIdentities srv = base;
    srv.srv_ids = {"_xmpp-server." + variant};
    EXPECT_NE(refused_with(srv), "") << variant;
  }
  XmppIdentities upper_dns = base;
  upper_dns.dns_ids = {"CSR1.EXAMPLE.ORG"};
  EXPECT_NE(refused_with(upper_dns), "");
  XmppIdentities twice = base;
  twice.xmpp_addrs.push_back(twice.xmpp_addrs.front());
  EXPECT_NE(refused_with(twice).find("twice"), std::string::npos) << refused_with(twice);
  XmppIdentities many = base;
  for (int i = 0; i < 20000; ++i) many.xmpp_addrs.push_back("csr1.example.org");
  EXPECT_NE(refused_with(many).find("at most 400"), std::string::npos);
  EXPECT_EQ(refused_with(base), "");
}

TEST(CaPolicy, ACsrWithTwoSubjectAltNameExtensionsIsRefused) {
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  X509ReqPtr csr(X509_REQ_new());
  X509_REQ_set_pubkey(csr.get(), key.get());
  STACK_OF(X509_EXTENSION)* extensions = sk_X509_EXTENSION_new_null();
  for (const char* value : {"DNS:example.test", "DNS:other.test"})
    sk_X509_EXTENSION_push(extensions,
                           X509V3_EXT_conf_nid(nullptr, nullptr, NID_subject_alt_name, value));
  X509_REQ_add_extensions(csr.get(), extensions);
  sk_X509_EXTENSION_pop_free(extensions, X509_EXTENSION_free);
  X509_REQ_sign(csr.get(), key.get(), EVP_sha256());
  EXPECT_NE(refusal(csr.get(), {"example.test", "other.test"}).find("more than one"),
            std::string::npos);
}

TEST(CaPolicy, WeakOrUnusualSubscriberKeysAreRefusedWithBadPublicKeyNamingThem) {
  auto ids = identities_for({parse_domain("example.test")}, {});
  auto problem_for = [&](EVP_PKEY* key) -> std::string {
    X509ReqPtr csr = build_csr(key, ids);
    try {
      approve_csr(csr.get(), {"example.test"}, nullptr);
    } catch (const AcmeProblem& problem) {
      EXPECT_EQ(problem.type(), "badPublicKey") << problem.what();
      return problem.what();
    }
    return "";
  };
  for (int bits : {512, 1024}) {
    PKeyPtr weak(EVP_RSA_gen(bits));
    EXPECT_NE(problem_for(weak.get()).find("RSA-" + std::to_string(bits)), std::string::npos);
  }
  EVP_PKEY_CTX* ctx = EVP_PKEY_CTX_new_from_name(nullptr, "RSA", nullptr);
  EVP_PKEY* three = nullptr;
  BIGNUM* e = BN_new();
  BN_set_word(e, 3);
  EVP_PKEY_keygen_init(ctx);
  EVP_PKEY_CTX_set_rsa_keygen_bits(ctx, 2048);
  EVP_PKEY_CTX_set1_rsa_keygen_pubexp(ctx, e);
  EVP_PKEY_keygen(ctx, &three);
  EVP_PKEY_CTX_free(ctx);
  BN_free(e);
  PKeyPtr e3(three);
  EXPECT_NE(problem_for(e3.get()).find("exponent"), std::string::npos);
  PKeyPtr p521(EVP_EC_gen("P-521"));
  EXPECT_NE(problem_for(p521.get()).find("secp521r1"), std::string::npos)
      << problem_for(p521.get());
  for (KeyType good : {KeyType::kEcP256, KeyType::kEcP384, KeyType::kRsa2048, KeyType::kRsa4096}) {
    PKeyPtr key = generate_private_key(good);
    EXPECT_EQ(problem_for(key.get()), "") << key_type_name(good);
  }
}

}  // namespace
}  // namespace xmppcert::ca

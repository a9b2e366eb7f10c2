// The foundation CA's XMPP profile (ca/policy.h): what a CSR may ask for, given the names
// the order validated.
#include "ca/policy.h"

#include <gtest/gtest.h>

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
}

}  // namespace
}  // namespace xmppcert::ca

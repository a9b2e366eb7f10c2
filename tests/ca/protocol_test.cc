// RFC 8555 at the wire, against xmppcert-ca: a hand-driven client (the engine's HTTP client
// and the ACME client's JWS signer) that can also send what a real client never would:
// replayed nonces, forged signatures, unknown accounts, CSRs asking for names the order
// did not validate.
#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/csr.h"
#include "engine/encoding.h"
#include "engine/http.h"
#include "engine/keys.h"
#include "plugins/issuers/acme/challenge_listener.h"
#include "plugins/issuers/acme/jws.h"
#include "tests/ca/ca_fixture.h"
#include "tests/ca/raw_acme_client.h"

namespace xmppcert {
namespace {

using nlohmann::json;
using testing::csr_b64;
using testing::finalized_order;
using testing::FoundationCa;
using testing::Http01Responder;
using testing::problem_type;
using testing::RawAcmeClient;
using testing::validated_order;

class FoundationCaProtocol : public ::testing::Test {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    ca_ = std::make_unique<FoundationCa>(options());
  }
  virtual testing::FoundationCaOptions options() { return {}; }
  std::unique_ptr<FoundationCa> ca_;
};

TEST_F(FoundationCaProtocol, AccountsWithEs256AndRs256KeysAreCreatedAndFoundAgain) {
  for (KeyType type : {KeyType::kEcP256, KeyType::kRsa2048}) {
    RawAcmeClient client(*ca_, type);
    HttpResponse created = client.create_account();
    EXPECT_EQ(created.status, 201) << created.body;
    EXPECT_TRUE(created.header("replay-nonce"));
    HttpResponse again = client.create_account();
    EXPECT_EQ(again.status, 200) << again.body;
    EXPECT_EQ(*again.header("location"), client.kid);
  }
}

TEST_F(FoundationCaProtocol, ReplayedNonceIsRefusedWithBadNonce) {
  RawAcmeClient client(*ca_);
  std::string nonce = client.nonce();
  std::string url = client.endpoint("newAccount");
  EXPECT_EQ(client.send(url, client.signed_body(url, "{}", nonce, true)).status, 201);
  HttpResponse replay = client.send(url, client.signed_body(url, "{}", nonce, true));
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(problem_type(replay), "urn:ietf:params:acme:error:badNonce") << replay.body;
  EXPECT_TRUE(replay.header("replay-nonce")) << "a fresh nonce comes with the error";
}

TEST_F(FoundationCaProtocol, BadSignatureIsRefusedAndNothingIsStored) {
  RawAcmeClient client(*ca_);
  std::string url = client.endpoint("newAccount");
  json jws = json::parse(client.signed_body(url, "{}", client.nonce(), true));
  std::string signature = jws["signature"];
  signature[5] = signature[5] == 'A' ? 'B' : 'A';
  jws["signature"] = signature;
  HttpResponse forged = client.send(url, jws.dump());
  EXPECT_EQ(forged.status, 400);
  EXPECT_EQ(problem_type(forged), "urn:ietf:params:acme:error:malformed") << forged.body;
  HttpResponse lookup = client.post(url, R"({"onlyReturnExisting":true})", true);
  EXPECT_EQ(problem_type(lookup), "urn:ietf:params:acme:error:accountDoesNotExist") << lookup.body;
}

TEST_F(FoundationCaProtocol, UnknownAccountIsRefusedWithAccountDoesNotExist) {
  RawAcmeClient client(*ca_);
  client.kid = "https://127.0.0.1:" + std::to_string(ca_->port()) + "/acme/acct/4242";
  HttpResponse r = client.post(client.endpoint("newOrder"),
                               R"({"identifiers":[{"type":"dns","value":"x.example.test"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(problem_type(r), "urn:ietf:params:acme:error:accountDoesNotExist") << r.body;
}

TEST_F(FoundationCaProtocol, CsrWithANameTheOrderDidNotValidateIsRefusedWithBadCsr) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  json order = validated_order(client, *ca_, "a.example.test");
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  auto ids = identities_for({parse_domain("a.example.test")}, {});

  XmppIdentities extra_dns = ids;
  extra_dns.dns_ids.push_back("b.example.test");
  HttpResponse r =
      client.post(order["finalize"], json{{"csr", csr_b64(key.get(), extra_dns)}}.dump());
  EXPECT_EQ(problem_type(r), "urn:ietf:params:acme:error:badCSR") << r.body;
  EXPECT_NE(r.body.find("b.example.test"), std::string::npos) << r.body;

  XmppIdentities extra_srv = ids;
  extra_srv.srv_ids.push_back("_xmpp-server.b.example.test");
  r = client.post(order["finalize"], json{{"csr", csr_b64(key.get(), extra_srv)}}.dump());
  EXPECT_EQ(problem_type(r), "urn:ietf:params:acme:error:badCSR") << r.body;
  EXPECT_NE(r.body.find("_xmpp-server.b.example.test"), std::string::npos) << r.body;

  r = client.post(order["finalize"], json{{"csr", csr_b64(client.key(), ids)}}.dump());
  EXPECT_EQ(problem_type(r), "urn:ietf:params:acme:error:badCSR") << r.body;
  EXPECT_NE(r.body.find("account key"), std::string::npos) << r.body;

  // Refusals stored nothing: the order is still ready, and the right CSR is issued.
  EXPECT_EQ(client.get_json(order["url"])["status"], "ready");
  json done = client.post_json(order["finalize"], {{"csr", csr_b64(key.get(), ids)}});
  ASSERT_EQ(done["status"], "valid") << done.dump();
  HttpResponse pem = client.post(done["certificate"], "");
  EXPECT_EQ(pem.header("content-type"), "application/pem-certificate-chain");
  auto chain = parse_certificate_chain(pem.body, "download");
  ASSERT_EQ(chain.size(), 2u);
  CertificateInfo info = inspect_certificate(chain[0].get());
  EXPECT_EQ(info.identities, ids);
  EXPECT_TRUE(info.server_auth);
  EXPECT_TRUE(info.client_auth);
  EXPECT_NEAR(static_cast<double>(info.not_after - info.not_before), 90.0 * 86400, 120);
}

TEST_F(FoundationCaProtocol, WrongKeyAuthorizationInvalidatesTheAuthorization) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  json order =
      client.post_json(client.endpoint("newOrder"),
                       {{"identifiers", {{{"type", "dns"}, {"value", "w.example.test"}}}}});
  std::string authz_url = order["authorizations"][0];
  json authz = client.get_json(authz_url);
  Http01Responder responder(ca_->http01_port(), "not-the-key-authorization");
  for (const auto& c : authz["challenges"])
    if (c["type"] == "http-01") client.post_json(c["url"], json::object());
  for (int i = 0; i < 100 && authz["status"] == "pending"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    authz = client.get_json(authz_url);
  }
  EXPECT_EQ(authz["status"], "invalid");
  std::string error_type;
  for (const auto& c : authz["challenges"])
    if (c["type"] == "http-01") error_type = c["error"]["type"];
  EXPECT_EQ(error_type, "urn:ietf:params:acme:error:incorrectResponse") << authz.dump();
  json refused = client.get_json(order["finalize"].get<std::string>().substr(
      0, order["finalize"].get<std::string>().rfind('/')));
  EXPECT_EQ(refused["status"], "invalid");
}

TEST_F(FoundationCaProtocol, KeyChangeMovesTheAccountToTheNewKey) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  PKeyPtr new_key = generate_private_key(KeyType::kEcP256);
  std::string url = client.endpoint("keyChange");
  std::string inner = acme::sign_key_change(
      new_key.get(), url,
      json{{"account", client.kid}, {"oldKey", acme::public_jwk(client.key())}}.dump());
  HttpResponse changed = client.post(url, inner);
  EXPECT_EQ(changed.status, 200) << changed.body;
  std::string kid = client.kid;
  client.set_key(std::move(new_key));
  HttpResponse found =
      client.post(client.endpoint("newAccount"), R"({"onlyReturnExisting":true})", true);
  EXPECT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(*found.header("location"), kid);
}

TEST_F(FoundationCaProtocol, DeactivatedAccountIsRefused) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  json account = client.post_json(client.kid, {{"status", "deactivated"}});
  EXPECT_EQ(account["status"], "deactivated");
  HttpResponse r = client.post(client.endpoint("newOrder"),
                               R"({"identifiers":[{"type":"dns","value":"d.example.test"}]})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(problem_type(r), "urn:ietf:params:acme:error:unauthorized") << r.body;
}

TEST_F(FoundationCaProtocol, RenewalInfoWindowMovesEarlierWhenTheOperatorSaysRenewNow) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  json done = finalized_order(client, *ca_, "ari.example.test");
  ASSERT_EQ(done["status"], "valid") << done.dump();
  auto chain = parse_certificate_chain(client.post(done["certificate"], "").body, "download");
  X509* leaf = chain[0].get();
  const ASN1_OCTET_STRING* aki = X509_get0_authority_key_id(leaf);
  const ASN1_INTEGER* serial = X509_get0_serialNumber(leaf);
  std::string id =
      base64url_encode(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(aki)),
                                   ASN1_STRING_length(aki))) +
      "." +
      base64url_encode(std::string(reinterpret_cast<const char*>(ASN1_STRING_get0_data(serial)),
                                   ASN1_STRING_length(serial)));
  std::string ari_url = client.endpoint("renewalInfo") + "/" + id;
  HttpResponse before = client.get(ari_url);
  ASSERT_EQ(before.status, 200) << before.body;
  EXPECT_TRUE(before.header("retry-after"));
  std::time_t start =
      parse_utc(json::parse(before.body)["suggestedWindow"]["start"].get<std::string>());
  EXPECT_GT(start, std::time(nullptr) + 50 * 86400) << before.body;

  auto moved =
      testing::run_xmppcert_ca({"renew-now", "--state-dir", ca_->state_dir(), "--within", "1h"});
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  HttpResponse after = client.get(ari_url);
  std::time_t end = parse_utc(json::parse(after.body)["suggestedWindow"]["end"].get<std::string>());
  EXPECT_LE(end, std::time(nullptr) + 3600) << after.body;
}

class FoundationCaLimits : public FoundationCaProtocol {
 protected:
  testing::FoundationCaOptions options() override {
    testing::FoundationCaOptions o;
    o.config_json = R"({"rate_limits": {"certificates_per_account_per_hour": 1},
                        "eab": {"required": true, "keys": {"kid-1": "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE"}}})";
    o.bind_records = "caa IN CAA 0 issue \"other-ca.example\"\n* IN A 127.0.0.1\n";
    return o;
  }
  HttpResponse create_bound_account(RawAcmeClient& client, const std::string& hmac) {
    std::string url = client.endpoint("newAccount");
    json payload{{"termsOfServiceAgreed", true},
                 {"externalAccountBinding",
                  acme::external_account_binding(client.key(), "kid-1", hmac, url)}};
    HttpResponse r = client.post(url, payload.dump(), true);
    if (auto location = r.header("location")) client.kid = *location;
    return r;
  }
};

TEST_F(FoundationCaLimits, ExternalAccountBindingIsRequiredAndAWrongMacStoresNothing) {
  RawAcmeClient client(*ca_);
  HttpResponse unbound = client.create_account();
  EXPECT_EQ(problem_type(unbound), "urn:ietf:params:acme:error:externalAccountRequired")
      << unbound.body;
  HttpResponse wrong = create_bound_account(client, "d3Jvbmcta2V5");
  EXPECT_EQ(wrong.status, 401);
  EXPECT_EQ(problem_type(wrong), "urn:ietf:params:acme:error:unauthorized") << wrong.body;
  HttpResponse lookup =
      client.post(client.endpoint("newAccount"), R"({"onlyReturnExisting":true})", true);
  EXPECT_EQ(problem_type(lookup), "urn:ietf:params:acme:error:accountDoesNotExist");
  HttpResponse right = create_bound_account(client, "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE");
  EXPECT_EQ(right.status, 201) << right.body;
}

TEST_F(FoundationCaLimits, SecondCertificateWithinTheHourIsRateLimitedWithRetryAfter) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(create_bound_account(client, "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE").status,
            201);
  json done = finalized_order(client, *ca_, "limit.example.test");
  ASSERT_EQ(done["status"], "valid") << done.dump();
  HttpResponse limited =
      client.post(client.endpoint("newOrder"),
                  R"({"identifiers":[{"type":"dns","value":"limit.example.test"}]})");
  EXPECT_EQ(limited.status, 429);
  EXPECT_EQ(problem_type(limited), "urn:ietf:params:acme:error:rateLimited") << limited.body;
  EXPECT_TRUE(limited.header("retry-after"));
}

TEST_F(FoundationCaLimits, OrdersOpenedBeforeTheFirstCertificateCannotExceedTheLimit) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(create_bound_account(client, "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE").status,
            201);
  json first = validated_order(client, *ca_, "first.example.test");
  json second = validated_order(client, *ca_, "second.example.test");
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  auto finalize = [&](const json& order, const std::string& domain) {
    return client.post(
        order["finalize"],
        json{{"csr", csr_b64(key.get(), identities_for({parse_domain(domain)}, {}))}}.dump());
  };
  EXPECT_EQ(finalize(first, "first.example.test").status, 200);
  HttpResponse over = finalize(second, "second.example.test");
  EXPECT_EQ(over.status, 429) << over.body;
  EXPECT_EQ(problem_type(over), "urn:ietf:params:acme:error:rateLimited") << over.body;
}

TEST_F(FoundationCaLimits, CaaNamingAnotherCaForbidsValidation) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(create_bound_account(client, "c2VjcmV0LWtleS1vZi10aGlydHktdHdvLWJ5dGVzISE").status,
            201);
  json order =
      client.post_json(client.endpoint("newOrder"),
                       {{"identifiers", {{{"type", "dns"}, {"value", "caa.example.test"}}}}});
  std::string authz_url = order["authorizations"][0];
  json authz = client.get_json(authz_url);
  for (const auto& c : authz["challenges"])
    if (c["type"] == "http-01") client.post_json(c["url"], json::object());
  for (int i = 0; i < 100 && authz["status"] == "pending"; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    authz = client.get_json(authz_url);
  }
  EXPECT_EQ(authz["status"], "invalid");
  EXPECT_NE(authz.dump().find("urn:ietf:params:acme:error:caa"), std::string::npos) << authz.dump();
}

}  // namespace
}  // namespace xmppcert

// RFC 8555 at the wire, against xmppcert-ca: a hand-driven client (the engine's HTTP client
// and the ACME client's JWS signer) that can also send what a real client never would:
// replayed nonces, forged signatures, unknown accounts, CSRs asking for names the order
// did not validate.
#include <gtest/gtest.h>
#include <openssl/ecdsa.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/csr.h"
#include "engine/encoding.h"
#include "engine/http.h"
#include "engine/keys.h"
#include "jose/jws.h"
#include "plugins/issuers/acme/challenge_listener.h"
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
using testing::plus_config;

// Every protocol test runs on both storage backends (SQLite, PostgreSQL).
class FoundationCaProtocol : public ::testing::TestWithParam<testing::Backend> {
 protected:
  void SetUp() override {
    if (!FoundationCa::available()) GTEST_SKIP() << "xmppcert-ca or bind9 missing";
    if (auto missing = testing::backend_missing(GetParam()); !missing.empty())
      GTEST_SKIP() << missing;
    testing::FoundationCaOptions o = options();
    o.backend = GetParam();
    ca_ = std::make_unique<FoundationCa>(o);
  }
  virtual testing::FoundationCaOptions options() { return {}; }
  std::unique_ptr<FoundationCa> ca_;
};

TEST_P(FoundationCaProtocol, AccountsWithEs256AndRs256KeysAreCreatedAndFoundAgain) {
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

TEST_P(FoundationCaProtocol, ReplayedNonceIsRefusedWithBadNonce) {
  RawAcmeClient client(*ca_);
  std::string nonce = client.nonce();
  std::string url = client.endpoint("newAccount");
  EXPECT_EQ(client.send(url, client.signed_body(url, "{}", nonce, true)).status, 201);
  HttpResponse replay = client.send(url, client.signed_body(url, "{}", nonce, true));
  EXPECT_EQ(replay.status, 400);
  EXPECT_EQ(problem_type(replay), "urn:ietf:params:acme:error:badNonce") << replay.body;
  EXPECT_TRUE(replay.header("replay-nonce")) << "a fresh nonce comes with the error";
}

TEST_P(FoundationCaProtocol, BadSignatureIsRefusedAndNothingIsStored) {
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

// A flattened JWS whose protected header names `alg` but whose signature is `key`'s own
// (RS256 for RSA, ES256 for EC) over that header: what a client lying about its algorithm
// sends. jose::sign_jws always names the key's real algorithm, so it cannot make one.
std::string signed_with_alg(EVP_PKEY* key, const std::string& alg, const std::string& nonce,
                            const std::string& url, const std::string& payload) {
  json header{{"alg", alg}, {"jwk", jose::public_jwk(key)}, {"nonce", nonce}, {"url", url}};
  std::string protected_b64 = base64url_encode(header.dump());
  std::string payload_b64 = base64url_encode(payload);
  std::string input = protected_b64 + "." + payload_b64;
  EVP_MD_CTX* ctx = EVP_MD_CTX_new();
  size_t size = 0;
  const auto* bytes = reinterpret_cast<const unsigned char*>(input.data());
  EXPECT_EQ(EVP_DigestSignInit(ctx, nullptr, EVP_sha256(), nullptr, key), 1);
  EXPECT_EQ(EVP_DigestSign(ctx, nullptr, &size, bytes, input.size()), 1);
  std::string signature(size, '\0');
  EXPECT_EQ(EVP_DigestSign(ctx, reinterpret_cast<unsigned char*>(signature.data()), &size, bytes,
                           input.size()),
            1);
  EVP_MD_CTX_free(ctx);
  signature.resize(size);
  if (EVP_PKEY_is_a(key, "EC")) {  // JWS wants r || s, not DER
    const auto* der = reinterpret_cast<const unsigned char*>(signature.data());
    ECDSA_SIG* sig = d2i_ECDSA_SIG(nullptr, &der, static_cast<long>(signature.size()));
    signature.assign(64, '\0');
    auto* raw = reinterpret_cast<unsigned char*>(signature.data());
    BN_bn2binpad(ECDSA_SIG_get0_r(sig), raw, 32);
    BN_bn2binpad(ECDSA_SIG_get0_s(sig), raw + 32, 32);
    ECDSA_SIG_free(sig);
  }
  if (alg == "none") signature.clear();  // the classic: no signature at all
  return json{{"protected", protected_b64},
              {"payload", payload_b64},
              {"signature", base64url_encode(signature)}}
      .dump();
}

// Only ES256 with an EC key and RS256 with an RSA key are accepted (RFC 8555 6.2): "none",
// an HMAC or another RSA digest named in the header, or an EC key labelled RS256, is
// badSignatureAlgorithm, even though each signature is the key's own and valid, and no
// account is created.
TEST_P(FoundationCaProtocol, AnAlgOtherThanTheKeysOwnIsRefusedWithBadSignatureAlgorithm) {
  struct Case {
    KeyType key;
    const char* alg;
  };
  for (Case c : {Case{KeyType::kRsa2048, "none"}, Case{KeyType::kRsa2048, "HS256"},
                 Case{KeyType::kRsa2048, "RS384"}, Case{KeyType::kEcP256, "none"},
                 Case{KeyType::kEcP256, "RS256"}}) {
    SCOPED_TRACE(std::string(c.alg) +
                 (c.key == KeyType::kEcP256 ? " with an EC key" : " with RSA"));
    RawAcmeClient client(*ca_, c.key);
    std::string url = client.endpoint("newAccount");
    HttpResponse refused =
        client.send(url, signed_with_alg(client.key(), c.alg, client.nonce(), url,
                                         R"({"termsOfServiceAgreed":true})"));
    EXPECT_EQ(refused.status, 400) << refused.body;
    EXPECT_EQ(problem_type(refused), "urn:ietf:params:acme:error:badSignatureAlgorithm")
        << refused.body;
    HttpResponse lookup = client.post(url, R"({"onlyReturnExisting":true})", true);
    EXPECT_EQ(problem_type(lookup), "urn:ietf:params:acme:error:accountDoesNotExist")
        << lookup.body;
    // The same key and signer with the key's own alg: the refusal above was for the alg only.
    std::string own = c.key == KeyType::kEcP256 ? "ES256" : "RS256";
    HttpResponse accepted = client.send(url, signed_with_alg(client.key(), own, client.nonce(), url,
                                                             R"({"termsOfServiceAgreed":true})"));
    EXPECT_EQ(accepted.status, 201) << accepted.body;
  }
}

TEST_P(FoundationCaProtocol, UnknownAccountIsRefusedWithAccountDoesNotExist) {
  RawAcmeClient client(*ca_);
  client.kid = "https://127.0.0.1:" + std::to_string(ca_->port()) + "/acme/acct/4242";
  HttpResponse r = client.post(client.endpoint("newOrder"),
                               R"({"identifiers":[{"type":"dns","value":"x.example.test"}]})");
  EXPECT_EQ(r.status, 400);
  EXPECT_EQ(problem_type(r), "urn:ietf:params:acme:error:accountDoesNotExist") << r.body;
}

TEST_P(FoundationCaProtocol, CsrWithANameTheOrderDidNotValidateIsRefusedWithBadCsr) {
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

TEST_P(FoundationCaProtocol, WrongKeyAuthorizationInvalidatesTheAuthorization) {
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
  testing::eventually([&] { return (authz = client.get_json(authz_url))["status"] != "pending"; },
                      std::chrono::seconds(10));
  EXPECT_EQ(authz["status"], "invalid");
  std::string error_type;
  for (const auto& c : authz["challenges"])
    if (c["type"] == "http-01") error_type = c["error"]["type"];
  EXPECT_EQ(error_type, "urn:ietf:params:acme:error:incorrectResponse") << authz.dump();
  json refused = client.get_json(order["finalize"].get<std::string>().substr(
      0, order["finalize"].get<std::string>().rfind('/')));
  EXPECT_EQ(refused["status"], "invalid");
}

// Posts the http-01 challenge of a new order for `domain`, served by a responder that answers
// after `delay`; returns the challenge response.
HttpResponse answer_http01(RawAcmeClient& client, const FoundationCa& ca, const std::string& domain,
                           std::chrono::milliseconds delay) {
  json order = client.post_json(client.endpoint("newOrder"),
                                {{"identifiers", {{{"type", "dns"}, {"value", domain}}}}});
  json authz = client.get_json(order["authorizations"][0]);
  json challenge;
  for (const auto& c : authz["challenges"])
    if (c["type"] == "http-01") challenge = c;
  Http01Responder responder(
      ca.http01_port(),
      challenge["token"].get<std::string>() + "." + jose::jwk_thumbprint(client.key()), delay);
  return client.post(challenge["url"], "{}");
}

TEST_P(FoundationCaProtocol, FastValidationIsAnsweredWithItsOutcomeAndNoRetryAfter) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  HttpResponse r = answer_http01(client, *ca_, "fast.example.test", std::chrono::milliseconds(0));
  EXPECT_EQ(json::parse(r.body)["status"], "valid") << r.body << "\n" << ca_->log();
  EXPECT_FALSE(r.header("retry-after")) << "a client must not wait once validation is done";
}

TEST_P(FoundationCaProtocol, SlowValidationIsAnsweredProcessingWithRetryAfter) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  HttpResponse r =
      answer_http01(client, *ca_, "slow.example.test", std::chrono::milliseconds(1500));
  EXPECT_EQ(json::parse(r.body)["status"], "processing") << r.body;
  EXPECT_EQ(r.header("retry-after").value_or(""), "1");
}

TEST_P(FoundationCaProtocol, KeyChangeMovesTheAccountToTheNewKey) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  PKeyPtr new_key = generate_private_key(KeyType::kEcP256);
  std::string url = client.endpoint("keyChange");
  std::string inner = jose::sign_key_change(
      new_key.get(), url,
      json{{"account", client.kid}, {"oldKey", jose::public_jwk(client.key())}}.dump());
  HttpResponse changed = client.post(url, inner);
  EXPECT_EQ(changed.status, 200) << changed.body;
  std::string kid = client.kid;
  client.set_key(std::move(new_key));
  HttpResponse found =
      client.post(client.endpoint("newAccount"), R"({"onlyReturnExisting":true})", true);
  EXPECT_EQ(found.status, 200) << found.body;
  EXPECT_EQ(*found.header("location"), kid);
}

TEST_P(FoundationCaProtocol, DeactivatedAccountIsRefused) {
  RawAcmeClient client(*ca_);
  ASSERT_EQ(client.create_account().status, 201);
  json account = client.post_json(client.kid, {{"status", "deactivated"}});
  EXPECT_EQ(account["status"], "deactivated");
  HttpResponse r = client.post(client.endpoint("newOrder"),
                               R"({"identifiers":[{"type":"dns","value":"d.example.test"}]})");
  EXPECT_EQ(r.status, 401);
  EXPECT_EQ(problem_type(r), "urn:ietf:params:acme:error:unauthorized") << r.body;
}

TEST_P(FoundationCaProtocol, RenewalInfoWindowMovesEarlierWhenTheOperatorSaysRenewNow) {
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

  auto moved = testing::run_xmppcert_ca(
      plus_config({"renew-now", "--state-dir", ca_->state_dir(), "--within", "1h"}, *ca_));
  ASSERT_EQ(moved.exit_code, 0) << moved.err;
  EXPECT_NE(moved.out.find("moved 1 certificate "), std::string::npos) << moved.out;
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
                  jose::external_account_binding(client.key(), "kid-1", hmac, url)}};
    HttpResponse r = client.post(url, payload.dump(), true);
    if (auto location = r.header("location")) client.kid = *location;
    return r;
  }
};

TEST_P(FoundationCaLimits, ExternalAccountBindingIsRequiredAndAWrongMacStoresNothing) {
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

TEST_P(FoundationCaLimits, SecondCertificateWithinTheHourIsRateLimitedWithRetryAfter) {
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

TEST_P(FoundationCaLimits, OrdersOpenedBeforeTheFirstCertificateCannotExceedTheLimit) {
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

TEST_P(FoundationCaLimits, CaaNamingAnotherCaForbidsValidation) {
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
  testing::eventually([&] { return (authz = client.get_json(authz_url))["status"] != "pending"; },
                      std::chrono::seconds(10));
  EXPECT_EQ(authz["status"], "invalid");
  EXPECT_NE(authz.dump().find("urn:ietf:params:acme:error:caa"), std::string::npos) << authz.dump();
}

std::string backend_test_name(const ::testing::TestParamInfo<testing::Backend>& info) {
  return testing::backend_name(info.param);
}

INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaProtocol,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         backend_test_name);
INSTANTIATE_TEST_SUITE_P(Storage, FoundationCaLimits,
                         ::testing::Values(testing::Backend::kSqlite, testing::Backend::kPostgres),
                         backend_test_name);

}  // namespace
}  // namespace xmppcert

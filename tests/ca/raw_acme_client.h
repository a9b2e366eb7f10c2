// A hand-driven ACME client for the CA's tests (the engine's HTTP client and the ACME client's
// JWS signer) that can also send what a real client never would, and the steps most tests
// share: an http-01 responder, a validated order, a finalized one.
#pragma once

#include <gtest/gtest.h>
#include <sys/socket.h>

#include <chrono>
#include <thread>

#include "engine/certificate.h"
#include "engine/csr.h"
#include "engine/encoding.h"
#include "engine/http.h"
#include "engine/keys.h"
#include "jose/jws.h"
#include "plugins/issuers/acme/challenge_listener.h"
#include "tests/ca/ca_fixture.h"

namespace xmppcert::testing {

using nlohmann::json;

class RawAcmeClient {
 public:
  explicit RawAcmeClient(const FoundationCa& ca, KeyType key_type = KeyType::kEcP256)
      : http_(HttpOptions{ca.root_file()}), key_(generate_private_key(key_type)) {
    directory_ = json::parse(http_.get(ca.directory_url()).body);
  }
  std::string endpoint(const char* name) const { return directory_[name]; }
  std::string nonce() { return *http_.head(endpoint("newNonce")).header("replay-nonce"); }
  EVP_PKEY* key() { return key_.get(); }
  void set_key(PKeyPtr key) { key_ = std::move(key); }
  HttpResponse get(const std::string& url) { return http_.get(url); }

  std::string signed_body(const std::string& url, const std::string& payload,
                          const std::string& nonce, bool with_jwk = false) {
    return jose::sign_jws(key_.get(), with_jwk ? std::nullopt : std::optional(kid), nonce, url,
                          payload);
  }
  HttpResponse send(const std::string& url, const std::string& body) {
    return http_.post(url, body, "application/jose+json");
  }
  HttpResponse post(const std::string& url, const std::string& payload, bool with_jwk = false) {
    return send(url, signed_body(url, payload, nonce(), with_jwk));
  }
  json post_json(const std::string& url, const json& payload) {
    return json::parse(post(url, payload.dump()).body);
  }
  json get_json(const std::string& url) { return json::parse(post(url, "").body); }

  HttpResponse create_account() {
    HttpResponse r = post(endpoint("newAccount"), R"({"termsOfServiceAgreed":true})", true);
    if (auto location = r.header("location")) kid = *location;
    return r;
  }

  std::string kid;

 private:
  CurlHttpClient http_;
  json directory_;
  PKeyPtr key_;
};

// An operator command's argv with the CA's --config, so that it finds the CA's storage.
inline std::vector<std::string> plus_config(std::vector<std::string> args, const FoundationCa& ca) {
  for (const auto& arg : ca.config_args()) args.push_back(arg);
  return args;
}

inline std::string problem_type(const HttpResponse& r) {
  json doc = json::parse(r.body, nullptr, false);
  return doc.is_object() ? doc.value("type", "") : "";
}

// Serves one key authorization for http-01 on the CA's validation port.
class Http01Responder {
 public:
  Http01Responder(int port, std::string key_authorization,
                  std::chrono::milliseconds delay = std::chrono::milliseconds(0))
      : body_(std::move(key_authorization)),
        listener_("http-01", "127.0.0.1", port, [this, delay](int client) {
          char buffer[2048];
          (void)::recv(client, buffer, sizeof buffer, 0);
          std::this_thread::sleep_for(delay);  // a slow web server, not a wait for a condition
          std::string response =
              "HTTP/1.1 200 OK\r\nContent-Length: " + std::to_string(body_.size()) +
              "\r\nConnection: close\r\n\r\n" + body_;
          (void)::send(client, response.data(), response.size(), MSG_NOSIGNAL);
        }) {}

 private:
  std::string body_;
  acme::ChallengeListener listener_;
};

// Orders `domain`, answers http-01 and waits for the authorization to be valid; returns
// the order.
inline json validated_order(RawAcmeClient& client, const FoundationCa& ca,
                            const std::string& domain) {
  json order = client.post_json(client.endpoint("newOrder"),
                                {{"identifiers", {{{"type", "dns"}, {"value", domain}}}}});
  std::string authz_url = order["authorizations"][0];
  json authz = client.get_json(authz_url);
  json challenge;
  for (const auto& c : authz["challenges"])
    if (c["type"] == "http-01") challenge = c;
  std::string key_authorization =
      challenge["token"].get<std::string>() + "." + jose::jwk_thumbprint(client.key());
  Http01Responder responder(ca.http01_port(), key_authorization);
  client.post_json(challenge["url"], json::object());
  eventually([&] { return (authz = client.get_json(authz_url))["status"] != "pending"; },
             std::chrono::seconds(10));
  EXPECT_EQ(authz["status"], "valid") << authz.dump() << "\n" << ca.log();
  order["url"] = order["finalize"].get<std::string>().substr(
      0, order["finalize"].get<std::string>().size() - std::string("/finalize").size());
  return order;
}

inline std::string csr_b64(EVP_PKEY* key, const XmppIdentities& ids) {
  X509ReqPtr csr = build_csr(key, ids);
  return base64url_encode(csr_der(csr.get()));
}

// A validated order for `domain` finalized with a CSR for it: the finalize reply (its status is
// checked by the caller).
inline json finalized_order(RawAcmeClient& client, const FoundationCa& ca,
                            const std::string& domain) {
  json order = validated_order(client, ca, domain);
  PKeyPtr key = generate_private_key(KeyType::kEcP256);
  return client.post_json(
      order["finalize"], {{"csr", csr_b64(key.get(), identities_for({parse_domain(domain)}, {}))}});
}

}  // namespace xmppcert::testing

// The signed transport core every ACME resource goes through (RFC 8555 §6): the directory,
// a nonce pool refilled from Replay-Nonce headers, JWS-signed POSTs and POST-as-GET, problem
// documents turned into typed errors, and bounded retries: badNonce is retried with the
// fresh nonce the error carries, 5xx and connection failures with backoff, rateLimited when
// its Retry-After is short.
#pragma once

#include <chrono>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "engine/clock_interface.h"
#include "engine/errors.h"
#include "engine/http.h"
#include "engine/openssl_ptr.h"

namespace xmppcert::acme {

// An RFC 8555 problem document ("urn:ietf:params:acme:error:badNonce" ...).
class ProblemError : public OperationError {
 public:
  ProblemError(const std::string& message, std::string type)
      : OperationError(message), type_(std::move(type)) {}
  // The part after "urn:ietf:params:acme:error:", e.g. "badNonce", "rateLimited".
  const std::string& type() const { return type_; }

 private:
  std::string type_;
};

class Transport {
 public:
  // Every pause (polls, retries, rate-limit waits) is `clock`'s sleep_for: a test's FakeClock
  // plays a CA's replies with no real time passing (tests/fuzz/acme_replies_fuzz.cc).
  Transport(std::string directory_url, HttpOptions options,
            const Clock& clock = system_clock());
  // Over `http` (a test's FakeHttpClient), which must outlive the transport.
  Transport(std::string directory_url, HttpClient& http, const Clock& clock = system_clock());

  const nlohmann::json& directory();
  const std::string& directory_url() const { return directory_url_; }
  std::string endpoint(const std::string& name);  // OperationError when the directory lacks it

  void set_account(EVP_PKEY* key, std::optional<std::string> kid) {
    key_ = key;
    kid_ = std::move(kid);
  }

  // Signed POST of a JSON payload; `with_jwk` for newAccount (no kid yet).
  HttpResponse post(const std::string& url, const nlohmann::json& payload, bool with_jwk = false);
  HttpResponse post_as_get(const std::string& url);
  // Unauthenticated GET (renewalInfo), with the same retries.
  HttpResponse get(const std::string& url);

  void pause(std::chrono::milliseconds delay) const { clock_->sleep_for(delay); }

  // How many requests were retried, by cause; for tests and benchmarks.
  int bad_nonce_retries() const { return bad_nonce_retries_; }

 private:
  HttpResponse signed_post(const std::string& url, const std::string& payload, bool with_jwk);
  std::string take_nonce();
  void keep_nonce(const HttpResponse& response);
  HttpResponse send_with_retries(const std::function<HttpResponse()>& send);

  std::string directory_url_;
  std::unique_ptr<HttpClient> own_http_;  // a CurlHttpClient, unless one was handed in
  HttpClient* http_;
  const Clock* clock_;
  std::optional<nlohmann::json> directory_;
  std::vector<std::string> nonces_;
  EVP_PKEY* key_ = nullptr;
  std::optional<std::string> kid_;
  int bad_nonce_retries_ = 0;
};

// The JSON body of a CA's reply; an OperationError naming `url` when it is not JSON.
nlohmann::json json_reply(const HttpResponse& response, const std::string& url);

// Seconds from a Retry-After header (delta-seconds only), clamped to [0, limit].
std::optional<int> retry_after_seconds(const HttpResponse& response, int limit);

}  // namespace xmppcert::acme

// What the CA and its notaries say to each other (issue 27). A notary is a validation
// perspective a federation member runs on its own network: the CA asks it to perform one
// http-01, dns-01 or tls-alpn-01 validation, and believes the answer only when it is signed
// by the key the CA's config pins.
//
//   request  POST https://NOTARY/notary/v1/validate, application/jose+json: a flattened JWS
//            (jose::sign_jws) signed by the CA's issuing intermediate, JWK in the header,
//            "nonce" = the request id, "url" = the URL posted to. Payload: "certificate"
//            (the intermediate, base64url DER: the notary checks it chains to its --ca-root and
//            is a CA certificate holding the JWK's key), "identifier", "challenge", "token",
//            "key_authorization", "issued_at_ms" and "deadline_ms" (Unix milliseconds: the
//            notary refuses a request that is stale or whose deadline is past or too far).
//   answer   200, application/jose+json: a flattened JWS signed by the notary's key, JWK in
//            the header, "nonce" = the request id. Payload: "request", "identifier",
//            "challenge", "outcome" ("valid" | "invalid"), "addresses" (those it contacted),
//            "problem" (an ACME problem document, when invalid), "time" (RFC 3339).
//
// key_sha256 is the lower-case hex SHA-256 of the notary key's SubjectPublicKeyInfo (DER):
// the same key serves the notary's HTTPS, so the CA pins the TLS connection to it too
// (libcurl's CURLOPT_PINNEDPUBLICKEY "sha256//BASE64").
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "engine/openssl_ptr.h"

namespace xmppcert::ca::notary {

inline constexpr const char* kValidatePath = "/notary/v1/validate";
inline constexpr size_t kMaxRequestBytes = 64 * 1024;
inline constexpr size_t kMaxAnswerBytes = 64 * 1024;
// A request issued longer ago than this (or as far in the future: clocks differ) is stale.
inline constexpr std::int64_t kMaxRequestAgeMs = 30000;
// No validation is asked to last longer than this.
inline constexpr std::int64_t kMaxDeadlineMs = 60000;

// Lower-case hex SHA-256 of the key's SubjectPublicKeyInfo DER.
std::string key_sha256(EVP_PKEY* key);
// "sha256//BASE64" of the same digest given as hex; UsageError on a malformed pin.
std::string curl_pin(const std::string& key_sha256_hex);
bool is_key_sha256(const std::string& text);  // 64 lower-case hex digits

std::int64_t unix_ms_now();

struct NotaryRequest {
  std::string request_id;  // the JWS nonce
  std::string identifier;
  std::string challenge;  // "http-01" | "dns-01" | "tls-alpn-01"
  std::string token;
  std::string key_authorization;
  std::int64_t issued_at_ms = 0;
  std::int64_t deadline_ms = 0;
};

struct NotaryAnswer {
  std::string request_id;
  std::string identifier;
  std::string challenge;
  bool valid = false;
  std::vector<std::string> addresses;
  nlohmann::json problem;  // null when valid
  std::string time;
};

nlohmann::json request_payload(const NotaryRequest& request, X509* signer);
nlohmann::json answer_payload(const NotaryAnswer& answer);
// The answer's payload back; OperationError naming `origin` on a wrong shape.
NotaryAnswer parse_answer_payload(const std::string& payload, const std::string& origin);

}  // namespace xmppcert::ca::notary

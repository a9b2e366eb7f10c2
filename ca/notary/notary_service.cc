#include "ca/notary/notary_service.h"

#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "ca/notary/notary_protocol.h"
#include "ca/problem.h"
#include "ca/wfe/json_limits.h"
#include "ca/wfe/jws_verify.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "jose/jws.h"

namespace xmppcert::ca::notary {
namespace {

constexpr size_t kMaxSeenRequests = 100000;
constexpr const char* kLog = "xmppcert-ca notary";

WebResponse problem_response(const AcmeProblem& problem) {
  WebResponse response;
  response.status = problem.status();
  response.content_type = "application/problem+json";
  response.body = problem.document().dump();
  return response;
}

std::string string_field(const nlohmann::json& payload, const char* key, size_t max) {
  if (!payload.contains(key) || !payload[key].is_string() ||
      payload[key].get_ref<const std::string&>().size() > max)
    throw AcmeProblem("malformed", std::string("notary request: no \"") + key + "\" string");
  return payload[key];
}

std::int64_t integer_field(const nlohmann::json& payload, const char* key) {
  if (!payload.contains(key) || !payload[key].is_number_integer())
    throw AcmeProblem("malformed", std::string("notary request: no \"") + key + "\" integer");
  return payload[key];
}

X509_STORE* load_roots(const std::string& pem) {
  X509_STORE* store = X509_STORE_new();
  BIO* bio = BIO_new_mem_buf(pem.data(), static_cast<int>(pem.size()));
  int count = 0;
  while (X509* cert = PEM_read_bio_X509(bio, nullptr, nullptr, nullptr)) {
    X509_STORE_add_cert(store, cert);
    X509_free(cert);
    ++count;
  }
  BIO_free(bio);
  if (count == 0) {
    X509_STORE_free(store);
    throw UsageError("notary serve: --ca-root holds no PEM certificate");
  }
  return store;
}

std::string subject_of(X509* cert) {
  char buffer[256];
  X509_NAME_oneline(X509_get_subject_name(cert), buffer, sizeof buffer);
  return buffer;
}

}  // namespace

NotaryService::NotaryService(NotaryOptions options, PKeyPtr key, const std::string& ca_root_pem)
    : options_(std::move(options)),
      key_(std::move(key)),
      roots_(load_roots(ca_root_pem)),
      validator_(options_.validation) {}

NotaryService::~NotaryService() { X509_STORE_free(roots_); }

WebResponse NotaryService::handle(const WebRequest& request) {
  try {
    if (request.target != kValidatePath)
      throw AcmeProblem("malformed", "no such resource " + request.target, 404);
    if (request.method != "POST")
      throw AcmeProblem("malformed", "only POST to " + std::string(kValidatePath), 405);
    return validate(request);
  } catch (const AcmeProblem& problem) {
    log_line(kLog, "refused " + request.method + " " + request.target + ": " + problem.what());
    return problem_response(problem);
  } catch (const std::exception& error) {
    log_line(kLog, std::string("internal error: ") + error.what());
    return problem_response(AcmeProblem("serverInternal", "the notary failed", 500));
  }
}

// Only a CA certificate chained to a pinned root, holding the key that signed the JWS: a
// member's leaf, also chained to the root, cannot make this notary validate for it.
std::string NotaryService::check_signer(const std::string& certificate_b64, EVP_PKEY* jws_key) {
  std::string der;
  try {
    der = base64url_decode(certificate_b64, "notary request certificate");
  } catch (const std::exception&) {
    throw AcmeProblem("malformed", "notary request: certificate is not base64url");
  }
  const unsigned char* p = reinterpret_cast<const unsigned char*>(der.data());
  X509Ptr cert(d2i_X509(nullptr, &p, static_cast<long>(der.size())));
  if (!cert) throw AcmeProblem("malformed", "notary request: certificate is not DER X.509");
  if (EVP_PKEY_eq(X509_get0_pubkey(cert.get()), jws_key) != 1)
    throw AcmeProblem("unauthorized",
                      "notary request: signed by a key its certificate does not hold", 403);
  if (X509_check_ca(cert.get()) < 1)
    throw AcmeProblem("unauthorized",
                      "notary request: signed by " + subject_of(cert.get()) + ", not a CA", 403);
  X509_STORE_CTX* ctx = X509_STORE_CTX_new();
  X509_STORE_CTX_init(ctx, roots_, cert.get(), nullptr);
  bool chained = X509_verify_cert(ctx) == 1;
  std::string why = chained ? "" : X509_verify_cert_error_string(X509_STORE_CTX_get_error(ctx));
  X509_STORE_CTX_free(ctx);
  if (!chained)
    throw AcmeProblem("unauthorized",
                      "notary request: " + subject_of(cert.get()) +
                          " does not chain to this notary's --ca-root (" + why + ")",
                      403);
  return subject_of(cert.get());
}

void NotaryService::check_fresh_and_new(const std::string& request_id, std::int64_t issued_at_ms,
                                        std::int64_t deadline_ms) {
  std::int64_t now = unix_ms_now();
  if (issued_at_ms < now - kMaxRequestAgeMs || issued_at_ms > now + kMaxRequestAgeMs)
    throw AcmeProblem(
        "unauthorized",
        "notary request: stale (issued " + std::to_string((now - issued_at_ms) / 1000) + " s ago)",
        403);
  if (deadline_ms <= now || deadline_ms > issued_at_ms + kMaxDeadlineMs)
    throw AcmeProblem("unauthorized", "notary request: deadline past or more than 60 s away", 403);
  std::lock_guard guard(mutex_);
  std::erase_if(seen_requests_, [&](const auto& entry) { return entry.second < now; });
  if (seen_requests_.size() >= kMaxSeenRequests)
    throw AcmeProblem("rateLimited", "notary: too many requests in flight", 503);
  if (!seen_requests_.emplace(request_id, issued_at_ms + 2 * kMaxRequestAgeMs).second)
    throw AcmeProblem("unauthorized", "notary request: replayed request id", 403);
}

void NotaryService::check_rate(const std::string& ca) {
  std::int64_t now = unix_ms_now();
  std::lock_guard guard(mutex_);
  auto& times = ca_requests_[ca];
  while (!times.empty() && times.front() < now - 60000) times.pop_front();
  if (static_cast<int>(times.size()) >= options_.per_ca_per_minute) {
    AcmeProblem problem("rateLimited",
                        "notary: more than " + std::to_string(options_.per_ca_per_minute) +
                            " requests in a minute from " + ca,
                        429);
    throw problem;
  }
  times.push_back(now);
}

WebResponse NotaryService::validate(const WebRequest& request) {
  if (request.body.size() > kMaxRequestBytes)
    throw AcmeProblem("malformed", "notary request larger than 64 KiB", 413);
  ParsedJws jws = parse_flattened_jws(request.body);
  if (!jws.header.contains("jwk") || !jws.header.contains("nonce") ||
      !jws.header["nonce"].is_string() || !jws.header.contains("url") ||
      !jws.header["url"].is_string())
    throw AcmeProblem("malformed", "notary request: the JWS header needs jwk, nonce and url");
  std::string url = jws.header["url"];
  if (!url.ends_with(kValidatePath))
    throw AcmeProblem("unauthorized", "notary request: signed for another URL (" + url + ")", 403);
  PKeyPtr signer_key = key_from_jwk(jws.header["jwk"]);
  verify_jws_signature(jws, signer_key.get());
  nlohmann::json payload = parse_untrusted_json(jws.payload, "notary request");
  if (!payload.is_object()) throw AcmeProblem("malformed", "notary request: not a JSON object");
  std::string ca = check_signer(string_field(payload, "certificate", 16384), signer_key.get());
  NotaryRequest asked{jws.header["nonce"].get<std::string>(),
                      string_field(payload, "identifier", 253),
                      string_field(payload, "challenge", 16),
                      string_field(payload, "token", 256),
                      string_field(payload, "key_authorization", 512),
                      integer_field(payload, "issued_at_ms"),
                      integer_field(payload, "deadline_ms")};
  if (asked.request_id.empty() || asked.request_id.size() > 128)
    throw AcmeProblem("malformed", "notary request: nonce of 1 to 128 characters expected");
  check_fresh_and_new(asked.request_id, asked.issued_at_ms, asked.deadline_ms);
  check_rate(ca);
  if (running_.fetch_add(1) >= options_.max_concurrent) {
    --running_;
    throw AcmeProblem(
        "rateLimited",
        "notary: " + std::to_string(options_.max_concurrent) + " validations already running", 503);
  }
  // The CA waits until deadline_ms; the answer must be back before then.
  auto left = std::chrono::milliseconds(asked.deadline_ms - unix_ms_now() - 200);
  Deadline deadline = std::min(validator_.deadline(), std::chrono::steady_clock::now() + left);
  NotaryAnswer answer;
  answer.request_id = asked.request_id;
  answer.identifier = asked.identifier;
  answer.challenge = asked.challenge;
  ValidationRecord record;
  try {
    validator_.validate({asked.challenge, asked.identifier, asked.token, asked.key_authorization},
                        deadline, &record);
    answer.valid = true;
  } catch (const AcmeProblem& problem) {
    answer.problem = problem.document();
  } catch (const std::exception& error) {
    answer.problem = AcmeProblem("serverInternal", error.what(), 500).document();
  }
  --running_;
  answer.addresses = record.addresses;
  answer.time = format_utc(std::time(nullptr));
  std::string seen;
  for (const auto& address : answer.addresses) seen += (seen.empty() ? "" : ", ") + address;
  log_line(kLog,
           "validated " + asked.challenge + " of " + asked.identifier + " for " + ca + ": " +
               (answer.valid ? std::string("valid")
                             : "invalid (" + answer.problem["detail"].get<std::string>() + ")") +
               " [" + seen + "]");
  WebResponse response;
  response.content_type = "application/jose+json";
  response.body = jose::sign_jws(key_.get(), std::nullopt, asked.request_id, url,
                                 answer_payload(answer).dump());
  return response;
}

}  // namespace xmppcert::ca::notary

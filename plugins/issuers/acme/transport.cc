#include "plugins/issuers/acme/transport.h"

#include <chrono>
#include <functional>

#include "jose/jws.h"

namespace xmppcert::acme {
namespace {

constexpr int kMaxBadNonceRetries = 10;
constexpr int kMaxTransientRetries = 3;
constexpr int kMaxRateLimitWaitSeconds = 60;
constexpr const char* kProblemPrefix = "urn:ietf:params:acme:error:";

bool is_problem(const HttpResponse& r) {
  auto type = r.header("content-type");
  return r.status >= 400 && type && type->find("application/problem+json") != std::string::npos;
}

ProblemError problem_error(const std::string& what, const std::string& url, const HttpResponse& r) {
  std::string type = "unknown";
  std::string detail = r.body.substr(0, 200);
  if (is_problem(r)) {
    auto json = nlohmann::json::parse(r.body, nullptr, false);
    if (json.is_object()) {
      type = json.value("type", "unknown");
      if (type.rfind(kProblemPrefix, 0) == 0) type.erase(0, std::string(kProblemPrefix).size());
      detail = json.value("detail", "");
      if (json.contains("subproblems"))
        for (const auto& sub : json["subproblems"])
          detail +=
              "; " + sub.value("detail", "") +
              (sub.contains("identifier") ? " (" + sub["identifier"].value("value", "") + ")" : "");
    }
  }
  return ProblemError(
      describe_failure(what, url, "HTTP " + std::to_string(r.status) + " " + type + ": " + detail),
      type);
}

// A transient failure retried kMaxTransientRetries times: not retried again by an outer
// send_with_retries (it said "(after 3 attempts) (after 3 attempts)" and tried nine times).
class RetriesExhausted : public OperationError {
 public:
  explicit RetriesExhausted(const std::string& message) : OperationError(message) {}
};

}  // namespace

nlohmann::json json_reply(const HttpResponse& response, const std::string& url) {
  nlohmann::json json = nlohmann::json::parse(response.body, nullptr, false);
  if (json.is_discarded()) throw_operation_error("read the reply of", url, "it is not JSON");
  return json;
}

std::optional<int> retry_after_seconds(const HttpResponse& response, int limit) {
  auto value = response.header("retry-after");
  if (!value || value->empty() || value->find_first_not_of("0123456789") != std::string::npos)
    return std::nullopt;
  long seconds = std::stol(value->substr(0, 9));
  return static_cast<int>(std::min<long>(std::max<long>(seconds, 0), limit));
}

Transport::Transport(std::string directory_url, HttpOptions options, const Clock& clock)
    : directory_url_(std::move(directory_url)),
      own_http_(std::make_unique<CurlHttpClient>(std::move(options))),
      http_(own_http_.get()),
      clock_(&clock) {}

Transport::Transport(std::string directory_url, HttpClient& http, const Clock& clock)
    : directory_url_(std::move(directory_url)), http_(&http), clock_(&clock) {}

HttpResponse Transport::send_with_retries(const std::function<HttpResponse()>& send) {
  for (int attempt = 1;; ++attempt) {
    try {
      HttpResponse response = send();
      if (response.status < 500 || attempt >= kMaxTransientRetries) return response;
    } catch (const ProblemError&) {
      throw;
    } catch (const RetriesExhausted&) {  // a nested call (the nonce of a POST) retried already
      throw;
    } catch (const HttpTrustError& e) {  // permanent: say how to trust a private CA
      throw OperationError(std::string(e.what()) +
                           "; for the foundation CA pin its root with --acme-root-sha256 FP "
                           "(\"root_sha256\"; the operator's `xmppcert-ca root` prints it), for "
                           "another private CA give its root with --acme-trust PEM (\"trust\" "
                           "in the config's \"acme\")");
    } catch (const OperationError& e) {
      if (attempt >= kMaxTransientRetries)
        throw RetriesExhausted(std::string(e.what()) + " (after " + std::to_string(attempt) +
                               " attempts)");
    }
    pause(std::chrono::milliseconds(500 << attempt));  // 1 s, 2 s
  }
}

const nlohmann::json& Transport::directory() {
  if (directory_) return *directory_;
  HttpResponse r = send_with_retries([&] { return http_->get(directory_url_); });
  if (r.status != 200) throw problem_error("fetch ACME directory", directory_url_, r);
  auto json = nlohmann::json::parse(r.body, nullptr, false);
  if (!json.is_object() || !json.contains("newNonce"))
    throw_operation_error("fetch ACME directory", directory_url_, "not an ACME directory");
  directory_ = json;
  return *directory_;
}

std::string Transport::endpoint(const std::string& name) {
  const auto& dir = directory();
  if (!dir.contains(name) || !dir[name].is_string())
    throw_operation_error("use ACME directory", directory_url_, "it offers no \"" + name + "\"");
  return dir[name].get<std::string>();
}

void Transport::keep_nonce(const HttpResponse& response) {
  if (auto nonce = response.header("replay-nonce"); nonce && !nonce->empty())
    nonces_.push_back(*nonce);
}

std::string Transport::take_nonce() {
  if (nonces_.empty()) {
    std::string url = endpoint("newNonce");
    HttpResponse r = send_with_retries([&] { return http_->head(url); });
    keep_nonce(r);
    if (nonces_.empty()) throw_operation_error("get nonce from", url, "no Replay-Nonce header");
  }
  std::string nonce = nonces_.back();
  nonces_.pop_back();
  return nonce;
}

HttpResponse Transport::signed_post(const std::string& url, const std::string& payload,
                                    bool with_jwk) {
  if (!key_) throw_operation_error("sign request to", url, "no account key");
  for (int bad_nonces = 0;; ++bad_nonces) {
    HttpResponse r = send_with_retries([&] {
      std::string body = jose::sign_jws(key_, with_jwk ? std::nullopt : kid_, take_nonce(), url, payload);
      HttpResponse response = http_->post(url, body, "application/jose+json");
      keep_nonce(response);
      return response;
    });
    if (r.status < 400) return r;
    ProblemError error = problem_error("POST", url, r);
    if (error.type() == "badNonce" && bad_nonces < kMaxBadNonceRetries) {
      ++bad_nonce_retries_;
      continue;  // the error response carried a fresh nonce, already pooled
    }
    if (error.type() == "rateLimited" && bad_nonces == 0) {
      if (auto wait = retry_after_seconds(r, kMaxRateLimitWaitSeconds + 1);
          wait && *wait <= kMaxRateLimitWaitSeconds) {
        pause(std::chrono::seconds(*wait));
        continue;
      }
    }
    throw error;
  }
}

HttpResponse Transport::post(const std::string& url, const nlohmann::json& payload, bool with_jwk) {
  return signed_post(url, payload.dump(), with_jwk);
}

HttpResponse Transport::post_as_get(const std::string& url) { return signed_post(url, "", false); }

HttpResponse Transport::get(const std::string& url) {
  return send_with_retries([&] { return http_->get(url); });
}

}  // namespace xmppcert::acme

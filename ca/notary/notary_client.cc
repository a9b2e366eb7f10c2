#include "ca/notary/notary_client.h"

#include <algorithm>

#include "ca/notary/notary_protocol.h"
#include "ca/wfe/jws_verify.h"
#include "ca/wfe/nonces.h"
#include "engine/errors.h"
#include "engine/http.h"
#include "jose/jws.h"

namespace xmppcert::ca::notary {
namespace {

// What a notary said, bounded and on one line: its problem detail is shown to the client.
std::string one_line(std::string text, size_t max = 300) {
  for (char& c : text)
    if (static_cast<unsigned char>(c) < 0x20 || c == 0x7f) c = ' ';
  if (text.size() > max) text = text.substr(0, max) + "...";
  return text;
}

nlohmann::json problem(const std::string& type, const std::string& detail) {
  return AcmeProblem(type, detail).document();
}

std::string joined(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ", ") + item;
  return out;
}

std::string detail_of(const Perspective& perspective) {
  if (perspective.valid) return "valid";
  std::string detail = perspective.problem.is_object() && perspective.problem.contains("detail") &&
                               perspective.problem["detail"].is_string()
                           ? perspective.problem["detail"].get<std::string>()
                           : "invalid";
  return one_line(detail);
}

}  // namespace

nlohmann::json Perspective::json() const {
  nlohmann::json out{{"perspective", name},
                     {"outcome", valid ? "valid" : "invalid"},
                     {"addresses", addresses},
                     {"latency_ms", latency_ms}};
  if (!problem.is_null()) out["problem"] = problem;
  if (!answer.empty()) out["signed_answer"] = answer;
  return out;
}

int default_quorum(int notaries) {
  return std::max(std::min(notaries, 1), notaries - (notaries <= 5 ? 1 : 2));
}

NotaryClient::NotaryClient(std::vector<NotaryEndpoint> notaries, int quorum, const IssuingCa& ca)
    : notaries_(std::move(notaries)),
      quorum_(quorum > 0 ? quorum : default_quorum(static_cast<int>(notaries_.size()))),
      ca_(ca),
      counters_(new Counters[notaries_.size() + 1]) {
  for (auto& notary : notaries_) {
    while (notary.url.ends_with("/")) notary.url.pop_back();
    if (!notary.url.starts_with("https://"))
      throw UsageError("notaries: \"" + notary.url + "\" is not an https:// URL");
    curl_pin(notary.key_sha256);  // UsageError when malformed
  }
  if (quorum_ > static_cast<int>(notaries_.size()))
    throw UsageError("notary_quorum " + std::to_string(quorum_) + " is more than the " +
                     std::to_string(notaries_.size()) + " notaries configured");
}

NotaryClient::~NotaryClient() = default;

Perspective NotaryClient::ask_one(size_t index, const ChallengeToCheck& challenge,
                                  Deadline deadline) {
  const NotaryEndpoint& notary = notaries_[index];
  Perspective seen;
  seen.name = notary.url;
  auto started = std::chrono::steady_clock::now();
  const std::string url = notary.url + kValidatePath;
  try {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - started);
    if (left.count() <= 0) throw AcmeProblem("connection", "no time left before the deadline");
    std::int64_t now = unix_ms_now();
    NotaryRequest request{random_id(18),
                          challenge.domain,
                          challenge.type,
                          challenge.token,
                          challenge.key_authorization,
                          now,
                          now + left.count()};
    std::string body = jose::sign_jws(ca_.key.get(), std::nullopt, request.request_id, url,
                                      request_payload(request, ca_.cert.get()).dump());
    HttpOptions options;
    options.verify_peer = false;  // the key is pinned instead: only the notary holds it
    options.pinned_public_key = curl_pin(notary.key_sha256);
    options.total_timeout = left;
    options.max_body = kMaxAnswerBytes;
    HttpResponse response;
    try {
      response = CurlHttpClient(options).post(url, body, "application/jose+json");
    } catch (const std::exception& error) {
      bool late = std::chrono::steady_clock::now() >= deadline - std::chrono::milliseconds(5);
      throw AcmeProblem("connection",
                        late ? "no answer within the validation deadline" : one_line(error.what()));
    }
    if (response.status != 200) {
      nlohmann::json refusal = nlohmann::json::parse(response.body, nullptr, false);
      std::string why =
          refusal.is_object() && refusal.contains("detail") && refusal["detail"].is_string()
              ? one_line(refusal["detail"].get<std::string>())
              : "no problem document";
      throw AcmeProblem("serverInternal", "refused the request: HTTP " +
                                              std::to_string(response.status) + ": " + why);
    }
    ParsedJws jws;
    try {
      jws = parse_flattened_jws(response.body);
      if (!jws.header.contains("jwk")) throw AcmeProblem("malformed", "no jwk in the answer");
      PKeyPtr key = key_from_jwk(jws.header["jwk"]);
      if (key_sha256(key.get()) != notary.key_sha256)
        throw AcmeProblem("unauthorized", "answer signed by another key than key_sha256 pins");
      verify_jws_signature(jws, key.get());
    } catch (const AcmeProblem& bad) {
      throw AcmeProblem("serverInternal", std::string("answer does not verify: ") + bad.what());
    }
    NotaryAnswer answer;
    try {
      answer = parse_answer_payload(jws.payload, url);
    } catch (const std::exception& error) {
      throw AcmeProblem("serverInternal", one_line(error.what()));
    }
    if (answer.request_id != request.request_id || answer.identifier != challenge.domain ||
        answer.challenge != challenge.type)
      throw AcmeProblem("serverInternal", "answer is for another request");
    seen.valid = answer.valid;
    seen.addresses = answer.addresses;
    if (!answer.valid)
      seen.problem = answer.problem.is_object()
                         ? nlohmann::json{{"type", one_line(answer.problem.value("type", ""))},
                                          {"detail", one_line(answer.problem.value("detail", ""))}}
                         : problem("serverInternal", "invalid, without a problem document");
    seen.answer = response.body;
  } catch (const AcmeProblem& failure) {
    seen.valid = false;
    seen.problem = failure.document();
  } catch (const std::exception& failure) {
    seen.valid = false;
    seen.problem = problem("serverInternal", one_line(failure.what()));
  }
  seen.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                        std::chrono::steady_clock::now() - started)
                        .count();
  return seen;
}

std::future<std::vector<Perspective>> NotaryClient::ask(const ChallengeToCheck& challenge,
                                                        Deadline deadline) {
  return std::async(std::launch::async, [this, challenge, deadline] {
    std::vector<std::future<Perspective>> asked;
    for (size_t i = 0; i < notaries_.size(); ++i)
      asked.push_back(std::async(std::launch::async, [this, i, &challenge, deadline] {
        return ask_one(i, challenge, deadline);
      }));
    std::vector<Perspective> out;
    for (auto& one : asked) out.push_back(one.get());
    return out;
  });
}

std::optional<AcmeProblem> NotaryClient::judge(const std::string& domain,
                                               const std::vector<Perspective>& notaries) {
  int agreeing = 0;
  std::string disagreeing;
  for (size_t i = 0; i < notaries.size() && i < notaries_.size(); ++i) {
    ++counters_[i].answers;
    counters_[i].latency_ms += static_cast<std::uint64_t>(notaries[i].latency_ms);
    if (notaries[i].valid) {
      ++agreeing;
      continue;
    }
    ++counters_[i].disagreements;
    disagreeing +=
        (disagreeing.empty() ? "" : "; ") + notaries[i].name + " saw: " + detail_of(notaries[i]) +
        (notaries[i].addresses.empty() ? "" : " (addresses " + joined(notaries[i].addresses) + ")");
  }
  if (agreeing >= quorum_) return std::nullopt;
  return AcmeProblem("unauthorized",
                     "multi-perspective validation of " + domain +
                         " failed: " + std::to_string(agreeing) + " of " +
                         std::to_string(notaries_.size()) + " notaries agree with the CA, " +
                         std::to_string(quorum_) + " must: " + disagreeing,
                     403);
}

std::string NotaryClient::exposition() const {
  std::string out =
      "# HELP xmppcert_ca_notary_answers_total Validations asked of each notary.\n"
      "# TYPE xmppcert_ca_notary_answers_total counter\n";
  auto label = [&](size_t i) { return "{notary=\"" + notaries_[i].url + "\"} "; };
  for (size_t i = 0; i < notaries_.size(); ++i)
    out += "xmppcert_ca_notary_answers_total" + label(i) +
           std::to_string(counters_[i].answers.load()) + "\n";
  out +=
      "# HELP xmppcert_ca_notary_disagreements_total Validations a notary did not confirm "
      "(invalid, refused, unverifiable or late).\n"
      "# TYPE xmppcert_ca_notary_disagreements_total counter\n";
  for (size_t i = 0; i < notaries_.size(); ++i)
    out += "xmppcert_ca_notary_disagreements_total" + label(i) +
           std::to_string(counters_[i].disagreements.load()) + "\n";
  out +=
      "# HELP xmppcert_ca_notary_latency_seconds_sum Time spent waiting for each notary.\n"
      "# TYPE xmppcert_ca_notary_latency_seconds_sum counter\n";
  for (size_t i = 0; i < notaries_.size(); ++i)
    out += "xmppcert_ca_notary_latency_seconds_sum" + label(i) +
           std::to_string(static_cast<double>(counters_[i].latency_ms.load()) / 1000.0) + "\n";
  return out;
}

std::string describe_perspectives(const std::string& authz_id, const ChallengeToCheck& challenge,
                                  const std::vector<Perspective>& perspectives) {
  std::string out = "audit: perspectives of authorization " + authz_id + " (" + challenge.type +
                    " " + challenge.domain + "):";
  for (const auto& one : perspectives)
    out += " " + one.name + " " + (one.valid ? "valid" : "invalid (" + detail_of(one) + ")") +
           " [" + joined(one.addresses) + "] " + std::to_string(one.latency_ms) + " ms;";
  out.pop_back();
  return out;
}

}  // namespace xmppcert::ca::notary

// Orders, authorizations and challenges (RFC 8555 §7.4, §7.5, §8); finalize and the
// certificate they end in are in ra/finalize.cc. An order's status is derived from its
// authorizations until it is finalized; validation runs on the work queue and is recorded
// before anyone can see its outcome.
#include <algorithm>
#include <chrono>
#include <ctime>
#include <future>
#include <memory>

#include "ca/problem.h"
#include "ca/ra/acme_service.h"
#include "ca/ra/policy.h"
#include "ca/wfe/json_limits.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/log.h"

namespace xmppcert::ca {
namespace {

constexpr std::time_t kAuthzLifetime = 7 * 86400;
constexpr size_t kMaxIdentifiers = 100;
const char* const kChallengeTypes[] = {"http-01", "dns-01", "tls-alpn-01"};
// How long a challenge response waits for its validation before answering "processing".
constexpr std::chrono::milliseconds kAnswerWithin{250};

// While a challenge is being validated, Retry-After tells clients when to poll again
// (RFC 8555 §7.5.1). Validation takes milliseconds to a second; without the header lego, for
// one, waits 5 s before its first look.
void suggest_polling(WebResponse& response, const nlohmann::json& authz) {
  for (const auto& [type, challenge] : authz["challenges"].items())
    if (challenge.value("status", "") == "processing") {
      response.headers.emplace_back("Retry-After", "1");
      return;
    }
}

}  // namespace

std::string AcmeService::authz_status(const nlohmann::json& authz) const {
  std::string status = authz["status"];
  if ((status == "pending" || status == "valid") && authz["expires"].get<std::time_t>() < now())
    return "expired";
  return status;
}

nlohmann::json AcmeService::load_owned(const char* kind, const std::string& id,
                                       const VerifiedPost& post) {
  auto doc = storage_.document(kind, id);
  if (!doc) throw AcmeProblem("malformed", std::string("no such ") + kind + " " + id, 404);
  if ((*doc)["account"].get<long long>() != post.account->id)
    throw AcmeProblem("unauthorized", std::string("this ") + kind + " belongs to another account",
                      403);
  return *doc;
}

nlohmann::json AcmeService::challenge_json(const std::string& authz_id, const nlohmann::json& authz,
                                           const std::string& type) const {
  const auto& state = authz["challenges"][type];
  nlohmann::json out{{"type", type},
                     {"url", url("/acme/chall/" + authz_id + "/" + type)},
                     {"token", authz["token"]},
                     {"status", state["status"]}};
  if (state.contains("validated")) out["validated"] = state["validated"];
  if (state.contains("error")) out["error"] = state["error"];
  return out;
}

nlohmann::json AcmeService::authz_json(const std::string& id, const nlohmann::json& authz) const {
  nlohmann::json challenges = nlohmann::json::array();
  for (const char* type : kChallengeTypes) challenges.push_back(challenge_json(id, authz, type));
  return {{"status", authz_status(authz)},
          {"expires", format_utc(authz["expires"].get<std::time_t>())},
          {"identifier", {{"type", "dns"}, {"value", authz["identifier"]}}},
          {"challenges", challenges}};
}

nlohmann::json AcmeService::order_json(nlohmann::json& order) {
  std::string status = order["status"];
  nlohmann::json authz_urls = nlohmann::json::array();
  bool all_valid = true, any_failed = false;
  for (const auto& id : order["authorizations"]) {
    authz_urls.push_back(url("/acme/authz/" + id.get<std::string>()));
    auto authz = storage_.document("authz", id);
    std::string s = authz ? authz_status(*authz) : "invalid";
    all_valid = all_valid && s == "valid";
    any_failed = any_failed || (s != "valid" && s != "pending");
  }
  if (status == "pending") status = any_failed ? "invalid" : all_valid ? "ready" : "pending";
  order["status"] = status;
  nlohmann::json identifiers = nlohmann::json::array();
  for (const auto& value : order["identifiers"])
    identifiers.push_back({{"type", "dns"}, {"value", value}});
  nlohmann::json out{
      {"status", status},
      {"expires", format_utc(order["expires"].get<std::time_t>())},
      {"identifiers", identifiers},
      {"authorizations", authz_urls},
      {"finalize", url("/acme/order/" + order["id"].get<std::string>() + "/finalize")}};
  if (order.contains("certificate"))
    out["certificate"] = url("/acme/cert/" + order["certificate"].get<std::string>());
  if (order.contains("error")) out["error"] = order["error"];
  return out;
}

WebResponse AcmeService::new_order(const VerifiedPost& post) {
  nlohmann::json payload = post.json();
  if (!payload.contains("identifiers") || !payload["identifiers"].is_array() ||
      payload["identifiers"].empty() || payload["identifiers"].size() > kMaxIdentifiers)
    throw AcmeProblem("malformed", "newOrder needs 1 to 100 identifiers");
  std::vector<std::string> names;
  for (const auto& identifier : payload["identifiers"]) {
    if (!identifier.is_object()) throw AcmeProblem("malformed", "an identifier is not an object");
    std::string name = check_order_identifier(
        string_member(identifier, "type", "identifier").value_or(""),
        string_member(identifier, "value", "identifier").value_or(""), ca_.permitted_domains);
    if (std::find(names.begin(), names.end(), name) == names.end()) names.push_back(name);
  }
  check_certificate_rate(post.account->id, names);
  std::time_t now = this->now();
  nlohmann::json order{{"id", random_id(16)},  {"account", post.account->id},
                       {"status", "pending"},  {"expires", now + kAuthzLifetime},
                       {"identifiers", names}, {"authorizations", nlohmann::json::array()}};
  storage_.transaction(Commit::kRepeatable, [&] {
    // From scratch on every attempt: after a serialization failure the authorizations of
    // the lost attempt were rolled back, and an order listing them would point at nothing.
    order["authorizations"] = nlohmann::json::array();
    for (const auto& name : names) {
      nlohmann::json challenges;
      for (const char* type : kChallengeTypes) challenges[type] = {{"status", "pending"}};
      std::string authz_id = random_id(16);
      storage_.put_document("authz", authz_id, post.account->id,
                            {{"account", post.account->id},
                             {"identifier", name},
                             {"status", "pending"},
                             {"expires", now + kAuthzLifetime},
                             {"token", random_id(32)},
                             {"challenges", challenges}});
      order["authorizations"].push_back(authz_id);
    }
    storage_.put_document("order", order["id"], post.account->id, order);
  });
  return json_response(201, order_json(order),
                       url("/acme/order/" + order["id"].get<std::string>()));
}

WebResponse AcmeService::get_order(const VerifiedPost& post, const std::string& id) {
  nlohmann::json order = load_owned("order", id, post);
  give_up_abandoned_order(id, order);
  return json_response(200, order_json(order), url("/acme/order/" + id));
}

WebResponse AcmeService::get_authz(const VerifiedPost& post, const std::string& id) {
  nlohmann::json authz = load_owned("authz", id, post);
  if (!post.payload.empty() &&
      string_member(post.json(), "status", "authorization update").value_or("") == "deactivated") {
    storage_.transaction([&] {
      authz = load_owned("authz", id, post);
      // RFC 8555 §7.1.6: only a pending or valid authorization can be deactivated.
      std::string status = authz_status(authz);
      if (status != "pending" && status != "valid")
        throw AcmeProblem("malformed", "authorization " + id + " is " + status +
                                           "; only a pending or valid one can be deactivated");
      authz["status"] = "deactivated";
      storage_.put_document("authz", id, post.account->id, authz);
    });
  }
  restart_abandoned_validations(post.account->id, id, authz);
  WebResponse response = json_response(200, authz_json(id, authz));
  suggest_polling(response, authz);
  return response;
}

WebResponse AcmeService::post_challenge(const VerifiedPost& post, const std::string& authz_id,
                                        const std::string& type) {
  if (std::none_of(std::begin(kChallengeTypes), std::end(kChallengeTypes),
                   [&](const char* t) { return type == t; }))
    throw AcmeProblem("malformed", "no such challenge type " + type, 404);
  std::future<void> done;
  nlohmann::json authz = load_owned("authz", authz_id, post);
  // A POST with a payload ("{}") asks for validation; POST-as-GET only reads.
  auto startable = [&](const nlohmann::json& doc) {
    return authz_status(doc) == "pending" && doc["challenges"][type]["status"] == "pending";
  };
  if (!post.payload.empty() && startable(authz))
    done = start_validation(post.account->id, authz_id, type, authz, startable);
  // Validation usually takes milliseconds: answer with the state it reached rather than make
  // the client wait out a Retry-After for nothing (it still comes when the bound passes).
  if (done.valid() && done.wait_for(kAnswerWithin) == std::future_status::ready)
    authz = load_owned("authz", authz_id, post);
  WebResponse response = json_response(200, challenge_json(authz_id, authz, type));
  response.headers.emplace_back("Link", "<" + url("/acme/authz/" + authz_id) + ">;rel=\"up\"");
  suggest_polling(response, authz);
  return response;
}

std::future<void> AcmeService::start_validation(
    long long account, const std::string& authz_id, const std::string& type, nlohmann::json& authz,
    const std::function<bool(const nlohmann::json&)>& startable) {
  // One commit: the authorization read again, and if the challenge may still start (no other
  // request, on any instance, started it meanwhile), the running validation counted and the
  // challenge marked processing.
  long long rate_event = 0;
  bool started = storage_.queued_transaction(kRateEventsQueue, Commit::kRepeatable, [&] {
    auto current = storage_.document("authz", authz_id);
    if (!current) return false;
    authz = std::move(*current);
    if (!startable(authz)) return false;
    auto& state = authz["challenges"][type];
    state["status"] = "processing";
    state["processing_since"] = now();
    rate_event = reserve_validation(account);
    storage_.put_document("authz", authz_id, account, authz);
    return true;
  });
  if (!started) return {};
  auto finished = std::make_shared<std::promise<void>>();
  std::future<void> done = finished->get_future();
  validations_->submit(account, authz["identifier"].get<std::string>(),
                       [this, authz_id, type, finished, rate_event] {
                         try {
                           run_validation(authz_id, type, rate_event);
                         } catch (const std::exception& error) {  // the database went away
                           log_line("xmppcert-ca", "validation of authorization " + authz_id +
                                                       " not recorded: " + error.what());
                         }
                         finished->set_value();
                       });
  return done;
}

std::time_t AcmeService::abandoned_after() const {
  auto bound = std::chrono::duration_cast<std::chrono::seconds>(validator_.deadline() -
                                                                std::chrono::steady_clock::now());
  return std::max<std::time_t>(30, 3 * bound.count());
}

void AcmeService::restart_abandoned_validations(long long account, const std::string& authz_id,
                                                nlohmann::json& authz) {
  auto abandoned = [&](const nlohmann::json& doc, const char* type) {
    const auto& state = doc["challenges"][type];
    return authz_status(doc) == "pending" && state.value("status", "") == "processing" &&
           now() - state.value("processing_since", now()) >= abandoned_after();
  };
  for (const char* type : kChallengeTypes) {
    if (!abandoned(authz, type)) continue;
    std::time_t since = authz["challenges"][type].value("processing_since", now());
    auto still_abandoned = [&](const nlohmann::json& doc) { return abandoned(doc, type); };
    if (!start_validation(account, authz_id, type, authz, still_abandoned).valid()) continue;
    log_line("xmppcert-ca", std::string("validation ") + type + " of authorization " + authz_id +
                                " abandoned (processing since " + format_utc(since) +
                                "): validating again");
  }
}

void AcmeService::run_validation(const std::string& authz_id, const std::string& type,
                                 long long rate_event) {
  nlohmann::json authz = *storage_.document("authz", authz_id);
  auto account = storage_.account(authz["account"].get<long long>());
  ChallengeToCheck challenge{type, authz["identifier"].get<std::string>(),
                             authz["token"].get<std::string>(),
                             authz["token"].get<std::string>() + "." + account->thumbprint};
  nlohmann::json error;
  Deadline deadline = validator_.deadline();
  // The notaries validate from their networks while the CA does from its own.
  std::future<std::vector<notary::Perspective>> remote;
  if (options_.notaries) remote = options_.notaries->ask(challenge, deadline);
  auto started = std::chrono::steady_clock::now();
  ValidationRecord seen;
  try {
    validator_.check_caa(challenge.domain, deadline);
    validator_.validate(challenge, deadline, &seen);
  } catch (const AcmeProblem& problem) {
    error = problem.document();
  } catch (const std::exception& failure) {
    error = AcmeProblem("serverInternal", failure.what(), 500).document();
  }
  nlohmann::json perspectives;
  if (remote.valid()) {
    notary::Perspective own;
    own.name = "ca";
    own.valid = error.is_null();
    own.problem = error;
    own.addresses = seen.addresses;
    own.latency_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                         std::chrono::steady_clock::now() - started)
                         .count();
    std::vector<notary::Perspective> all{own};
    std::vector<notary::Perspective> notaries = remote.get();
    auto disagreement = options_.notaries->judge(challenge.domain, notaries);
    if (error.is_null() && disagreement) error = disagreement->document();
    all.insert(all.end(), notaries.begin(), notaries.end());
    for (const auto& one : all) perspectives.push_back(one.json());
    log_line("xmppcert-ca", notary::describe_perspectives(authz_id, challenge, all));
  }
  // One commit: the validation's rate event settled and its outcome recorded.
  bool failed_here = false;  // the target's answer made the authorization invalid
  bool recorded = storage_.queued_transaction(kRateEventsQueue, Commit::kRepeatable, [&] {
    failed_here = false;
    finish_validation(rate_event, !error.is_null());
    authz = *storage_.document("authz", authz_id);
    if (authz["challenges"][type]["status"] != "processing") return false;
    auto& state = authz["challenges"][type];
    if (authz["status"] != "pending") {
      // Only from the state the validation started in: an authorization deactivated
      // meanwhile stays deactivated, whatever the target answered.
      state["status"] = "invalid";
      state["error"] =
          AcmeProblem("malformed", "the authorization was " +
                                       authz["status"].get<std::string>() +
                                       " while this challenge was validated")
              .document();
    } else if (error.is_null()) {
      state["status"] = "valid";
      state["validated"] = format_utc(now());
      authz["status"] = "valid";
      authz["caa_checked"] = now();  // finalize looks again once this is 8 hours old
    } else {
      state["status"] = "invalid";
      state["error"] = error;
      authz["status"] = "invalid";
      failed_here = true;
    }
    if (!perspectives.is_null()) state["perspectives"] = perspectives;
    storage_.put_document("authz", authz_id, account->id, authz);
    return true;
  });
  if (!recorded) return;
  if (failed_here)
    log_line("xmppcert-ca", "validation " + type + " of " + challenge.domain + " for account " +
                                std::to_string(account->id) +
                                " failed: " + error["detail"].get<std::string>());
  metrics_.count_validation(error.is_null());
}

}  // namespace xmppcert::ca

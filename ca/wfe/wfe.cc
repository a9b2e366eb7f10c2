// The web front end (boulder's wfe2/): routes, checks every POST's JWS (RFC 8555 §6.2-6.5:
// content type, alg, exactly one of jwk/kid, nonce, url, signature, account status) and
// turns AcmeProblems into problem documents. Every answer carries a fresh Replay-Nonce
// and the directory's Link.
#include <ctime>
#include <regex>

#include "ca/ra/acme_service.h"
#include "ca/wfe/json_limits.h"
#include "ca/problem.h"
#include "engine/errors.h"
#include "engine/log.h"

namespace xmppcert::ca {
namespace {

// The account number of a kid that is exactly PREFIX + decimal digits (no sign, no leading
// zero, no trailing text, at most 18 digits); 0 for anything else.
long long account_id_of_kid(const std::string& kid, const std::string& prefix) {
  if (!kid.starts_with(prefix)) return 0;
  std::string digits = kid.substr(prefix.size());
  if (digits.empty() || digits.size() > 18 || digits[0] == '0' ||
      digits.find_first_not_of("0123456789") != std::string::npos)
    return 0;
  return std::stoll(digits);
}

}  // namespace

nlohmann::json VerifiedPost::json() const {
  nlohmann::json parsed = parse_untrusted_json(payload, "JWS payload");
  if (!parsed.is_object()) throw AcmeProblem("malformed", "JWS payload is not a JSON object");
  return parsed;
}

WebResponse json_response(int status, const nlohmann::json& body, const std::string& location) {
  WebResponse response;
  response.status = status;
  // A problem may echo a request's path or field: bytes that are not UTF-8 are replaced, not
  // thrown from inside handle()'s error handling (found by fuzz_ca_router).
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  if (!location.empty()) response.headers.emplace_back("Location", location);
  return response;
}

AcmeService::AcmeService(ServiceOptions options, IssuingCa& ca, Storage& storage,
                         ChallengeValidator& validator, TransparencyLog& log)
    : options_(std::move(options)),
      ca_(ca),
      storage_(storage),
      validator_(validator),
      log_(log),
      signer_(ca, options_.base_url + "/crl"),
      validations_(std::make_unique<WorkQueue>(options_.validations)) {
  if (options_.shared_nonces)
    nonces_.share(storage_.shared_secret("nonce_key", random_id(32)),
                  [this](const std::string& nonce, std::time_t expires) {
                    return storage_.use_nonce(nonce, expires);
                  });
  refresh_crl_if_due(false);
}

AcmeService::~AcmeService() { validations_.reset(); }

WebResponse AcmeService::directory() const {
  return json_response(200, {{"newNonce", url("/acme/new-nonce")},
                             {"newAccount", url("/acme/new-account")},
                             {"newOrder", url("/acme/new-order")},
                             {"revokeCert", url("/acme/revoke-cert")},
                             {"keyChange", url("/acme/key-change")},
                             {"renewalInfo", url("/acme/renewal-info")},
                             {"meta",
                              {{"externalAccountRequired", options_.eab_required},
                               {"xmppAddr", options_.omit_xmpp_addr ? "omit" : "issue"}}}});
}

VerifiedPost AcmeService::verify_post(const WebRequest& request, bool jwk_allowed) {
  if (request.content_type != "application/jose+json")
    throw AcmeProblem("malformed", "Content-Type must be application/jose+json", 415);
  ParsedJws jws = parse_flattened_jws(request.body);
  VerifiedPost post;
  post.header = jws.header;
  post.payload = jws.payload;
  post.url = url(request.target);
  const auto& header = jws.header;
  if (string_member(header, "url", "JWS header").value_or("") != post.url)
    throw AcmeProblem("unauthorized", "JWS url does not match the request URL " + post.url, 401);
  bool has_jwk = header.contains("jwk"), has_kid = header.contains("kid");
  if (has_jwk == has_kid)
    throw AcmeProblem("malformed", "JWS header must hold exactly one of jwk and kid");
  if (has_jwk && !jwk_allowed)
    throw AcmeProblem("malformed", "this resource wants a kid, not a jwk, in the JWS header");
  if (has_jwk) {
    post.jwk = header["jwk"];
    post.key = key_from_jwk(post.jwk);
  } else {
    std::string kid = string_member(header, "kid", "JWS header").value_or("");
    long long id = account_id_of_kid(kid, url("/acme/acct/"));
    auto account = id > 0 ? storage_.account(id) : std::nullopt;
    if (!account) throw AcmeProblem("accountDoesNotExist", "no account " + kid, 400);
    if (account->status != "valid")
      throw AcmeProblem("unauthorized", "account " + kid + " is " + account->status, 401);
    post.key = key_from_jwk(account->jwk);
    post.account = std::move(account);
  }
  // The signature before the nonce: a forged request must not burn a client's nonce.
  verify_jws_signature(jws, post.key.get());
  if (!header.contains("nonce") || !header["nonce"].is_string() ||
      !nonces_.consume(header["nonce"].get<std::string>()))
    throw AcmeProblem("badNonce", "JWS nonce is unknown or was used before");
  return post;
}

WebResponse AcmeService::route(const WebRequest& request) {
  static const std::regex kOrder("^/acme/order/([A-Za-z0-9_-]+)$");
  static const std::regex kFinalize("^/acme/order/([A-Za-z0-9_-]+)/finalize$");
  static const std::regex kAuthz("^/acme/authz/([A-Za-z0-9_-]+)$");
  static const std::regex kChallenge("^/acme/chall/([A-Za-z0-9_-]+)/([a-z0-9-]+)$");
  static const std::regex kCert("^/acme/cert/([0-9a-f]+)$");
  static const std::regex kAccount("^/acme/acct/([0-9]+)$");
  const std::string& path = request.target;
  std::smatch m;
  if (request.method == "GET" || request.method == "HEAD") {
    if (path == "/directory") return directory();
    if (path == "/acme/new-nonce") {
      WebResponse response;
      response.status = request.method == "HEAD" ? 200 : 204;
      response.headers.emplace_back("Cache-Control", "no-store");
      return response;
    }
    if (path == "/crl") return crl();
    if (path == "/metrics") {
      WebResponse response;
      response.content_type = "text/plain; version=0.0.4";
      response.body = metrics_.exposition();
      if (options_.notaries) response.body += options_.notaries->exposition();
      return response;
    }
    if (path.starts_with("/acme/renewal-info/"))
      return renewal_info(path.substr(std::string("/acme/renewal-info/").size()));
    if (path == "/root.pem") {
      WebResponse response;
      response.content_type = "application/pem-certificate-chain";
      response.body = ca_.root;
      return response;
    }
    throw AcmeProblem("malformed", "no such resource: GET " + path, 404);
  }
  if (request.method != "POST")
    throw AcmeProblem("malformed", "method " + request.method + " not allowed", 405);
  if (path == "/acme/new-account") return new_account(verify_post(request, true));
  if (path == "/acme/revoke-cert") return revoke_cert(verify_post(request, true));
  if (std::regex_match(path, m, kAccount))
    return update_account(verify_post(request, false), std::stoll(m[1]));
  if (path == "/acme/new-order") return new_order(verify_post(request, false));
  if (path == "/acme/key-change") return key_change(verify_post(request, false));
  if (std::regex_match(path, m, kOrder)) return get_order(verify_post(request, false), m[1]);
  if (std::regex_match(path, m, kFinalize)) return finalize(verify_post(request, false), m[1]);
  if (std::regex_match(path, m, kAuthz)) return get_authz(verify_post(request, false), m[1]);
  if (std::regex_match(path, m, kChallenge))
    return post_challenge(verify_post(request, false), m[1], m[2]);
  if (std::regex_match(path, m, kCert)) return download(verify_post(request, false), m[1]);
  throw AcmeProblem("malformed", "no such resource: POST " + path, 404);
}

WebResponse AcmeService::handle(const WebRequest& request) {
  WebResponse response;
  try {
    response = route(request);
  } catch (const AcmeProblem& problem) {
    response = json_response(problem.status(), problem.document());
    response.content_type = "application/problem+json";
    if (problem.retry_after > 0)
      response.headers.emplace_back("Retry-After", std::to_string(problem.retry_after));
  } catch (const StorageUnavailable& error) {
    // The database is down or restarting: a client retries after Retry-After (RFC 8555 §6.6).
    log_line("xmppcert-ca", std::string("database unavailable on ") + request.method + " " +
                                request.target + ": " + error.what());
    AcmeProblem problem("serverInternal", "the CA's database is unavailable; try again", 503);
    response = json_response(503, problem.document());
    response.content_type = "application/problem+json";
    response.headers.emplace_back("Retry-After", "2");
  } catch (const std::exception& error) {
    log_line("xmppcert-ca", std::string("internal error on ") + request.method + " " +
                                request.target + ": " + error.what());
    AcmeProblem problem("serverInternal", "internal error; see the CA's log", 500);
    response = json_response(500, problem.document());
    response.content_type = "application/problem+json";
  }
  metrics_.count_response(response.status);
  if (request.target != "/directory" && request.target != "/root.pem" && request.target != "/crl" &&
      request.target != "/metrics" && !request.target.starts_with("/acme/renewal-info/")) {
    response.headers.emplace_back("Replay-Nonce", nonces_.issue());
    response.headers.emplace_back("Link", "<" + url("/directory") + ">;rel=\"index\"");
  }
  return response;
}

}  // namespace xmppcert::ca

#include "plugins/issuers/acme/acme_issuer.h"

#include <openssl/rand.h>
#include <unistd.h>

#include <chrono>
#include <thread>

#include "engine/encoding.h"
#include "engine/certificate.h"
#include "engine/csr.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/json_fields.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "plugins/issuers/acme/challenges.h"
#include "plugins/issuers/acme/jws.h"
#include "plugins/issuers/acme/renewal_info.h"
#include "plugins/issuers/acme/tls_alpn_responder.h"
#include "plugins/issuers/acme/transport.h"

namespace xmppcert::acme {
namespace {

constexpr auto kPollLimit = std::chrono::seconds(120);

std::string folder_name_for(const std::string& url) {
  std::string name;
  for (char c : url.substr(url.find("://") == std::string::npos ? 0 : url.find("://") + 3))
    name += std::isalnum(static_cast<unsigned char>(c)) || c == '.' || c == '-' ? c : '_';
  return name;
}

// Waits on `url` until its status leaves pending/processing/ready (as asked), honouring
// Retry-After and otherwise backing off from 100 ms to 2 s; bounded by kPollLimit.
nlohmann::json poll_until(Transport& transport, const std::string& url,
                          const std::vector<std::string>& waiting) {
  auto deadline = std::chrono::steady_clock::now() + kPollLimit;
  int delay_ms = 100;
  for (;;) {
    HttpResponse r = transport.post_as_get(url);
    auto json = nlohmann::json::parse(r.body, nullptr, false);
    std::string status = json.is_object() ? json.value("status", "") : "";
    if (std::find(waiting.begin(), waiting.end(), status) == waiting.end()) return json;
    if (std::chrono::steady_clock::now() >= deadline)
      throw_operation_error(
          "wait for", url,
          "still " + status + " after " + std::to_string(kPollLimit.count()) + " s");
    auto retry_after = retry_after_seconds(r, 10);
    std::this_thread::sleep_for(retry_after ? std::chrono::milliseconds(*retry_after * 1000 + 1)
                                            : std::chrono::milliseconds(delay_ms));
    delay_ms = std::min(delay_ms * 2, 2000);
  }
}

std::string problem_detail(const nlohmann::json& object) {
  if (!object.contains("error")) return "no detail";
  const auto& error = object["error"];
  return error.value("type", "") + ": " + error.value("detail", "");
}

std::string checked_profile(const nlohmann::json& directory, const AcmeSettings& settings) {
  const nlohmann::json* profiles = nullptr;
  if (directory.contains("meta") && directory["meta"].contains("profiles"))
    profiles = &directory["meta"]["profiles"];
  if (!profiles || !profiles->is_object())
    throw_operation_error("use ACME profile \"" + settings.profile + "\" at", settings.directory,
                          "the CA offers no profiles");
  if (!profiles->contains(settings.profile)) {
    std::string offered;
    for (const auto& [name, description] : profiles->items())
      offered += (offered.empty() ? "" : ", ") + name;
    throw_operation_error("use ACME profile \"" + settings.profile + "\" at", settings.directory,
                          "offered: " + offered);
  }
  return settings.profile;
}

std::string top_issuer_cn(const std::vector<X509Ptr>& chain) {
  char cn[256] = "";
  X509_NAME_get_text_by_NID(X509_get_issuer_name(chain.back().get()), NID_commonName, cn,
                            sizeof cn);
  return cn;
}

// The first alternate chain (Link rel="alternate", RFC 8555 §7.4.2) whose top certificate is
// issued by `preferred`; the default chain when none is.
std::vector<X509Ptr> preferred_alternate(Transport& transport, const HttpResponse& download,
                                         std::vector<X509Ptr> default_chain,
                                         const std::string& preferred, const std::string& name) {
  for (const auto& url : download.links("alternate")) {
    std::vector<X509Ptr> alternate = parse_certificate_chain(transport.post_as_get(url).body, url);
    if (top_issuer_cn(alternate) == preferred) return alternate;
  }
  log_line(name, "no chain issued by \"" + preferred +
                     "\" among the alternates; keeping the default chain");
  return default_chain;
}

// A uniformly random time in the CA's suggested window (RFC 9773 §4.2); 0 (the engine's
// two thirds) when the CA does not answer: renewal information is advice, not a dependency.
std::time_t renewal_time_from_ca(Transport& transport, X509* leaf, const std::string& name) {
  std::string url = transport.endpoint("renewalInfo");
  try {
    if (url.back() != '/') url += '/';
    url += renewal_certificate_id(leaf);
    HttpResponse r = transport.get(url);
    if (r.status != 200) throw_operation_error("GET", url, "HTTP " + std::to_string(r.status));
    RenewalWindow window = parse_renewal_window(nlohmann::json::parse(r.body, nullptr, false), url);
    unsigned char random[4];
    RAND_bytes(random, sizeof random);
    uint32_t spread =
        (uint32_t(random[0]) << 24) | (random[1] << 16) | (random[2] << 8) | random[3];
    long width = static_cast<long>(window.end - window.start);
    return window.start +
           (width > 0 ? static_cast<long>(spread % static_cast<uint32_t>(width + 1)) : 0);
  } catch (const OperationError& e) {
    log_line(name,
             std::string("renewal information unavailable, renewing at two thirds: ") + e.what());
    return 0;
  }
}

}  // namespace

AcmeSettings parse_acme_settings(const nlohmann::json& settings, const std::string& where) {
  JsonFields fields(settings, where);
  fields.allow_only({"directory", "trust", "agree_tos", "email", "eab_kid", "eab_hmac",
                     "http01_address", "http01_port", "webroot", "dns01_hook", "profile",
                     "preferred_chain", "rfc2136_server", "rfc2136_port", "rfc2136_key_file",
                     "tls_alpn01_address", "tls_alpn01_port"});
  AcmeSettings s;
  auto directory = fields.string("directory");
  if (!directory || directory->rfind("https://", 0) != 0)
    throw UsageError(fields.path_of("directory") + ": an https:// ACME directory URL is required");
  s.directory = *directory;
  s.trust = fields.string("trust").value_or("");
  s.agree_tos = fields.boolean("agree_tos").value_or(false);
  s.email = fields.string("email").value_or("");
  s.eab_kid = fields.string("eab_kid").value_or("");
  s.eab_hmac = fields.string("eab_hmac").value_or("");
  if (s.eab_kid.empty() != s.eab_hmac.empty())
    throw UsageError(where + ": eab_kid and eab_hmac go together");
  if (!s.eab_hmac.empty())
    fields.with_context("eab_hmac", [&] { base64url_decode(s.eab_hmac, "value"); });
  s.http01_address = fields.string("http01_address").value_or(s.http01_address);
  auto port_of = [&](const char* key, int fallback) {
    if (!settings.contains(key)) return fallback;
    const auto& port = settings[key];
    if (!port.is_number_integer() || port.get<int>() < 1 || port.get<int>() > 65535)
      throw UsageError(fields.path_of(key) + ": expected a port number 1-65535");
    return port.get<int>();
  };
  s.http01_port = port_of("http01_port", s.http01_port);
  s.rfc2136_port = port_of("rfc2136_port", s.rfc2136_port);
  s.tls_alpn01_port = port_of("tls_alpn01_port", 0);
  s.tls_alpn01_address = fields.string("tls_alpn01_address").value_or(s.tls_alpn01_address);
  s.rfc2136_server = fields.string("rfc2136_server").value_or("");
  s.rfc2136_key_file = fields.string("rfc2136_key_file").value_or("");
  s.webroot = fields.string("webroot").value_or("");
  s.dns01_hook = fields.strings("dns01_hook").value_or(std::vector<std::string>{});
  s.profile = fields.string("profile").value_or("");
  s.preferred_chain = fields.string("preferred_chain").value_or("");
  if (!s.webroot.empty() + !s.dns01_hook.empty() + !s.rfc2136_server.empty() +
          (s.tls_alpn01_port != 0) >
      1)
    throw UsageError(where +
                     ": choose one of webroot, dns01_hook, rfc2136_server and tls_alpn01_port");
  return s;
}

struct AcmeIssuer::Session {
  Session(const AcmeSettings& s) : transport(s.directory, http_options_for(s)) {}
  static HttpOptions http_options_for(const AcmeSettings& s) {
    HttpOptions options;
    options.ca_file = s.trust;
    return options;
  }
  Transport transport;
  PKeyPtr account_key;
  std::string account_url;
  std::unique_ptr<ChallengeSolver> solver;
};

AcmeIssuer::AcmeIssuer(AcmeSettings settings, std::filesystem::path state_dir)
    : settings_(std::move(settings)), state_dir_(std::move(state_dir)) {}

AcmeIssuer::~AcmeIssuer() = default;

std::filesystem::path AcmeIssuer::account_dir() const {
  return state_dir_ / "acme" / folder_name_for(settings_.directory);
}

AcmeIssuer::Session& AcmeIssuer::session() {
  if (!session_) {
    session_ = std::make_unique<Session>(settings_);
    Transport& transport = session_->transport;
    // Account: key stored 0600 per issuer; the account URL is looked up (or created) with
    // newAccount, which returns the existing account for a known key.
    auto dir = account_dir();
    auto key_path = dir / "account.key";
    if (::access(key_path.c_str(), F_OK) == 0) {
      session_->account_key = load_private_key(read_file(key_path), key_path.string());
    } else {
      create_directories(dir, 0700);
      session_->account_key = generate_private_key(KeyType::kEcP256);
      write_file_atomically(key_path, private_key_pem(session_->account_key.get()),
                            with_mode(kPrivateKeyMode));
    }
    transport.set_account(session_->account_key.get(), std::nullopt);
    const auto& directory = transport.directory();
    bool has_terms = directory.contains("meta") && directory["meta"].contains("termsOfService");
    if (has_terms && !settings_.agree_tos)
      throw OperationError(
          "create ACME account at " + settings_.directory + ": the CA requires agreeing to " +
          directory["meta"]["termsOfService"].get<std::string>() + " (pass --acme-agree-tos)");
    nlohmann::json payload{{"termsOfServiceAgreed", settings_.agree_tos}};
    if (!settings_.email.empty()) payload["contact"] = {"mailto:" + settings_.email};
    std::string new_account = transport.endpoint("newAccount");
    if (!settings_.eab_kid.empty())
      payload["externalAccountBinding"] = external_account_binding(
          session_->account_key.get(), settings_.eab_kid, settings_.eab_hmac, new_account);
    HttpResponse r = transport.post(new_account, payload, /*with_jwk=*/true);
    auto location = r.header("location");
    if (!location)
      throw_operation_error("create ACME account at", new_account, "no Location header");
    session_->account_url = *location;
    transport.set_account(session_->account_key.get(), session_->account_url);
    write_file_atomically(
        dir / "account.json",
        nlohmann::json{{"url", *location}, {"directory", settings_.directory}}.dump(2) + "\n",
        with_mode(0600));
  }
  return *session_;
}

IssuedCertificate AcmeIssuer::issue(const IssuanceRequest& request) {
  session();
  if (!session_->solver) {
    if (settings_.tls_alpn01_port)
      session_->solver = std::make_unique<TlsAlpnResponder>(settings_.tls_alpn01_address,
                                                            settings_.tls_alpn01_port);
    else if (!settings_.rfc2136_server.empty())
      session_->solver = std::make_unique<Rfc2136Update>(
          settings_.rfc2136_server, settings_.rfc2136_port, settings_.rfc2136_key_file);
    else if (!settings_.dns01_hook.empty())
      session_->solver = std::make_unique<Dns01Hook>(settings_.dns01_hook);
    else if (!settings_.webroot.empty())
      session_->solver = std::make_unique<WebrootWriter>(settings_.webroot);
    else
      session_->solver =
          std::make_unique<Http01Responder>(settings_.http01_address, settings_.http01_port);
  }
  Transport& transport = session_->transport;
  ChallengeSolver& solver = *session_->solver;
  std::string thumbprint = jwk_thumbprint(session_->account_key.get());

  nlohmann::json identifiers = nlohmann::json::array();
  for (const auto& dns : request.identities.dns_ids)
    identifiers.push_back({{"type", "dns"}, {"value", dns}});
  std::string new_order = transport.endpoint("newOrder");
  nlohmann::json order_request{{"identifiers", identifiers}};
  if (!settings_.profile.empty())
    order_request["profile"] = checked_profile(transport.directory(), settings_);
  const bool has_renewal_info = transport.directory().contains("renewalInfo");
  if (has_renewal_info && request.replaces)
    order_request["replaces"] = renewal_certificate_id(request.replaces);
  HttpResponse order_response = transport.post(new_order, order_request);
  auto order_url = order_response.header("location");
  if (!order_url) throw_operation_error("create order at", new_order, "no Location header");
  nlohmann::json order = nlohmann::json::parse(order_response.body);

  for (const auto& authz_url : order.at("authorizations")) {
    std::string url = authz_url.get<std::string>();
    nlohmann::json authz = nlohmann::json::parse(transport.post_as_get(url).body);
    if (authz.value("status", "") == "valid") continue;
    std::string domain = authz.at("identifier").at("value").get<std::string>();
    const nlohmann::json* challenge = nullptr;
    for (const auto& c : authz.at("challenges"))
      if (c.value("type", "") == solver.type()) challenge = &c;
    if (!challenge)
      throw_operation_error("authorize", domain,
                            "the CA offers no " + solver.type() + " challenge");
    std::string token = challenge->at("token").get<std::string>();
    std::string key_authorization = token + "." + thumbprint;
    solver.present(domain, token, key_authorization);
    try {
      transport.post(challenge->at("url").get<std::string>(), nlohmann::json::object());
      nlohmann::json result = poll_until(transport, url, {"pending", "processing"});
      if (result.value("status", "") != "valid") {
        std::string detail = "authorization " + result.value("status", "?");
        for (const auto& c : result.value("challenges", nlohmann::json::array()))
          if (c.contains("error")) detail += " (" + problem_detail(c) + ")";
        throw_operation_error("authorize", domain, detail);
      }
    } catch (...) {
      solver.cleanup(domain, token, key_authorization);
      throw;
    }
    solver.cleanup(domain, token, key_authorization);
  }

  transport.post(order.at("finalize").get<std::string>(),
                 {{"csr", base64url_encode(csr_der(request.csr))}});
  order = poll_until(transport, *order_url, {"pending", "ready", "processing"});
  if (order.value("status", "") != "valid")
    throw_operation_error(
        "finalize order", *order_url,
        "status " + order.value("status", "?") + " (" + problem_detail(order) + ")");
  std::string certificate_url = order.at("certificate").get<std::string>();
  HttpResponse download = transport.post_as_get(certificate_url);
  std::vector<X509Ptr> chain = parse_certificate_chain(download.body, certificate_url);
  if (!settings_.preferred_chain.empty() && top_issuer_cn(chain) != settings_.preferred_chain)
    chain = preferred_alternate(transport, download, std::move(chain), settings_.preferred_chain,
                                request.name);
  IssuedCertificate issued;
  issued.cert_pem = certificate_pem(chain.front().get());
  for (size_t i = 1; i < chain.size(); ++i) issued.chain_pem += certificate_pem(chain[i].get());
  if (has_renewal_info)
    issued.renew_after = renewal_time_from_ca(transport, chain.front().get(), request.name);
  return issued;
}

void AcmeIssuer::roll_over_account_key() {
  Session& s = session();
  PKeyPtr new_key = generate_private_key(KeyType::kEcP256);
  std::string url = s.transport.endpoint("keyChange");
  nlohmann::json inner_payload{{"account", s.account_url},
                               {"oldKey", public_jwk(s.account_key.get())}};
  std::string inner = sign_key_change(new_key.get(), url, inner_payload.dump());
  s.transport.post(url, nlohmann::json::parse(inner));
  // The CA now knows only the new key: keep the old one beside it until the new one is in place.
  auto key_path = account_dir() / "account.key";
  write_file_atomically(account_dir() / "account.key.previous", read_file(key_path),
                        with_mode(kPrivateKeyMode));
  write_file_atomically(key_path, private_key_pem(new_key.get()), with_mode(kPrivateKeyMode));
  s.account_key = std::move(new_key);
  s.transport.set_account(s.account_key.get(), s.account_url);
}

void AcmeIssuer::deactivate_account() {
  Session& s = session();
  s.transport.post(s.account_url, {{"status", "deactivated"}});
  std::filesystem::rename(account_dir() / "account.key", account_dir() / "account.key.deactivated");
  session_.reset();
}

void AcmeIssuer::revoke(X509* certificate, EVP_PKEY* certificate_key, int reason) {
  Transport& transport = session().transport;
  unsigned char* der = nullptr;
  int length = i2d_X509(certificate, &der);
  std::string der_text(reinterpret_cast<char*>(der), static_cast<size_t>(length));
  OPENSSL_free(der);
  nlohmann::json payload{{"certificate", base64url_encode(der_text)}, {"reason", reason}};
  std::string url = transport.endpoint("revokeCert");
  if (certificate_key) {
    // Signed by the certificate's key, with its JWK: works without the issuing account.
    transport.set_account(certificate_key, std::nullopt);
    try {
      transport.post(url, payload, /*with_jwk=*/true);
    } catch (...) {
      transport.set_account(session_->account_key.get(), session_->account_url);
      throw;
    }
    transport.set_account(session_->account_key.get(), session_->account_url);
  } else {
    transport.post(url, payload);
  }
}

}  // namespace xmppcert::acme

#include "ca/commands.h"

#include <condition_variable>
#include <iostream>
#include <mutex>
#include <nlohmann/json.hpp>
#include <stop_token>
#include <thread>

#include "ca/ca_config.h"
#include "ca/ca_keys.h"
#include "ca/log/log_list.h"
#include "ca/log/transparency_log.h"
#include "ca/ra/acme_service.h"
#include "ca/sa/open_storage.h"
#include "ca/state_dir.h"
#include "ca/wfe/https_server.h"
#include "cmdline/args.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"

namespace xmppcert::ca {
namespace {

using cmdline::parse_args;
using cmdline::parse_port;

constexpr std::chrono::minutes kCrlCheckInterval{10};

// What an admin needs next: the root to pin and the URL to give clients.
void print_root_and_directory(const std::filesystem::path& dir, const std::string& directory) {
  X509Ptr root = parse_certificate(load_root_pem(dir), (dir / "root.pem").string());
  std::cout << "root certificate: " << (dir / "root.pem").string() << "\n"
            << "root sha256 fingerprint: " << sha256_fingerprint(root.get()) << "\n"
            << "ACME directory: " << directory << std::endl;
}

// The three --pkcs11-* flags of init, all or none.
std::optional<TokenSettings> token_from_flags(const cmdline::ParsedArgs& args) {
  auto module = args.value("--pkcs11-module");
  auto token = args.value("--pkcs11-token");
  auto pin_file = args.value("--pkcs11-pin-file");
  if (!module && !token && !pin_file) return std::nullopt;
  if (!module || !token || !pin_file)
    throw UsageError(
        "init: a PKCS#11 token needs --pkcs11-module SO, --pkcs11-token LABEL and "
        "--pkcs11-pin-file FILE together");
  TokenSettings settings{*module, *token, std::filesystem::absolute(*pin_file).string()};
  read_token_pin(settings);  // checked before anything is made
  return settings;
}

void print_where_the_keys_are(const InitOptions& options) {
  if (options.token) {
    std::cout << "keys: in the PKCS#11 token \"" << options.token->token << "\" (module "
              << options.token->module << "), made there and not extractable: \"" << kRootKeyLabel
              << "\", \"" << kIntermediateKeyLabel << "\", \"" << kLogKeyLabel << "\", \""
              << kHttpsKeyLabel << "\"; PIN from " << options.token->pin_file
              << "; no private key in " << options.state_dir.string() << "\n";
    return;
  }
  std::cout << "keys: files in " << options.state_dir.string()
            << " (root.key, intermediate.key, log.key, https.key, mode 0600); to keep them in a "
               "PKCS#11 token instead, see xmppcert-ca(8), KEYS IN A TOKEN\n";
}

}  // namespace

std::pair<std::string, int> split_host_port(const std::string& text, const std::string& what) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw UsageError(what + ": expected ADDR:PORT, got \"" + text + "\"");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, parse_port(text.substr(colon + 1), what)};
}

std::filesystem::path state_dir(const cmdline::ParsedArgs& args, const char* command) {
  auto dir = args.value("--state-dir");
  if (!dir) throw UsageError(std::string(command) + ": --state-dir DIR is required");
  return std::filesystem::absolute(*dir);
}

nlohmann::json read_config(const std::optional<std::string>& path) {
  if (!path) return nlohmann::json::object();
  nlohmann::json config = nlohmann::json::parse(read_file(*path), nullptr, false, true);
  if (!config.is_object()) throw UsageError(*path + ": not a JSON object");
  return config;
}

std::unique_ptr<Storage> open_configured_storage(const cmdline::ParsedArgs& args,
                                                 const std::filesystem::path& dir) {
  auto path = args.value("--config");
  return open_storage(read_storage_config(read_config(path), path.value_or("")), dir);
}

int run_renew_now(const std::vector<std::string>& raw) {
  auto args =
      parse_args("renew-now", raw, {{"--state-dir", true}, {"--config", true}, {"--within", true}});
  auto dir = state_dir(args, "renew-now");
  load_issuing_ca(dir);  // a CA must be there
  auto within = parse_duration(args.value("--within").value_or("1h"));
  std::time_t now = std::time(nullptr);
  auto storage = open_configured_storage(args, dir);
  storage->set_renewal_override({now, now, now + static_cast<std::time_t>(within.count())});
  long long moved = 0;
  for (const auto& cert : storage->certificates())
    moved += cert.revoked_at == 0 && cert.not_after > now && cert.issued <= now;
  std::cout << "moved " << moved << " certificate" << (moved == 1 ? "" : "s")
            << " (issued so far, neither revoked nor expired)\n";
  std::cout << "renewalInfo now asks every certificate issued so far to renew by "
            << format_utc(now + within.count()) << "\n"
            << "agents see it at their next renewalInfo poll: at the latest "
            << format_utc(now + kDefaultAriRetryAfter)
            << " with the default \"ari_retry_after\" (1h; the serve config's value otherwise); "
               "hosts that renew from the timer see it at its next run (`xmppcert renew` asks "
               "renewalInfo), or at once with `xmppcert renew` or `systemctl reload xmppcertd`\n";
  return 0;
}

int run_init(const std::vector<std::string>& raw) {
  auto args = parse_args("init", raw,
                         {{"--state-dir", true},
                          {"--hostname", true},
                          {"--config", true},
                          {"--permitted-domain", true, true},
                          {"--pkcs11-module", true},
                          {"--pkcs11-token", true},
                          {"--pkcs11-pin-file", true}});
  InitOptions options;
  options.state_dir = state_dir(args, "init");
  if (!args.value("--hostname")) throw UsageError("init: --hostname H is required");
  options.hostname = *args.value("--hostname");
  options.permitted_domains = args.values("--permitted-domain");
  options.token = token_from_flags(args);
  auto config_path = args.value("--config");
  nlohmann::json config = read_config(config_path);
  StorageConfig storage = read_storage_config(config, config_path.value_or(""));
  init_ca(options);
  if (!options.token) ctlog::load_or_create_log_key(options.state_dir, false);  // the log's
  std::cout << "created the foundation CA in " << options.state_dir.string() << "\n";
  print_where_the_keys_are(options);
  // The CA's records go where serve will look for them: the schema is made now.
  std::cout << migrate_storage(storage, options.state_dir) << "\n";
  std::string port = "PORT";
  if (config.contains("listen") && config["listen"].is_string()) {
    std::string listen = config["listen"];
    port = listen.substr(listen.rfind(':') + 1);
  }
  std::string host = options.hostname.find(':') != std::string::npos ? "[" + options.hostname + "]"
                                                                     : options.hostname;
  print_root_and_directory(options.state_dir,
                           "https://" + host + ":" + port + "/directory" +
                               (port == "PORT" ? " (PORT: serve --listen)" : ""));
  return 0;
}

int run_log_list(const std::vector<std::string>& raw) {
  auto args = parse_args("log-list", raw, {{"--state-dir", true}, {"--url", true}});
  auto dir = state_dir(args, "log-list");
  IssuingCa ca = load_issuing_ca(dir);
  std::string url = args.value("--url").value_or(ctlog::recorded_log_url(dir));
  if (url.empty())
    throw UsageError(
        "log-list " + dir.string() +
        ": the log's URL is not known yet (serve once, or give --url https://H:PORT/)");
  ctlog::LogKey key = ca.log_key ? ctlog::log_key_of(std::move(ca.log_key), ca.token->name())
                                 : ctlog::load_or_create_log_key(dir);
  std::cout << ctlog::log_list(key, ca.hostname, url, TransparencyLog::kMaximumMergeDelaySeconds,
                               std::time(nullptr))
                   .dump(2)
            << "\n";
  return 0;
}

int run_root(const std::vector<std::string>& raw) {
  auto args = parse_args("root", raw, {{"--state-dir", true}});
  std::cout << load_root_pem(state_dir(args, "root"));
  return 0;
}

int run_serve(const std::vector<std::string>& raw) {
  auto args = parse_args("serve", raw,
                         {{"--state-dir", true},
                          {"--listen", true},
                          {"--config", true},
                          {"--validation-http-port", true},
                          {"--validation-tls-port", true},
                          {"--resolver", true},
                          {"--lifetime", true}});
  auto dir = state_dir(args, "serve");
  auto config_path = args.value("--config");
  CaConfig config = load_ca_config(config_path ? std::optional<std::filesystem::path>(*config_path)
                                               : std::nullopt);
  auto setting = [&](const char* flag, const std::optional<std::string>& from_config) {
    auto value = args.value(flag);
    return value ? value : from_config;
  };
  auto listen = setting("--listen", config.listen);
  if (!listen) throw UsageError("serve: --listen ADDR:PORT is required");
  auto [address, port] = split_host_port(*listen, "serve: --listen");

  IssuingCa ca = load_issuing_ca(dir);
  ValidationOptions validation;
  if (auto p = setting("--validation-http-port", config.validation_http_port))
    validation.http_port = parse_port(*p, "serve: --validation-http-port");
  if (auto p = setting("--validation-tls-port", config.validation_tls_port))
    validation.tls_port = parse_port(*p, "serve: --validation-tls-port");
  if (auto resolver = setting("--resolver", config.resolver)) {
    split_host_port(*resolver, "serve: --resolver");
    validation.resolver = *resolver;
  }
  validation.caa_identity = config.caa_identity.value_or(ca.hostname);
  validation.networks = config.validation_networks;
  if (config.validation_timeout)
    validation.timeout = std::chrono::duration_cast<std::chrono::milliseconds>(
        parse_duration(*config.validation_timeout));

  ServiceOptions service_options;
  std::string host =
      ca.hostname.find(':') != std::string::npos ? "[" + ca.hostname + "]" : ca.hostname;
  service_options.base_url = "https://" + host + ":" + std::to_string(port);
  // Behind a load balancer every instance names the one URL clients use (and sign).
  if (config.base_url) {
    service_options.base_url = *config.base_url;
    while (service_options.base_url.ends_with("/")) service_options.base_url.pop_back();
  }
  if (auto lifetime = setting("--lifetime", config.lifetime))
    service_options.lifetime = parse_duration(*lifetime);
  service_options.eab_required = config.eab_required;
  service_options.eab_keys = config.eab_keys;
  service_options.omit_xmpp_addr = config.xmpp_addr == "omit";
  if (config.ari_retry_after)
    service_options.ari_retry_after =
        static_cast<int>(parse_duration(*config.ari_retry_after).count());
  service_options.certificates_per_account_per_hour =
      static_cast<int>(config.certificates_per_account_per_hour.value_or(
          service_options.certificates_per_account_per_hour));
  service_options.failed_validations_per_account_per_hour =
      static_cast<int>(config.failed_validations_per_account_per_hour.value_or(
          service_options.failed_validations_per_account_per_hour));
  service_options.certificates_per_registered_domain_per_week =
      static_cast<int>(config.certificates_per_registered_domain_per_week.value_or(
          service_options.certificates_per_registered_domain_per_week));
  service_options.registered_domain_suffixes = config.registered_domain_suffixes;
  service_options.reusable_eab_keys = {config.reusable_eab_keys.begin(),
                                       config.reusable_eab_keys.end()};
  auto& queue = service_options.validations;
  queue.threads = static_cast<int>(config.validation_threads.value_or(queue.threads));
  queue.per_account = static_cast<int>(config.validations_per_account.value_or(queue.per_account));
  queue.per_target = static_cast<int>(config.validations_per_target.value_or(queue.per_target));

  make_state_dir_private(dir);
  service_options.shared_nonces = !config.storage.postgresql.empty();
  auto storage = open_storage(config.storage, dir);
  Validator validator(validation);
  TransparencyLog log(dir, *storage, ca);
  ctlog::record_log_url(dir, service_options.base_url + "/");
  std::vector<notary::NotaryEndpoint> endpoints;
  for (const auto& one : config.notaries) endpoints.push_back({one.url, one.key_sha256});
  notary::NotaryClient notaries(endpoints, static_cast<int>(config.notary_quorum.value_or(0)), ca);
  if (!notaries.empty()) service_options.notaries = &notaries;
  AcmeService service(service_options, ca, *storage, validator, log);
  // The CRL is signed again a day after the last one, whether or not anybody fetched it,
  // by whichever instance on the database gets the signer's lock first.
  std::jthread crl_refresher([&service](std::stop_token stop) {
    std::mutex mutex;
    std::condition_variable_any wake;
    std::unique_lock lock(mutex);
    while (!stop.stop_requested()) {
      wake.wait_for(lock, stop, kCrlCheckInterval, [] { return false; });
      if (stop.stop_requested()) break;
      try {
        service.refresh_crl_if_due(false);
      } catch (const std::exception& error) {  // the database is away: the next round retries
        log_line("xmppcert-ca", std::string("refresh the CRL: ") + error.what());
      }
    }
  });
  print_root_and_directory(dir, service_options.base_url + "/directory");
  HttpsServerOptions server;
  server.address = address;
  server.port = port;
  server.cert_file = https_cert_path(dir).string();
  server.key_file = https_key_path(dir).string();
  server.key = ca.https_key.get();
  server.caps.total = static_cast<int>(config.max_connections.value_or(0));
  server.caps.per_address = static_cast<int>(config.max_connections_per_address.value_or(0));
  serve_https(server, [&](const WebRequest& request) {
    return request.target.starts_with("/ct/v1/") ? log.handle(request) : service.handle(request);
  });
  return 0;
}

}  // namespace xmppcert::ca

#include "ca/commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "ca/acme_service.h"
#include "ca/ca_keys.h"
#include "ca/https_server.h"
#include "ca/sa/open_storage.h"
#include "cmdline/args.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::ca {
namespace {

using cmdline::parse_args;
using cmdline::parse_port;

// "ADDR:PORT" or "[v6]:PORT".
std::pair<std::string, int> split_host_port(const std::string& text, const std::string& what) {
  size_t colon = text.rfind(':');
  if (colon == std::string::npos || colon == 0)
    throw UsageError(what + ": expected ADDR:PORT, got \"" + text + "\"");
  std::string host = text.substr(0, colon);
  if (host.size() > 2 && host.front() == '[' && host.back() == ']')
    host = host.substr(1, host.size() - 2);
  return {host, parse_port(text.substr(colon + 1), what)};
}

// What an admin needs next: the root to pin and the URL to give clients.
void print_root_and_directory(const std::filesystem::path& dir, const std::string& directory) {
  X509Ptr root = parse_certificate(load_root_pem(dir), (dir / "root.pem").string());
  std::cout << "root certificate: " << (dir / "root.pem").string() << "\n"
            << "root sha256 fingerprint: " << sha256_fingerprint(root.get()) << "\n"
            << "ACME directory: " << directory << std::endl;
}

// "eab", "rate_limits", "ari_retry_after" of the config file.
void apply_service_config(const nlohmann::json& config, ServiceOptions& options) {
  if (config.contains("eab")) {
    const auto& eab = config["eab"];
    if (!eab.is_object()) throw UsageError("serve: config \"eab\" must be an object");
    options.eab_required = eab.value("required", false);
    const nlohmann::json keys = eab.value("keys", nlohmann::json::object());
    for (const auto& [kid, key] : keys.items()) {
      if (!key.is_string()) throw UsageError("serve: config eab key " + kid + " is not a string");
      options.eab_keys[kid] = base64url_decode(key.get<std::string>(), "eab key " + kid);
    }
    if (options.eab_required && options.eab_keys.empty())
      throw UsageError("serve: config eab.required without eab.keys");
  }
  if (config.contains("ari_retry_after"))
    options.ari_retry_after =
        static_cast<int>(parse_duration(config["ari_retry_after"].get<std::string>()).count());
  if (config.contains("rate_limits")) {
    const auto& limits = config["rate_limits"];
    options.certificates_per_account_per_hour = limits.value(
        "certificates_per_account_per_hour", options.certificates_per_account_per_hour);
    options.failed_validations_per_account_per_hour = limits.value(
        "failed_validations_per_account_per_hour", options.failed_validations_per_account_per_hour);
  }
}

}  // namespace

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
            << format_utc(now + within.count()) << "\n";
  return 0;
}

int run_init(const std::vector<std::string>& raw) {
  auto args = parse_args("init", raw,
                         {{"--state-dir", true},
                          {"--hostname", true},
                          {"--config", true},
                          {"--permitted-domain", true, true}});
  InitOptions options;
  options.state_dir = state_dir(args, "init");
  if (!args.value("--hostname")) throw UsageError("init: --hostname H is required");
  options.hostname = *args.value("--hostname");
  options.permitted_domains = args.values("--permitted-domain");
  auto config_path = args.value("--config");
  nlohmann::json config = read_config(config_path);
  StorageConfig storage = read_storage_config(config, config_path.value_or(""));
  init_ca(options);
  std::cout << "created the foundation CA in " << options.state_dir.string() << "\n";
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
  nlohmann::json config = read_config(args.value("--config"));
  auto setting = [&](const char* flag, const char* key) -> std::optional<std::string> {
    if (auto value = args.value(flag)) return value;
    if (config.contains(key)) {
      const auto& value = config[key];
      return value.is_string() ? value.get<std::string>() : value.dump();
    }
    return std::nullopt;
  };
  auto listen = setting("--listen", "listen");
  if (!listen) throw UsageError("serve: --listen ADDR:PORT is required");
  auto [address, port] = split_host_port(*listen, "serve: --listen");

  IssuingCa ca = load_issuing_ca(dir);
  ValidationOptions validation;
  if (auto p = setting("--validation-http-port", "validation_http_port"))
    validation.http_port = parse_port(*p, "serve: --validation-http-port");
  if (auto p = setting("--validation-tls-port", "validation_tls_port"))
    validation.tls_port = parse_port(*p, "serve: --validation-tls-port");
  if (auto resolver = setting("--resolver", "resolver")) {
    split_host_port(*resolver, "serve: --resolver");
    validation.resolver = *resolver;
  }
  validation.caa_identity = config.value("caa_identity", ca.hostname);

  ServiceOptions service_options;
  std::string host =
      ca.hostname.find(':') != std::string::npos ? "[" + ca.hostname + "]" : ca.hostname;
  service_options.base_url = "https://" + host + ":" + std::to_string(port);
  // Behind a load balancer every instance names the one URL clients use (and sign).
  if (config.contains("base_url")) {
    if (!config["base_url"].is_string() ||
        !config["base_url"].get<std::string>().starts_with("https://"))
      throw UsageError("serve: config \"base_url\" must be a string like https://ca.example:443");
    service_options.base_url = config["base_url"];
    while (service_options.base_url.ends_with("/")) service_options.base_url.pop_back();
  }
  if (auto lifetime = setting("--lifetime", "lifetime"))
    service_options.lifetime = parse_duration(*lifetime);
  apply_service_config(config, service_options);

  StorageConfig storage_config = read_storage_config(config, args.value("--config").value_or(""));
  service_options.shared_nonces = !storage_config.postgresql.empty();
  auto storage = open_storage(storage_config, dir);
  Validator validator(validation);
  AcmeService service(service_options, ca, *storage, validator);
  print_root_and_directory(dir, service_options.base_url + "/directory");
  HttpsServerOptions server;
  server.address = address;
  server.port = port;
  server.cert_file = https_cert_path(dir).string();
  server.key_file = https_key_path(dir).string();
  serve_https(server, [&](const WebRequest& request) { return service.handle(request); });
  return 0;
}

}  // namespace xmppcert::ca

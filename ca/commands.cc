#include "ca/commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "ca/acme_service.h"
#include "ca/ca_keys.h"
#include "ca/https_server.h"
#include "ca/log/log_list.h"
#include "ca/log/transparency_log.h"
#include "cmdline/args.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::ca {
namespace {

using cmdline::parse_args;
using cmdline::parse_port;

std::filesystem::path state_dir(const cmdline::ParsedArgs& args, const char* command) {
  auto dir = args.value("--state-dir");
  if (!dir) throw UsageError(std::string(command) + ": --state-dir DIR is required");
  return std::filesystem::absolute(*dir);
}

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

nlohmann::json read_config(const std::optional<std::string>& path) {
  if (!path) return nlohmann::json::object();
  nlohmann::json config = nlohmann::json::parse(read_file(*path), nullptr, false, true);
  if (!config.is_object()) throw UsageError("serve: " + *path + ": not a JSON object");
  return config;
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

int run_renew_now(const std::vector<std::string>& raw) {
  auto args = parse_args("renew-now", raw, {{"--state-dir", true}, {"--within", true}});
  auto dir = state_dir(args, "renew-now");
  load_issuing_ca(dir);  // a CA must be there
  auto within = parse_duration(args.value("--within").value_or("1h"));
  std::time_t now = std::time(nullptr);
  Storage storage(dir / "ca.db");
  storage.set_renewal_override({now, now, now + static_cast<std::time_t>(within.count())});
  std::cout << "renewalInfo now asks every certificate issued so far to renew by "
            << format_utc(now + within.count()) << "\n";
  return 0;
}

int run_init(const std::vector<std::string>& raw) {
  auto args =
      parse_args("init", raw,
                 {{"--state-dir", true}, {"--hostname", true}, {"--permitted-domain", true, true}});
  InitOptions options;
  options.state_dir = state_dir(args, "init");
  if (!args.value("--hostname")) throw UsageError("init: --hostname H is required");
  options.hostname = *args.value("--hostname");
  options.permitted_domains = args.values("--permitted-domain");
  init_ca(options);
  ctlog::load_or_create_log_key(options.state_dir, false);  // the transparency log's
  std::cout << "created the foundation CA in " << options.state_dir.string() << "\n";
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
  ctlog::LogKey key = ctlog::load_or_create_log_key(dir);
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
  if (auto lifetime = setting("--lifetime", "lifetime"))
    service_options.lifetime = parse_duration(*lifetime);
  apply_service_config(config, service_options);

  Storage storage(dir / "ca.db");
  Validator validator(validation);
  TransparencyLog log(dir, storage, ca);
  ctlog::record_log_url(dir, service_options.base_url + "/");
  AcmeService service(service_options, ca, storage, validator, log);
  HttpsServerOptions server;
  server.address = address;
  server.port = port;
  server.cert_file = https_cert_path(dir).string();
  server.key_file = https_key_path(dir).string();
  serve_https(server, [&](const WebRequest& request) {
    return request.target.starts_with("/ct/v1/") ? log.handle(request) : service.handle(request);
  });
  return 0;
}

}  // namespace xmppcert::ca

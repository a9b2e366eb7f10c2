#include "ca/commands.h"

#include <iostream>
#include <nlohmann/json.hpp>

#include "ca/acme_service.h"
#include "ca/ca_config.h"
#include "ca/ca_keys.h"
#include "ca/https_server.h"
#include "ca/state_dir.h"
#include "cli/args.h"
#include "engine/clock.h"
#include "engine/encoding.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::ca {
namespace {

using cli::parse_args;
using cli::parse_port;

std::filesystem::path state_dir(const cli::ParsedArgs& args, const char* command) {
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
  std::cout << "created the foundation CA in " << options.state_dir.string() << "\n";
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
  if (auto lifetime = setting("--lifetime", config.lifetime))
    service_options.lifetime = parse_duration(*lifetime);
  service_options.eab_required = config.eab_required;
  service_options.eab_keys = config.eab_keys;
  if (config.ari_retry_after)
    service_options.ari_retry_after =
        static_cast<int>(parse_duration(*config.ari_retry_after).count());
  service_options.certificates_per_account_per_hour =
      static_cast<int>(config.certificates_per_account_per_hour.value_or(
          service_options.certificates_per_account_per_hour));
  service_options.failed_validations_per_account_per_hour =
      static_cast<int>(config.failed_validations_per_account_per_hour.value_or(
          service_options.failed_validations_per_account_per_hour));
  auto& queue = service_options.validations;
  queue.threads = static_cast<int>(config.validation_threads.value_or(queue.threads));
  queue.per_account = static_cast<int>(config.validations_per_account.value_or(queue.per_account));
  queue.per_target = static_cast<int>(config.validations_per_target.value_or(queue.per_target));

  make_state_dir_private(dir);
  Storage storage(dir / "ca.db");
  Validator validator(validation);
  AcmeService service(service_options, ca, storage, validator);
  HttpsServerOptions server;
  server.address = address;
  server.port = port;
  server.cert_file = https_cert_path(dir).string();
  server.key_file = https_key_path(dir).string();
  server.caps.total = static_cast<int>(config.max_connections.value_or(0));
  server.caps.per_address = static_cast<int>(config.max_connections_per_address.value_or(0));
  serve_https(server, [&](const WebRequest& request) { return service.handle(request); });
  return 0;
}

}  // namespace xmppcert::ca

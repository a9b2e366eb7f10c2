#include "ca/notary/notary_commands.h"

#include <iostream>

#include "ca/commands.h"
#include "ca/notary/notary_keys.h"
#include "ca/notary/notary_protocol.h"
#include "ca/notary/notary_service.h"
#include "ca/state_dir.h"
#include "ca/wfe/https_server.h"
#include "cmdline/args.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"

namespace xmppcert::ca::notary {

const char* const kNotaryUsage =
    R"(usage: xmppcert-ca notary init --state-dir DIR
       xmppcert-ca notary serve --state-dir DIR --listen ADDR:PORT --ca-root ROOT.pem
                          [--resolver ADDR:PORT] [--validation-http-port P]
                          [--validation-tls-port P] [--validation-networks CIDR]...
                          [--validation-timeout DURATION] [--max-concurrent N]
                          [--per-ca-per-minute N]

A notary validates a domain from its own network for the CA whose root is ROOT.pem, so that
no single network position can obtain a certificate. `init` creates the notary's key in DIR
and prints its key_sha256, which the CA's operator adds to the CA's config:
  "notaries": [{"url": "https://ADDR:PORT", "key_sha256": "..."}]
`serve` answers https://ADDR:PORT/notary/v1/validate: only requests signed by a CA
certificate chained to ROOT.pem, fresh and never seen before; only global unicast targets
unless --validation-networks names others; every answer signed by the notary's key.
)";

namespace {

using cmdline::parse_args;
using cmdline::parse_port;

int run_init(const std::vector<std::string>& raw) {
  auto args = parse_args("notary init", raw, {{"--state-dir", true}});
  auto dir = state_dir(args, "notary init");
  std::string digest = init_notary(dir);
  std::cout << "created the notary key in " << key_path(dir).string() << "\n"
            << "key_sha256: " << digest << "\n";
  return 0;
}

int run_serve(const std::vector<std::string>& raw) {
  auto args = parse_args("notary serve", raw,
                         {{"--state-dir", true},
                          {"--listen", true},
                          {"--ca-root", true},
                          {"--resolver", true},
                          {"--validation-http-port", true},
                          {"--validation-tls-port", true},
                          {"--validation-networks", true, true},
                          {"--validation-timeout", true},
                          {"--max-concurrent", true},
                          {"--per-ca-per-minute", true}});
  auto dir = state_dir(args, "notary serve");
  auto listen = args.value("--listen");
  if (!listen) throw UsageError("notary serve: --listen ADDR:PORT is required");
  auto [address, port] = split_host_port(*listen, "notary serve: --listen");
  auto root = args.value("--ca-root");
  if (!root) throw UsageError("notary serve: --ca-root ROOT.pem is required");
  NotaryOptions options;
  auto& validation = options.validation;
  if (auto p = args.value("--validation-http-port"))
    validation.http_port = parse_port(*p, "notary serve: --validation-http-port");
  if (auto p = args.value("--validation-tls-port"))
    validation.tls_port = parse_port(*p, "notary serve: --validation-tls-port");
  if (auto resolver = args.value("--resolver")) {
    split_host_port(*resolver, "notary serve: --resolver");
    validation.resolver = *resolver;
  }
  validation.networks = args.values("--validation-networks");
  if (auto timeout = args.value("--validation-timeout"))
    validation.timeout =
        std::chrono::duration_cast<std::chrono::milliseconds>(parse_duration(*timeout));
  auto count = [&](const char* flag, int fallback) {
    auto text = args.value(flag);
    if (!text) return fallback;
    try {
      int value = std::stoi(*text);
      if (value >= 1 && value <= 100000) return value;
    } catch (const std::exception&) {
    }
    throw UsageError(std::string("notary serve: ") + flag + ": expected 1 to 100000, got \"" +
                     *text + "\"");
  };
  options.max_concurrent = count("--max-concurrent", options.max_concurrent);
  options.per_ca_per_minute = count("--per-ca-per-minute", options.per_ca_per_minute);

  PKeyPtr key = load_notary_key(dir);
  std::string digest = key_sha256(key.get());
  NotaryService service(options, std::move(key), read_file(*root));
  make_state_dir_private(dir);
  HttpsServerOptions server;
  server.address = address;
  server.port = port;
  server.cert_file = cert_path(dir).string();
  server.key_file = key_path(dir).string();
  log_line("xmppcert-ca notary", "serving https://" + *listen + kValidatePath + " for the CA of " +
                                     *root + "; key_sha256 " + digest);
  serve_https(server, [&](const WebRequest& request) { return service.handle(request); });
  return 0;
}

}  // namespace

int run_notary(const std::vector<std::string>& args) {
  if (args.empty()) throw UsageError("notary: expected init or serve (xmppcert-ca notary --help)");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (args[0] == "init") return run_init(rest);
  if (args[0] == "serve") return run_serve(rest);
  throw UsageError("notary: unknown subcommand \"" + args[0] + "\" (expected init or serve)");
}

}  // namespace xmppcert::ca::notary

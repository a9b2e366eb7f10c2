// xmppcert enroll: obtain (or bring up to date) the certificate for one domain, or for every
// certificate of the config file.
#include <cstdlib>
#include <iostream>

#include "cli/commands.h"
#include "cli/renewal_run.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::cli {
extern const char* const kEnrollUsage = R"(usage: xmppcert enroll [DOMAIN] [options]

Obtains a certificate carrying every XMPP identity of DOMAIN and its components (DNS-ID,
SRV-IDs _xmpp-client./_xmpp-server., XmppAddr), stores it and installs it. Without DOMAIN,
enrolls every certificate of --config, or with --server every domain and component the
server's config serves. A certificate that exists and is not due is left as it is (use
--force to re-issue).

server (install, reload, then verify over STARTTLS that the new certificate is served; on
failure the previous one is put back):
  --server NAME         prosody, ejabberd, jabberd2, jabberd14 (settings: see README)
  --server-config PATH  the server's config (default: the Debian package's); its
                        VirtualHosts/hosts and components are added to the certificate
  --edit-config         when the server's config does not load the installed files yet,
                        add the lines (a backup is kept beside it) instead of printing them

options:
  --component NAME      a component (conference, upload, or a full name); repeatable
  --name NAME           the certificate's name in the store (default: DOMAIN in A-labels)
  --issuer NAME         issuer (default: local, the embedded CA)
  --key-type TYPE       ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096
  --validity DURATION   requested lifetime, e.g. 90d, 12h, 10m (default 90d)
  --reuse-key           keep the private key on renewal (DANE 3 1 1)
  --no-xmpp-addr        leave out the XmppAddr names: peers running ejabberd 23.01
                        (Debian 12) fail s2s with a certificate that carries them

ACME (--issuer acme, or foundation with its directory in the config):
  --acme-directory URL  the CA's directory (https://)
  --acme-trust PEM      trust only this CA bundle for the ACME server's HTTPS
  --acme-agree-tos      agree to the CA's terms of service
  --acme-email ADDR     account contact
  --acme-eab-kid K --acme-eab-hmac-file FILE   external account binding: FILE holds the
                        HMAC key (base64url); or set XMPPCERT_EAB_HMAC (--acme-eab-hmac KEY
                        is refused: in argv every local user can read it)
  --http01-address A --http01-port P   built-in http-01 responder (default 0.0.0.0:80)
  --acme-preferred-chain CN  pick the alternate chain whose top issuer has this CN
  --webroot DIR         answer http-01 by writing files under DIR instead
  --dns01-hook PROG     answer dns-01 by running PROG add|del FQDN VALUE
  --dns01-rfc2136 HOST[:PORT] [--dns01-rfc2136-key FILE]
                        answer dns-01 by RFC 2136 dynamic update (nsupdate, TSIG key file)
  --tls-alpn01-address A --tls-alpn01-port P   answer tls-alpn-01 (RFC 8737) with the
                        built-in responder instead
  --force               issue even when the current certificate is not due (and allow
                        dropping names, as --replace-request)
  --replace-request     let this request replace the stored one even when it drops names
                        (not needed for names the installed server's config stopped serving)
                        (without it, an enroll that leaves out a stored name is refused)
  --dry-run             preflight: print the plan (names, issuer, validity, files with
                        owner and mode, reload argv, STARTTLS probe ports, missing
                        server-config lines) and check what costs nothing at the CA
                        (ACME directory reachable, challenge port free, webroot and
                        install folders writable, configs readable); write nothing;
                        exit 1 naming a failed check
  --config FILE         JSON config (comments allowed); flags override its entry
  --state-dir DIR       state directory (default /var/lib/xmppcert)
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 ok, 1 operation failed (previous certificate kept), 2 usage or config error
)";

namespace {

// The --acme-* flags fill the same keys as the config's "acme" object.
void apply_acme_flags(const ParsedArgs& args, nlohmann::json& settings) {
  const std::pair<const char*, const char*> strings[] = {
      {"--acme-directory", "directory"},
      {"--acme-trust", "trust"},
      {"--acme-email", "email"},
      {"--acme-eab-kid", "eab_kid"},
      {"--http01-address", "http01_address"},
      {"--webroot", "webroot"},
      {"--acme-preferred-chain", "preferred_chain"},
      {"--dns01-rfc2136-key", "rfc2136_key_file"},
      {"--tls-alpn01-address", "tls_alpn01_address"}};
  for (const auto& [flag, key] : strings)
    if (auto value = args.value(flag)) settings[key] = *value;
  if (args.has("--acme-eab-hmac"))
    throw UsageError(
        "enroll: --acme-eab-hmac puts the secret in argv, readable by every local user in "
        "/proc; use --acme-eab-hmac-file FILE or the environment variable XMPPCERT_EAB_HMAC");
  if (auto file = args.value("--acme-eab-hmac-file")) {
    std::string key;
    try {
      key = read_file(*file);
    } catch (const OperationError& e) {
      throw UsageError(std::string("enroll: --acme-eab-hmac-file: ") + e.what());
    }
    settings["eab_hmac"] = key.substr(0, key.find_last_not_of(" \t\r\n") + 1);
  } else if (const char* key = std::getenv("XMPPCERT_EAB_HMAC");
             key && *key && args.has("--acme-eab-kid")) {
    settings["eab_hmac"] = std::string(key);
  }
  if (args.has("--acme-agree-tos")) settings["agree_tos"] = true;
  if (auto hook = args.value("--dns01-hook")) settings["dns01_hook"] = {*hook};
  if (auto server = args.value("--dns01-rfc2136")) {  // HOST or HOST:PORT
    size_t colon = server->rfind(':');
    settings["rfc2136_server"] = server->substr(0, colon);
    if (colon != std::string::npos)
      settings["rfc2136_port"] = parse_port(server->substr(colon + 1), "enroll: --dns01-rfc2136");
  }
  if (auto port = args.value("--tls-alpn01-port"))
    settings["tls_alpn01_port"] = parse_port(*port, "enroll: --tls-alpn01-port");
  if (auto port = args.value("--http01-port"))
    settings["http01_port"] = parse_port(*port, "enroll: --http01-port");
}

}  // namespace

int run_enroll(const Args& raw) {
  ParsedArgs args = parse_args("enroll", raw,
                               {{"--component", true, true},
                                {"--name", true},
                                {"--issuer", true},
                                {"--key-type", true},
                                {"--validity", true},
                                {"--reuse-key", false},
                                {"--no-xmpp-addr", false},
                                {"--acme-directory", true},
                                {"--acme-trust", true},
                                {"--acme-agree-tos", false},
                                {"--acme-email", true},
                                {"--acme-eab-kid", true},
                                {"--acme-eab-hmac", true},
                                {"--acme-eab-hmac-file", true},
                                {"--http01-address", true},
                                {"--http01-port", true},
                                {"--webroot", true},
                                {"--acme-preferred-chain", true},
                                {"--dns01-rfc2136", true},
                                {"--tls-alpn01-address", true},
                                {"--tls-alpn01-port", true},
                                {"--dns01-rfc2136-key", true},
                                {"--dns01-hook", true},
                                {"--server", true},
                                {"--server-config", true},
                                {"--edit-config", false},
                                {"--force", false},
                                {"--replace-request", false},
                                {"--dry-run", false},
                                kConfigOption,
                                kStateDirOption,
                                kLockWaitOption});
  if (args.positional().size() > 1) throw UsageError("enroll: one DOMAIN at most");
  Session session = open_session(args);

  std::vector<CertificateRequest> requests;
  if (args.has("--server-config") && !args.has("--server"))
    throw UsageError("enroll: --server-config needs --server NAME");
  if (args.positional().empty() && !args.has("--server")) {
    if (!session.config) throw UsageError("enroll: name a DOMAIN, --server NAME or --config FILE");
    for (const char* flag : {"--component", "--name", "--issuer", "--key-type", "--validity"})
      if (args.has(flag)) throw UsageError(std::string("enroll: ") + flag + " needs a DOMAIN");
    requests = session.config->certificates;
  } else {
    CertificateRequest request;
    const std::string domain = args.positional().empty() ? "" : args.positional().front();
    const CertificateRequest* configured =
        session.config && !domain.empty() ? session.config->find(domain) : nullptr;
    if (configured) {
      request = *configured;
    } else {
      if (session.config) request = session.config->defaults;
      if (!domain.empty()) {
        request.name = parse_domain(domain).ascii;
        request.domains = {domain};
      }
    }
    if (auto server = args.value("--server")) {
      request.install = InstallTarget{*server, nlohmann::json::object()};
      if (auto config = args.value("--server-config"))
        request.install->settings["config"] = fs::absolute(*config).string();
    }
    if (args.has("--edit-config")) {
      if (!request.install) throw UsageError("enroll: --edit-config needs --server NAME");
      request.install->settings["edit_config"] = true;
    }
    if (auto name = args.value("--name")) request.name = *name;
    auto components = args.values("--component");
    request.components.insert(request.components.end(), components.begin(), components.end());
    if (auto issuer = args.value("--issuer")) request.issuer = *issuer;
    if (auto key_type = args.value("--key-type")) request.key_type = parse_key_type(*key_type);
    if (auto validity = args.value("--validity")) request.validity = parse_validity(*validity);
    if (args.has("--reuse-key")) request.reuse_key = true;
    if (args.has("--no-xmpp-addr")) request.xmpp_addr = false;
    apply_acme_flags(args, request.issuer_settings);
    requests.push_back(request);
  }
  RunOptions options{args.has("--force"), args.has("--dry-run")};
  options.review_changes = true;
  options.replace_request = args.has("--force") || args.has("--replace-request");
  return run_certificates(session, requests, options);
}

}  // namespace xmppcert::cli

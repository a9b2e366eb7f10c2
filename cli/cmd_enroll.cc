// xmppcert enroll: obtain (or bring up to date) the certificate for one domain, or for every
// certificate of the config file.
#include <iostream>

#include "cli/commands.h"
#include "cli/renewal_run.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "plugins/registry.h"

namespace xmppcert::cli {
namespace {

const char* const kEnrollUsageHead = R"(usage: xmppcert enroll [DOMAIN] [options]

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
  --accept-discovered   sign the names found in a server config that the daemon's user
                        can write (stock Debian ejabberd.yml is ejabberd:ejabberd 0600),
                        also on renewals; check them first with --dry-run. Not needed
                        with an issuer that validates each name itself

options:
  --component NAME      a component (conference, upload, or a full name); repeatable
  --name NAME           the certificate's name in the store (default: DOMAIN in A-labels)
  --issuer NAME         issuer (default: local, the local CA in the state dir)
  --key-type TYPE       ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096
  --validity DURATION   requested lifetime, e.g. 90d, 12h, 10m (default 90d)
  --reuse-key           keep the private key on renewal (DANE 3 1 1)
  --no-xmpp-addr        leave out the XmppAddr names: peers running ejabberd 23.01
                        (Debian 12) fail s2s with a certificate that carries them

  --force               issue even when the current certificate is not due (and allow
                        dropping names, as --replace-request)
  --replace-request     let this request replace the stored one even when it drops names
                        (not needed for names the installed server's config stopped serving)
                        (without it, an enroll that leaves out a stored name is refused)
  --dry-run             preflight: print the plan (names, issuer, validity, files with
                        owner and mode, reload argv, STARTTLS probe ports, missing
                        server-config lines) and check what costs nothing at the CA
                        (the CA's directory reachable, challenge port free, webroot and
                        install folders writable, configs readable); write nothing;
                        exit 1 naming a failed check
  --config FILE         JSON config (comments allowed); flags override its entry
  --state-dir DIR       state directory (default /var/lib/xmppcert)
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)
)";

std::string enroll_usage() {
  std::string usage = kEnrollUsageHead;
  for (const auto* declaration : issuer_settings_declarations())
    usage += "\n" + setting_flags_help(declaration->help_heading, declaration->flags);
  return usage +
         "\nexit codes: 0 ok, 1 operation failed (previous certificate kept), 2 usage or config "
         "error\n";
}

}  // namespace

// Built at start-up from the issuers' declarations (constant data: no initialization order).
extern const char* const kEnrollUsage = [] {
  static const std::string usage = enroll_usage();
  return usage.c_str();
}();

namespace {

// The issuers' own flags (plugins/registry.cc) fill their settings, as the config would; a
// secret may come from the environment instead.
void apply_issuer_flags(const cmdline::ParsedArgs& args, nlohmann::json& settings) {
  for (const auto* declaration : issuer_settings_declarations()) {
    for (const auto& flag : declaration->flags)
      if (args.has(flag.flag)) apply_setting_flag(flag, args.value(flag.flag), settings, "enroll");
    for (const auto& variable : declaration->secret_variables)
      apply_secret_variable(variable, args.has(variable.with_flag), settings);
  }
}

}  // namespace

int run_enroll(const Args& raw) {
  std::vector<cmdline::OptionSpec> specs{{"--component", true, true},
                                {"--name", true},
                                {"--issuer", true},
                                {"--key-type", true},
                                {"--validity", true},
                                {"--reuse-key", false},
                                {"--no-xmpp-addr", false},
                                {"--server", true},
                                {"--server-config", true},
                                {"--edit-config", false},
                                {"--accept-discovered", false},
                                {"--force", false},
                                {"--replace-request", false},
                                {"--dry-run", false},
                                kConfigOption,
                                kStateDirOption,
                                kLockWaitOption};
  for (const auto* declaration : issuer_settings_declarations())
    for (const auto& flag : declaration->flags)
      specs.push_back({flag.flag, *flag.value_name != 0});
  cmdline::ParsedArgs args = cmdline::parse_args("enroll", raw, specs);
  if (args.positional().size() > 1) throw UsageError("enroll: one DOMAIN at most");
  Session session = open_session(args);

  std::vector<CertificateRequest> requests;
  bool from_flags = false;  // one request, not the config's
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
    if (args.has("--accept-discovered")) {
      if (!request.install) throw UsageError("enroll: --accept-discovered needs --server NAME");
      request.install->settings["discovered_names"] = "allow";
    }
    if (auto name = args.value("--name")) request.name = *name;
    auto components = args.values("--component");
    request.components.insert(request.components.end(), components.begin(), components.end());
    if (auto issuer = args.value("--issuer")) request.issuer = *issuer;
    if (auto key_type = args.value("--key-type")) request.key_type = parse_key_type(*key_type);
    if (auto validity = args.value("--validity")) request.validity = parse_validity(*validity);
    if (args.has("--reuse-key")) request.reuse_key = true;
    if (args.has("--no-xmpp-addr")) request.xmpp_addr = false;
    apply_issuer_flags(args, request.issuer_settings);
    requests.push_back(request);
    from_flags = !configured;
  }
  RunOptions options{args.has("--force"), args.has("--dry-run")};
  options.review_changes = true;
  options.replace_request = args.has("--force") || args.has("--replace-request");
  options.forget_never_issued = from_flags;
  try {
    return run_certificates(session, requests, options);
  } catch (const UsageError& e) {
    if (!from_flags) throw;
    // "command line.SECTION.KEY: ..." tells no flag to give: name the one that fills KEY.
    throw UsageError(with_setting_flags_named(e.what(), kCommandLineOrigin));
  }
}

}  // namespace xmppcert::cli

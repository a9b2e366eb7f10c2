// xmppcert enroll: obtain (or bring up to date) the certificate for one domain, or for every
// certificate of the config file.
#include <iostream>

#include "agent/engine/clock.h"
#include "agent/engine/errors.h"
#include "cli/commands.h"
#include "cli/renewal_run.h"

namespace xmppcert::cli {
namespace {

constexpr const char* kUsage = R"(usage: xmppcert enroll [DOMAIN] [options]

Obtains a certificate carrying every XMPP identity of DOMAIN and its components (DNS-ID,
SRV-IDs _xmpp-client./_xmpp-server., XmppAddr), stores it and installs it. Without DOMAIN,
enrolls every certificate of --config. A certificate that exists and is not due is left as
it is (use --force to re-issue).

options:
  --component NAME      a component (conference, upload, or a full name); repeatable
  --name NAME           the certificate's name in the store (default: DOMAIN in A-labels)
  --issuer NAME         issuer (default: local, the embedded CA)
  --key-type TYPE       ec-p256 (default), ec-p384, rsa-2048, rsa-3072, rsa-4096
  --validity DURATION   requested lifetime, e.g. 90d, 12h, 10m (default 90d)
  --reuse-key           keep the private key on renewal (DANE 3 1 1)
  --force               issue even when the current certificate is not due
  --dry-run             validate and print what would be done; write nothing
  --config FILE         JSON config (comments allowed); flags override its entry
  --state-dir DIR       state directory (default /var/lib/xmppcert)
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 ok, 1 operation failed (previous certificate kept), 2 usage or config error
)";

}  // namespace

int run_enroll(const Args& raw) {
  ParsedArgs args = parse_args("enroll", raw,
                               {{"--help", false},
                                {"--component", true, true},
                                {"--name", true},
                                {"--issuer", true},
                                {"--key-type", true},
                                {"--validity", true},
                                {"--reuse-key", false},
                                {"--force", false},
                                {"--dry-run", false},
                                kConfigOption,
                                kStateDirOption,
                                kLockWaitOption});
  if (args.has("--help")) {
    std::cout << kUsage;
    return kExitOk;
  }
  if (args.positional().size() > 1) throw UsageError("enroll: one DOMAIN at most");
  Session session = open_session(args);

  std::vector<CertificateRequest> requests;
  if (args.positional().empty()) {
    if (!session.config) throw UsageError("enroll: name a DOMAIN or give --config FILE");
    for (const char* flag : {"--component", "--name", "--issuer", "--key-type", "--validity"})
      if (args.has(flag)) throw UsageError(std::string("enroll: ") + flag + " needs a DOMAIN");
    requests = session.config->certificates;
  } else {
    const std::string& domain = args.positional().front();
    CertificateRequest request;
    const CertificateRequest* configured = session.config ? session.config->find(domain) : nullptr;
    if (configured) {
      request = *configured;
    } else {
      if (session.config) request = session.config->defaults;
      request.name = parse_domain(domain).ascii;
      request.domains = {domain};
    }
    if (auto name = args.value("--name")) request.name = *name;
    auto components = args.values("--component");
    request.components.insert(request.components.end(), components.begin(), components.end());
    if (auto issuer = args.value("--issuer")) request.issuer = *issuer;
    if (auto key_type = args.value("--key-type")) request.key_type = parse_key_type(*key_type);
    if (auto validity = args.value("--validity")) request.validity = parse_duration(*validity);
    if (args.has("--reuse-key")) request.reuse_key = true;
    requests.push_back(request);
  }
  return run_certificates(session, requests, {args.has("--force"), args.has("--dry-run")});
}

}  // namespace xmppcert::cli

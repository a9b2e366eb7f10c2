// xmppcert renew: what the timer runs. Renews every stored (and configured) certificate that
// is due; the stored request is used when no config describes the certificate.
#include <iostream>
#include <map>

#include "cli/commands.h"
#include "cli/renewal_run.h"
#include "engine/errors.h"
#include "engine/store.h"

namespace xmppcert::cli {
extern const char* const kRenewUsage = R"(usage: xmppcert renew [NAME] [options]

Renews the certificates that are due: two thirds of their lifetime has passed, or their
names, issuer or key type changed in the config. With NAME, only that certificate.

options:
  --force               renew even when not due
  --dry-run             the preflight, as for enroll (xmppcert enroll --help): the plan
                        of each certificate and the checks free at the CA; writes
                        nothing; exit 1 naming a failed check
  --config FILE         JSON config; its entries override the stored requests
  --state-dir DIR       state directory (default /var/lib/xmppcert)
  --lock-wait DURATION  how long to wait for another run's lock (default 30s)

exit codes: 0 ok (also when nothing was due), 1 a renewal failed, 2 usage or config error
)";

int run_renew(const Args& raw) {
  cmdline::ParsedArgs args = cmdline::parse_args(
      "renew", raw,
      {{"--force", false}, {"--dry-run", false}, kConfigOption, kStateDirOption, kLockWaitOption});
  if (args.positional().size() > 1) throw UsageError("renew: one NAME at most");
  Session session = open_session(args);
  require_existing_state_dir(session, "renew");

  std::map<std::string, CertificateRequest> wanted;
  for (const auto& record : session.store->load_all())
    wanted[record.name] = record.request;
  if (session.config)
    for (const auto& request : session.config->certificates) wanted[request.name] = request;

  std::vector<CertificateRequest> requests;
  if (args.positional().empty()) {
    for (auto& [name, request] : wanted) requests.push_back(request);
  } else {
    const std::string& name = args.positional().front();
    auto it = wanted.find(name);
    if (it == wanted.end())
      throw UsageError("renew: no certificate named \"" + name + "\" in " +
                       session.state_dir.string() +
                       (session.config ? " or " + session.config_origin : ""));
    requests.push_back(it->second);
  }
  if (requests.empty()) {
    std::cout << "nothing to renew in " << session.state_dir.string() << "\n";
    return kExitOk;
  }
  return run_certificates(session, requests, {args.has("--force"), args.has("--dry-run")});
}

}  // namespace xmppcert::cli

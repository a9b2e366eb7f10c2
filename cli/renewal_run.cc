#include "cli/renewal_run.h"

#include <ctime>
#include <iostream>

#include "engine/clock.h"
#include "engine/enroll.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/plan.h"
#include "plugins/renewal.h"
#include "engine/state_lock.h"
#include "cli/commands.h"
#include "cli/request_changes.h"
#include "plugins/registry.h"

namespace xmppcert::cli {
namespace {

std::string join(const std::vector<std::string>& items) {
  std::string out;
  for (const auto& item : items) out += (out.empty() ? "" : ",") + item;
  return out;
}

void print_plan(const CertificateRequest& request, const RenewalDecision& decision) {
  XmppIdentities ids = identities_of(request);
  std::cout << request.name << ": would " << (decision.due ? "issue" : "skip") << " ("
            << decision.reason << "); issuer=" << request.issuer
            << " key=" << key_type_name(request.key_type)
            << " validity=" << format_duration(request.validity) << " DNS=" << join(ids.dns_ids)
            << " SRV=" << join(ids.srv_ids) << " XmppAddr=" << join(ids.xmpp_addrs) << "\n";
}

}  // namespace

int run_certificates(const Session& session, const std::vector<CertificateRequest>& wanted,
                     const RunOptions& options) {
  std::vector<CertificateRequest> requests = wanted;
  for (auto& request : requests) add_discovered_names(request, origin_of(session, request.name));
  for (const auto& request : requests) {
    std::string where = origin_of(session, request.name);
    validate_certificate_name(request.name);
    try {
      identities_of(request);
    } catch (const UsageError& e) {
      throw UsageError(where + ": " + e.what());
    }
    validate_plugins(request, where);
  }

  Store store(session.state_dir);
  if (options.review_changes) review_request_changes(store, requests, options.replace_request);
  std::time_t now = std::time(nullptr);
  if (options.dry_run) {
    for (const auto& request : requests) {
      std::optional<CertificateRecord> record = store.load(request.name);
      print_plan(request, decide_renewal(record ? &*record : nullptr, request, now, options.force));
    }
    return kExitOk;
  }

  require_writable_directory(session.state_dir, "state dir");
  StateLock lock(session.state_dir, session.lock_wait);
  now = std::time(nullptr);  // the lock may have taken minutes
  int exit_code = kExitOk;
  for (const auto& request : requests) {
    try {
      RenewalOutcome outcome = renew_if_due(store, request, session.state_dir,
                                            origin_of(session, request.name), now, options.force);
      if (!outcome.waiting.empty()) {
        std::cout << request.name << ": due (" << outcome.decision.reason << ") but "
                  << outcome.waiting << "\n";
        continue;
      }
      if (!outcome.issued) {
        std::cout << request.name << ": up to date, " << outcome.decision.reason
                  << (outcome.installed_current ? "; installed the current certificate with " +
                                                      outcome.installed_with
                                                : std::string())
                  << "\n";
        continue;
      }
      const CertificateRecord& issued = *outcome.issued;
      std::cout << request.name << ": issued v" << issued.current_version << " by "
                << request.issuer << ", serial " << issued.certificate.serial_hex << ", expires "
                << format_utc(issued.certificate.not_after) << ", renews after "
                << format_utc(issued.next_renewal)
                << (outcome.installed_with.empty() ? std::string()
                                                   : ", installed with " + outcome.installed_with)
                << "\n";
    } catch (const OperationError& e) {
      std::cerr << "xmppcert: " << request.name << ": " << e.what() << "\n";
      exit_code = kExitFailed;
    }
  }
  return exit_code;
}

}  // namespace xmppcert::cli

#include "cli/renewal_run.h"

#include <ctime>
#include <iostream>
#include <set>

#include "cli/commands.h"
#include "cli/dry_run.h"
#include "cli/request_changes.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/renewal_decision.h"
#include "engine/state_lock.h"
#include "renewal/planning.h"
#include "renewal/renewal.h"
#include "renewal/renewal_info_poll.h"

namespace xmppcert::cli {

int run_certificates(const Session& session, const std::vector<CertificateRequest>& wanted,
                     const RunOptions& options) {
  const Store& store = *session.store;
  std::vector<PlannedCertificate> plans;
  try {
    PlanningOptions planning;
    planning.state_dir = session.state_dir;
    planning.where = [&](const std::string& name) { return origin_of(session, name); };
    plans = plan_certificates(wanted, planning);
  } catch (const UsageError& e) {  // the install settings are checked here, not when loading
    if (!session.config) throw;
    throw UsageError(with_config_line(e.what(), *session.config));
  }
  if (options.review_changes) {
    std::vector<ReviewedRequest> requests;
    for (const auto& plan : plans)
      requests.push_back(
          {plan.request, plan.server && !plan.server->server_config_files().empty()});
    review_request_changes(store, requests, options.replace_request);
  }
  std::time_t now = std::time(nullptr);
  if (options.dry_run) {
    load_records(plans, store);
    return run_preflight(plans, store, session.state_dir, now, options.force);
  }

  require_writable_directory(session.state_dir, "state dir", kStateDirMode);
  poll_renewal_info_of(plans, {store, session.state_dir, session.lock_wait, true}, now);
  StateLock lock(session.state_dir, session.lock_wait);
  now = std::time(nullptr);  // the lock may have taken minutes
  load_records(plans, store);
  auto done = [](const PlannedCertificate& plan, const RenewalOutcome& outcome) {
    const CertificateRequest& request = plan.request;
    if (!outcome.waiting.empty()) {
      std::cout << request.name << ": due (" << outcome.decision.reason << ") but "
                << outcome.waiting << "\n";
      return;
    }
    if (!outcome.issued) {
      std::cout << request.name << ": up to date, " << outcome.decision.reason
                << (outcome.installed_current
                        ? "; installed the current certificate with " + outcome.installed_with
                        : std::string())
                << "\n";
      return;
    }
    const CertificateRecord& issued = *outcome.issued;
    std::cout << request.name << ": issued v" << issued.current_version << " by " << request.issuer
              << ", serial " << issued.certificate.serial_hex << ", expires "
              << format_utc(issued.certificate.not_after) << ", renews after "
              << format_utc(issued.next_renewal)
              << (outcome.installed_with.empty() ? std::string()
                                                 : ", installed with " + outcome.installed_with)
              << "\n";
  };
  std::set<std::string> new_names;
  for (const auto& plan : plans)
    if (!plan.record) new_names.insert(plan.request.name);
  auto failed = [&](const PlannedCertificate& plan, const std::string& error) {
    std::cerr << "xmppcert: " << plan.request.name << ": " << error << "\n";
    if (!options.forget_never_issued || !new_names.count(plan.request.name)) return;
    std::optional<CertificateRecord> left = store.load(plan.request.name);
    if (!left || left->current_version > 0 || left->issued_not_installed) return;
    store.remove(plan.request.name);
    std::cerr << "xmppcert: " << plan.request.name
              << ": nothing was issued, so no record is kept (nothing will retry it); run "
                 "enroll again once the cause is fixed\n";
  };
  return renew_each(store, plans, now, options.force, done, failed) ? kExitOk : kExitFailed;
}

}  // namespace xmppcert::cli

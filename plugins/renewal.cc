#include "plugins/renewal.h"

#include "engine/enroll.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "plugins/dane_turn.h"
#include "plugins/registry.h"

namespace xmppcert {

RenewalDecision renewal_decision(const PlannedCertificate& plan, std::time_t now, bool force) {
  return decide_renewal(plan.record ? &*plan.record : nullptr, plan.request, now, force);
}

RenewalOutcome renew_if_due(const Store& store, PlannedCertificate& plan, std::time_t now,
                            bool force) {
  RenewalOutcome outcome;
  const CertificateRequest& request = plan.request;
  const bool issued_before = plan.record && plan.record->current_version > 0;
  if (request.dane && issued_before) step_dane(store, *plan.record, request, now);
  outcome.decision = renewal_decision(plan, now, force);
  if (!outcome.decision.due) {
    if (request.posh && issued_before && posh_documents_missing(*request.posh))
      refresh_posh(store, *plan.record, *request.posh, now);
    // A new install target for a certificate that is not due: install what is current.
    if (plan.server && plan.record && plan.record->request.install != request.install) {
      plan.record = install_current_version(store, *plan.record, request, *plan.server, now);
      outcome.installed_with = plan.server->name();
      outcome.installed_current = true;
    }
    return outcome;
  }
  // With DANE, the key to certify is the rollover's: the next key once its TLSA record has
  // been visible long enough, else a wait (or the current key near expiry).
  PKeyPtr key;
  bool switching = false;
  if (request.dane && issued_before) {
    key = dane_key_for_renewal(store, *plan.record, request, now, switching, outcome.waiting);
    if (!key) {
      log_line(request.name, outcome.waiting);
      return outcome;
    }
  }
  log_line(request.name, "issuing: " + outcome.decision.reason);
  std::optional<CertificateRecord> previous = std::move(plan.record);
  plan.record.reset();
  outcome.issued = enroll_certificate(store, {request, plan.identities, previous, key.get()},
                                      *plan.issuer, plan.server.get(), now);
  if (plan.server) outcome.installed_with = plan.server->name();
  if (request.dane) after_issue_dane(store, *outcome.issued, request, switching, now);
  if (request.posh) refresh_posh(store, *outcome.issued, *request.posh, now);
  plan.record = outcome.issued;
  return outcome;
}

RenewalOutcome renew_if_due(const Store& store, const CertificateRequest& request,
                            const std::filesystem::path& state_dir, const std::string& where,
                            std::time_t now, bool force) {
  PlannedCertificate plan;
  plan.configured = plan.request = request;
  plan.where = where;
  plan.identities = identities_of(request);
  plan.issuer = issuer_for(request, state_dir, where);
  if (request.install) plan.server = make_server_plugin(*request.install, where + ".install");
  plan.record = store.load(request.name);
  return renew_if_due(store, plan, now, force);
}

bool renew_each(const Store& store, std::vector<PlannedCertificate>& plans, std::time_t now,
                bool force,
                const std::function<void(const PlannedCertificate&, const RenewalOutcome&)>& done,
                const std::function<void(const PlannedCertificate&, const std::string&)>& failed) {
  bool all_ok = true;
  for (auto& plan : plans) {
    try {
      done(plan, renew_if_due(store, plan, now, force));
    } catch (const UsageError&) {
      throw;
    } catch (const std::exception& e) {
      failed(plan, e.what());
      all_ok = false;
    }
    // One turn per plan and run: its issuer's session ends here, so that what it holds (an
    // http-01 responder bound to the port the next certificate's issuer needs) is let go.
    plan.issuer.reset();
  }
  return all_ok;
}

}  // namespace xmppcert

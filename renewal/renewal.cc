#include "renewal/renewal.h"

#include <algorithm>

#include "engine/enroll.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "engine/renewal_decision.h"
#include "renewal/dane_turn.h"

namespace xmppcert {

RenewalDecision renewal_decision(const PlannedCertificate& plan, std::time_t now, bool force) {
  return decide_renewal(plan.record ? &*plan.record : nullptr, plan.request, now, force);
}

namespace {

std::vector<std::string> dns_ids_of(const CertificateRequest& request) {
  return identities_of(request).dns_ids;
}

// Names `wanted` has that the last good certificate lacks.
std::vector<std::string> added_names(const CertificateRecord& previous,
                                     const CertificateRequest& wanted) {
  std::vector<std::string> had = previous.certificate.identities.dns_ids, added;
  for (const auto& name : dns_ids_of(wanted))
    if (std::find(had.begin(), had.end(), name) == had.end()) added.push_back(name);
  return added;
}

}  // namespace

std::optional<CertificateRequest> last_good_set(const CertificateRecord& previous,
                                                const CertificateRequest& wanted, std::time_t now,
                                                const std::string& failure) {
  if (previous.current_version == 0 || previous.revoked || wanted.dane) return std::nullopt;
  // Only an issuance that failed: an install or a stopped server fails the smaller set too.
  if (failure.starts_with("install v") || failure.starts_with("not ordered:")) return std::nullopt;
  // Only when the current certificate itself needs renewing: otherwise there is time to
  // fix the new name, and the full set is simply tried again later.
  const CertificateInfo& cert = previous.certificate;
  std::time_t due_at =
      previous.next_renewal ? previous.next_renewal : renewal_time(cert.not_before, cert.not_after);
  if (now < due_at || added_names(previous, wanted).empty()) return std::nullopt;
  // The wanted request narrowed to the names the current certificate carries.
  const std::vector<std::string>& had = cert.identities.dns_ids;
  auto carried = [&](const CertificateRequest& request) {
    for (const auto& name : dns_ids_of(request))
      if (std::find(had.begin(), had.end(), name) == had.end()) return false;
    return true;
  };
  try {
    CertificateRequest last_good = wanted;  // its issuer, key and install; the names it had
    last_good.domains.clear();
    last_good.components.clear();
    for (const auto& domain : wanted.domains) {
      CertificateRequest probe = last_good;
      probe.domains.push_back(domain);
      if (carried(probe)) last_good.domains = probe.domains;
    }
    if (last_good.domains.empty()) return std::nullopt;
    for (const auto& component : wanted.components) {
      CertificateRequest probe = last_good;
      probe.components.push_back(component);
      if (carried(probe)) last_good.components = probe.components;
    }
    return last_good;
  } catch (const std::exception&) {
    return std::nullopt;
  }
}

CertificateRecord renew_last_good_set(const Store& store, const CertificateRecord& previous,
                                      const CertificateRequest& last_good,
                                      const CertificateRequest& wanted, PlannedCertificate& plan,
                                      std::time_t now, const std::string& failure) {
  std::vector<std::string> left_out = added_names(previous, wanted);
  std::string names;
  for (const auto& name : left_out) names += (names.empty() ? "" : ", ") + name;
  log_warning(wanted.name, "renewing the last good set of names, without " + names +
                               " (issuing them failed: " + failure +
                               "); the full set is tried again at the next attempt");
  std::optional<CertificateRecord> after_failure = store.load(wanted.name);
  CertificateRecord issued =
      enroll_certificate(store, {last_good, identities_of(last_good), after_failure}, *plan.issuer,
                         plan.server.get(), now);
  // The full set stays wanted and due: the attempt is recorded as failed (its retries back
  // off), the certificate as issued.
  issued.request = wanted;
  issued.left_out = left_out;
  issued.left_out_why = failure;
  issued.pending_names = identities_of(wanted).dns_ids;
  issued.consecutive_failures = after_failure ? after_failure->consecutive_failures : 1;
  issued.last_attempt = Attempt{
      now, false,
      "issued v" + std::to_string(issued.current_version) + " without " + names + ": " + failure};
  store.save(issued);
  return issued;
}

RenewalOutcome renew_if_due(const Store& store, PlannedCertificate& plan, std::time_t now,
                            bool force) {
  complete_plan(plan);
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
  try {
    outcome.issued = enroll_certificate(store, {request, plan.identities, previous, key.get()},
                                        *plan.issuer, plan.server.get(), now);
  } catch (const OperationError& e) {
    std::optional<CertificateRequest> last_good =
        previous ? last_good_set(*previous, request, now, e.what()) : std::nullopt;
    if (!last_good) throw;
    outcome.issued =
        renew_last_good_set(store, *previous, *last_good, request, plan, now, e.what());
  }
  if (plan.server) outcome.installed_with = plan.server->name();
  if (request.dane) after_issue_dane(store, *outcome.issued, request, switching, now);
  if (request.posh) refresh_posh(store, *outcome.issued, *request.posh, now);
  plan.record = outcome.issued;
  return outcome;
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

// One planned certificate's turn, shared by `xmppcert enroll/renew` and xmppcertd: decide
// whether it is due, and if so issue, store, install, reload and verify it through the
// issuer and server plugin its plan holds.
#pragma once

#include <ctime>
#include <filesystem>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "engine/renewal_decision.h"
#include "engine/store.h"
#include "renewal/planning.h"

namespace xmppcert {

struct RenewalOutcome {
  RenewalDecision decision;
  std::optional<CertificateRecord> issued;  // set when it was due and is now issued
  std::string installed_with;               // the server plugin's name, if any
  // Not due, but the install target changed: the current version was installed with it.
  bool installed_current = false;
  // Due, but DANE keeps it waiting for the next key's TLSA record (why; "" otherwise).
  std::string waiting;
};

// Issue 23 item 10: when issuing failed for a set of names that grew since the last good
// certificate (a new VirtualHost without DNS), and that certificate is itself due, the names it
// carries are renewed instead: `wanted` narrowed to them. nullopt when that does not apply
// (an install failure, a stopped server, nothing due, no name added, DANE).
std::optional<CertificateRequest> last_good_set(const CertificateRecord& previous,
                                                const CertificateRequest& wanted, std::time_t now,
                                                const std::string& failure);

// Issues `last_good` in place of `wanted`, saying which names were left out and why (log,
// record: "left_out"); the record keeps `wanted` and counts a failure, so the full set is
// tried again after the backoff.
CertificateRecord renew_last_good_set(const Store& store, const CertificateRecord& previous,
                                      const CertificateRequest& last_good,
                                      const CertificateRequest& wanted, PlannedCertificate& plan,
                                      std::time_t now, const std::string& failure);

// The decision against `plan.record`, read nowhere else.
RenewalDecision renewal_decision(const PlannedCertificate& plan, std::time_t now, bool force);

// Throws OperationError when issuing or installing fails (the previous version stays; the
// failure is in the store, and `plan.record` is then left empty: read it again if needed),
// or when a DANE update fails (nothing removed from DNS). On success `plan.record` is the
// new record. With "dane" the turn also publishes the TLSA records and picks the key
// (renewal/dane_turn.h); with "posh" it rewrites the POSH documents after an issuance.
RenewalOutcome renew_if_due(const Store& store, PlannedCertificate& plan, std::time_t now,
                            bool force);

// Each plan's turn, in order. A failure of one certificate (any exception but a UsageError)
// goes to `failed` and never stops the others. Each plan's issuer is released after its turn.
// Returns false when any failed.
bool renew_each(const Store& store, std::vector<PlannedCertificate>& plans, std::time_t now,
                bool force,
                const std::function<void(const PlannedCertificate&, const RenewalOutcome&)>& done,
                const std::function<void(const PlannedCertificate&, const std::string&)>& failed);

}  // namespace xmppcert

#include "engine/renewal_decision.h"

#include <algorithm>
#include <functional>

#include "engine/clock.h"

namespace xmppcert {

std::time_t renewal_time(std::time_t not_before, std::time_t not_after) {
  return not_before + (not_after - not_before) * 2 / 3;
}

std::time_t renewal_jitter(const std::string& name, std::time_t not_before, std::time_t not_after) {
  std::time_t spread = std::max<std::time_t>(1, (not_after - not_before) / 100);
  return static_cast<std::time_t>(std::hash<std::string>{}(name) % static_cast<size_t>(spread));
}

RenewalDecision decide_renewal(const CertificateRecord* record, const CertificateRequest& wanted,
                               std::time_t now, bool force) {
  if (!record || record->current_version == 0) return {true, "no certificate issued yet"};
  if (force) return {true, "renewal forced"};
  if (record->revoked) return {true, "the current certificate was revoked"};
  // The last attempt (a forced or due renewal, an install) failed: it is tried again, so
  // that a cause that went away (a server started again) ends in one good renewal. The
  // caller spaces the tries (xmppcertd backs off; the timer runs twice a day). A failed
  // DANE step is retried by the rollover itself, at every turn.
  if (const auto& last = record->last_attempt; last && !last->ok &&
                                               record->consecutive_failures > 0 &&
                                               last->message.rfind("DANE: ", 0) != 0)
    return {true, "the last attempt failed at " + format_utc(last->time) + ": trying again"};
  const CertificateRequest& had = record->request;
  // Requests naming the same things have the same identities: only a difference is expanded.
  bool same_names = had.domains == wanted.domains && had.components == wanted.components &&
                    had.xmpp_addr == wanted.xmpp_addr;
  if (!same_names && identities_of(had) != identities_of(wanted))
    return {true, "the names to certify changed"};
  if (had.issuer != wanted.issuer) return {true, "the issuer changed"};
  if (had.key_type != wanted.key_type) return {true, "the key type changed"};
  const auto& cert = record->certificate;
  std::time_t due_at =
      record->next_renewal ? record->next_renewal : renewal_time(cert.not_before, cert.not_after);
  if (now >= cert.not_after) return {true, "expired at " + format_utc(cert.not_after)};
  if (now >= due_at) return {true, "renewal time " + format_utc(due_at) + " passed"};
  return {false, "not due until " + format_utc(due_at)};
}

}  // namespace xmppcert

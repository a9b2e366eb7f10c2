// Re-polling the issuer's Renewal Information (ACME ARI, RFC 9773 section 4.2): ask for the
// current window, keep the record's renewal time inside it (a uniform pick when it moved
// out), and say when to ask again. The record is changed under the state-dir lock, from the
// record read under it, and only if it still holds the certificate that was asked about.
// xmppcertd polls on the issuer's schedule; `xmppcert renew` (and so the timer) at each run.
#pragma once

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>

#include "engine/issuer.h"
#include "engine/request.h"
#include "engine/store.h"
#include "renewal/planning.h"

namespace xmppcert {

// Renewal Information is asked again after the CA's Retry-After clamped to [1 min, 1 day],
// or after 6 h when it sent none (1 h after a failed poll).
inline constexpr std::chrono::seconds kShortestRenewalInfoPoll{60};
inline constexpr std::chrono::seconds kLongestRenewalInfoPoll{86400};
inline constexpr std::chrono::seconds kDefaultRenewalInfoPoll{6 * 3600};
inline constexpr std::chrono::seconds kRenewalInfoPollAfterFailure{3600};
std::chrono::seconds renewal_info_poll_delay(std::optional<std::chrono::seconds> retry_after);

// The first poll after an issuance: the Retry-After the issuer gave then (kept in the
// record), else the default.
std::time_t first_renewal_info_poll(const CertificateRecord& issued, std::time_t now);

struct RenewalInfoPoll {
  const Store& store;
  std::filesystem::path state_dir;
  std::chrono::milliseconds lock_wait;
  // `xmppcert renew` (the timer) does not wake up at a time picked inside the window: once
  // the window has begun it renews now (RFC 9773 §4.2: a pick before the client's next
  // scheduled run is taken at once). xmppcertd wakes at its pick.
  bool runs_once = false;
};

// When to poll again; nullopt when the issuer gives no renewal advice (stop polling). A
// failed poll is logged and retried later; it never throws.
std::optional<std::time_t> poll_renewal_info(const RenewalInfoPoll& poll,
                                             const CertificateRequest& request, Issuer& issuer,
                                             std::time_t now);

// A run of `xmppcert renew` (or enroll) asks every planned certificate's issuer once, before
// deciding what is due, so that a window the CA moved (`xmppcert-ca renew-now`) is followed
// at once on hosts without an agent. Issuers without Renewal Information are not asked.
void poll_renewal_info_of(const std::vector<PlannedCertificate>& plans, const RenewalInfoPoll& poll,
                          std::time_t now);

}  // namespace xmppcert

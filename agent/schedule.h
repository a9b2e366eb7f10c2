// When xmppcertd next acts on a certificate: now when it has none or its request changed,
// at its recorded renewal time (two thirds of the lifetime plus a small per-name jitter, or
// the ARI window's pick: the time `status` shows), or after an exponential, capped, jittered
// backoff when the last attempt failed.
#pragma once

#include <chrono>
#include <cstdint>
#include <ctime>
#include <optional>

#include "engine/renewal_window.h"  // renewal_time_in_window
#include "engine/store.h"

namespace xmppcert {

inline constexpr std::chrono::seconds kFirstRetry{30};
inline constexpr std::chrono::seconds kLongestRetry{6 * 3600};

// The delay before retry number `failures` (1, 2, ...): 30 s doubling up to 6 h, +-10%.
std::chrono::seconds retry_delay(int failures, double jitter_fraction);

// Renewal Information (RFC 9773) is asked again after the CA's Retry-After clamped to
// [1 min, 1 day], or after 6 h when it sent none (1 h after a failed poll).
inline constexpr std::chrono::seconds kShortestRenewalInfoPoll{60};
inline constexpr std::chrono::seconds kLongestRenewalInfoPoll{86400};
inline constexpr std::chrono::seconds kDefaultRenewalInfoPoll{6 * 3600};
inline constexpr std::chrono::seconds kRenewalInfoPollAfterFailure{3600};
std::chrono::seconds renewal_info_poll_delay(std::optional<std::chrono::seconds> retry_after);

// `record` may be null (never issued).
std::time_t next_action(const CertificateRecord* record, const CertificateRequest& request,
                        std::time_t now);

}  // namespace xmppcert

// When xmppcertd next acts on a certificate, and what `xmppcert status` shows as its next
// action (one function for both, deterministic per certificate): now when it has none or its
// request changed,
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

// The delay before retry number `failures` (1, 2, ...): 30 s doubling up to 6 h, +-10%
// (`jitter_fraction` in [-1, 1]).
std::chrono::seconds retry_delay(int failures, double jitter_fraction);

// `record` may be null (never issued).
std::time_t next_action(const CertificateRecord* record, const CertificateRequest& request,
                        std::time_t now);

}  // namespace xmppcert

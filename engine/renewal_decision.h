// When a certificate is due: the renew decision for one record against what is wanted now.
#pragma once

#include <ctime>
#include <string>

#include "engine/store.h"

namespace xmppcert {

// Two thirds into the lifetime: a 90-day certificate renews with 30 days left.
std::time_t renewal_time(std::time_t not_before, std::time_t not_after);

// Up to 1% of the lifetime, fixed per name: many certificates issued together spread out.
// Added once, when the version is stored, so `status`, `renew` and xmppcertd show and use
// the same time.
std::time_t renewal_jitter(const std::string& name, std::time_t not_before, std::time_t not_after);

struct RenewalDecision {
  bool due = false;
  std::string reason;  // one phrase, shown by `renew` and `status`
};

RenewalDecision decide_renewal(const CertificateRecord* record, const CertificateRequest& wanted,
                               std::time_t now, bool force);

}  // namespace xmppcert

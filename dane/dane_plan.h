// Which key a due renewal of a certificate under DANE certifies, and when the agent comes
// back for it: the next key once its TLSA record has been visible for 2 x TTL; before that
// the renewal waits, unless the certificate cannot wait (the last tenth of its lifetime, or
// revoked), when it is renewed with the current key, still in DNS.
#pragma once

#include <ctime>
#include <optional>
#include <string>

#include "dane/dane_settings.h"
#include "engine/store.h"

namespace xmppcert {

enum class DaneKeyChoice { kNext, kCurrent, kWait };

struct DaneKeyPlan {
  DaneKeyChoice choice = DaneKeyChoice::kNext;
  std::string reason;
};

// For a record with an issued version and a DANE state.
DaneKeyPlan plan_dane_key(const CertificateRecord& record, const DaneSettings& settings,
                          std::time_t now);

// When the certificate cannot wait any longer for the next key: 9/10 into its lifetime.
std::time_t dane_wait_limit(const CertificateInfo& certificate);

// The rollover's own next step (dane/dane_rollover.h), and for a due renewal that waits,
// the time the switch becomes ready (or the next query); nullopt when nothing is pending.
std::optional<std::time_t> next_dane_action(const CertificateRecord& record,
                                            const DaneSettings& settings, bool renewal_due,
                                            std::time_t now);

}  // namespace xmppcert

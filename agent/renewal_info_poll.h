// Re-polling the issuer's Renewal Information (ACME ARI, RFC 9773 section 4.2): ask for the
// current window, keep the record's renewal time inside it (a uniform pick when it moved
// out), and say when to ask again. The record is changed under the state-dir lock, from the
// record read under it, and only if it still holds the certificate that was asked about.
#pragma once

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>

#include "engine/issuer.h"
#include "engine/request.h"
#include "engine/store.h"

namespace xmppcert {

struct RenewalInfoPoll {
  const Store& store;
  std::filesystem::path state_dir;
  std::chrono::milliseconds lock_wait;
};

// When to poll again; nullopt when the issuer gives no renewal advice (stop polling). A
// failed poll is logged and retried later; it never throws.
std::optional<std::time_t> poll_renewal_info(const RenewalInfoPoll& poll,
                                             const CertificateRequest& request, Issuer& issuer,
                                             std::time_t now);

}  // namespace xmppcert

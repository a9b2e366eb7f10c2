// The loop `enroll` and `renew` share: for each wanted certificate decide whether it is due,
// and if so issue, store, install and reload it. One failure does not stop the others.
#pragma once

#include <vector>

#include "engine/request.h"
#include "cli/session.h"

namespace xmppcert::cli {

struct RunOptions {
  bool force = false;
  bool dry_run = false;
};

// Validates every request first (UsageError: nothing written), then works under the state
// lock. Returns kExitOk or kExitFailed.
int run_certificates(const Session& session, const std::vector<CertificateRequest>& requests,
                     const RunOptions& options);

}  // namespace xmppcert::cli

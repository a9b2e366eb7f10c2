// The loop `enroll` and `renew` share: for each wanted certificate decide whether it is due,
// and if so issue, store, install and reload it. One failure does not stop the others.
#pragma once

#include <vector>

#include "cli/session.h"
#include "engine/request.h"

namespace xmppcert::cli {

struct RunOptions {
  bool force = false;
  bool dry_run = false;
  // enroll: print what changes against each stored request, and refuse to drop names
  // unless replace_request (--replace-request or --force).
  bool review_changes = false;
  bool replace_request = false;
  // enroll from flags: a certificate whose first issuance failed keeps no record (nothing to
  // renew; the agent would retry a typo'd domain forever); the admin runs enroll again.
  bool forget_never_issued = false;
};

// Validates every request first (UsageError: nothing written), then works under the state
// lock. Returns kExitOk or kExitFailed.
int run_certificates(const Session& session, const std::vector<CertificateRequest>& requests,
                     const RunOptions& options);

}  // namespace xmppcert::cli

// The loop `enroll` and `renew` share: for each wanted certificate decide whether it is due,
// and if so issue, store, install and reload it. One failure does not stop the others.
#pragma once

#include <vector>

#include "agent/engine/request.h"
#include "cli/session.h"

namespace xmppcert::cli {

struct RunOptions {
  bool force = false;
  bool dry_run = false;
};

// Adds the domains and components the request's server plugin finds in the server's own
// config (a no-op without one); UsageError prefixed with `where` if it finds none at all.
void add_discovered_names(CertificateRequest& request, const std::string& where);

// Validates every request first (UsageError: nothing written), then works under the state
// lock. Returns kExitOk or kExitFailed.
int run_certificates(const Session& session, const std::vector<CertificateRequest>& requests,
                     const RunOptions& options);

}  // namespace xmppcert::cli

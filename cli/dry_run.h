// `enroll --dry-run` / `renew --dry-run`: the preflight. For each planned certificate, the
// whole plan (names, issuer, key, the validity it will really get, files with owner and
// mode, reload argv, probe targets, missing server-config lines), then the live checks that
// cost nothing at the CA (engine/preflight.h). Writes nothing.
#pragma once

#include <ctime>
#include <filesystem>
#include <vector>

#include "engine/store.h"
#include "renewal/planning.h"

namespace xmppcert::cli {

// Prints the plans and checks on stdout, each failed check also on stderr ("xmppcert: NAME:
// preflight: CHECK: CAUSE"). kExitOk when every check passed, kExitFailed else.
int run_preflight(const std::vector<PlannedCertificate>& plans, const Store& store,
                  const std::filesystem::path& state_dir, std::time_t now, bool force);

}  // namespace xmppcert::cli

// Keeping the installed files equal to the store's current version. The decision is taken
// under the state-dir lock, from the record read under it: a CLI renewal that installed a
// new version (and holds the lock until its record is saved) is never undone by the agent,
// and one killed half-way (files of a version the record does not name) is undone.
#pragma once

#include <chrono>
#include <filesystem>
#include <set>
#include <string>

#include "engine/store.h"
#include "renewal/planning.h"

namespace xmppcert {

struct ReinstallContext {
  // The state dir's files themselves: they are watched, and temporaries beside them removed.
  const StateDirStore& store;
  std::filesystem::path state_dir;
  std::chrono::milliseconds lock_wait;
};

// The paths whose change makes the agent look at the certificate again: the files its
// current version installs, and its record (another process renewed it, or died writing).
// Through the plan's server plugin: no server config is read again.
std::set<std::filesystem::path> paths_to_watch(const ReinstallContext& context,
                                               const PlannedCertificate& plan);

// Under the lock: removes temporary files a killed run left beside the record and the
// installed files, then, when an installed file no longer holds what the current version
// put there, installs that version again and reloads the server. Logs what it did or why it
// failed; never throws.
void reinstall_if_changed(const ReinstallContext& context, const PlannedCertificate& plan);

}  // namespace xmppcert

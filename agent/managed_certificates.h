// What xmppcertd manages, as one (re)load plans it: each certificate of its config and each
// stored one without an entry, with the plan the CLI would make (renewal/planning.h) and the
// agent's own schedule beside it.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/store.h"
#include "renewal/planning.h"

namespace xmppcert {

struct ManagedCertificate {
  // Kept small between turns: no record, issuer or identities (the turn reads and makes
  // them). Its server plugin is shared with the other plans
  // that install into the same target.
  PlannedCertificate plan;
  bool configured = false;  // an entry of the config (else: its stored request)
  std::time_t next_action = 0;
  std::optional<std::time_t> next_poll;  // when to ask for Renewal Information again
  int failures = 0;                      // consecutive failed or fruitless actions, this run
  // The backoff of failures the record does not show; kept across reloads for a request that
  // did not change (the schedule never acts before it).
  std::time_t backoff_until = 0;
  std::set<std::filesystem::path> watched;  // its record and installed files

  const std::string& name() const { return plan.request.name; }
};

struct ManagedCertificates {
  std::vector<ManagedCertificate> certificates;  // the config's entries, then the stored ones
  std::set<std::filesystem::path> config_files;  // the config and what it includes
  std::set<std::filesystem::path> snippet_dirs;  // folders of its "include" globs
};

// Reads and plans everything first (UsageError on a bad config entry, as `xmppcert renew`
// says it); records are left in the plans for the first schedule. Every stored certificate is
// managed, as `xmppcert renew` does: a config entry overrides the stored request of its
// name, and the others keep theirs (what `enroll` stored).
ManagedCertificates plan_managed_certificates(const std::optional<std::filesystem::path>& config,
                                              const Store& store,
                                              const std::filesystem::path& state_dir,
                                              const ServerPluginFactory& make_server);

// Carries the agent's state of each certificate from `before` into `after`: the Renewal
// Information poll time by name, and the failures and backoff only for a request that did
// not change (the admin may have fixed what failed: it is tried at once).
void keep_schedules(std::vector<ManagedCertificate>& after,
                    const std::vector<ManagedCertificate>& before);

}  // namespace xmppcert

// The one table of challenge solvers (like lego's provider registry): each entry names the
// setting that chooses it and builds it. At most one setting may be set; without any, the
// built-in http-01 responder answers. Adding a solver touches challenges.h and this table.
#pragma once

#include <memory>
#include <span>
#include <string>

#include "plugins/issuers/acme/challenges.h"
#include "plugins/issuers/acme/settings.h"

namespace xmppcert::acme {

struct SolverEntry {
  const char* name;         // "http-01 webroot", ...
  const char* selected_by;  // the settings key that chooses it; nullptr for the default
  bool (*chosen)(const AcmeSettings& settings);
  std::unique_ptr<ChallengeSolver> (*make)(const AcmeSettings& settings);
};

// Every solver, the default (selected_by == nullptr) last.
std::span<const SolverEntry> solver_table();

// The solver the settings choose. UsageError prefixed with `where` when more than one is set.
const SolverEntry& solver_for(const AcmeSettings& settings, const std::string& where);

}  // namespace xmppcert::acme

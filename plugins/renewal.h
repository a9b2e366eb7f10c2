// One certificate's turn, shared by `xmppcert enroll/renew` and xmppcertd: decide whether it
// is due, and if so issue, store, install, reload and verify it through the issuer and
// server plugin its request names.
#pragma once

#include <ctime>
#include <filesystem>
#include <optional>

#include "engine/plan.h"
#include "engine/store.h"

namespace xmppcert {

struct RenewalOutcome {
  RenewalDecision decision;
  std::optional<CertificateRecord> issued;  // set when it was due and is now issued
  std::string installed_with;               // the server plugin's name, if any
  // Not due, but the install target changed: the current version was installed with it.
  bool installed_current = false;
  // Due, but DANE keeps it waiting for the next key's TLSA record (why; "" otherwise).
  std::string waiting;
};

// Adds the domains and components the request's server plugin finds in the server's own
// config (a no-op without one); UsageError prefixed with `where` if it finds none at all.
// A request without a name (`enroll --server` alone) is named after its first domain.
void add_discovered_names(CertificateRequest& request, const std::string& where);

// Throws OperationError when issuing or installing fails (the previous version stays), or
// when a DANE update fails (nothing removed from DNS). With "dane" the turn also publishes
// the TLSA records and picks the key (plugins/dane_turn.h); with "posh" it rewrites the POSH
// documents after an issuance.
RenewalOutcome renew_if_due(const Store& store, const CertificateRequest& request,
                            const std::filesystem::path& state_dir, const std::string& where,
                            std::time_t now, bool force);

}  // namespace xmppcert

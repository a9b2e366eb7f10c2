// Plan once: the one place where config + flags become the certificates to work on. Both
// `xmppcert enroll/renew` (cli/renewal_run.cc) and xmppcertd (agent/agent.cc) call it, and
// everything later in the run uses what it built: the server plugin (its config parsed
// once), the validated identities, the issuer and the record as stored.
#pragma once

#include <filesystem>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "engine/issuer.h"
#include "engine/request.h"
#include "engine/server_plugin.h"
#include "engine/store.h"

namespace xmppcert {

struct PlannedCertificate {
  CertificateRequest configured;  // as given, before discovery: what a re-plan compares
  CertificateRequest request;     // with the names the server's config serves added
  XmppIdentities identities;      // identities_of(request), validated
  std::string where;              // error prefix: the config entry or "command line"
  std::unique_ptr<Issuer> issuer;
  std::unique_ptr<ServerPlugin> server;     // none without "install"
  std::optional<CertificateRecord> record;  // as stored: see load_records
};

struct PlanningOptions {
  std::filesystem::path state_dir;
  // The error prefix for a request named `name` ("" before discovery names it).
  std::function<std::string(const std::string& name)> where;
};

// Builds every server plugin and discovers its names first, then validates each request
// (name, identities, issuer settings). UsageError, prefixed with the request's `where`, on
// the first bad one: nothing is read from the store or written.
std::vector<PlannedCertificate> plan_certificates(const std::vector<CertificateRequest>& requests,
                                                  const PlanningOptions& options);

// One request, planned the same way.
PlannedCertificate plan_certificate(const CertificateRequest& request,
                                    const PlanningOptions& options);

// Reads each plan's record, once: under the state lock when the run will write.
void load_records(std::vector<PlannedCertificate>& plans, const Store& store);

// A record the engine wrote, trusted as it is (xmppcertd without a config, as `status`
// does): no discovery, no re-validation, and the record is not read again.
PlannedCertificate plan_stored_certificate(CertificateRecord record,
                                           const PlanningOptions& options);

// Adds the domains and components the request's server plugin finds in the server's own
// config (a no-op without one); UsageError prefixed with `where` if it finds none at all.
void add_discovered_names(CertificateRequest& request, const std::string& where);

// The issuer for `request`, fresh (no session kept from an earlier issuance).
std::unique_ptr<Issuer> issuer_for(const CertificateRequest& request,
                                   const std::filesystem::path& state_dir,
                                   const std::string& where);

}  // namespace xmppcert

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
#include "renewal/planned_record.h"

namespace xmppcert {

struct PlannedCertificate {
  CertificateRequest configured;  // as given, before discovery: what a re-plan compares
  CertificateRequest request;     // with the names the server's config serves added
  XmppIdentities identities;      // identities_of(request), validated
  std::string where;              // error prefix: the config entry or "command line"
  // Made at planning (which checks its settings); a plan kept between turns (xmppcertd) lets
  // it go, and the turn makes it again from the request and `state_dir`.
  std::unique_ptr<Issuer> issuer;
  std::shared_ptr<const std::filesystem::path> state_dir;
  // None without "install". One per install target, shared by the plans of one planning that
  // install into it (its config parsed once); a stored plan whose server config could not be
  // read has none yet: the turn makes it.
  std::shared_ptr<ServerPlugin> server;
  PlannedRecord record;  // as stored: see load_records
};

// Builds a server plugin (its constructor reads the server's config): the registry's, or a
// test's that counts.
using ServerPluginFactory = std::function<std::unique_ptr<ServerPlugin>(
    const InstallTarget& target, const std::string& where)>;

struct PlanningOptions {
  std::filesystem::path state_dir;
  // The error prefix for a request named `name` ("" before discovery names it).
  std::function<std::string(const std::string& name)> where;
  ServerPluginFactory make_server;  // empty: the registry's make_server_plugin
};

// Builds every server plugin and discovers its names first, then validates each request
// (name, identities, issuer settings). UsageError, prefixed with the request's `where`, on
// the first bad one: nothing is read from the store or written.
std::vector<PlannedCertificate> plan_certificates(const std::vector<CertificateRequest>& requests,
                                                  const PlanningOptions& options);


// Reads each plan's record, once: under the state lock when the run will write.
void load_records(std::vector<PlannedCertificate>& plans, const Store& store);

// Records the engine wrote (xmppcertd's stored certificates without a config entry), trusted
// as they are, as `status` does: no re-validation, and the records are not read again. The
// names a server's config gained since are added (a host in a new conf.d snippet); a server
// config that cannot be read leaves the stored names (logged) and its plan without a server
// plugin. Plugins are shared as in plan_certificates.
std::vector<PlannedCertificate> plan_stored_certificates(std::vector<CertificateRecord> records,
                                                         const PlanningOptions& options);

// Adds the domains and components the request's server plugin finds in the server's own
// config (a no-op without one); UsageError prefixed with `where` if it finds none at all.
void add_discovered_names(CertificateRequest& request, const std::string& where);

// The issuer for `request`, fresh (no session kept from an earlier issuance).
std::unique_ptr<Issuer> issuer_for(const CertificateRequest& request,
                                   const std::filesystem::path& state_dir,
                                   const std::string& where);

// The plan's issuer and server plugin, made now if the plan holds none (see above).
void complete_plan(PlannedCertificate& plan);

}  // namespace xmppcert

#include "renewal/planning.h"

#include <algorithm>
#include <map>
#include <set>

#include "engine/errors.h"
#include "engine/log.h"
#include "plugins/registry.h"

namespace xmppcert {
namespace {

// The agent reads the server configs at every reload (and plans each turn): a name it will
// not certify is said once per process, not once per read.
void log_once(const std::string& certificate, const std::string& message) {
  static std::set<std::string> said;
  if (said.insert(certificate + "\n" + message).second) log_line(certificate, message);
}

void add_unique(std::vector<std::string>& list, const std::string& item, std::string& added) {
  if (std::find(list.begin(), list.end(), item) != list.end()) return;
  list.push_back(item);
  added += (added.empty() ? "" : ", ") + item;
}

// Adds the domains and components the server's config serves; UsageError prefixed with
// `where` if it serves none at all. A request without a name (`enroll --server` alone) is
// named after its first domain.
void add_discovered_names(CertificateRequest& request, const ServerPlugin& server,
                          const std::string& where) {
  ServedNames served = server.discover();
  // A server may serve names no CA certifies (Debian's prosody ships VirtualHost "localhost").
  auto certifiable = [&](const std::string& name) {
    try {
      parse_domain(name);
      return true;
    } catch (const UsageError& e) {
      log_once(request.name.empty() ? request.install->plugin : request.name,
               "not certifying " + name + " from the " + request.install->plugin +
                   " config: " + e.what());
      return false;
    }
  };
  // A name from a config a daemon's user can write is that user's choice, not root's: it is
  // signed only when the CA validates each name itself (ACME), or root accepted it
  // (--accept-discovered, "discovered_names": "allow"). Stock Debian's ejabberd.yml is
  // ejabberd:ejabberd 0600: with ACME its names are taken as they are.
  std::string refused;
  const bool validated = issuer_validates_names(request.issuer);
  auto trusted = [&](const std::string& name) {
    bool listed =
        std::find(request.domains.begin(), request.domains.end(), name) != request.domains.end() ||
        std::find(request.components.begin(), request.components.end(), name) !=
            request.components.end();
    if (listed || served.untrusted_source.empty() || validated) return true;
    refused += (refused.empty() ? "" : ", ") + name;
    return false;
  };
  std::string added;
  for (const auto& domain : served.domains)
    if (certifiable(domain) && trusted(domain)) add_unique(request.domains, domain, added);
  for (const auto& component : served.components)
    if (std::find(request.domains.begin(), request.domains.end(), component) ==
            request.domains.end() &&
        certifiable(component) && trusted(component))
      add_unique(request.components, component, added);
  std::string refusal = "not certifying " + refused + " from the " + request.install->plugin +
                        " config: " + served.untrusted_source + " (the " + request.issuer +
                        " issuer signs them unchecked: list them in the certificate, enroll"
                        " with --accept-discovered, or set \"discovered_names\": \"allow\" in"
                        " its install settings)";
  if (!refused.empty())
    log_once(request.name.empty() ? request.install->plugin : request.name, refusal);
  if (request.domains.empty())
    throw UsageError(where + ": the " + request.install->plugin +
                     " config serves no domain a certificate can name" +
                     (refused.empty() ? "" : "; " + refusal));
  if (request.name.empty()) request.name = parse_domain(request.domains.front()).ascii;
  if (!added.empty() && !request.name.empty())
    log_line(request.name, "names added from the " + request.install->plugin + " config: " + added);
}

// One server plugin per install target for the plans of one planning: its constructor parses
// the server's config, and a second certificate installed into the same target shares it.
class ServerPlugins {
 public:
  explicit ServerPlugins(const PlanningOptions& options) : options_(options) {}
  std::shared_ptr<ServerPlugin> for_target(const InstallTarget& target, const std::string& where) {
    std::shared_ptr<ServerPlugin>& plugin = made_[target.plugin + "\n" + target.settings.dump()];
    if (!plugin)
      plugin = options_.make_server ? options_.make_server(target, where)
                                    : make_server_plugin(target, where);
    return plugin;
  }

 private:
  const PlanningOptions& options_;
  std::map<std::string, std::shared_ptr<ServerPlugin>> made_;  // by plugin and settings
};

PlannedCertificate discover(const CertificateRequest& configured, const PlanningOptions& options,
                            ServerPlugins& servers) {
  PlannedCertificate plan;
  plan.configured = configured;
  plan.request = configured;
  plan.where = options.where(configured.name);
  if (configured.install) {
    plan.server = servers.for_target(*configured.install, plan.where + ".install");
    add_discovered_names(plan.request, *plan.server, plan.where);
  }
  return plan;
}

// The request's name, identities and issuer settings; the issuer it names. A trusted (stored)
// request's issuer is made at its turn.
void validate(PlannedCertificate& plan, const PlanningOptions& options, bool trusted) {
  if (!trusted) {
    plan.where = options.where(plan.request.name);
    validate_certificate_name(plan.request.name);
  }
  try {
    plan.identities = identities_of(plan.request);
  } catch (const UsageError& e) {
    throw UsageError(plan.where + ": " + e.what());
  }
  if (!trusted) plan.issuer = issuer_for(plan.request, options.state_dir, plan.where);
}

}  // namespace

void add_discovered_names(CertificateRequest& request, const std::string& where) {
  if (!request.install) return;
  auto server = make_server_plugin(*request.install, where + ".install");
  add_discovered_names(request, *server, where);
}

std::unique_ptr<Issuer> issuer_for(const CertificateRequest& request,
                                   const std::filesystem::path& state_dir,
                                   const std::string& where) {
  return make_issuer(request.issuer, request.issuer_settings, state_dir, where);
}

void complete_plan(PlannedCertificate& plan) {
  if (plan.identities.dns_ids.empty()) {
    try {
      plan.identities = identities_of(plan.request);
    } catch (const UsageError& e) {
      throw UsageError(plan.where + ": " + e.what());
    }
  }
  if (!plan.issuer) {
    if (!plan.state_dir)
      throw OperationError("plan " + plan.request.name + ": no issuer and no state dir to make it");
    plan.issuer = issuer_for(plan.request, *plan.state_dir, plan.where);
  }
  if (plan.request.install && !plan.server)
    plan.server = make_server_plugin(*plan.request.install, plan.where + ".install");
}

std::vector<PlannedCertificate> plan_certificates(const std::vector<CertificateRequest>& requests,
                                                  const PlanningOptions& options) {
  ServerPlugins servers(options);
  std::vector<PlannedCertificate> plans;
  plans.reserve(requests.size());
  for (const auto& request : requests) plans.push_back(discover(request, options, servers));
  auto state_dir = std::make_shared<const std::filesystem::path>(options.state_dir);
  for (auto& plan : plans) {
    validate(plan, options, false);
    plan.state_dir = state_dir;
  }
  return plans;
}

void load_records(std::vector<PlannedCertificate>& plans, const Store& store) {
  for (auto& plan : plans) plan.record = store.load(plan.request.name);
}

std::vector<PlannedCertificate> plan_stored_certificates(std::vector<CertificateRecord> records,
                                                         const PlanningOptions& options) {
  ServerPlugins servers(options);
  auto state_dir = std::make_shared<const std::filesystem::path>(options.state_dir);
  std::vector<PlannedCertificate> plans;
  plans.reserve(records.size());
  for (auto& record : records) {
    PlannedCertificate plan;
    try {
      plan = discover(record.request, options, servers);
    } catch (const std::exception& e) {
      log_line(record.name, std::string("server config not read: ") + e.what());
      plan = PlannedCertificate{};
      plan.configured = plan.request = record.request;
      plan.where = options.where(record.name);
    }
    // What does not validate any more (an issuer since removed) fails at its turn, in the
    // record, as it always did: the other certificates are still managed.
    try {
      validate(plan, options, true);
    } catch (const std::exception& e) {
      log_line(record.name, std::string("not planned, tried at its turn: ") + e.what());
    }
    plan.state_dir = state_dir;
    plan.record = std::move(record);
    plans.push_back(std::move(plan));
  }
  return plans;
}

}  // namespace xmppcert

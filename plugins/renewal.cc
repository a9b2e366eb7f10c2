#include "plugins/renewal.h"

#include <algorithm>

#include "engine/enroll.h"
#include "engine/errors.h"
#include "engine/log.h"
#include "plugins/dane_turn.h"
#include "plugins/registry.h"

namespace xmppcert {
namespace {

void add_unique(std::vector<std::string>& list, const std::string& item, std::string& added) {
  if (std::find(list.begin(), list.end(), item) != list.end()) return;
  list.push_back(item);
  added += (added.empty() ? "" : ", ") + item;
}

}  // namespace

void add_discovered_names(CertificateRequest& request, const std::string& where) {
  if (!request.install) return;
  ServedNames served = make_server_plugin(*request.install, where + ".install")->discover();

  // A server may serve names no CA certifies (Debian's prosody ships VirtualHost "localhost").
  auto certifiable = [&](const std::string& name) {
    try {
      parse_domain(name);
      return true;
    } catch (const UsageError& e) {
      log_line(request.name.empty() ? request.install->plugin : request.name,
               "not certifying " + name + " from the " + request.install->plugin +
                   " config: " + e.what());
      return false;
    }
  };
  // A name from a config a daemon's user can write is that user's choice, not root's.
  std::string refused;
  auto trusted = [&](const std::string& name) {
    bool listed =
        std::find(request.domains.begin(), request.domains.end(), name) != request.domains.end() ||
        std::find(request.components.begin(), request.components.end(), name) !=
            request.components.end();
    if (listed || served.untrusted_source.empty()) return true;
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
                        " config: " + served.untrusted_source +
                        " (list them in the certificate, or set \"discovered_names\": \"allow\""
                        " in its install settings)";
  if (!refused.empty())
    log_line(request.name.empty() ? request.install->plugin : request.name, refusal);
  if (request.domains.empty())
    throw UsageError(where + ": the " + request.install->plugin +
                     " config serves no domain a certificate can name" +
                     (refused.empty() ? "" : "; " + refusal));
  if (request.name.empty()) request.name = parse_domain(request.domains.front()).ascii;
  if (!added.empty() && !request.name.empty())
    log_line(request.name, "from the " + request.install->plugin + " config: " + added);
}

RenewalOutcome renew_if_due(const Store& store, const CertificateRequest& request,
                            const std::filesystem::path& state_dir, const std::string& where,
                            std::time_t now, bool force) {
  RenewalOutcome outcome;
  std::optional<CertificateRecord> record = store.load(request.name);
  bool issued_before = record && record->current_version > 0;
  if (request.dane && issued_before) step_dane(store, *record, request, now);
  outcome.decision = decide_renewal(record ? &*record : nullptr, request, now, force);
  if (!outcome.decision.due) {
    if (request.posh && issued_before && posh_documents_missing(*request.posh))
      refresh_posh(store, *record, *request.posh, now);
    // A new install target for a certificate that is not due: install what is current.
    if (request.install && record->request.install != request.install) {
      auto plugin = make_server_plugin(*request.install, where + ".install");
      install_current_version(store, *record, request, *plugin, now);
      outcome.installed_with = plugin->name();
      outcome.installed_current = true;
    }
    return outcome;
  }
  PKeyPtr key;
  bool switching = false;
  if (request.dane && issued_before) {
    key = dane_key_for_renewal(store, *record, request, now, switching, outcome.waiting);
    if (!key) {
      log_line(request.name, outcome.waiting);
      return outcome;
    }
  }
  log_line(request.name, "issuing: " + outcome.decision.reason);
  auto issuer = make_issuer(request.issuer, request.issuer_settings, state_dir, where);
  std::unique_ptr<ServerPlugin> plugin;
  if (request.install) plugin = make_server_plugin(*request.install, where + ".install");
  outcome.issued = enroll_certificate(store, request, *issuer, plugin.get(), now, key.get());
  if (plugin) outcome.installed_with = plugin->name();
  if (request.dane) after_issue_dane(store, *outcome.issued, request, switching, now);
  if (request.posh) refresh_posh(store, *outcome.issued, *request.posh, now);
  return outcome;
}

}  // namespace xmppcert

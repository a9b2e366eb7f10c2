#include "plugins/registry.h"

#include "engine/errors.h"
#include "plugins/issuers/acme/acme_issuer.h"
#include "plugins/issuers/local/local_ca.h"
#include "plugins/plugin_boundary.h"
#include "plugins/servers/common/xmpp_server_plugin.h"
#include "plugins/servers/ejabberd/ejabberd_plugin.h"
#include "plugins/servers/files/files_plugin.h"
#include "plugins/servers/jabberd14/jabberd14_plugin.h"
#include "plugins/servers/jabberd2/jabberd2_plugin.h"
#include "plugins/servers/prosody/prosody_plugin.h"

namespace xmppcert {
namespace {

struct IssuerEntry {
  const char* name;
  const char* description;
  std::unique_ptr<Issuer> (*make)(const nlohmann::json& settings,
                                  const std::filesystem::path& state_dir, const std::string& where);
};

struct ServerEntry {
  const char* name;
  const char* description;
  std::unique_ptr<ServerPlugin> (*make)(const nlohmann::json& settings, const std::string& where);
};

std::unique_ptr<Issuer> make_local(const nlohmann::json& settings,
                                   const std::filesystem::path& state_dir,
                                   const std::string& where) {
  if (!settings.empty()) throw UsageError(where + ".acme: the local issuer takes no ACME settings");
  return std::make_unique<LocalCa>(LocalCa::dir_in(state_dir));
}

std::unique_ptr<Issuer> make_acme(const nlohmann::json& settings,
                                  const std::filesystem::path& state_dir,
                                  const std::string& where) {
  return std::make_unique<acme::AcmeIssuer>(acme::parse_acme_settings(settings, where + ".acme"),
                                            state_dir);
}

const IssuerEntry kIssuers[] = {
    {"local", "the embedded local CA (default, no network)", make_local},
    {"acme", "any ACME CA (RFC 8555), settings under \"acme\"", make_acme},
    {"foundation", "the foundation CA: ACME, its directory URL from the config", make_acme},
};

template <const ServerKind& kind>
std::unique_ptr<ServerPlugin> make_xmpp_server(const nlohmann::json& settings,
                                               const std::string& where) {
  return std::make_unique<XmppServerPlugin>(kind, settings, where);
}

const ServerEntry kServers[] = {
    {"files", "copy key/cert files to paths, then run a reload argv",
     [](const nlohmann::json& settings, const std::string& where) -> std::unique_ptr<ServerPlugin> {
       return std::make_unique<FilesPlugin>(settings, where);
     }},
    {"prosody", "prosody 0.12: certificates folder, prosodyctl reload",
     make_xmpp_server<kProsodyKind>},
    {"ejabberd", "ejabberd: one PEM listed in certfiles, ejabberdctl reload_config",
     make_xmpp_server<kEjabberdKind>},
    {"jabberd2", "jabberd2: one PEM per c2s <id> and s2s, restart c2s and s2s",
     make_xmpp_server<kJabberd2Kind>},
    {"jabberd14", "jabberd 1.4: key+certificate PEM in <io><ssl><key ip=...>, restart",
     make_xmpp_server<kJabberd14Kind>},
};

template <typename Table>
std::string names_of(const Table& table) {
  std::string names;
  for (const auto& entry : table) names += (names.empty() ? "" : ", ") + std::string(entry.name);
  return names;
}

}  // namespace

std::unique_ptr<Issuer> make_issuer(const std::string& name, const nlohmann::json& settings,
                                    const std::filesystem::path& state_dir,
                                    const std::string& where) {
  for (const auto& entry : kIssuers)
    if (name == entry.name)
      return guard_issuer(at_plugin_boundary("configure issuer", where + ".issuer", [&] {
        return entry.make(settings, state_dir, where);
      }));
  throw UsageError(where + ".issuer: unknown issuer \"" + name +
                   "\" (known: " + names_of(kIssuers) + ")");
}

std::unique_ptr<ServerPlugin> make_server_plugin(const InstallTarget& target,
                                                 const std::string& where) {
  for (const auto& entry : kServers)
    if (target.plugin == entry.name)
      return guard_server_plugin(at_plugin_boundary(
          "configure server plugin", where, [&] { return entry.make(target.settings, where); }));
  throw UsageError(where + ": unknown server plugin \"" + target.plugin +
                   "\" (known: " + names_of(kServers) + ")");
}

void validate_plugins(const CertificateRequest& request, const std::string& where) {
  // Constructing a plugin checks its settings and touches nothing.
  make_issuer(request.issuer, request.issuer_settings, "", where);
  if (request.install) make_server_plugin(*request.install, where + ".install");
}

}  // namespace xmppcert

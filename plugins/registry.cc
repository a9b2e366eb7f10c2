#include "plugins/registry.h"

#include <algorithm>

#include "engine/errors.h"
#include "engine/issuer_settings.h"
#include "plugins/issuers/acme/acme_issuer.h"
#include "plugins/issuers/acme/declaration.h"
#include "plugins/issuers/local/local_ca.h"
#include "plugins/log_watch/inclusion_check.h"
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
  const IssuerSettingsDeclaration* settings;  // nullptr: takes none
  // The CA proves control of each name before it signs (ACME challenges): a name a daemon's
  // user writes into a server config cannot get into root's certificate by that alone.
  bool validates_names;
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
    {"local", "the embedded local CA (default, no network)", make_local, nullptr, false},
    {"acme", "any ACME CA (RFC 8555), settings under \"acme\"", make_acme,
     &acme::kAcmeSettingsDeclaration, true},
    {"foundation", "the foundation CA: ACME, its directory URL from the config", make_acme,
     &acme::kAcmeSettingsDeclaration, true},
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
      return guard_issuer(
          logwatch::check_issued_in_log(at_plugin_boundary("configure issuer", where + ".issuer", [&] {
            return entry.make(settings, state_dir, where);
          })));
  throw UsageError(where + ".issuer: unknown issuer \"" + name +
                   "\" (known: " + names_of(kIssuers) + ")");
}

bool issuer_validates_names(const std::string& issuer) {
  for (const auto& entry : kIssuers)
    if (issuer == entry.name) return entry.validates_names;
  return false;
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

const IssuerSettingsDeclaration* issuer_settings_declaration(const std::string& issuer) {
  for (const auto& entry : kIssuers)
    if (issuer == entry.name) return entry.settings;
  return nullptr;
}

std::vector<const IssuerSettingsDeclaration*> issuer_settings_declarations() {
  std::vector<const IssuerSettingsDeclaration*> declarations;
  for (const auto& entry : kIssuers)
    if (entry.settings &&
        std::find(declarations.begin(), declarations.end(), entry.settings) == declarations.end())
      declarations.push_back(entry.settings);
  return declarations;
}

std::string with_setting_flags_named(const std::string& message, const std::string& where) {
  std::string named = message;
  for (const auto* declaration : issuer_settings_declarations())
    named = with_setting_flag_named(named, where, *declaration);
  return named;
}

void declare_issuer_settings_to_engine() {
  std::vector<IssuerSettingsSection> sections;
  for (const auto* declaration : issuer_settings_declarations()) {
    IssuerSettingsSection section{declaration->section, {}, {}};
    for (const auto& entry : kIssuers)
      if (entry.settings == declaration) section.issuers.push_back(entry.name);
    section.secret_keys.assign(declaration->secret_keys.begin(), declaration->secret_keys.end());
    sections.push_back(std::move(section));
  }
  declare_issuer_settings_sections(std::move(sections));
}

}  // namespace xmppcert

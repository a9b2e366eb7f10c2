// The one table of plugins: adding an issuer or a server touches its folder and this table.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/issuer.h"
#include "engine/request.h"
#include "engine/server_plugin.h"
#include "plugins/plugin_settings.h"

namespace xmppcert {

// Plugins come wrapped (plugin_boundary.h): only the project's errors leave their calls.
// UsageError for an unknown issuer name (listing the known ones) or bad settings.
// `settings` are the request's issuer settings ("acme": {...}); `where` prefixes errors.
std::unique_ptr<Issuer> make_issuer(const std::string& name, const nlohmann::json& settings,
                                    const std::filesystem::path& state_dir,
                                    const std::string& where);

// Whether the named issuer has each name validated before it signs (ACME, foundation: yes;
// the local CA signs what it is told: no; an unknown name: no).
bool issuer_validates_names(const std::string& issuer);

// UsageError for an unknown plugin or a bad setting, prefixed with `where`.
std::unique_ptr<ServerPlugin> make_server_plugin(const InstallTarget& target,
                                                 const std::string& where);

// Everything a request names exists and is well-formed; nothing is touched.
void validate_plugins(const CertificateRequest& request, const std::string& where);

// The settings the named issuer declares (flags, config section, secrets, account
// operations); nullptr when it takes none or is unknown.
const IssuerSettingsDeclaration* issuer_settings_declaration(const std::string& issuer);

// Every distinct declaration, in table order (issuers may share one: acme and foundation).
std::vector<const IssuerSettingsDeclaration*> issuer_settings_declarations();

// `message` with a settings key path under `where` told by the flag that fills it
// (with_setting_flag_named, across the declarations).
std::string with_setting_flags_named(const std::string& message, const std::string& where);

// Hands the issuers' config sections and secret keys down to the engine
// (engine/issuer_settings.h). The programs call it before reading a config or a record.
void declare_issuer_settings_to_engine();

}  // namespace xmppcert

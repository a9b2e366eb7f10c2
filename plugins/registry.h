// The one table of plugins: adding an issuer or a server touches its folder and this table.
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "engine/issuer.h"
#include "engine/request.h"
#include "engine/server_plugin.h"

namespace xmppcert {

// Plugins come wrapped (plugin_boundary.h): only the project's errors leave their calls.
// UsageError for an unknown issuer name (listing the known ones) or bad settings.
// `settings` are the request's issuer settings ("acme": {...}); `where` prefixes errors.
std::unique_ptr<Issuer> make_issuer(const std::string& name, const nlohmann::json& settings,
                                    const std::filesystem::path& state_dir,
                                    const std::string& where);

// UsageError for an unknown plugin or a bad setting, prefixed with `where`.
std::unique_ptr<ServerPlugin> make_server_plugin(const InstallTarget& target,
                                                 const std::string& where);

// Everything a request names exists and is well-formed; nothing is touched.
void validate_plugins(const CertificateRequest& request, const std::string& where);

}  // namespace xmppcert

// What the ACME issuer declares to the registry: its enroll flags, its config section
// "acme", its secret keys and its account operations (rollover, deactivate).
#pragma once

#include "plugins/plugin_settings.h"

namespace xmppcert::acme {

extern const IssuerSettingsDeclaration kAcmeSettingsDeclaration;

}  // namespace xmppcert::acme

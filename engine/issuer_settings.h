// Issuers' settings as the engine sees them: an opaque JSON object under a section key of a
// certificate's entry (in the config and in record.json), checked by the issuer.
// Which sections exist, which issuers read them, and which of their keys are secrets (never
// written to a record or a log) the plugins declare (plugins/registry.cc) and hand down here
// once, before any config or record is read, so that the engine names no plugin. Until then
// no section is known: a config naming one is refused and writing settings fails, so a
// secret never slips through for want of a declaration.
#pragma once

#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xmppcert {

struct IssuerSettingsSection {
  std::string key;                       // the section's key in an entry
  std::vector<std::string> issuers;      // the issuers whose settings it holds
  std::vector<std::string> secret_keys;  // never written to a record or a log
};

void declare_issuer_settings_sections(std::vector<IssuerSettingsSection> sections);
const std::vector<IssuerSettingsSection>& issuer_settings_sections();

// Every section's key, once each, in declaration order.
std::vector<std::string> issuer_settings_keys();

// The section holding `issuer`'s settings; nullptr when none does.
const IssuerSettingsSection* issuer_settings_section_of(const std::string& issuer);

// `settings` without the section's secret keys.
nlohmann::json without_secrets(const nlohmann::json& settings,
                               const IssuerSettingsSection& section);

}  // namespace xmppcert

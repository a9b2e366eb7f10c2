#include "engine/issuer_settings.h"

#include <algorithm>

namespace xmppcert {
namespace {

std::vector<IssuerSettingsSection>& sections() {
  static std::vector<IssuerSettingsSection> declared;
  return declared;
}

}  // namespace

void declare_issuer_settings_sections(std::vector<IssuerSettingsSection> declared) {
  sections() = std::move(declared);
}

const std::vector<IssuerSettingsSection>& issuer_settings_sections() { return sections(); }

std::vector<std::string> issuer_settings_keys() {
  std::vector<std::string> keys;
  for (const auto& section : sections())
    if (std::find(keys.begin(), keys.end(), section.key) == keys.end()) keys.push_back(section.key);
  return keys;
}

const IssuerSettingsSection* issuer_settings_section_of(const std::string& issuer) {
  for (const auto& section : sections())
    if (std::find(section.issuers.begin(), section.issuers.end(), issuer) != section.issuers.end())
      return &section;
  return nullptr;
}

nlohmann::json without_secrets(const nlohmann::json& settings,
                               const IssuerSettingsSection& section) {
  nlohmann::json kept = settings;
  for (const auto& key : section.secret_keys) kept.erase(key);
  return kept;
}

}  // namespace xmppcert

// Sections of a certificate's entry and of its record that a module above the engine owns
// (dane/: "dane" and "posh" in a request, "dane" in a record). The engine keeps each as a JSON
// object under its key, writes it where the key stands in the config and in record.json, and
// never looks inside. The module declares its keys once, before any config or record is read
// (as the plugins declare the issuers' sections, engine/issuer_settings.h); until then a config
// naming one is refused as an unknown key.
#pragma once

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace xmppcert {

// Key -> the module's JSON object, as its normalizer returned it.
using Extensions = std::map<std::string, nlohmann::json>;

struct ExtensionSection {
  std::string key;
  // Checks a section as read (UsageError naming the bad key under `where`) and returns it in
  // the one form the module writes, so that equal settings compare equal.
  nlohmann::json (*normalize)(const nlohmann::json& section, const std::string& where);
};

struct ExtensionSections {
  std::vector<ExtensionSection> request;  // in a config entry and in record.json's "request"
  std::vector<ExtensionSection> record;   // beside the engine's own keys in record.json
};

// Replaces what was declared before (a test may declare again).
void declare_extension_sections(ExtensionSections sections);
const ExtensionSections& extension_sections();

// The sections of `json` whose keys are declared in `sections`, each normalized with its
// path under `where` ("config.json: certificates.\"x\"" -> "...\"x\".dane").
Extensions extensions_from_json(const nlohmann::json& json,
                                const std::vector<ExtensionSection>& sections,
                                const std::string& where);
// Adds each section under its key.
void add_extensions(nlohmann::json& json, const Extensions& extensions);

// The section under `key`; nullptr when absent.
const nlohmann::json* extension(const Extensions& extensions, const std::string& key);

}  // namespace xmppcert

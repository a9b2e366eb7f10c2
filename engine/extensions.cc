#include "engine/extensions.h"

#include "engine/json_fields.h"

namespace xmppcert {
namespace {

ExtensionSections& declared() {
  static ExtensionSections sections;
  return sections;
}

}  // namespace

void declare_extension_sections(ExtensionSections sections) { declared() = std::move(sections); }

const ExtensionSections& extension_sections() { return declared(); }

Extensions extensions_from_json(const nlohmann::json& json,
                                const std::vector<ExtensionSection>& sections,
                                const std::string& where) {
  JsonFields fields(json, where);
  Extensions extensions;
  for (const auto& section : sections)
    if (const auto* object = fields.object(section.key.c_str()))
      extensions[section.key] = section.normalize(*object, fields.path_of(section.key));
  return extensions;
}

void add_extensions(nlohmann::json& json, const Extensions& extensions) {
  for (const auto& [key, section] : extensions) json[key] = section;
}

const nlohmann::json* extension(const Extensions& extensions, const std::string& key) {
  auto it = extensions.find(key);
  return it == extensions.end() ? nullptr : &it->second;
}

}  // namespace xmppcert

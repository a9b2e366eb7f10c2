#include "dane/dane_sections.h"

#include "dane/dane_settings.h"
#include "dane/dane_state.h"
#include "engine/extensions.h"

namespace xmppcert {
namespace {

nlohmann::json normalized_dane_settings(const nlohmann::json& json, const std::string& where) {
  return dane_settings_to_json(dane_settings_from_json(json, where));
}

nlohmann::json normalized_posh_settings(const nlohmann::json& json, const std::string& where) {
  return posh_settings_to_json(posh_settings_from_json(json, where));
}

nlohmann::json normalized_dane_state(const nlohmann::json& json, const std::string&) {
  return dane_state_to_json(dane_state_from_json(json));
}

}  // namespace

void declare_dane_sections_to_engine() {
  declare_extension_sections(
      {{{"dane", normalized_dane_settings}, {"posh", normalized_posh_settings}},
       {{"dane", normalized_dane_state}}});
}

}  // namespace xmppcert

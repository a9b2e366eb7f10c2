#include "dane/dane_state.h"

#include "engine/record_json.h"

namespace xmppcert {

nlohmann::json dane_state_to_json(const DaneState& s) {
  return {{"current", s.current},
          {"next", s.next},
          {"published", s.published},
          {"published_at", stored_time_to_json(s.published_at)},
          {"next_visible_since", stored_time_to_json(s.next_visible_since)},
          {"retired", s.retired},
          {"retire_at", stored_time_to_json(s.retire_at)},
          {"last_query", stored_time_to_json(s.last_query)},
          {"waiting", s.waiting}};
}

DaneState dane_state_from_json(const nlohmann::json& json) {
  DaneState s;
  s.current = json.value("current", "");
  s.next = json.value("next", "");
  s.published = json.value("published", std::vector<std::string>{});
  s.published_at = stored_time_from_json(json.value("published_at", nlohmann::json()));
  s.next_visible_since = stored_time_from_json(json.value("next_visible_since", nlohmann::json()));
  s.retired = json.value("retired", "");
  s.retire_at = stored_time_from_json(json.value("retire_at", nlohmann::json()));
  s.last_query = stored_time_from_json(json.value("last_query", nlohmann::json()));
  s.waiting = json.value("waiting", "");
  return s;
}

std::optional<DaneState> dane_state_of(const CertificateRecord& record) {
  const nlohmann::json* section = extension(record.extensions, "dane");
  if (!section) return std::nullopt;
  return dane_state_from_json(*section);
}

void set_dane_state(CertificateRecord& record, const DaneState& state) {
  record.extensions["dane"] = dane_state_to_json(state);
}

}  // namespace xmppcert

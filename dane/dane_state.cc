#include "dane/dane_state.h"

#include "engine/clock.h"

namespace xmppcert {
namespace {

nlohmann::json time_or_null(std::time_t t) {
  return t ? nlohmann::json(format_utc(t)) : nlohmann::json();
}
std::time_t time_from(const nlohmann::json& json, const char* key) {
  auto it = json.find(key);
  return it != json.end() && it->is_string() ? parse_utc(it->get<std::string>()) : 0;
}

}  // namespace

nlohmann::json dane_state_to_json(const DaneState& s) {
  return {{"current", s.current},
          {"next", s.next},
          {"published", s.published},
          {"published_at", time_or_null(s.published_at)},
          {"next_visible_since", time_or_null(s.next_visible_since)},
          {"retired", s.retired},
          {"retire_at", time_or_null(s.retire_at)},
          {"last_query", time_or_null(s.last_query)},
          {"waiting", s.waiting}};
}

DaneState dane_state_from_json(const nlohmann::json& json) {
  DaneState s;
  s.current = json.value("current", "");
  s.next = json.value("next", "");
  s.published = json.value("published", std::vector<std::string>{});
  s.published_at = time_from(json, "published_at");
  s.next_visible_since = time_from(json, "next_visible_since");
  s.retired = json.value("retired", "");
  s.retire_at = time_from(json, "retire_at");
  s.last_query = time_from(json, "last_query");
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

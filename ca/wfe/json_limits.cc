#include "ca/wfe/json_limits.h"

#include "ca/problem.h"

namespace xmppcert::ca {
namespace {

struct TooDeep {};

const nlohmann::json* member(const nlohmann::json& object, const char* key,
                             const std::string& what) {
  if (!object.is_object()) throw AcmeProblem("malformed", what + " is not a JSON object");
  auto found = object.find(key);
  return found == object.end() ? nullptr : &*found;
}

[[noreturn]] void wrong_type(const char* key, const std::string& what, const char* expected) {
  throw AcmeProblem("malformed", what + "." + key + " must be " + expected);
}

}  // namespace

nlohmann::json parse_untrusted_json(std::string_view text, const std::string& what) {
  // The callback sees each value as it starts; `depth` counts the containers around it.
  auto limit = [](int depth, nlohmann::json::parse_event_t event, nlohmann::json&) {
    if ((event == nlohmann::json::parse_event_t::object_start ||
         event == nlohmann::json::parse_event_t::array_start) &&
        depth >= kMaxJsonDepth)
      throw TooDeep{};
    return true;
  };
  nlohmann::json parsed;
  try {
    parsed = nlohmann::json::parse(text, limit, false);
  } catch (const TooDeep&) {
    throw AcmeProblem(
        "malformed", what + " nests JSON deeper than " + std::to_string(kMaxJsonDepth) + " levels");
  }
  if (parsed.is_discarded()) throw AcmeProblem("malformed", what + " is not JSON");
  return parsed;
}

std::optional<std::string> string_member(const nlohmann::json& object, const char* key,
                                         const std::string& what) {
  const nlohmann::json* value = member(object, key, what);
  if (!value) return std::nullopt;
  if (!value->is_string()) wrong_type(key, what, "a string");
  return value->get<std::string>();
}

std::optional<bool> bool_member(const nlohmann::json& object, const char* key,
                                const std::string& what) {
  const nlohmann::json* value = member(object, key, what);
  if (!value) return std::nullopt;
  if (!value->is_boolean()) wrong_type(key, what, "true or false");
  return value->get<bool>();
}

std::optional<long long> integer_member(const nlohmann::json& object, const char* key,
                                        const std::string& what) {
  const nlohmann::json* value = member(object, key, what);
  if (!value) return std::nullopt;
  if (!value->is_number_integer()) wrong_type(key, what, "an integer");
  return value->get<long long>();
}

nlohmann::json checked_contacts(const nlohmann::json& value) {
  if (!value.is_array() || value.size() > kMaxContacts)
    throw AcmeProblem("malformed", "contact must be an array of at most " +
                                       std::to_string(kMaxContacts) + " mailto: URLs");
  nlohmann::json out = nlohmann::json::array();
  for (const auto& contact : value) {
    if (!contact.is_string()) throw AcmeProblem("malformed", "a contact is not a string");
    const std::string& text = contact.get_ref<const std::string&>();
    bool clean = text.size() <= kMaxContactLength && text.size() > 7 &&
                 text.find_first_of(",\x7f") == std::string::npos;
    for (unsigned char c : text) clean = clean && c >= 0x20;
    if (!text.starts_with("mailto:") || !clean)
      throw AcmeProblem("unsupportedContact", "only mailto: contacts of at most " +
                                                  std::to_string(kMaxContactLength) +
                                                  " characters, one address each, are accepted");
    out.push_back(text);
  }
  return out;
}

}  // namespace xmppcert::ca

#include "engine/json_fields.h"

#include <algorithm>

#include "engine/errors.h"

namespace xmppcert {

JsonFields::JsonFields(const nlohmann::json& object, std::string where)
    : object_(object), where_(std::move(where)) {
  if (!object_.is_object()) throw UsageError(where_ + ": expected an object");
}

std::string JsonFields::path_of(const std::string& key) const { return where_ + "." + key; }

void JsonFields::allow_only(std::initializer_list<const char*> keys) const {
  allow_only(std::vector<std::string>(keys.begin(), keys.end()));
}

void JsonFields::allow_only(const std::vector<std::string>& keys) const {
  for (const auto& item : object_.items()) {
    const std::string& key = item.key();  // a structured binding: clang 14 cannot capture it
    bool known = std::find(keys.begin(), keys.end(), key) != keys.end();
    if (known) continue;
    std::string expected;
    for (const auto& k : keys) expected += expected.empty() ? k : ", " + k;
    throw UsageError(where_ + ": unknown key \"" + key + "\" (expected one of: " + expected + ")");
  }
}

std::optional<std::string> JsonFields::string(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end()) return std::nullopt;
  if (!it->is_string()) throw UsageError(path_of(key) + ": expected a string");
  return it->get<std::string>();
}

std::optional<bool> JsonFields::boolean(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end()) return std::nullopt;
  if (!it->is_boolean()) throw UsageError(path_of(key) + ": expected true or false");
  return it->get<bool>();
}

std::optional<std::vector<std::string>> JsonFields::strings(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end()) return std::nullopt;
  bool all_strings = it->is_array() && std::all_of(it->begin(), it->end(),
                                                   [](const auto& v) { return v.is_string(); });
  if (!all_strings) throw UsageError(path_of(key) + ": expected an array of strings");
  return it->get<std::vector<std::string>>();
}

const nlohmann::json* JsonFields::object(const char* key) const {
  auto it = object_.find(key);
  if (it == object_.end()) return nullptr;
  if (!it->is_object()) throw UsageError(path_of(key) + ": expected an object");
  return &*it;
}

void JsonFields::with_context(const char* key, const std::function<void()>& check) const {
  try {
    check();
  } catch (const UsageError& e) {
    throw UsageError(path_of(key) + ": " + e.what());
  }
}

}  // namespace xmppcert

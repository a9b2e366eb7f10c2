#include "engine/json_fields.h"

#include <algorithm>

#include "engine/errors.h"

namespace xmppcert {
namespace {

// nlohmann reports "[json.exception.parse_error.101] parse error at line 3, column 5: ..." (or
// "[json.exception.out_of_range.406] number overflow parsing '1e999'"); keep the part after
// the tag.
std::string syntax_error_text(const nlohmann::json::exception& e) {
  std::string text = e.what();
  size_t tag_end = text.find("] ");
  if (tag_end != std::string::npos) text.erase(0, tag_end + 2);
  return text;
}

}  // namespace

// An unknown key is easier to find with its line: the first line the quoted key stands on.
std::string with_line_of_unknown_key(const std::string& message, const std::string& text,
                                     const std::string& origin) {
  const std::string marker = "unknown key \"";
  size_t at = message.find(marker);
  if (at == std::string::npos) return message;
  size_t key_end = message.find('"', at + marker.size());
  std::string quoted = message.substr(at + marker.size() - 1, key_end - at - marker.size() + 2);
  size_t position = text.find(quoted);
  if (position == std::string::npos) return message;
  long line = 1 + std::count(text.begin(), text.begin() + static_cast<long>(position), '\n');
  std::string located = message;
  located.replace(0, origin.size(), origin + ":" + std::to_string(line));
  return located;
}

nlohmann::json parse_config_json(const std::string& text, const std::string& origin) {
  try {
    return nlohmann::json::parse(text, nullptr, true, /*ignore_comments=*/true);
  } catch (const nlohmann::json::exception& e) {  // a syntax error, a number out of range
    throw UsageError(origin + ": JSON " + syntax_error_text(e));
  }
}

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

std::optional<long long> JsonFields::integer(const char* key, long long min, long long max) const {
  auto it = object_.find(key);
  if (it == object_.end()) return std::nullopt;
  if (!it->is_number_integer() || it->get<long long>() < min || it->get<long long>() > max)
    throw UsageError(path_of(key) + ": expected an integer from " + std::to_string(min) + " to " +
                     std::to_string(max));
  return it->get<long long>();
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

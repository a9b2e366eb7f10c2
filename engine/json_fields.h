// Typed, strict access to one JSON object of the config: unknown keys and wrong types are
// UsageErrors that name the key path ("config.json: certificates.\"x\".key_type: ...").
#pragma once

#include <functional>
#include <initializer_list>
#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

namespace xmppcert {

// A config file's text as JSON (comments allowed); UsageError "ORIGIN: JSON parse error at
// line L, column C: ..." otherwise.
nlohmann::json parse_config_json(const std::string& text, const std::string& origin);

// `message` ("ORIGIN: ... unknown key \"k\" ...") with ORIGIN:LINE, the line the quoted key
// first stands on in `text`; unchanged when it names no unknown key.
std::string with_line_of_unknown_key(const std::string& message, const std::string& text,
                                     const std::string& origin);

class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string where);

  void allow_only(std::initializer_list<const char*> keys) const;
  void allow_only(const std::vector<std::string>& keys) const;

  std::optional<std::string> string(const char* key) const;
  std::optional<bool> boolean(const char* key) const;
  // An integer in [min, max]; UsageError naming the key and the range otherwise.
  std::optional<long long> integer(const char* key, long long min, long long max) const;
  std::optional<std::vector<std::string>> strings(const char* key) const;
  const nlohmann::json* object(const char* key) const;

  // Runs `check`; a UsageError it throws is re-thrown prefixed with this key's path.
  void with_context(const char* key, const std::function<void()>& check) const;

  std::string path_of(const std::string& key) const;

 private:
  const nlohmann::json& object_;
  std::string where_;
};

}  // namespace xmppcert

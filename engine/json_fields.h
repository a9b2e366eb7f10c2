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

class JsonFields {
 public:
  JsonFields(const nlohmann::json& object, std::string where);

  void allow_only(std::initializer_list<const char*> keys) const;
  void allow_only(const std::vector<std::string>& keys) const;

  std::optional<std::string> string(const char* key) const;
  std::optional<bool> boolean(const char* key) const;
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

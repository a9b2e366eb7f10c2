#include "plugins/plugin_settings.h"

#include <cstdlib>

#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert {
namespace {

int port_number(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(what + ": expected a port number, got \"" + text + "\"");
  return std::stoi(text);
}

std::string without_trailing_space(const std::string& text) {
  size_t end = text.find_last_not_of(" \t\r\n");
  return end == std::string::npos ? "" : text.substr(0, end + 1);
}

bool starts_with(const std::string& text, const std::string& prefix) {
  return text.compare(0, prefix.size(), prefix) == 0;
}

}  // namespace

void apply_setting_flag(const SettingFlag& flag, const std::optional<std::string>& value,
                        nlohmann::json& settings, const std::string& command) {
  const std::string what = command + ": " + flag.flag;
  switch (flag.kind) {
    case FlagValue::kSwitch:
      settings[flag.key] = true;
      return;
    case FlagValue::kText:
      settings[flag.key] = value.value_or("");
      return;
    case FlagValue::kPort:
      settings[flag.key] = port_number(value.value_or(""), what);
      return;
    case FlagValue::kProgram:
      settings[flag.key] = {value.value_or("")};
      return;
    case FlagValue::kHostPort: {
      const std::string text = value.value_or("");
      size_t colon = text.rfind(':');
      settings[flag.key] = text.substr(0, colon);
      if (colon != std::string::npos)
        settings[flag.port_key] = port_number(text.substr(colon + 1), what);
      return;
    }
    case FlagValue::kSecretFile: {
      std::string secret;
      try {
        secret = read_file(value.value_or(""));
      } catch (const OperationError& e) {
        throw UsageError(what + ": " + e.what());  // the error names the file, never its content
      }
      settings[flag.key] = without_trailing_space(secret);
      return;
    }
    case FlagValue::kRefused:
      throw UsageError(what + " " + flag.help);
  }
}

void apply_secret_variable(const SecretVariable& variable, bool flag_given,
                           nlohmann::json& settings) {
  const char* value = std::getenv(variable.variable);
  if (!flag_given || !value || !*value || settings.contains(variable.key)) return;
  settings[variable.key] = std::string(value);
}

std::string setting_flags_help(const std::string& heading, std::span<const SettingFlag> flags) {
  constexpr size_t kColumn = 22;  // where the help text starts, as in the static usage text
  const std::string indent = "\n  " + std::string(kColumn, ' ');
  std::string help = heading + "\n";
  for (const auto& flag : flags) {
    if (flag.kind == FlagValue::kRefused) continue;
    std::string left = flag.flag;
    if (*flag.value_name) left += std::string(" ") + flag.value_name;
    help += "  " + left;
    help += left.size() + 2 <= kColumn ? std::string(kColumn - left.size(), ' ') : indent;
    for (char c : std::string(flag.help)) help += c == '\n' ? indent : std::string(1, c);
    help += "\n";
  }
  return help;
}

std::string with_setting_flag_named(const std::string& message, const std::string& where,
                                    const IssuerSettingsDeclaration& declaration) {
  const std::string section = where + "." + declaration.section + ".";
  if (!starts_with(message, section)) return message;
  for (const auto& flag : declaration.flags) {
    if (flag.kind == FlagValue::kRefused) continue;
    for (const char* key : {flag.key, flag.port_key}) {
      if (!key) continue;
      const std::string path = section + key + ":";
      if (starts_with(message, path))
        return where + ": " + flag.flag + message.substr(path.size() - 1);
    }
  }
  return message;
}

}  // namespace xmppcert

// What an issuer declares about its settings, so that the CLI, the config reader and the
// store handle them without naming it (plugins/registry.cc lists the declarations):
//   - its enroll flags, each filling a key of the settings object as the config would (a
//     secret from a file, never from argv, where every local user can read it);
//   - environment variables that may carry a secret instead of a file;
//   - the config section that holds its settings ("acme": {...});
//   - which keys are secrets, never written to a record or a log;
//   - the operations `xmppcert account` offers on its account.
#pragma once

#include <filesystem>
#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>

namespace xmppcert {

enum class FlagValue {
  kSwitch,    // no value: the key becomes true
  kText,      // the value as a string
  kPort,      // a port number 1-65535
  kProgram,   // a program path: the key becomes the argv ["PATH"]
  kHostPort,  // HOST[:PORT]: HOST fills `key`, PORT `port_key`
  kSecretFile,  // a file whose content (trailing white space cut) fills `key`
  kRefused,     // accepted by the parser only to be refused: `help` says what to use instead
};

struct SettingFlag {
  const char* flag;        // "--acme-directory"
  const char* value_name;  // "URL", shown in --help; "" for a switch
  FlagValue kind;
  const char* key;       // the settings key it fills: "directory"
  const char* port_key;  // kHostPort only
  const char* help;      // for --help (lines after the first are indented); kRefused: why
};

// An environment variable that fills a secret key when `with_flag` is given and no flag
// filled the key already (a variable left in the environment changes no other request).
struct SecretVariable {
  const char* variable;   // "XMPPCERT_EAB_HMAC"
  const char* key;        // the settings key it fills
  const char* with_flag;  // only when this flag is given
};

// Fills `settings` from the flag's value (nullopt: the switch was given). UsageError
// "COMMAND: FLAG: expected a port number, got \"TEXT\"" on a bad port, "COMMAND: FLAG: ..."
// on an unreadable secret file or a refused flag.
void apply_setting_flag(const SettingFlag& flag, const std::optional<std::string>& value,
                        nlohmann::json& settings, const std::string& command);

// Fills the variable's key from the environment when it is set, not empty, and the key is
// not filled yet (`flag_given`: whether its `with_flag` was given).
void apply_secret_variable(const SecretVariable& variable, bool flag_given,
                           nlohmann::json& settings);

// "  --flag VALUE          help" lines under `heading`, as `xmppcert enroll --help` prints
// them; refused flags are left out.
std::string setting_flags_help(const std::string& heading, std::span<const SettingFlag> flags);

struct AccountOperation {
  const char* name;     // "rollover"
  const char* summary;  // one line for --help
  // Acts on the account the settings name; returns what to tell the user. `where` prefixes
  // errors in the settings.
  std::string (*run)(const nlohmann::json& settings, const std::string& where,
                     const std::filesystem::path& state_dir);
};

struct IssuerSettingsDeclaration {
  const char* section;       // "acme": where the settings sit in a config entry and a record
  const char* help_heading;  // the --help heading of the flags
  std::span<const SettingFlag> flags;
  std::span<const char* const> secret_keys;  // never in a record or a log
  std::span<const SecretVariable> secret_variables;
  std::span<const AccountOperation> account_operations;
};

// A settings error about a request built from flags, told by the flag that fills the key:
// "WHERE.SECTION.KEY: cause" becomes "WHERE: FLAG: cause"; any other message is returned as
// it is.
std::string with_setting_flag_named(const std::string& message, const std::string& where,
                                    const IssuerSettingsDeclaration& declaration);

}  // namespace xmppcert

// A small strict argument parser: declared options only, values after "--opt VALUE" or
// "--opt=VALUE", repeatable options collect, anything undeclared is a UsageError.
#pragma once

#include <map>
#include <optional>
#include <string>
#include <vector>

namespace xmppcert::cmdline {

struct OptionSpec {
  const char* name;  // "--key-type"
  bool takes_value;
  bool repeatable = false;
};

class ParsedArgs {
 public:
  bool has(const std::string& name) const { return values_.count(name) > 0; }
  std::optional<std::string> value(const std::string& name) const;
  std::vector<std::string> values(const std::string& name) const;
  const std::vector<std::string>& positional() const { return positional_; }

 private:
  friend ParsedArgs parse_args(const std::string&, const std::vector<std::string>&,
                               const std::vector<OptionSpec>&);
  std::map<std::string, std::vector<std::string>> values_;
  std::vector<std::string> positional_;
};

// A flag's port number; UsageError "WHAT: expected a port number, got \"TEXT\"".
int parse_port(const std::string& text, const std::string& what);

// `command` prefixes errors ("enroll: unknown option --foo").
ParsedArgs parse_args(const std::string& command, const std::vector<std::string>& args,
                      const std::vector<OptionSpec>& specs);

}  // namespace xmppcert::cmdline

#include "cmdline/args.h"

#include "cmdline/program.h"
#include "cmdline/suggest.h"
#include "engine/errors.h"

namespace xmppcert::cmdline {

std::optional<std::string> ParsedArgs::value(const std::string& name) const {
  auto it = values_.find(name);
  if (it == values_.end() || it->second.empty()) return std::nullopt;
  return it->second.back();
}

std::vector<std::string> ParsedArgs::values(const std::string& name) const {
  auto it = values_.find(name);
  return it == values_.end() ? std::vector<std::string>{} : it->second;
}

ParsedArgs parse_args(const std::string& command, const std::vector<std::string>& args,
                      const std::vector<OptionSpec>& specs) {
  ParsedArgs parsed;
  // "enroll: " before each error; nothing for a program without commands (command "").
  const std::string prefix = command.empty() ? "" : command + ": ";
  const std::string help = program_name() + (command.empty() ? "" : " " + command) + " --help";
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& arg = args[i];
    if (arg.rfind("--", 0) != 0 || arg == "--") {
      parsed.positional_.push_back(arg);
      continue;
    }
    std::string name = arg;
    std::optional<std::string> inline_value;
    if (size_t eq = arg.find('='); eq != std::string::npos) {
      name = arg.substr(0, eq);
      inline_value = arg.substr(eq + 1);
    }
    const OptionSpec* spec = nullptr;
    for (const auto& candidate : specs)
      if (name == candidate.name) spec = &candidate;
    if (!spec) {
      std::vector<std::string> names;
      for (const auto& candidate : specs) names.push_back(candidate.name);
      throw UsageError(prefix + "unknown option " + name + did_you_mean(name, names) + " (see " +
                       help + ")");
    }
    if (!spec->repeatable && parsed.values_.count(name))
      throw UsageError(prefix + "option " + name + " given twice");
    auto& slot = parsed.values_[name];
    if (!spec->takes_value) {
      if (inline_value) throw UsageError(prefix + "option " + name + " takes no value");
      continue;
    }
    if (inline_value) {
      slot.push_back(*inline_value);
    } else if (i + 1 < args.size()) {
      slot.push_back(args[++i]);
    } else {
      throw UsageError(prefix + "option " + name + " needs a value");
    }
  }
  return parsed;
}

int parse_port(const std::string& text, const std::string& what) {
  if (text.empty() || text.size() > 5 || text.find_first_not_of("0123456789") != std::string::npos)
    throw UsageError(what + ": expected a port number, got \"" + text + "\"");
  return std::stoi(text);
}

}  // namespace xmppcert::cmdline

#include "engine/command_runner.h"

#include "engine/errors.h"

namespace xmppcert {
namespace {

std::string last_line(const std::string& output) {
  size_t end = output.find_last_not_of("\n\r ");
  if (end == std::string::npos) return "";
  size_t start = output.find_last_of('\n', end);
  return output.substr(start == std::string::npos ? 0 : start + 1,
                       end + 1 - (start == std::string::npos ? 0 : start + 1));
}

}  // namespace

void CommandRunner::run_checked(const std::vector<std::string>& argv, const std::string& what,
                                const std::string& input,
                                const CommandEnvironment& environment) const {
  CommandResult result = run(argv, std::chrono::seconds(300), input, environment);
  if (result.exit_code == 0) return;
  std::string cause =
      result.exit_code < 0 ? "killed by a signal" : "exit code " + std::to_string(result.exit_code);
  std::string line = last_line(result.output);
  if (!line.empty()) cause += " (" + line + ")";
  throw_operation_error(what, "\"" + command_text(argv) + "\"", cause);
}

CommandResult SystemCommandRunner::run(const std::vector<std::string>& argv,
                                       std::chrono::seconds time_limit, const std::string& input,
                                       const CommandEnvironment& environment) const {
  return run_command(argv, time_limit, input, environment);
}

const CommandRunner& system_command_runner() {
  static const SystemCommandRunner runner;
  return runner;
}

}  // namespace xmppcert

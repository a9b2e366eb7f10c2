// The commands that plugins run (reload commands, hooks, nsupdate, dig) go through a
// CommandRunner they are handed, so that a test can answer for the command and read what it
// was given. Production passes system_command_runner() (engine/process: argv, no shell, a
// clean environment); tests pass a FakeCommandRunner (tests/support/fake_command_runner.h).
#pragma once

#include <chrono>
#include <string>
#include <vector>

#include "engine/process.h"

namespace xmppcert {

class CommandRunner {
 public:
  virtual ~CommandRunner() = default;
  virtual CommandResult run(const std::vector<std::string>& argv, std::chrono::seconds time_limit,
                            const std::string& input,
                            const CommandEnvironment& environment) const = 0;

  // As run_command_checked (engine/process.h): a non-zero exit is an OperationError naming
  // `what`, the command and the last line it printed.
  void run_checked(const std::vector<std::string>& argv, const std::string& what,
                   const std::string& input = "", const CommandEnvironment& environment = {}) const;
};

// run_command.
class SystemCommandRunner : public CommandRunner {
 public:
  CommandResult run(const std::vector<std::string>& argv, std::chrono::seconds time_limit,
                    const std::string& input, const CommandEnvironment& environment) const override;
};

// The process-wide SystemCommandRunner: the default of every constructor that takes one.
const CommandRunner& system_command_runner();

}  // namespace xmppcert

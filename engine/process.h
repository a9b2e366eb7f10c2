// Runs hooks and reload commands from an argv, never through a shell, with a time limit.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace xmppcert {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr together, the first 64 KiB
};

// `input` is written to the command's stdin (at most a pipe's worth, 64 KiB); otherwise
// stdin is /dev/null.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::seconds time_limit = std::chrono::seconds(300),
                          const std::string& input = "");

// As run_command, but a non-zero exit is an OperationError naming `what`, the command and
// the last line it printed.
void run_command_checked(const std::vector<std::string>& argv, const std::string& what,
                         const std::string& input = "");

// Starts a daemon: argv runs in its own session with stdio on /dev/null, not waited for.
// Throws OperationError when it cannot be executed.
void spawn_detached(const std::vector<std::string>& argv);

}  // namespace xmppcert

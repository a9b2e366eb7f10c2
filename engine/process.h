// Runs hooks and reload commands from an argv, never through a shell, with a time limit.
// A command gets nothing of ours it was not given: a clean environment (kCommandPath, LANG=C,
// plus the XMPPCERT_* variables the caller passes), argv[0] resolved against kCommandPath
// (never the caller's PATH), and only fds 0-2.
#pragma once

#include <chrono>
#include <string>
#include <vector>

namespace xmppcert {

struct CommandResult {
  int exit_code = -1;  // -1 when killed by a signal
  std::string output;  // stdout and stderr together, the first 64 KiB
};

inline constexpr const char* kCommandPath =
    "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";

// "NAME=value" entries added to a command's clean environment; each NAME must start with
// XMPPCERT_ (a UsageError otherwise), so no caller can pass LD_PRELOAD or PATH through.
using CommandEnvironment = std::vector<std::string>;

// The absolute path argv[0] runs: itself when it holds a '/', else the first executable match
// in kCommandPath. An OperationError when there is none.
std::string resolve_command(const std::string& program);

// argv joined by spaces, for messages.
std::string command_text(const std::vector<std::string>& argv);

// `input` is written to the command's stdin (at most a pipe's worth, 64 KiB); otherwise
// stdin is /dev/null.
CommandResult run_command(const std::vector<std::string>& argv,
                          std::chrono::seconds time_limit = std::chrono::seconds(300),
                          const std::string& input = "",
                          const CommandEnvironment& environment = {});

// As run_command, but a non-zero exit is an OperationError naming `what`, the command and
// the last line it printed.
void run_command_checked(const std::vector<std::string>& argv, const std::string& what,
                         const std::string& input = "", const CommandEnvironment& environment = {});

// Starts a daemon: argv runs in its own session with stdio on /dev/null, not waited for.
// Throws OperationError when it cannot be executed.
void spawn_detached(const std::vector<std::string>& argv,
                    const CommandEnvironment& environment = {});

}  // namespace xmppcert

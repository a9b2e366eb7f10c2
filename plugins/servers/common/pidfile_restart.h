// Restarting a daemon that has no reload for certificates (jabberd2's c2s and s2s): stop the
// process named in its pid file, then start it again from an argv (no shell), detached.
#pragma once

#include <chrono>
#include <filesystem>
#include <string>
#include <vector>

namespace xmppcert {

// SIGTERM, then SIGKILL after `stop_wait`; a missing pid file or a gone process is fine.
// Throws OperationError if the process cannot be signalled or the command cannot start.
void restart_from_pidfile(const std::filesystem::path& pidfile,
                          const std::vector<std::string>& argv,
                          std::chrono::seconds stop_wait = std::chrono::seconds(10));

}  // namespace xmppcert

// Restarting a daemon that has no reload for certificates (jabberd2's c2s and s2s): stop the
// process named in its pid file, then start it again from an argv (no shell), detached.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace xmppcert {

// The pid in a daemon's pid file: nullopt when the file is missing or holds anything but one
// number above 1. The file sits in the daemon's folder: its user can put any number in it, or
// a FIFO (refused, never waited on).
std::optional<pid_t> read_pid(const std::filesystem::path& pidfile);

// SIGTERM, then SIGKILL after `stop_wait`, then an error after 5 s more; a missing pid file or
// a gone process is fine. The pid file is the daemon user's: the pid gets a signal only when
// /proc/PID/exe is an executable that argv names. Throws OperationError if the process is
// not that executable, cannot be signalled or stopped, or the command cannot start.
// Why `pid` is not a process that argv starts (nullopt: it is).
std::optional<std::string> executable_mismatch(pid_t pid, const std::vector<std::string>& argv);

void restart_from_pidfile(const std::filesystem::path& pidfile,
                          const std::vector<std::string>& argv,
                          std::chrono::seconds stop_wait = std::chrono::seconds(10));

}  // namespace xmppcert

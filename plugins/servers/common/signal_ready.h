// Not reloading a daemon before it can take the reload. prosody run in the foreground (as
// Debian's prosody.service runs it, and as a test does) writes its pid file while loading its
// modules, but sets its SIGHUP handler only once its event loop runs, after every host is
// activated: a SIGHUP in between terminates it, silently. A reload racing a start (the admin,
// apt or systemd restarting prosody while xmppcertd installs) would stop the server.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <optional>
#include <string_view>

namespace xmppcert {

// Whether process `pid` has a handler for `signal` (SigCgt in /proc/PID/status); nullopt when
// there is no such process (or only its zombie).
std::optional<bool> catches_signal(pid_t pid, int signal);

// Waits, at most `limit`, until the process named in `pidfile` catches `signal`, then returns
// true. False at once when the pid file is missing or names no live process: the server is not
// running, and a reload command run now could reach a server that starts meanwhile, before
// its handler is set. OperationError naming `server`, the pid and the pid file when the
// process still does not catch it after `limit`: sending it would stop the server.
bool wait_until_signal_caught(const std::filesystem::path& pidfile, int signal,
                              std::string_view server, std::chrono::seconds limit);

}  // namespace xmppcert

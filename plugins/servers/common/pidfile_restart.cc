#include "plugins/servers/common/pidfile_restart.h"

#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <thread>

#include "engine/errors.h"
#include "engine/process.h"
#include "engine/safe_open.h"

namespace xmppcert {
namespace {

constexpr std::chrono::seconds kKillWait{5};

// Gone, or a zombie waiting for a parent that is not us.
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

std::filesystem::path canonical_or_empty(const std::filesystem::path& path) {
  std::error_code ec;
  std::filesystem::path resolved = std::filesystem::canonical(path, ec);
  return ec ? std::filesystem::path() : resolved;
}

}  // namespace

std::optional<pid_t> read_pid(const std::filesystem::path& pidfile) {
  std::optional<UntrustedFile> file = read_untrusted_file(pidfile, 64);
  if (!file) return {};
  const std::string& text = file->content;
  size_t end = text.find_first_not_of("0123456789");
  std::string digits = text.substr(0, end);
  if (digits.empty() || digits.size() > 9 ||
      text.find_first_not_of(" \t\r\n", end) != std::string::npos)
    return {};
  long pid = std::stol(digits);
  if (pid <= 1) return {};
  return static_cast<pid_t>(pid);
}

std::optional<std::string> executable_mismatch(pid_t pid, const std::vector<std::string>& argv) {
  std::filesystem::path running = canonical_or_empty("/proc/" + std::to_string(pid) + "/exe");
  if (running.empty()) return std::string("its executable cannot be read");
  // argv may wrap the daemon (runuser, setpriv, env): any absolute executable it names counts.
  for (size_t i = 0; i < argv.size(); ++i) {
    std::string candidate = i == 0 ? resolve_command(argv[i]) : argv[i];
    if (candidate.empty() || candidate.front() != '/') continue;
    if (canonical_or_empty(candidate) == running) return std::nullopt;
  }
  return "it runs " + running.string() + ", which the restart command does not start";
}

void restart_from_pidfile(const std::filesystem::path& pidfile,
                          const std::vector<std::string>& argv, std::chrono::seconds stop_wait) {
  if (auto pid = read_pid(pidfile); pid && !process_gone(*pid)) {
    std::string what = "stop process " + std::to_string(*pid) + " of";
    if (auto mismatch = executable_mismatch(*pid, argv))
      throw_operation_error(what, pidfile.string(), "refused to signal it: " + *mismatch);
    if (::kill(*pid, SIGTERM) != 0 && errno != ESRCH)
      throw_operation_error(what, pidfile.string(), errno_text(errno));
    auto deadline = std::chrono::steady_clock::now() + stop_wait;
    bool killed = false;
    while (!process_gone(*pid)) {
      if (std::chrono::steady_clock::now() >= deadline) {
        if (killed)
          throw_operation_error(what, pidfile.string(), "still there after SIGTERM and SIGKILL");
        ::kill(*pid, SIGKILL);
        killed = true;
        deadline += kKillWait;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  spawn_detached(argv);
}

}  // namespace xmppcert

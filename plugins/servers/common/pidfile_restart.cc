#include "plugins/servers/common/pidfile_restart.h"

#include <signal.h>

#include <cerrno>
#include <fstream>
#include <optional>
#include <thread>

#include "engine/errors.h"
#include "engine/process.h"

namespace xmppcert {
namespace {

// Gone, or a zombie waiting for a parent that is not us.
bool process_gone(pid_t pid) {
  if (::kill(pid, 0) != 0) return errno == ESRCH;
  std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
  std::string line;
  std::getline(stat, line);
  size_t close = line.rfind(')');
  return close != std::string::npos && close + 2 < line.size() && line[close + 2] == 'Z';
}

std::optional<pid_t> read_pid(const std::filesystem::path& pidfile) {
  std::ifstream in(pidfile);
  long pid = 0;
  if (!(in >> pid) || pid <= 1) return {};
  return static_cast<pid_t>(pid);
}

}  // namespace

void restart_from_pidfile(const std::filesystem::path& pidfile,
                          const std::vector<std::string>& argv, std::chrono::seconds stop_wait) {
  if (auto pid = read_pid(pidfile); pid && !process_gone(*pid)) {
    if (::kill(*pid, SIGTERM) != 0 && errno != ESRCH)
      throw_operation_error("stop process " + std::to_string(*pid) + " of", pidfile.string(),
                            errno_text(errno));
    auto deadline = std::chrono::steady_clock::now() + stop_wait;
    while (!process_gone(*pid)) {
      if (std::chrono::steady_clock::now() >= deadline) {
        ::kill(*pid, SIGKILL);
        deadline += std::chrono::seconds(5);
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
  }
  spawn_detached(argv);
}

}  // namespace xmppcert

#include "plugins/servers/common/signal_ready.h"

#include <cstdint>
#include <fstream>
#include <string>
#include <thread>

#include "engine/errors.h"
#include "plugins/servers/common/pidfile_restart.h"

namespace xmppcert {

std::optional<bool> catches_signal(pid_t pid, int signal) {
  std::ifstream status("/proc/" + std::to_string(pid) + "/status");
  if (!status) return std::nullopt;
  std::string line;
  while (std::getline(status, line)) {
    if (line.rfind("State:", 0) == 0 && line.find('Z') != std::string::npos) return std::nullopt;
    if (line.rfind("SigCgt:", 0) != 0) continue;
    std::uint64_t mask = 0;
    try {
      mask = std::stoull(line.substr(7), nullptr, 16);
    } catch (const std::exception&) {
      return false;
    }
    return signal >= 1 && signal <= 64 && ((mask >> (signal - 1)) & 1) != 0;
  }
  return std::nullopt;  // gone between the open and the read
}

bool wait_until_signal_caught(const std::filesystem::path& pidfile, int signal,
                              std::string_view server, std::chrono::seconds limit) {
  auto deadline = std::chrono::steady_clock::now() + limit;
  for (;;) {
    std::optional<pid_t> pid = read_pid(pidfile);
    if (!pid) return false;
    std::optional<bool> caught = catches_signal(*pid, signal);
    if (!caught) return false;
    if (*caught) return true;
    if (std::chrono::steady_clock::now() >= deadline)
      throw_operation_error(
          "reload " + std::string(server) + " (pid " + std::to_string(*pid) + ") named in",
          pidfile.string(),
          "it is still starting after " + std::to_string(limit.count()) +
              " s and would be stopped, not reloaded, by the signal; try again once it runs");
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
}

}  // namespace xmppcert

#include "engine/command_environment.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <climits>

#include "engine/errors.h"

namespace xmppcert {
namespace {

void close_range_or_loop(unsigned first, unsigned last) {
  if (first > last) return;
#ifdef SYS_close_range
  if (::syscall(SYS_close_range, first, last, 0) == 0) return;
#endif
  long max = ::sysconf(_SC_OPEN_MAX);
  unsigned end =
      max > 0 && static_cast<unsigned long>(max) < last ? static_cast<unsigned>(max) : last;
  for (unsigned fd = first; fd <= end && fd < 65536; ++fd) ::close(static_cast<int>(fd));
}

}  // namespace

std::vector<std::string> clean_environment(const CommandEnvironment& extra) {
  std::vector<std::string> entries{std::string("PATH=") + kCommandPath, "LANG=C"};
  for (const auto& entry : extra) {
    size_t equals = entry.find('=');
    if (entry.rfind("XMPPCERT_", 0) != 0 || equals == std::string::npos ||
        entry.find('\0') != std::string::npos)
      throw UsageError("command environment entry \"" + entry.substr(0, equals) +
                       "\" is not XMPPCERT_NAME=value");
    entries.push_back(entry);
  }
  return entries;
}

std::vector<char*> environment_pointers(std::vector<std::string>& entries) {
  std::vector<char*> pointers;
  for (auto& entry : entries) pointers.push_back(entry.data());
  pointers.push_back(nullptr);
  return pointers;
}

std::string resolve_command(const std::string& program) {
  if (program.find('/') != std::string::npos) return program;
  std::string path = kCommandPath;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find(':', start);
    if (end == std::string::npos) end = path.size();
    std::string candidate = path.substr(start, end - start) + "/" + program;
    if (::access(candidate.c_str(), X_OK) == 0) return candidate;
    start = end + 1;
  }
  return "";
}

void close_descriptors_from(int first, int keep) {
  if (keep >= first) {
    close_range_or_loop(static_cast<unsigned>(first), static_cast<unsigned>(keep - 1));
    close_range_or_loop(static_cast<unsigned>(keep + 1), UINT_MAX);
  } else {
    close_range_or_loop(static_cast<unsigned>(first), UINT_MAX);
  }
}

}  // namespace xmppcert

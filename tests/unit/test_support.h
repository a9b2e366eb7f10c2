// Helpers shared by the unit and integration tests: temporary directories and child
// processes.
#pragma once

#include <sys/stat.h>

#include <chrono>
#include <filesystem>
#include <functional>
#include <string>
#include <vector>

namespace xmppcert::testing {

class TempDir {
 public:
  TempDir();
  ~TempDir();
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

// Runs `body` in a forked child and returns its exit status (what _exit got; -1 if killed).
int run_in_child(const std::function<void()>& body);

struct ProcessResult {
  int exit_code = -1;
  std::string out;
  std::string err;
};

// Runs argv (no shell) and captures stdout and stderr separately.
ProcessResult run_process(const std::vector<std::string>& argv);

// A socket listening on 127.0.0.1 at a port the kernel picks; `port` receives it.
int listen_on_loopback(int& port);

mode_t file_mode(const std::filesystem::path& path);
void write_text(const std::filesystem::path& path, const std::string& text);

// Waits for `condition`: true as soon as it holds, false when it still does not after
// `limit`. The one poll loop of the tests (a child process or a daemon gives no event to wait
// on); `every` is the poll interval.
bool eventually(const std::function<bool()>& condition, std::chrono::milliseconds limit,
                std::chrono::milliseconds every = std::chrono::milliseconds(100));

// How often `needle` occurs in `text` (a log line, say).
size_t occurrences(const std::string& text, const std::string& needle);

// The message of the Error that `body` throws, or "" when it throws none.
template <typename Error>
std::string error_message_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const Error& e) {
    return e.what();
  }
  return "";
}

}  // namespace xmppcert::testing

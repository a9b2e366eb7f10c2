#include "engine/log.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

#include "engine/errors.h"

namespace xmppcert {
namespace {

LogSink& sink() {
  static LogSink instance;
  return instance;
}

LogLevel& level() {
  static LogLevel instance = LogLevel::normal;
  return instance;
}

int& log_file() {
  static int fd = -1;
  return fd;
}

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

std::string joined(std::string_view certificate, std::string_view message) {
  std::string line;
  if (!certificate.empty()) {
    line += certificate;
    line += ": ";
  }
  line += message;
  return line;
}

void write_to_log_file(const std::string& line) {
  if (log_file() < 0) return;
  std::string stamped = utc_now() + " " + line + "\n";
  // One write per line with O_APPEND: lines of concurrent runs do not interleave.
  [[maybe_unused]] ssize_t written = ::write(log_file(), stamped.data(), stamped.size());
}

void emit(std::string_view certificate, std::string_view message) {
  std::string line = joined(certificate, message);
  write_to_log_file(line);
  if (sink()) {
    sink()(line);
    return;
  }
  static const bool journal = stderr_is_journal();
  if (!journal) line = utc_now() + " " + line;
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace

bool stderr_is_journal() {
  const char* stream = std::getenv("JOURNAL_STREAM");
  if (!stream) return false;
  unsigned long long device = 0, inode = 0;
  if (std::sscanf(stream, "%llu:%llu", &device, &inode) != 2) return false;
  struct stat st {};
  if (::fstat(2, &st) != 0) return false;
  return static_cast<unsigned long long>(st.st_dev) == device &&
         static_cast<unsigned long long>(st.st_ino) == inode;
}

void open_log_file(const std::string& path) {
  int fd = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC,
                  0640);
  if (fd < 0) throw UsageError("open log file " + path + ": " + errno_text(errno));
  struct stat st {};
  std::string refused;
  if (::fstat(fd, &st) != 0 || !S_ISREG(st.st_mode))
    refused = "not a regular file";
  else if (st.st_uid != ::geteuid())  // a daemon user's file: it could be a link to anything
    refused = "owned by uid " + std::to_string(st.st_uid) + ", not by us";
  else if (st.st_nlink != 1)
    refused = "has " + std::to_string(st.st_nlink) + " hard links";
  if (!refused.empty()) {
    ::close(fd);
    throw UsageError("open log file " + path + ": " + refused);
  }
  if (log_file() >= 0) ::close(log_file());
  log_file() = fd;
}

void log_to_file_only(std::string_view program, std::string_view message) {
  write_to_log_file(joined(program, message));
}

void set_log_sink(LogSink new_sink) { sink() = std::move(new_sink); }
void set_log_level(LogLevel new_level) { level() = new_level; }

void log_line(std::string_view certificate, std::string_view message) {
  if (level() != LogLevel::quiet) emit(certificate, message);
}

void log_warning(std::string_view certificate, std::string_view message) {
  emit(certificate, message);
}

void log_detail(std::string_view certificate, std::string_view message) {
  if (level() == LogLevel::verbose) emit(certificate, message);
}

}  // namespace xmppcert

#include "engine/log.h"

#include <sys/stat.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <string>

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

std::string utc_now() {
  std::time_t now = std::time(nullptr);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return text;
}

void emit(std::string_view certificate, std::string_view message) {
  std::string line;
  if (!certificate.empty()) {
    line += certificate;
    line += ": ";
  }
  line += message;
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

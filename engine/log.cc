#include "engine/log.h"

#include <cstdio>

namespace xmppcert {
namespace {
LogSink& sink() {
  static LogSink instance;
  return instance;
}
}  // namespace

void set_log_sink(LogSink new_sink) { sink() = std::move(new_sink); }

void log_line(std::string_view certificate, std::string_view message) {
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
  line += '\n';
  std::fwrite(line.data(), 1, line.size(), stderr);
}

}  // namespace xmppcert

// One-line log messages with the certificate name first ("example.org: renewed ..."), on
// stderr: journald-friendly. Tests may capture them.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace xmppcert {

using LogSink = std::function<void(const std::string& line)>;

void log_line(std::string_view certificate, std::string_view message);
void set_log_sink(LogSink sink);  // empty: back to stderr

}  // namespace xmppcert

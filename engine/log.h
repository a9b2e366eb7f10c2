// One-line log messages with the certificate name first ("example.org: renewed ..."), on
// stderr. Each line starts with the time in ISO 8601 UTC, unless stderr is the journal
// (systemd sets JOURNAL_STREAM to its device:inode), which stamps lines itself. Tests may
// capture the lines through a sink (no timestamp then).
//
// Levels: log_warning always prints; log_line is the normal narrative (-q hides it);
// log_detail appears only with -v.
#pragma once

#include <functional>
#include <string>
#include <string_view>

namespace xmppcert {

using LogSink = std::function<void(const std::string& line)>;

enum class LogLevel { quiet, normal, verbose };

void log_line(std::string_view certificate, std::string_view message);
void log_warning(std::string_view certificate, std::string_view message);
void log_detail(std::string_view certificate, std::string_view message);

void set_log_sink(LogSink sink);  // empty: back to stderr
void set_log_level(LogLevel level);

// Whether stderr is the journal: JOURNAL_STREAM names the device and inode of stderr.
bool stderr_is_journal();

}  // namespace xmppcert

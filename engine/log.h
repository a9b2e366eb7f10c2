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

// --log-file: every line that is logged also goes to `path`, appended, always stamped with
// the UTC time (a timer's runs and the agent's lines in one file, as certbot keeps one).
// Created 0640; never through a symlink; a FIFO, folder or device, a file another user owns
// or one with other hard links is refused: UsageError naming the path and why.
void open_log_file(const std::string& path);
// A line for the log file only: the programs' last word (the error they exit with), which
// they print on stderr themselves.
void log_to_file_only(std::string_view program, std::string_view message);

// Whether stderr is the journal: JOURNAL_STREAM names the device and inode of stderr.
bool stderr_is_journal();

}  // namespace xmppcert

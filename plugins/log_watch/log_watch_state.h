// What the log watcher remembers, in <state>/transparency-log.json (root's, 0644: no
// secret): per log the last tree head it verified, how far it has read and the compact range
// (the right edge of the tree) of what it read, so that the entries it read are checked
// against the signed root; and the alarms, open until `xmppcert ack` (kept after, so that an
// acknowledged certificate never alarms again). Written under the state-dir lock.
#pragma once

#include <cstdint>
#include <ctime>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "ct/merkle.h"

namespace xmppcert::logwatch {

struct WatchedLog {
  std::string url;
  bool has_tree_head = false;
  uint64_t tree_size = 0;
  uint64_t timestamp_ms = 0;
  ctlog::Hash root{};
  uint64_t next_index = 0;              // entries [0, next_index) were read
  std::vector<ctlog::Hash> read_range;  // their compact range: one hash per bit of next_index
  std::time_t last_success = 0;
};

struct LogAlarm {
  enum class Kind { certificate, log };
  Kind kind = Kind::certificate;
  std::string log;  // the log's URL
  // kind certificate: a certificate for our names that we did not ask for
  std::string serial;  // hex, upper case
  std::vector<std::string> names;
  uint64_t log_index = 0;
  std::time_t logged_at = 0;  // the entry's timestamp
  std::string issuer;
  std::string account;  // the ordering ACME account's URL, as the log names it ("": unknown)
  // kind log: what the log did (a bad signature, history rewritten, a bad answer)
  std::string problem;
  std::time_t raised_at = 0;
  bool acknowledged = false;

  std::string describe() const;  // one line, as logged and as `status` shows it
};

struct LogWatchState {
  std::map<std::string, WatchedLog> logs;  // by log list file
  std::vector<LogAlarm> alarms;

  size_t open_alarms() const;
  // The alarms of certificate `serial` (any case, colons allowed), or with "log" every log's
  // alarm (and those logs are then followed afresh from their current tree head): false when
  // nothing matched.
  bool acknowledge(const std::string& serial_or_log);
};

std::filesystem::path log_watch_state_path(const std::filesystem::path& state_dir);
LogWatchState load_log_watch_state(const std::filesystem::path& state_dir);  // empty if none
void save_log_watch_state(const std::filesystem::path& state_dir, const LogWatchState& state);

}  // namespace xmppcert::logwatch

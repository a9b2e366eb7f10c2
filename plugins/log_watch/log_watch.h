// Every agent watches its own names (issue 26): for each transparency log the requests'
// issuers name (Issuer::transparency_log), one round of log_follower.h over the DNS names of
// the requests that use it, under the state-dir lock, with the alarms kept in the state dir
// (log_watch_state.h). A certificate is ours when the store holds its serial or its key
// (any kept version, or the pre-generated next key). New alarms are logged as warnings.
// xmppcertd runs it at every poll; `xmppcert check --log` once.
#pragma once

#include <chrono>
#include <ctime>
#include <filesystem>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "engine/command_runner.h"
#include "engine/request.h"
#include "engine/store.h"
#include "plugins/log_watch/log_watch_state.h"

namespace xmppcert::logwatch {

struct LogWatchContext {
  const Store& store;
  std::filesystem::path state_dir;
  std::chrono::milliseconds lock_wait;
};

struct LogWatchRound {
  std::optional<std::time_t> next;  // when to look again; nullopt: no log to watch
  size_t open_alarms = 0;
  size_t logs_watched = 0;
  size_t logs_failed = 0;  // not read this time (logged): tried again at `next`
};

// Never throws: a failure is logged and counted.
LogWatchRound watch_transparency_logs(const LogWatchContext& context,
                                      const std::vector<CertificateRequest>& requests,
                                      std::time_t now);

// The admin's "on_unexpected" hooks (argv, no shell), one run per alarm and hook, with
//   XMPPCERT_ALARM        "certificate" or "log"
//   XMPPCERT_DESCRIPTION  the alarm's line, as logged      XMPPCERT_LOG_URL  the log
//   certificate: XMPPCERT_SERIAL, XMPPCERT_DOMAINS (space-separated), XMPPCERT_ISSUED (UTC),
//                XMPPCERT_ISSUER, XMPPCERT_ACCOUNT (when the log names it), XMPPCERT_LOG_INDEX
//   log:         XMPPCERT_PROBLEM
// A failing hook is logged, never thrown. The hooks run through `commands`.
void run_on_unexpected_hooks(const std::vector<LogAlarm>& alarms,
                             const std::set<std::vector<std::string>>& hooks,
                             const CommandRunner& commands = system_command_runner());

// The node_exporter textfile lines: open alarms, and each log's last good read.
std::string log_watch_metrics(const std::filesystem::path& state_dir);

}  // namespace xmppcert::logwatch

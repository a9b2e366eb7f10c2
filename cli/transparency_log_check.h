// The CLI's side of the log watch (plugins/log_watch/): `xmppcert check --log` runs one round
// now, `status` lists the open alarms, `xmppcert ack SERIAL|log` closes them.
#pragma once

#include <string>

#include "cli/session.h"

namespace xmppcert::cli {

// One round over the logs the managed certificates' issuers name; prints the open alarms.
// Exit code: 0 nothing open, 1 an open alarm or a log not read.
int check_transparency_logs(const Session& session);

// "ALARM: ..." per open alarm, one a line ("" when none or no watch state).
std::string open_log_alarm_lines(const Session& session);

}  // namespace xmppcert::cli

// xmppcert ack: an alarm of the log watch was seen to (plugins/log_watch/log_watch_state.h).
#include <iostream>

#include "cli/commands.h"
#include "cli/session.h"
#include "engine/errors.h"
#include "engine/state_lock.h"
#include "plugins/log_watch/log_watch_state.h"

namespace xmppcert::cli {
extern const char* const kAckUsage =
    R"(usage: xmppcert ack SERIAL|log [--state-dir DIR] [--config FILE] [--lock-wait DURATION]

Acknowledges an alarm of the transparency log watch (`xmppcert status` lists the open ones;
xmppcertd and `xmppcert check --log` raise them). SERIAL (hex, colons allowed): the alarm
of a certificate for one of our names that this host did not request; it never alarms
again. "log": the alarms of a log that misbehaved (bad signature, history rewritten, bad
answers); the log is then read afresh from its first entry, trusting its current tree head.

exit codes: 0 acknowledged, 1 the state could not be read or written, 2 no such alarm or usage
)";

int run_ack(const Args& raw) {
  cmdline::ParsedArgs args =
      cmdline::parse_args("ack", raw, {kConfigOption, kStateDirOption, kLockWaitOption});
  if (args.positional().size() != 1) throw UsageError("ack: expected one SERIAL, or \"log\"");
  Session session = open_session(args);
  require_existing_state_dir(session, "ack");
  StateLock lock(session.state_dir, session.lock_wait);
  auto state = logwatch::load_log_watch_state(session.state_dir);
  const std::string& what = args.positional().front();
  if (!state.acknowledge(what))
    throw UsageError("ack: no alarm for " + what + " in " +
                     logwatch::log_watch_state_path(session.state_dir).string());
  logwatch::save_log_watch_state(session.state_dir, state);
  std::cout << "acknowledged " << what << "; " << state.open_alarms() << " alarm(s) still open\n";
  return kExitOk;
}

}  // namespace xmppcert::cli

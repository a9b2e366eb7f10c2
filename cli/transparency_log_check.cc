#include "cli/transparency_log_check.h"

#include <iostream>

#include "cli/commands.h"
#include "engine/errors.h"
#include "engine/state_lock.h"
#include "plugins/log_watch/log_watch.h"
#include "plugins/log_watch/log_watch_state.h"

namespace xmppcert::cli {
namespace {

// The config's entries, and the stored requests of what it does not list (as xmppcertd).
std::vector<CertificateRequest> watched_requests(const Session& session) {
  std::vector<CertificateRequest> requests;
  if (session.config) requests = session.config->certificates;
  for (const auto& record : session.store->load_all())
    if (!session.config || !session.config->find(record.name)) requests.push_back(record.request);
  return requests;
}

}  // namespace

int check_transparency_logs(const Session& session) {
  auto round = logwatch::watch_transparency_logs(
      {*session.store, session.state_dir, session.lock_wait}, watched_requests(session),
      std::time(nullptr));
  if (round.logs_watched == 0)
    throw UsageError(
        "check --log: no certificate's issuer names a transparency log "
        "(\"transparency_log\" in its settings)");
  std::string alarms = open_log_alarm_lines(session);
  std::cout << alarms << round.logs_watched << " transparency log(s) watched, "
            << round.logs_failed << " not read, " << round.open_alarms << " open alarm(s)\n";
  return round.open_alarms || round.logs_failed ? kExitFailed : kExitOk;
}

std::string open_log_alarm_lines(const Session& session) {
  std::string out;
  for (const auto& alarm : logwatch::load_log_watch_state(session.state_dir).alarms)
    if (!alarm.acknowledged) out += "ALARM: " + alarm.describe() + "\n";
  return out;
}

}  // namespace xmppcert::cli

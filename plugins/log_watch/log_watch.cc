#include "plugins/log_watch/log_watch.h"

#include <map>
#include <set>

#include "dane/next_key.h"
#include "engine/certificate.h"
#include "engine/clock.h"
#include "engine/command_runner.h"
#include "engine/fs.h"
#include "engine/keys.h"
#include "engine/log.h"
#include "engine/state_lock.h"
#include "plugins/log_watch/log_follower.h"
#include "plugins/registry.h"

namespace xmppcert::logwatch {
namespace {

struct WatchedNames {
  TransparencyLogSource source;
  std::set<std::string> names;
  std::set<std::vector<std::string>> hooks;  // "on_unexpected" of the requests using the log
};

std::map<std::string, WatchedNames> logs_of(const std::vector<CertificateRequest>& requests,
                                            const std::filesystem::path& state_dir) {
  std::map<std::string, WatchedNames> logs;
  for (const auto& request : requests) {
    std::optional<TransparencyLogSource> source;
    try {
      source = make_issuer(request.issuer, request.issuer_settings, state_dir, request.name)->transparency_log();
    } catch (const std::exception& e) {
      log_warning(request.name, std::string("transparency log not watched: ") + e.what());
    }
    if (!source) continue;
    auto [it, fresh] = logs.try_emplace(source->log_list_file, WatchedNames{*source, {}, {}});
    if (!fresh) it->second.source.poll = std::min(it->second.source.poll, source->poll);
    if (!source->on_unexpected.empty()) it->second.hooks.insert(source->on_unexpected);
    for (const auto& name : identities_of(request).dns_ids) it->second.names.insert(name);
  }
  return logs;
}

std::string joined(const std::vector<std::string>& words) {
  std::string out;
  for (const auto& word : words) out += (out.empty() ? "" : " ") + word;
  return out;
}

bool key_matches(X509* cert, const std::string& key_pem, const std::string& origin) {
  try {
    PKeyPtr key = load_private_key(key_pem, origin);
    return certificate_matches_key(cert, key.get());
  } catch (const std::exception&) {
    return false;
  }
}

// Ours: a version of the store holds this serial, or a key of the store certifies it (a
// certificate our issuance got but did not store: a crash between the two).
bool stored_in(const Store& store, X509* cert) {
  std::string serial = inspect_certificate(cert).serial_hex;
  for (const auto& record : store.load_all()) {
    for (int number : store.versions(record.name)) {
      StoredVersion version = store.version(record.name, number);
      std::error_code error;
      if (std::filesystem::exists(version.cert_path(), error)) {
        auto stored = parse_certificate(read_file(version.cert_path()), version.cert_path().string());
        if (inspect_certificate(stored.get()).serial_hex == serial) return true;
      }
      if (std::filesystem::exists(version.key_path(), error) &&
          key_matches(cert, read_file(version.key_path()), version.key_path().string()))
        return true;
    }
    if (auto next = stored_next_key_pem(store, record.name); next && key_matches(cert, *next, "next key"))
      return true;
  }
  return false;
}

}  // namespace

void run_on_unexpected_hooks(const std::vector<LogAlarm>& alarms,
                             const std::set<std::vector<std::string>>& hooks,
                             const CommandRunner& commands) {
  for (const auto& alarm : alarms)
    for (const auto& argv : hooks) {
      bool certificate = alarm.kind == LogAlarm::Kind::certificate;
      CommandEnvironment environment = {
          "XMPPCERT_ALARM=" + std::string(certificate ? "certificate" : "log"),
          "XMPPCERT_LOG_URL=" + alarm.log,
          "XMPPCERT_DESCRIPTION=" + alarm.describe()};
      if (certificate) {
        environment.push_back("XMPPCERT_SERIAL=" + alarm.serial);
        environment.push_back("XMPPCERT_DOMAINS=" + joined(alarm.names));
        environment.push_back("XMPPCERT_ISSUED=" + format_utc(alarm.logged_at));
        environment.push_back("XMPPCERT_ISSUER=" + alarm.issuer);
        environment.push_back("XMPPCERT_LOG_INDEX=" + std::to_string(alarm.log_index));
        if (!alarm.account.empty()) environment.push_back("XMPPCERT_ACCOUNT=" + alarm.account);
      } else {
        environment.push_back("XMPPCERT_PROBLEM=" + alarm.problem);
      }
      try {
        commands.run_checked(argv, "on_unexpected hook", "", environment);
      } catch (const std::exception& e) {
        log_warning("xmppcert", std::string("transparency log alarm: ") + e.what());
      }
    }
}

LogWatchRound watch_transparency_logs(const LogWatchContext& context,
                                      const std::vector<CertificateRequest>& requests,
                                      std::time_t now) {
  LogWatchRound round;
  auto logs = logs_of(requests, context.state_dir);
  std::vector<std::pair<LogAlarm, const std::set<std::vector<std::string>>*>> raised;
  try {
    StateLock lock(context.state_dir, context.lock_wait);
    LogWatchState state = load_log_watch_state(context.state_dir);
    for (const auto& [file, watched] : logs) {
      ++round.logs_watched;
      std::time_t next = now + watched.source.poll.count();
      round.next = round.next ? std::min(*round.next, next) : next;
      try {
        LogDescription log = read_log_list(file);
        HttpLogTransport transport(log.url, watched.source.trust_file);
        FollowRequest request{log, transport, watched.names,
                              [&](X509* cert) { return stored_in(context.store, cert); }, now};
        for (const auto& alarm : follow_log(file, state, request)) {
          raised.emplace_back(alarm, &watched.hooks);
          log_warning("xmppcert", "ALARM: " + alarm.describe() +
                                      (alarm.kind == LogAlarm::Kind::certificate
                                           ? "; `xmppcert ack " + alarm.serial + "` when handled"
                                           : "; `xmppcert ack log` to trust it again"));
        }
      } catch (const std::exception& e) {
        ++round.logs_failed;
        log_warning("xmppcert", std::string("transparency log not read (") + file +
                                    "): " + e.what());
      }
    }
    if (!logs.empty()) save_log_watch_state(context.state_dir, state);
    round.open_alarms = state.open_alarms();
  } catch (const std::exception& e) {
    log_warning("xmppcert", std::string("transparency logs not watched: ") + e.what());
    round.logs_failed = logs.size();
  }
  // After the state-dir lock is released: a hook may well call `xmppcert ack`.
  for (const auto& [alarm, hooks] : raised) run_on_unexpected_hooks({alarm}, *hooks);
  return round;
}

std::string log_watch_metrics(const std::filesystem::path& state_dir) {
  LogWatchState state;
  try {
    state = load_log_watch_state(state_dir);
  } catch (const std::exception&) {
    return "";
  }
  std::string out =
      "# HELP xmppcert_transparency_log_open_alarms Unacknowledged alarms of the log watch: "
      "certificates for our names we did not ask for, logs that misbehaved.\n"
      "# TYPE xmppcert_transparency_log_open_alarms gauge\n"
      "xmppcert_transparency_log_open_alarms " +
      std::to_string(state.open_alarms()) + "\n";
  if (state.logs.empty()) return out;
  out +=
      "# HELP xmppcert_transparency_log_last_read_timestamp_seconds When the log was last read "
      "and verified.\n# TYPE xmppcert_transparency_log_last_read_timestamp_seconds gauge\n";
  for (const auto& [file, log] : state.logs)
    out += "xmppcert_transparency_log_last_read_timestamp_seconds{log=\"" + log.url + "\"} " +
           std::to_string(log.last_success) + "\n";
  return out;
}

}  // namespace xmppcert::logwatch

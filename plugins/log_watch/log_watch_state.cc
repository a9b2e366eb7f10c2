#include "plugins/log_watch/log_watch_state.h"

#include <unistd.h>

#include <algorithm>
#include <nlohmann/json.hpp>

#include "ct/ct_codec.h"
#include "engine/clock.h"
#include "engine/errors.h"
#include "engine/fs.h"

namespace xmppcert::logwatch {
namespace {

ctlog::Hash hash_from(const nlohmann::json& text, const std::filesystem::path& path) {
  auto bytes = ctlog::base64_decode(text.get<std::string>());
  if (!bytes || bytes->size() != 32) throw_operation_error("read", path.string(), "a bad hash");
  ctlog::Hash hash;
  std::copy(bytes->begin(), bytes->end(), hash.begin());
  return hash;
}

std::string normalized_serial(std::string text) {
  std::erase(text, ':');
  std::transform(text.begin(), text.end(), text.begin(), ::toupper);
  text.erase(0, std::min(text.find_first_not_of('0'), text.size() - 1));
  return text;
}

}  // namespace

std::string LogAlarm::describe() const {
  if (kind == Kind::log) return "transparency log " + log + " misbehaved: " + problem;
  std::string joined;
  for (const auto& name : names) joined += (joined.empty() ? "" : ",") + name;
  return "unexpected certificate serial " + serial + " for " + joined + " issued " +
         format_utc(logged_at) + " by \"" + issuer + "\" to account " +
         (account.empty() ? "(not named by the log)" : account) + ", entry " +
         std::to_string(log_index) +
         " of transparency log " + log + " (not requested by this host)";
}

size_t LogWatchState::open_alarms() const {
  return std::count_if(alarms.begin(), alarms.end(),
                       [](const LogAlarm& alarm) { return !alarm.acknowledged; });
}

bool LogWatchState::acknowledge(const std::string& serial_or_log) {
  bool matched = false;
  bool of_logs = serial_or_log == "log";
  std::string serial = normalized_serial(serial_or_log);
  for (auto& alarm : alarms) {
    bool hit = of_logs ? alarm.kind == LogAlarm::Kind::log
                    : alarm.kind == LogAlarm::Kind::certificate &&
                          normalized_serial(alarm.serial) == serial;
    if (!hit) continue;
    matched = true;
    alarm.acknowledged = true;
  }
  if (of_logs && matched)
    for (auto& [file, log] : logs) {  // re-read from entry 0
      WatchedLog fresh;
      fresh.url = log.url;
      log = fresh;
    }
  return matched;
}

std::filesystem::path log_watch_state_path(const std::filesystem::path& state_dir) {
  return state_dir / "transparency-log.json";
}

LogWatchState load_log_watch_state(const std::filesystem::path& state_dir) {
  auto path = log_watch_state_path(state_dir);
  LogWatchState state;
  if (::access(path.c_str(), F_OK) != 0) return state;
  nlohmann::json json = nlohmann::json::parse(read_file(path), nullptr, false);
  if (!json.is_object()) throw_operation_error("read", path.string(), "not a JSON object");
  try {
    for (const auto& [file, item] : json.at("logs").items()) {
      WatchedLog log;
      log.url = item.at("url");
      log.has_tree_head = item.at("has_tree_head");
      log.tree_size = item.at("tree_size");
      log.timestamp_ms = item.at("timestamp_ms");
      log.root = hash_from(item.at("root"), path);
      log.next_index = item.at("next_index");
      for (const auto& hash : item.at("read_range")) log.read_range.push_back(hash_from(hash, path));
      log.last_success = item.at("last_success");
      state.logs[file] = log;
    }
    for (const auto& item : json.at("alarms")) {
      LogAlarm alarm;
      alarm.kind = item.at("kind") == "log" ? LogAlarm::Kind::log : LogAlarm::Kind::certificate;
      alarm.log = item.at("log");
      alarm.serial = item.value("serial", "");
      alarm.names = item.value("names", std::vector<std::string>{});
      alarm.log_index = item.value("log_index", uint64_t{0});
      alarm.logged_at = item.value("logged_at", std::time_t{0});
      alarm.issuer = item.value("issuer", "");
      alarm.account = item.value("account", "");
      alarm.problem = item.value("problem", "");
      alarm.raised_at = item.at("raised_at");
      alarm.acknowledged = item.at("acknowledged");
      state.alarms.push_back(alarm);
    }
  } catch (const nlohmann::json::exception& e) {
    throw_operation_error("read", path.string(), e.what());
  }
  return state;
}

void save_log_watch_state(const std::filesystem::path& state_dir, const LogWatchState& state) {
  nlohmann::json logs = nlohmann::json::object();
  for (const auto& [file, log] : state.logs) {
    nlohmann::json range = nlohmann::json::array();
    for (const auto& hash : log.read_range) range.push_back(ctlog::base64_of(hash));
    logs[file] = {{"url", log.url},
                  {"has_tree_head", log.has_tree_head},
                  {"tree_size", log.tree_size},
                  {"timestamp_ms", log.timestamp_ms},
                  {"root", ctlog::base64_of(log.root)},
                  {"next_index", log.next_index},
                  {"read_range", range},
                  {"last_success", log.last_success}};
  }
  nlohmann::json alarms = nlohmann::json::array();
  for (const auto& alarm : state.alarms) {
    nlohmann::json item{{"kind", alarm.kind == LogAlarm::Kind::log ? "log" : "certificate"},
                        {"log", alarm.log},
                        {"raised_at", alarm.raised_at},
                        {"acknowledged", alarm.acknowledged}};
    if (alarm.kind == LogAlarm::Kind::log) {
      item["problem"] = alarm.problem;
    } else {
      item["serial"] = alarm.serial;
      item["names"] = alarm.names;
      item["log_index"] = alarm.log_index;
      item["logged_at"] = alarm.logged_at;
      item["issuer"] = alarm.issuer;
      item["account"] = alarm.account;
    }
    alarms.push_back(item);
  }
  nlohmann::json json{{"logs", logs}, {"alarms", alarms}};
  write_file_atomically(log_watch_state_path(state_dir),
                        json.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n",
                        with_mode(0644));
}

}  // namespace xmppcert::logwatch

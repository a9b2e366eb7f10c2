// xmppcertd's loop: keep every certificate of the store and of the config (its entries
// override the stored requests) issued, installed and served. It sleeps until the earliest next
// action or until a signal or a watched file wakes it; it never polls.
#pragma once

#include <chrono>
#include <ctime>
#include <filesystem>
#include <map>
#include <optional>
#include <set>
#include <vector>

#include "agent/file_watcher.h"
#include "agent/reinstall.h"
#include "engine/request.h"
#include "engine/store.h"

namespace xmppcert {

struct AgentOptions {
  std::optional<std::filesystem::path> config;
  std::optional<std::filesystem::path> state_dir;
  std::optional<std::filesystem::path> metrics_file;
  std::chrono::milliseconds lock_wait{std::chrono::minutes(5)};
};

class Agent {
 public:
  // Blocks SIGHUP, SIGTERM and SIGINT (read through a signalfd) and ignores SIGPIPE.
  explicit Agent(AgentOptions options);
  ~Agent();

  // Returns the exit code: 0 after SIGTERM/SIGINT (the operation under way is finished first).
  int run();

 private:
  void load();  // agent_watches.cc: (re)reads the config, discovers server names, resets watches
                // and schedule
  void reload(const std::string& why);  // load(), logging instead of throwing
  void refresh_watches();
  void on_files_changed();
  bool manages(const std::string& name) const;  // inotify woke the loop (agent_watches.cc)
  ReinstallContext reinstall_context(const CertificateRequest& request) const;
  void schedule(const CertificateRequest& request, std::time_t now);
  void act(const CertificateRequest& request);
  void poll_new_certificates(std::time_t now);
  void poll_renewal_info(const CertificateRequest& request);
  void watch_transparency_logs();  // plugins/log_watch/log_watch.h
  bool drain_signals();  // false: stop requested
  void write_metrics();
  std::string where(const std::string& name) const;

  AgentOptions options_;
  std::filesystem::path state_dir_;
  StateDirStore store_;
  std::vector<CertificateRequest> requests_;
  std::set<std::string> configured_;  // names with an entry in the config (else: stored request)
  std::map<std::string, std::time_t> next_;
  std::map<std::string, std::time_t> next_poll_;  // when to ask for Renewal Information again
  std::set<std::string> issuers_without_advice_;  // issuer names that gave none
  std::map<std::string, int> failures_;  // consecutive failed or fruitless actions, this run
  // The backoff of failures the record does not show; kept across reloads for a request that
  // did not change (schedule() never acts before it).
  std::map<std::string, std::time_t> backoff_until_;
  std::set<std::filesystem::path> snippet_dirs_;  // folders of "include" globs
  std::set<std::filesystem::path> config_files_;  // ours and the servers' (with includes)
  std::map<std::string, std::set<std::filesystem::path>> watched_by_name_;  // record + installed
  std::set<std::filesystem::path> server_folders_;  // folders server configs include by glob
  std::time_t next_log_watch_ = 0;  // 0: at the next turn of the loop; -1: no log to watch
  FileWatcher watcher_;
  int signal_fd_ = -1;
  bool stopping_ = false;
};

}  // namespace xmppcert

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
#include "agent/managed_certificates.h"
#include "agent/reinstall.h"
#include "engine/store.h"
#include "renewal/planning.h"

namespace xmppcert {

struct AgentOptions {
  std::optional<std::filesystem::path> config;
  std::optional<std::filesystem::path> state_dir;
  std::optional<std::filesystem::path> metrics_file;
  std::chrono::milliseconds lock_wait{std::chrono::minutes(5)};
  ServerPluginFactory make_server;  // empty: the registry's (a test's counts the parses)
};

class Agent {
 public:
  // Blocks SIGHUP, SIGTERM and SIGINT (read through a signalfd) and ignores SIGPIPE.
  explicit Agent(AgentOptions options);
  ~Agent();

  // Returns the exit code: 0 after SIGTERM/SIGINT (the operation under way is finished first).
  int run();

  // agent_watches.cc: (re)reads the config and the store and plans them (each server config
  // parsed once), resets watches and schedule. run() calls it first; tests call it alone.
  void load();
  const std::vector<ManagedCertificate>& certificates() const { return certificates_; }

 private:
  void reload(const std::string& why);  // load(), logging instead of throwing
  void refresh_watches();
  void on_files_changed();  // inotify woke the loop (agent_watches.cc)
  ManagedCertificate* find(const std::string& name);
  ReinstallContext reinstall_context() const;
  void schedule(ManagedCertificate& certificate, std::time_t now);
  void act(ManagedCertificate& certificate);
  void poll_renewal_info(ManagedCertificate& certificate);
  void watch_transparency_logs();  // plugins/log_watch/log_watch.h
  bool drain_signals();            // false: stop requested
  void write_metrics();

  AgentOptions options_;
  std::filesystem::path state_dir_;
  StateDirStore store_;
  std::vector<ManagedCertificate> certificates_;
  std::set<std::string> issuers_without_advice_;    // issuer names that gave none
  std::set<std::filesystem::path> snippet_dirs_;    // folders of "include" globs
  std::set<std::filesystem::path> config_files_;    // ours and the servers' (with includes)
  std::set<std::filesystem::path> server_folders_;  // folders server configs include by glob
  std::time_t next_log_watch_ = 0;  // 0: at the next turn of the loop; -1: no log to watch
  FileWatcher watcher_;
  int signal_fd_ = -1;
  bool stopping_ = false;
};

}  // namespace xmppcert

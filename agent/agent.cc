#include "agent/agent.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "agent/metrics_file.h"
#include "agent/schedule.h"
#include "agent/systemd_notify.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "plugins/renewal.h"
#include "engine/state_lock.h"
#include "plugins/registry.h"

namespace xmppcert {
namespace {

std::filesystem::path state_dir_of(const AgentOptions& options) {
  if (options.state_dir) return *options.state_dir;
  if (options.config)
    if (auto dir = load_config(*options.config).state_dir) return *dir;
  return kDefaultStateDir;
}

}  // namespace

Agent::Agent(AgentOptions options)
    : options_(std::move(options)), state_dir_(state_dir_of(options_)), store_(state_dir_) {
  ::signal(SIGPIPE, SIG_IGN);
  sigset_t signals;
  sigemptyset(&signals);
  for (int s : {SIGHUP, SIGTERM, SIGINT}) sigaddset(&signals, s);
  ::sigprocmask(SIG_BLOCK, &signals, nullptr);
  signal_fd_ = ::signalfd(-1, &signals, SFD_NONBLOCK | SFD_CLOEXEC);
  if (signal_fd_ < 0) throw_operation_error("start", "signalfd", errno_text(errno));
}

Agent::~Agent() {
  if (signal_fd_ >= 0) ::close(signal_fd_);
}

std::string Agent::where(const std::string& name) const {
  return options_.config ? options_.config->string() + ": certificates.\"" + name + "\""
                         : "record of " + name;
}

// Everything is read and checked first; the running state changes only when all of it is
// good, so a bad edit leaves the previous config in force and still watched.
void Agent::load() {
  std::vector<CertificateRequest> requests;
  std::set<std::filesystem::path> config_files;
  std::set<std::filesystem::path> snippet_dirs;
  if (options_.config) {
    Config config = load_config(*options_.config);
    requests = config.certificates;
    for (const auto& file : config.files) config_files.insert(std::filesystem::absolute(file));
    // A snippet added later to an included folder must be seen too: watch the folders.
    for (const auto& pattern : config.include) {
      std::filesystem::path full = pattern;
      if (full.is_relative()) full = options_.config->parent_path() / full;
      snippet_dirs.insert(std::filesystem::absolute(full.parent_path()).lexically_normal());
    }
  } else {
    // Records the engine wrote are trusted as they are (as `status` does): no re-validation,
    // and each is read once.
    std::time_t now = std::time(nullptr);
    next_.clear();
    for (const auto& record : store_.load_all()) {
      requests.push_back(record.request);
      next_[record.name] = next_action(&record, record.request, now);
    }
    requests_ = std::move(requests);
    config_files_.clear();
    snippet_dirs_.clear();
    refresh_watches();
    return;
  }
  for (auto& request : requests) {
    add_discovered_names(request, where(request.name));
    validate_plugins(request, where(request.name));
  }
  requests_ = std::move(requests);
  config_files_ = std::move(config_files);
  snippet_dirs_ = std::move(snippet_dirs);
  std::time_t now = std::time(nullptr);
  next_.clear();
  for (const auto& request : requests_) schedule(request, now);
  refresh_watches();
}

// Our config, the servers' configs, and every installed file of a current version.
void Agent::refresh_watches() {
  std::set<std::filesystem::path> watched;
  std::set<std::filesystem::path> configs = config_files_;
  for (const auto& request : requests_) {
    if (!request.install) continue;
    auto plugin = make_server_plugin(*request.install, where(request.name) + ".install");
    for (const auto& file : plugin->server_config_files()) configs.insert(file);
    if (auto record = store_.load(request.name); record && record->current_version > 0)
      for (const auto& file :
           plugin->installed_files(store_.version(request.name, record->current_version)))
        watched.insert(file.path);
  }
  config_files_.clear();
  for (const auto& path : configs) config_files_.insert(path.lexically_normal());
  watched.insert(config_files_.begin(), config_files_.end());
  watcher_.watch_files(watched, snippet_dirs_);
}

void Agent::schedule(const CertificateRequest& request, std::time_t now) {
  std::optional<CertificateRecord> record = store_.load(request.name);
  next_[request.name] = next_action(record ? &*record : nullptr, request, now);
}

void Agent::act(const CertificateRequest& request) {
  bool failed = false;
  try {
    StateLock lock(state_dir_, options_.lock_wait);
    RenewalOutcome outcome =
        renew_if_due(store_, request, state_dir_, where(request.name), std::time(nullptr), false);
    if (outcome.issued) {
      log_line(request.name, "issued v" + std::to_string(outcome.issued->current_version) +
                                 ", expires " + format_utc(outcome.issued->certificate.not_after));
      refresh_watches();
    }
  } catch (const std::exception& e) {
    log_line(request.name, std::string("failed: ") + e.what());
    failed = true;
  }
  std::time_t now = std::time(nullptr);
  schedule(request, now);
  // A failure the record does not show (no lock, no state dir) must not make a busy loop.
  int& failures = failures_[request.name];
  failures = failed ? failures + 1 : 0;
  if (failed)
    next_[request.name] = std::max(next_[request.name], now + retry_delay(failures, 0.0).count());
  else  // never spin, whatever the issuer's dates say
    next_[request.name] = std::max(next_[request.name], now + 1);
  log_line(request.name, "next action " + format_utc(next_[request.name]));
}

void Agent::reinstall_if_changed(const CertificateRequest& request,
                                 const std::set<std::filesystem::path>& changed) {
  if (!request.install) return;
  std::optional<CertificateRecord> record = store_.load(request.name);
  if (!record || record->current_version == 0) return;
  try {
    StoredVersion version = store_.version(request.name, record->current_version);
    auto plugin = make_server_plugin(*request.install, where(request.name) + ".install");
    for (const auto& file : plugin->installed_files(version)) {
      if (!changed.count(std::filesystem::path(file.path).lexically_normal())) continue;
      std::string now;
      bool present = std::filesystem::exists(file.path);
      if (present) now = read_file(file.path);
      if (present && now == file.content) continue;
      log_line(request.name, file.path + (present ? " was replaced" : " was deleted") +
                                 " by someone else; reinstalling v" +
                                 std::to_string(version.number));
      StateLock lock(state_dir_, options_.lock_wait);
      plugin->install(version);
      plugin->reload();
      return;
    }
  } catch (const std::exception& e) {
    log_line(request.name, std::string("reinstall failed: ") + e.what());
  }
}

void Agent::reload(const std::string& why) {
  log_line("xmppcertd", why + ": re-reading the config");
  try {
    load();
  } catch (const std::exception& e) {
    log_line("xmppcertd",
             std::string("config not reloaded, keeping the previous one: ") + e.what());
  }
}

bool Agent::drain_signals() {
  signalfd_siginfo info{};
  while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGHUP) {
      reload("SIGHUP");
    } else {
      stopping_ = true;
    }
  }
  return !stopping_;
}

void Agent::write_metrics() {
  if (!options_.metrics_file) return;
  try {
    write_metrics_file(*options_.metrics_file, store_.load_all(), next_);
  } catch (const std::exception& e) {
    log_line("xmppcertd", std::string("metrics not written: ") + e.what());
  }
}

int Agent::run() {
  require_writable_directory(state_dir_, "state dir");
  load();
  notify_systemd("READY=1\nSTATUS=managing " + std::to_string(requests_.size()) +
                 " certificate(s)");
  log_line("xmppcertd", "managing " + std::to_string(requests_.size()) + " certificate(s) in " +
                            state_dir_.string());
  write_metrics();
  while (!stopping_) {
    std::time_t now = std::time(nullptr);
    for (const auto& request : std::vector<CertificateRequest>(requests_)) {
      if (!drain_signals()) break;
      if (next_[request.name] <= now) act(request);
    }
    if (!drain_signals()) break;
    write_metrics();

    std::time_t earliest = now + 86400;
    for (const auto& [name, when] : next_) earliest = std::min(earliest, when);
    long wait_ms = std::max<long>(0, (earliest - std::time(nullptr)) * 1000L + 50);
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {watcher_.fd(), POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(std::min<long>(wait_ms, 86400000L))) <= 0) continue;
    if (fds[1].revents & POLLIN) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let a burst settle
      std::set<std::filesystem::path> changed = watcher_.changed();
      bool config_changed = std::any_of(changed.begin(), changed.end(), [&](const auto& path) {
        return config_files_.count(path) > 0 || snippet_dirs_.count(path.parent_path()) > 0 ||
               snippet_dirs_.count(path) > 0;  // the included folder itself appeared
      });
      if (config_changed) {
        reload("config changed");
      }
      for (const auto& request : requests_) reinstall_if_changed(request, changed);
    }
  }
  notify_systemd("STOPPING=1");
  log_line("xmppcertd", "stopping");
  return 0;
}

}  // namespace xmppcert

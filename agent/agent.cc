#include "agent/agent.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <thread>

#include "agent/config_changes.h"
#include "agent/metrics_file.h"
#include "agent/operation_child.h"
#include "agent/reinstall.h"
#include "agent/renewal_info_poll.h"
#include "agent/schedule.h"
#include "agent/systemd_notify.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/state_lock.h"
#include "plugins/registry.h"
#include "plugins/renewal.h"

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
    // and each is read once. Names the server's config gained since are added (a host in a
    // new conf.d snippet); a server config that cannot be read leaves the stored names.
    std::time_t now = std::time(nullptr);
    next_.clear();
    for (const auto& record : store_.load_all()) {
      CertificateRequest request = record.request;
      try {
        add_discovered_names(request, where(record.name));
      } catch (const std::exception& e) {
        log_line(record.name, std::string("server config not read: ") + e.what());
        request = record.request;
      }
      requests.push_back(request);
      next_[record.name] = next_action(&record, request, now);
    }
    requests_ = std::move(requests);
    poll_new_certificates(now);
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
  poll_new_certificates(now);
  refresh_watches();
}

// Renewal Information is asked at start for every certificate, then as the issuer says.
void Agent::poll_new_certificates(std::time_t now) {
  for (const auto& request : requests_) next_poll_.try_emplace(request.name, now);
}

void Agent::poll_renewal_info(const CertificateRequest& request) {
  if (issuers_without_advice_.count(request.issuer)) {  // the local CA: nothing to ask
    next_poll_.erase(request.name);
    return;
  }
  std::time_t now = std::time(nullptr);
  std::optional<std::time_t> next = now + kRenewalInfoPollAfterFailure.count();
  try {
    auto issuer =
        make_issuer(request.issuer, request.issuer_settings, state_dir_, where(request.name));
    next = xmppcert::poll_renewal_info({store_, state_dir_, options_.lock_wait}, request, *issuer,
                                       now);
  } catch (const std::exception& e) {
    log_line(request.name, std::string("renewal information not polled: ") + e.what());
  }
  if (next) {
    next_poll_[request.name] = *next;
  } else {
    next_poll_.erase(request.name);
    issuers_without_advice_.insert(request.issuer);
  }
  schedule(request, std::time(nullptr));
}

ReinstallContext Agent::reinstall_context(const CertificateRequest& request) const {
  return {store_, state_dir_, options_.lock_wait, where(request.name)};
}

// Our config, the servers' configs (with what they include), and per certificate its record
// and the files its current version installs.
void Agent::refresh_watches() {
  std::set<std::filesystem::path> watched;
  std::set<std::filesystem::path> configs = config_files_;
  server_folders_.clear();
  for (const auto& request : requests_) {
    if (!request.install) continue;
    auto plugin = make_server_plugin(*request.install, where(request.name) + ".install");
    for (const auto& file : plugin->server_config_files()) configs.insert(file);
    for (const auto& folder : plugin->server_config_folders())
      server_folders_.insert(std::filesystem::path(folder).lexically_normal());
  }
  watched_by_name_.clear();
  for (const auto& request : requests_) {
    std::set<std::filesystem::path> paths = paths_to_watch(reinstall_context(request), request);
    watched.insert(paths.begin(), paths.end());
    watched_by_name_[request.name] = std::move(paths);
  }
  config_files_.clear();
  for (const auto& path : configs) config_files_.insert(path.lexically_normal());
  watched.insert(config_files_.begin(), config_files_.end());
  std::set<std::filesystem::path> folders = snippet_dirs_;
  folders.insert(server_folders_.begin(), server_folders_.end());
  watcher_.watch_files(watched, folders);
}

void Agent::schedule(const CertificateRequest& request, std::time_t now) {
  std::optional<CertificateRecord> record = store_.load(request.name);
  next_[request.name] = next_action(record ? &*record : nullptr, request, now);
}

void Agent::act(const CertificateRequest& request) {
  OperationResult result = run_operation_in_child(request.name, [&] {
    StateLock lock(state_dir_, options_.lock_wait);
    RenewalOutcome outcome =
        renew_if_due(store_, request, state_dir_, where(request.name), std::time(nullptr), false);
    if (!outcome.issued) return OperationResult::nothing_done;
    log_line(request.name, "issued v" + std::to_string(outcome.issued->current_version) +
                               ", expires " + format_utc(outcome.issued->certificate.not_after));
    return OperationResult::issued;
  });
  bool failed = result == OperationResult::failed;
  if (result == OperationResult::issued) {
    next_poll_[request.name] = std::time(nullptr) + kDefaultRenewalInfoPoll.count();
    refresh_watches();
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

void Agent::reload(const std::string& why) {
  log_line("xmppcertd", why + ": re-reading the config");
  try {
    std::vector<CertificateRequest> before = requests_;
    load();
    std::vector<std::string> changes = describe_config_changes(before, requests_);
    if (changes.empty()) log_line("xmppcertd", "config re-read: nothing changed");
    for (const auto& change : changes) log_line("xmppcertd", "config re-read: " + change);
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
  require_writable_directory(state_dir_, "state dir", kStateDirMode);
  load();
  notify_systemd("READY=1\nSTATUS=managing " + std::to_string(requests_.size()) +
                 " certificate(s)");
  log_line("xmppcertd", "managing " + std::to_string(requests_.size()) + " certificate(s) in " +
                            state_dir_.string());
  // Files changed, and temporaries left, while no agent was watching.
  for (const auto& request : requests_) reinstall_if_changed(reinstall_context(request), request);
  for (const auto& request : requests_)  // the time `status` shows as next_renewal
    log_line(request.name, "next action " + format_utc(next_[request.name]));
  if (requests_.empty())
    log_line("xmppcertd", "nothing to manage yet: no certificate " +
                              (options_.config ? "in " + options_.config->string()
                                               : "enrolled in " + state_dir_.string()) +
                              "; waiting for a config change or SIGHUP");
  write_metrics();
  while (!stopping_) {
    std::time_t now = std::time(nullptr);
    for (const auto& request : std::vector<CertificateRequest>(requests_)) {
      if (!drain_signals()) break;
      if (auto poll = next_poll_.find(request.name);
          poll != next_poll_.end() && poll->second <= now)
        poll_renewal_info(request);
      if (next_[request.name] <= now) act(request);
    }
    if (!drain_signals()) break;
    write_metrics();

    std::time_t earliest = now + 86400;
    for (const auto& [name, when] : next_) earliest = std::min(earliest, when);
    for (const auto& [name, when] : next_poll_) earliest = std::min(earliest, when);
    long wait_ms = std::max<long>(0, (earliest - std::time(nullptr)) * 1000L + 50);
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {watcher_.fd(), POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(std::min<long>(wait_ms, 86400000L))) <= 0) continue;
    if (fds[1].revents & POLLIN) {
      std::this_thread::sleep_for(std::chrono::milliseconds(100));  // let a burst settle
      std::set<std::filesystem::path> changed = watcher_.changed();
      auto in = [&](const std::set<std::filesystem::path>& folders, const auto& path) {
        return folders.count(path.parent_path()) > 0 ||
               folders.count(path) > 0;  // the included folder itself appeared
      };
      bool config_changed = std::any_of(changed.begin(), changed.end(), [&](const auto& path) {
        return config_files_.count(path) > 0 || in(snippet_dirs_, path) ||
               in(server_folders_, path);
      });
      if (config_changed) {
        reload("config changed");
      }
      for (const auto& request : requests_) {
        const auto& paths = watched_by_name_[request.name];
        if (std::none_of(paths.begin(), paths.end(), [&](const auto& path) {
              return changed.count(path) > 0 || changed.count(path.parent_path()) > 0;
            }))
          continue;
        reinstall_if_changed(reinstall_context(request), request);
        schedule(request, std::time(nullptr));  // the CLI may have renewed it
      }
    }
  }
  notify_systemd("STOPPING=1");
  log_line("xmppcertd", "stopping");
  return 0;
}

}  // namespace xmppcert

#include "agent/agent.h"

#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>

#include "agent/config_changes.h"
#include "agent/metrics_file.h"
#include "agent/operation_child.h"
#include "agent/reinstall.h"
#include "engine/schedule.h"
#include "agent/systemd_notify.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/state_lock.h"
#include "plugins/log_watch/log_watch.h"
#include "plugins/registry.h"
#include "renewal/renewal.h"
#include "renewal/renewal_info_poll.h"

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
  return configured_.count(name) ? options_.config->string() + ": certificates.\"" + name + "\""
                                 : "record of " + name;
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

void Agent::schedule(const CertificateRequest& request, std::time_t now) {
  std::optional<CertificateRecord> record = store_.load(request.name);
  std::time_t next = next_action(record ? &*record : nullptr, request, now);
  if (auto backoff = backoff_until_.find(request.name); backoff != backoff_until_.end())
    next = std::max(next, backoff->second);
  next_[request.name] = next;
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
    if (auto issued = store_.load(request.name))  // as the issuer said at issuance
      next_poll_[request.name] = first_renewal_info_poll(*issued, std::time(nullptr));
    refresh_watches();
  }
  std::time_t now = std::time(nullptr);
  schedule(request, now);
  // A failure the record does not show (no lock, no state dir) must not make a busy loop,
  // nor may a turn that did nothing and finds itself due again at once: both back off.
  int& failures = failures_[request.name];
  bool again_at_once = result == OperationResult::nothing_done && next_[request.name] <= now + 1;
  failures = failed || again_at_once ? failures + 1 : 0;
  if (failures > 0) {
    backoff_until_[request.name] = now + retry_delay(failures, 0.0).count();
    next_[request.name] = std::max(next_[request.name], backoff_until_[request.name]);
  } else {
    backoff_until_.erase(request.name);
  }
  log_line(request.name, "next action " + format_utc(next_[request.name]));
}

void Agent::reload(const std::string& why) {
  log_line("xmppcertd", why + ": re-reading the config");
  try {
    std::vector<CertificateRequest> before = requests_;
    load();
    next_log_watch_ = 0;  // the new config may name another log
    std::vector<std::string> changes = describe_config_changes(before, requests_);
    if (changes.empty()) log_line("xmppcertd", "config re-read: nothing changed");
    for (const auto& change : changes) log_line("xmppcertd", "config re-read: " + change);
    // What a reload kept or changed of the schedule, as at start.
    for (const auto& request : requests_)
      log_line(request.name, "next action " + format_utc(next_[request.name]));
  } catch (const std::exception& e) {
    log_line("xmppcertd",
             std::string("config not reloaded, keeping the previous one: ") + e.what());
  }
}

void Agent::watch_transparency_logs() {
  auto round = logwatch::watch_transparency_logs({store_, state_dir_, options_.lock_wait},
                                                 requests_, std::time(nullptr));
  next_log_watch_ = round.next.value_or(-1);
}

bool Agent::drain_signals() {
  signalfd_siginfo info{};
  while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGHUP) {
      reload("SIGHUP");
      // An admin told of an emergency (`xmppcert-ca renew-now`) asks the CA again at once.
      issuers_without_advice_.clear();
      for (const auto& request : requests_) next_poll_[request.name] = std::time(nullptr);
    } else {
      stopping_ = true;
    }
  }
  return !stopping_;
}

void Agent::write_metrics() {
  if (!options_.metrics_file) return;
  try {
    write_metrics_file(*options_.metrics_file, store_.load_all(), next_,
                       logwatch::log_watch_metrics(state_dir_));
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
    log_line("xmppcertd",
             "nothing to manage yet: no certificate enrolled in " + state_dir_.string() +
                 (options_.config ? " or listed in " + options_.config->string() : std::string()) +
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
    if (next_log_watch_ >= 0 && next_log_watch_ <= now) watch_transparency_logs();
    write_metrics();

    std::time_t earliest = now + 86400;
    for (const auto& [name, when] : next_) earliest = std::min(earliest, when);
    for (const auto& [name, when] : next_poll_) earliest = std::min(earliest, when);
    if (next_log_watch_ >= 0) earliest = std::min(earliest, next_log_watch_);
    long wait_ms = std::max<long>(0, (earliest - std::time(nullptr)) * 1000L + 50);
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {watcher_.fd(), POLLIN, 0}};
    if (::poll(fds, 2, static_cast<int>(std::min<long>(wait_ms, 86400000L))) <= 0) continue;
    if (fds[1].revents & POLLIN) on_files_changed();
  }
  notify_systemd("STOPPING=1");
  log_line("xmppcertd", "stopping");
  return 0;
}

}  // namespace xmppcert

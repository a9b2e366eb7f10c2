#include "agent/agent.h"

#include <malloc.h>
#include <poll.h>
#include <signal.h>
#include <sys/signalfd.h>
#include <unistd.h>

#include <algorithm>
#include <map>

#include "agent/config_changes.h"
#include "agent/metrics_file.h"
#include "agent/operation_child.h"
#include "agent/reinstall.h"
#include "agent/systemd_notify.h"
#include "engine/clock.h"
#include "engine/config.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/log.h"
#include "engine/state_lock.h"
#include "plugins/log_watch/log_watch.h"
#include "renewal/renewal.h"
#include "renewal/renewal_info_poll.h"
#include "renewal/schedule.h"

namespace xmppcert {
namespace {

std::filesystem::path state_dir_of(const AgentOptions& options) {
  if (options.state_dir) return *options.state_dir;
  if (options.config)
    if (auto dir = load_config(*options.config).state_dir) return *dir;
  return kDefaultStateDir;
}

std::vector<CertificateRequest> requests_of(const std::vector<ManagedCertificate>& certificates) {
  std::vector<CertificateRequest> requests;
  requests.reserve(certificates.size());
  for (const auto& certificate : certificates) requests.push_back(certificate.plan.request);
  return requests;
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

ManagedCertificate* Agent::find(const std::string& name) {
  for (auto& certificate : certificates_)
    if (certificate.name() == name) return &certificate;
  return nullptr;
}

void Agent::poll_renewal_info(ManagedCertificate& certificate) {
  const CertificateRequest& request = certificate.plan.request;
  if (issuers_without_advice_.count(request.issuer)) {  // the local CA: nothing to ask
    certificate.next_poll.reset();
    return;
  }
  std::time_t now = std::time(nullptr);
  std::optional<std::time_t> next = now + kRenewalInfoPollAfterFailure.count();
  try {
    auto issuer = issuer_for(request, state_dir_, certificate.plan.where);
    next = xmppcert::poll_renewal_info({store_, state_dir_, options_.lock_wait}, request, *issuer,
                                       now);
  } catch (const std::exception& e) {
    log_line(request.name, std::string("renewal information not polled: ") + e.what());
  }
  certificate.next_poll = next;
  if (!next) issuers_without_advice_.insert(request.issuer);
  schedule(certificate, std::time(nullptr));
}

ReinstallContext Agent::reinstall_context() const {
  return {store_, state_dir_, options_.lock_wait};
}

// From the plan's record when planning just read it, else from the store (the CLI or a turn
// may have changed it).
void Agent::schedule(ManagedCertificate& certificate, std::time_t now) {
  PlannedCertificate& plan = certificate.plan;
  if (!plan.record) plan.record = store_.load(certificate.name());
  std::time_t next = next_action(plan.record ? &*plan.record : nullptr, plan.request, now);
  plan.record.reset();  // read again when needed: 10,000 records stay on disk
  certificate.next_action = std::max(next, certificate.backoff_until);
}

// The turn runs in a child: what it makes (the issuer, the record it reads under the lock)
// leaves with it, and the kept plan stays as it was.
void Agent::act(ManagedCertificate& certificate) {
  const std::string name = certificate.name();
  OperationResult result = run_operation_in_child(name, [&] {
    StateLock lock(state_dir_, options_.lock_wait);
    PlannedCertificate& plan = certificate.plan;
    plan.record = store_.load(name);
    RenewalOutcome outcome = renew_if_due(store_, plan, std::time(nullptr), false);
    if (!outcome.issued) return OperationResult::nothing_done;
    log_line(name, "issued v" + std::to_string(outcome.issued->current_version) + ", expires " +
                       format_utc(outcome.issued->certificate.not_after));
    return OperationResult::issued;
  });
  bool failed = result == OperationResult::failed;
  if (result == OperationResult::issued) {
    if (auto issued = store_.load(name))  // as the issuer said at issuance
      certificate.next_poll = first_renewal_info_poll(*issued, std::time(nullptr));
    refresh_watches();
  }
  std::time_t now = std::time(nullptr);
  schedule(certificate, now);
  // A failure the record does not show (no lock, no state dir) must not make a busy loop,
  // nor may a turn that did nothing and finds itself due again at once: both back off.
  bool again_at_once =
      result == OperationResult::nothing_done && certificate.next_action <= now + 1;
  certificate.failures = failed || again_at_once ? certificate.failures + 1 : 0;
  if (certificate.failures > 0) {
    certificate.backoff_until = now + retry_delay(certificate.failures, 0.0).count();
    certificate.next_action = std::max(certificate.next_action, certificate.backoff_until);
  } else {
    certificate.backoff_until = 0;
  }
  log_line(name, "next action " + format_utc(certificate.next_action));
}

void Agent::reload(const std::string& why) {
  log_line("xmppcertd", why + ": re-reading the config");
  try {
    std::vector<CertificateRequest> before = requests_of(certificates_);
    load();
    next_log_watch_ = 0;  // the new config may name another log
    std::vector<std::string> changes = describe_config_changes(before, requests_of(certificates_));
    if (changes.empty()) log_line("xmppcertd", "config re-read: nothing changed");
    for (const auto& change : changes) log_line("xmppcertd", "config re-read: " + change);
    // What a reload kept or changed of the schedule, as at start.
    for (const auto& certificate : certificates_)
      log_line(certificate.name(), "next action " + format_utc(certificate.next_action));
  } catch (const std::exception& e) {
    log_line("xmppcertd",
             std::string("config not reloaded, keeping the previous one: ") + e.what());
  }
}

void Agent::watch_transparency_logs() {
  auto round = logwatch::watch_transparency_logs({store_, state_dir_, options_.lock_wait},
                                                 requests_of(certificates_), std::time(nullptr));
  next_log_watch_ = round.next.value_or(-1);
}

bool Agent::drain_signals() {
  signalfd_siginfo info{};
  while (::read(signal_fd_, &info, sizeof info) == sizeof info) {
    if (info.ssi_signo == SIGHUP) {
      reload("SIGHUP");
      // An admin told of an emergency (`xmppcert-ca renew-now`) asks the CA again at once.
      issuers_without_advice_.clear();
      for (auto& certificate : certificates_) certificate.next_poll = std::time(nullptr);
    } else {
      stopping_ = true;
    }
  }
  return !stopping_;
}

void Agent::write_metrics() {
  if (!options_.metrics_file) return;
  try {
    std::map<std::string, std::time_t> next_actions;
    for (const auto& certificate : certificates_)
      next_actions[certificate.name()] = certificate.next_action;
    write_metrics_file(*options_.metrics_file, store_.load_all(), next_actions,
                       logwatch::log_watch_metrics(state_dir_));
  } catch (const std::exception& e) {
    log_line("xmppcertd", std::string("metrics not written: ") + e.what());
  }
}

int Agent::run() {
  require_writable_directory(state_dir_, "state dir", kStateDirMode);
  load();
  // Files changed, and temporaries left, while no agent was watching: put right before the
  // agent says it is ready.
  for (const auto& certificate : certificates_)
    reinstall_if_changed(reinstall_context(), certificate.plan);
  notify_systemd("READY=1\nSTATUS=managing " + std::to_string(certificates_.size()) +
                 " certificate(s)");
  log_line("xmppcertd", "managing " + std::to_string(certificates_.size()) + " certificate(s) in " +
                            state_dir_.string());
  for (const auto& certificate : certificates_)  // the time `status` shows as next_renewal
    log_line(certificate.name(), "next action " + format_utc(certificate.next_action));
  if (certificates_.empty())
    log_line("xmppcertd",
             "nothing to manage yet: no certificate enrolled in " + state_dir_.string() +
                 (options_.config ? " or listed in " + options_.config->string() : std::string()) +
                 "; waiting for a config change or SIGHUP");
  write_metrics();
  while (!stopping_) {
    std::time_t now = std::time(nullptr);
    // By index: a SIGHUP read here reloads, and the certificates then are the new ones.
    for (std::size_t i = 0; i < certificates_.size(); ++i) {
      if (!drain_signals()) break;
      if (i >= certificates_.size()) break;
      ManagedCertificate& certificate = certificates_[i];
      if (certificate.next_poll && *certificate.next_poll <= now) poll_renewal_info(certificate);
      if (certificate.next_action <= now) act(certificate);
    }
    if (!drain_signals()) break;
    if (next_log_watch_ >= 0 && next_log_watch_ <= now) watch_transparency_logs();
    write_metrics();

    std::time_t earliest = now + 86400;
    for (const auto& certificate : certificates_) {
      earliest = std::min(earliest, certificate.next_action);
      if (certificate.next_poll) earliest = std::min(earliest, *certificate.next_poll);
    }
    if (next_log_watch_ >= 0) earliest = std::min(earliest, next_log_watch_);
    long wait_ms = std::max<long>(0, (earliest - std::time(nullptr)) * 1000L + 50);
    // Before sleeping, the memory the turn freed goes back to the system: planning, a reload
    // and the metrics read every record at once, and an agent idle for hours must not keep that
    // peak (10,000 certificates: idle RSS under 64 MB, bench/agent_scale.sh).
    ::malloc_trim(0);
    if (watcher_.has_pending_changes()) wait_ms = 0;  // a folder appeared as watches changed
    pollfd fds[2] = {{signal_fd_, POLLIN, 0}, {watcher_.fd(), POLLIN, 0}};
    int ready = ::poll(fds, 2, static_cast<int>(std::min<long>(wait_ms, 86400000L)));
    if ((ready > 0 && (fds[1].revents & POLLIN)) || watcher_.has_pending_changes())
      on_files_changed();
  }
  notify_systemd("STOPPING=1");
  log_line("xmppcertd", "stopping");
  return 0;
}

}  // namespace xmppcert

// Rate limits, answered with rateLimited (RFC 8555 §6.7) and a Retry-After: certificates per
// account per hour (counted in the database, so a restart does not reset them, checked at
// newOrder and again, with those being signed, at finalize) and failed validations per
// account per hour (in memory: a restart forgives them; running ones count as failed).
#include <algorithm>

#include "ca/acme_service.h"
#include "ca/problem.h"

namespace xmppcert::ca {
namespace {
constexpr std::time_t kHour = 3600;

[[noreturn]] void limited(const std::string& detail) {
  AcmeProblem problem("rateLimited", detail, 429);
  problem.retry_after = static_cast<int>(kHour);
  throw problem;
}
}  // namespace

void AcmeService::check_certificate_rate(long long account) {
  int limit = options_.certificates_per_account_per_hour;
  if (limit > 0 && storage_.count_certificates_since(account, std::time(nullptr) - kHour) >= limit)
    limited("account " + std::to_string(account) + " has had " + std::to_string(limit) +
            " certificates in the last hour");
}

void AcmeService::reserve_certificate(long long account) {
  int limit = options_.certificates_per_account_per_hour;
  int& issuing = issuing_[account];
  if (limit > 0 &&
      storage_.count_certificates_since(account, std::time(nullptr) - kHour) + issuing >= limit) {
    if (issuing == 0) issuing_.erase(account);
    limited("account " + std::to_string(account) + " has had " + std::to_string(limit) +
            " certificates in the last hour (those being signed included)");
  }
  ++issuing;
}

void AcmeService::release_certificate(long long account) {
  if (--issuing_[account] <= 0) issuing_.erase(account);
}

void AcmeService::reserve_validation(long long account) {
  int limit = options_.failed_validations_per_account_per_hour;
  std::lock_guard guard(failures_mutex_);
  auto& times = failed_validations_[account];
  std::time_t since = std::time(nullptr) - kHour;
  times.erase(std::remove_if(times.begin(), times.end(), [&](std::time_t t) { return t < since; }),
              times.end());
  int running = validating_[account];
  if (limit > 0 && static_cast<int>(times.size()) + running >= limit) {
    if (times.empty()) failed_validations_.erase(account);
    if (running == 0) validating_.erase(account);
    limited("account " + std::to_string(account) + " has failed " + std::to_string(limit) +
            " validations in the last hour (those running counted as failed)");
  }
  ++validating_[account];
}

void AcmeService::finish_validation(long long account, bool failed) {
  std::lock_guard guard(failures_mutex_);
  if (--validating_[account] <= 0) validating_.erase(account);
  if (failed) failed_validations_[account].push_back(std::time(nullptr));
}

}  // namespace xmppcert::ca

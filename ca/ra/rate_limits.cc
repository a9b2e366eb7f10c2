// Rate limits, answered with rateLimited (RFC 8555 §6.7) and a Retry-After: certificates per
// account per hour (checked at newOrder, and again at finalize, where the certificate is
// recorded as a rate event in the transaction that moves the order to processing) and failed
// validations per account per hour (a validation counts as failed while it runs). Every event
// is a row in the database (Storage::add_rate_event), so a restart forgives nothing and every
// instance on one database counts the same events; the count and the insert share one
// transaction, so requests sent to several instances at once cannot all pass the check. A
// certificate whose instance died while signing stays counted for its hour.
#include "ca/problem.h"
#include "ca/ra/acme_service.h"

namespace xmppcert::ca {
namespace {
constexpr std::time_t kHour = 3600;
constexpr const char* kCertificate = "certificate";
constexpr const char* kValidating = "validating";
constexpr const char* kFailed = "failed";

[[noreturn]] void limited(const std::string& detail) {
  AcmeProblem problem("rateLimited", detail, 429);
  problem.retry_after = static_cast<int>(kHour);
  throw problem;
}
}  // namespace

void AcmeService::check_certificate_rate(long long account) {
  int limit = options_.certificates_per_account_per_hour;
  if (limit > 0 && storage_.count_rate_events(account, kCertificate, now() - kHour) >= limit)
    limited("account " + std::to_string(account) + " has had " + std::to_string(limit) +
            " certificates in the last hour");
}

long long AcmeService::reserve_certificate(long long account) {
  int limit = options_.certificates_per_account_per_hour;
  if (limit > 0 && storage_.count_rate_events(account, kCertificate, now() - kHour) >= limit)
    limited("account " + std::to_string(account) + " has had " + std::to_string(limit) +
            " certificates in the last hour (those being signed included)");
  return storage_.add_rate_event(account, kCertificate, now());
}

void AcmeService::release_certificate(long long event) {
  storage_.set_rate_event_kind(event, "", now());
}

long long AcmeService::reserve_validation(long long account) {
  int limit = options_.failed_validations_per_account_per_hour;
  return storage_.transaction([&] {
    std::time_t since = now() - kHour;
    if (limit > 0 && storage_.count_rate_events(account, kFailed, since) +
                             storage_.count_rate_events(account, kValidating, since) >=
                         limit)
      limited("account " + std::to_string(account) + " has failed " + std::to_string(limit) +
              " validations in the last hour (those running counted as failed)");
    return storage_.add_rate_event(account, kValidating, now());
  });
}

void AcmeService::finish_validation(long long event, bool failed) {
  storage_.set_rate_event_kind(event, failed ? kFailed : "", now());
}

}  // namespace xmppcert::ca

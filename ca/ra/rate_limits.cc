// Rate limits, answered with rateLimited (RFC 8555 §6.7) and a Retry-After: certificates per
// account per hour (checked at newOrder, and again at finalize, where the certificate is
// recorded as a rate event in the transaction that moves the order to processing) and failed
// validations per account per hour (a validation counts as failed while it runs). Every event
// is a row in the database (Storage::add_rate_event), so a restart forgives nothing and every
// instance on one database counts the same events; the count and the insert share one
// transaction, so requests sent to several instances at once cannot all pass the check. A
// certificate whose instance died while signing stays counted for its hour.
// Certificates per registered domain per week (Let's Encrypt's model; ra/registered_domain.h
// says what a registered domain is here) are events of kind "domain:NAME" under account 0,
// counted and recorded the same way: whoever asks, and however many accounts they open.
#include <set>

#include "ca/problem.h"
#include "ca/ra/acme_service.h"
#include "ca/ra/registered_domain.h"

namespace xmppcert::ca {
namespace {
constexpr std::time_t kHour = 3600;
constexpr std::time_t kWeek = 7 * 86400;
static_assert(kWeek <= kRateEventsKept);
constexpr long long kNoAccount = 0;  // the account of per-domain events
constexpr const char* kCertificate = "certificate";
constexpr const char* kValidating = "validating";
constexpr const char* kFailed = "failed";

[[noreturn]] void limited(const std::string& detail) {
  AcmeProblem problem("rateLimited", detail, 429);
  problem.retry_after = static_cast<int>(kHour);
  throw problem;
}
}  // namespace

// The registered domains of `names`, each once, as the kinds of their rate events.
std::set<std::string> AcmeService::domain_rate_kinds(const std::vector<std::string>& names) const {
  std::set<std::string> kinds;
  if (options_.certificates_per_registered_domain_per_week > 0)
    for (const auto& name : names)
      kinds.insert(kDomainPrefix + registered_domain(name, options_.registered_domain_suffixes));
  return kinds;
}

void AcmeService::check_domain_rates(const std::set<std::string>& kinds, const char* counted) {
  int limit = options_.certificates_per_registered_domain_per_week;
  for (const auto& kind : kinds)
    if (storage_.count_rate_events(kNoAccount, kind, now() - kWeek) >= limit)
      limited("registered domain " + kind.substr(kDomainPrefix.size()) + " has had " +
              std::to_string(limit) + " certificates in the last 7 days" + counted);
}

void AcmeService::check_certificate_rate(long long account, const std::vector<std::string>& names) {
  int limit = options_.certificates_per_account_per_hour;
  if (limit > 0 && storage_.count_rate_events(account, kCertificate, now() - kHour) >= limit)
    limited("account " + std::to_string(account) + " has had " + std::to_string(limit) +
            " certificates in the last hour");
  check_domain_rates(domain_rate_kinds(names), "");
}

std::vector<long long> AcmeService::reserve_certificate(long long account,
                                                        const std::vector<std::string>& names) {
  int limit = options_.certificates_per_account_per_hour;
  if (limit > 0 && storage_.count_rate_events(account, kCertificate, now() - kHour) >= limit)
    limited("account " + std::to_string(account) + " has had " + std::to_string(limit) +
            " certificates in the last hour (those being signed included)");
  auto kinds = domain_rate_kinds(names);
  check_domain_rates(kinds, " (those being signed included)");
  std::vector<long long> events{storage_.add_rate_event(account, kCertificate, now())};
  for (const auto& kind : kinds) events.push_back(storage_.add_rate_event(kNoAccount, kind, now()));
  return events;
}

void AcmeService::release_certificate(const std::vector<long long>& events) {
  for (long long event : events) storage_.set_rate_event_kind(event, "", now());
}

long long AcmeService::reserve_validation(long long account) {
  int limit = options_.failed_validations_per_account_per_hour;
  std::time_t since = now() - kHour;
  if (limit > 0 && storage_.count_rate_events(account, kFailed, since) +
                           storage_.count_rate_events(account, kValidating, since) >=
                       limit)
    limited("account " + std::to_string(account) + " has failed " + std::to_string(limit) +
            " validations in the last hour (those running counted as failed)");
  return storage_.add_rate_event(account, kValidating, now());
}

void AcmeService::finish_validation(long long event, bool failed) {
  storage_.set_rate_event_kind(event, failed ? kFailed : "", now());
}

}  // namespace xmppcert::ca

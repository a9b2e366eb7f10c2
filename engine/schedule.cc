#include "engine/schedule.h"

#include <algorithm>
#include <functional>
#include <string>

#include "engine/dane_plan.h"
#include "engine/renewal_decision.h"

namespace xmppcert {
namespace {

// In [-1, 1), fixed per certificate and failure count: hosts spread their retries, and the
// agent and `status` compute the same time.
double backoff_jitter(const std::string& name, int failures) {
  size_t hash = std::hash<std::string>{}(name + "#" + std::to_string(failures));
  return static_cast<double>(hash % 2000) / 1000.0 - 1.0;
}

}  // namespace

std::chrono::seconds retry_delay(int failures, double jitter_fraction) {
  double delay = static_cast<double>(kFirstRetry.count());
  for (int i = 1; i < failures && delay < static_cast<double>(kLongestRetry.count()); ++i)
    delay *= 2;
  delay = std::min(delay, static_cast<double>(kLongestRetry.count()));
  return std::chrono::seconds(static_cast<long>(delay * (1.0 + 0.1 * jitter_fraction)));
}

std::time_t next_action(const CertificateRecord* record, const CertificateRequest& request,
                        std::time_t now) {
  if (record && record->consecutive_failures > 0 && record->last_attempt &&
      !record->last_attempt->ok)
    return std::max(now, record->last_attempt->time +
                             retry_delay(record->consecutive_failures,
                                         backoff_jitter(record->name, record->consecutive_failures))
                                 .count());
  bool due = decide_renewal(record, request, now, false).due;
  // Under DANE a due renewal may wait for the next key's TLSA record, and the rollover has
  // steps of its own (publish, ask DNS, retire the previous key).
  std::optional<std::time_t> dane;
  if (request.dane && record && record->current_version > 0)
    dane = next_dane_action(*record, *request.dane, due, now);
  if (due) return dane ? *dane : now;
  const CertificateInfo& info = record->certificate;
  std::time_t renewal = record->next_renewal;
  // A time the issuer chose (ARI) is already a random pick inside its window: no jitter.
  if (!record->next_renewal ||
      record->next_renewal == renewal_time(info.not_before, info.not_after))
    renewal += renewal_jitter(record->name, info.not_before, info.not_after);
  return dane ? std::min(*dane, renewal) : renewal;
}

}  // namespace xmppcert

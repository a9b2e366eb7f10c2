#include "agent/schedule.h"

#include <algorithm>
#include <functional>
#include <random>

#include "engine/plan.h"

namespace xmppcert {
namespace {

double random_fraction() {
  static std::mt19937 generator{std::random_device{}()};
  return std::uniform_real_distribution<double>(-1.0, 1.0)(generator);
}

// Up to 1% of the lifetime, fixed per name: many certificates issued together spread out,
// and a restart does not move any of them.
std::time_t renewal_jitter(const std::string& name, const CertificateInfo& info) {
  std::time_t spread = std::max<std::time_t>(1, (info.not_after - info.not_before) / 100);
  return static_cast<std::time_t>(std::hash<std::string>{}(name) % static_cast<size_t>(spread));
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
                             retry_delay(record->consecutive_failures, random_fraction()).count());
  if (decide_renewal(record, request, now, false).due) return now;
  return record->next_renewal + renewal_jitter(record->name, record->certificate);
}

}  // namespace xmppcert

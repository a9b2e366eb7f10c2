#include "dane/dane_plan.h"

#include <algorithm>

#include "dane/dane_rollover.h"

namespace xmppcert {

std::time_t dane_wait_limit(const CertificateInfo& c) {
  return c.not_before + (c.not_after - c.not_before) * 9 / 10;
}

DaneKeyPlan plan_dane_key(const CertificateRecord& record, const DaneSettings& settings,
                          std::time_t now) {
  DaneState state = dane_state_of(record).value_or(DaneState{});
  KeySwitch next = next_key_switch(state, settings.ttl, now);
  if (next.ready) return {DaneKeyChoice::kNext, next.reason};
  if (record.revoked)
    return {
        DaneKeyChoice::kNext,
        "the current certificate was revoked: switching to the next key although " + next.reason};
  if (now >= dane_wait_limit(record.certificate))
    return {DaneKeyChoice::kCurrent,
            "renewed with the current key (too close to expiry to wait): " + next.reason};
  return {DaneKeyChoice::kWait, "waiting to switch keys: " + next.reason};
}

std::optional<std::time_t> next_dane_action(const CertificateRecord& record,
                                            const DaneSettings& settings, bool renewal_due,
                                            std::time_t now) {
  std::optional<DaneState> state = dane_state_of(record);
  if (!state || record.current_version == 0) return now;  // nothing published yet
  std::optional<std::time_t> step = next_tlsa_step(*state, settings.ttl, now);
  auto earliest = [&](std::time_t t) { step = step ? std::min(*step, t) : t; };
  if (renewal_due) {
    DaneKeyPlan plan = plan_dane_key(record, settings, now);
    if (plan.choice != DaneKeyChoice::kWait) {
      earliest(now);
    } else {
      auto ready = switch_ready_at(*state, settings.ttl);
      earliest(
          std::max(now, std::min(ready ? *ready : now + tlsa_query_interval(settings.ttl).count(),
                                 dane_wait_limit(record.certificate))));
    }
  }
  return step;
}

}  // namespace xmppcert

// The time as the registration authority reads it: authorization and order expiry, rate-limit
// windows, validation and revocation times, the CRL's lastUpdate. An interface so that tests
// move it (FakeClock in tests/ca/in_process_ca.h) instead of waiting a week for an
// authorization to expire. Nonces, certificate validity and the transparency log keep the
// system's time.
#pragma once

#include <ctime>

namespace xmppcert::ca {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::time_t now() const = 0;
};

class SystemClock : public Clock {
 public:
  std::time_t now() const override { return std::time(nullptr); }
};

// The process's one SystemClock, the default of ServiceOptions::clock.
inline const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace xmppcert::ca

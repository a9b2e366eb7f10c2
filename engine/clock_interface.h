// The time and the waits of code that tests drive without waiting: an issuer's polls and
// retries (a CA's Retry-After). Production passes system_clock(); tests pass a FakeClock
// (tests/support/fake_clock.h) whose sleep_for moves its time and returns at once.
#pragma once

#include <chrono>
#include <ctime>

namespace xmppcert {

class Clock {
 public:
  virtual ~Clock() = default;
  virtual std::time_t now() const = 0;
  // Returns once `delay` has passed on this clock.
  virtual void sleep_for(std::chrono::milliseconds delay) const = 0;
};

// The system's time; sleep_for is std::this_thread::sleep_for.
const Clock& system_clock();

}  // namespace xmppcert

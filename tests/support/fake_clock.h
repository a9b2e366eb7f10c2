// A clock that tests move: sleep_for moves its time on and returns at once, so a wait of an
// hour (an ACME Retry-After, a schedule's next action) costs no real time, and the test reads
// what was waited for.
#pragma once

#include <atomic>
#include <chrono>
#include <ctime>

#include "engine/clock_interface.h"

namespace xmppcert::testing {

class FakeClock : public Clock {
 public:
  explicit FakeClock(std::time_t start = std::time(nullptr))
      : now_ms_(static_cast<long long>(start) * 1000) {}

  std::time_t now() const override { return static_cast<std::time_t>(now_ms_.load() / 1000); }
  void sleep_for(std::chrono::milliseconds delay) const override {
    now_ms_ += delay.count();
    slept_ms_ += delay.count();
    ++sleeps_;
  }

  void advance(std::chrono::milliseconds by) { now_ms_ += by.count(); }
  // What sleep_for was asked for, in all and how often.
  std::chrono::milliseconds slept() const { return std::chrono::milliseconds(slept_ms_.load()); }
  int sleeps() const { return sleeps_.load(); }

 private:
  mutable std::atomic<long long> now_ms_;
  mutable std::atomic<long long> slept_ms_{0};
  mutable std::atomic<int> sleeps_{0};
};

}  // namespace xmppcert::testing

#include "engine/clock_interface.h"

#include <thread>

namespace xmppcert {
namespace {

class SystemClock : public Clock {
 public:
  std::time_t now() const override { return std::time(nullptr); }
  void sleep_for(std::chrono::milliseconds delay) const override {
    std::this_thread::sleep_for(delay);
  }
};

}  // namespace

const Clock& system_clock() {
  static const SystemClock clock;
  return clock;
}

}  // namespace xmppcert

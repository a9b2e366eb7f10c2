// The state-dir lock that serialises the CLI, the renewal timer and the agent: an flock(2)
// on <state>/lock, released when the process exits however it exits.
#pragma once

#include <chrono>
#include <filesystem>

namespace xmppcert {

class StateLock {
 public:
  // Waits up to `patience` for the lock; throws OperationError naming the lock file when
  // another run still holds it.
  StateLock(const std::filesystem::path& state_dir, std::chrono::milliseconds patience);
  ~StateLock();
  StateLock(const StateLock&) = delete;
  StateLock& operator=(const StateLock&) = delete;

 private:
  int fd_ = -1;
};

}  // namespace xmppcert

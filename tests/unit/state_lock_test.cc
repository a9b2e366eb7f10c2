#include "engine/state_lock.h"

#include <gtest/gtest.h>

#include "engine/errors.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::TempDir;

TEST(StateLock, ASecondHolderWaitsItsPatienceThenFailsNamingTheLockFile) {
  TempDir dir;
  StateLock held(dir.path(), std::chrono::milliseconds(0));
  // flock is per open file description: another process is the honest contender.
  int status = testing::run_in_child([&] {
    try {
      StateLock second(dir.path(), std::chrono::milliseconds(100));
      ::_exit(0);
    } catch (const OperationError& e) {
      std::string message = e.what();
      ::_exit(message.find((dir / "lock").string()) != std::string::npos &&
                      message.find("another xmppcert run") != std::string::npos
                  ? 42
                  : 1);
    }
  });
  EXPECT_EQ(status, 42);
}

TEST(StateLock, IsFreeAgainOnceReleased) {
  TempDir dir;
  { StateLock first(dir.path(), std::chrono::milliseconds(0)); }
  int status = testing::run_in_child([&] {
    StateLock second(dir.path(), std::chrono::milliseconds(0));
    ::_exit(7);
  });
  EXPECT_EQ(status, 7);
}

TEST(StateLock, AMissingStateDirIsAnOperationError) {
  TempDir dir;
  EXPECT_THROW(StateLock(dir / "missing", std::chrono::milliseconds(0)), OperationError);
}

}  // namespace
}  // namespace xmppcert

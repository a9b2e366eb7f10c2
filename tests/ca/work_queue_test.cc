// The validation work queue (ca/va/work_queue.h): a job that throws ends neither the process
// nor its account's turn.
// Backend: none (in memory).
#include "ca/va/work_queue.h"

#include <gtest/gtest.h>

#include <atomic>
#include <stdexcept>

namespace xmppcert::ca {
namespace {

TEST(WorkQueue, AJobThatThrowsIsLoggedAndItsAccountsSlotIsFreedForTheNextJob) {
  std::atomic<int> ran{0};
  {
    WorkQueue queue({.threads = 1, .per_account = 1, .per_target = 1});
    queue.submit(7, "a.example", [] { throw std::runtime_error("resolver exploded"); });
    queue.submit(7, "a.example", [&] { ++ran; });
    queue.submit(7, "a.example", [] { throw 42; });
    queue.submit(7, "a.example", [&] { ++ran; });
  }  // the destructor drains the queue
  EXPECT_EQ(ran.load(), 2);
}

}  // namespace
}  // namespace xmppcert::ca

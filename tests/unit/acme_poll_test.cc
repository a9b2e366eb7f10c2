#include <gtest/gtest.h>

#include "plugins/issuers/acme/poll.h"

namespace xmppcert::acme {
namespace {

using std::chrono::milliseconds;

TEST(AcmePoll, FirstLookComesOneMillisecondAfterTheRequestThenTheWaitDoubles) {
  EXPECT_EQ(poll_delay(0), milliseconds(1));
  EXPECT_EQ(poll_delay(1), milliseconds(2));
  EXPECT_EQ(poll_delay(2), milliseconds(4));
  EXPECT_EQ(poll_delay(10), milliseconds(1024));
}

TEST(AcmePoll, WaitNeverExceedsTwoSeconds) {
  EXPECT_EQ(poll_delay(11), milliseconds(2000));
  EXPECT_EQ(poll_delay(1000), milliseconds(2000));
}

}  // namespace
}  // namespace xmppcert::acme

#include <gtest/gtest.h>

#include "plugins/issuers/acme/poll.h"

namespace xmppcert::acme {
namespace {

using std::chrono::milliseconds;

TEST(AcmePoll, FirstLookComesTwentyMillisecondsAfterTheRequestThenTheWaitDoubles) {
  EXPECT_EQ(poll_delay(0), milliseconds(20));
  EXPECT_EQ(poll_delay(1), milliseconds(40));
  EXPECT_EQ(poll_delay(2), milliseconds(80));
  EXPECT_EQ(poll_delay(6), milliseconds(1280));
}

TEST(AcmePoll, WaitNeverExceedsTwoSeconds) {
  EXPECT_EQ(poll_delay(7), milliseconds(2000));
  EXPECT_EQ(poll_delay(1000), milliseconds(2000));
}

}  // namespace
}  // namespace xmppcert::acme

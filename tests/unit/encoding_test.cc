#include "engine/encoding.h"

#include <gtest/gtest.h>

namespace xmppcert {
namespace {

TEST(Encoding, Base64PadsToAMultipleOfFourAsRfc4648Section10) {
  EXPECT_EQ(base64_encode(""), "");
  EXPECT_EQ(base64_encode("f"), "Zg==");
  EXPECT_EQ(base64_encode("fo"), "Zm8=");
  EXPECT_EQ(base64_encode("foo"), "Zm9v");
  EXPECT_EQ(base64_encode("foobar"), "Zm9vYmFy");
  EXPECT_EQ(base64_encode("\xfb\xff"), "+/8=");  // the plain alphabet, not base64url's
}

TEST(Encoding, HexIsLowerCaseUnlessAskedWithAnOptionalSeparator) {
  EXPECT_EQ(hex_encode(std::string("\x00\xab\x10", 3)), "00ab10");
  EXPECT_EQ(hex_encode(std::string("\x00\xab\x10", 3), true, ":"), "00:AB:10");
  EXPECT_EQ(hex_encode(""), "");
}

}  // namespace
}  // namespace xmppcert

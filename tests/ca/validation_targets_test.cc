// Where validation may connect (ca/va/validation_targets.h): global unicast only, unless the
// operator lists a network.
// Backend: none (a pure function of the address).
#include "ca/va/validation_targets.h"

#include <gtest/gtest.h>

#include "engine/errors.h"

namespace xmppcert::ca {
namespace {

TEST(ValidationTargets, OnlyGlobalUnicastAddressesAreReachableByDefault) {
  for (const char* refused : {"127.0.0.1",
                              "10.1.2.3",
                              "172.16.0.1",
                              "172.31.255.255",
                              "192.168.1.1",
                              "100.64.0.1",
                              "169.254.169.254",
                              "0.0.0.0",
                              "0.1.2.3",
                              "192.0.2.7",
                              "198.51.100.1",
                              "203.0.113.9",
                              "198.18.0.1",
                              "224.0.0.1",
                              "239.1.1.1",
                              "240.0.0.1",
                              "255.255.255.255",
                              "192.0.0.8",
                              "::1",
                              "::",
                              "fe80::1",
                              "fc00::1",
                              "fd12:3456::1",
                              "ff02::1",
                              "2001:db8::1",
                              "::ffff:127.0.0.1",
                              "::ffff:10.0.0.1",
                              "64:ff9b::a00:1",
                              "2002:a00:1::1",
                              "2001::1",
                              "not-an-address",
                              ""})
    EXPECT_FALSE(is_global_unicast(refused)) << refused;
  for (const char* allowed : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "100.128.0.1", "192.0.3.1",
                              "2a00:1450:4001::1", "2600::1", "::ffff:8.8.8.8"})
    EXPECT_TRUE(is_global_unicast(allowed)) << allowed;
}

TEST(ValidationTargets, AnOperatorsNetworksAreReachableAndMalformedOnesRefused) {
  ValidationTargets targets({"10.0.0.0/8", "fd00::/8", "127.0.0.1/32"});
  EXPECT_TRUE(targets.allowed("10.200.1.1"));
  EXPECT_TRUE(targets.allowed("fd00::5"));
  EXPECT_TRUE(targets.allowed("127.0.0.1"));
  EXPECT_FALSE(targets.allowed("127.0.0.2"));
  EXPECT_FALSE(targets.allowed("192.168.0.1"));
  EXPECT_TRUE(targets.allowed("8.8.8.8"));
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "fd00::/129", "10.0.0.0/x", "ten/8", "/8"})
    EXPECT_THROW(ValidationTargets({bad}), UsageError) << bad;
}

}  // namespace
}  // namespace xmppcert::ca

#include "engine/keys.h"

#include <gtest/gtest.h>

#include "engine/errors.h"

namespace xmppcert {
namespace {

class EveryKeyType : public ::testing::TestWithParam<const char*> {};

TEST_P(EveryKeyType, GeneratesAKeyThatSurvivesAPemRoundTrip) {
  KeyType type = parse_key_type(GetParam());
  EXPECT_EQ(key_type_name(type), GetParam());
  PKeyPtr key = generate_private_key(type);
  EXPECT_EQ(key_type_of(key.get()), type);
  std::string pem = private_key_pem(key.get());
  EXPECT_EQ(pem.rfind("-----BEGIN PRIVATE KEY-----", 0), 0u);
  PKeyPtr loaded = load_private_key(pem, "test");
  EXPECT_EQ(EVP_PKEY_eq(key.get(), loaded.get()), 1);
}

INSTANTIATE_TEST_SUITE_P(Keys, EveryKeyType,
                         ::testing::Values("ec-p256", "ec-p384", "rsa-2048", "rsa-3072",
                                           "rsa-4096"));

TEST(Keys, UnknownKeyTypeIsAUsageErrorListingTheKnownOnes) {
  try {
    parse_key_type("ed25519");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("\"ed25519\""), std::string::npos);
    EXPECT_NE(std::string(e.what()).find("ec-p256"), std::string::npos);
  }
}

TEST(Keys, GarbageKeyFileIsAnErrorNamingTheFile) {
  try {
    load_private_key("not a key", "/etc/x/key.pem");
    FAIL();
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find("/etc/x/key.pem"), std::string::npos);
  }
}

}  // namespace
}  // namespace xmppcert

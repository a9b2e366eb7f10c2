#include "engine/json_fields.h"

#include <gtest/gtest.h>

#include "engine/errors.h"

namespace xmppcert {
namespace {

std::string usage_error_of(const std::function<void()>& body) {
  try {
    body();
  } catch (const UsageError& e) {
    return e.what();
  }
  return "no error";
}

TEST(JsonFields, ReadsTypedValuesAndAbsentKeysAreEmpty) {
  nlohmann::json json = {{"s", "x"}, {"b", true}, {"l", {"a", "b"}}, {"o", {{"k", 1}}}};
  JsonFields fields(json, "cfg");
  EXPECT_EQ(fields.string("s"), "x");
  EXPECT_EQ(fields.boolean("b"), true);
  EXPECT_EQ(fields.strings("l"), (std::vector<std::string>{"a", "b"}));
  ASSERT_NE(fields.object("o"), nullptr);
  EXPECT_EQ(fields.string("missing"), std::nullopt);
  EXPECT_EQ(fields.object("missing"), nullptr);
}

TEST(JsonFields, WrongTypesNameTheKeyPath) {
  nlohmann::json json = {{"s", 1}, {"b", "yes"}, {"l", {"a", 2}}, {"o", 3}};
  JsonFields fields(json, "config.json: certificates.\"x\"");
  EXPECT_EQ(usage_error_of([&] { fields.string("s"); }),
            "config.json: certificates.\"x\".s: expected a string");
  EXPECT_EQ(usage_error_of([&] { fields.boolean("b"); }),
            "config.json: certificates.\"x\".b: expected true or false");
  EXPECT_EQ(usage_error_of([&] { fields.strings("l"); }),
            "config.json: certificates.\"x\".l: expected an array of strings");
  EXPECT_EQ(usage_error_of([&] { fields.object("o"); }),
            "config.json: certificates.\"x\".o: expected an object");
}

TEST(JsonFields, UnknownKeysAreRefusedListingTheKnownOnes) {
  nlohmann::json json = {{"domains", {}}, {"typo", 1}};
  JsonFields fields(json, "cfg");
  EXPECT_EQ(usage_error_of([&] {
              fields.allow_only({"domains", "issuer"});
            }),
            "cfg: unknown key \"typo\" (expected one of: domains, issuer)");
}

TEST(JsonFields, ANonObjectIsRefusedAtOnce) {
  EXPECT_EQ(usage_error_of([] { JsonFields(nlohmann::json::array(), "cfg.install"); }),
            "cfg.install: expected an object");
}

TEST(JsonFields, WithContextPrefixesAUsageErrorWithTheKeyPath) {
  nlohmann::json json = nlohmann::json::object();
  JsonFields fields(json, "cfg");
  EXPECT_EQ(usage_error_of([&] {
              fields.with_context("key_type", [] { throw UsageError("unknown key type"); });
            }),
            "cfg.key_type: unknown key type");
}

}  // namespace
}  // namespace xmppcert

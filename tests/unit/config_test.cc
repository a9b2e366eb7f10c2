#include "engine/config.h"

#include <gtest/gtest.h>

#include "engine/errors.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

std::string usage_error_of(const std::string& text) {
  try {
    parse_config(text, "xmppcert.json");
  } catch (const UsageError& e) {
    return e.what();
  }
  return "";
}

TEST(Config, CommentsAreAllowedAndDefaultsApplyToEachCertificate) {
  Config config = parse_config(R"({
    // a comment
    "state_dir": "/srv/xmppcert",
    "defaults": { "key_type": "ec-p384", "validity": "30d" },
    "certificates": {
      "example.org": { "components": ["conference"] },  /* another */
      "other": { "domains": ["other.net", "bücher.example"], "key_type": "rsa-2048", "reuse_key": true }
    }
  })",
                               "xmppcert.json");
  ASSERT_EQ(config.certificates.size(), 2u);
  EXPECT_EQ(*config.state_dir, "/srv/xmppcert");
  const auto* first = config.find("example.org");
  ASSERT_TRUE(first);
  EXPECT_EQ(first->domains, std::vector<std::string>{"example.org"});
  EXPECT_EQ(first->key_type, KeyType::kEcP384);
  EXPECT_EQ(first->validity, std::chrono::hours(24 * 30));
  const auto* second = config.find("bücher.example");
  ASSERT_TRUE(second);
  EXPECT_EQ(second->name, "other");
  EXPECT_TRUE(second->reuse_key);
  EXPECT_EQ(second->key_type, KeyType::kRsa2048);
}

TEST(Config, SyntaxErrorNamesFileLineAndColumn) {
  std::string error = usage_error_of("{\n  \"certificates\": {\n    \"a.org\": {,}\n  }\n}");
  EXPECT_NE(error.find("xmppcert.json: JSON"), std::string::npos) << error;
  EXPECT_NE(error.find("line 3, column"), std::string::npos) << error;
}

// Found by fuzzing: a number too large for a double was an exception of the JSON library
// that escaped as a crash, not an error naming the file.
TEST(Config, ANumberTooLargeIsAnErrorNamingTheFile) {
  std::string error = usage_error_of("{\"certificates\": {}, \"x\": 4e4444}");
  EXPECT_NE(error.find("xmppcert.json: JSON number overflow"), std::string::npos) << error;
}

TEST(Config, UnknownKeyNamesFileLineAndKeyPath) {
  std::string error = usage_error_of(
      "{\n  \"certificates\": {\n    \"a.org\": {\n      \"componets\": []\n    }\n  }\n}");
  EXPECT_NE(error.find("xmppcert.json:4"), std::string::npos) << error;
  EXPECT_NE(error.find("certificates.\"a.org\""), std::string::npos) << error;
  EXPECT_NE(error.find("unknown key \"componets\""), std::string::npos) << error;
}

TEST(Config, BadValuesNameTheirKeyPath) {
  EXPECT_NE(usage_error_of(R"({"certificates": {"a.org": {"key_type": "dsa"}}})")
                .find("certificates.\"a.org\".key_type: unknown key type \"dsa\""),
            std::string::npos);
  EXPECT_NE(usage_error_of(R"({"certificates": {"a.org": {"domains": ["bad_domain.org"]}}})")
                .find("certificates.\"a.org\".domains: invalid domain \"bad_domain.org\""),
            std::string::npos);
  EXPECT_NE(usage_error_of(R"({"certificates": {"a.org": {"validity": "ten"}}})").find("validity"),
            std::string::npos);
  EXPECT_NE(usage_error_of(R"({"certificates": {"a.org": {"install": {"key": "/x"}}}})")
                .find("install: missing key \"plugin\""),
            std::string::npos);
  EXPECT_NE(usage_error_of(R"({"certificates": []})").find("certificates: expected an object"),
            std::string::npos);
}

TEST(Config, RequestRoundTripsThroughItsStoredJson) {
  Config config = parse_config(R"({"certificates": {"a.org": {
      "components": ["upload"], "validity": "5m",
      "install": {"plugin": "files", "key": "/tmp/k.pem"}}}})",
                               "c.json");
  const auto& request = config.certificates.front();
  EXPECT_EQ(request_from_json(request_to_json(request), "a.org", {}, "stored"), request);
}

}  // namespace
}  // namespace xmppcert

namespace xmppcert {
namespace {

TEST(Config, EabSecretIsNeverWrittenIntoTheStoredRequest) {
  Config config = parse_config(R"({"certificates": {"a.org": {"issuer": "acme",
      "acme": {"directory": "https://ca/dir", "eab_kid": "kid", "eab_hmac": "c2VjcmV0"}}}})",
                               "c.json");
  std::string stored = request_to_json(config.certificates.front()).dump();
  EXPECT_EQ(stored.find("c2VjcmV0"), std::string::npos) << stored;
  EXPECT_NE(stored.find("\"eab_kid\":\"kid\""), std::string::npos) << stored;
}

}  // namespace
}  // namespace xmppcert

namespace xmppcert::testing {
namespace {

TEST(Config, IncludedSnippetsAddCertificatesWithTheMainDefaults) {
  TempDir dir;
  std::filesystem::create_directories(dir / "conf.d");
  write_text(dir / "main.json",
             R"({"defaults": {"validity": "10d"}, "include": ["conf.d/*.json"],
                 "certificates": {"a.example": {}}})");
  write_text(dir / "conf.d" / "prosody.json", R"({"certificates": {"b.example": {}}})");
  Config config = load_config(dir / "main.json");
  ASSERT_EQ(config.certificates.size(), 2u);
  EXPECT_EQ(config.certificates[1].name, "b.example");
  EXPECT_EQ(config.certificates[1].validity, std::chrono::seconds(10 * 86400));
  EXPECT_EQ(config.files.size(), 2u);
}

TEST(Config, EmptyDomainsWithAnInstallLeaveTheDomainsToTheServersConfig) {
  TempDir dir;
  std::filesystem::create_directories(dir / "conf.d");
  write_text(dir / "main.json", R"({"include": ["conf.d/*.json"], "certificates": {}})");
  write_text(dir / "conf.d" / "prosody.json",
             R"({"certificates": {"prosody": {"domains": [],
                 "install": {"plugin": "prosody", "config": "/etc/prosody/prosody.cfg.lua"}}}})");
  Config config = load_config(dir / "main.json");
  ASSERT_EQ(config.certificates.size(), 1u);
  EXPECT_EQ(config.certificates[0].name, "prosody");
  EXPECT_TRUE(config.certificates[0].domains.empty());
  EXPECT_EQ(config.certificates[0].install->plugin, "prosody");
  // Without an install nothing could name them.
  EXPECT_NE(usage_error_of(R"({"certificates": {"a.org": {"domains": []}}})")
                .find("no domain to certify"),
            std::string::npos);
}

TEST(Config, ASnippetDefiningACertificateTwiceOrOtherKeysIsAnErrorNamingIt) {
  TempDir dir;
  std::filesystem::create_directories(dir / "conf.d");
  write_text(dir / "main.json",
             R"({"include": ["conf.d/*.json"], "certificates": {"a.example": {}}})");
  write_text(dir / "conf.d" / "x.json", R"({"certificates": {"a.example": {}}})");
  try {
    load_config(dir / "main.json");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_EQ(std::string(e.what()), (dir / "conf.d" / "x.json").string() +
                                         ": certificates.\"a.example\": certificate "
                                         "\"a.example\" is defined twice");
  }
  write_text(dir / "conf.d" / "x.json", R"({"state_dir": "/x"})");
  try {
    load_config(dir / "main.json");
    FAIL();
  } catch (const UsageError& e) {
    EXPECT_NE(std::string(e.what()).find("x.json:1"), std::string::npos) << e.what();
  }
}

}  // namespace
}  // namespace xmppcert::testing

// The CA's config file is read strictly (ca/ca_config.h): a typo must stop `serve` with the
// file, the line and the keys it expected, never serve with a setting silently off.
#include <gtest/gtest.h>
#include <unistd.h>

#include "tests/ca/ca_fixture.h"

namespace xmppcert {
namespace {

using testing::ProcessResult;
using testing::run_xmppcert_ca;
using testing::write_text;

class CaConfigFile : public ::testing::Test {
 protected:
  void SetUp() override {
    if (::access(XMPPCERT_CA_BINARY, X_OK) != 0) GTEST_SKIP() << "xmppcert-ca is not built";
  }
  ProcessResult serve_with(const std::string& config) {
    write_text(dir_ / "ca.json", config);
    return run_xmppcert_ca({"serve", "--state-dir", (dir_ / "ca").string(), "--listen",
                            "127.0.0.1:1", "--config", (dir_ / "ca.json").string()});
  }
  std::string file() const { return (dir_ / "ca.json").string(); }
  testing::TempDir dir_;
};

TEST_F(CaConfigFile, UnknownKeysAreRefusedWithFileLineAndTheExpectedKeys) {
  ProcessResult eab = serve_with("{\n  \"eab\": {\"requried\": true, \"keys\": {}}\n}\n");
  EXPECT_EQ(eab.exit_code, 2) << eab.err;
  EXPECT_NE(eab.err.find(file() + ":2"), std::string::npos) << eab.err;
  EXPECT_NE(eab.err.find("unknown key \"requried\""), std::string::npos) << eab.err;
  EXPECT_NE(eab.err.find("required, keys"), std::string::npos) << eab.err;

  ProcessResult lifetime = serve_with("{\"listen\": \"127.0.0.1:1\",\n\"lifetyme\": \"30d\"}");
  EXPECT_EQ(lifetime.exit_code, 2) << lifetime.err;
  EXPECT_NE(lifetime.err.find(file() + ":2"), std::string::npos) << lifetime.err;
  EXPECT_NE(lifetime.err.find("lifetime"), std::string::npos) << lifetime.err;
}

TEST_F(CaConfigFile, WrongTypesAndJsonSyntaxErrorsAreRefusedNamingTheKeyOrTheLine) {
  ProcessResult required = serve_with(R"({"eab": {"required": "yes", "keys": {"k": "AAAA"}}})");
  EXPECT_EQ(required.exit_code, 2) << required.err;
  EXPECT_NE(required.err.find("eab.required: expected true or false"), std::string::npos)
      << required.err;
  ProcessResult limit =
      serve_with(R"({"rate_limits": {"certificates_per_account_per_hour": "2"}})");
  EXPECT_EQ(limit.exit_code, 2) << limit.err;
  EXPECT_NE(limit.err.find("rate_limits.certificates_per_account_per_hour"), std::string::npos)
      << limit.err;
  ProcessResult networks = serve_with(R"({"validation_networks": "10.0.0.0/8"})");
  EXPECT_EQ(networks.exit_code, 2) << networks.err;
  EXPECT_NE(networks.err.find("validation_networks: expected an array"), std::string::npos)
      << networks.err;
  ProcessResult syntax = serve_with("{\n\"listen\": \"127.0.0.1:1\",,\n}");
  EXPECT_EQ(syntax.exit_code, 2) << syntax.err;
  EXPECT_NE(syntax.err.find("line 2"), std::string::npos) << syntax.err;
}

}  // namespace
}  // namespace xmppcert

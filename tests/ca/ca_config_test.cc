// The CA's config file is read strictly (ca/ca_config.h): a typo must stop `serve` with the
// file, the line and the keys it expected, never serve with a setting silently off.
// Backend: none; the config is refused before any storage is opened.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>

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

TEST_F(CaConfigFile, RegisteredDomainLimitsAndReusableEabKeysAreReadStrictly) {
  ProcessResult limit = serve_with(
      R"({"rate_limits": {"certificates_per_registered_domain_per_week": -1}})");
  EXPECT_EQ(limit.exit_code, 2) << limit.err;
  EXPECT_NE(limit.err.find("rate_limits.certificates_per_registered_domain_per_week"),
            std::string::npos)
      << limit.err;
  ProcessResult suffix =
      serve_with(R"({"rate_limits": {"registered_domain_suffixes": ["co.uk", ".Example."]}})");
  EXPECT_EQ(suffix.exit_code, 2) << suffix.err;
  EXPECT_NE(suffix.err.find("rate_limits.registered_domain_suffixes: \".Example.\""),
            std::string::npos)
      << suffix.err;
  ProcessResult reusable = serve_with(R"({"eab": {"reusable": "kid-1"}})");
  EXPECT_EQ(reusable.exit_code, 2) << reusable.err;
  EXPECT_NE(reusable.err.find("eab.reusable"), std::string::npos) << reusable.err;
}

TEST_F(CaConfigFile, NotariesWithABadUrlKeyOrQuorumAreRefusedNamingTheFileAndKey) {
  const std::string key(64, 'a');
  ProcessResult url = serve_with(
      R"({"notaries": [{"url": "http://192.0.2.1:8443", "key_sha256": ")" + key + "\"}]}");
  EXPECT_EQ(url.exit_code, 2) << url.err;
  EXPECT_NE(url.err.find(file() + ".notaries[0].url: expected https://"), std::string::npos)
      << url.err;
  ProcessResult digest =
      serve_with(R"({"notaries": [{"url": "https://192.0.2.1:8443", "key_sha256": ")" + key +
                 R"("}, {"url": "https://192.0.2.2:8443", "key_sha256": "AB"}]})");
  EXPECT_EQ(digest.exit_code, 2) << digest.err;
  EXPECT_NE(digest.err.find(file() + ".notaries[1].key_sha256: expected 64 lower-case hex"),
            std::string::npos)
      << digest.err;
  ProcessResult quorum = serve_with(
      R"({"notary_quorum": 3, "notaries": [{"url": "https://192.0.2.1:8443", "key_sha256": ")" +
      key + "\"}]}");
  EXPECT_EQ(quorum.exit_code, 2) << quorum.err;
  EXPECT_NE(quorum.err.find(file() + ".notary_quorum: more than the 1 notaries configured"),
            std::string::npos)
      << quorum.err;
  ProcessResult alone = serve_with(R"({"notary_quorum": 1})");
  EXPECT_EQ(alone.exit_code, 2) << alone.err;
  EXPECT_NE(alone.err.find(file() + ".notary_quorum: set, but no \"notaries\""), std::string::npos)
      << alone.err;
  ProcessResult typo =
      serve_with("{\"notaries\": [{\"url\": \"https://192.0.2.1:1\",\n \"key_sha265\": \"\"}]}");
  EXPECT_EQ(typo.exit_code, 2) << typo.err;
  EXPECT_NE(typo.err.find(file() + ":2"), std::string::npos) << typo.err;
  EXPECT_NE(typo.err.find("unknown key \"key_sha265\""), std::string::npos) << typo.err;
}

TEST_F(CaConfigFile, AConfigFileOrFolderOthersCanWriteIsRefusedNamingIt) {
  write_text(dir_ / "ca.json", "{}");
  ASSERT_EQ(::chmod(file().c_str(), 0664), 0);
  ProcessResult group_writable = run_xmppcert_ca({"serve", "--state-dir", (dir_ / "ca").string(),
                                                  "--listen", "127.0.0.1:1", "--config", file()});
  EXPECT_EQ(group_writable.exit_code, 2) << group_writable.err;
  EXPECT_NE(group_writable.err.find(file()), std::string::npos) << group_writable.err;

  std::filesystem::create_directory(dir_ / "open");
  ASSERT_EQ(::chmod((dir_ / "open").c_str(), 0777), 0);
  write_text(dir_ / "open" / "ca.json", "{}");
  ASSERT_EQ(::chmod((dir_ / "open" / "ca.json").c_str(), 0644), 0);
  ProcessResult open_folder =
      run_xmppcert_ca({"serve", "--state-dir", (dir_ / "ca").string(), "--listen", "127.0.0.1:1",
                       "--config", (dir_ / "open" / "ca.json").string()});
  EXPECT_EQ(open_folder.exit_code, 2) << open_folder.err;
  EXPECT_NE(open_folder.err.find((dir_ / "open").string()), std::string::npos) << open_folder.err;
}

}  // namespace
}  // namespace xmppcert

// xmppcert delete NAME: the state dir forgets one certificate, never another, never one the
// config still names; --remove-files takes the installed files too.
#include <gtest/gtest.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "engine/fs.h"
#include "tests/integration/cli_runner.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

namespace fs = std::filesystem;

class CliDelete : public ::testing::Test {
 protected:
  std::string state() const { return (dir_ / "state").string(); }
  fs::path installed(const std::string& file) const { return dir_ / "installed" / file; }
  // a.example.test installed by the files plugin, b.example.test stored only.
  void enroll_two() {
    fs::create_directories(dir_ / "installed");
    std::string config = dir_ / "first.json";
    write_text(config, R"({"state_dir": ")" + state() + R"(", "certificates": {
        "a.example.test": {"install": {"plugin": "files", "key": ")" +
                           installed("a.key").string() + R"(", "fullchain": ")" +
                           installed("a.crt").string() + R"("}},
        "b.example.test": {}}})");
    ProcessResult r = run_xmppcert({"enroll", "--config", config});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  std::vector<std::string> names_in_status() {
    std::vector<std::string> names;
    for (const auto& record :
         nlohmann::json::parse(run_xmppcert({"status", "--json", "--state-dir", state()}).out))
      names.push_back(record["name"]);
    return names;
  }
  TempDir dir_;
};

TEST_F(CliDelete, TheStateDirForgetsTheCertificateAndKeepsTheOthersAndTheInstalledFiles) {
  enroll_two();
  ProcessResult r = run_xmppcert({"delete", "a.example.test", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(names_in_status(), std::vector<std::string>{"b.example.test"});
  EXPECT_FALSE(fs::exists(dir_ / "state" / "certs" / "a.example.test"));
  EXPECT_TRUE(fs::exists(dir_ / "state" / "ca" / "local" / "root.pem"));
  EXPECT_TRUE(fs::exists(installed("a.key")));  // the server still reads them
}

// Issue 23 item 12: delete has a --dry-run that says what would go and keeps everything.
TEST_F(CliDelete, DryRunSaysWhatWouldBeRemovedAndRemovesNothing) {
  enroll_two();
  ProcessResult r = run_xmppcert(
      {"delete", "a.example.test", "--remove-files", "--dry-run", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("a.example.test: would delete " + state() + "/certs/a.example.test"),
            std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("would remove " + installed("a.key").string()), std::string::npos)
      << r.out;
  EXPECT_NE(r.out.find("would remove " + installed("a.crt").string()), std::string::npos)
      << r.out;
  EXPECT_EQ(names_in_status(), (std::vector<std::string>{"a.example.test", "b.example.test"}));
  EXPECT_TRUE(fs::exists(installed("a.key")));
  EXPECT_TRUE(fs::exists(installed("a.crt")));
}

TEST_F(CliDelete, RemoveFilesTakesTheInstalledFilesToo) {
  enroll_two();
  ProcessResult r =
      run_xmppcert({"delete", "a.example.test", "--remove-files", "--state-dir", state()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_FALSE(fs::exists(installed("a.key")));
  EXPECT_FALSE(fs::exists(installed("a.crt")));
}

TEST_F(CliDelete, ACertificateTheConfigStillNamesOrNoneAtAllIsRefused) {
  enroll_two();
  std::string config = dir_ / "still.json";
  write_text(config,
             R"({"state_dir": ")" + state() + R"(", "certificates": {"a.example.test": {}}})");
  ProcessResult named = run_xmppcert({"delete", "a.example.test", "--config", config});
  EXPECT_EQ(named.exit_code, 2);
  EXPECT_NE(named.err.find("still names \"a.example.test\""), std::string::npos) << named.err;
  ProcessResult unknown = run_xmppcert({"delete", "c.example.test", "--state-dir", state()});
  EXPECT_EQ(unknown.exit_code, 2);
  EXPECT_NE(unknown.err.find("no certificate named \"c.example.test\""), std::string::npos)
      << unknown.err;
  EXPECT_EQ(names_in_status().size(), 2u);
}

}  // namespace
}  // namespace xmppcert::testing

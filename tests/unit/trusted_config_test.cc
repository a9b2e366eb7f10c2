// Issue 12 #4: a conf.d snippet that a non-root user wrote set a `reload` argv that root ran.
// A config or snippet that anyone but root (or the invoking user) could have written is
// refused, naming the file, like OpenSSH's safe_path and sudo.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/config.h"
#include "engine/errors.h"
#include "engine/fs.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

constexpr const char* kMain = R"({"include": ["conf.d/*.json"]})";
constexpr const char* kSnippet = R"({"certificates": {"evil.example": {
  "install": {"plugin": "files", "fullchain": "/tmp/x.pem", "reload": ["/bin/sh", "-c", "id"]}}}})";

class TrustedConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir / "conf.d");
    ::chmod((dir / "conf.d").c_str(), 0755);
    write_text(dir / "xmppcert.json", kMain);
    write_text(dir / "conf.d" / "evil.json", kSnippet);
    ::chmod((dir / "conf.d" / "evil.json").c_str(), 0644);
  }
  TempDir dir;
};

TEST_F(TrustedConfigTest, ASnippetOwnedByRootOrUsIsLoaded) {
  Config config = load_config(dir / "xmppcert.json");
  ASSERT_EQ(config.certificates.size(), 1u);
}

TEST_F(TrustedConfigTest, AGroupOrWorldWritableSnippetIsRefusedNamingIt) {
  ::chmod((dir / "conf.d" / "evil.json").c_str(), 0664);
  std::string error = error_message_of<UsageError>([&] { load_config(dir / "xmppcert.json"); });
  EXPECT_NE(error.find((dir / "conf.d" / "evil.json").string()), std::string::npos) << error;
  EXPECT_NE(error.find("writable by group or others"), std::string::npos) << error;
}

TEST_F(TrustedConfigTest, AWritableFolderOnTheWayIsRefusedNamingIt) {
  ::chmod((dir / "conf.d").c_str(), 0777);
  std::string error = error_message_of<UsageError>([&] { load_config(dir / "xmppcert.json"); });
  EXPECT_NE(error.find("folder " + (dir / "conf.d").string()), std::string::npos) << error;
}

TEST_F(TrustedConfigTest, ASnippetOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the snippet away";
  ASSERT_EQ(::chown((dir / "conf.d" / "evil.json").c_str(), 65534, 65534), 0);
  std::string error = error_message_of<UsageError>([&] { load_config(dir / "xmppcert.json"); });
  EXPECT_NE(error.find("owned by uid 65534"), std::string::npos) << error;
}

TEST_F(TrustedConfigTest, AMainConfigInAFolderOwnedByAnotherUserIsRefused) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the folder away";
  ASSERT_EQ(::chown(dir.path().c_str(), 65534, 65534), 0);
  std::string error = error_message_of<UsageError>([&] { load_config(dir / "xmppcert.json"); });
  ::chown(dir.path().c_str(), 0, 0);
  EXPECT_NE(error.find("folder " + dir.path().string()), std::string::npos) << error;
}

// The whole path up to /, not only the nearest folder: a folder two levels above the config
// that someone else can write (or owns) could swap the folder in between.
class TrustedConfigDeepTest : public ::testing::Test {
 protected:
  void SetUp() override {
    fs::create_directories(dir / "etc" / "xmppcert");
    ::chmod((dir / "etc").c_str(), 0755);
    ::chmod((dir / "etc" / "xmppcert").c_str(), 0755);
    write_text(config(), R"({"certificates": {}})");
    ::chmod(config().c_str(), 0644);
  }
  fs::path config() const { return dir / "etc" / "xmppcert" / "xmppcert.json"; }
  TempDir dir;
};

TEST_F(TrustedConfigDeepTest, AGroupOrWorldWritableFolderTwoLevelsUpIsRefusedNamingIt) {
  load_config(config());  // trusted as it stands
  for (mode_t mode : {0775, 0757}) {
    ::chmod((dir / "etc").c_str(), mode);
    std::string error = error_message_of<UsageError>([&] { load_config(config()); });
    EXPECT_NE(error.find("folder " + (dir / "etc").string() + " is writable by group or others"),
              std::string::npos)
        << error;
  }
}

TEST_F(TrustedConfigDeepTest, AFolderTwoLevelsUpOwnedByAnotherUserIsRefusedNamingIt) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to give the folder away";
  ASSERT_EQ(::chown((dir / "etc").c_str(), 65534, 65534), 0);
  std::string error = error_message_of<UsageError>([&] { load_config(config()); });
  EXPECT_NE(error.find("folder " + (dir / "etc").string() + " is owned by uid 65534"),
            std::string::npos)
      << error;
}

}  // namespace
}  // namespace xmppcert::testing

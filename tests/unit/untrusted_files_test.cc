// Issue 12 #2, #3, #13: files in folders a daemon's user can write. Each test replays the
// attack: a symlink to a root-only file, a FIFO, /dev/zero, a symlinked cert dir.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <chrono>

#include "engine/errors.h"
#include "engine/fs.h"
#include "engine/safe_open.h"
#include "engine/store.h"
#include "plugins/servers/common/xmpp_server_plugin.h"
#include "plugins/servers/prosody/prosody_plugin.h"
#include "tests/support/memory_store.h"
#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace {

TEST(ReadFile, AFifoIsRefusedAtOnceInsteadOfHanging) {
  TempDir dir;
  ASSERT_EQ(::mkfifo((dir / "fifo").c_str(), 0600), 0);
  auto start = std::chrono::steady_clock::now();
  int status = run_in_child([&] {
    alarm(5);  // a hang fails the test instead of the suite
    std::string error = error_message_of<OperationError>([&] { read_file(dir / "fifo"); });
    _exit(error.find("FIFO") != std::string::npos ? 0 : 1);
  });
  EXPECT_EQ(status, 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(4));
}

TEST(ReadFile, ADeviceIsRefusedInsteadOfExhaustingMemory) {
  EXPECT_NE(error_message_of<OperationError>([] { read_file("/dev/zero"); }).find("device"),
            std::string::npos);
}

TEST(ReadFile, AFileBiggerThanTheCapIsRefused) {
  TempDir dir;
  write_text(dir / "big", std::string(kUntrustedFileLimit + 1, 'x'));
  EXPECT_NE(error_message_of<OperationError>([&] {
              read_untrusted_file(dir / "big");
            }).find("larger than"),
            std::string::npos);
}

TEST(ReadUntrustedFile, ASymlinkIsNotFollowed) {
  TempDir dir;
  write_text(dir / "secret", "ROOT ONLY\n");
  fs::create_symlink(dir / "secret", dir / "link");
  EXPECT_NE(
      error_message_of<OperationError>([&] { read_untrusted_file(dir / "link"); }).find("symlink"),
      std::string::npos);
}

TEST(ReadUntrustedFile, ASymlinkedFolderIsNotFollowed) {
  TempDir dir;
  fs::create_directories(dir / "real");
  write_text(dir / "real" / "f", "x");
  fs::create_directory_symlink(dir / "real", dir / "linked");
  EXPECT_NE(error_message_of<OperationError>([&] {
              read_untrusted_file(dir / "linked" / "f");
            }).find("symlink"),
            std::string::npos);
}

TEST(ReadUntrustedFile, ARegularFileComesWithItsModeAndAMissingOneIsNothing) {
  TempDir dir;
  write_text(dir / "f", "content");
  ::chmod((dir / "f").c_str(), 0640);
  auto file = read_untrusted_file(dir / "f");
  ASSERT_TRUE(file);
  EXPECT_EQ(file->content, "content");
  EXPECT_EQ(file->mode, 0640u);
  EXPECT_FALSE(read_untrusted_file(dir / "missing"));
}

class HostileCertDirTest : public ::testing::Test {
 protected:
  StoredVersion version() {
    return MemoryStore(dir / "versions")
        .write_version("example.org", {"KEY\n", "CERT\n", "CHAIN\n"});
  }
  XmppServerPlugin plugin(CrashPoints crash_points = {}) {
    write_text(dir / "prosody.cfg.lua", "VirtualHost \"example.org\"\n");
    return XmppServerPlugin(kProsodyKind, {{"config", (dir / "prosody.cfg.lua").string()}},
                            "test.install", std::move(crash_points));
  }
  TempDir dir;
};

// #2: the daemon user replaced the installed key with a symlink to a root-only file; the
// snapshot used to copy that file's bytes, and rollback wrote them into the daemon's folder.
TEST_F(HostileCertDirTest, ASymlinkedInstalledFileIsNeitherReadNorPutBackByRollback) {
  write_text(dir / "shadow", "ROOT SECRET\n");
  ::chmod((dir / "shadow").c_str(), 0600);
  fs::create_directories(dir / "certs");
  fs::create_symlink(dir / "shadow", dir / "certs" / "example.org.key");
  XmppServerPlugin p = plugin();
  p.install(version());
  EXPECT_FALSE(fs::is_symlink(dir / "certs" / "example.org.key"));
  EXPECT_EQ(read_file(dir / "certs" / "example.org.key"), "KEY\n");
  ASSERT_TRUE(p.rollback());
  EXPECT_FALSE(fs::exists(fs::symlink_status(dir / "certs" / "example.org.key")));
  EXPECT_EQ(read_file(dir / "shadow"), "ROOT SECRET\n") << "the target is untouched";
}

// #3: a FIFO or /dev/zero in place of the installed file: install neither hangs nor runs out
// of memory, and the file is replaced.
TEST_F(HostileCertDirTest, AFifoOrDeviceInPlaceOfTheInstalledFileIsReplaced) {
  fs::create_directories(dir / "certs");
  ASSERT_EQ(::mkfifo((dir / "certs" / "example.org.key").c_str(), 0600), 0);
  fs::create_symlink("/dev/zero", dir / "certs" / "example.org.crt");
  int status = run_in_child([&] {
    alarm(10);
    XmppServerPlugin p = plugin();
    p.install(version());
    _exit(read_file(dir / "certs" / "example.org.key") == "KEY\n" ? 0 : 1);
  });
  EXPECT_EQ(status, 0);
}

// #13: the cert dir itself is a symlink the daemon user planted: root would write
// <name>.key wherever it points.
TEST_F(HostileCertDirTest, ASymlinkedCertDirIsRefused) {
  fs::create_directories(dir / "elsewhere");
  fs::create_directory_symlink(dir / "elsewhere", dir / "certs");
  XmppServerPlugin p = plugin();
  std::string error = error_message_of<OperationError>([&] { p.install(version()); });
  EXPECT_NE(error.find("symlink"), std::string::npos) << error;
  EXPECT_TRUE(fs::is_empty(dir / "elsewhere"));
}

// #13, the race: the daemon user (who owns the folder holding the cert dir) moves the cert dir
// away and plants a symlink in its place while root writes. The write finishes in the folder
// it opened; the next file's write refuses the symlink. Nothing lands where the link points.
TEST_F(HostileCertDirTest, ACertDirSwappedForASymlinkMidInstallReceivesNothing) {
  fs::create_directories(dir / "elsewhere");
  bool swapped = false;
  XmppServerPlugin p = plugin(CrashPoints([&](std::string_view point) {
    if (point != "atomic-write:before-rename" || swapped) return;
    swapped = true;
    fs::rename(dir / "certs", dir / "certs-moved");
    fs::create_directory_symlink(dir / "elsewhere", dir / "certs");
  }));
  StoredVersion v = version();
  std::string error = error_message_of<OperationError>([&] { p.install(v); });
  EXPECT_TRUE(swapped);
  EXPECT_NE(error.find("symlink"), std::string::npos) << error;
  EXPECT_TRUE(fs::is_empty(dir / "elsewhere"));
  EXPECT_TRUE(fs::exists(dir / "certs-moved" / "example.org.key"));
}

}  // namespace
}  // namespace xmppcert::testing

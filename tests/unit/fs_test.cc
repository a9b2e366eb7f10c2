#include "engine/fs.h"

#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include "engine/errors.h"
#include "tests/unit/test_support.h"

namespace xmppcert {
namespace {

using testing::file_mode;
using testing::TempDir;

TEST(Fs, AtomicWriteLandsWithTheRequestedModeAndReplacesTheOldContent) {
  TempDir dir;
  write_file_atomically(dir / "f", "old", with_mode(0644));
  write_file_atomically(dir / "f", "new", with_mode(kPrivateKeyMode));
  EXPECT_EQ(read_file(dir / "f"), "new");
  EXPECT_EQ(file_mode(dir / "f"), 0600u);
  for (const auto& entry : fs::directory_iterator(dir.path()))
    EXPECT_EQ(entry.path().filename(), "f") << "no temporary file left behind";
}

TEST(Fs, ReadingAMissingFileIsAnOperationErrorNamingThePath) {
  TempDir dir;
  try {
    read_file(dir / "missing");
    FAIL() << "read";
  } catch (const OperationError& e) {
    EXPECT_NE(std::string(e.what()).find((dir / "missing").string()), std::string::npos);
  }
}

TEST(Fs, CreateDirectoriesGivesEachNewLevelTheMode) {
  TempDir dir;
  create_directories(dir / "a" / "b", 0700);
  EXPECT_EQ(file_mode(dir / "a"), 0700u);
  EXPECT_EQ(file_mode(dir / "a" / "b"), 0700u);
  EXPECT_NO_THROW(create_directories(dir / "a" / "b", 0755)) << "existing: left as it is";
  EXPECT_EQ(file_mode(dir / "a" / "b"), 0700u);
}

TEST(Fs, GlobPathsAreSortedAndEmptyWhenNothingMatches) {
  TempDir dir;
  testing::write_text(dir / "b.json", "");
  testing::write_text(dir / "a.json", "");
  testing::write_text(dir / "c.txt", "");
  EXPECT_EQ(glob_paths(dir / "*.json"), (std::vector<fs::path>{dir / "a.json", dir / "b.json"}));
  EXPECT_TRUE(glob_paths(dir / "*.yaml").empty());
}

TEST(Fs, RequireWritableDirectoryCreatesAMissingStateDirOwnerOnly) {
  TempDir dir;
  ::umask(0);
  require_writable_directory(dir / "state", "state dir", kStateDirMode);
  ::umask(022);
  EXPECT_TRUE(fs::is_directory(dir / "state"));
  EXPECT_EQ(file_mode(dir / "state") & 07777, 0700u);
}

TEST(Fs, RequireWritableDirectoryRefusesAFileInTheWay) {
  TempDir dir;
  testing::write_text(dir / "state", "");
  EXPECT_THROW(require_writable_directory(dir / "state", "state dir", kStateDirMode), UsageError);
}

TEST(Fs, UnknownUsersAndGroupsAreErrorsNamingThem) {
  try {
    lookup_user("no-such-user-xmppcert");
    FAIL() << "found";
  } catch (const std::exception& e) {
    EXPECT_NE(std::string(e.what()).find("no-such-user-xmppcert"), std::string::npos);
  }
  EXPECT_EQ(lookup_user("root"), 0u);
  EXPECT_EQ(lookup_group("root"), 0u);
}

TEST(Fs, AnAtomicWriteReachesItsCrashPointAndProductionsEmptyOnesDoNothing) {
  TempDir dir;
  std::vector<std::string> seen;
  CrashPoints recording([&](std::string_view point) { seen.emplace_back(point); });
  write_file_atomically(dir / "a", "A", {}, Folder::trusted, recording);
  CrashPoints none;
  none.reached("test:not-seen");
  write_file_atomically(dir / "b", "B");
  EXPECT_EQ(seen, (std::vector<std::string>{"atomic-write:before-rename"}));
  EXPECT_EQ(read_file(dir / "a"), "A");
}

}  // namespace
}  // namespace xmppcert

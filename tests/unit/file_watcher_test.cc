// The agent's inotify watcher: which changes it reports, including folders that come into
// existence while it runs (a package creating conf.d after the agent started).
#include "agent/file_watcher.h"

#include <gtest/gtest.h>

#include "tests/unit/test_support.h"

namespace xmppcert::testing {
namespace fs = std::filesystem;

TEST(FileWatcher, AnEditedWatchedFileIsReported) {
  TempDir dir;
  write_text(dir / "server.cfg", "a");
  FileWatcher watcher;
  watcher.watch_files({dir / "server.cfg"});
  write_text(dir / "server.cfg", "b");
  EXPECT_EQ(watcher.changed(), (std::set<fs::path>{dir / "server.cfg"}));
  EXPECT_TRUE(watcher.changed().empty());
}

TEST(FileWatcher, AMissingWholeFolderThatIsCreatedIsReportedAsItself) {
  TempDir dir;
  FileWatcher watcher;
  watcher.watch_files({}, {dir / "conf.d"});
  fs::create_directory(dir / "conf.d");
  EXPECT_EQ(watcher.changed(), (std::set<fs::path>{dir / "conf.d"}));
}

// The agent refreshes its watches after each issuance: a conf.d created (with a snippet in
// it) just before that refresh was dropped with its parent's watch, and the snippet went
// unread until the next reload.
TEST(FileWatcher, AWholeFolderCreatedBeforeTheWatchesAreRefreshedIsStillReported) {
  TempDir dir;
  FileWatcher watcher;
  watcher.watch_files({}, {dir / "conf.d"});
  fs::create_directory(dir / "conf.d");
  write_text(dir / "conf.d" / "extra.yml", "domains: [example.org]\n");
  watcher.watch_files({}, {dir / "conf.d"});
  EXPECT_EQ(watcher.changed().count(dir / "conf.d"), 1u);
  EXPECT_TRUE(watcher.changed().empty());
}

TEST(FileWatcher, AFileWrittenIntoAWatchedWholeFolderIsReported) {
  TempDir dir;
  fs::create_directory(dir / "conf.d");
  FileWatcher watcher;
  watcher.watch_files({}, {dir / "conf.d"});
  write_text(dir / "conf.d" / "extra.yml", "x");
  EXPECT_EQ(watcher.changed(), (std::set<fs::path>{dir / "conf.d" / "extra.yml"}));
}

}  // namespace xmppcert::testing

// inotify through libc: watches folders (a file is watched through its folder, so that
// editors' and our own rename-into-place writes are seen) and reports which paths changed.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <vector>

namespace xmppcert {

class FileWatcher {
 public:
  FileWatcher();
  ~FileWatcher();
  FileWatcher(const FileWatcher&) = delete;
  FileWatcher& operator=(const FileWatcher&) = delete;

  int fd() const { return fd_; }
  // Replaces the watched set with the folders of `files` (and every file in `folders`).
  // A missing whole folder is watched for through its parent: its creation is reported as
  // a change of the folder's own path, also when it appeared before a later call here made
  // it a watched folder. Other missing folders are skipped.
  void watch_files(const std::set<std::filesystem::path>& files,
                   const std::set<std::filesystem::path>& folders = {});
  // The watched paths that changed since the last call (non-blocking). A temporary file
  // ".<name>.tmp-XXXXXX" counts as a change of <name> when it is watched, else of its folder
  // (a store's staging folder ".v<N>.tmp-<pid>"): a writer killed half-way leaves one.
  std::set<std::filesystem::path> changed();
  // A change found by watch_files rather than by inotify waits for changed(): fd() may not
  // become readable for it, so the caller asks here before it sleeps.
  bool has_pending_changes() const { return !appeared_.empty(); }

 private:
  int fd_;
  std::map<int, std::filesystem::path> folders_;  // watch descriptor -> folder
  std::set<std::filesystem::path> files_;
  std::set<std::filesystem::path> whole_folders_;
  std::set<std::filesystem::path> appeared_;  // whole folders found created by watch_files
};

}  // namespace xmppcert

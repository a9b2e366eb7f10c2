#include "agent/file_watcher.h"

#include <sys/inotify.h>
#include <unistd.h>

#include <cerrno>

#include "engine/errors.h"

namespace xmppcert {
namespace {

// ".<name>.tmp-XXXXXX" (write_file_atomically's temporary) stands for <name>: a writer killed
// before its rename leaves one, and only the agent can notice and remove it.
std::filesystem::path target_of_temporary(const std::filesystem::path& path) {
  std::string name = path.filename().string();
  size_t tmp = name.rfind(".tmp-");
  if (name.size() < 2 || name[0] != '.' || tmp == std::string::npos || tmp < 2) return path;
  return path.parent_path() / name.substr(1, tmp - 1);
}

}  // namespace

FileWatcher::FileWatcher() : fd_(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC)) {
  if (fd_ < 0) throw_operation_error("start", "inotify", errno_text(errno));
}

FileWatcher::~FileWatcher() { ::close(fd_); }

void FileWatcher::watch_files(const std::set<std::filesystem::path>& files,
                              const std::set<std::filesystem::path>& whole_folders) {
  std::set<std::filesystem::path> was_missing;
  for (const auto& folder : whole_folders_)
    if (files_.count(folder.lexically_normal())) was_missing.insert(folder);
  files_.clear();
  whole_folders_ = whole_folders;
  std::set<std::filesystem::path> folders;
  for (const auto& folder : whole_folders) {
    if (std::filesystem::is_directory(folder)) {
      folders.insert(folder);
      // Its creation event may be queued on the parent, which now means nothing (the folder
      // left files_, the parent's watch may be gone): what was written into it before this
      // watch would be missed. So its appearance is reported by the next changed().
      if (was_missing.count(folder)) appeared_.insert(folder.lexically_normal());
    } else {  // e.g. a conf.d a package will create later
      files_.insert(folder.lexically_normal());
      folders.insert(folder.lexically_normal().parent_path());
    }
  }
  for (const auto& file : files) {
    files_.insert(file.lexically_normal());
    folders.insert(file.lexically_normal().parent_path());
  }
  // Folders that stay keep their watch (re-adding would drop events already queued on it).
  for (auto it = folders_.begin(); it != folders_.end();) {
    if (folders.count(it->second)) {
      folders.erase(it->second);
      ++it;
    } else {
      ::inotify_rm_watch(fd_, it->first);
      it = folders_.erase(it);
    }
  }
  for (const auto& folder : folders) {
    int wd = ::inotify_add_watch(
        fd_, folder.c_str(),
        IN_CLOSE_WRITE | IN_MOVED_TO | IN_MOVED_FROM | IN_DELETE | IN_CREATE | IN_ATTRIB);
    if (wd >= 0) folders_[wd] = folder;
  }
}

std::set<std::filesystem::path> FileWatcher::changed() {
  std::set<std::filesystem::path> paths = std::move(appeared_);
  appeared_.clear();
  alignas(inotify_event) char buffer[16384];
  while (true) {
    ssize_t n = ::read(fd_, buffer, sizeof buffer);
    if (n <= 0) break;
    for (char* p = buffer; p < buffer + n;) {
      auto* event = reinterpret_cast<inotify_event*>(p);
      p += sizeof(inotify_event) + event->len;
      auto folder = folders_.find(event->wd);
      if (folder == folders_.end() || event->len == 0) continue;
      std::filesystem::path path = folder->second / event->name;
      bool temporary = false;
      if (!files_.count(path)) {
        std::filesystem::path target = target_of_temporary(path);
        temporary = target != path;
        path = files_.count(target) ? target : temporary ? folder->second : path;
      }
      if (files_.count(path) || temporary || whole_folders_.count(folder->second))
        paths.insert(path);
    }
  }
  return paths;
}

}  // namespace xmppcert
